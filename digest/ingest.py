"""Fetch every subscription, parse what changed, store the entries.

``fetch_feeds`` is what ``digest fetch`` runs, and what the TUI runs in a
process of its own (``FetchApart``). Three kinds of work overlap: network
waits (bounded concurrency in ``feeds.fetch``, on an event loop), parsing
(where the body was downloaded: one fetch process per core, each with its
share of the feeds) and SQLite writes (a thread of their own in the process
that started the run, many feeds per transaction). A feed's
outcome is stored within a fraction of a second of being known, so an
interrupted run keeps what it finished.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, TYPE_CHECKING

from digest.config import Project
from digest.feeds.fetch import (
    LARGE_BODY,
    FetchRequest,
    FetchResult,
    FetchSettings,
    failed,
    fetch_all,
    read_local,
)
from digest.model import Entry, Feed, FeedStatus
from digest.store import FetchRecord, Store
from digest.textclean import clean_line

if TYPE_CHECKING:
    from digest.feeds.parse import ParsedFeed

#: Bodies a fetch process has downloaded and not yet parsed, at most (bytes;
#: one bigger body is let through alone).
_BACKLOG_BYTES = 16_000_000

#: A body up to this size is parsed on the fetch process's event loop, which
#: it holds for some 13 ms at 20 MB/s; a bigger one in a thread beside it.
#: Handing every body to a thread cost the process's two threads their turns
#: with the GIL: a cold run of the farm's 1,000 feeds took 6.1-6.4 s against
#: 5.8-6.0 s, with 0.3 s more CPU.
_PARSE_ON_LOOP = 256 * 1024

#: Parsed entries (and outcomes, counted as one each) handed over and not yet
#: stored, at most; one feed bigger than that is let through alone.
_UNSTORED = 2000

#: A write transaction takes what has queued up, up to about this many entries...
#: Half of ``_UNSTORED``: while one batch is committed the fetch processes can
#: hand over the next. A batch as big as the whole budget left them waiting for
#: every commit (a cold run of 1,000 farm feeds took 7.8-8.0 s against 6.3-6.8 s).
_BATCH_ENTRIES = 1000
#: ...waiting at most this long for more once it has something to write.
_BATCH_SECONDS = 0.2
#: How much less CPU a fetch process asks for than the process that writes.
#: On two cores a cold fetch keeps both busy, and the writer is what the run
#: waits for; the fetch processes stay ahead of it within ``_UNSTORED``.
_FETCH_NICENESS = 10


@dataclass(frozen=True)
class FeedOutcome:
    url: str
    status: FeedStatus
    new_entries: int = 0
    entries: int = 0
    error: str = ""
    http_status: int | None = None
    new_url: str = ""


@dataclass
class FetchSummary:
    outcomes: list[FeedOutcome] = field(default_factory=list)

    def count(self, status: FeedStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new_entries(self) -> int:
        return sum(o.new_entries for o in self.outcomes)

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status in ("error", "gone")]

    @property
    def nothing_fetched(self) -> bool:
        """True when no feed answered at all: the only case that is a failed run."""
        return bool(self.outcomes) and all(
            o.status in ("error", "gone") for o in self.outcomes
        )


ProgressCallback = Callable[[FeedOutcome, int, int], None]


_Pending = tuple[FetchRecord, Sequence[Entry], "asyncio.Future[int]"]
_FLUSH = "flush"


class _Writer:
    """Stores fetch outcomes from a thread of its own, many feeds per transaction.

    SQLite (FTS5 above all) is a good part of a cold fetch's CPU time. Done on
    the event loop it would stall the downloads; done one feed per commit,
    FTS5 writes and merges a small index segment per feed. Here the loop only
    queues a write and awaits its result; the thread takes whatever has queued
    up meanwhile and commits it in one transaction, releasing the GIL while
    SQLite works.
    """

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop
        self._queue: queue.SimpleQueue[_Pending | str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="digest-store-writer",
                                        daemon=True)
        self._thread.start()

    def write(self, rec: FetchRecord, entries: Sequence[Entry] = ()) -> asyncio.Future[int]:
        """How many of ``entries`` were new, once they are committed."""
        future: asyncio.Future[int] = self._loop.create_future()
        self._queue.put((rec, entries, future))
        return future

    def flush(self) -> None:
        """Write what is queued now, without waiting for more to batch with it."""
        self._queue.put(_FLUSH)

    def close(self) -> None:
        """Write what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            self._store.use_small_cache()
            stop = False
            while not stop:
                item = self._queue.get()
                if item is None:
                    break
                if isinstance(item, str):
                    continue  # a flush with nothing to write
                batch = [item]
                size = len(item[1]) + 1
                deadline = time.monotonic() + _BATCH_SECONDS
                while size < _BATCH_ENTRIES:
                    try:
                        more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    if isinstance(more, str):
                        break
                    batch.append(more)
                    size += len(more[1]) + 1
                self._commit(batch)
        finally:
            self._store.close_thread_connection()

    def _commit(self, batch: list[_Pending]) -> None:
        results: list[int | BaseException]
        try:
            results = list(self._store.record_fetches([(rec, ents) for rec, ents, _ in batch]))
        except Exception:  # noqa: BLE001 - find the feed at fault, keep the others
            results = []
            for rec, ents, _ in batch:
                try:
                    results.append(self._store.record_fetch(rec, ents))
                except Exception as exc:  # noqa: BLE001 - reported to that feed's task
                    results.append(exc)
        for (_, _, future), result in zip(batch, results, strict=True):
            self._loop.call_soon_threadsafe(_settle, future, result)


