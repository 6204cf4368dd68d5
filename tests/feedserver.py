"""A real HTTP server on 127.0.0.1 for tests that need a misbehaving web.

Tests register routes (status, headers, body, validators, redirects, slow or
endless bodies, huge generated bodies, compression) and then talk to the server
over a real socket, so the client code under test runs exactly as it would
against the internet: no mocked transport, no patched httpx. The request log
records what the client sent (conditional headers, Accept-Encoding, which
connection), and per-path byte counters show how much of a body was actually
served before the client hung up.

Standard library only (brotli when it is installed), one thread per connection.
"""

from __future__ import annotations

import email.utils
import gzip
import socket
import socketserver
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

try:
    import brotli
except ImportError:  # pragma: no cover - brotli ships with httpx[brotli]
    brotli = None

HOST = "127.0.0.1"
PADDING = b"<!-- generated padding to make the body big -->\n"


@dataclass
class Route:
    """How the server answers one path. Build these with ``FeedServer`` methods."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml; charset=utf-8"
    #: Validators; a matching conditional request gets a real 304.
    etag: str | None = None
    last_modified: str | None = None
    #: Whether a 304 repeats the validators (some servers leave them out).
    repeat_validators: bool = True
    #: Seconds to wait before the status line.
    delay: float = 0.0
    #: "gzip", "deflate" or "br", used when the client's Accept-Encoding has it...
    compress: str | None = None
    #: ... or regardless of what the client asked for.
    compress_always: bool = False
    #: Generate a body of this many bytes on the fly instead of ``body``.
    generate: int | None = None
    #: Send the body with chunked transfer coding (no Content-Length).
    chunked: bool = False
    #: Announce this Content-Length whatever the real size is.
    content_length: int | None = None
    #: Send ``drip_chunk`` every ``drip_interval`` seconds, forever.
    drip_interval: float | None = None
    drip_chunk: bytes = b" "
    #: Never answer at all (the connection stays open until the client leaves).
    hang: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    #: Header names lower-cased.
    headers: dict[str, str]
    #: Same number for requests that arrived on the same TCP connection.
    connection: int
    at: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class FeedServer:
    """Threaded HTTP/1.1 server on a free port of 127.0.0.1.

    Use as a context manager (or ``start``/``close``); ``url(path)`` gives the
    address of a route. Routes can be added while the server runs.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[LoggedRequest] = []
        self.sent: dict[str, int] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections = 0
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FeedServer:
        httpd = _Server((HOST, 0), _Handler)
        httpd.feed_server = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.02,), name="feedserver", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- routes ------------------------------------------------------------

    def add(self, path: str, body: bytes | str = b"", **options: Any) -> str:
        """Serve ``body`` (plus any ``Route`` option) at ``path``; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Redirect ``path`` to ``to`` (a path or a full URL; sent as given)."""
        self.routes[path] = Route(status=status, headers={"Location": to}, content_type="")
        return self.url(path)

    def chain(self, path: str, statuses: list[int], final: str) -> str:
        """A redirect chain ``path`` → ``path/1`` → … → ``final``, one hop per status."""
        hops = [path] + [f"{path}/{n}" for n in range(1, len(statuses))]
        for hop, nxt, status in zip(hops, hops[1:] + [final], statuses, strict=True):
            self.redirect(hop, nxt, status)
        return self.url(path)

    def drip(self, path: str, interval: float = 0.2, chunk: bytes = b" ", **options: Any) -> str:
        """A 200 whose body never ends: one ``chunk`` every ``interval`` seconds."""
        self.routes[path] = Route(drip_interval=interval, drip_chunk=chunk, chunked=True, **options)
        return self.url(path)

    def huge(self, path: str, size: int, *, chunked: bool = True, **options: Any) -> str:
        """A body of ``size`` bytes generated while sending (never held in memory)."""
        self.routes[path] = Route(generate=size, chunked=chunked, **options)
        return self.url(path)

    def hang(self, path: str) -> str:
        """Accept the request and never answer."""
        self.routes[path] = Route(hang=True)
        return self.url(path)

    # -- what happened -----------------------------------------------------

    def requests_to(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def bytes_sent(self, path: str) -> int:
        """Body bytes handed to the socket for ``path`` (after compression)."""
        with self._lock:
            return self.sent.get(path, 0)

    # -- used by the handler -----------------------------------------------

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _count(self, path: str, n: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + n

    def _new_connection(self) -> int:
        with self._lock:
            self._connections += 1
            return self._connections


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True
    feed_server: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients under test hang up mid-response on purpose (size caps, timeouts).
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which may wait on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = HOST
        self.server_port = int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection_id = self.server.feed_server._new_connection()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        fs = self.server.feed_server
        path = self.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        fs._log(LoggedRequest(self.command, path, headers, self.connection_id, time.monotonic()))
        try:
            route = fs.routes.get(path)
            if route is None:
                self._send_simple(404, b"<h1>not found</h1>", "text/html")
                return
            if route.hang:
                fs.stopping.wait()
                self.close_connection = True
                return
            if route.delay and fs.stopping.wait(route.delay):
                return
            if self._not_modified(route, headers):
                self.send_response(304)
                if route.etag and route.repeat_validators:
                    self.send_header("ETag", route.etag)
                if route.last_modified and route.repeat_validators:
                    self.send_header("Last-Modified", route.last_modified)
                self.end_headers()
                return
            self._send_route(route, path, headers, head=head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        finally:
            fs._done()

    def _not_modified(self, route: Route, headers: dict[str, str]) -> bool:
        if route.status != 200:
            return False
        inm = headers.get("if-none-match")
        if inm is not None and route.etag:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or route.etag.removeprefix("W/") in tags
        ims = headers.get("if-modified-since")
        if inm is None and ims and route.last_modified:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                modified = email.utils.parsedate_to_datetime(route.last_modified)
            except (TypeError, ValueError):
                return False
            return since >= modified
        return False

    def _send_simple(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_route(self, route: Route, path: str, headers: dict[str, str], *, head: bool) -> None:
        fs = self.server.feed_server
        encoding = None
        if route.compress:
            accepted = headers.get("accept-encoding", "").lower()
            if route.compress_always or route.compress in accepted:
                encoding = route.compress
        body = route.body
        if encoding and route.generate is None and route.drip_interval is None:
            body = _compress(body, encoding)

        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in route.headers.items():
            self.send_header(name, value)

        streaming = route.generate is not None or route.drip_interval is not None
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif route.content_length is not None:
            self.send_header("Content-Length", str(route.content_length))
        elif streaming:
            self.send_header("Content-Length", str(route.generate or 0))
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return

        if route.drip_interval is not None:
            chunks: Iterator[bytes] = self._drip(route.drip_interval, route.drip_chunk)
        elif route.generate is not None:
            chunks = _generate(route.generate)
            if encoding:
                chunks = _compress_stream(chunks, encoding)
        else:
            chunks = iter([body] if body else [])
        for chunk in chunks:
            if fs.stopping.is_set():
                self.close_connection = True
                return
            # Counted before the write so the count is final when the client has the body.
            fs._count(path, len(chunk))
            if route.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
        if route.chunked:
            self.wfile.write(b"0\r\n\r\n")
        if route.content_length is not None and route.content_length != len(body):
            self.close_connection = True

    def _drip(self, interval: float, chunk: bytes) -> Iterator[bytes]:
        stopping = self.server.feed_server.stopping
        while not stopping.is_set():
            yield chunk
            if stopping.wait(interval):
                return


def _generate(size: int, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    block = (PADDING * (chunk_size // len(PADDING) + 1))[:chunk_size]
    left = size
    while left > 0:
        piece = block[: min(chunk_size, left)]
        left -= len(piece)
        yield piece


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data)
    if encoding == "deflate":
        return zlib.compress(data)
    if encoding == "br":
        if brotli is None:
            raise RuntimeError("brotli is not installed")
        return bytes(brotli.compress(data))
    raise ValueError(f"unknown encoding {encoding!r}")


def _compress_stream(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    if encoding not in ("gzip", "deflate"):
        raise ValueError(f"streamed compression supports gzip and deflate, not {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    for chunk in chunks:
        out = packer.compress(chunk)
        if out:
            yield out
    yield packer.flush()


def gzip_bomb(size: int) -> bytes:
    """A small gzip stream that inflates to ``size`` bytes of padding."""
    return b"".join(_compress_stream(_generate(size), "gzip"))


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for connection-refused tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def http_date(when: float) -> str:
    return email.utils.formatdate(when, usegmt=True)
