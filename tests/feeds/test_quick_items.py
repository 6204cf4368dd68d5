"""Items read in one go must give the entry the port gives, event by event.

``fastparse`` reads an item of the usual shape straight from its subtree
(``_quick_item``) and replays any other through its port of feedparser. The
two must agree on everything digest reads of an entry, whatever the order of
the item's children: feedparser's rules depend on it (a permalink guid is the
link only if no link came first; the first non-empty title wins; a second
summary is the content). Each document is read twice, with and without the
quick reader, and the entries compared key by key.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.feeds import fastparse
from tests.corpus import CORPUS

#: What parse.py reads of an entry made by either reader.
READ = ("title", "title_detail", "link", "id", "guidislink", "summary", "summary_detail",
        "content", "author", "author_detail", "authors", "published_parsed",
        "updated_parsed", "created_parsed", "tags", "source")

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []
REAL = [p for p in FILES if p.relative_to(CORPUS).parts[0] == "real"]


def _read(body: bytes, quick: bool, url: str = "https://example.org/feed"
          ) -> tuple[fastparse.FastFeed | None, int]:
    """The fast reader's result, and how many items it read in one go."""
    taken = 0
    real = fastparse._quick_item

    def counted(walker: Any, item: Any) -> dict[str, Any] | None:
        nonlocal taken
        entry = real(walker, item) if quick else None
        taken += entry is not None
        return entry

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastparse, "_quick_item", counted)
        return fastparse.parse(body, url, {}), taken


def _differences(quick: fastparse.FastFeed | None, port: fastparse.FastFeed | None
                 ) -> Iterator[str]:
    if quick is None or port is None:
        if (quick is None) != (port is None):
            yield f"one reader refused the document: quick {quick is None}, port {port is None}"
        return
    if quick.feed != port.feed:
        yield f"feed: {quick.feed!r} != {port.feed!r}"
    if len(quick.entries) != len(port.entries):
        yield f"entry count: {len(quick.entries)} != {len(port.entries)}"
    for n, (a, b) in enumerate(zip(quick.entries, port.entries, strict=False)):
        for key in READ:
            if a.get(key) != b.get(key):
                yield f"entries[{n}].{key}: quick {a.get(key)!r}\n    port  {b.get(key)!r}"


def _check(body: bytes, url: str = "https://example.org/feed") -> int:
    quick, taken = _read(body, True, url)
    port, _ = _read(body, False, url)
    problems = list(_differences(quick, port))
    assert not problems, "\n  ".join(problems[:10])
    return taken


# --- every corpus file --------------------------------------------------------------


@pytest.mark.skipif(not FILES, reason=f"feed corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_quick_items_give_the_ports_entries(path: Path) -> None:
    _check(path.read_bytes(), "https://feeds.example.org/" + path.name)


@pytest.mark.skipif(not REAL, reason=f"feed corpus not found at {CORPUS}")
def test_most_items_of_real_feeds_are_read_in_one_go() -> None:
    """The comparison above only means something while most items take the quick way."""
    quick = items = 0
    for path in REAL:
        body = path.read_bytes()
        feed, taken = _read(body, True)
        if feed is not None:
            quick += taken
            items += len(feed.entries)
    print(f"\n{quick} of {items} items of real/ read in one go")
    assert quick >= 0.75 * items  # 1,384 of 1,711 when written


# --- the rules that depend on order, one by one -------------------------------------

RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
       'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
       'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
       'xmlns:media="http://search.yahoo.com/mrss/">'
       '<channel><title>T</title>'
       '<link>https://example.org/</link>{items}</channel></rss>')
ATOM = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:media="http://search.yahoo.com/mrss/" '
        'xml:base="https://example.org/blog/"><title>T</title>'
        '<link href="/"/><id>tag:example.org,2026:feed</id>{items}</feed>')

