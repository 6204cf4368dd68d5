"""fetch → parse → store, end to end over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.feeds.fetch import FetchSettings
from digest.ingest import FetchApart, FetchFailed, FetchSummary, _Budget, fetch_feeds
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


def _blog(n: int) -> str:
    items = "".join(
        f"<item><title>Post {n}.{k}</title><link>http://blog{n}.example/{k}</link>"
        f"<description>&lt;p&gt;Body {n}.{k}&lt;/p&gt;</description></item>"
        for k in range(3))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog {n}</title>'
            f"<link>http://blog{n}.example/</link>{items}</channel></rss>")


def test_one_process_two_forked_or_a_fetch_apart_store_the_same(
        feed_server: FeedServer, tmp_path: Path) -> None:
    urls = [feed_server.add(f"/b{n}.xml", _blog(n), etag=f'"b{n}"') for n in range(10)]
    urls.append(feed_server.add("/blog/", HTML_PAGE, content_type="text/html"))
    feed_server.add("/feed.xml", PLANET_RSS)
    urls.append(feed_server.url("/missing.xml"))
    feeds = [(u, "") for u in urls]
    stored = {}
    for how in ("one", "two", "apart"):
        s = Store(tmp_path / f"{how}.db")
        seen: list[tuple[int, int]] = []

        def fetch(progress: Any = None, s: Store = s, how: str = how) -> FetchSummary:
            if how == "apart":
                return FetchApart(s.path, feeds, FAST).run(progress)
            return asyncio.run(fetch_feeds(s, feeds, FAST, progress,
                                           processes=1 if how == "one" else 2))

        summary = fetch(lambda _o, n, total, seen=seen: seen.append((n, total)))
        assert seen == [(n, len(urls)) for n in range(1, len(urls) + 1)]
        assert summary.count("ok") == 11 and summary.count("error") == 1
        stored[how] = sorted(
            (e.id, e.title, e.link, tuple(sorted(e.feeds)))
            for e in (s.entry(r.id) for r in s.list_entries()) if e)
        again = fetch()
        assert again.count("not-modified") == 11 and again.new_entries == 0
        s.close()
    assert len(stored["one"]) == 32
    assert stored["one"] == stored["two"] == stored["apart"]


def _children() -> set[int]:
    import os

    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread (the test server's) that just ended
            found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def _apart_processes(before: set[int]) -> list[int]:
    """The fetch-apart process started since ``before``, and the processes it forked."""
    found = []
    for pid in _children() - before:
        with contextlib.suppress(OSError):  # ended meanwhile
            if b"_spawned_fetch" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
                for task in Path(f"/proc/{pid}/task").iterdir():
                    with contextlib.suppress(OSError):
                        found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_fetch_apart_starts_fresh_and_its_death_keeps_what_it_stored(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The TUI's fetch: a fresh interpreter that downloads, parses and writes.

    A fetch broken in this process is not its (a fork would inherit it); it
    and the processes it forks run at a lower priority than the UI; killed
    mid-run, it says so, and what it had stored stays stored.
    """
    import os
    import signal
    import threading
    import time

    import digest.ingest

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("only this process's fetch is broken")

    monkeypatch.setattr(digest.ingest, "_Writer", broken)
    monkeypatch.setattr(digest.ingest, "_parse", broken)
    before = _children()
    urls = [feed_server.add(f"/b{n}.xml", _blog(n), delay=30.0 if n % 2 == 0 else 0.0)
            for n in range(8)]
    niceness: list[int] = []
    killed: list[int] = []
    processes = 3 if (os.cpu_count() or 1) >= 2 else 1  # it forks one fetch process per core

    def kill_once_the_quick_ones_are_stored() -> None:
        deadline = time.monotonic() + 20
        watching = Store(store.path)
        try:
            while time.monotonic() < deadline:
                apart = _apart_processes(before)
                if len(apart) == processes and watching.count_entries() == 4 * 3:
                    niceness.extend(os.getpriority(os.PRIO_PROCESS, pid) for pid in apart)
                    killed.extend(apart)
                    os.kill(apart[0], signal.SIGKILL)
                    return
                time.sleep(0.02)
        finally:
            watching.close()

    killer = threading.Thread(target=kill_once_the_quick_ones_are_stored)
    killer.start()
    settings = replace(FAST, total_timeout=60, read_timeout=60)
    with pytest.raises(FetchFailed) as failed:
        FetchApart(store.path, [(u, "") for u in urls], settings).run()
    killer.join()
    assert killed, "the fetch apart and its two fetch processes never all ran"
    assert str(failed.value) == "the fetch process ended unexpectedly (exit code -9)"
    # It yields the cores to the UI that started it, and its fetch processes to it.
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness == [min(19, own + 10)] + [min(19, own + 20)] * (processes - 1)
    # Its fetch processes follow it out rather than wait on the slow feeds.
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in killed)
    assert store.count_entries() == 4 * 3
    assert {r.title for r in store.list_entries()} == {
        f"Post {n}.{k}" for n in range(1, 8, 2) for k in range(3)}
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_fetch_apart_stopped_by_the_app_ends_with_its_processes(
    feed_server: FeedServer, store: Store,
) -> None:
    """The editor quits mid-fetch: nothing of the fetch runs on after the app."""
    import os
    import threading
    import time

    before = _children()
    urls = [feed_server.add(f"/slow{n}.xml", _blog(n), delay=30.0) for n in range(6)]
    apart = FetchApart(store.path, [(u, "") for u in urls],
                       replace(FAST, total_timeout=60, read_timeout=60))
    failures: list[Exception] = []

    def run() -> None:
        try:
            apart.run()
        except FetchFailed as exc:
            failures.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 20
    while len(feed_server.requests) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    started = _apart_processes(before)
    assert len(started) == (3 if (os.cpu_count() or 1) >= 2 else 1)
    apart.stop()
    runner.join(10)
    assert not runner.is_alive()
    assert [str(f) for f in failures] == ["the fetch process ended unexpectedly (exit code -15)"]
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in started)


