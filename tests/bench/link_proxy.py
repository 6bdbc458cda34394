#!/usr/bin/env python3
"""A simulated uplink in front of an S3 server (radosgw): a reverse HTTP/1.1 proxy that adds a
fixed latency to every request and caps the bandwidth of all connections together, the way a
provider some milliseconds away behind a slow line would. It also counts requests and bytes.

Usage: link_proxy.py UPSTREAM_HOST:PORT [--latency-ms 30] [--mbit 50] ...
       -> prints "PORT <n>" once listening on 127.0.0.1 (as tests/s3/fault_proxy.py does).

The link model:
  * latency: every request's head is held --latency-ms before it is forwarded upstream (once per
    request: a request/response round trip to a server that far away). --connect-latency-ms adds
    more to the first request of each client connection (a TCP handshake; default 0).
  * bandwidth: ONE token bucket of --mbit megabits per second (10^6 bit/s; 50 = 6.25 MB/s) shared
    by every connection, through which request bodies (upload) and response bodies (download)
    both pass, in pieces of at most 16 KiB, first come first served (so N concurrent uploads
    each get about 1/N of the link). With --full-duplex the two directions get a bucket each.
    Message heads (request line, headers) are counted separately and are not shaped.
    --mbit 0 means no cap.
  * bytes are passed through unchanged: headers (Host, SigV4 signatures) as received, bodies with
    their own framing (Content-Length, or chunked relayed chunk by chunk as is), HEAD / 204 / 304
    answers without a body, interim answers (100 Continue for "Expect: 100-continue") relayed to
    the client. Keep-alive: each client connection gets its own upstream connection, reopened
    when the server closed it.
  * not modelled: radosgw's 40 ms Nagle/delayed-ACK stall at the end of chunked answers on a
    reused loopback connection (the proxy acknowledges upstream data at once; --no-quickack
    keeps the stall), TCP slow start, packet loss.

Control (not forwarded, no latency, not counted):
  GET  /__link__/stats   {"requests": n, "bytes_up": n, "bytes_down": n, ...} since the last clear;
                         also by_method, by_status, head_bytes_up/down, connections (client
                         connections that forwarded a request),
                         upstream_connections (opened), peak_connections (open at once),
                         peak_inflight / avg_inflight (requests in flight, the average weighted by
                         time between the first request and the last answer), first_request_s,
                         first_upload_s (first request with a body), last_response_s (seconds
                         after the clear), expect_continue (requests that carried it),
                         server_ms_avg (mean time from a request's last byte sent upstream to
                         its answer's head: the server's own latency, no link in it)
  POST /__link__/clear   reset the counters (not the connections)
"""
import argparse
import asyncio
import json
import socket
import sys
import time

PIECE = 16384


class Bucket:
    """A token bucket as a virtual clock: every piece reserves its transmission time on the link
    after the pieces reserved before it; the caller waits until its piece would have crossed. A
    link idle for a while may send up to `burst` bytes at once."""

    def __init__(self, rate, burst):
        self.rate = rate  # bytes per second, 0 = unlimited
        self.burst = burst
        self.free_at = 0.0

    async def take(self, n):
        if not self.rate:
            return
        now = time.monotonic()
        start = max(self.free_at, now - self.burst / self.rate)
        self.free_at = start + n / self.rate
        delay = self.free_at - now
        if delay > 0:
            await asyncio.sleep(delay)


