"""parse_feed behaviour: planets, dedupe keys, dates, hostile text, broken bodies."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import subprocess
import sys
import textwrap
import tracemalloc
import zlib
from pathlib import Path

import pytest

from digest.feeds.parse import MAX_DECOMPRESSED, ParsedFeed, entry_key, parse_feed
from digest.textclean import clean_line, clean_text, html_to_text, search_text
from tests.corpus import CORPUS, REPO

NOW = dt.datetime(2026, 6, 7, 12, 0, tzinfo=dt.UTC)
REAL = CORPUS / "real"

needs_corpus = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"feed corpus not found at {CORPUS} (set DIGEST_CORPUS)"
)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def parse(body: str | bytes, url: str = "https://example.org/feed.xml", **kw: str) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_feed(data, url, now=NOW, **kw)


def rss(items: str, title: str = "Example blog", extra_ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {extra_ns}><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{items}</channel></rss>"
    )


# --- planets ---------------------------------------------------------------------


@needs_corpus
def test_planet_rss_splits_author_from_title() -> None:
    result = parse((REAL / "pythonbrasil-planet/rss20.xml").read_bytes())
    assert result.title == "Planeta PythonBrasil"
    assert len(result.entries) == 60
    first = result.entries[0]
    assert first.title == "Building and Publishing Games to Steam Directly from GitHub Actions"
    assert first.author == "Rodrigo Delduca"
    assert first.source_title == "Rodrigo Delduca"
    # No <author> on this item: the "Name: " prefix is the only author there is.
    nilo = result.entries[1]
    assert (nilo.author, nilo.title) == (
        "Nilo Ney Coutinho Menezes",
        "Advent of code 2024 - Day 15 of 25",
    )
    # Only the first ": " separates the channel from a title that has its own colon.
    titles = {e.title for e in result.entries}
    assert "Orientação a objetos de outra forma: Property" in titles
    for entry in result.entries:
        assert entry.author
        assert not entry.title.startswith(entry.author + ":")


@needs_corpus
def test_planet_atom_keeps_source_and_matches_rss_ids() -> None:
    atom = parse(
        (REAL / "pythonbrasil-planet/atom.xml").read_bytes(), "http://planet.python.org.br/atom.xml"
    )
    rss20 = parse(
        (REAL / "pythonbrasil-planet/rss20.xml").read_bytes(),
        "http://planet.python.org.br/rss20.xml",
    )
    first = atom.entries[0]
    assert first.author == "Rodrigo Delduca"
    assert first.source_title == "NULL on error"
    assert first.source_url == "https://nullonerror.org/"
    assert first.published is None  # the Atom copy only has <updated>
    assert first.updated == dt.datetime(2025, 3, 23, tzinfo=dt.UTC)
    # Same 60 posts in two formats: the same 60 ids, and the same titles.
    assert {e.id for e in atom.entries} == {e.id for e in rss20.entries}
    by_id = {e.id: e.title for e in rss20.entries}
    assert all(by_id[e.id] == e.title for e in atom.entries)
    # <link href=""/> must not turn into the feed's own URL (two posts have it).
    assert len({e.id for e in atom.entries}) == 60
    assert all("planet.python.org.br" not in e.link for e in atom.entries)


@needs_corpus
def test_planet_sympy_and_debian() -> None:
    sympy = parse((REAL / "planet.sympy.org/rss20.xml").read_bytes())
    assert (sympy.entries[0].author, sympy.entries[0].title) == ("Aaron Meurer", "Python Trickery")
    debian = parse((REAL / "simplepie-ng/rss20/planetdebian_rss20.xml").read_bytes())
    raphael = next(e for e in debian.entries if e.author.startswith("Rapha"))
    assert raphael.author == "Raphaël Hertzog"  # double-escaped entity in the source
    assert raphael.title == "Deprecating cvs.debian.org in favor of Alioth"


PLANET_PYTHON = rss(
    """
