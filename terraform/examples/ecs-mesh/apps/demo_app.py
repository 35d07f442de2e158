# The example's application: answers with its name and, when CALLS is set, with what the service it
# calls answered (through the mesh: the call leaves on the task's own network and the proxy routes it).
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = os.environ["APP_NAME"]
CALLS = os.environ.get("CALLS")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = NAME
        if CALLS:
            with urllib.request.urlopen(CALLS + self.path, timeout=10) as answer:
                body += " -> " + answer.read().decode().strip()
        data = (body + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("APP_PORT", "8080"))), Handler).serve_forever()
