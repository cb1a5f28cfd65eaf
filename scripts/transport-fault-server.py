#!/usr/bin/env python3
"""A tiny HTTP server on 127.0.0.1 that misbehaves on purpose, to measure how an HTTP client
reports a lost answer. Prints its port on stdout, serves until killed.

Paths (any method):
  /ok              200 "ok" (keep-alive)
  /drop-after-read reads the whole request, then shutdown(SHUT_RDWR) without answering
                   (a response lost after the server acted)
  /reset           reads the whole request, then closes with RST (SO_LINGER 0)
  /redirect        302 to http://127.0.0.1:<port>/sink on the same server, whose /sink records
                   whether Authorization / X-Amz-Security-Token arrived (GET /sink-log shows them)
  /slow            sends the status line, then one byte per second (an idle timer never fires)
"""
import socket
import socketserver
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler

SINK = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def handle_any(self):
        self._body()
        path = self.path.split("?")[0]
        if path == "/ok":
            self._answer(200, b"ok")
        elif path == "/drop-after-read":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif path == "/redirect":
            port = self.server.server_address[1]
            self._answer(302, b"", [("Location", "http://127.0.0.1:%d/sink" % port)])
        elif path == "/sink":
            SINK.append("auth=%s token=%s" % (self.headers.get("Authorization") is not None,
                                              self.headers.get("X-Amz-Security-Token") is not None))
            self._answer(200, b"sink")
        elif path == "/sink-log-clear":
            SINK.clear()
            self._answer(200, b"cleared")
        elif path == "/sink-log":
            self._answer(200, "\n".join(SINK).encode())
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "30")
            self.end_headers()
            self.wfile.flush()
            for _ in range(30):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        else:
            self._answer(404, b"no such path")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