<item><title>Eli Bendersky: Plugins case study: mdBook preprocessors</title>
 <guid>https://eli.thegreenplace.net/2025/plugins-case-study-mdbook-preprocessors/</guid>
 <link>https://eli.thegreenplace.net/2025/plugins-case-study-mdbook-preprocessors/</link>
 <description>&lt;p&gt;mdBook is a tool for easily creating books.&lt;/p&gt;</description>
 <pubDate>Sat, 06 Jun 2026 13:40:00 +0000</pubDate></item>
<item><title>Python Software Foundation: Announcing the 2026 PSF Board Election</title>
 <guid isPermaLink="false">https://pyfound.blogspot.com/2026/06/board.html</guid>
 <link>https://pyfound.blogspot.com/2026/06/board.html</link>
 <author>noreply@blogger.com (Seth Larson)</author>
 <pubDate>Fri, 05 Jun 2026 10:00:00 +0000</pubDate></item>
<item><title>Real Python: Python 3.15: What's New</title>
 <link>https://realpython.com/python315-new-features/?utm_source=planet&amp;utm_medium=rss</link>
 <dc:creator>Real Python</dc:creator></item>
""",
    title="Planet Python",
    extra_ns='xmlns:dc="http://purl.org/dc/elements/1.1/"',
)


def test_inline_planet_python_feed() -> None:
    entries = parse(PLANET_PYTHON, "https://planetpython.org/rss20.xml").entries
    eli, psf, realpython = entries
    assert (eli.author, eli.title) == ("Eli Bendersky", "Plugins case study: mdBook preprocessors")
    assert eli.source_title == "Eli Bendersky"
    assert search_text(eli.content_html or eli.summary_html) == (
        "mdBook is a tool for easily creating books.")
    # The post's real author beats the channel name; the channel is the source.
    assert (psf.author, psf.source_title) == ("Seth Larson", "Python Software Foundation")
    assert psf.title == "Announcing the 2026 PSF Board Election"
    assert (realpython.author, realpython.title) == ("Real Python", "Python 3.15: What's New")
    assert realpython.link == "https://realpython.com/python315-new-features/"


def test_normal_blog_titles_with_colons_are_left_alone() -> None:
    feed = rss(
        """
<item><title>Python 3.15: features you can use today</title><link>https://b.example/1</link>
 <author>me@b.example (Jane Doe)</author></item>
<item><title>Django 6.0: what changed</title><link>https://b.example/2</link></item>
<item><title>Release notes</title><link>https://b.example/3</link></item>
""",
        title="Jane's Python notes",
    )
    entries = parse(feed).entries
    assert [e.title for e in entries] == [
        "Python 3.15: features you can use today",
        "Django 6.0: what changed",
        "Release notes",
    ]
    assert entries[0].author == "Jane Doe"
    assert entries[0].source_title == ""


def test_planet_without_planet_in_its_name_is_recognised_by_creators() -> None:
    feed = rss(
        "".join(
            f"<item><title>{name}: Post {n}</title><link>https://x.example/{n}</link>"
            f"<dc:creator>{name}</dc:creator></item>"
            for n, name in enumerate(["Ann Lee", "Bo Chen", "Ann Lee", "Cy Twombly"])
        ),
        title="Python community posts",
        extra_ns='xmlns:dc="http://purl.org/dc/elements/1.1/"',
    )
    entries = parse(feed).entries
    assert [(e.author, e.title) for e in entries][:2] == [
        ("Ann Lee", "Post 0"),
        ("Bo Chen", "Post 1"),
    ]


def test_atom_source_element() -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet Example</title>
 <author><name>Planet Example</name></author>
 <entry><title>Hello</title><id>tag:a.example,2026:1</id>
  <link href="https://a.example/hello"/>
  <updated>2026-06-01T10:00:00+02:00</updated>
  <source><title type="html">A &amp;amp; B's blog</title>
   <link rel="alternate" href="https://a.example/"/>
   <link rel="self" href="https://a.example/feed.atom"/>
   <author><name>Ann Example</name></author></source>
 </entry></feed>"""
    entry = parse(feed).entries[0]
    assert entry.source_title == "A & B's blog"
    assert entry.source_url == "https://a.example/"
    assert entry.author == "Ann Example"  # from <source>, not the planet's own author
    assert entry.updated == dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


# --- dedupe keys -------------------------------------------------------------------


