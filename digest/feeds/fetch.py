"""The HTTP stage of ingest: turn a list of feed URLs into bodies and statuses.

This module only talks HTTP (and reads local files); it never parses a feed or
touches the store. Keeping it that way lets the caller decide what to keep: the
validators (ETag, Last-Modified) come back with every result, but they must be
stored only after the body parsed, or a feed that timed out half-way would be
answered ``304`` forever and its entries never arrive.

Everything that can go wrong with one feed becomes that feed's ``FetchResult``
with a one-line ``error``; ``fetch_all`` itself does not raise because of a bad
feed, so one broken subscription never costs the rest of a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import functools
import http
import inspect
import io
import os
import socket
import ssl
import sys
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import brotli

# httpx's package imports its command-line tool, and with it rich and pygments
# when they are installed (textual brings them): 45-80 ms of every `digest
# fetch` for a module nothing here runs. Marked missing, httpx skips it.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx  # noqa: E402

from digest.textclean import clean_line  # noqa: E402

Outcome = Literal["ok", "not-modified", "error", "gone", "skipped"]

#: A body at most this long is read to its end rather than dropped, to keep the connection.
_DRAIN_BYTES = 64 * 1024
#: Past this many bytes a body is a large one; see _OneLarge.
LARGE_BODY = 4_000_000
#: Statuses that redirect; 301 and 308 are the permanent ones.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with what the previous fetch left behind."""

    url: str
    etag: str = ""
    last_modified: str = ""
    #: Do not ask before this moment: the server said so (429/503 with
    #: Retry-After) or the feed timed out last time (``wait_reason`` says which).
    retry_after: datetime | None = None
    wait_reason: str = "Retry-After"


@dataclass(frozen=True)
class FetchSettings:
    #: Feeds in flight at once. Most of a feed's time is a wait on a distant
    #: server, and a waiting download costs an event loop almost nothing: at
    #: 50 ms a response, 32 in flight cannot ask 1,000 feeds in under 1.6 s.
    concurrency: int = 64
    connect_timeout: float = 10
    #: Longest silence between two reads of one response.
    read_timeout: float = 20
    #: Budget for a whole feed: every redirect hop and the whole body. A server
    #: that drips a byte a second never trips the read timeout, only this one.
    #: 15 s is what curl gets in sfeed, and 1.5 MB/s moves a 10 MB feed in time.
    total_timeout: float = 15
    #: A feed that timed out is left alone this long (seconds): a dead or
    #: dripping server would otherwise cost every run its whole time budget.
    #: 0 tries it on every run.
    timeout_backoff: float = 1800
    #: Cap on the *decoded* body, so a gzip bomb is cut off like a huge body.
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = "digest/0.1 (+feed reader)"


@dataclass(frozen=True)
class FetchResult:
    request: FetchRequest
    outcome: Outcome
    #: Where the last response came from, after redirects.
    final_url: str
    #: The new address when every redirect hop was permanent (301/308) and the
    #: feed answered at the end of it; the subscription should move there.
    permanent_url: str
    http_status: int | None
    #: The body only when ``outcome == "ok"``; error pages are not kept.
    body: bytes
    content_type: str
    #: Validators of the response (for a 304, the request's own when the
    #: server did not repeat them). Store them only after the body parsed.
    etag: str
    last_modified: str
    #: Do not ask again before this moment (UTC); from Retry-After on 429/503.
    retry_after: datetime | None
    #: One human line naming what went wrong; empty when nothing did.
    error: str
    #: Seconds spent on this feed, redirects and body included.
    elapsed: float


ResultCallback = Callable[[FetchResult], Awaitable[None] | None]


class _OneLarge:
    """Lets one worker at a time hold a large body, from LARGE_BODY bytes until it is handed on.

    Without it, a run that meets several 20 MB feeds at once holds each of
    them whole while the parser is busy with the first: memory would grow
    with the number of large feeds instead of the size of one. The others
    wait with their connection idle, and their time budget stands still
    meanwhile: a feed must not time out for waiting its turn.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    async def enter(self, deadline: asyncio.Timeout | None) -> None:
        """Wait for the turn; the time waited is added to the feed's own ``deadline``."""
        me = asyncio.current_task()
        if self._owner is me:
            return
        when = deadline.when() if deadline is not None else None
        if deadline is None or when is None:
            await self._lock.acquire()
        else:
            loop = asyncio.get_running_loop()
            began = loop.time()
            deadline.reschedule(None)  # the budget stands still while the feed waits
            try:
                await self._lock.acquire()
            finally:
                deadline.reschedule(when + loop.time() - began)
        self._owner = me

    def leave(self) -> None:
        if self._owner is not None and self._owner is asyncio.current_task():
            self._owner = None
            self._lock.release()