def _settle(future: asyncio.Future[int], result: int | BaseException) -> None:
    if future.cancelled():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


def is_local(location: str) -> bool:
    return location.startswith("file://") or "://" not in location


def subscriptions(project: Project) -> list[tuple[str, str]]:
    """(location, title) of every feed: ``digest.toml`` and the project's OPML file."""
    feeds = [(project.resolve_location(f.url), f.title) for f in project.feeds]
    if project.opml:
        from digest.feeds.opml import parse_opml

        for f in parse_opml((project.root / project.opml).read_bytes()):
            feeds.append((f.url, f.title))
    seen: set[str] = set()
    out = []
    for url, title in feeds:
        if url not in seen:
            seen.add(url)
            out.append((url, title))
    return out


class _Budget:
    """A bound on what waits between two stages (bytes, entries), in one event loop.

    ``take`` waits until the amount fits; one amount bigger than the whole
    budget is let through alone, so a single huge feed cannot wait forever.
    Takers are served in turn: small amounts coming and going would otherwise
    keep a big one from ever finding the budget empty.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._used = 0
        self._waiting: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    def _fits(self, amount: int) -> bool:
        return not self._used or self._used + amount <= self._limit

    async def take(self, amount: int) -> None:
        if not self._waiting and self._fits(amount):
            self._used += amount
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((amount, turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.give(amount)  # served, but cancelled before it could use it
            else:
                self._waiting.remove((amount, turn))
                self._serve()
            raise

    def give(self, amount: int) -> None:
        self._used -= amount
        self._serve()

    def _serve(self) -> None:
        while self._waiting and self._fits(self._waiting[0][0]):
            amount, turn = self._waiting.popleft()
            self._used += amount
            turn.set_result(None)


def _follow_parent(parent: int) -> None:
    """In a fetch process: exit when the run that started it is gone.

    A parent ended by SIGKILL or a plain SIGTERM (``timeout``, ``kill``, the
    OOM killer) cannot stop its children, and a child blocked writing to its
    pipe would wait forever, holding the terminal's stdout and stderr open.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="digest-parent-watch", daemon=True).start()


def _parse(body: bytes, url: str, content_type: str) -> ParsedFeed:
    # Imported on first use: a warm run, all 304s, never parses, and the
    # parser's import (feedparser with it) is a good part of its start-up.
    from digest.feeds.parse import parse_feed

    return parse_feed(body, url, content_type=content_type)


