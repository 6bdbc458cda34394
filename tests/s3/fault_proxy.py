#!/usr/bin/env python3
"""HTTP proxy between the engine and a real S3 server that injects the faults a real server will
not produce on demand: throttling answers (503 SlowDown / 429 with Retry-After), server errors,
connection resets in the middle of an upload, and response bodies that stall. It also counts and
timestamps every request, so tests can assert request counts and backoff spacing. Requests in
absolute form (`GET http://host/path`, as sent to a forward proxy through `http_proxy`) are
counted as "proxied" and forwarded to UPSTREAM like the others.

Usage: fault_proxy.py UPSTREAM_HOST:PORT  -> prints "PORT <n>" once listening on 127.0.0.1.
Control (not forwarded):
  POST /__fault__/rule?mode=status&status=503&code=SlowDown&retry_after=1&count=2&method=PUT
       mode=status | reset | stall | delay | drop ; count = how many matching requests get it ;
       delay: the upstream's answer held back stall_seconds ; drop: the request reaches upstream,
       its answer never comes back (the connection hangs stall_seconds, then is reset) ;
       method / path_contains / has_header narrow the match ; stall_seconds for mode=stall ;
       percent = the share of matching requests that get it (default all) ;
       seconds = the rule ends that long after it was set (a window of faults) ;
       date_offset = a status answer's Date header is that many seconds off (a node with a bad clock)
  POST /__fault__/archive?match=/.chunks/&thaw_seconds=2&class=GLACIER   archive tier (archive_mode.py)
  POST /__fault__/refuse?seconds=60   nothing listens for that long (connections are refused) and
                                      requests on connections already open are reset
  POST /__fault__/clear          drop rules and counters
  GET  /__fault__/stats          {"requests": n, "by_method": {...}, "faults": n, "log": [...],
                                  "in_flight": n, "in_flight_peak": n, "bytes_up": n, "bytes_down": n}
                                 (in flight: from a request's arrival until its answer's last bytes start to leave;
                                 each log entry has its "end" time and bytes "up" and "down")
"""
import email.utils
import os
import sys
import http.client
import json
import random
import select
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

UPSTREAM = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from archive_mode import ArchiveMode  # noqa: E402

ARCHIVE = ArchiveMode()
LOCK = threading.Lock()
RULES = []
STATS = {"requests": 0, "proxied": 0, "by_method": {}, "faults": 0, "refused": 0, "log": [],
         "in_flight": 0, "in_flight_peak": 0, "bytes_up": 0, "bytes_down": 0}
REFUSE_UNTIL = [0.0]
RNG = random.Random(1)
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade",
       "trailer", "content-length"}