def new_client(settings: FetchSettings, *, connections: int | None = None,
               verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """An HTTP client with ``connections`` keep-alive connections (default: the concurrency).

    Redirects are off because ``fetch_one`` follows them itself (to spot loops
    and permanent moves). The pool timeout is off because the number of feeds in
    flight is already bounded by ``fetch_all``; waiting for a free connection is
    not the server's fault.
    """
    size = max(1, settings.concurrency if connections is None else connections)
    return httpx.AsyncClient(
        follow_redirects=False,
        verify=verify,
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=None,
        ),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate, br",
        },
    )


@functools.cache
def _tls() -> ssl.SSLContext:
    """The certificates, loaded once per process (about 50 ms) and shared by every client."""
    return httpx.create_ssl_context()


async def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    on_result: ResultCallback | None = None,
    keep: bool = True,
) -> list[FetchResult]:
    """Fetch every request with at most ``settings.concurrency`` in flight.

    A fixed set of workers pulls the next request as soon as it is done with
    one, so a slow feed holds up only its own worker, never a whole batch.
    Results come back in the order of ``requests``; ``on_result`` sees each one
    as it finishes (progress display), and a worker waits for an awaitable it
    returns before its next download (back-pressure). An exception raised by
    ``on_result`` is the caller's bug and propagates, cancelling the remaining
    work. ``keep=False`` returns nothing, so a caller that handles each result
    in ``on_result`` does not hold every body of the run in memory.
    """
    results: list[FetchResult | None] = [None] * len(requests)
    if not requests:
        return []
    pending = iter(enumerate(requests))
    # A client per worker, not one shared: httpcore's pool looks at every one
    # of its connections on each request and each response, which at 32
    # connections cost more CPU than the feeds' own HTTP.
    large = _OneLarge()

    async def worker() -> None:
        async with new_client(settings, connections=1, verify=_tls()) as client:
            for index, req in pending:
                try:
                    result = await fetch_one(client, req, settings, large)
                    if keep:
                        results[index] = result
                    if on_result is not None:
                        maybe = on_result(result)
                        if inspect.isawaitable(maybe):
                            await maybe
                finally:
                    large.leave()

    workers = min(max(1, settings.concurrency), len(requests))
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(worker())
    except BaseExceptionGroup as group_error:
        # Only on_result can fail here; hand its exception back unwrapped.
        if len(group_error.exceptions) == 1:
            raise group_error.exceptions[0] from None
        raise

    return [r for r in results if r is not None]


async def fetch_one(
    client: httpx.AsyncClient, req: FetchRequest, settings: FetchSettings,
    large: _OneLarge | None = None,
) -> FetchResult:
    """Fetch one feed; whatever goes wrong comes back as the feed's error result."""
    started = time.monotonic()
    try:
        return await _fetch_one(client, req, settings, started, large)
    except Exception as exc:  # one feed's surprise must not end the run
        error = _one_line(f"{type(exc).__name__}: {exc}")
        return _result(req, "error", started, final_url=req.url, error=error)


async def _fetch_one(
    client: httpx.AsyncClient, req: FetchRequest, settings: FetchSettings, started: float,
    large: _OneLarge | None,
) -> FetchResult:
    now = datetime.now(UTC)
    if req.retry_after is not None and _as_utc(req.retry_after) > now:
        return _result(
            req,
            "skipped",
            started,
            final_url=req.url,
            retry_after=req.retry_after,
            error=f"waiting until {_when(_as_utc(req.retry_after), now)} ({req.wait_reason})",
        )

    try:
        scheme = urllib.parse.urlsplit(req.url).scheme.lower()
        address = httpx.URL(req.url) if scheme in ("http", "https") else None
    except (ValueError, httpx.InvalidURL) as exc:
        return _error(req, started, req.url, None, _one_line(f"invalid URL: {exc}"))
    if scheme == "file" or _is_plain_path(req.url):
        local = await asyncio.to_thread(read_local, req.url, max_bytes=settings.max_bytes)
        return replace(local, request=req, elapsed=time.monotonic() - started)
    if address is None:
        return _result(
            req, "error", started, final_url=req.url, error=f"unsupported URL scheme '{scheme}:'"
        )

    trace = _Trace(url=req.url)
    timed_out = False
    try:
        async with asyncio.timeout(settings.total_timeout) as trace.deadline:
            return await _fetch_http(client, req, address, settings, trace, started, large)
    except TimeoutError:
        error = f"timed out after {settings.total_timeout:g} s (total)"
        timed_out = True
    except httpx.HTTPError as exc:
        error = _describe_http_error(exc, trace.url, settings)
        timed_out = isinstance(exc, httpx.TimeoutException)
    except httpx.InvalidURL as exc:  # httpx reads the Location even when not following it
        error = _one_line(f"redirect to invalid URL: {exc}")
    except Exception as exc:  # one feed's surprise must not end the run
        while isinstance(exc, ExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]  # anyio wraps connect errors (port out of range)
        error = _one_line(f"{type(exc).__name__}: {exc}")
    retry_after = None
    if timed_out and settings.timeout_backoff > 0:
        retry_after = datetime.now(UTC) + timedelta(seconds=settings.timeout_backoff)
        error += f"; next try after {_when(retry_after, now)}"
    return _result(req, "error", started, final_url=trace.url, http_status=trace.status,
                   retry_after=retry_after, error=error)


