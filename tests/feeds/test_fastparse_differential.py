"""fastparse and feedparser must give digest the same feed, file for file.

``parse_feed`` reads well-formed XML with ``digest.feeds.fastparse`` and hands
everything else to feedparser. The two must agree exactly: a feed read by
one reader this week and by the other next week must keep its entry ids,
links, dates and bodies, or posts come back as duplicates. So every file of
the shared corpus is parsed twice, once as usual and once with the fast path
switched off, and the two ``ParsedFeed`` results are compared field by field.

The comparison is only meaningful while the fast path actually reads most
real feeds, so the share of ``real/`` it takes is pinned from below too: a
change that quietly makes it refuse everything fails here instead of just
making digest slower.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from feedparser.datetimes import _parse_date

from digest.feeds import fastparse, port
from digest.feeds.parse import ParsedFeed, parse_feed
from digest.model import Entry
from digest.textclean import BODY_CHARS, html_text, html_to_text, search_text
from tests.corpus import CORPUS

NOW = dt.datetime(2026, 6, 7, 12, 0, tzinfo=dt.UTC)


if not CORPUS.is_dir():
    pytest.skip(
        f"feed corpus not found at {CORPUS} (set DIGEST_CORPUS to its directory)",
        allow_module_level=True,
    )

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file())
REAL = [p for p in FILES if p.relative_to(CORPUS).parts[0] == "real"]

# Measured on the corpus as it is (77 of 101 files, 91% of the bytes of real/;
# 317 of 419 files overall). The bounds sit a little below that so that a
# small change in what the port accepts passes but "refuses everything" fails.
MIN_REAL_FILES = 70
MIN_REAL_BYTE_SHARE = 0.85
MIN_ALL_FILES = 290

# feedparser's own test files state the HTTP headers they were written for.
_HEADER = re.compile(rb"^[ \t]*Header:[ \t]*([A-Za-z-]+):[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)

_real_fastparse = fastparse.parse


def _request_for(path: Path, body: bytes) -> tuple[str, str]:
    """(url, content_type) the file is read with."""
    url = "https://feeds.example.org/" + path.relative_to(CORPUS).as_posix()
    content_type = ""
    for name, value in _HEADER.findall(body[:4096]):
        if name.lower() == b"content-type":
            content_type = value.decode("latin-1")
        elif name.lower() == b"content-location":
            url = urljoin(url, value.decode("latin-1"))
    return url, content_type


@dataclasses.dataclass
class _Run:
    fast: ParsedFeed  # parse_feed as digest runs it
    slow: ParsedFeed  # parse_feed with fastparse switched off: feedparser only
    took_fast_path: bool
    fast_path_asked: bool  # parse_feed reached the fast path at all


@functools.cache
def _run(path: Path) -> _Run:
    """Both parses of one file (cached: the coverage tests reuse them)."""
    body = path.read_bytes()
    url, content_type = _request_for(path, body)
    taken: list[bool] = []

    def spy(*args: Any) -> fastparse.FastFeed | None:
        result = _real_fastparse(*args)
        taken.append(result is not None)
        return result

    def refuse(*args: Any) -> None:
        refused.append(True)
        return None

    refused: list[bool] = []
    # parse.py calls ``fastparse.parse`` through the module, so patching the
    # module attribute is what switches its fast path on and off.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastparse, "parse", spy)
        fast = parse_feed(body, url, content_type=content_type, now=NOW)
        mp.setattr(fastparse, "parse", refuse)
        slow = parse_feed(body, url, content_type=content_type, now=NOW)
    assert bool(taken) == bool(refused), "the two runs took different routes"
    return _Run(fast, slow, any(taken), bool(taken))


# --- readable differences --------------------------------------------------------


def _show(a: Any, b: Any) -> str:
    """Both values, cut around the first difference when they are long strings."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 160:
        i = next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        if i is None:
            i = min(len(a), len(b))
        start = max(0, i - 60)
        return (
            f"first difference at char {i} (lengths {len(a)} / {len(b)})\n"
            f"      fastparse:  …{a[start : i + 100]!r}\n"
            f"      feedparser: …{b[start : i + 100]!r}"
        )
    return f"\n      fastparse:  {a!r}\n      feedparser: {b!r}"


