#!/usr/bin/env python3
"""A pod's app for InjectedPodRunsTest (standard library only): answers every GET with JSON naming
itself, the path, the address the connection came from, and the request's headers, so the test
sees what the proxies did on the way. Usage: echo_app.py NAME PORT (listens on all addresses, as
an app in a pod does).
"""
import http.server
import json
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        body = json.dumps({"app": NAME, "path": self.path, "client": self.client_address[0],
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # No getfqdn(): nothing answers DNS in a test's network namespace.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


if __name__ == "__main__":
    NAME = sys.argv[1]
    Server(("0.0.0.0", int(sys.argv[2])), Handler).serve_forever()
