#!/usr/bin/env python3
"""HTTP server for the sctunnel tests: GET serves files from a directory,
PUT stores the body and answers with its SHA-256.

httpd.py DIR [ADDR]: listens on 127.0.0.1:0 unless ADDR (host:port) is
given, and prints "httpd listening on HOST:PORT" once ready.
"""
import hashlib
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        h = hashlib.sha256()
        path = os.path.join(self.directory, os.path.basename(self.path))
        with open(path, "wb") as f:
            left = length
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                f.write(chunk)
                h.update(chunk)
                left -= len(chunk)
        body = (h.hexdigest() + "\n").encode()
        self.send_response(201 if left == 0 else 400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    directory = sys.argv[1]
    host, port = (sys.argv[2].rsplit(":", 1) if len(sys.argv) > 2
                  else ("127.0.0.1", "0"))

    def handler(*a, **kw):
        return Handler(*a, directory=directory, **kw)

    srv = http.server.ThreadingHTTPServer((host.strip("[]"), int(port)),
                                          handler)
    print("httpd listening on %s:%d" % (host, srv.server_address[1]),
          flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