@dataclass(frozen=True)
class _Fetched:
    """One feed as the process that fetched it left it: the answer without its body.

    Only this crosses from a fetch process to the one that writes the store;
    the body is parsed (or found unchanged) where it was downloaded.
    """

    result: FetchResult
    body_hash: str = ""
    #: None when nothing was parsed: no body, or the same bytes as last time.
    parsed: ParsedFeed | None = None


_Parser = Callable[[bytes, str, str], Awaitable["ParsedFeed"]]


async def _parse_here(body: bytes, url: str, content_type: str) -> ParsedFeed:
    return _parse(body, url, content_type)


async def _parse_beside(body: bytes, url: str, content_type: str) -> ParsedFeed:
    """Parse in a thread, so the event loop's downloads keep going meanwhile.

    The GIL is shared, but it changes hands every few milliseconds: enough
    for the loop to send the next requests and read what has arrived.
    """
    return await asyncio.to_thread(lambda: _parse(body, url, content_type))


async def _read_result(result: FetchResult, known_hash: str, settings: FetchSettings,
                       parse: _Parser = _parse_here) -> _Fetched:
    if result.outcome != "ok":
        return _Fetched(result)
    slim = replace(result, body=b"")
    body_hash = hashlib.blake2b(result.body, digest_size=16).hexdigest()
    if known_hash and body_hash == known_hash:
        return _Fetched(slim, body_hash)  # same bytes as the last good parse
    parsed = await parse(result.body, result.final_url or result.request.url,
                         result.content_type)
    if parsed.error and not parsed.entries and parsed.feed_links:
        # A web page instead of a feed: follow the feed it links, as a reader would.
        (found,) = await fetch_all([FetchRequest(parsed.feed_links[0])], settings)
        if found.outcome == "ok":
            linked = await parse(found.body, found.final_url, found.content_type)
            if linked.entries:
                parsed = replace(linked, warning=(
                    f"a web page, not a feed; read the feed it links: {parsed.feed_links[0]}"
                    " (subscribe to that URL instead)"))
    return _Fetched(slim, body_hash, parsed)


async def _record(writer: _Writer, fetched: _Fetched, known: Feed | None) -> FeedOutcome:
    result = fetched.result
    url = result.request.url
    when = dt.datetime.now(dt.UTC)
    if result.outcome in ("error", "gone", "skipped"):
        status: FeedStatus = "gone" if result.outcome == "gone" else "error"
        if result.outcome == "skipped":
            # Not asked: keep the last status, only say why it was not fetched.
            status = known.status if known else "error"
        # A skip keeps the last answer's status: it says why the feed waits.
        http_status = known.http_status if known and result.outcome == "skipped" \
            else result.http_status
        await writer.write(FetchRecord(url, status, http_status, result.error,
                                       retry_after=result.retry_after, when=when))
        return FeedOutcome(url, status, error=result.error, http_status=result.http_status)
    parsed = fetched.parsed
    if parsed is None:
        # A 304, or the same bytes as the last good parse: note the validators.
        etag = last_modified = None
        if result.outcome == "ok":
            etag, last_modified = result.etag, result.last_modified
        await writer.write(FetchRecord(url, "not-modified", result.http_status,
                                       etag=etag, last_modified=last_modified,
                                       new_url=result.permanent_url, when=when))
        return FeedOutcome(url, "not-modified", http_status=result.http_status,
                           new_url=result.permanent_url)
    if parsed.error and not parsed.entries:
        error = parsed.error
        if parsed.feed_links:
            error += f" (it links a feed: {parsed.feed_links[0]})"
        await writer.write(FetchRecord(url, "error", result.http_status, error, when=when))
        return FeedOutcome(url, "error", error=error, http_status=result.http_status)
    new = await writer.write(
        FetchRecord(url, "ok", result.http_status, parsed.warning, etag=result.etag,
                    last_modified=result.last_modified, body_hash=fetched.body_hash,
                    title=parsed.title, site_url=parsed.site_url,
                    new_url=result.permanent_url, when=when),
        parsed.entries,
    )
    return FeedOutcome(url, "ok", new, len(parsed.entries), parsed.warning,
                       result.http_status, result.permanent_url)