def test_same_post_via_planet_and_own_feed_is_one_entry() -> None:
    own = rss(
        "<item><title>Plugins case study</title>"
        "<link>https://eli.example/2026/plugins/?utm_source=rss&amp;utm_medium=feed</link>"
        '<guid isPermaLink="false">eli-post-123</guid></item>',
        title="Eli's blog",
    )
    planet = rss(
        "<item><title>Eli Bendersky: Plugins case study</title>"
        "<link>http://ELI.example:80/2026/plugins/#comments</link>"
        "<guid>http://eli.example/2026/plugins/</guid></item>",
        title="Planet Python",
    )
    a = parse(own, "https://eli.example/feed.xml").entries[0]
    b = parse(planet, "https://planetpython.org/rss20.xml").entries[0]
    assert a.id == b.id
    assert a.link == "https://eli.example/2026/plugins/"
    assert b.title == a.title


def test_entry_key_rules() -> None:
    k = entry_key("https://a.example/p?utm_campaign=x#top", "", "https://f/1", "T")
    assert k == entry_key("https://a.example/p", "other-guid", "https://f/2", "Other")
    assert re.fullmatch("[0-9a-f]{20}", k)
    # Without a link, a guid is scoped to its feed unless it is globally unique.
    assert entry_key("", "42", "https://f/1", "T") != entry_key("", "42", "https://f/2", "T")
    tag = "tag:blogger.com,1999:blog-1.post-2"
    assert entry_key("", tag, "https://f/1", "") == entry_key("", tag, "https://f/2", "")
    # No link, no guid: feed + title.
    assert entry_key("", "", "https://f/1", "T") != entry_key("", "", "https://f/1", "U")
    assert entry_key("javascript:alert(1)", "", "https://f/1", "T") == entry_key(
        "", "", "https://f/1", "T"
    )


def test_items_sharing_a_home_page_link_stay_distinct() -> None:
    feed = rss(
        "".join(
            f"<item><title>News {n}</title><link>https://example.org/</link>"
            f'<guid isPermaLink="false">news-{n}</guid></item>'
            for n in range(3)
        )
    )
    assert len({e.id for e in parse(feed).entries}) == 3


# --- dates ---------------------------------------------------------------------------


def test_dates_are_utc_and_future_dates_are_clamped() -> None:
    feed = rss(
        "<item><title>a</title><link>https://e.example/a</link>"
        "<pubDate>Tue, 10 Jun 2025 09:30:00 +0200</pubDate></item>"
        "<item><title>b</title><link>https://e.example/b</link></item>"
        "<item><title>c</title><link>https://e.example/c</link>"
        "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
        "<item><title>d</title><link>https://e.example/d</link>"
        "<pubDate>Sun, 07 Jun 2026 20:00:00 GMT</pubDate></item>"
        "<item><title>e</title><link>https://e.example/e</link>"
        "<pubDate>not a date</pubDate></item>"
    )
    a, b, c, d, e = parse(feed).entries
    assert a.published == dt.datetime(2025, 6, 10, 7, 30, tzinfo=dt.UTC)
    assert a.published is not None and a.published.tzinfo is not None
    assert b.published is None and b.updated is None
    assert c.published == NOW  # a century ahead: a lie, clamped
    assert d.published == dt.datetime(2026, 6, 7, 20, 0, tzinfo=dt.UTC)  # within a day: kept
    assert e.published is None


# --- hostile text ---------------------------------------------------------------------

HOSTILE = "\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07clip \u202eevil\u202c \x00nul \x9bx"


def test_hostile_titles_in_rss_are_cleaned() -> None:
    title = HOSTILE.replace("\x00", "&#0;").replace("\x9b", "")
    feed = rss(
        f"<item><title>{title}</title><link>https://e.example/a</link>"
        f"<author>x@e.example (Mallory\x1b[2J\nNewline)</author>"
        f"<description>body \x1b]0;window title\x07text</description></item>"
    ).encode("utf-8")
    result = parse(feed)
    assert result.entries, result.error
    entry = result.entries[0]
    words = search_text(entry.summary_html)  # what the store will index
    for value in (entry.title, entry.author, words, entry.summary_html):
        assert not UNSAFE.search(value), value
        assert "52;c" not in value and "window title" not in value
    assert "red" in entry.title and "clip" in entry.title and "evil" in entry.title
    assert entry.author == "Mallory Newline"