def _differences(fast: ParsedFeed, slow: ParsedFeed) -> Iterator[str]:
    for name in ("title", "site_url", "error", "warning", "feed_links"):
        a, b = getattr(fast, name), getattr(slow, name)
        if a != b:
            yield f"feed.{name}: {_show(a, b)}"
    if len(fast.entries) != len(slow.entries):
        yield f"entry count: fastparse {len(fast.entries)}, feedparser {len(slow.entries)}"
    for n, (x, y) in enumerate(zip(fast.entries, slow.entries, strict=False)):
        for f in dataclasses.fields(Entry):
            a, b = getattr(x, f.name), getattr(y, f.name)
            if a != b:
                yield f"entries[{n}].{f.name} ({y.link or y.guid or y.title}): {_show(a, b)}"


def _explain(path: Path, lines: list[str], limit: int = 12) -> str:
    shown = "\n  ".join(lines[:limit])
    more = f"\n  … and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{path.relative_to(CORPUS)}: fastparse and feedparser disagree\n  {shown}{more}"


# --- the tests -----------------------------------------------------------------------


def _ids(p: Path) -> str:
    return p.relative_to(CORPUS).as_posix()


@pytest.mark.parametrize("path", FILES, ids=_ids)
def test_fast_path_gives_what_feedparser_gives(path: Path) -> None:
    run = _run(path)
    lines = list(_differences(run.fast, run.slow))
    if lines:
        pytest.fail(_explain(path, lines), pytrace=False)
    # ParsedFeed equality covers every field, including any added later.
    assert run.fast == run.slow, _explain(path, ["ParsedFeed differs outside the compared fields"])


@pytest.mark.parametrize("path", FILES, ids=_ids)
def test_html_text_matches_html_to_text(path: Path) -> None:
    """``html_text`` (the preview's text of a body) is ``html_to_text``, faster."""
    check = html_text
    bad = []
    for n, entry in enumerate(_run(path).slow.entries):
        for name in ("summary_html", "content_html"):
            html = getattr(entry, name)
            if html and check(html) != html_to_text(html):
                bad.append(f"entries[{n}].{name}: {_show(check(html), html_to_text(html))}")
    if bad:
        pytest.fail(
            _explain(path, bad).replace("fastparse and feedparser", "the html helpers"),
            pytrace=False,
        )


_WORDS = re.compile(r"\w+")
_MARKUP_AS_TEXT = re.compile(r"<[!/?a-zA-Z]")


@pytest.mark.parametrize("path", FILES, ids=_ids)
def test_the_search_text_has_the_words_of_the_readable_text(path: Path) -> None:
    """The index (``search_text``) and the preview (``html_to_text``) see the same words.

    Ordered lists are compared as unordered ones: the preview numbers their
    items. Where html.parser gave up on a tag and shows it as text, the
    preview's words are not a post's words, and the body is not compared.
    """
    bad = []
    for n, entry in enumerate(_run(path).slow.entries):
        for name in ("summary_html", "content_html"):
            html = re.sub(r"(?i)<(/?)ol\b", r"<\1ul", getattr(entry, name))
            readable = html_to_text(html)
            if _MARKUP_AS_TEXT.search(readable):
                continue
            if _WORDS.findall(search_text(html)) != _WORDS.findall(readable):
                bad.append(f"entries[{n}].{name}: {_show(search_text(html), readable)}")
    if bad:
        pytest.fail(_explain(path, bad).replace("fastparse and feedparser", "the two texts"),
                    pytrace=False)


def _coverage(paths: list[Path]) -> tuple[int, int, int]:
    """(files that took the fast path, their bytes, bytes of all files)."""
    took = [p for p in paths if _run(p).took_fast_path]
    return len(took), sum(p.stat().st_size for p in took), sum(p.stat().st_size for p in paths)