#: glibc's M_MMAP_THRESHOLD: allocations this large or larger are mapped, not taken from the heap.
_M_MMAP_THRESHOLD = -3


def _return_large_blocks() -> None:
    """Give a large block back to the system as soon as it is freed.

    glibc maps a large allocation and unmaps it when freed, but after the first
    big one (a 20 MB body) it raises that threshold to the size it saw, and the
    next bodies and parsed posts come from the heap, which keeps them resident
    once freed: a fetch process that had read the farm's huge feeds stayed
    25-50 MB larger (147-152 MB against 101-126 MB). A fixed 1 MB threshold
    keeps it mapping them. Not glibc: nothing to do.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 1 << 20)


def _yield_to_writer() -> None:
    """Let the writing process have the cores first when both are busy.

    A cold fetch of 1,000 farm feeds keeps two cores busy, and its wall time
    is the writer's: with the fetch processes at the same priority the
    writer's inserts took 4.7-5.1 s and the run 7.3-7.7 s; a notch down, 4.0
    s and 7.0-7.1 s (four pairs). Where the process may not lower itself,
    nothing changes.
    """
    with contextlib.suppress(OSError):
        os.nice(_FETCH_NICENESS)


def _fetch_share(conn: Connection, requests: list[FetchRequest], hashes: dict[str, str],
                 settings: FetchSettings, parent: int) -> None:
    """A fetch process: download, hash and parse its share, sending each feed back."""
    _follow_parent(parent)
    _return_large_blocks()
    _yield_to_writer()
    try:
        asyncio.run(_fetch_and_parse(conn, requests, hashes, settings))
    except BaseException as exc:  # noqa: BLE001 - said to the parent, which names the feeds
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        with contextlib.suppress(Exception):
            conn.send(f"{type(exc).__name__}: {exc}")
        raise SystemExit(1) from None  # no traceback over the parent's output
    conn.send(None)


async def _fetch_and_parse(conn: Connection, requests: list[FetchRequest],
                           hashes: dict[str, str], settings: FetchSettings) -> None:
    """Downloads go on while bodies wait for the parser, up to ``_BACKLOG_BYTES``.

    Parsing is the slow part of a first run. Were each download parsed before
    its worker moved on, the last feeds of the list would only be asked once
    most of the others were parsed, and a feed that then drips its body until
    the time limit would end the whole run that much later. One body is
    parsed at a time: a small one on the event loop, which then lets the
    downloads have their turn, a big one in a thread beside it.
    """
    backlog: asyncio.Queue[tuple[FetchResult, asyncio.Event | None] | None] = asyncio.Queue()
    budget = _Budget(_BACKLOG_BYTES)

    async def on_result(result: FetchResult) -> None:
        await budget.take(len(result.body))
        # A large body keeps its worker (and so fetch_all's one large-body
        # turn) until it is parsed: the next large feed is not read meanwhile.
        parsed = asyncio.Event() if len(result.body) > LARGE_BODY else None
        backlog.put_nowait((result, parsed))
        if parsed is not None:
            await parsed.wait()

    async def parse() -> None:
        while (item := await backlog.get()) is not None:
            result, parsed = item
            small = len(result.body) <= _PARSE_ON_LOOP
            # A blocking send: when the writing side falls behind, this share waits.
            conn.send(await _read_result(result, hashes.get(result.request.url, ""), settings,
                                         _parse_here if small else _parse_beside))
            budget.give(len(result.body))
            if parsed is not None:
                parsed.set()
            if small:
                await asyncio.sleep(0)  # the downloads' turn between two parses

    async with asyncio.TaskGroup() as group:
        group.create_task(parse())
        await fetch_all(requests, settings, on_result=on_result, keep=False)
        backlog.put_nowait(None)


@dataclass
class _Fetcher:
    process: BaseProcess
    conn: Connection
    share: list[FetchRequest]


def _start_fetchers(remote: list[FetchRequest], hashes: dict[str, str], settings: FetchSettings,
                    workers: int) -> list[_Fetcher]:
    """Fork ``workers`` processes, each fetching every ``workers``-th feed.

    One event loop spends about a millisecond of CPU per request in httpx
    and then parses what came: on two cores, two loops fetch and parse twice
    as fast, and the bodies never cross a pipe, only the parsed entries do.
    The feeds are dealt out in turn, so slow ones are spread over both.
    """
    context = multiprocessing.get_context("fork")
    each = replace(settings, concurrency=max(1, settings.concurrency // workers))
    fetchers: list[_Fetcher] = []
    try:
        for n in range(workers):
            share = remote[n::workers]
            reader, sender = context.Pipe(duplex=False)
            process = context.Process(target=_fetch_share, name="digest-fetch", daemon=True,
                                      args=(sender, share, hashes, each, os.getpid()))
            process.start()
            sender.close()  # the child's end: once it exits, recv() sees the end of the pipe
            fetchers.append(_Fetcher(process, reader, share))
    except BaseException:
        _stop_fetchers(fetchers)
        raise
    return fetchers


def _stop_fetchers(fetchers: list[_Fetcher]) -> None:
    for f in fetchers:
        if f.process.is_alive():
            f.process.terminate()
    for f in fetchers:
        f.process.join(5)
        f.conn.close()


async def _receive(conn: Connection) -> _Fetched | str | None:
    """The next message, waited for on the event loop rather than in a thread.

    A warm run gets a message per feed, a thousand or more: a thread hop for
    each cost more CPU than the rest of their handling. A message is sent in
    one go, so once its first bytes are in, ``recv`` is over quickly.
    """
    if not conn.poll():
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        fd = conn.fileno()
        loop.add_reader(fd, readable)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
    message: _Fetched | str | None = conn.recv()
    return message


async def _drain(fetcher: _Fetcher, hand_over: Callable[[_Fetched], Awaitable[None]]) -> None:
    """Pass on what one fetch process sends; feeds it never reported end as errors."""
    loop = asyncio.get_running_loop()
    reported: set[str] = set()
    why = ""
    while True:
        try:
            message = await _receive(fetcher.conn)
        except (EOFError, OSError):
            await loop.run_in_executor(None, fetcher.process.join)
            why = why or (
                f"the fetch process ended unexpectedly (exit code {fetcher.process.exitcode})")
            break
        if message is None:
            break
        if isinstance(message, str):
            why = f"the fetch process failed: {message}"
            continue
        reported.add(message.result.request.url)
        await hand_over(message)
    for req in fetcher.share:
        if req.url not in reported:
            await hand_over(_Fetched(failed(
                req, why or "the fetch process did not report this feed")))


async def fetch_feeds(
    store: Store,
    feeds: Sequence[tuple[str, str]],
    settings: FetchSettings | None = None,
    progress: ProgressCallback | None = None,
    *,
    processes: int | None = None,
    force: bool = False,
) -> FetchSummary:
    """Fetch, parse and store ``feeds`` ((location, title) pairs); never raises for one feed.

    ``force`` asks every feed now, even one that is waiting out a Retry-After
    or the back-off after a timeout. ``processes`` (default: up to two, one
    per core) is how many processes fetch and parse; this one always writes.
    They are forked, so a caller that runs threads of its own (the TUI) runs
    the whole fetch apart instead (``FetchApart``).
    """
    settings = settings or FetchSettings()
    store.ensure_feeds(feeds)
    known = {f.url: f for f in store.feeds()}
    # The hash of each feed's last parsed body: the same bytes are not parsed again.
    hashes = {url: f.body_hash or "" for url, f in known.items()}
    summary = FetchSummary()
    total = len(feeds)
    workers = processes if processes is not None else min(2, os.cpu_count() or 1)

    local: list[str] = []
    remote: list[FetchRequest] = []
    for url, _title in feeds:
        feed = known.get(url)
        if is_local(url):
            local.append(url)
        elif feed is None:
            remote.append(FetchRequest(url))
        else:
            remote.append(FetchRequest(
                url, feed.etag, feed.last_modified, None if force else feed.retry_after,
                "Retry-After" if feed.http_status in (429, 503) else "timed out last time"))

    # Forked before the writer thread exists, so no child is a copy of a
    # process in the middle of a transaction.
    fetchers = _start_fetchers(remote, hashes, settings, workers) \
        if workers > 1 and len(remote) > 4 else []
    writer: _Writer | None = None
    try:
        writer = _Writer(store, asyncio.get_running_loop())
        pending: set[asyncio.Task[None]] = set()
        # Handed over and not yet committed: when the store falls behind,
        # fetching waits rather than piling parsed entries up in memory.
        unstored = _Budget(_UNSTORED)

        async def record(fetched: _Fetched, weight: int) -> None:
            url = fetched.result.request.url
            assert writer is not None
            try:
                outcome = await _record(writer, fetched, known.get(url))
            except Exception as exc:  # one feed's surprise must not end the run
                outcome = FeedOutcome(url, "error",
                                      error=f"could not store: {type(exc).__name__}: {exc}")
                with contextlib.suppress(Exception):  # the outcome above already says it
                    await writer.write(FetchRecord(url, "error", error=outcome.error))
            finally:
                unstored.give(weight)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome, len(summary.outcomes), total)

        async def hand_over(fetched: _Fetched) -> None:
            weight = 1 + (len(fetched.parsed.entries) if fetched.parsed else 0)
            await unstored.take(weight)
            task = asyncio.ensure_future(record(fetched, weight))
            pending.add(task)
            task.add_done_callback(pending.discard)

        async def on_result(result: FetchResult) -> None:
            await hand_over(await _read_result(result, hashes.get(result.request.url, ""),
                                               settings))

        for url in local:
            await on_result(read_local(url, max_bytes=settings.max_bytes))
        if fetchers:
            await asyncio.gather(*(_drain(f, hand_over) for f in fetchers))
        elif remote:
            await fetch_all(remote, settings, on_result=on_result, keep=False)
        await asyncio.sleep(0)  # every handed-over feed queues its write...
        writer.flush()  # ...and nothing more is coming to batch with them
        while pending:
            await asyncio.gather(*list(pending))
    finally:
        try:
            if writer is not None:
                writer.close()
        finally:
            _stop_fetchers(fetchers)
    return summary


_SPAWNED = ("import sys; root = sys.argv[3]; sys.path[:0] = [] if root in sys.path else [root]; "
            "from digest.ingest import _spawned_fetch; _spawned_fetch()")


def _last_words(errors: IO[bytes]) -> str:
    """The last line a spawned process wrote to stderr: why it ended, if it did early."""
    errors.seek(0, os.SEEK_END)
    errors.seek(max(0, errors.tell() - 4096))
    lines = errors.read().decode("utf-8", "replace").splitlines()
    return clean_line(next((line for line in reversed(lines) if line.strip()), ""))


def _spawn(sender: Connection, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """A fresh interpreter that imports this module and waits for its fetch on stdin.

    Not ``multiprocessing``'s spawn: that needs a real ``sys.stderr`` (a
    Textual app has swapped it for a capture) and imports the caller's main
    script again. Its stdout goes nowhere and its stderr to ``errors``, not
    the terminal: either would land on the TUI's screen.
    """
    # This very package, wherever it was imported from (a checkout, say).
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return subprocess.Popen(
        [sys.executable, "-c", _SPAWNED, str(sender.fileno()), str(os.getpid()), root],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
        pass_fds=(sender.fileno(),))


class FetchFailed(Exception):
    """A fetch run apart ended before it could report (see ``FetchApart``)."""


class FetchApart:
    """A whole fetch, the store's writes included, in a fresh process beside a UI.

    The TUI's process draws. Whatever else a fetch does in that process
    (unpickling parsed entries, SQLite's inserts and full-text index) holds
    its GIL and its cores, and a key then waits behind it. Apart, the UI only
    hears of each feed as it is done; the entries reach its list as any other
    process's commits do. The process is spawned, not forked (a copy of a
    process running threads may hold a lock no thread will release), and it
    forks its own fetch processes as ``digest fetch`` does.
    """

    def __init__(self, db: Path | str, feeds: Sequence[tuple[str, str]],
                 settings: FetchSettings, *, force: bool = False) -> None:
        self._job = (str(db), list(feeds), settings, force)
        self._lock = threading.Lock()
        self._popen: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def run(self, progress: ProgressCallback | None = None) -> FetchSummary:
        """Fetch, calling ``progress`` for each feed; blocks, so call it from a thread."""
        reader, sender = multiprocessing.Pipe(duplex=False)
        with reader, tempfile.TemporaryFile() as errors:
            with self._lock:
                if self._stopped:
                    sender.close()
                    raise FetchFailed("the fetch was stopped")
                self._popen = popen = _spawn(sender, errors)
            sender.close()  # the child's end: once it exits, recv() sees the end of the pipe
            try:
                assert popen.stdin is not None
                with contextlib.suppress(BrokenPipeError), popen.stdin:
                    popen.stdin.write(pickle.dumps(self._job))
                while True:
                    try:
                        kind, *args = reader.recv()
                    except EOFError:
                        popen.wait()
                        last = _last_words(errors)
                        raise FetchFailed(
                            f"the fetch process ended unexpectedly (exit code {popen.returncode})"
                            + (f": {last}" if last else "")) from None
                    if kind == "progress":
                        if progress is not None:
                            progress(*args)
                    elif kind == "done":
                        summary: FetchSummary = args[0]
                        return summary
                    else:
                        raise FetchFailed(args[0])
            finally:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    popen.wait(5)
                if popen.poll() is None:
                    popen.kill()
                    popen.wait()

    def stop(self) -> None:
        """End the fetch now (the app is closing): what is stored stays stored."""
        with self._lock:
            self._stopped = True
            if self._popen is not None and self._popen.poll() is None:
                self._popen.terminate()


def _spawned_fetch() -> None:
    """``python -c`` entry of ``FetchApart``'s process.

    argv: the descriptor to report on, the parent's pid and where this
    package lives; stdin: the pickled store path, feeds, settings and ``force``.
    """
    fd, parent = int(sys.argv[1]), int(sys.argv[2])
    with contextlib.suppress(OSError):
        os.nice(10)  # beside a UI on the same cores: the keys come first
    db, feeds, settings, force = pickle.load(sys.stdin.buffer)
    conn = Connection(fd, readable=False)
    # Its thread only sleeps and asks for the parent's pid: the fetch
    # processes forked from this one cannot inherit a lock it holds.
    _follow_parent(parent)

    def progress(outcome: FeedOutcome, done: int, total: int) -> None:
        conn.send(("progress", outcome, done, total))

    try:
        store = Store(db)
        try:
            summary = asyncio.run(fetch_feeds(store, feeds, settings, progress, force=force))
        finally:
            store.close()
    except BaseException as exc:  # noqa: BLE001 - said to the parent, which shows it
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    conn.send(("done", summary))


def fetch_settings(project: Project | None) -> FetchSettings:
    if project is None:
        return FetchSettings()
    return FetchSettings(
        concurrency=project.fetch.concurrency,
        total_timeout=project.fetch.timeout,
        read_timeout=min(project.fetch.timeout, 20.0),
        max_bytes=project.fetch.max_bytes,
        timeout_backoff=project.fetch.backoff,
    )