def test_hostile_titles_in_json_feed_are_cleaned() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J\u202eson",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "title": HOSTILE + "\ud800",
                "authors": [{"name": "Eve\u2066\n\x1b[5m"}],
                "content_text": "line one\r\nline two\x07",
            }
        ],
    }
    result = parse(json.dumps(feed))
    entry = result.entries[0]
    assert result.title == "Json"
    assert entry.title == "red clip evil nul x"
    assert entry.author == "Eve"
    assert entry.text == "line one\nline two"


def test_rich_markup_is_kept_as_text_and_html_titles_are_stripped() -> None:
    feed = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>[bold red]x[/] and [link=file:///etc]y[/link]</title><id>urn:uuid:1</id></entry>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; &lt;i&gt;more&lt;/i&gt;
 &lt;script&gt;alert(1)&lt;/script&gt;</title><id>urn:uuid:2</id></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <em>XHTML</em>
 title</div></title><id>urn:uuid:3</id></entry>
</feed>"""
    titles = [e.title for e in parse(feed).entries]
    assert titles == [
        "[bold red]x[/] and [link=file:///etc]y[/link]",
        "Bold & more",
        "An XHTML title",
    ]


def test_clean_text_and_clean_line() -> None:
    assert clean_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean_text("\x1b[2J\x1b[31mx\x1b[0m") == "x"
    assert clean_text("a\x1b]52;c;SGk=\x07b\x1b]8;;http://x\x1b\\c") == "abc"
    assert clean_text("a\u202eb\u2066c\u2069\x00d\x7f\x85e") == "abcde"
    assert clean_text("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # ZWJ sequences stay
    assert clean_line("  two\n lines\t and\xa0nbsp  ") == "two lines and nbsp"


def test_an_entry_without_title_link_or_guid_keeps_the_id_it_had_before_the_search_text(
) -> None:
    """Such an entry is keyed by the start of its text; that was the readable text, with
    its paragraphs, when the stored text was it, and its id must not change now."""
    url = "https://feed.example/rss"
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            b"<description>&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;</description>"
            b"</item></channel></rss>")
    (entry,) = parse_feed(body, url).entries
    assert entry.id == entry_key("", "", url, "One.\n\nTwo.")
    assert entry.id != entry_key("", "", url, entry.text[:200])  # the search text differs


def test_search_text_keeps_the_words_a_reader_sees_and_nothing_else() -> None:
    """Inline tags join (a drop cap, a link), breaks part, hidden elements and comments go,
    and a character reference to a control or bidi character is cleaned away."""
    html = ("<p><span class=dc>T</span>he <a href='/x'>link</a>.</p><p>Next&nbsp;&amp; "
            "<SCRIPT>evil()</script >more<br/>end</p><!-- hidden -->a<b>c</b> 1 < 2 "
            "&#x202E;rtl &#27;esc<li>item</li><td>cell</td><svg><text>drawn</text></svg>")
    assert search_text(html).split() == [
        "The", "link.", "Next", "&", "more", "end", "ac", "1", "<", "2", "rtl", "esc", "item",
        "cell",
    ]
    assert search_text("") == "" and search_text("plain words") == "plain words"


def test_html_to_text() -> None:
    html = (
        "<p>Hello &amp; <b>world</b></p><p>second<br>line</p>"
        "<script>alert('x')</script><style>p{}</style>"
        "<ul><li>a</li><li>b</li></ul><pre>def f():\n    return 1</pre>"
        "<p>&#x202E;rtl &#27;esc &lt;tag&gt;</p>"
    )
    assert html_to_text(html) == (
        "Hello & world\n\nsecond\nline\n\n- a\n- b\n\ndef f():\n    return 1\n\nrtl esc <tag>"
    )
    assert html_to_text("") == ""
    assert html_to_text("plain   text\nhere") == "plain text here"
    assert html_to_text("<p>unclosed <b>tags <div>and &bogus; entities") == (
        "unclosed tags\n\nand &bogus; entities"
    )


# --- JSON Feed ------------------------------------------------------------------------


def test_json_feed() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Blog &#8211; JSON",
        "home_page_url": "https://j.example/",
        "authors": [{"name": "Feed Author"}],
        "items": [
            {
                "id": 1,
                "url": "/posts/1?fbclid=abc",
                "title": "First",
                "content_html": "<p>Hi <b>there</b></p>",
                "summary": "A <summary> & more",
                "date_published": "2026-06-01T10:00:00+02:00",
                "date_modified": "2026-06-02T00:00:00Z",
                "tags": ["python", "django", "python"],
            },
            {"id": "2", "content_text": "only text\n\nsecond para", "author": {"name": "Old 1.0"}},
            "not an item",
            {"id": None, "title": ["wrong type"], "url": "javascript:alert(1)"},
        ],
    }
    result = parse(json.dumps(feed), "https://j.example/feed.json")
    assert (result.title, result.site_url, result.error) == (
        "Blog – JSON",
        "https://j.example/",
        "",
    )
    first, second, third = result.entries
    assert first.link == "https://j.example/posts/1"
    assert first.guid == "1"
    assert first.author == "Feed Author"
    assert first.text == "Hi there"
    assert first.summary_html == "<p>A &lt;summary&gt; &amp; more</p>"
    assert first.published == dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    assert first.updated == dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    assert first.categories == ("python", "django")
    assert second.author == "Old 1.0"
    assert second.text == "only text\n\nsecond para"
    assert second.content_html == "<p>only text</p><p>second para</p>"
    assert third.link == "" and third.title == ""


@needs_corpus
def test_json_feed_from_corpus() -> None:
    result = parse((REAL / "feed-rs/jsonfeed_elastic_1.1.json").read_bytes())
    assert not result.error
    assert result.title == "Blog – InfluxData"
    assert result.entries[0].author == "Chris Churilo, Fake Author 1"
    assert "InfluxDB" in result.entries[0].categories


def test_json_that_is_not_a_feed() -> None:
    assert parse('{"hello": "world"}').error.startswith("not a feed")
    assert parse("[1, 2, 3]").error.startswith("not a feed")
    assert parse('{"version": "https://jsonfeed.org/version/1", "items": [').error.startswith(
        "malformed JSON"
    )
    deep = "[" * 100_000 + "]" * 100_000
    assert parse(deep).error  # RecursionError inside json must not escape


# --- not feeds ---------------------------------------------------------------------------


def test_html_page_gives_error_and_feed_links() -> None:
    page = """<!DOCTYPE html><html><head><title>Blog</title>
<base href="/blog/">
<link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">
<link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
<link rel="alternate" type="application/feed+json" href="//cdn.example/feed.json">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="stylesheet" href="style.css">
</head><body><link rel="alternate" type="application/rss+xml" href="late.xml"></body></html>"""
    result = parse(page, "https://site.example/index.html")
    assert result.error == "not a feed: got an HTML page"
    assert result.entries == []
    assert result.feed_links == [
        "https://site.example/blog/feed.xml",
        "https://other.example/atom",
        "https://cdn.example/feed.json",
    ]


@needs_corpus
def test_html_pages_from_corpus() -> None:
    salon = parse(
        (REAL / "speedparser/0100.dat").read_bytes(), "http://www.salon.com/topic/broadsheet/"
    )
    assert salon.error == "not a feed: got an HTML page"
    assert "http://www.salon.com/topic/broadsheet/feed/" in salon.feed_links
    df = parse(
        (REAL / "NetNewsWire/DaringFireball.html").read_bytes(), "https://daringfireball.net/"
    )
    assert df.error.startswith("not a feed") and df.feed_links


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "empty body"),
        (b" \r\n\t ", "empty body"),
        (
            b'<?xml version="1.0" encoding="utf-8"?>\n',
            "not a feed: the body holds only an XML declaration",
        ),
        (b"<opml version='2.0'><body/></opml>", "not a feed: an OPML subscription list"),
        (
            b"<br />\n<b>Fatal error</b>: Call to undefined function wp() in x.php<br />",
            "not a feed",
        ),
        (b"\x00\x01\x02garbage\xff\xfe", "not a feed"),
    ],
)
def test_broken_bodies_give_one_line_errors(body: bytes, error: str) -> None:
    result = parse(body)
    assert result.error.startswith(error)
    assert "\n" not in result.error
    assert result.entries == []


@needs_corpus
def test_truncated_xml_keeps_recovered_entries() -> None:
    result = parse((REAL / "feedjira/InvalidDateFormat.xml").read_bytes())
    assert len(result.entries) == 2
    assert result.warning.startswith("malformed XML at line")
    assert not result.error
    php = parse((REAL / "speedparser/2669.dat").read_bytes())
    assert len(php.entries) == 10 and "bytes before the XML declaration" in php.warning


def test_charset_from_content_type_is_used_when_the_body_declares_none() -> None:
    body = (
        rss("<item><title>Caf\xe9</title><link>https://c.example/</link></item>")
        .replace(' encoding="utf-8"', "")
        .encode("latin-1")
    )
    result = parse(body, content_type="text/xml; charset=ISO-8859-1")
    assert result.entries[0].title == "Café"
    declared = rss("<item><title>Caf\xe9</title><link>https://c.example/</link></item>")
    # A server default must not override the document's own declaration.
    assert parse(declared, content_type="text/html; charset=iso-8859-1").entries[0].title == "Café"


def test_bytes_are_never_taken_for_a_file_name(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text(rss("<item><title>SECRET</title></item>"))
    result = parse(str(secret).encode())
    assert result.entries == [] and result.error


# --- gzip --------------------------------------------------------------------------------


def test_gzip_body_without_content_encoding() -> None:
    feed = rss("<item><title>zipped</title><link>https://z.example/1</link></item>")
    result = parse(gzip.compress(feed.encode()))
    assert [e.title for e in result.entries] == ["zipped"]
    truncated = parse(gzip.compress(feed.encode())[:-12])
    assert "truncated" in truncated.warning


@needs_corpus
def test_gzip_body_from_corpus() -> None:
    result = parse((REAL / "speedparser/0093.dat").read_bytes())
    assert len(result.entries) == 30 and not result.error


def test_gzip_bomb_is_bounded() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(compressor.compress(chunk) for _ in range(MAX_DECOMPRESSED // len(chunk) * 4))
    bomb += compressor.flush()
    assert len(bomb) < 1 << 20  # 200 MB of zeros in well under 1 MB
    tracemalloc.start()
    try:
        result = parse(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "gzip body is larger than 50 MB unpacked"
    assert peak < 1.5 * MAX_DECOMPRESSED


def test_corrupt_gzip() -> None:
    assert parse(b"\x1f\x8b\x08\x00garbage").error.startswith("corrupt gzip body")


# --- entity attacks (each runs in a child process with a deadline and a memory cap) -------

_LOLS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
    for i in range(1, 10)
)
_RSS_TAIL = (
    '<rss version="2.0"><channel><title>t &lol9;</title><item><title>x &lol9;</title>'
    "<link>https://e.example/1</link></item></channel></rss>"
)
_DECL = '<?xml version="1.0"?>\n'
ENTITY_ATTACKS = {
    "billion-laughs": f'{_DECL}<!DOCTYPE rss [\n<!ENTITY lol "lol">\n{_LOLS}]>\n{_RSS_TAIL}',
    "billion-laughs-one-line": (
        f'{_DECL}<!DOCTYPE rss [<!ENTITY lol "lol">{_LOLS.replace(chr(10), "")}]>{_RSS_TAIL}'
    ),
    # A '<' inside an entity value used to hide the whole DTD from feedparser's
    # own DOCTYPE filter, leaving expat's amplification limit as the only guard.
    "billion-laughs-hidden": (
        f'{_DECL}<!DOCTYPE rss [\n<!ENTITY x "<b>">\n<!ENTITY lol "lol">\n{_LOLS}]>\n' + _RSS_TAIL
    ),
    # One 50 KB entity used 20,000 times: 1 GB if expanded. feedparser's loose
    # parser expands it after expat gives up (28 s and 2.9 GB without defusing).
    "quadratic-blowup": (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "A" * 50_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        "<link>https://e.example/1</link><description>" + "&a;" * 20_000 + "</description>"
        "</item></channel></rss>"
    ),
    "utf16-quadratic-blowup": "UTF16:"
    + (
        '<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + "A" * 50_000
        + '">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        "<link>https://e.example/1</link><description>" + "&a;" * 20_000 + "</description>"
        "</item></channel></rss>"
    ),
    "external-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://SECRET_PATH">\n'
        '<!ENTITY % pe SYSTEM "file://SECRET_PATH">\n%pe;\n]>\n'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        "<link>https://e.example/1</link><description>&xxe;</description></item></channel></rss>"
    ),
}

_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from digest.feeds.parse import parse_feed
    r = parse_feed(open(sys.argv[1], "rb").read(), "https://e.example/feed")
    print(json.dumps({
        "error": r.error, "title": r.title, "n": len(r.entries),
        "longest": max([len(e.summary_html + e.text + e.title) for e in r.entries] or [0]),
        "all": r.title + "".join(e.title + e.text + e.summary_html for e in r.entries),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))
    """
)