RSS_ITEMS = {
    "guid before link": '<guid>https://example.org/a</guid><link>https://example.org/b</link>',
    "link before guid": '<link>https://example.org/b</link><guid>https://example.org/a</guid>',
    "guid not a permalink": '<guid isPermaLink="false">x-1</guid><title>A</title>',
    "relative link": "<link>/posts/1?a=1&amp;amp;b=2</link>",
    "empty title then a title": "<title></title><title>Second</title>",
    "two titles": "<title>First</title><title>Second</title>",
    "html-looking title": "<title>A &lt;b&gt;bold&lt;/b&gt; move</title>",
    "description then content": ("<description>&lt;p&gt;Short&lt;/p&gt;</description>"
                                 "<content:encoded><![CDATA[<p>Long</p>]]></content:encoded>"),
    "content then description": ("<content:encoded><![CDATA[<p>Long</p>]]></content:encoded>"
                                 "<description>Short</description>"),
    "two descriptions": "<description>One</description><description>Two</description>",
    "plain text description": '<description type="text/plain">a &amp; b</description>',
    "author with email": "<author>ann@example.org (Ann Example)</author>",
    "creator and author": "<dc:creator>Bob</dc:creator><author>ann@example.org</author>",
    "categories": ('<category>b</category><category domain="x">a</category>'
                   '<category>b</category><category/>'),
    "dates": ("<pubDate>Tue, 04 Jun 2024 10:00:00 +0200</pubDate>"
              "<dc:date>2024-06-05T01:02:03Z</dc:date><pubDate>nonsense</pubDate>"),
    "source": '<source url="https://blog.example.org/feed">A Blog</source><title>P</title>',
    "title after source": '<title>One</title><source url="u">S</source><title>Two</title>',
    "enclosure and unknown elements": ('<enclosure url="https://e/x.mp3" length="1" '
                                       'type="audio/mpeg"/><comments>/c</comments>'
                                       '<wfw:commentRss>/r</wfw:commentRss>'),
    "atom link in rss": ('<atom:link href="https://example.org/self" rel="self"/>'
                         '<atom:link href="/alt" rel="alternate"/>'),
    "keywords": ("<itunes:keywords>a, b,,c</itunes:keywords><category>a</category>"
                 "<media:keywords>d,a</media:keywords>"),
    "media and itunes leaves": ('<media:title>M</media:title><title>T</title>'
                                '<media:thumbnail url="/t.png"/><media:content url="/v.mp4"/>'
                                '<media:description>D</media:description>'
                                '<itunes:summary>S</itunes:summary><itunes:explicit>no'
                                '</itunes:explicit><dc:rights>r</dc:rights>'
                                '<media:category>c</media:category>'),
    "media content with credits": ('<media:content url="https://e.example/v.mp4" '
                                   'type="video/mp4"><media:credit role="author">Ann'
                                   '</media:credit><media:thumbnail url="/t.png"/>'
                                   "</media:content><title>With media</title>"),
    "namespaces declared inside the item": ('<creator xmlns="http://purl.org/dc/elements/1.1/">'
                                            'Ann</creator><x:rank xmlns:x="urn:x">3</x:rank>'
                                            '<title xmlns:y="urn:y">Declared</title>'),
    "mis-decoded utf-8": "<title>cafÃ©</title><description>Ã©tÃ© \x85</description>",
    "latin-1 text": "<title>café crème</title><description>naïve Ã© \x85</description>",
    "mis-decoded, then not": "<title>cafÃ© café</title><description>cafÃ</description>",
}
ATOM_ENTRIES = {
    "id doubles as link": "<id>https://example.org/p/1</id><title>A</title>",
    "link then id": '<link href="p/2"/><id>tag:x,2026:2</id>',
    "links by rel": ('<link rel="self" href="s"/><link rel="alternate" type="text/html" '
                     'href="a"/><link rel="enclosure" href="e"/><link href="b"/>'),
    "person": ("<author><name>Ann</name><email>ann@example.org</email>"
               "<uri>/ann</uri></author><author><name>Bob</name></author>"),
    "author without name": "<author><email>x@example.org</email></author>",
    "summary and content": ('<summary type="text">Short &amp; plain</summary>'
                            '<content type="html">&lt;p&gt;Long&lt;/p&gt;</content>'),
    "content then summary": ('<content type="html">&lt;p&gt;Long&lt;/p&gt;</content>'
                             '<summary>Short</summary>'),
    "two summaries": "<summary>One</summary><summary>Two</summary>",
    "inline xhtml": ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                     '<p>Hi <b>there</b> &amp; <img src="i.png"/></p></div></content>'),
    "inline xhtml, an empty div": ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/'
                                   'xhtml"/></content><title>After</title>'),
    "xhtml summary": ('<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                      "<p>Short <em>one</em></p></div></summary><title>T</title>"),
    "xhtml summary, then another": ('<summary>Plain</summary><summary type="xhtml"><div '
                                    'xmlns="http://www.w3.org/1999/xhtml"><p>Second</p></div>'
                                    "</summary>"),
    "a link holding media": ('<link rel="enclosure" type="video/mp4" href="v.mp4">'
                             '<media:content url="v.mp4"/></link><link href="p/9"/>'),
    "content with src": '<content type="text/html" src="/body">x</content>',
    "html title": '<title type="html">A &amp;amp; B &lt;em&gt;now&lt;/em&gt;</title>',
    "categories": '<category term="a" scheme="s"/><category term="a" scheme="s"/>',
    "dates": ("<published>2024-06-04T10:00:00+02:00</published>"
              "<updated>2024-06-05T10:00:00Z</updated>"),
    "planet source": ('<title>Before</title><source><title>A Blog</title><title>Again</title>'
                      '<link href="https://blog.example/" rel="alternate"/>'
                      '<link href="https://blog.example/feed" rel="self"/>'
                      '<id>https://blog.example/feed</id><updated>2024-06-01T00:00:00Z</updated>'
                      '<author><name>Ann</name><uri>/ann</uri></author></source><title>After'
                      '</title>'),
    "source with only an id": "<source><id>https://blog.example/feed</id></source>",
    "xml:base on children": ('<link href="p/3" xml:base="/other/"/><content type="html" '
                             'xml:base="https://elsewhere.example/x/">&lt;a href="y"&gt;y&lt;/a&gt;'
                             '</content><id xml:base="/ids/">7</id>'),
}