def test_fast_path_reads_most_real_feeds() -> None:
    files, took_bytes, all_bytes = _coverage(REAL)
    print(
        f"\nfast path took {files}/{len(REAL)} files of real/, "
        f"{took_bytes:,}/{all_bytes:,} bytes ({took_bytes / all_bytes:.1%})"
    )
    assert files >= MIN_REAL_FILES
    assert took_bytes >= MIN_REAL_BYTE_SHARE * all_bytes


def test_fast_path_reads_most_of_the_corpus() -> None:
    files, took_bytes, all_bytes = _coverage(FILES)
    asked = sum(1 for p in FILES if _run(p).fast_path_asked)
    print(
        f"\nfast path took {files}/{len(FILES)} corpus files ({asked} reached it), "
        f"{took_bytes:,}/{all_bytes:,} bytes ({took_bytes / all_bytes:.1%})"
    )
    assert files >= MIN_ALL_FILES


# --- posts larger than digest keeps ----------------------------------------------


def _huge_posts_feed(posts: int, chars: int) -> bytes:
    """An RSS feed of ``posts`` posts, each ``chars`` characters of escaped HTML.

    Each post holds one character outside the Basic Multilingual Plane, as
    real posts with emoji do: Python then stores the whole string at four
    bytes a character.
    """
    para = ("&lt;p&gt;Some text of a very long post 🐍 with a "
            "&lt;a href=&quot;/x&quot;&gt;link&lt;/a&gt;.&lt;/p&gt;\n")
    body = para * (chars // len(para) + 1)
    items = "".join(
        f"<item><title>Post {n}</title><link>https://example.org/{n}</link>"
        f"<description>Short {n}</description><content:encoded>{body}</content:encoded></item>"
        for n in range(posts)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Huge</title><link>https://example.org/</link>{items}</channel></rss>"
    ).encode()


def _read_by_both(monkeypatch: pytest.MonkeyPatch, doc: bytes, url: str) -> ParsedFeed:
    """parse_feed's result with the fast path, checked equal to its result without it."""
    monkeypatch.setattr(fastparse, "parse", _real_fastparse)
    fast = parse_feed(doc, url, now=NOW)
    monkeypatch.setattr(fastparse, "parse", lambda *args: None)
    slow = parse_feed(doc, url, now=NOW)
    monkeypatch.setattr(fastparse, "parse", _real_fastparse)
    assert list(_differences(fast, slow)) == []
    return fast


def test_a_post_larger_than_digest_keeps_is_cut_the_same_way_by_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = _huge_posts_feed(2, 4 * BODY_CHARS)
    fast = _read_by_both(monkeypatch, body, "https://example.org/feed")
    assert len(fast.entries) == 2
    for entry in fast.entries:
        assert len(entry.content_html) <= BODY_CHARS
        assert entry.content_html.endswith("[…]")
        kept = entry.content_html[: -len(" […]")]
        assert kept.rfind("<") < kept.rfind(">")  # not cut inside a tag
        assert '<a href="/x">link</a>' in entry.content_html  # kept as the feed sent it
        words = search_text(entry.content_html)  # what the store will index
        assert words.startswith("Some text of a very long post 🐍 with a link.")
        assert words.endswith("[…]") and len(words) <= BODY_CHARS


def test_a_feed_of_huge_posts_is_never_held_whole_in_memory() -> None:
    """Twenty 500,000-character posts: 40 MB as Python strings, were they all kept.

    The document is read a chunk at a time and each post leaves the tree
    once read, and each is cut to BODY_CHARS as it is read, so the parse
    holds one post at a time and what is kept of the others.
    """
    body = _huge_posts_feed(20, 500_000)
    assert fastparse.parse(body, "https://example.org/feed", {}) is not None  # the fast path
    tracemalloc.start()
    try:
        parsed = parse_feed(body, "https://example.org/feed", now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parsed.entries) == 20
    kept = sum(4 * (len(e.content_html) + len(e.text)) for e in parsed.entries)
    assert peak < kept + 12_000_000, f"peak {peak / 1e6:.1f} MB for {kept / 1e6:.1f} MB kept"


def test_a_doctype_naming_an_external_dtd_is_read_by_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RSS 0.91's Netscape DOCTYPE: feedparser drops it before parsing, and so does the
    fast path; one with entity declarations is still feedparser's to rewrite."""
    doc = (b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
           b'0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
           b'<rss version="0.91"><channel><title>Old</title><link>https://old.example/</link>'
           b"<item><title>First</title><link>https://old.example/1</link>"
           b"<description>It &amp; works</description></item></channel></rss>")
    assert fastparse.parse(doc, "https://old.example/rss", {}) is not None
    fast = _read_by_both(monkeypatch, doc, "https://old.example/rss")
    assert [e.title for e in fast.entries] == ["First"]
    with_entity = doc.replace(b'rss-0.91.dtd">', b'rss-0.91.dtd" [<!ENTITY x "y">]>')
    assert fastparse.parse(with_entity, "https://old.example/rss", {}) is None


def test_inline_xhtml_with_xml_attributes_is_read_by_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``xml:lang`` on a paragraph of an Atom XHTML body is common; feedparser writes such
    attributes back as ``xml:lang="…"``, and so must the fast path, or every such feed is
    left to feedparser at ten times the cost. Two names equal but for case are one."""
    doc = (b'<?xml version="1.0" encoding="utf-8"?>\n'
           b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Blog</title>'
           b'<link href="https://blog.example/"/>'
           b'<entry><title>Hallo</title><id>tag:blog.example,2026:1</id>'
           b'<link href="https://blog.example/1"/><updated>2026-06-01T10:00:00Z</updated>'
           b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
           b'<p xml:lang="de" Class="A" class="B">Hallo <a href="/b" xml:lang="fr">Welt</a></p>'
           b'<pre xml:space="preserve" REL="NoFollow">x  y</pre></div></content></entry></feed>')
    url = "https://blog.example/feed.atom"
    read = fastparse.parse(doc, url, {"content-location": url})
    assert read is not None
    fast = _read_by_both(monkeypatch, doc, url)
    assert fast.entries[0].content_html == (
        '<p xml:lang="de" class="B">Hallo <a href="/b" xml:lang="fr">Welt</a></p>'
        '<pre xml:space="preserve" rel="nofollow">x  y</pre>')


@pytest.mark.parametrize("inner", [
    b"<fileName>show.torrent</fileName><infoHash>AB12</infoHash>",
    b"<title>Inner title</title><link>https://torrents.example/inner</link>",
])
def test_elements_in_an_unknown_default_namespace_are_read_by_the_fast_path(
    monkeypatch: pytest.MonkeyPatch, inner: bytes,
) -> None:
    """ezRSS puts a ``<torrent xmlns="…">`` in each item. feedparser names its children
    without a prefix, as if they were RSS's own (a ``<title>`` in it is a title), and so
    must the fast path; it left such feeds to feedparser."""
    doc = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           b"<title>ezRSS</title><link>https://torrents.example/</link>"
           b"<item><title>Show 9x13</title><link>https://torrents.example/1</link>"
           b"<pubDate>Wed, 28 Sep 2011 20:38:21 -0500</pubDate>"
           b'<torrent xmlns="http://xmlns.ezrss.it/0.1/">' + inner + b"</torrent>"
           b"<description>Episode 13</description></item>"
           b"<item><title>Show 9x14</title><link>https://torrents.example/2</link></item>"
           b"</channel></rss>")
    url = "https://torrents.example/feed"
    assert fastparse.parse(doc, url, {"content-location": url}) is not None
    fast = _read_by_both(monkeypatch, doc, url)
    assert [e.title for e in fast.entries] == ["Show 9x13", "Show 9x14"]


# Characters a body may spell with references that the terminal must never see, or that
# feedparser reads its own way first (C1 as cp1252): CR, NEL, an unassigned C1, DEL,
# the line separator, RLO and LRI.
_SPELLED = "a&#13;b&#x85;c&#x81;d&#x7f;e&#x2028;f&#x202E;g&#x2066;h"
_UNSAFE_BODY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("item", [
    f"<description>{_SPELLED}</description>",
    f"<description>one</description><description>{_SPELLED}</description>",
    f"<content:encoded>{_SPELLED}</content:encoded><description>s {_SPELLED}</description>",
    f"<media:description>{_SPELLED}</media:description>",
    f"<itunes:summary>{_SPELLED}</itunes:summary>",
    f"<description>{_SPELLED}</description><category>x</category><category>y</category>"
    "<source url='https://other.example/feed'>Other</source><bogus><x>nested</x></bogus>",
], ids=["description", "two", "content", "media", "itunes", "replayed"])
def test_bodies_the_fast_path_cleans_are_what_parse_feed_cleans(
    monkeypatch: pytest.MonkeyPatch, item: str,
) -> None:
    """The fast path cleans an entry's body where it reads C1 controls as cp1252, so the
    body is scanned once; every way a body comes out of it must be cleaned, and equal to
    what parse_feed makes of feedparser's."""
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:media="http://search.yahoo.com/mrss/" '
           'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
           f"<title>T</title><link>https://blog.example/</link><item><title>P</title>"
           f"<link>https://blog.example/1</link>{item}</item></channel></rss>").encode()
    url = "https://blog.example/feed"
    assert fastparse.parse(doc, url, {"content-location": url}) is not None
    fast = _read_by_both(monkeypatch, doc, url)
    (entry,) = fast.entries
    body = entry.content_html or entry.summary_html
    assert "…" in body and "a\nb" in body
    for value in (entry.content_html, entry.summary_html):
        assert not _UNSAFE_BODY.search(value), value


