"""Servers that misbehave: one clear error per feed, and a run that ends on time.

First every fault mode of the shared benchmark's feed farm (HTTP 404/410/500,
429 with Retry-After, slow drip, redirect chain and loop, malformed XML, wrong
encoding, gzip regardless, huge body, HTML page). Then more, from a correct
HTTP server (hangs, silences, endless bodies, bad redirects, lying 304s, URLs
digest must refuse) and from a raw TCP server that breaks the protocol
itself (garbage, resets, lying lengths, headers without end, escape sequences
in the reason phrase and headers). All run at once with a 3 s budget per
feed: the run must end within that budget plus a little, every feed must
have its status stored, and every error must be one line of plain text that
says what happened.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from digest.ingest import FeedOutcome
from digest.store import Store
from digest.textclean import clean_line
from tests.feedserver import FeedServer, free_port, http_date
from tests.hostile import rawserver as raw
from tests.hostile.farm import Farm
from tests.hostile.support import fast_settings, fetch

BUDGET = 3.0
#: Time a run may take beyond the per-feed budget (parsing, storing, start-up).
SLACK = 4.0

FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fine</title>'
        b"<link>https://example.org/</link><item><title>One</title>"
        b"<link>https://example.org/1</link></item></channel></rss>")


def assert_clear(outcome: FeedOutcome) -> None:
    error = outcome.error
    assert error == clean_line(error), f"control characters or line breaks: {error!r}"
    assert 0 < len(error) <= 300 and "Traceback" not in error, error


# --- the feed farm's fault modes -----------------------------------------------------

#: A timed-out feed waits out the back-off: the error says until when.
TOTAL = r"timed out after 3 s \(total\); next try after \d\d:\d\d UTC"
READ = r"no data for 1\.5 s \(read timeout\); next try after \d\d:\d\d UTC"

FARM_EXPECT: dict[str, tuple[str, str]] = {
    "http-404": ("error", r"HTTP 404 Not Found"),
    "http-410": ("gone", r"HTTP 410 Gone"),
    "http-500": ("error", r"HTTP 500 Internal Server Error"),
    "http-429": ("error", r"HTTP 429 Too Many Requests; retry after \d\d:\d\d UTC"),
    "slow-drip": ("error", TOTAL),
    "redirect-chain": ("ok", r""),
    "redirect-loop": ("error", r"redirect loop \((302 → )+start\)"),
    "malformed-xml": ("ok", r"malformed XML at line \d+: .+"),
    "wrong-encoding": ("ok", r"encoding: document declared as utf-8, but parsed as windows-1252"),
    "gzip-always": ("ok", r""),
    "huge-body": ("error", r"body larger than 2 MB cap( \(Content-Length [\d.]+ MB\))?"),
    "html-page": ("ok", r"a web page, not a feed; read the feed it links: http://\S+ "
                        r"\(subscribe to that URL instead\)"),
}


def test_every_fault_mode_of_the_feed_farm(tmp_path: Path) -> None:
    with Farm(tmp_path, feeds=24, fault_rate=0.5, huge_mb=3, drip_seconds=60) as farm:
        feeds = farm.feeds()
        assert {f["fault"] for f in feeds} == set(FARM_EXPECT) | {None}
        with Store(tmp_path / "cache.sqlite") as store:
            started = time.monotonic()
            summary = fetch(store, [f["url"] for f in feeds],
                            fast_settings(max_bytes=2_000_000, total_timeout=BUDGET))
            elapsed = time.monotonic() - started
            stored = {f.url: f for f in store.feeds()}
    assert elapsed < BUDGET + SLACK
    by_url = {o.url: o for o in summary.outcomes}
    for f in feeds:
        outcome = by_url[f["url"]]
        status, pattern = FARM_EXPECT.get(f["fault"], ("ok", ""))
        assert (outcome.status, f["fault"]) == (status, f["fault"]), outcome
        assert re.fullmatch(pattern, outcome.error), (f["fault"], outcome.error)
        if outcome.error:
            assert_clear(outcome)
        assert stored[f["url"]].status == status
        if status == "ok" and f["fault"] != "malformed-xml":
            assert outcome.entries == f["entries"], (f["fault"], outcome)


# --- more faults -------------------------------------------------------------------------

Case = tuple[str, str, str]  # url, status, error pattern


def http_faults(s: FeedServer, tmp_path: Path) -> dict[str, Case]:
    base = s.base_url
    s.add("/ok", FEED)
    s.redirect("/to-file", "file:///etc/passwd")
    s.redirect("/to-js", "javascript:alert(1)")
    s.redirect("/to-bad", "http://[::1")
    s.redirect("/to-port", "http://127.0.0.1:99999/feed")
    s.redirect("/no-location", "")
    s.routes["/no-location"].headers.clear()
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)).timestamp()
    (tmp_path / "dir").mkdir()
    return {
        "hangs": (s.hang("/hang"), "error", READ),
        "silent before the status": (s.add("/slow", FEED, delay=10), "error",
                                     READ),
        "drips forever": (s.drip("/drip", interval=0.2), "error",
                          TOTAL),
        "refuses connections": (f"http://127.0.0.1:{free_port()}/feed", "error",
                                r"connection refused"),
        "304 unasked": (s.add("/304", status=304), "error",
                        r"HTTP 304 to an unconditional request"),
        "empty 200": (s.add("/empty", b""), "error", r"empty body"),
        "204": (s.add("/204", status=204), "error", r"empty body"),
        "redirect without Location": (s.url("/no-location"), "error",
                                      r"HTTP 302 without a Location"),
        "redirect to a file": (s.url("/to-file"), "error",
                               r"redirect to unsupported URL 'file:/+etc/passwd'"),
        "redirect to javascript:": (s.url("/to-js"), "error",
                                    r"redirect to (invalid|unsupported) URL.+"),
        "redirect to a broken URL": (s.url("/to-bad"), "error",
                                     r"redirect to invalid URL.+|server broke the HTTP "
                                     r"protocol: Invalid URL in location header: .+"),
        "redirect to port 99999": (s.url("/to-port"), "error", r".+port must be 0-65535\."),
        "eight redirects": (s.chain("/hops", [301, 302, 307, 308, 301, 302, 307, 308],
                                    base + "/ok"), "error", r"too many redirects \(>5\)"),
        "503 with a date": (s.add("/503", status=503, headers={"Retry-After": http_date(
            time.time() + 600)}), "error",
            r"HTTP 503 Service Unavailable; retry after \d\d:\d\d UTC"),
        "429 with garbage Retry-After": (s.add("/429", status=429, headers={
            "Retry-After": "soon\x7f"}), "error", r"HTTP 429 Too Many Requests"),
        "429 for ten years": (s.add("/429y", status=429, headers={
            "Retry-After": http_date(far)}), "error",
            r"HTTP 429 Too Many Requests; retry after \d{4}-\d\d-\d\d \d\d:\d\d UTC"),
        "HTML page linking nothing": (s.add("/page", b"<!doctype html><html><head><title>x"
                                            b"</title></head><body>hi</body></html>",
                                            content_type="text/html"),
                                      "error", r"not a feed: got an HTML page"),
        "PHP error": (s.add("/php", b"<b>Fatal error</b>: Allowed memory size exhausted in "
                                    b"<b>/var/www/feed.php</b>", content_type="text/html"),
                      "error", r"not a feed: .+"),
        "a PNG": (s.add("/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
                  "error", r"not a feed: .+"),
        "ftp URL": ("ftp://127.0.0.1/feed.xml", "error", r"unsupported URL scheme 'ftp:'"),
        # Without "://" a location is a path on this machine.
        "javascript: URL": ("javascript:alert(1)", "error",
                            r"file not found: javascript:alert\(1\)"),
        "port out of range": ("http://127.0.0.1:99999/feed", "error",
                              r".+port must be 0-65535\.|invalid URL: .+"),
        "unresolvable host": ("http://digest-hostile-test.invalid/feed", "error",
                              r"DNS lookup failed for digest-hostile-test\.invalid"
                              "|" + TOTAL + r"|could not connect to .+"),
        "missing file": (str(tmp_path / "nope.xml"), "error", r"file not found: .+nope\.xml"),
        "a folder": (str(tmp_path / "dir"), "error", r"is a directory, not a file: .+"),
        "an endless file": ("/dev/zero", "error", r"file larger than 2 MB cap"),
    }


def raw_faults(r: raw.RawServer) -> dict[str, Case]:
    ok_head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
    return {
        "not HTTP at all": (r.add("/garbage", raw.send(b"\x00\xffSSH-2.0-OpenSSH\r\n\r\n")),
                            "error", r"server broke the HTTP protocol: .+"),
        "HTTP/0.9 body": (r.add("/http09", raw.send(FEED)), "error",
                          r"server broke the HTTP protocol: .+"),
        "TLS on a plain port": (r.add("/tls", raw.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc")),
                                "error", r"server broke the HTTP protocol: .+"),
        "hangs up at once": (r.add("/close", raw.send(b"")), "error",
                             r"server broke the HTTP protocol: .+"),
        "hangs up after the status": (r.add("/status", raw.send(b"HTTP/1.1 200 OK\r\n")),
                                      "error", r"server broke the HTTP protocol: .+"),
        "escape codes in the reason": (r.add("/reason", raw.send(
            b"HTTP/1.1 599 \x1b[2J\x1b]0;pwned\x07Oops\x9b31m\r\nContent-Length: 0\r\n\r\n")),
            "error", r"HTTP 599 Oops31m"),
        "escape codes in a header": (r.add("/header", raw.send(
            ok_head + b"Content-Encoding: \x1b]52;c;cm0K\x07gzip\r\nContent-Length: 3\r\n\r\nabc"
        )), "error", r"unsupported Content-Encoding .+"),
        "weird status": (r.add("/999", raw.send(
            b"HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n")), "error", r"HTTP 999 Weird"),
        "shorter than its Content-Length": (r.add("/short", raw.send(
            ok_head + b"Content-Length: 100000\r\n\r\n" + FEED)), "error",
            r"server broke the HTTP protocol: .+|connection failed while reading: .+"),
        "reset in the body": (r.add("/reset", raw.send_then_reset(
            ok_head + b"Content-Length: 100000\r\n\r\n" + FEED)), "error",
            r"connection reset by the server|server broke the HTTP protocol: .+"),
        "bad chunk size": (r.add("/chunk", raw.send(
            ok_head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + FEED + b"\r\n0\r\n\r\n")),
            "error", r"server broke the HTTP protocol: .+"),
        "a megabyte header": (r.add("/bighead", raw.send(
            ok_head + b"X-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")), "error",
            r"server broke the HTTP protocol: .+"),
        "headers without end": (r.add("/headers", raw.repeat(ok_head, b"X-More: yes\r\n", 0.05)),
                                "error", TOTAL),
        "1xx forever": (r.add("/continue", raw.repeat(b"", b"HTTP/1.1 100 Continue\r\n\r\n",
                                                      0.05)),
                        "error", TOTAL + r"|server broke the HTTP .+"),
        "silent after the request": (r.add("/silent", raw.silence), "error",
                                     READ + "|" + TOTAL),
    }


Faults = tuple[dict[str, dict[str, Case]], dict[str, FeedOutcome], dict[str, str], float]


@pytest.fixture(scope="module")
def more_faults(tmp_path_factory: pytest.TempPathFactory) -> Faults:
    """All the faults below fetched in one run: (cases by server kind, outcomes, stored
    statuses, seconds the run took)."""
    tmp = tmp_path_factory.mktemp("faults")
    with FeedServer() as s, raw.RawServer() as r, Store(tmp / "cache.sqlite") as store:
        cases = {"http": http_faults(s, tmp), "raw": raw_faults(r)}
        urls = [u for group in cases.values() for u, _, _ in group.values()]
        started = time.monotonic()
        summary = fetch(store, urls, fast_settings(max_bytes=2_000_000, total_timeout=BUDGET))
        elapsed = time.monotonic() - started
        stored = {f.url: f.status for f in store.feeds()}
    return cases, {o.url: o for o in summary.outcomes}, stored, elapsed


def test_the_run_ends_within_its_time_bound(more_faults: Faults) -> None:
    cases, outcomes, _, elapsed = more_faults
    urls = {u for group in cases.values() for u, _, _ in group.values()}
    assert len(urls) >= 40
    assert elapsed < BUDGET + SLACK, f"{elapsed:.1f} s for a {BUDGET:g} s budget"
    assert set(outcomes) == urls


@pytest.mark.parametrize("kind", ["http", "raw"])
def test_every_fault_gives_its_one_clear_error(more_faults: Faults, kind: str) -> None:
    cases, outcomes, stored, _ = more_faults
    wrong = []
    for name, (url, status, pattern) in sorted(cases[kind].items()):
        o = outcomes[url]
        if o.status != status or not re.fullmatch(pattern, o.error) or stored.get(url) != status:
            wrong.append(f"{name}: {o.status}/{stored.get(url)} {o.error!r}")
            continue
        try:
            assert_clear(o)
        except AssertionError as exc:
            wrong.append(f"{name}: {exc}")
    assert wrong == []


def test_retry_after_is_honoured_without_asking_again(feed_server: FeedServer,
                                                      store: Store) -> None:
    url = feed_server.add("/busy", status=429, headers={"Retry-After": "3600"})
    (first,) = fetch(store, [url], fast_settings()).outcomes
    assert first.status == "error" and "retry after" in first.error
    (second,) = fetch(store, [url], fast_settings()).outcomes
    assert len(feed_server.requests_to("/busy")) == 1
    assert second.status == "error" and second.error.startswith("waiting until ")
    assert_clear(second)