def _rss(item: str) -> bytes:
    return RSS.format(items=f"<item>{item}</item><item><title>Next</title></item>").encode()


def _atom(entry: str) -> bytes:
    return ATOM.format(items=f"<entry>{entry}</entry><entry><title>Next</title></entry>"
                       ).encode()


@pytest.mark.parametrize("item", RSS_ITEMS.values(), ids=RSS_ITEMS.keys())
def test_an_rss_item_read_in_one_go_is_the_ports(item: str) -> None:
    assert _check(_rss(item)) == 2


@pytest.mark.parametrize("entry", ATOM_ENTRIES.values(), ids=ATOM_ENTRIES.keys())
def test_an_atom_entry_read_in_one_go_is_the_ports(entry: str) -> None:
    assert _check(_atom(entry)) == 2


def test_a_namespace_declared_inside_inline_xhtml_is_dropped_in_a_replay_as_when_streamed(
) -> None:
    """The walker drops declarations inside inline XHTML; replaying a held item must too,
    or the default namespace of an empty ``<div xmlns=…/>`` would be bound at the next
    element and refuse the whole document."""
    body = _atom('<source><generator>g</generator></source>'  # a shape the port reads
                 '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"/></content>')
    port, _ = _read(body, False)
    assert port is not None and len(port.entries) == 2
    assert _check(body) == 1


def test_rss_1_0_items_named_by_rdf_about_are_read_in_one_go() -> None:
    body = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            b'<channel rdf:about="https://example.org/"><title>T</title></channel>'
            b'<item rdf:about="https://example.org/1"><title>One</title><dc:date>2024-06-01'
            b'</dc:date></item><item rdf:about="https://example.org/2"><link>/2</link></item>'
            b"</rdf:RDF>")
    assert _check(body) == 2


def test_an_item_of_another_shape_is_replayed_through_the_port() -> None:
    """A child with markup inside, or a namespace declared in the item: the port reads it."""
    for item in ('<title>A</title><media:group><media:title>x</media:title></media:group>',
                 '<title>A</title><category><b>x</b></category>'):
        quick, taken = _read(_rss(item), True)
        assert quick is not None and taken == 1  # only the plain second item
        assert not list(_differences(quick, _read(_rss(item), False)[0]))


# --- items too big to hold ----------------------------------------------------------


def _parse_feed_both(body: bytes) -> tuple[Any, Any]:
    """parse_feed as digest runs it, and with the fast path off (feedparser alone)."""
    from digest.feeds.parse import parse_feed

    fast = parse_feed(body, "https://example.org/feed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastparse, "parse", lambda *args: None)
        slow = parse_feed(body, "https://example.org/feed")
    return fast, slow


def test_an_item_too_big_to_hold_is_read_as_it_comes_in_bounded_memory() -> None:
    """300,000 empty elements in one item (1.8 MB): held whole, they took 67 MB and a
    replay that removed them one by one from a list as long; now the item is let go of
    past _HOLD_MOST elements and streamed like any other."""
    import tracemalloc

    body = _rss("<title>T</title>" + "<foo/>" * 300_000 + "<link>https://x.example/1</link>")
    tracemalloc.start()
    try:
        feed = fastparse.parse(body, "https://example.org/feed", {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert feed is not None
    assert [(e.get("title"), e.get("link")) for e in feed.entries] == [
        ("T", "https://x.example/1"), ("Next", None)]
    assert peak < 15_000_000, f"{peak / 1e6:.1f} MB"


def test_an_item_let_go_of_inside_inline_xhtml_gives_feedparsers_entry() -> None:
    """Let go of in the middle of its XHTML content, with elements still open at
    three levels, the entry still comes out as feedparser has it."""
    paragraphs = "".join(f"<p>Para <b>{n}</b></p>" for n in range(fastparse._HOLD_MOST))
    body = _atom('<title>Big</title><content type="xhtml"><div xmlns="http://www.w3.org/'
                 f'1999/xhtml">{paragraphs}</div></content><link href="after"/>')
    fast, slow = _parse_feed_both(body)
    assert fastparse.parse(body, "https://example.org/feed", {}) is not None
    assert fast == slow
    assert fast.entries[0].link == "https://example.org/blog/after"
    assert "<p>Para <b>2047</b></p>" in fast.entries[0].content_html
