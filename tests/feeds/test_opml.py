from __future__ import annotations

import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from digest.feeds.opml import OpmlError, OpmlFeed, parse_opml, to_opml

CORPUS = Path("/work/shared/corpus/opml")
CORPUS_FILES = sorted(CORPUS.glob("*.opml"))

#: Feeds per corpus file (unique xmlUrl values; planet-sympy lists one feed twice).
EXPECTED = {
    "netnewswire-Subs.opml": 207,
    "netnewswire-SubsNoTitleAttributes.opml": 207,
    "planet-pythonbrasil.opml": 55,
    "planet-sympy.opml": 54,
    "yarr-sample_win1251.opml": 2,
}


def opml(body: str, head: str = "<head><title>t</title></head>") -> bytes:
    return f'<?xml version="1.0"?><opml version="2.0">{head}<body>{body}</body></opml>'.encode()


def test_corpus_is_all_here() -> None:
    assert {p.name for p in CORPUS_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_file(path: Path) -> None:
    feeds = parse_opml(path.read_bytes())
    assert len(feeds) == EXPECTED[path.name]
    assert len({f.url for f in feeds}) == len(feeds)
    for feed in feeds:
        assert feed.url.startswith(("http://", "https://")), feed
        assert feed.title, feed
        assert feed.url == feed.url.strip()


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_file_round_trips(path: Path) -> None:
    feeds = parse_opml(path.read_bytes())
    assert parse_opml(to_opml(feeds, "again")) == feeds


def test_netnewswire_folders_with_and_without_title_attributes() -> None:
    with_titles = parse_opml((CORPUS / "netnewswire-Subs.opml").read_bytes())
    text_only = parse_opml((CORPUS / "netnewswire-SubsNoTitleAttributes.opml").read_bytes())
    folders = {f.category for f in with_titles}
    assert folders == {(), ("Programming",), ("Macintosh",), ("Weblogs",), ("Writers",)}
    assert {f.category for f in text_only} == folders
    first = with_titles[0]
    assert first == OpmlFeed(
        "http://daringfireball.net/feeds/main", "Daring Fireball", "http://daringfireball.net/"
    )
    assert text_only[0] == first
    assert any(f.title == "chat & code" for f in text_only)


def test_windows_1251_and_nested_folder() -> None:
    feeds = parse_opml((CORPUS / "yarr-sample_win1251.opml").read_bytes())
    assert feeds == [
        OpmlFeed("https://foo.com/feed.xml", "пример2", "https://foo.com/", ("папка",)),
        OpmlFeed("https://baz.com/feed.xml", "пример1", "https://baz.com/", ()),
    ]


def test_double_escaped_title_is_undone_once() -> None:
    feeds = parse_opml((CORPUS / "planet-pythonbrasil.opml").read_bytes())
    (dirceu,) = [f for f in feeds if "dirceu" in f.url]
    assert dirceu.title == "dirceu.info -> python"


def test_title_preferred_over_text_and_ampersands_kept() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="Person" title="Blog" xmlUrl="http://a/"/>'
            '<outline text="Q&amp;A at AT&amp;T" xmlUrl="http://b/"/>'
            '<outline xmlUrl="http://c/"/>'
        )
    )
    assert [f.title for f in feeds] == ["Blog", "Q&A at AT&T", ""]


@pytest.mark.parametrize("name", ["xmlUrl", "xmlurl", "XMLURL", "xmlURL"])
def test_xmlurl_spelling(name: str) -> None:
    (feed,) = parse_opml(opml(f'<outline text="x" {name}="http://a/feed" HTMLURL="http://a/"/>'))
    assert (feed.url, feed.html_url) == ("http://a/feed", "http://a/")


def test_deep_nesting_and_empty_folder_names() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="Tech"><outline title="Python">'
            '<outline text=""><outline text="f" xmlUrl="http://a/"/></outline>'
            '</outline><outline text="g" xmlUrl="http://b/"/></outline>'
            '<outline text="top" xmlUrl="http://c/"/>'
        )
    )
    assert [(f.url, f.category) for f in feeds] == [
        ("http://a/", ("Tech", "Python")),
        ("http://b/", ("Tech",)),
        ("http://c/", ()),
    ]