@pytest.mark.parametrize("name", list(ENTITY_ATTACKS))
def test_entity_attacks_are_bounded(name: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = ENTITY_ATTACKS[name].replace("SECRET_PATH", str(secret))
    body = doc[6:].encode("utf-16") if doc.startswith("UTF16:") else doc.encode()
    path = tmp_path / "attack.xml"
    path.write_bytes(body)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert "TOP-SECRET" not in out["all"]
    assert out["longest"] < 20 * len(body) + 1000  # no amplification beyond a small factor
    assert out["maxrss_kb"] < 400_000
    assert "lollollol" not in out["all"]


# --- never raises -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<rss><channel><item><title>unterminated",
        b"<?xml version='1.0' encoding='bogus-enc'?><rss version='2.0'><channel></channel></rss>",
        b"\xef\xbb\xbf\xef\xbb\xbf<rss/>",
        b"\xff\xfe<\x00r\x00s\x00s\x00",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='http://[::1'/></entry></feed>",
        b"<rss version='2.0'><channel><item><link>http://a.example:99999/</link></item></channel></rss>",
        bytes(range(256)) * 10,
        b"{" * 5000,
    ],
)
def test_garbage_never_raises(body: bytes) -> None:
    result = parse(body)
    assert isinstance(result, ParsedFeed)
    assert "\n" not in result.error
    for entry in result.entries:
        assert entry.id and not UNSAFE.search(entry.title)