class Stats:
    def __init__(self):
        self.open_conns = 0
        self.clear()

    def clear(self):
        self.t0 = time.monotonic()
        self.requests = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.head_up = 0
        self.head_down = 0
        self.by_method = {}
        self.by_status = {}
        self.connections = 0
        self.upstream_connections = 0
        self.peak_connections = self.open_conns
        self.inflight = 0
        self.peak_inflight = 0
        self.integral = 0.0
        self.last_change = None
        self.first_request = None
        self.first_upload = None
        self.last_response = None
        self.expect_continue = 0
        self.server_time = 0.0
        self.server_answers = 0

    def _advance(self):
        now = time.monotonic()
        if self.last_change is not None:
            self.integral += self.inflight * (now - self.last_change)
        self.last_change = now
        return now

    def begin(self, method):
        now = self._advance()
        if self.first_request is None:
            self.first_request = now
        self.requests += 1
        self.by_method[method] = self.by_method.get(method, 0) + 1
        self.inflight += 1
        self.peak_inflight = max(self.peak_inflight, self.inflight)

    def end(self, status):
        now = self._advance()
        self.inflight = max(0, self.inflight - 1)
        self.last_response = now
        if status is not None:
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1

    def uploading(self):
        if self.first_upload is None:
            self.first_upload = time.monotonic()

    def as_json(self):
        self._advance()
        rel = lambda t: None if t is None else round(t - self.t0, 4)
        span = (self.last_response or 0) - (self.first_request or 0)
        return {
            "requests": self.requests, "bytes_up": self.bytes_up, "bytes_down": self.bytes_down,
            "head_bytes_up": self.head_up, "head_bytes_down": self.head_down,
            "by_method": self.by_method, "by_status": self.by_status,
            "connections": self.connections, "upstream_connections": self.upstream_connections,
            "peak_connections": self.peak_connections, "peak_inflight": self.peak_inflight,
            "avg_inflight": round(self.integral / span, 3) if span > 0 else 0.0,
            "first_request_s": rel(self.first_request), "first_upload_s": rel(self.first_upload),
            "last_response_s": rel(self.last_response), "expect_continue": self.expect_continue,
            "server_ms_avg": round(1000 * self.server_time / self.server_answers, 2)
            if self.server_answers else None,
            "elapsed_s": round(time.monotonic() - self.t0, 4),
        }


class Closed(Exception):
    """The exchange ended in a way that leaves the client connection unusable."""


def parse_head(raw):
    """(start line parts, {lower-case name: value}) of a message head; repeated headers joined."""
    lines = raw.split(b"\r\n")
    start = lines[0].decode("latin-1").split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = headers[name] + ", " + value if name in headers else value
    return start, headers


async def read_head(reader):
    """A message head up to and including the blank line, or None at a clean EOF."""
    while True:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if e.partial.strip():
                raise Closed("truncated head")
            return None
        except asyncio.LimitOverrunError:
            raise Closed("head too large")
        stripped = raw.lstrip(b"\r\n")  # stray CRLFs between messages are allowed
        if stripped:
            return stripped


def is_chunked(headers):
    return "chunked" in headers.get("transfer-encoding", "").lower()


