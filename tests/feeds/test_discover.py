from __future__ import annotations

import pytest

from digest.feeds.discover import DiscoveryError, discover, discover_feeds, looks_like_feed
from digest.feeds.fetch import FetchSettings, new_client
from tests.feedserver import FeedServer

PAGE = b"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<LINK REL="Alternate" TYPE="Application/Atom+XML" HREF="atom.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate stylesheet" type="text/css" href="/dark.css">
<link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json"/>
<link rel="alternate" type="application/json; charset=utf-8" href="/feed.json2">
<link rel="alternate" type="application/rss+xml" href="/feed.xml#again">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" href="/no-type.xml">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-element">x</a>
</body></html>"""

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def test_links_in_document_order_resolved_against_the_page() -> None:
    assert discover_feeds(PAGE, "https://blog.example/posts/1") == [
        "https://blog.example/feed.xml",
        "https://blog.example/posts/atom.xml",
        "https://cdn.example/feed.json",
        "https://blog.example/feed.json2",
    ]


def test_base_href_changes_the_base_wherever_it_is() -> None:
    html = (
        b'<html><head><link rel="alternate" type="application/atom+xml" href="a.xml">'
        b'<base href="/sub/dir/"><base href="https://ignored.example/">'
        b'<link rel="alternate" type="application/rss+xml" href="../r.xml"></head></html>'
    )
    assert discover_feeds(html, "https://x.example/page") == [
        "https://x.example/sub/dir/a.xml",
        "https://x.example/sub/r.xml",
    ]


def test_base_without_href_and_javascript_base_are_ignored() -> None:
    html = (
        b'<base target="_blank"><base href="javascript:void(0)">'
        b'<link rel="alternate" type="application/rss+xml" href="f.xml">'
    )
    assert discover_feeds(html, "http://x.example/a/b") == ["http://x.example/a/f.xml"]


def test_nothing_to_find() -> None:
    assert discover_feeds(b"", "https://x.example/") == []
    assert discover_feeds(b"<html><p>no feeds", "https://x.example/") == []
    assert discover_feeds(b"\xff\xfe\x00garbage<<<>>>", "https://x.example/") == []


def test_non_utf8_page() -> None:
    html = '<title>café</title><link rel="alternate" type="application/rss+xml" href="/f">'
    assert discover_feeds(html.encode("cp1252"), "https://x.example/") == ["https://x.example/f"]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (RSS, "application/rss+xml", True),
        (RSS, "text/xml", True),
        (RSS, "", True),
        (b"\xef\xbb\xbf\n<feed xmlns='http://www.w3.org/2005/Atom'>", "application/xml", True),
        (b"<rdf:RDF xmlns:rdf='x'>", "", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", True),
        (b'{"some": "api"}', "application/json", False),
        (PAGE, "text/html; charset=utf-8", False),
        (PAGE, "", False),
        (RSS, "text/html", False),
    ],
)
def test_looks_like_feed(body: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected


async def test_discover_a_page(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", RSS)
    page = feed_server.add("/blog/", PAGE, content_type="text/html; charset=utf-8")
    async with new_client(FetchSettings()) as client:
        found = await discover(client, page, FetchSettings())
    assert found[:2] == [feed_server.url("/feed.xml"), feed_server.url("/blog/atom.xml")]


async def test_discover_resolves_against_the_page_after_redirects(
    feed_server: FeedServer,
) -> None:
    feed_server.add("/new/home/", PAGE, content_type="text/html")
    old = feed_server.redirect("/old", "/new/home/", 301)
    async with new_client(FetchSettings()) as client:
        found = await discover(client, old, FetchSettings())
    assert found[1] == feed_server.url("/new/home/atom.xml")


async def test_discover_a_feed_url_returns_it(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", RSS, compress="gzip")
    url = feed_server.redirect("/rss", "/feed.xml", 302)
    async with new_client(FetchSettings()) as client:
        assert await discover(client, url, FetchSettings()) == [feed_server.url("/feed.xml")]


async def test_discover_reports_fetch_errors(feed_server: FeedServer) -> None:
    url = feed_server.add("/gone", b"", status=404)
    async with new_client(FetchSettings()) as client:
        with pytest.raises(DiscoveryError, match="HTTP 404 Not Found"):
            await discover(client, url, FetchSettings())