def test_atom_bodies_the_fast_path_cleans_are_what_parse_feed_cleans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           "<title>T</title><link href='https://blog.example/'/>"
           f"<entry><title>1</title><id>tag:x,1</id><summary>{_SPELLED}</summary>"
           f"<content type='html'>{_SPELLED}</content></entry>"
           "<entry><title>2</title><id>tag:x,2</id><content type='xhtml'>"
           f"<div xmlns='http://www.w3.org/1999/xhtml'><p>{_SPELLED}</p></div></content>"
           "</entry></feed>").encode()
    url = "https://blog.example/feed.atom"
    assert fastparse.parse(doc, url, {"content-location": url}) is not None
    fast = _read_by_both(monkeypatch, doc, url)
    assert len(fast.entries) == 2
    for entry in fast.entries:
        assert "…" in entry.content_html
        for value in (entry.content_html, entry.summary_html):
            assert not _UNSAFE_BODY.search(value), value


@pytest.mark.parametrize("value", [
    "2024-06-04T10:00:00Z", "2024-06-04t10:00:00z", "2024-06-04T10:00:00.123456Z",
    "2024-06-04T10:00:00+02:00", "2024-06-04T23:30:00-05:30", "2024-12-31T23:59:59-01:00",
    "2024-13-04T10:00:00Z", "2024-06-04T24:00:00Z", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "2024-02-30T10:00:00Z", "2024-06-04T10:00:60Z",
    "2024-06-04T10:00:00-00:00", "2024-06-04T10:00:00+99:99", "2000-02-29T12:00:00+12:45",
    "2024-06-04T10:00:00+0200", "2024-06-04T10:00:00", "2024-06-04 10:00:00Z",
    "\u0662\u0660\u0662\u0664-06-04T10:00:00Z",
])
def test_the_usual_w3c_date_is_read_as_feedparser_reads_it(value: str) -> None:
    """The port reads the full W3C date itself; out-of-range fields, overflows and other
    shapes go to feedparser's readers in feedparser's order."""
    ours, theirs = port._date(value), _parse_date(value)
    assert (tuple(ours) if ours else ours) == (tuple(theirs) if theirs else theirs)
