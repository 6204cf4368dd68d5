"""fetch → parse → store, end to end over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import pytest

from digest.feeds.fetch import FetchSettings
from digest.ingest import FetchSummary, fetch_feeds
from digest.store import Store
from tests.feeddata import BLOG_ATOM, HTML_PAGE, MALFORMED, PLANET_RSS
from tests.feedserver import FeedServer

FAST = FetchSettings(concurrency=8, connect_timeout=2, read_timeout=2, total_timeout=3)


def run(store: Store, urls: list[str], settings: FetchSettings = FAST) -> FetchSummary:
    return asyncio.run(fetch_feeds(store, [(u, "") for u in urls], settings, processes=1))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "cache.db")
    yield s
    s.close()


def test_planet_and_blog_are_one_entry_with_the_original_author(
    feed_server: FeedServer, store: Store
) -> None:
    planet = feed_server.add("/planet.xml", PLANET_RSS, etag='"p1"')
    blog = feed_server.add("/blog.xml", BLOG_ATOM, content_type="application/atom+xml",
                           last_modified="Sun, 07 Jun 2026 02:00:00 GMT")
    summary = run(store, [planet, blog])
    assert summary.count("ok") == 2
    assert summary.new_entries == 2
    rows = store.list_entries()
    assert len(rows) == 2
    eli = store.entry(rows[0].id)
    assert eli is not None
    assert eli.title == "Plugins case study: mdBook preprocessors"
    assert eli.author == "Eli Bendersky"
    assert eli.link == "https://eli.thegreenplace.net/2026/plugins-case-study-mdbook-preprocessors/"
    assert set(eli.feeds) == {planet, blog}


def test_second_run_is_served_by_304s(feed_server: FeedServer, store: Store) -> None:
    planet = feed_server.add("/planet.xml", PLANET_RSS, etag='"p1"')
    blog = feed_server.add("/blog.xml", BLOG_ATOM,
                           last_modified="Sun, 07 Jun 2026 02:00:00 GMT")
    run(store, [planet, blog])
    summary = run(store, [planet, blog])
    assert summary.count("not-modified") == 2
    assert summary.new_entries == 0
    second = feed_server.requests_to("/planet.xml")[-1]
    assert second.header("if-none-match") == '"p1"'
    assert feed_server.requests_to("/blog.xml")[-1].header("if-modified-since") == (
        "Sun, 07 Jun 2026 02:00:00 GMT")


def test_unchanged_body_without_validators_is_not_parsed_again(
    feed_server: FeedServer, store: Store
) -> None:
    url = feed_server.add("/plain.xml", PLANET_RSS)
    assert run(store, [url]).count("ok") == 1
    assert run(store, [url]).count("not-modified") == 1


def test_bad_feeds_get_reasons_and_do_not_stop_the_run(
    feed_server: FeedServer, store: Store
) -> None:
    good = feed_server.add("/good.xml", PLANET_RSS)
    missing = feed_server.add("/missing.xml", "nope", status=404, content_type="text/html")
    page = feed_server.add("/page.html", HTML_PAGE, content_type="text/html")
    broken = feed_server.add("/broken.xml", MALFORMED)
    slow = feed_server.drip("/slow.xml", interval=0.2)
    summary = run(store, [good, missing, page, broken, slow])
    by_url = {o.url: o for o in summary.outcomes}
    assert by_url[good].status == "ok"
    assert "404" in by_url[missing].error
    # The page links /feed.xml, which is not there: the reason says both.
    assert "feed.xml" in by_url[page].error
    assert by_url[slow].status == "error" and "timed out" in by_url[slow].error
    assert by_url[broken].error  # an error or a warning, never silence
    assert not summary.nothing_fetched
    assert store.feed(missing).status == "error"  # type: ignore[union-attr]
    assert "404" in store.feed(missing).error  # type: ignore[union-attr]


def test_gone_and_all_failed(feed_server: FeedServer, store: Store) -> None:
    gone = feed_server.add("/gone.xml", "", status=410)
    dead = feed_server.add("/dead.xml", "", status=500)
    summary = run(store, [gone, dead])
    assert [o.status for o in sorted(summary.outcomes, key=lambda o: o.url)] == ["error", "gone"]
    assert summary.nothing_fetched


def test_failed_download_keeps_old_validators(feed_server: FeedServer, store: Store) -> None:
    url = feed_server.add("/f.xml", PLANET_RSS, etag='"v1"')
    run(store, [url])
    feed_server.add("/f.xml", MALFORMED[:10], etag='"v2"')
    run(store, [url])
    feed = store.feed(url)
    assert feed is not None and feed.etag == '"v1"'
    assert store.count_entries() == 2


def test_a_feed_that_timed_out_waits_out_its_backoff_unless_forced(
    feed_server: FeedServer, store: Store
) -> None:
    drip = feed_server.drip("/drip.xml", interval=0.2)
    fine = feed_server.add("/fine.xml", PLANET_RSS)
    settings = replace(FAST, total_timeout=1, timeout_backoff=600)
    first = run(store, [drip, fine], settings)
    failed = {o.url: o for o in first.failed}
    assert re.fullmatch(r"timed out after 1 s \(total\); next try after \d\d:\d\d UTC",
                        failed[drip].error)
    asked = len(feed_server.requests_to("/drip.xml"))
    second = run(store, [drip, fine], settings)
    assert len(feed_server.requests_to("/drip.xml")) == asked  # not asked again
    waiting = {o.url: o for o in second.failed}[drip]
    assert re.fullmatch(r"waiting until \d\d:\d\d UTC \(timed out last time\)", waiting.error)
    feed = store.feed(drip)
    assert feed is not None and feed.http_status == 200 and feed.status == "error"
    forced = asyncio.run(fetch_feeds(store, [(drip, ""), (fine, "")], settings, processes=1,
                                     force=True))
    assert len(feed_server.requests_to("/drip.xml")) == asked + 1
    assert [o.url for o in forced.failed] == [drip]


def test_local_files(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "planet.xml"
    path.write_text(PLANET_RSS, encoding="utf-8")
    summary = run(store, [str(path), path.as_uri(), str(tmp_path / "missing.xml")])
    statuses = sorted(o.status for o in summary.outcomes)
    assert statuses == ["error", "ok", "ok"]
    assert store.count_entries() == 2


def test_a_web_page_is_followed_to_the_feed_it_links(feed_server: FeedServer,
                                                     store: Store) -> None:
    feed_server.add("/feed.xml", PLANET_RSS)
    page = feed_server.add("/blog/", HTML_PAGE, content_type="text/html")
    summary = run(store, [page])
    (outcome,) = summary.outcomes
    assert outcome.status == "ok" and outcome.new_entries == 2
    assert "subscribe to that URL instead" in outcome.error
    assert store.feed(page).error.startswith("a web page, not a feed")  # type: ignore[union-attr]
