"""XML that attacks the parser: entity bombs, external entities, deep nesting,
very long fields.

The entity and XXE fixtures are served over loopback with the address of a
watched server and of a secret file written into them. Nothing may be
expanded beyond a small factor, no file may be read, and no request may go
anywhere but to the feed itself. The generated documents (nesting a hundred
thousand deep, fields of megabytes) are parsed in a process of their own, so
a parse that never ends is killed at its deadline instead of hanging the
suite; each must finish in bounded time and memory with a result or a clear
error.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.feeds.opml import OpmlError, parse_opml
from digest.feeds.parse import parse_feed
from digest.store import EntryFilter, Store
from tests.feedserver import FeedServer
from tests.hostile.support import FEEDS, REPO, fast_settings, fetch

ENTITY_ATTACKS = ("billion-laughs.xml", "billion-laughs-attribute.xml", "recursive-entity.xml",
                  "xxe-file.xml", "xxe-http.xml", "xxe-parameter.xml",
                  "xinclude-stylesheet.xml")
#: Paths of the watched server that only an expanded entity, DTD, XInclude or
#: stylesheet would ask for; each answers with a marker that must not show up.
TRAPS = ("/external.dtd", "/entity", "/param.dtd", "/exfil", "/style.xsl", "/xinclude",
         "/opml.dtd")
MARKER = "EXFILTRATED-7c1e"
SECRET = "SECRET-TOKEN-41d9"


def armed(name: str, server: FeedServer, secret: Path) -> bytes:
    body = (FEEDS / name).read_bytes()
    return body.replace(b"{{SERVER}}", server.base_url.encode()).replace(
        b"{{SECRET}}", str(secret).encode())


def all_text(store: Store) -> str:
    parts = []
    for row in store.list_entries(EntryFilter(hide_dismissed=False), limit=10_000):
        e = store.entry(row.id)
        assert e is not None
        parts += [e.title, e.author, e.link, e.summary_html, e.content_html, e.text,
                  *e.categories, e.feed_title]
    parts += [f.title + f.error for f in store.feeds()]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ENTITY_ATTACKS)
def test_entities_neither_expand_nor_reach_out(name: str, tmp_path: Path,
                                               feed_server: FeedServer) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    for trap in TRAPS:
        feed_server.add(trap, f'<!ENTITY x "{MARKER}">{MARKER}', content_type="text/plain")
    url = feed_server.add("/feed.xml", armed(name, feed_server, secret))
    started = time.monotonic()
    with Store(tmp_path / "cache.sqlite") as store:
        (outcome,) = fetch(store, [url], fast_settings()).outcomes
        text = all_text(store)
        feed = store.feed(url)
    assert time.monotonic() - started < 10
    assert feed is not None and feed.status == outcome.status != "new"
    assert [r.path for r in feed_server.requests] == ["/feed.xml"]
    for leaked in (SECRET, MARKER, "root:x:0:0", "/bin/", "PATH="):
        assert leaked not in text
    assert text.count("lol") < 100


@pytest.mark.parametrize("name", ENTITY_ATTACKS)
def test_entity_attacks_parse_in_little_time_and_memory(name: str, tmp_path: Path) -> None:
    import tracemalloc

    body = (FEEDS / name).read_bytes().replace(b"{{SERVER}}", b"http://127.0.0.1:9").replace(
        b"{{SECRET}}", b"/etc/hostname")
    tracemalloc.start()
    try:
        started = time.perf_counter()
        parsed = parse_feed(body, "https://feeds.example.org/x")
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 2 and peak < 20 * 2**20, (seconds, peak)
    assert parsed.entries or parsed.error


@pytest.mark.parametrize("name", ["opml-laughs.opml", "opml-xxe.opml"])
def test_opml_with_entities_is_refused(name: str, tmp_path: Path,
                                       feed_server: FeedServer) -> None:
    for trap in TRAPS:
        feed_server.add(trap, MARKER, content_type="text/plain")
    body = armed(name, feed_server, tmp_path / "secret.txt")
    started = time.monotonic()
    with pytest.raises(OpmlError, match="entities"):
        parse_opml(body)
    assert time.monotonic() - started < 1
    opml = tmp_path / name
    opml.write_bytes(body)
    for args in (["fetch", "--opml", str(opml)], ["--project", str(tmp_path / "p"), "feeds",
                                                  "import", str(opml)]):
        if "import" in args:
            (tmp_path / "p").mkdir(exist_ok=True)
            (tmp_path / "p" / "digest.toml").write_text('title = "p"\n')
        done = subprocess.run([sys.executable, "-m", "digest", "--db",
                               str(tmp_path / "c.sqlite"), *args], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "entities" in lines[0] and name in lines[0], done.stderr
    assert feed_server.requests == []


# --- generated documents ---------------------------------------------------------

def rss(items: str, head: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel>'
            f"<title>t</title><link>https://example.org/</link>{items}</channel></rss>"
            ).encode()


def item(inner: str) -> str:
    return f"<item><title>x</title><link>https://example.org/1</link>{inner}</item>"


GENERATED = {
    # One 50 KB entity used 20,000 times: a gigabyte if expanded.
    "quadratic blowup": lambda: rss(
        item("<description>" + "&big;" * 20_000 + "</description>"),
        '<!DOCTYPE rss [<!ENTITY big "' + "A" * 50_000 + '">]>'),
    "elements nested 30,000 deep": lambda: rss(item("<x>" * 30_000 + "</x>" * 30_000)),
    "elements nested 20,000 deep, never closed": lambda: rss(item("<x>" * 20_000)),
    "HTML nested 200,000 deep": lambda: rss(item(
        "<description>" + "&lt;div&gt;" * 200_000 + "x</description>")),
    "lists nested 200,000 deep": lambda: rss(item(
        "<description><![CDATA[" + "<ul><li>" * 200_000 + "x]]></description>")),
    "JSON nested 200,000 deep": lambda: (b'{"version":"https://jsonfeed.org/version/1.1",'
                                         b'"items":' + b"[" * 200_000 + b"]" * 200_000 + b"}"),
    "JSON Feed HTML nested 200,000 deep": lambda: json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "items": [{
            "id": "1", "url": "https://example.org/1", "title": "x",
            "content_html": "<blockquote>" * 200_000}]}).encode(),
    "fields of megabytes": lambda: rss(
        "<item><title>" + "T" * 4_000_000 + "</title><link>https://example.org/"
        + "l" * 1_000_000 + "</link><author>" + "a " * 500_000 + "</author><description>"
        + "W" * 3_000_000 + "</description></item>"),
    "an attribute of 5 MB": lambda: rss(item(
        '<enclosure url="https://example.org/' + "u" * 5_000_000 + '" type="audio/mpeg"/>')),
    "100,000 attributes": lambda: rss(item(
        "<x " + " ".join(f'a{i}="v"' for i in range(100_000)) + "/>")),
    "an item of 1,000,000 empty elements": lambda: rss(item("<x/>" * 1_000_000)),
    "10,000 items": lambda: rss("".join(
        f"<item><title>t{i}</title><link>https://example.org/{i}</link></item>"
        for i in range(10_000))),
}


class ParseWorker:
    """``tests.hostile.parse_worker`` in a subprocess, restarted after a kill."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.proc: subprocess.Popen[str] | None = None

    def parse(self, body: bytes, timeout: float) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.hostile.parse_worker"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, cwd=REPO)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        path = self.tmp / "body"
        path.write_bytes(body)
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        if not select.select([self.proc.stdout], [], [], timeout + 5)[0]:
            self.close()
            pytest.fail(f"parsing {len(body):,} bytes took more than {timeout:g} s")
        line = self.proc.stdout.readline()
        assert line, "the parser process died"
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            self.proc = None


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParseWorker]:
    running = ParseWorker(tmp_path_factory.mktemp("parse"))
    yield running
    running.close()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_attacks_parse_in_bounded_time_and_memory(name: str,
                                                           worker: ParseWorker) -> None:
    body = GENERATED[name]()
    size_mb = len(body) / 2**20
    # Ordinary feeds parse at 1-3 MB/s here; a tenth of that is the floor.
    bound = 3 + 10 * size_mb
    result = worker.parse(body, timeout=bound)
    assert result["seconds"] < bound, result
    assert result["peak_rss_mb"] < 400, result
    assert result["entries"] >= 1 or result["error"], result
    assert "parser failed" not in result["error"]


def test_parse_time_grows_linearly_with_the_number_of_categories(worker: ParseWorker) -> None:
    def cats(n: int) -> bytes:
        return rss(item("".join(f"<category>c{i}</category>" for i in range(n))))

    small = worker.parse(cats(2_000), timeout=60)
    large = worker.parse(cats(8_000), timeout=60)
    assert large["categories"] == 8_000
    # Four times the input: a linear parser takes about four times as long.
    assert large["seconds"] < 6 * max(small["seconds"], 0.05), (small, large)