class Link:
    def __init__(self, args):
        self.host, port = args.upstream.rsplit(":", 1)
        self.port = int(port)
        self.latency = args.latency_ms / 1000.0
        self.connect_latency = args.connect_latency_ms / 1000.0
        rate = args.mbit * 1e6 / 8
        burst = args.burst_kib * 1024
        self.up_bucket = Bucket(rate, burst)
        self.down_bucket = Bucket(rate, burst) if args.full_duplex else self.up_bucket
        self.stats = Stats()
        self.use_quickack = not args.no_quickack and hasattr(socket, "TCP_QUICKACK")

    def quickack(self, writer):
        """Ask the kernel to acknowledge the upstream's next segments at once. radosgw writes the
        end of a chunked answer in a second small write that Nagle holds until the first is
        acknowledged; on a reused loopback connection that waits for the 40 ms delayed ACK, an
        artefact of this rig a remote provider does not have (see --no-quickack)."""
        if self.use_quickack:
            sock = writer.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                except OSError:
                    pass

    # -- body pumps: exactly the bytes of one body, shaped and counted, framing unchanged --------
    async def _piece(self, data, writer, up):
        await (self.up_bucket if up else self.down_bucket).take(len(data))
        if up:
            self.stats.bytes_up += len(data)
        else:
            self.stats.bytes_down += len(data)
        writer.write(data)
        await writer.drain()

    async def pump_length(self, reader, writer, n, up, ack=None):
        while n > 0:
            if ack is not None:
                self.quickack(ack)
            data = await reader.read(min(n, PIECE))
            if not data:
                raise Closed("body cut short")
            n -= len(data)
            await self._piece(data, writer, up)

    async def pump_chunked(self, reader, writer, up, ack=None):
        while True:
            if ack is not None:
                self.quickack(ack)
            line = await reader.readuntil(b"\r\n")
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            await self._piece(line, writer, up)
            if size == 0:
                while True:  # trailers, then the blank line
                    t = await reader.readuntil(b"\r\n")
                    await self._piece(t, writer, up)
                    if t == b"\r\n":
                        return
            await self.pump_length(reader, writer, size, up, ack)
            if ack is not None:
                self.quickack(ack)
            crlf = await reader.readexactly(2)
            await self._piece(crlf, writer, up)

    async def pump_to_eof(self, reader, writer, up, ack=None):
        while True:
            if ack is not None:
                self.quickack(ack)
            data = await reader.read(PIECE)
            if not data:
                return
            await self._piece(data, writer, up)

    async def pump_request_body(self, headers, creader, uwriter):
        if is_chunked(headers):
            self.stats.uploading()
            await self.pump_chunked(creader, uwriter, True)
        else:
            n = int(headers.get("content-length", "0") or 0)
            if n:
                self.stats.uploading()
                await self.pump_length(creader, uwriter, n, True)

    # -- control --------------------------------------------------------------------------------
    async def control(self, start, headers, creader, cwriter):
        # discard a body, if any
        if is_chunked(headers):
            await self.pump_chunked(creader, _Sink(), True)
        else:
            n = int(headers.get("content-length", "0") or 0)
            if n:
                await creader.readexactly(n)
        path = start[1].split("?", 1)[0]
        if path == "/__link__/clear":
            self.stats.clear()
            status, body = "200 OK", b"{}"
        elif path == "/__link__/stats":
            status, body = "200 OK", json.dumps(self.stats.as_json()).encode()
        else:
            status, body = "404 Not Found", b'{"error": "unknown control path"}'
        cwriter.write(("HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % (status, len(body))).encode() + body)
        await cwriter.drain()

    # -- one client connection ------------------------------------------------------------------
    async def client(self, creader, cwriter):
        nodelay(cwriter)  # the pieces of an answer go out as they come, no Nagle wait
        st = self.stats
        up = None
        first = True  # a connection counts from its first forwarded request (not control ones)
        try:
            while True:
                head = await read_head(creader)
                if head is None:
                    return
                start, headers = parse_head(head)
                if len(start) < 3:
                    raise Closed("bad request line")
                method, target, version = start
                if target.startswith("/__link__/"):
                    await self.control(start, headers, creader, cwriter)
                    continue
                if first:
                    st.connections += 1
                    st.open_conns += 1
                    st.peak_connections = max(st.peak_connections, st.open_conns)
                st.begin(method)
                st.head_up += len(head)
                status = None
                try:
                    delay = self.latency + (self.connect_latency if first else 0.0)
                    first = False
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if up is None or up[0].at_eof() or up[1].is_closing():
                        if up is not None:
                            up[1].close()
                        try:
                            up = await asyncio.open_connection(self.host, self.port)
                        except OSError:
                            body = b"link_proxy: upstream unreachable\n"
                            cwriter.write(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n"
                                          b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                            await cwriter.drain()
                            status = 502
                            raise Closed("upstream unreachable")
                        nodelay(up[1])
                        st.upstream_connections += 1
                    status, close = await self.exchange(method, version, head, headers,
                                                        creader, cwriter, up)
                finally:
                    st.end(status)
                if close:
                    return
        except (Closed, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, IndexError, OSError):
            return
        finally:
            if not first:
                st.open_conns -= 1
            if up is not None:
                up[1].close()
            cwriter.close()

    async def answer_head(self, ureader, body_task):
        """The next answer head from upstream; fails if the request body stops first (the server
        would wait for the rest of it forever)."""
        if body_task is None or body_task.done():
            if body_task is not None:
                body_task.result()
            return await read_head(ureader)
        head_task = asyncio.ensure_future(read_head(ureader))
        try:
            await asyncio.wait({head_task, body_task}, return_when=asyncio.FIRST_COMPLETED)
            if not head_task.done():
                body_task.result()  # raises the body's error; else the body is all sent
                return await head_task
            return head_task.result()
        finally:
            if not head_task.done():
                head_task.cancel()

    async def exchange(self, method, version, head, headers, creader, cwriter, up):
        """Forward one request and relay its answer. Returns (status, close the client?)."""
        ureader, uwriter = up
        uwriter.write(head)
        await uwriter.drain()
        sent = [time.monotonic()]  # when the last request byte went upstream
        has_body = is_chunked(headers) or int(headers.get("content-length", "0") or 0) > 0
        expect = "100-continue" in headers.get("expect", "").lower() and has_body
        if expect:
            self.stats.expect_continue += 1
        body_task = None
        if has_body and not expect:
            body_task = asyncio.ensure_future(self.pump_request_body(headers, creader, uwriter))
            body_task.add_done_callback(lambda _: sent.__setitem__(0, time.monotonic()))
        try:
            while True:
                self.quickack(uwriter)
                rhead = await self.answer_head(ureader, body_task)
                if rhead is None:
                    raise Closed("upstream closed before answering")
                if not rhead.startswith(b"HTTP/"):
                    if rhead.strip() == b"0":
                        continue  # radosgw ends its answer to HEAD / with a chunk it should not send
                    raise Closed("not an HTTP answer")
                rstart, rheaders = parse_head(rhead)
                status = int(rstart[1])
                self.stats.head_down += len(rhead)
                cwriter.write(rhead)
                await cwriter.drain()
                if 100 <= status < 200 and status != 101:
                    if status == 100 and expect and body_task is None:
                        body_task = asyncio.ensure_future(
                            self.pump_request_body(headers, creader, uwriter))
                        body_task.add_done_callback(lambda _: sent.__setitem__(0, time.monotonic()))
                    continue
                break
            self.stats.server_time += max(0.0, time.monotonic() - sent[0])
            self.stats.server_answers += 1
            # the final answer's body
            close = False
            if method == "HEAD" or status in (204, 304) or status == 101:
                pass
            elif is_chunked(rheaders):
                await self.pump_chunked(ureader, cwriter, False, uwriter)
            elif "content-length" in rheaders:
                await self.pump_length(ureader, cwriter, int(rheaders["content-length"]), False,
                                       uwriter)
            else:
                await self.pump_to_eof(ureader, cwriter, False, uwriter)
                close = True
            conn_hdr = rheaders.get("connection", "").lower()
            if "close" in conn_hdr or (rstart[0] == "HTTP/1.0" and "keep-alive" not in conn_hdr):
                close = True
            req_conn = headers.get("connection", "").lower()
            if "close" in req_conn or (version == "HTTP/1.0" and "keep-alive" not in req_conn):
                close = True
            if has_body and body_task is None:
                close = True  # answered without 100 Continue: the client may still send the body
            if body_task is not None:
                if not body_task.done():
                    close = True  # answered before the whole body arrived: the stream is lost
                else:
                    body_task.result()
            if close:
                uwriter.close()
            return status, close
        finally:
            if body_task is not None and not body_task.done():
                body_task.cancel()


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class _Sink:
    def write(self, data):
        pass

    async def drain(self):
        pass


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("upstream", help="HOST:PORT of the S3 server")
    p.add_argument("--latency-ms", type=float, default=30.0,
                   help="added to every request (default 30)")
    p.add_argument("--connect-latency-ms", type=float, default=0.0,
                   help="added to the first request of each client connection (default 0)")
    p.add_argument("--mbit", type=float, default=50.0,
                   help="link capacity in megabits (10^6 bit) per second, all connections and "
                        "both directions together (default 50; 0 = no cap)")
    p.add_argument("--full-duplex", action="store_true",
                   help="a bucket of --mbit for each direction instead of one for both")
    p.add_argument("--burst-kib", type=float, default=32.0,
                   help="what an idle link may send at once (default 32 KiB)")
    p.add_argument("--sockbuf-kib", type=int, default=256,
                   help="socket buffers of client connections, so a client cannot park "
                        "megabytes in the kernel ahead of the link (default 256; 0 = system)")
    p.add_argument("--no-quickack", action="store_true",
                   help="leave delayed ACKs on the upstream side alone (see Link.quickack)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    link = Link(args)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.sockbuf_kib:  # inherited by the accepted sockets
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.sockbuf_kib * 1024)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sockbuf_kib * 1024)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    server = await asyncio.start_server(link.client, sock=sock, limit=65536)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
