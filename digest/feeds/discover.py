"""Find the feed behind a web page, so an editor can subscribe by pasting a blog's URL.

Pages announce their feeds with ``<link rel="alternate" type="application/rss+xml">``
(or Atom / JSON Feed). Those hrefs are often relative, and a ``<base href>``
changes what they are relative to, so both are honoured.
"""

from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser

import httpx

from digest.feeds.fetch import FetchRequest, FetchSettings, fetch_one

__all__ = ["FEED_TYPES", "DiscoveryError", "discover", "discover_feeds", "looks_like_feed"]

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
    }
)
_WEB = ("http", "https")


class DiscoveryError(Exception):
    """The page could not be fetched; the message is the fetch error."""


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "base"):
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        href = values.get("href", "").strip()
        if tag == "base":
            # Only the first <base href> counts (HTML spec), wherever links are.
            if self.base is None and href:
                self.base = href
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES and href:
            self.hrefs.append(href)


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Absolute feed URLs a page links with rel="alternate", in document order."""
    collector = _LinkCollector()
    collector.feed(_decode(html))
    collector.close()
    base = base_url
    if collector.base:
        resolved = urllib.parse.urljoin(base_url, collector.base)
        if urllib.parse.urlsplit(resolved).scheme in (*_WEB, "file"):
            base = resolved
    found: list[str] = []
    allowed = {*_WEB, urllib.parse.urlsplit(base_url).scheme}
    for href in collector.hrefs:
        url = urllib.parse.urljoin(base, href)
        url = urllib.parse.urldefrag(url).url
        if urllib.parse.urlsplit(url).scheme in allowed and url not in found:
            found.append(url)
    return found


async def discover(client: httpx.AsyncClient, url: str, settings: FetchSettings) -> list[str]:
    """Feed URLs for what the user pasted: the URL itself if it is a feed, else the page's.

    Raises ``DiscoveryError`` when the URL cannot be fetched, so the user sees
    why (404, DNS, …) rather than an empty result.
    """
    result = await fetch_one(client, FetchRequest(url), settings)
    if result.outcome != "ok":
        raise DiscoveryError(result.error or f"nothing to read ({result.outcome})")
    if looks_like_feed(result.body, result.content_type):
        return [result.final_url]
    return discover_feeds(result.body, result.final_url)


_FEED_START = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]")
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https://jsonfeed\.org/version/')


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Whether a response is a feed rather than a page that might link one."""
    kind = content_type.split(";")[0].strip().lower()
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if kind == "text/html" or head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return False
    if kind in FEED_TYPES - {"application/json"} or kind == "application/rdf+xml":
        return True
    return bool(_FEED_START.search(head) or _JSON_FEED.search(head))


def _decode(html: bytes) -> str:
    # Attribute values that matter here (URLs) are nearly always ASCII.
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return html.decode("cp1252", errors="replace")
