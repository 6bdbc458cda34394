#!/usr/bin/env python3
"""A TLS listener on 127.0.0.1 that answers every request with 404, for the tests of what the
engine says when a certificate is not trusted or not issued for the endpoint's name.

Usage: tls_server.py CERT KEY  -> prints "PORT <n>" once listening."""
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_PUT = answer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def get_request(self):
        # A failed handshake (a client that refused the certificate, or spoke plain HTTP) closes
        # the connection at once, as a TLS server does: the client must see it end, not hang.
        sock, address = self.socket.accept()
        try:
            return self.context.wrap_socket(sock, server_side=True), address
        except (ssl.SSLError, OSError) as e:
            sock.close()
            raise OSError("TLS handshake failed") from e

    def handle_error(self, request, client_address):
        pass  # handshakes the client refuses are the point


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    server.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.context.load_cert_chain(sys.argv[1], sys.argv[2])
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
