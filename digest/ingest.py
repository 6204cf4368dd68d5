"""Fetch every subscription, parse what changed, store the entries.

The one function both ``digest fetch`` and the TUI call. Three kinds of work
overlap: network waits (bounded concurrency in ``feeds.fetch``, on the event
loop), parsing (a process pool across the cores, fed while other downloads
are still in flight) and SQLite writes (a thread of their own, many feeds per
transaction). A feed's outcome is stored within a fraction of a second of
being known, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from digest.config import Project
from digest.feeds.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all, read_local
from digest.feeds.parse import ParsedFeed, parse_feed
from digest.model import Entry, Feed, FeedStatus
from digest.store import FetchRecord, Store

#: Bodies smaller than this are parsed in-process: shipping them to a worker costs more.
_POOL_MIN_BYTES = 4_000

#: Downloaded bodies not yet parsed and stored, at most (bytes; one bigger body
#: is let through alone).
_BACKLOG_BYTES = 24_000_000

#: A write transaction takes what has queued up, up to about this many entries...
_BATCH_ENTRIES = 2000
#: ...waiting at most this long for more once it has something to write.
_BATCH_SECONDS = 0.2


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
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="digest-store-writer",
                                        daemon=True)
        self._thread.start()

    def write(self, rec: FetchRecord, entries: Sequence[Entry] = ()) -> asyncio.Future[int]:
        """How many of ``entries`` were new, once they are committed."""
        future: asyncio.Future[int] = self._loop.create_future()
        self._queue.put((rec, entries, future))
        return future

    def close(self) -> None:
        """Write what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            stop = False
            while not stop:
                item = self._queue.get()
                if item is None:
                    break
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


def _follow_parent(parent: int) -> None:
    """In a parser process: exit when the fetch that started it is gone.

    A parent ended by SIGKILL or a plain SIGTERM (``timeout``, ``kill``, the
    OOM killer) cannot shut its pool down, and a worker blocked on the pool's
    pipes would wait forever, holding the terminal's stdout and stderr open.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="digest-parent-watch", daemon=True).start()


def _parse(body: bytes, url: str, content_type: str) -> ParsedFeed:
    return parse_feed(body, url, content_type=content_type)


async def _parse_async(pool: Executor | None, body: bytes, url: str,
                       content_type: str) -> ParsedFeed:
    if pool is None or len(body) < _POOL_MIN_BYTES:
        return _parse(body, url, content_type)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, _parse, body, url, content_type)


async def _store_result(writer: _Writer, result: FetchResult, pool: Executor | None,
                        known: Feed | None, settings: FetchSettings | None = None) -> FeedOutcome:
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
    if result.outcome == "not-modified":
        await writer.write(FetchRecord(url, "not-modified", result.http_status,
                                       new_url=result.permanent_url, when=when))
        return FeedOutcome(url, "not-modified", http_status=result.http_status,
                           new_url=result.permanent_url)
    body_hash = hashlib.blake2b(result.body, digest_size=16).hexdigest()
    if known is not None and body_hash == known.body_hash:
        # Same bytes as the last good parse: nothing to do but note the validators.
        await writer.write(FetchRecord(url, "not-modified", result.http_status,
                                       etag=result.etag, last_modified=result.last_modified,
                                       new_url=result.permanent_url, when=when))
        return FeedOutcome(url, "not-modified", http_status=result.http_status,
                           new_url=result.permanent_url)
    parsed = await _parse_async(pool, result.body, result.final_url or url, result.content_type)
    if parsed.error and not parsed.entries and parsed.feed_links and settings is not None:
        # A web page instead of a feed: follow the feed it links, as a reader would.
        (found,) = await fetch_all([FetchRequest(parsed.feed_links[0])], settings)
        if found.outcome == "ok":
            linked = await _parse_async(pool, found.body, found.final_url, found.content_type)
            if linked.entries:
                parsed = replace(linked, warning=(
                    f"a web page, not a feed; read the feed it links: {parsed.feed_links[0]}"
                    " (subscribe to that URL instead)"))
    if parsed.error and not parsed.entries:
        error = parsed.error
        if parsed.feed_links:
            error += f" (it links a feed: {parsed.feed_links[0]})"
        await writer.write(FetchRecord(url, "error", result.http_status, error, when=when))
        return FeedOutcome(url, "error", error=error, http_status=result.http_status)
    new = await writer.write(
        FetchRecord(url, "ok", result.http_status, parsed.warning, etag=result.etag,
                    last_modified=result.last_modified, body_hash=body_hash,
                    title=parsed.title, site_url=parsed.site_url,
                    new_url=result.permanent_url, when=when),
        parsed.entries,
    )
    return FeedOutcome(url, "ok", new, len(parsed.entries), parsed.warning,
                       result.http_status, result.permanent_url)


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
    or the back-off after a timeout.
    """
    settings = settings or FetchSettings()
    store.ensure_feeds(feeds)
    known = {f.url: f for f in store.feeds()}
    summary = FetchSummary()
    total = len(feeds)
    workers = processes if processes is not None else min(2, os.cpu_count() or 1)
    pool: ProcessPoolExecutor | None = None
    if workers > 1 and total > 4:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_follow_parent,
                                   initargs=(os.getpid(),))
        # Start the workers now: forking later, with the writer thread in the
        # middle of a transaction, would copy a process whose locks are held.
        pool.submit(int).result()
    writer = _Writer(store, asyncio.get_running_loop())
    pending: set[asyncio.Task[None]] = set()

    def done(outcome: FeedOutcome) -> None:
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome, len(summary.outcomes), total)

    async def handle(result: FetchResult) -> None:
        url = result.request.url
        try:
            outcome = await _store_result(writer, result, pool, known.get(url), settings)
        except Exception as exc:  # one feed's surprise must not end the run
            outcome = FeedOutcome(url, "error",
                                  error=f"could not store: {type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):  # the outcome above already says it
                await writer.write(FetchRecord(url, "error", error=outcome.error))
        done(outcome)

    # Bodies not yet parsed and stored: downloads outrun parsing on a cold run,
    # and without a bound every body of the run would wait in memory at once. A
    # bound on bytes rather than feeds: pacing the downloads by a few feeds
    # would start a slow feed late, and its timeout would end the run late.
    waiting = 0
    room = asyncio.Event()
    room.set()

    def release(size: int) -> None:
        nonlocal waiting
        waiting -= size
        room.set()

    def start(result: FetchResult) -> None:
        task = asyncio.ensure_future(handle(result))
        pending.add(task)
        task.add_done_callback(pending.discard)
        if result.body:
            task.add_done_callback(lambda _: release(len(result.body)))

    async def on_result(result: FetchResult) -> None:
        nonlocal waiting
        size = len(result.body)
        while waiting and waiting + size > _BACKLOG_BYTES:
            room.clear()
            await room.wait()
        waiting += size
        start(result)

    try:
        remote: list[FetchRequest] = []
        for url, _title in feeds:
            if is_local(url):
                await on_result(read_local(url, max_bytes=settings.max_bytes))
                continue
            feed = known.get(url)
            if feed is None:
                remote.append(FetchRequest(url))
                continue
            remote.append(FetchRequest(
                url, feed.etag, feed.last_modified, None if force else feed.retry_after,
                "Retry-After" if feed.http_status in (429, 503) else "timed out last time"))
        if remote:
            await fetch_all(remote, settings, on_result=on_result, keep=False)
        while pending:
            await asyncio.gather(*list(pending))
    finally:
        try:
            writer.close()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    return summary


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
