#!/usr/bin/env python3
"""A typical small Python service behind a proxy, for end-to-end tests (standard library only).

HTTP/1.1 keep-alive through http.server, as many apps are written: the status line and headers
go out on end_headers(), the body in a second write. It reads a request body by Content-Length
and does not understand chunked request bodies, as http.server does not. It answers every
request with a line naming itself, the method, the path and the body size it read.
Usage: python_app.py NAME ADDRESS PORT
"""
import http.server
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive without Nagle's 40 ms delays

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        received = self.rfile.read(length) if length else b""
        data = ("%s %s %s bytes=%d\n" % (NAME, self.command, self.path, len(received))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-backend", NAME)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer looks up its own address's name (getfqdn), which blocks for the DNS timeout
        # where no resolver answers, as in a test's network namespace.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


if __name__ == "__main__":
    NAME = sys.argv[1]
    Server((sys.argv[2], int(sys.argv[3])), Handler).serve_forever()