def take_rule(method, path, headers):
    with LOCK:
        for rule in RULES:
            if rule["count"] <= 0 or ("until" in rule and time.time() > rule["until"]):
                continue
            if rule.get("method") and rule["method"] != method:
                continue
            if rule.get("path_contains") and rule["path_contains"] not in path:
                continue
            if rule.get("has_header") and rule["has_header"] not in headers:
                continue
            if "percent" in rule and RNG.random() * 100 >= rule["percent"]:
                continue
            rule["count"] -= 1
            STATS["faults"] += 1
            return dict(rule)
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def control(self):
        url = urlsplit(self.path)
        if url.path == "/__fault__/rule":
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            rule = {"mode": q.get("mode", "status"), "count": int(q.get("count", "1"))}
            for k in ("method", "path_contains", "has_header", "code"):
                if k in q:
                    rule[k] = q[k]
            for k in ("status", "retry_after", "stall_seconds", "reset_after", "date_offset"):
                if k in q:
                    rule[k] = int(q[k])
            if "percent" in q:
                rule["percent"] = float(q["percent"])
            if "seconds" in q:
                rule["until"] = time.time() + float(q["seconds"])
            with LOCK:
                RULES.append(rule)
            body = b"{}"
        elif url.path == "/__fault__/archive":
            ARCHIVE.configure({k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()})
            body = b"{}"
        elif url.path == "/__fault__/refuse":
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            REFUSE_UNTIL[0] = time.time() + float(q.get("seconds", "60"))
            body = b"{}"
        elif url.path == "/__fault__/clear":
            with LOCK:
                RULES.clear()
                STATS.update({"requests": 0, "proxied": 0, "by_method": {}, "faults": 0, "refused": 0,
                              "log": [], "in_flight_peak": STATS["in_flight"], "bytes_up": 0, "bytes_down": 0})
                REFUSE_UNTIL[0] = 0.0
            ARCHIVE.clear()
            body = b"{}"
        else:
            with LOCK:
                body = json.dumps(dict(STATS, **ARCHIVE.stats())).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self, limit=None):
        n = int(self.headers.get("Content-Length", "0"))
        if limit is not None:
            n = min(n, limit)
        return self.rfile.read(n) if n else b""

    def read_whole_body(self):
        """The request's body, or None when the client went away before sending all of it (killed):
        a real server never stores such a request, so it is not forwarded either."""
        body = self.read_body()
        return body if len(body) == int(self.headers.get("Content-Length", "0")) else None

    def answer_own(self, status, code, headers):
        """An answer made here (archive mode), not by the server."""
        body = b""
        if code:
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>archive mode of "
                    "fault_proxy</Message></Error>" % code).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.answered()
        self.end_headers()
        if body:
            self.wfile.write(body)

    def answered(self):
        """Called before the last bytes of an answer (or a reset) leave: from then on the client
        may have its answer and start another request, so this one no longer counts as in flight.
        Counting it until the handler returns would let a descheduled proxy thread show one
        request more in flight than the client ever had."""
        entry = getattr(self, "entry", None)
        if entry is None or entry.get("answered"):
            return
        with LOCK:
            entry["answered"] = True
            STATS["in_flight"] -= 1

    def reset(self):
        # RST instead of FIN: what a dropped connection looks like to the client.
        self.answered()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def handle_any(self):
        if self.path.startswith("/__fault__/"):
            return self.control()
        if time.time() < REFUSE_UNTIL[0]:
            with LOCK:
                STATS["refused"] += 1
            return self.reset()  # a connection opened before the outage began
        with LOCK:
            STATS["in_flight"] += 1
            STATS["in_flight_peak"] = max(STATS["in_flight_peak"], STATS["in_flight"])
            entry = {"t": time.time(), "method": self.command, "path": self.path, "up": 0, "down": 0}
            STATS["log"].append(entry)
        self.entry = entry
        try:
            self.forward(entry)
        finally:
            self.answered()
            self.entry = None
            with LOCK:
                entry["end"] = time.time()
                STATS["bytes_up"] += entry["up"]
                STATS["bytes_down"] += entry["down"]

    def forward(self, entry):
        absolute = urlsplit(self.path) if self.path.startswith("http://") else None
        if absolute:
            self.path = absolute.path + ("?" + absolute.query if absolute.query else "")
        with LOCK:
            STATS["requests"] += 1
            STATS["proxied"] += 1 if absolute else 0
            STATS["by_method"][self.command] = STATS["by_method"].get(self.command, 0) + 1
            entry["path"] = self.path
        rule = take_rule(self.command, self.path, self.headers)
        if rule and rule["mode"] == "reset":
            self.read_body(limit=rule.get("reset_after", 1024))
            return self.reset()
        if rule and rule["mode"] == "status":
            self.read_body()
            code = rule.get("code", "SlowDown")
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
                    "<Message>injected by fault_proxy</Message><RequestId>fault-%d</RequestId>"
                    "</Error>" % (code, STATS["faults"])).encode()
            if "date_offset" in rule:
                self.send_response_only(rule.get("status", 503))
                self.send_header("Date", email.utils.formatdate(time.time() + rule["date_offset"], usegmt=True))
            else:
                self.send_response(rule.get("status", 503))
            if "retry_after" in rule:
                self.send_header("Retry-After", str(rule["retry_after"]))
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            if self.command == "HEAD":  # an answer to HEAD has no body, whatever its length says
                self.answered()
                self.end_headers()
            else:
                self.end_headers()
                self.answered()
                self.wfile.write(body)
            return
        body = self.read_whole_body()
        if body is None:
            return self.reset()
        entry["up"] = len(body)
        own = ARCHIVE.answer(self, body)
        if own:
            return self.answer_own(*own)
        host, port = UPSTREAM.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in HOP:
                conn.putheader(k, v)
        if body or self.command in ("PUT", "POST"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = ARCHIVE.listing(self, resp.read())
        conn.close()
        if rule and rule["mode"] in ("delay", "drop"):
            time.sleep(rule.get("stall_seconds", 30))
            if rule["mode"] == "drop":
                return self.reset()
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        if resp.status == 200:
            for k, v in ARCHIVE.head_headers(self):
                self.send_header(k, v)
        # A HEAD's answer says the object's length, not its own (empty) body's.
        length = resp.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
        self.send_header("Content-Length", length)
        if self.command == "HEAD":
            self.answered()
        self.end_headers()
        if rule and rule["mode"] == "stall" and self.command != "HEAD":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            time.sleep(rule.get("stall_seconds", 30))
            return self.reset()
        if self.command != "HEAD":
            self.answered()
            self.wfile.write(data)
            entry["down"] = len(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # resets and stalls are on purpose


def serve(server):
    """serve_forever, except that during a refuse window the listening socket is closed (so
    connecting fails with ECONNREFUSED, as with a server that is down) and then opened again."""
    port = server.server_address[1]
    while True:
        if time.time() < REFUSE_UNTIL[0]:
            if server.socket.fileno() >= 0:
                server.socket.close()
            time.sleep(0.05)
            continue
        if server.socket.fileno() < 0:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(128)
            server.socket = s
        ready, _, _ = select.select([server.socket], [], [], 0.05)
        if ready:
            server._handle_request_noblock()


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    serve(server)