def test_a_fetch_apart_that_cannot_start_says_why(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """A broken install: the fetch process fails on import, and the error names it.

    Its stderr cannot go to the terminal (it would draw over the TUI), so its
    last line is what the error carries.
    """
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "httpx.py").write_text('raise ImportError("httpx is broken in this install")\n')
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    urls = [feed_server.add(f"/b{n}.xml", _blog(n)) for n in range(6)]
    with pytest.raises(FetchFailed) as failed:
        FetchApart(store.path, [(u, "") for u in urls], FAST).run()
    assert str(failed.value) == ("the fetch process ended unexpectedly (exit code 1): "
                                 "ImportError: httpx is broken in this install")
    assert feed_server.requests == []
    assert store.count_entries() == 0


@pytest.mark.parametrize(("how", "said"), [
    ("exit", "the fetch process ended unexpectedly (exit code 3)"),
    ("raise", "the fetch process failed: RuntimeError: parser bug"),
])
def test_a_fetch_process_that_dies_costs_only_the_feeds_it_had_not_reported(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, how: str, said: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import os

    import digest.ingest

    real_parse = digest.ingest._parse

    def parse_or_die(body: bytes, url: str, content_type: str) -> Any:
        if url.endswith("/crash.xml"):  # the forked fetch process inherits this
            if how == "exit":
                os._exit(3)
            raise RuntimeError("parser bug")
        return real_parse(body, url, content_type)

    monkeypatch.setattr(digest.ingest, "_parse", parse_or_die)
    crash = feed_server.add("/crash.xml", _blog(99))
    urls = [crash] + [feed_server.add(f"/b{n}.xml", _blog(n)) for n in range(7)]
    summary = asyncio.run(fetch_feeds(store, [(u, "") for u in urls], FAST, processes=2))
    by_url = {o.url: o for o in summary.outcomes}
    assert set(by_url) == set(urls)
    assert by_url[crash].status == "error"
    assert by_url[crash].error == said
    assert store.feed(crash).error == said  # type: ignore[union-attr]
    # The other process's share (every other feed) is whole.
    assert all(by_url[u].status == "ok" for u in urls[1::2])
    assert store.count_entries() == 3 * summary.count("ok")
    assert "Traceback" not in capfd.readouterr().err


def told_by_the_fetch_processes(monkeypatch: pytest.MonkeyPatch, out: Path,
                                tell: Callable[[bytes, str], str]) -> None:
    """Each parse writes ``tell(body, url)`` as a line of ``out``, from the process
    and thread it runs on (the forked fetch processes inherit the patch)."""
    import digest.ingest

    real_parse = digest.ingest._parse

    def parse_and_tell(body: bytes, url: str, content_type: str) -> Any:
        with out.open("a") as lines:
            lines.write(tell(body, url) + "\n")
        return real_parse(body, url, content_type)

    monkeypatch.setattr(digest.ingest, "_parse", parse_and_tell)


def test_the_fetch_processes_give_the_writer_the_cores_first(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A cold fetch waits for the writer: the processes that feed it run a notch lower."""
    import os

    seen = tmp_path / "niceness"
    told_by_the_fetch_processes(monkeypatch, seen, lambda _b, _u: f"{os.getpid()} {os.nice(0)}")
    urls = [feed_server.add(f"/b{n}.xml", _blog(n)) for n in range(8)]
    summary = asyncio.run(fetch_feeds(store, [(u, "") for u in urls], FAST, processes=2))
    assert summary.count("ok") == 8
    reports = {tuple(map(int, line.split())) for line in seen.read_text().splitlines()}
    assert len({pid for pid, _ in reports}) == 2
    assert os.getpid() not in {pid for pid, _ in reports}
    assert {nice for _, nice in reports} == {min(19, os.nice(0) + 10)}


def test_a_small_body_is_parsed_on_the_fetch_loop_and_a_big_one_beside_it(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Handing every body to a thread cost the two threads their turns with the GIL."""
    import threading

    import digest.ingest

    seen = tmp_path / "threads"
    told_by_the_fetch_processes(
        monkeypatch, seen, lambda _b, url: f"{url.rsplit('/', 1)[1]} "
        f"{threading.current_thread() is threading.main_thread()}")
    big = _blog(90) + " " * (digest.ingest._PARSE_ON_LOOP + 1)
    urls = [feed_server.add("/big.xml", big)]
    urls += [feed_server.add(f"/b{n}.xml", _blog(n)) for n in range(7)]
    summary = asyncio.run(fetch_feeds(store, [(u, "") for u in urls], FAST, processes=2))
    assert summary.count("ok") == 8
    where = {name: on_loop == "True"
             for name, on_loop in (line.split() for line in seen.read_text().splitlines())}
    assert where == {"big.xml": False} | {f"b{n}.xml": True for n in range(7)}


def test_slow_parsing_does_not_hold_back_the_next_downloads(
    feed_server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every feed is asked early, so one that drips until the time limit starts early too."""
    import time

    import digest.ingest

    real_parse = digest.ingest._parse

    def slow_parse(body: bytes, url: str, content_type: str) -> Any:
        time.sleep(0.25)  # inherited by the forked fetch processes
        return real_parse(body, url, content_type)

    monkeypatch.setattr(digest.ingest, "_parse", slow_parse)
    monkeypatch.setattr(digest.ingest, "_PARSE_ON_LOOP", 0)  # every body a big one
    urls = [feed_server.add(f"/b{n}.xml", _blog(n)) for n in range(16)]
    started = time.monotonic()
    summary = asyncio.run(fetch_feeds(store, [(u, "") for u in urls], FAST, processes=2))
    took = time.monotonic() - started
    assert summary.count("ok") == 16
    asked = sorted(r.at for r in feed_server.requests)
    # 8 feeds a process, 4 downloads at a time, 2 s of parsing each: had a
    # download waited for its parse, the last would be asked ~1 s after the first.
    assert took >= 2.0
    assert asked[-1] - asked[0] < 0.5


def test_a_big_amount_is_not_starved_by_small_ones_coming_and_going() -> None:
    """A 20 MB body waiting for an empty backlog gets it before later small ones.

    Before takers were served in turn, small bodies kept arriving while the
    backlog drained, so it was never empty and the big one waited for the
    end of the run (and took the time budgets of the feeds behind it).
    """

    async def scenario() -> list[str]:
        budget = _Budget(10)
        served: list[str] = []

        async def taker(name: str, amount: int) -> None:
            await budget.take(amount)
            served.append(name)

        await budget.take(4)  # a small body being parsed
        big = asyncio.create_task(taker("big", 20))
        await asyncio.sleep(0)
        smalls = [asyncio.create_task(taker(f"small{n}", 2)) for n in range(3)]
        await asyncio.sleep(0)
        assert served == []  # all wait: the big one is first in line
        budget.give(4)
        await asyncio.sleep(0)
        assert served == ["big"]
        budget.give(20)
        await asyncio.gather(big, *smalls)
        return served

    assert asyncio.run(scenario()) == ["big", "small0", "small1", "small2"]


def test_a_taker_cancelled_while_waiting_leaves_the_budget_as_it_was() -> None:
    async def scenario() -> int:
        budget = _Budget(10)
        await budget.take(8)
        waiting = asyncio.create_task(budget.take(5))
        await asyncio.sleep(0)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        budget.give(8)
        await budget.take(10)  # the whole budget is free again
        return 0

    assert asyncio.run(scenario()) == 0


_PROBE = """
import sys
from digest import ingest

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

if sys.argv[1] == "set":
    ingest._return_large_blocks()
body = b"x" * 20_000_000  # a huge feed, read and let go
del body
before = rss()
posts = [b"y" * 5_000_000 for _ in range(10)]  # the bodies that come after it
del posts
print(rss() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_fetch_process_gives_large_blocks_back_once_freed(tmp_path: Path) -> None:
    """After a huge body, the later large ones must not stay resident once freed."""
    import subprocess
    import sys

    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE)
    kept = int(subprocess.run([sys.executable, str(probe), "set"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parents[1]).stdout)
    assert kept < 3, f"{kept} MB of freed bodies still resident"
