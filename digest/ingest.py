"""Fetch every subscription, parse what changed, store the entries.

The one function both ``digest fetch`` and the TUI call. Network waits overlap
(bounded concurrency in ``feeds.fetch``); parsing, the CPU-heavy part, runs in
a process pool across the cores while other downloads are still in flight;
each feed's outcome is stored as soon as it is known, so an interrupted run
keeps what it finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from digest.config import Project
from digest.feeds.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all, read_local
from digest.feeds.parse import ParsedFeed, parse_feed
from digest.model import FeedStatus
from digest.store import FetchRecord, Store

#: Bodies smaller than this are parsed in-process: shipping them to a worker costs more.
_POOL_MIN_BYTES = 64_000


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


def _parse(body: bytes, url: str, content_type: str) -> ParsedFeed:
    return parse_feed(body, url, content_type=content_type)


async def _parse_async(pool: Executor | None, body: bytes, url: str,
                       content_type: str) -> ParsedFeed:
    if pool is None or len(body) < _POOL_MIN_BYTES:
        return _parse(body, url, content_type)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, _parse, body, url, content_type)


async def _store_result(store: Store, result: FetchResult, pool: Executor | None,
                        known_hash: str, settings: FetchSettings | None = None) -> FeedOutcome:
    url = result.request.url
    when = dt.datetime.now(dt.UTC)
    if result.outcome in ("error", "gone", "skipped"):
        status: FeedStatus = "gone" if result.outcome == "gone" else "error"
        if result.outcome == "skipped":
            # Not asked: keep the last status, only say why it was not fetched.
            feed = store.feed(url)
            status = feed.status if feed else "error"
        store.record_fetch(FetchRecord(url, status, result.http_status, result.error,
                                       retry_after=result.retry_after, when=when))
        return FeedOutcome(url, status, error=result.error, http_status=result.http_status)
    if result.outcome == "not-modified":
        store.record_fetch(FetchRecord(url, "not-modified", result.http_status,
                                       new_url=result.permanent_url, when=when))
        return FeedOutcome(url, "not-modified", http_status=result.http_status,
                           new_url=result.permanent_url)
    body_hash = hashlib.blake2b(result.body, digest_size=16).hexdigest()
    if body_hash == known_hash:
        # Same bytes as the last good parse: nothing to do but note the validators.
        store.record_fetch(FetchRecord(url, "not-modified", result.http_status,
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
        store.record_fetch(FetchRecord(url, "error", result.http_status, error, when=when))
        return FeedOutcome(url, "error", error=error, http_status=result.http_status)
    new = store.record_fetch(
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
) -> FetchSummary:
    """Fetch, parse and store ``feeds`` ((location, title) pairs); never raises for one feed."""
    settings = settings or FetchSettings()
    store.ensure_feeds(feeds)
    known = {f.url: f for f in store.feeds()}
    summary = FetchSummary()
    total = len(feeds)
    workers = processes if processes is not None else min(2, os.cpu_count() or 1)
    pool: ProcessPoolExecutor | None = None
    if workers > 1 and total > 4:
        pool = ProcessPoolExecutor(max_workers=workers)
    pending: set[asyncio.Task[None]] = set()

    def done(outcome: FeedOutcome) -> None:
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome, len(summary.outcomes), total)

    async def handle(result: FetchResult) -> None:
        feed = known.get(result.request.url)
        try:
            outcome = await _store_result(store, result, pool, feed.body_hash if feed else "",
                                          settings)
        except Exception as exc:  # one feed's surprise must not end the run
            outcome = FeedOutcome(result.request.url, "error",
                                  error=f"could not store: {type(exc).__name__}: {exc}")
            store.record_fetch(FetchRecord(result.request.url, "error", error=outcome.error))
        done(outcome)

    def on_result(result: FetchResult) -> None:
        task = asyncio.ensure_future(handle(result))
        pending.add(task)
        task.add_done_callback(pending.discard)

    try:
        remote: list[FetchRequest] = []
        for url, _title in feeds:
            if is_local(url):
                on_result(read_local(url, max_bytes=settings.max_bytes))
                continue
            feed = known.get(url)
            remote.append(
                FetchRequest(url, feed.etag if feed else "", feed.last_modified if feed else "",
                             feed.retry_after if feed else None)
            )
        if remote:
            await fetch_all(remote, settings, on_result=on_result)
        while pending:
            await asyncio.gather(*list(pending))
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
    )