@dataclass
class _Trace:
    """Where a fetch got to, so an exception can still report the URL and status."""

    url: str
    status: int | None = None
    #: The feed's time budget, moved on by the time it waits its turn for a large body.
    deadline: asyncio.Timeout | None = None


async def _fetch_http(
    client: httpx.AsyncClient,
    req: FetchRequest,
    address: httpx.URL,
    settings: FetchSettings,
    trace: _Trace,
    started: float,
    large: _OneLarge | None,
) -> FetchResult:
    headers: dict[str, str] = {}
    # The validators were the final response's; every hop gets them so the end
    # of a redirect chain can still answer 304.
    if req.etag:
        headers["If-None-Match"] = req.etag
    if req.last_modified:
        headers["If-Modified-Since"] = req.last_modified

    # ``address`` is ``url`` parsed once: httpx parses a string again at each step.
    url = req.url
    start = _loop_key(address)
    visited = {start}
    hops: list[int] = []
    while True:
        trace.url = url
        request = client.build_request("GET", address, headers=headers)
        response = await client.send(request, stream=True)
        try:
            status = response.status_code
            trace.status = status
            if status in REDIRECT_STATUSES:
                hops.append(status)
                location = response.headers.get("Location", "").strip()
                if not location:
                    return _error(req, started, url, status, f"HTTP {status} without a Location")
                try:
                    address = response.url.join(location)
                    target = str(address)
                    key = _loop_key(address)
                except (ValueError, httpx.InvalidURL):
                    return _error(
                        req, started, url, status, f"redirect to invalid URL {location!r}"
                    )
                if address.scheme not in ("http", "https"):
                    return _error(
                        req, started, url, status, f"redirect to unsupported URL {target!r}"
                    )
                if key in visited:
                    chain = " → ".join(str(h) for h in hops)
                    back = "start" if key == start else target
                    return _error(req, started, url, status, f"redirect loop ({chain} → {back})")
                if len(hops) > settings.max_redirects:
                    return _error(
                        req,
                        started,
                        url,
                        status,
                        f"too many redirects (>{settings.max_redirects})",
                    )
                visited.add(key)
                url = target
                continue

            permanent = url if hops and all(h in PERMANENT_REDIRECTS for h in hops) else ""
            content_type = response.headers.get("Content-Type", "")

            if status == 304:
                if not headers:
                    return _error(req, started, url, status, "HTTP 304 to an unconditional request")
                return _result(
                    req,
                    "not-modified",
                    started,
                    final_url=url,
                    permanent_url=permanent,
                    http_status=status,
                    content_type=content_type,
                    etag=response.headers.get("ETag", "") or req.etag,
                    last_modified=response.headers.get("Last-Modified", "") or req.last_modified,
                )
            if not 200 <= status < 300:
                retry_after = None
                if status in (429, 503):
                    retry_after = parse_retry_after(response.headers.get("Retry-After", ""))
                message = f"HTTP {status} {_reason(response)}".rstrip()
                if retry_after is not None:
                    message += f"; retry after {_when(retry_after, datetime.now(UTC))}"
                return _result(
                    req,
                    "gone" if status == 410 else "error",
                    started,
                    final_url=url,
                    http_status=status,
                    content_type=content_type,
                    retry_after=retry_after,
                    error=message,
                )

            body, error = await _read_capped(response, settings.max_bytes, large, trace.deadline)
            if error:
                return _error(req, started, url, status, error)
            return _result(
                req,
                "ok",
                started,
                final_url=url,
                permanent_url=permanent,
                http_status=status,
                body=body,
                content_type=content_type,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
        finally:
            await _release(response)


async def _release(response: httpx.Response) -> None:
    """Close the response, keeping its connection for the next feed when that is cheap.

    Closing a body that was not read to its end drops the connection, which
    is right for a huge feed nobody wants but costs a new TCP (and TLS)
    handshake after every 304 or short error page, i.e. after most requests
    of a warm run. A short body is read to its end instead.
    """
    length = response.headers.get("Content-Length", "")
    if not response.is_stream_consumed and (
        response.status_code in (204, 304) or (length.isdigit() and int(length) <= _DRAIN_BYTES)
    ):
        with contextlib.suppress(httpx.HTTPError):
            await response.aread()
    await response.aclose()


async def _read_capped(response: httpx.Response, cap: int, large: _OneLarge | None = None,
                       deadline: asyncio.Timeout | None = None) -> tuple[bytes, str]:
    """Read and decode the body, stopping as soon as the decoded size passes ``cap``.

    Decoding happens here rather than in httpx because httpx inflates each
    network read in one go: a 64 KB read of a gzip bomb becomes ~64 MB before
    anyone can count it. Inflating with an output limit keeps memory at the cap.
    """
    too_big = f"body larger than {_size(cap)} cap"
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        return b"", f"{too_big} (Content-Length {_size(int(declared))})"
    content_encoding = response.headers.get("Content-Encoding", "")
    try:
        decoders = [_decoder(name) for name in reversed(content_encoding.lower().split(","))]
    except ValueError as exc:
        return b"", str(exc)
    if large is not None and declared.isdigit() and int(declared) > LARGE_BODY:
        await large.enter(deadline)
    # BytesIO hands its buffer over at the end; joining a list of chunks
    # would hold the body twice for a moment.
    chunks = io.BytesIO()
    total = 0
    try:
        async for raw in response.aiter_raw():
            data = raw
            for decoder in decoders:
                data = decoder.decode(data, cap - total + 1)
            total += len(data)
            if total > cap:
                return b"", too_big
            if large is not None and total > LARGE_BODY:
                await large.enter(deadline)
            chunks.write(data)
        for n, decoder in enumerate(decoders):
            data = decoder.decode(b"", cap - total + 1, final=True)
            for later in decoders[n + 1 :]:
                data = later.decode(data, cap - total + 1)
            total += len(data)
            if total > cap:
                return b"", too_big
            chunks.write(data)
    except (zlib.error, brotli.error) as exc:
        return b"", _one_line(f"could not decode the {content_encoding} body: {exc}")
    body = chunks.getvalue()
    del chunks
    if body[:2] == b"\x1f\x8b":
        # A gzip file served without Content-Encoding: it cannot be a feed as
        # it stands, so unpacking it loses nothing.
        return _gunzip_capped(body, cap, too_big)
    return body, ""


class _Decoder:
    """Undo one Content-Encoding without ever producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.first = True
        self.zlib: Any = None
        self.brotli: Any = None
        if encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = zlib.decompressobj()
        elif encoding == "br":
            self.brotli = brotli.Decompressor()

    def decode(self, data: bytes, limit: int, *, final: bool = False) -> bytes:
        limit = max(1, limit)
        if self.brotli is not None:
            if final or not data:
                return b""
            return bytes(self.brotli.process(data, output_buffer_limit=limit))
        if self.zlib is None:
            return data
        if final:
            return bytes(self.zlib.flush())
        try:
            out = self.zlib.decompress(data, limit)
        except zlib.error:
            if not (self.first and self.encoding == "deflate"):
                raise
            # "deflate" is often sent raw, without the zlib wrapper.
            self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self.zlib.decompress(data, limit)
        self.first = False
        return bytes(out)


def _decoder(name: str) -> _Decoder:
    name = name.strip()
    if name in ("", "identity", "gzip", "x-gzip", "deflate", "br"):
        return _Decoder(name)
    raise ValueError(f"unsupported Content-Encoding '{name}'")


def _gunzip_capped(data: bytes, cap: int, too_big: str) -> tuple[bytes, str]:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, cap + 1)
    except zlib.error as exc:
        return b"", f"body looks gzipped but does not unpack: {exc}"
    if len(out) > cap:
        return b"", too_big
    return out, ""


def read_local(location: str, *, max_bytes: int = FetchSettings.max_bytes) -> FetchResult:
    """Read a feed from a ``file://`` URL or a plain path, in the same result shape."""
    started = time.monotonic()
    req = FetchRequest(url=location)
    path = _local_path(location)
    try:
        with open(path, "rb") as fh:
            body = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return _error(req, started, location, None, f"file not found: {path}")
    except IsADirectoryError:
        return _error(req, started, location, None, f"is a directory, not a file: {path}")
    except PermissionError:
        return _error(req, started, location, None, f"permission denied: {path}")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return _error(req, started, location, None, f"cannot read {path}: {reason}")
    if len(body) > max_bytes:
        return _error(req, started, location, None, f"file larger than {_size(max_bytes)} cap")
    return _result(req, "ok", started, final_url=location, body=body)


def parse_retry_after(value: str, *, now: datetime | None = None) -> datetime | None:
    """Retry-After as a UTC moment; it may be delay seconds or an HTTP-date."""
    value = value.strip()
    if not value:
        return None
    now = now or datetime.now(UTC)
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _as_utc(when)


def _local_path(location: str) -> str:
    if location.lower().startswith("file:"):
        parts = urllib.parse.urlsplit(location)
        return urllib.request.url2pathname(urllib.parse.unquote(parts.path))
    return os.path.expanduser(location)


def _is_plain_path(location: str) -> bool:
    return "://" not in location and not location.lower().startswith(("http:", "https:"))


def _loop_key(url: httpx.URL) -> str:
    text = str(url)
    return str(url.copy_with(fragment=None)) if "#" in text else text


def _describe_http_error(exc: httpx.HTTPError, url: str, settings: FetchSettings) -> str:
    """One line a reader understands, instead of a transport stack's wording."""
    host = httpx.URL(url).host if url else ""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {settings.read_timeout:g} s (read timeout)"
    if isinstance(exc, httpx.WriteTimeout):
        return f"could not send the request within {settings.read_timeout:g} s"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return _one_line(f"invalid URL: {exc}")
    causes = _causes(exc)
    text = " ".join(str(c) for c in causes).lower()
    tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    if isinstance(tls, ssl.SSLCertVerificationError):
        return _one_line(f"TLS error: certificate verify failed ({tls.verify_message})")
    if tls is not None or "[ssl" in text:
        reason = getattr(tls, "reason", None) or str(tls or exc)
        return _one_line(f"TLS error: {str(reason).replace('_', ' ').lower()}")
    if any(isinstance(c, socket.gaierror) for c in causes) or any(
        s in text
        for s in (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "no address associated",
            "getaddrinfo failed",
        )
    ):
        return f"DNS lookup failed for {host}"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "connection refused" in text:
        return "connection refused"
    codes = {getattr(c, "errno", None) for c in causes}
    if errno.ECONNRESET in codes or "connection reset" in text:
        return "connection reset by the server"
    if errno.EHOSTUNREACH in codes or errno.ENETUNREACH in codes:
        return f"no route to {host}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return _one_line(f"server broke the HTTP protocol: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return _one_line(f"could not connect to {host}: {exc}")
    if isinstance(exc, httpx.ReadError):
        return _one_line(f"connection failed while reading: {exc or type(exc).__name__}")
    return _one_line(f"{type(exc).__name__}: {exc}")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _reason(response: httpx.Response) -> str:
    try:
        return http.HTTPStatus(response.status_code).phrase
    except ValueError:
        return response.reason_phrase


def _as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _when(moment: datetime, now: datetime) -> str:
    """HH:MM UTC, with the date when it is not within the next day."""
    if moment - now < timedelta(hours=23):
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1_000:
        return f"{n / 1_000:g} kB"
    return f"{n} bytes"


def _one_line(text: str) -> str:
    # Reason phrases and header values are the server's bytes: ESC, BEL, C1.
    return clean_line(text)


def failed(req: FetchRequest, error: str) -> FetchResult:
    """The result of a feed that was never fetched, for a caller that lost it on the way."""
    return _error(req, time.monotonic(), req.url, None, error)


def _error(
    req: FetchRequest, started: float, url: str, status: int | None, error: str
) -> FetchResult:
    return _result(req, "error", started, final_url=url, http_status=status, error=error)


def _result(
    req: FetchRequest,
    outcome: Outcome,
    started: float,
    *,
    final_url: str,
    permanent_url: str = "",
    http_status: int | None = None,
    body: bytes = b"",
    content_type: str = "",
    etag: str = "",
    last_modified: str = "",
    retry_after: datetime | None = None,
    error: str = "",
) -> FetchResult:
    return FetchResult(
        request=req,
        outcome=outcome,
        final_url=final_url,
        permanent_url=permanent_url,
        http_status=http_status,
        body=body,
        content_type=content_type,
        etag=etag,
        last_modified=last_modified,
        retry_after=retry_after,
        error=_one_line(error),
        elapsed=time.monotonic() - started,
    )
