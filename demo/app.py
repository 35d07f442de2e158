#!/usr/bin/env python3
"""A tiny service for the Meshwork demo (standard library only).

It answers GET with a JSON object naming itself; with --calls it first calls each named
virtual service through its proxy's egress listener (Host: <service>) and includes the answers.
"""
import argparse
import http.client
import http.server
import json
import socketserver
import threading

ARGS = None
LOCAL = threading.local()


def call(host):
    conn = getattr(LOCAL, "conns", {}).get(host)
    if conn is None:
        egress_host, egress_port = ARGS.egress.split(":")
        conn = http.client.HTTPConnection(egress_host, int(egress_port), timeout=5)
        LOCAL.conns = getattr(LOCAL, "conns", {})
        LOCAL.conns[host] = conn
    try:
        conn.request("GET", "/", headers={"Host": host})
        resp = conn.getresponse()
        data = resp.read().decode()
        try:
            return json.loads(data)
        except ValueError:
            return {"status": resp.status, "body": data.strip()}
    except (OSError, http.client.HTTPException) as e:
        LOCAL.conns.pop(host, None)
        return {"error": str(e)}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive without Nagle's 40 ms delays

    def do_GET(self):
        body = {"service": ARGS.name}
        for host in [h for h in ARGS.calls.split(",") if h]:
            body[host] = call(host)
        data = (json.dumps(body) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--listen", required=True, help="address:port")
    parser.add_argument("--calls", default="", help="virtual services to call, comma separated")
    parser.add_argument("--egress", default="127.0.0.1:15001", help="the proxy's egress listener")
    ARGS = parser.parse_args()
    address, port = ARGS.listen.split(":")
    Server((address, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
