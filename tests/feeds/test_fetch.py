"""The HTTP stage against a real server on 127.0.0.1 (tests/feedserver.py)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import tracemalloc
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import httpx
import pytest

from digest.feeds.fetch import (
    LARGE_BODY,
    FetchRequest,
    FetchResult,
    FetchSettings,
    _describe_http_error,
    fetch_all,
    fetch_one,
    new_client,
    parse_retry_after,
    read_local,
)
from tests.feedserver import FeedServer, free_port, gzip_bomb, http_date

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><link>http://example.org/</link>
<item><title>One</title><link>http://example.org/1</link></item></channel></rss>
"""
FAST = FetchSettings(connect_timeout=2, read_timeout=5, total_timeout=5)
LAST_MODIFIED = "Tue, 02 Jun 2026 10:00:00 GMT"


async def get(url: str, settings: FetchSettings = FAST, **request: str) -> FetchResult:
    (result,) = await fetch_all([FetchRequest(url, **request)], settings)  # type: ignore[arg-type]
    return result


# -- plain fetches and conditional GET ----------------------------------------


async def test_ok_returns_body_type_and_validators(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    r = await get(url)
    assert (r.outcome, r.http_status, r.error) == ("ok", 200, "")
    assert r.body == RSS
    assert r.content_type.startswith("application/rss+xml")
    assert (r.etag, r.last_modified) == ('"v1"', LAST_MODIFIED)
    assert r.final_url == url and r.permanent_url == ""
    assert r.elapsed > 0


async def test_identifies_itself_and_asks_for_compression(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS)
    await get(url)
    (req,) = feed_server.requests_to("/feed")
    assert req.header("user-agent") == FetchSettings().user_agent
    assert set(req.headers["accept-encoding"].replace(" ", "").split(",")) >= {"gzip", "br"}
    assert "application/rss+xml" in req.headers["accept"]
    assert req.header("if-none-match") is None and req.header("if-modified-since") is None


async def test_304_with_etag(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    r = await get(url, etag='"v1"', last_modified=LAST_MODIFIED)
    assert (r.outcome, r.http_status, r.body, r.error) == ("not-modified", 304, b"", "")
    assert r.etag == '"v1"'
    (req,) = feed_server.requests_to("/feed")
    assert req.header("if-none-match") == '"v1"'
    assert req.header("if-modified-since") == LAST_MODIFIED
    assert feed_server.bytes_sent("/feed") == 0


async def test_304_with_last_modified_only(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS, last_modified=LAST_MODIFIED)
    r = await get(url, last_modified=LAST_MODIFIED)
    assert r.outcome == "not-modified"
    assert r.last_modified == LAST_MODIFIED
    (req,) = feed_server.requests_to("/feed")
    assert req.header("if-none-match") is None
    assert req.header("if-modified-since") == LAST_MODIFIED


async def test_304_without_validators_keeps_the_request_ones(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS, etag='"e"', repeat_validators=False)
    r = await get(url, etag='"e"', last_modified=LAST_MODIFIED)
    assert r.outcome == "not-modified"
    assert (r.etag, r.last_modified) == ('"e"', LAST_MODIFIED)


async def test_changed_feed_answers_200_to_a_stale_etag(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", RSS, etag='"v2"')
    r = await get(url, etag='"v1"')
    assert (r.outcome, r.etag, r.body) == ("ok", '"v2"', RSS)


# -- redirects -----------------------------------------------------------------


async def test_permanent_chain_reports_the_new_address(feed_server: FeedServer) -> None:
    final = feed_server.add("/new", RSS)
    url = feed_server.chain("/old", [301, 308, 301], "/new")
    r = await get(url)
    assert r.outcome == "ok" and r.body == RSS
    assert r.final_url == final
    assert r.permanent_url == final
    assert len(feed_server.requests) == 4


@pytest.mark.parametrize("statuses", [[302], [301, 302], [301, 307], [303, 308]])
async def test_any_temporary_hop_means_no_permanent_url(
    feed_server: FeedServer, statuses: list[int]
) -> None:
    final = feed_server.add("/new", RSS)
    r = await get(feed_server.chain("/old", statuses, "/new"))
    assert r.outcome == "ok"
    assert r.final_url == final
    assert r.permanent_url == ""


async def test_permanent_redirect_to_an_error_is_not_a_new_address(
    feed_server: FeedServer,
) -> None:
    r = await get(feed_server.redirect("/old", "/missing", 301))
    assert r.outcome == "error" and r.http_status == 404
    assert r.permanent_url == ""
    assert r.final_url == feed_server.url("/missing")


async def test_relative_and_absolute_locations(feed_server: FeedServer) -> None:
    final = feed_server.add("/a/b/feed.xml", RSS)
    feed_server.redirect("/start", "a/hop", 302)
    feed_server.redirect("/a/hop", "b/feed.xml", 302)
    r = await get(feed_server.url("/start"))
    assert r.outcome == "ok" and r.final_url == final
    feed_server.redirect("/abs", final, 301)
    assert (await get(feed_server.url("/abs"))).permanent_url == final


async def test_redirect_loop_is_an_error(feed_server: FeedServer) -> None:
    url = feed_server.chain("/loop", [302, 302, 302], "/loop")
    r = await get(url)
    assert r.outcome == "error"
    assert r.error == "redirect loop (302 → 302 → 302 → start)"
    assert len(feed_server.requests) == 3


async def test_loop_that_does_not_return_to_the_start(feed_server: FeedServer) -> None:
    feed_server.redirect("/in", "/a", 301)
    feed_server.redirect("/a", "/b", 302)
    feed_server.redirect("/b", "/a", 302)
    r = await get(feed_server.url("/in"))
    assert r.error == f"redirect loop (301 → 302 → 302 → {feed_server.url('/a')})"


async def test_too_many_redirects(feed_server: FeedServer) -> None:
    feed_server.add("/end", RSS)
    url = feed_server.chain("/long", [302] * 7, "/end")
    r = await get(url)
    assert (r.outcome, r.error) == ("error", "too many redirects (>5)")
    assert len(feed_server.requests) == 6
    five = feed_server.chain("/five", [302] * 5, "/end")
    assert (await get(five)).outcome == "ok"


async def test_redirect_without_location(feed_server: FeedServer) -> None:
    url = feed_server.add("/r", b"", status=302)
    r = await get(url)
    assert r.error == "HTTP 302 without a Location"


async def test_conditional_headers_follow_redirects(feed_server: FeedServer) -> None:
    final = feed_server.add("/new", RSS, etag='"v1"')
    url = feed_server.chain("/old", [301, 301], "/new")
    r = await get(url, etag='"v1"')
    assert r.outcome == "not-modified"
    assert r.permanent_url == final
    assert [q.header("if-none-match") for q in feed_server.requests] == ['"v1"'] * 3


# -- HTTP errors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (500, "HTTP 500 Internal Server Error"),
        (403, "HTTP 403 Forbidden"),
        (503, "HTTP 503 Service Unavailable"),
    ],
)
async def test_error_status(feed_server: FeedServer, status: int, message: str) -> None:
    url = feed_server.add("/x", b"<h1>oops</h1>", status=status, content_type="text/html")
    r = await get(url)
    assert (r.outcome, r.http_status, r.error, r.body) == ("error", status, message, b"")
    assert r.retry_after is None


async def test_410_is_gone(feed_server: FeedServer) -> None:
    r = await get(feed_server.add("/x", b"bye", status=410))
    assert (r.outcome, r.http_status, r.error) == ("gone", 410, "HTTP 410 Gone")


async def test_429_retry_after_seconds(feed_server: FeedServer) -> None:
    url = feed_server.add("/x", b"slow down", status=429, headers={"Retry-After": "3600"})
    before = datetime.now(UTC)
    r = await get(url)
    assert r.outcome == "error" and r.http_status == 429
    assert r.retry_after is not None and r.retry_after.tzinfo is not None
    expected = before + timedelta(seconds=3600)
    assert abs((r.retry_after - expected).total_seconds()) < 5
    assert r.error.startswith("HTTP 429 Too Many Requests; retry after ")
    assert r.error.endswith(" UTC")


async def test_503_retry_after_http_date(feed_server: FeedServer) -> None:
    when = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    url = feed_server.add(
        "/x", b"", status=503, headers={"Retry-After": http_date(when.timestamp())}
    )
    r = await get(url)
    assert r.retry_after == when
    assert r.error == "HTTP 503 Service Unavailable; retry after 2031-01-02 03:04 UTC"


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == now + timedelta(minutes=2)
    assert parse_retry_after("Wed, 03 Jun 2026 08:00:00 +0200") == datetime(
        2026, 6, 3, 6, 0, tzinfo=UTC
    )
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None


async def test_future_retry_after_skips_without_a_request(feed_server: FeedServer) -> None:
    url = feed_server.add("/x", RSS)
    later = datetime.now(UTC) + timedelta(minutes=30)
    r = await get(url, retry_after=later)  # type: ignore[arg-type]
    assert r.outcome == "skipped"
    assert r.retry_after == later
    assert r.error == f"waiting until {later:%H:%M} UTC (Retry-After)"
    assert feed_server.requests == []


async def test_past_retry_after_fetches_again(feed_server: FeedServer) -> None:
    url = feed_server.add("/x", RSS)
    r = await get(url, retry_after=datetime.now(UTC) - timedelta(seconds=1))  # type: ignore[arg-type]
    assert r.outcome == "ok" and r.retry_after is None


# -- size cap --------------------------------------------------------------

CAP = FetchSettings(max_bytes=1_000_000, total_timeout=10)
TWENTY_MB = 20_000_000


async def test_declared_length_over_cap_is_refused_before_reading(
    feed_server: FeedServer,
) -> None:
    url = feed_server.huge("/big", TWENTY_MB, chunked=False)
    r = await get(url, CAP)
    assert r.outcome == "error" and r.http_status == 200
    assert r.error == "body larger than 1 MB cap (Content-Length 20 MB)"
    assert r.body == b""
    # What was served is whatever fitted in the loopback socket buffers.
    await asyncio.sleep(0.2)
    assert feed_server.bytes_sent("/big") < TWENTY_MB / 2


async def test_streamed_body_is_cut_off_at_the_cap(feed_server: FeedServer) -> None:
    url = feed_server.huge("/big", TWENTY_MB, chunked=True)
    tracemalloc.start()
    try:
        r = await get(url, CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (r.outcome, r.error, r.body) == ("error", "body larger than 1 MB cap", b"")
    assert peak < 6_000_000, f"peak {peak} bytes: the body was not dropped at the cap"
    await asyncio.sleep(0.2)
    assert feed_server.bytes_sent("/big") < TWENTY_MB / 2


async def test_gzip_bomb_with_a_small_honest_content_length(feed_server: FeedServer) -> None:
    bomb = gzip_bomb(TWENTY_MB)
    assert len(bomb) < CAP.max_bytes
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        r = await get(url, CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (r.outcome, r.error) == ("error", "body larger than 1 MB cap")
    assert peak < 6_000_000, f"peak {peak} bytes: the bomb was inflated past the cap"


async def test_streamed_gzip_bomb(feed_server: FeedServer) -> None:
    url = feed_server.huge("/bomb", TWENTY_MB, compress="gzip", compress_always=True)
    r = await get(url, CAP)
    assert r.error == "body larger than 1 MB cap"


async def test_body_at_the_cap_is_fine(feed_server: FeedServer) -> None:
    url = feed_server.huge("/exact", CAP.max_bytes, chunked=True, compress="gzip")
    r = await get(url, CAP)
    assert r.outcome == "ok" and len(r.body) == CAP.max_bytes


# -- large bodies, one at a time ----------------------------------------------

BIG = LARGE_BODY + 16_000_000
ROOMY = FetchSettings(connect_timeout=2, read_timeout=10, total_timeout=3, max_bytes=BIG)


async def test_a_second_large_body_is_read_only_once_the_first_is_handed_on(
    feed_server: FeedServer,
) -> None:
    """While the first 20 MB body waits to be parsed, the second stops near 4 MB.

    A run meeting several huge feeds at once would otherwise hold them all.
    The hold here (4 s) is longer than the feeds' 3 s budget: the wait for
    the turn is not counted against it, so both still arrive whole.
    """
    paths = {feed_server.huge("/big1", BIG): "/big1", feed_server.huge("/big2", BIG): "/big2"}
    other_sent: list[int] = []

    async def on_result(result: FetchResult) -> None:
        if not other_sent:
            await asyncio.sleep(4)  # the first body, "being parsed"
            other = next(p for u, p in paths.items() if u != result.request.url)
            other_sent.append(feed_server.bytes_sent(other))

    results = await fetch_all([FetchRequest(u) for u in paths],
                              replace(ROOMY, concurrency=2), on_result=on_result)
    assert [(r.outcome, r.error, len(r.body)) for r in results] == [("ok", "", BIG)] * 2
    # What the other server sent meanwhile: its first 4 MB and whatever the
    # loopback socket buffers took before the reads stopped, not its 20 MB.
    assert other_sent[0] < BIG - 6_000_000, other_sent


async def test_small_bodies_are_read_while_a_large_one_waits(feed_server: FeedServer) -> None:
    big = feed_server.huge("/big", BIG)
    small = [feed_server.add(f"/s{n}", RSS) for n in range(4)]
    big_handed_on = asyncio.Event()
    small_before_big: list[bool] = []

    async def on_result(result: FetchResult) -> None:
        if result.request.url == big:
            await asyncio.sleep(1)
            big_handed_on.set()
        else:
            small_before_big.append(not big_handed_on.is_set())

    await fetch_all([FetchRequest(u) for u in [big, *small]], replace(ROOMY, concurrency=2),
                    on_result=on_result)
    assert small_before_big == [True] * 4


# -- timeouts ----------------------------------------------------------------


async def test_slow_drip_is_cut_off_by_the_total_deadline(feed_server: FeedServer) -> None:
    url = feed_server.drip("/drip", interval=0.2)
    settings = replace(FAST, total_timeout=1.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    r = await get(url, settings)
    took = loop.time() - started
    assert (r.outcome, r.http_status) == ("error", 200)
    assert r.error.startswith("timed out after 1.5 s (total); next try after ")
    assert r.retry_after is not None
    assert r.body == b""
    assert took < 2.5
    assert feed_server.bytes_sent("/drip") >= 3  # it really was dripping


async def test_silent_server_trips_the_read_timeout(feed_server: FeedServer) -> None:
    url = feed_server.hang("/silent")
    r = await get(url, replace(FAST, read_timeout=0.5))
    assert r.error.startswith("no data for 0.5 s (read timeout); next try after ")


async def test_deadline_covers_the_redirect_hops(feed_server: FeedServer) -> None:
    for n in range(4):
        feed_server.add(f"/h{n}", b"", status=302, headers={"Location": f"/h{n + 1}"}, delay=0.4)
    feed_server.add("/h4", RSS)
    r = await get(feed_server.url("/h0"), replace(FAST, total_timeout=1.0))
    assert r.error.startswith("timed out after 1 s (total); next try after ")
    assert r.final_url.startswith(feed_server.url("/h"))


# -- content encodings -----------------------------------------------------


async def test_gzip_when_asked(feed_server: FeedServer) -> None:
    url = feed_server.add("/gz", RSS, compress="gzip")
    r = await get(url)
    assert r.body == RSS
    assert feed_server.bytes_sent("/gz") == len(gzip.compress(RSS))


async def test_gzip_sent_unasked_is_still_decoded(feed_server: FeedServer) -> None:
    url = feed_server.add("/gz", RSS, compress="gzip", compress_always=True)
    async with httpx.AsyncClient(headers={"Accept-Encoding": "identity"}) as client:
        r = await fetch_one(client, FetchRequest(url), FAST)
    assert feed_server.requests[0].header("accept-encoding") == "identity"
    assert (r.outcome, r.body) == ("ok", RSS)


async def test_brotli(feed_server: FeedServer) -> None:
    url = feed_server.add("/br", RSS * 50, compress="br")
    r = await get(url)
    assert r.body == RSS * 50
    assert feed_server.bytes_sent("/br") == len(brotli.compress(RSS * 50))


@pytest.mark.parametrize("wrapped", [True, False])
async def test_deflate_with_and_without_zlib_wrapper(
    feed_server: FeedServer, wrapped: bool
) -> None:
    packer = zlib.compressobj(wbits=zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    data = packer.compress(RSS) + packer.flush()
    url = feed_server.add("/d", data, headers={"Content-Encoding": "deflate"})
    assert (await get(url)).body == RSS


async def test_gzip_file_without_content_encoding_is_unpacked(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed.xml.gz", gzip.compress(RSS), content_type="application/x-gzip")
    assert (await get(url)).body == RSS


async def test_corrupt_gzip_is_a_clear_error(feed_server: FeedServer) -> None:
    url = feed_server.add("/bad", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    r = await get(url)
    assert r.outcome == "error"
    assert r.error.startswith("could not decode the gzip body: ")


async def test_unknown_content_encoding(feed_server: FeedServer) -> None:
    url = feed_server.add("/z", b"...", headers={"Content-Encoding": "zstd"})
    assert (await get(url)).error == "unsupported Content-Encoding 'zstd'"


# -- connection-level failures -----------------------------------------------


async def test_connection_refused() -> None:
    r = await get(f"http://127.0.0.1:{free_port()}/feed")
    assert (r.outcome, r.error, r.http_status) == ("error", "connection refused", None)


async def test_tls_error(feed_server: FeedServer) -> None:
    feed_server.add("/feed", RSS)
    r = await get(f"https://127.0.0.1:{feed_server.port}/feed")
    assert r.outcome == "error"
    assert r.error.startswith("TLS error: ")


def test_dns_failure_wording() -> None:
    # A real lookup would leave 127.0.0.1, so build the exception chain httpx raises.
    cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    exc = httpx.ConnectError(f"[Errno {cause.errno}] {cause.strerror}")
    exc.__cause__ = cause
    error = _describe_http_error(exc, "https://no-such-host.example/feed", FAST)
    assert error == "DNS lookup failed for no-such-host.example"


async def test_server_that_closes_mid_response(feed_server: FeedServer) -> None:
    url = feed_server.add("/cut", b"<rss>", content_length=1000)
    r = await get(url)
    assert r.outcome == "error"
    assert "\n" not in r.error and r.error


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.org/feed", "unsupported URL scheme 'ftp:'"),
        ("http://[::1/feed", "invalid URL"),
    ],
)
async def test_bad_urls(url: str, error: str) -> None:
    r = await get(url)
    assert r.outcome == "error" and r.error.startswith(error.split(":")[0])


# -- fetch_all ---------------------------------------------------------------


async def test_empty_list() -> None:
    assert await fetch_all([], FAST) == []


async def test_feeds_run_in_parallel(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/f{n}", RSS, delay=0.3) for n in range(20)]
    results = await fetch_all([FetchRequest(u) for u in urls], replace(FAST, concurrency=20))
    assert [r.outcome for r in results] == ["ok"] * 20
    assert feed_server.peak_in_flight >= 10


async def test_concurrency_bound_is_honoured(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/f{n}", RSS, delay=0.05) for n in range(12)]
    results = await fetch_all([FetchRequest(u) for u in urls], replace(FAST, concurrency=3))
    assert all(r.outcome == "ok" for r in results)
    assert feed_server.peak_in_flight <= 3


async def test_connections_are_kept_alive(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/f{n}", RSS) for n in range(5)]
    await fetch_all([FetchRequest(u) for u in urls], replace(FAST, concurrency=1))
    assert len({r.connection for r in feed_server.requests}) == 1


async def test_304s_and_short_error_pages_keep_the_connection(feed_server: FeedServer) -> None:
    """A warm run is mostly 304s: a new TCP (and TLS) handshake after each would double it."""
    fresh = [feed_server.add(f"/f{n}", RSS, etag=f'"v{n}"') for n in range(4)]
    missing = feed_server.url("/missing")
    requests = [FetchRequest(u, etag=f'"v{n}"') for n, u in enumerate(fresh)]
    requests.insert(2, FetchRequest(missing))
    results = await fetch_all(requests, replace(FAST, concurrency=1))
    assert [r.outcome for r in results] == ["not-modified"] * 2 + ["error"] + ["not-modified"] * 2
    assert len(feed_server.requests) == 5
    assert len({r.connection for r in feed_server.requests}) == 1


async def test_an_unread_big_body_is_dropped_with_its_connection(feed_server: FeedServer) -> None:
    """Past the cap nobody wants the rest: closing beats downloading it to reuse the socket."""
    # Bigger than what loopback socket buffers can take in before the close.
    big = feed_server.huge("/big", 50_000_000, chunked=False)
    after = feed_server.add("/after", RSS)
    results = await fetch_all([FetchRequest(big), FetchRequest(after)],
                              replace(FAST, concurrency=1, max_bytes=100_000))
    assert [r.outcome for r in results] == ["error", "ok"]
    assert feed_server.bytes_sent("/big") < 50_000_000
    assert len({r.connection for r in feed_server.requests}) == 2


async def test_a_hanging_feed_does_not_hold_up_the_others(feed_server: FeedServer) -> None:
    hanging = feed_server.drip("/drip", interval=0.2)
    fine = [feed_server.add(f"/f{n}", RSS, delay=0.02) for n in range(8)]
    finished: list[str] = []

    def progress(result: FetchResult) -> None:
        finished.append(result.request.url)

    requests = [FetchRequest(hanging)] + [FetchRequest(u) for u in fine]
    settings = replace(FAST, concurrency=2, total_timeout=1.5)
    results = await fetch_all(requests, settings, on_result=progress)
    assert [r.request.url for r in results] == [hanging, *fine]  # input order
    assert [r.outcome for r in results[1:]] == ["ok"] * 8
    assert results[0].error.startswith("timed out after 1.5 s (total)")
    # With two workers, all eight fine feeds went through the other one.
    assert finished[:8] == fine and finished[8] == hanging


async def test_async_progress_callback(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/f{n}", RSS) for n in range(3)]
    seen: list[str] = []

    async def progress(result: FetchResult) -> None:
        await asyncio.sleep(0)
        seen.append(result.outcome)

    await fetch_all([FetchRequest(u) for u in urls], FAST, on_result=progress)
    assert seen == ["ok"] * 3


async def test_bad_feeds_never_break_the_run(feed_server: FeedServer, tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_bytes(RSS)
    requests = [
        FetchRequest(feed_server.add("/ok", RSS)),
        FetchRequest(feed_server.add("/404", b"", status=404)),
        FetchRequest(feed_server.chain("/loop", [302, 302], "/loop")),
        FetchRequest(f"http://127.0.0.1:{free_port()}/"),
        FetchRequest("http://[::1/broken"),
        FetchRequest("gopher://old.example/"),
        FetchRequest(str(tmp_path / "missing.xml")),
        FetchRequest(local.as_uri()),
    ]
    results = await fetch_all(requests, FAST)
    assert [r.outcome for r in results] == [
        "ok",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "ok",
    ]
    for r in results:
        assert "\n" not in r.error
        assert (r.outcome == "ok") == (r.error == "")


async def test_progress_callback_errors_propagate(feed_server: FeedServer) -> None:
    url = feed_server.add("/ok", RSS)

    def broken(result: FetchResult) -> None:
        raise RuntimeError("progress bar fell over")

    with pytest.raises(RuntimeError, match="progress bar"):
        await fetch_all([FetchRequest(url)], FAST, on_result=broken)


async def test_fetch_one_with_a_shared_client(feed_server: FeedServer) -> None:
    url = feed_server.add("/ok", RSS)
    async with new_client(FAST) as client:
        results = [await fetch_one(client, FetchRequest(url), FAST) for _ in range(2)]
    assert [r.outcome for r in results] == ["ok", "ok"]


# -- local files ----------------------------------------------------------------


def test_read_local_path_and_file_url(tmp_path: Path) -> None:
    path = tmp_path / "a feed.xml"
    path.write_bytes(RSS)
    for location in (str(path), path.as_uri()):
        r = read_local(location)
        assert (r.outcome, r.body, r.error, r.final_url) == ("ok", RSS, "", location)
        assert r.http_status is None


def test_read_local_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    assert read_local(str(missing)).error == f"file not found: {missing}"
    assert read_local(missing.as_uri()).error == f"file not found: {missing}"
    assert read_local(str(tmp_path)).error.startswith("is a directory")
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 2000)
    assert read_local(str(big), max_bytes=1000).error == "file larger than 1 kB cap"


async def test_fetch_all_reads_local_files(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    request = FetchRequest(path.as_uri(), etag="kept")
    (r,) = await fetch_all([request], FAST)
    assert r.request is request and r.body == RSS