def test_planet_keeps_colon_titles_of_entries_with_their_own_author() -> None:
    """An aggregated post "Issue 340: …" from the source "Django News" keeps its whole title."""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Django community aggregator: Community blog posts</title>
<id>https://www.djangoproject.com/community/</id><updated>2026-06-05T17:00:00Z</updated>
<entry><title>Issue 340: Django security releases 6.0.6 and 5.2.15</title>
<id>https://django-news.com/issues/340</id><link href="https://django-news.com/issues/340"/>
<author><name>Django News</name></author><updated>2026-06-05T17:00:00Z</updated>
<source><title>Django News</title><link href="https://django-news.com/"/></source></entry>
<entry><title>Adam Johnson: Django: introducing django-integrity-policy</title>
<id>https://adamj.eu/1</id><link href="https://adamj.eu/1"/>
<author><name>Adam Johnson</name></author><updated>2026-06-04T10:00:00Z</updated></entry>
<entry><title>Will Vincent: Please add an RSS feed</title>
<id>https://wsvincent.com/1</id><link href="https://wsvincent.com/1"/>
<updated>2026-06-03T10:00:00Z</updated></entry>
</feed>"""
    parsed = parse_feed(atom, "https://www.djangoproject.com/rss/community/blogs/")
    titles = [(e.author, e.title) for e in parsed.entries]
    assert titles == [
        ("Django News", "Issue 340: Django security releases 6.0.6 and 5.2.15"),
        ("Adam Johnson", "Django: introducing django-integrity-policy"),
        ("Will Vincent", "Please add an RSS feed"),
    ]