def test_duplicates_and_non_feed_outlines_are_dropped() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="a" xmlUrl=" http://a/ "/>'
            '<outline text="dup" xmlUrl="http://a/"/>'
            '<outline text="empty" xmlUrl=""/>'
            '<outline text="a link" type="link" url="http://site/"/>'
            '<outline text="old style" type="rss" url="http://old/"/>'
        )
    )
    assert [(f.url, f.title) for f in feeds] == [("http://a/", "a"), ("http://old/", "old style")]


def test_html_entities_of_hand_written_files() -> None:
    (feed,) = parse_opml(opml('<outline text="caf&eacute;&nbsp;club" xmlUrl="http://a/"/>'))
    assert feed.title == "café\xa0club"


def test_opml_without_head_or_version() -> None:
    feeds = parse_opml(b'<opml><body><outline xmlUrl="http://a/" text="a"/></body></opml>')
    assert [f.url for f in feeds] == ["http://a/"]
    assert parse_opml(opml("")) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<opml><body><outline text="&lol3;" xmlUrl="http://a/"/></body></opml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml><body><outline text="&secret;" xmlUrl="http://a/"/></body></opml>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"just some text", "not XML: syntax error at line 1, column 1"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "not XML"),
        (b"<html><body>hi</body></html>", "not an OPML file: the root element is <html>"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML file: the root element is <rss>"),
        (b'<opml><body><outline xmlUrl="http://a/">', "broken XML: no element found at line 1"),
        (BILLION_LAUGHS, "declares XML entities"),
        (EXTERNAL_ENTITY, "declares XML entities"),
    ],
)
def test_garbage_gives_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message.replace("(", r"\(")):
        parse_opml(data)


def test_doctype_without_entities_is_fine() -> None:
    data = b'<!DOCTYPE opml><opml><body><outline text="a" xmlUrl="http://a/"/></body></opml>'
    assert len(parse_opml(data)) == 1


FEEDS = [
    OpmlFeed("https://a.example/feed", "A & <B>", "https://a.example/", ("News",)),
    OpmlFeed("https://b.example/atom.xml", "Ünïcødé “quotes”", "", ("News", "Django")),
    OpmlFeed("http://c.example/rss?x=1&y=2", "C", "http://c.example/", ()),
    OpmlFeed("https://d.example/feed", "D", "", ("News",)),
    OpmlFeed("https://e.example/feed", "E", "", ("Other",)),
]


def test_round_trip() -> None:
    a, b, c, d, e = FEEDS
    # Same feeds; D moves up into the folder it shares with A.
    assert parse_opml(to_opml(FEEDS, "My newsletter")) == [a, b, d, c, e]


def test_written_document_is_opml_2() -> None:
    data = to_opml(FEEDS, "My <newsletter>")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "My <newsletter>"
    created = root.findtext("head/dateCreated")
    assert created and parsedate_to_datetime(created).tzinfo is not None
    news = root.find("body/outline[@text='News']")
    assert news is not None and news.get("xmlUrl") is None
    feed = news.find("outline")
    assert feed is not None
    assert feed.attrib == {
        "type": "rss",
        "text": "A & <B>",
        "title": "A & <B>",
        "xmlUrl": "https://a.example/feed",
        "htmlUrl": "https://a.example/",
    }
    # One folder per name, nested folders inside it, in first-seen order.
    assert [o.get("text") for o in root.findall("body/outline")] == ["News", "C", "Other"]
    assert [o.get("text") for o in news.findall("outline")] == ["A & <B>", "Django", "D"]


def test_untitled_feed_is_written_with_its_url_as_text() -> None:
    data = to_opml([OpmlFeed("https://x.example/feed")], "t")
    outline = ET.fromstring(data).find("body/outline")
    assert outline is not None and outline.get("text") == "https://x.example/feed"
    assert "htmlUrl" not in outline.attrib


def test_only_web_addresses_are_taken_and_the_rest_is_reported() -> None:
    doc = b"""<opml version="2.0"><body>
      <outline text="ok" xmlUrl="https://example.org/feed.xml"/>
      <outline text="secret" xmlUrl="file:///etc/passwd"/>
      <outline text="path" xmlUrl="/etc/shadow"/>
      <outline text="js" xmlUrl="javascript:alert(1)"/>
      <outline text="plain" xmlUrl="HTTP://example.org/upper"/>
    </body></opml>"""
    skipped: list[str] = []
    feeds = parse_opml(doc, skipped=skipped)
    assert [f.url for f in feeds] == ["https://example.org/feed.xml", "HTTP://example.org/upper"]
    assert skipped == ["file:///etc/passwd", "/etc/shadow", "javascript:alert(1)"]
