"""Feed bytes → ``ParsedFeed`` of ``Entry`` objects.

``parse_feed`` is the only entry point on purpose: a faster parser for the
common well-formed cases can later be put behind it without touching callers.
It never raises. A feed server can send anything (an HTML page, a PHP error,
gzip bytes without the header, a truncated document, an entity bomb) and the
fetch loop needs one clear line to show the editor, not a traceback.

RSS/Atom/RDF go through feedparser, which already copes with broken XML and
lying encodings; well-formed documents take ``fastparse`` first, which gives
the same result ~10x faster and hands anything unusual back. JSON Feed is read
here because feedparser 6.0 cannot. Every string that leaves this module has
passed through ``digest.textclean``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import html
import io
import json
import re
import time
import xml.sax
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.mixin import _FeedParserMixin
from feedparser.util import FeedParserDict

from digest.feeds import fastparse, port
from digest.feeds.urls import canonical_url, safe_href
from digest.model import Entry
from digest.textclean import (
    clean_line,
    clean_text,
    clip_body,
    html_text,
    html_to_text,
    search_text,
)

__all__ = ["KEY_LENGTH", "MAX_DECOMPRESSED", "ParsedFeed", "entry_key", "parse_feed"]

# A link is canonicalised several times on its way to an entry key (entry
# link, identity check, key, planet source), and each call re-parses the URL.
_canonical = functools.lru_cache(maxsize=8192)(canonical_url)

#: Cap on a gzip body sent without Content-Encoding, after decompression.
MAX_DECOMPRESSED = 50 * 1024 * 1024

#: Length of the hex dedupe key (80 bits: collisions need ~10^12 entries).
KEY_LENGTH = 20

#: How far in the future a date may be before it is treated as a lie.
FUTURE_SLACK = dt.timedelta(days=1)

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x.atom+xml",
        "application/x-atom+xml",
        "text/xml",
        "application/xml",
    }
)


@dataclass
class ParsedFeed:
    """What one body held; ``error`` empty means it was usable as a feed."""

    title: str = ""
    site_url: str = ""
    entries: list[Entry] = field(default_factory=list)
    #: One line for the editor when the body is not a usable feed.
    error: str = ""
    #: The body was damaged but entries were recovered (feedparser "bozo").
    warning: str = ""
    #: Feeds an HTML page advertises, so the caller can offer to subscribe.
    feed_links: list[str] = field(default_factory=list)


# --- keys ---------------------------------------------------------------------

# Atom ids of these schemes are minted to be globally unique, and planets copy
# them from the source feed, so they identify a post across feeds.
_GLOBAL_ID = re.compile(r"^(?:tag:|urn:uuid:)", re.IGNORECASE)


def entry_key(link: str, guid: str, feed_url: str, title: str) -> str:
    """Stable dedupe id: the same post via a planet and via its blog is one id.

    The canonical link is the best identity a post has; http and https
    spellings of it count as the same post because planets often still carry
    the http address of a blog that moved to https. Without a link, a guid is
    only trusted within its own feed (many feeds number items 1, 2, 3…) unless
    it is a ``tag:``/``urn:uuid:`` id; the last resort is the feed plus title.
    A kind prefix keeps the three spaces from ever colliding.
    """
    canon = _canonical(link)
    if canon:
        material = "link\x00" + canon.split("://", 1)[1]
    elif guid.strip():
        guid = guid.strip()
        scope = "" if _GLOBAL_ID.match(guid) else feed_url
        material = f"guid\x00{scope}\x00{guid}"
    else:
        material = f"title\x00{feed_url}\x00{title}"
    data = material.encode("utf-8", "surrogatepass")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:KEY_LENGTH]


# --- body preparation -----------------------------------------------------------


def _gunzip(body: bytes) -> tuple[bytes, str, str]:
    """(data, error, warning) for gzip bytes, never holding more than the cap."""
    out = body
    for _ in range(3):  # a body gzipped twice over is still seen in the wild
        if out[:2] != b"\x1f\x8b":
            break
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = bytearray()
        pending = out
        try:
            # Small steps, so a bomb is stopped one chunk past the cap instead
            # of after zlib has grown one huge buffer.
            while not inflater.eof:
                chunk = inflater.decompress(pending, 1 << 20)
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    break  # input exhausted before the end of the stream
                data += chunk
                if len(data) > MAX_DECOMPRESSED:
                    limit = MAX_DECOMPRESSED // 2**20
                    return b"", f"gzip body is larger than {limit} MB unpacked", ""
        except zlib.error as exc:
            return b"", f"corrupt gzip body: {exc}", ""
        if not inflater.eof:
            if not data:
                return b"", "corrupt gzip body: it ends before any data", ""
            return bytes(data), "", "gzip body is truncated; read what was there"
        out = bytes(data)
    return out, "", ""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE_PATTERNS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


def _sniff_encoding(body: bytes) -> tuple[str, int]:
    """(codec, BOM length) for BOM'd or UTF-16/32 bodies, ('', 0) otherwise."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    for pattern, name in _WIDE_PATTERNS:
        if body.startswith(pattern):
            return name, 0
    return "", 0


def _head_text(body: bytes, limit: int = 4096) -> str:
    """The start of the body as text, good enough for sniffing markup."""
    codec, skip = _sniff_encoding(body)
    if codec and codec != "utf-8":
        return body[skip : skip + limit].decode(codec, "replace")
    return body[skip : skip + limit].decode("latin-1")


_DOCTYPE = re.compile(r"<!DOCTYPE\b")
_ELEMENT_START = re.compile(r"<[A-Za-z_]")
_SUBSET_END = re.compile(r"\]\s*>")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(%\s*)?([^\s>]+)\s+(\"[^\"]*\"|'[^']*'|[^>]*)\s*>")
_SHORT_LITERAL = re.compile(r"^[^&%<]{0,16}$")
_CHAR_REF = re.compile(r"^&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));$")


def _keep_entity(m: re.Match[str]) -> str:
    if m.group(1):  # parameter entity: only useful for DTD tricks
        return ""
    quoted = m.group(3)
    if quoted[:1] not in "\"'" or quoted[-1:] != quoted[:1]:
        return ""  # external (SYSTEM/PUBLIC) or unparsed
    value = quoted[1:-1]
    if _SHORT_LITERAL.match(value):
        return m.group(0)
    ref = _CHAR_REF.match(value)
    # A character reference to '&', '%' or '<' is re-parsed after expansion
    # and can smuggle in references to other entities.
    if ref and int(ref.group(1) or ref.group(2), 16 if ref.group(1) else 10) not in (37, 38, 60):
        return m.group(0)
    return ""  # nested references or big enough to amplify


def _defuse_dtd(body: bytes) -> bytes:
    """Drop entity declarations that can amplify or reach outside the body.

    expat refuses the classic billion-laughs doc, but feedparser then re-reads
    the body with its loose parser and expands "safe-looking" entities itself:
    a 100 KB body declaring one 50 KB entity used 20,000 times took 30-50 s
    and 2.9 GB. Only short literal entities (``&#160;``-style aliases, which real
    feeds use) are kept, so expansion stays within a small factor of the body.
    """
    codec, skip = _sniff_encoding(body)
    if codec in ("", "utf-8"):
        codec, skip = "latin-1", 0  # round-trips any ASCII-compatible body exactly
    needle = "<!DOCTYPE".encode(codec)
    pos = body.find(needle, 0, 1 << 20)
    if pos < 0:
        return body
    try:
        text = body[skip:].decode(codec)
    except UnicodeDecodeError:
        text = body[skip:].decode(codec, "replace")
    dm = _DOCTYPE.search(text)
    if dm is None or _ELEMENT_START.search(text, 0, dm.start()):
        return body  # a DOCTYPE after the root is text (say, a post about XXE)
    bracket = text.find("[", dm.end())
    close = text.find(">", dm.end())
    if bracket < 0 or (0 <= close < bracket):
        return body  # no internal subset, nothing can be declared
    end = _SUBSET_END.search(text, bracket)
    stop = end.end() if end else len(text)
    subset = text[bracket:stop]
    if "<!ENTITY" not in subset:
        return body
    defused = _ENTITY_DECL.sub(_keep_entity, subset)
    if end is None:
        # An unterminated subset swallows the document; what is left is junk.
        defused = re.sub(r"<!ENTITY[^>]*>?", "", defused)
    text = text[:bracket] + defused + text[stop:]
    return body[:skip] + text.encode(codec, "surrogatepass" if codec != "latin-1" else "strict")


_XML_DECL = re.compile(rb"<\?xml\s+version")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF|channel)[\s>]", re.IGNORECASE)


def _trim_before_declaration(body: bytes) -> tuple[bytes, str]:
    """Drop what precedes ``<?xml``: blank lines, or a PHP warning page.

    A declaration that is not at the very start is fatal to a strict XML
    parser, so without this feedparser falls back to its slow, lossy loose
    mode for feeds that are otherwise fine (several real ones start with a
    newline).
    """
    codec, _ = _sniff_encoding(body)
    if codec not in ("", "utf-8"):
        return body, ""
    bom = codecs.BOM_UTF8 if body.startswith(codecs.BOM_UTF8) else b""
    m = _XML_DECL.search(body, len(bom), 65536)
    if m is None or m.start() == len(bom):
        return body, ""
    junk = body[len(bom) : m.start()]
    if _FEED_ROOT.search(junk):
        return body, ""  # the feed started already; the match is inside it
    trimmed = bom + body[m.start() :]
    if not junk.strip():
        return trimmed, ""
    return trimmed, f"ignored {len(junk)} bytes before the XML declaration"


_XML_ENCODING_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def _response_headers(body: bytes, url: str, content_type: str) -> dict[str, str]:
    """Headers for feedparser: the URL for relative links, a charset if useful.

    The media type itself is left out: feedparser follows RFC 3023 and treats
    ``text/xml`` without a charset as US-ASCII and ``text/html`` as "not XML",
    which only adds noise for feeds that are fine. A charset from the server is
    passed on only when the body declares none itself, because the document's
    own BOM or declaration is right more often than a server's default.
    """
    headers = {"content-location": url} if url else {}
    m = _CHARSET.search(content_type)
    if m and not _sniff_encoding(body)[0] and not _XML_ENCODING_DECL.match(body[:512]):
        headers["content-type"] = f"application/xml; charset={m.group(1)}"
    return headers


# --- sniffing -----------------------------------------------------------------------

_PROLOG_JUNK = re.compile(r"(?:\s|<!--.*?-->|<\?.*?\?>)*", re.DOTALL)
_HTML_START = re.compile(r"<!DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)
_HTML_ANYWHERE = re.compile(r"<(?:html|head|body)[\s>]|<!DOCTYPE\s+html", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def _starts_as_html(head: str) -> bool:
    m = _PROLOG_JUNK.match(head)
    rest = head[m.end() :] if m else head
    return _HTML_START.match(rest) is not None


class _FeedLinkFinder(HTMLParser):
    """Collects ``<link rel=alternate type=feed>`` hrefs from an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "base"):
            return
        a = {k: v or "" for k, v in attrs}
        if tag == "base":
            self.base = self.base or a.get("href", "")
            return
        rels = a.get("rel", "").lower().split()
        mime = a.get("type", "").split(";", 1)[0].strip().lower()
        if "alternate" in rels and mime in _FEED_TYPES and a.get("href"):
            self.hrefs.append(a["href"])


def _discover_feed_links(body: bytes, url: str) -> list[str]:
    """Feed URLs advertised by an HTML page, absolute, in page order."""
    text = body[: 1 << 20].decode("utf-8", "replace")
    end = text.lower().find("</head>")
    finder = _FeedLinkFinder()
    try:
        finder.feed(text if end < 0 else text[:end])
        finder.close()
    except Exception:  # noqa: BLE001 - a broken page just yields fewer links
        pass
    base = urljoin(url, finder.base) if finder.base else url
    found: list[str] = []
    for href in finder.hrefs:
        absolute = safe_href(urljoin(base, clean_line(href)))
        if absolute.startswith("http") and absolute not in found:
            found.append(absolute)
    return found


def _html_page(body: bytes, url: str) -> ParsedFeed:
    links = _discover_feed_links(body, url)
    return ParsedFeed(error="not a feed: got an HTML page", feed_links=links)


def _snippet(body: bytes) -> str:
    text = clean_line(html_to_text(body[:4096].decode("utf-8", "replace")))
    return text[:80] + ("…" if len(text) > 80 else "")


# --- dates ---------------------------------------------------------------------------


def _utc(value: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return now if value > now + FUTURE_SLACK else value


def _from_struct(t: Any, now: dt.datetime) -> dt.datetime | None:
    if not isinstance(t, time.struct_time):
        return None
    try:
        return _utc(dt.datetime(*t[:6], tzinfo=dt.UTC), now)
    except (ValueError, OverflowError):
        return None


def _from_string(s: str, now: dt.datetime) -> dt.datetime | None:
    s = s.strip()
    if not s:
        return None
    try:
        return _utc(dt.datetime.fromisoformat(s), now)
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(s), now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# --- planets -----------------------------------------------------------------------

_PLANET_TITLE = re.compile(r"\bplanet|aggregat", re.IGNORECASE)
_NAME_PREFIX = re.compile(r"^([^:]{1,60}?): (?=\S)")


def _name_prefix(title: str) -> str:
    """'Eli Bendersky' from 'Eli Bendersky: Plugins…' if the part looks like a name."""
    m = _NAME_PREFIX.match(title)
    if m is None:
        return ""
    name = m.group(1).strip()
    if not name or len(name.split()) > 8 or name.replace(".", "").isdigit():
        return ""
    return name


@dataclass
class _Raw:
    """An entry before planet handling decides who wrote it."""

    title: str
    link: str
    guid: str
    author: str
    source_title: str
    source_url: str
    published: dt.datetime | None
    updated: dt.datetime | None
    summary_html: str
    content_html: str
    text: str
    categories: tuple[str, ...]
    #: What stands in for a missing title in the entry's key: the start of the
    #: post's readable text, as keys were made when that was the stored text,
    #: so that an entry without title, link or guid keeps its id.
    untitled_key: str = ""


def _is_planet(feed_title: str, raws: list[_Raw]) -> bool:
    """Does this feed prefix every title with the name of the blog it copied?

    Two signs, either enough: the feed calls itself a planet/aggregator and
    most titles have a short "Name: " prefix; or most titles start with their
    own entry's author name. A normal blog titling posts "Python 3.15: …"
    shows neither.
    """
    if not raws:
        return False
    prefixed = sum(1 for r in raws if _name_prefix(r.title))
    if _PLANET_TITLE.search(feed_title) and prefixed * 2 >= len(raws):
        return True
    own = sum(
        1 for r in raws if r.author and r.title.casefold().startswith(r.author.casefold() + ": ")
    )
    return len(raws) >= 3 and own * 5 >= len(raws) * 3


def _split_planet_title(raw: _Raw, known_names: set[str]) -> tuple[str, str]:
    """(name, title) of a planet entry; name '' when the title has no prefix.

    When the entry carries its source (Atom ``<source>``), a prefix is only a
    name if it is that source or the author: "Issue 340: …" from the blog
    "Django News" is a title with a colon, not a post by "Issue 340". Without
    a source, Planet's "Blog name: Title" convention applies.
    """
    for known in (raw.author, raw.source_title):
        if known and raw.title.casefold().startswith(known.casefold() + ": "):
            cut = len(known)
            return raw.title[:cut], raw.title[cut + 2 :].strip() or raw.title
    if raw.source_title:
        # The aggregator names the source itself, so the title is not a "Name: " prefix.
        return "", raw.title
    name = _name_prefix(raw.title)
    if name:
        return name, raw.title[len(name) + 2 :].strip() or raw.title
    if raw.title in known_names:  # planet template for a post without a title
        return raw.title, raw.title
    return "", raw.title


# --- feedparser path ---------------------------------------------------------------


def _s(value: Any) -> str:
    """Feed values are whatever the document said; only strings are text."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _plain(value: Any, detail: Any) -> str:
    """One line of text from a feedparser text construct, HTML or not."""
    text = _s(value)
    if not text:
        return ""
    mime = _s(detail.get("type")) if isinstance(detail, Mapping) else ""
    if "html" in mime:
        return clean_line(html_text(text))
    return clean_line(text)


def _html_like(mime: str) -> bool:
    """Is a body of this media type kept as HTML (else escaped as plain text)?"""
    return "html" in mime or not mime


def _as_html(value: str, mime: str, *, cleaned: bool = False) -> str:
    """A body as the HTML digest keeps; ``cleaned`` when the reader cleaned it already."""
    if not value:
        return ""
    if not cleaned:
        value = clean_text(value)
    if _html_like(mime):
        return value
    return "<p>" + html.escape(value).replace("\n\n", "</p><p>") + "</p>"


# RSS <author> is "email (Name)" by spec; feedparser misreads addresses whose
# top-level domain is longer than four letters.
_EMAIL_NAME = re.compile(r"^\s*[^\s@()<>]+@[^\s()<>]+\s*\((.+)\)\s*$")


def _person(d: Mapping[str, Any]) -> str:
    authors = d.get("authors")
    if isinstance(authors, list) and len(authors) > 1:
        names = [clean_line(_s(a.get("name"))) for a in authors if isinstance(a, Mapping)]
        names = [n for n in names if n]
        if names:
            return ", ".join(dict.fromkeys(names))
    m = _EMAIL_NAME.match(clean_line(_s(d.get("author"))))
    if m and m.group(1).strip():
        return m.group(1).strip()
    detail = d.get("author_detail")
    if isinstance(detail, Mapping):
        name = clean_line(_s(detail.get("name")))
        if name:
            return name
    return clean_line(_s(d.get("author")))


def _origin(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/" if sep else ""


def _source(src: Any, base: str, entry_link: str) -> tuple[str, str, str]:
    """(title, url, author) of an aggregated entry's original blog.

    The URL is the blog, not its feed: it ends up as the source line under an
    item ("nullonerror.org"), and Planet's ``<source>`` often has only a
    ``rel=self`` link to a feedburner address. When there is no site link the
    origin of the post's own link stands in for it.
    """
    if not isinstance(src, Mapping):
        return "", "", ""
    title = _plain(src.get("title"), src.get("title_detail"))
    site = self_link = ""
    links = src.get("links")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, Mapping):
            continue
        rel = _s(link.get("rel")) or "alternate"
        href = _canonical(_s(link.get("href")), base)
        if rel == "alternate" and href and not site:
            site = href
        elif rel == "self" and href and not self_link:
            self_link = href
    if not site and not links:  # RSS <source url="…">: the feed it came from
        self_link = _canonical(_s(src.get("href")), base)
    url = site or _origin(entry_link) or self_link
    return title, url, _person(src)


def _categories(tags: Any) -> tuple[str, ...]:
    if not isinstance(tags, list):
        return ()
    names = []
    for tag in tags:
        if isinstance(tag, Mapping):
            name = clean_line(_s(tag.get("term")) or _s(tag.get("label")))
        else:
            name = clean_line(_s(tag))
        if name:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _raw_from_feedparser(e: dict[str, Any], base: str, now: dt.datetime, *,
                         cleaned: bool = False) -> _Raw:
    """``cleaned``: the entry comes from the fast path, whose bodies are cleaned already."""
    link = _canonical(_s(e.get("link")), base)
    guid = clean_line(_s(e.get("id")))
    if not link and guid.lower().startswith(("http://", "https://")) and e.get("guidislink"):
        link = _canonical(guid, base)
    content_html = content = content_mime = ""
    contents = e.get("content")
    if isinstance(contents, list) and contents:
        best = next(
            (c for c in contents if isinstance(c, Mapping) and "html" in _s(c.get("type"))),
            contents[0],
        )
        if isinstance(best, Mapping):
            content, content_mime = clip_body(_s(best.get("value"))), _s(best.get("type"))
            content_html = _as_html(content, content_mime, cleaned=cleaned)
    detail = e.get("summary_detail")
    mime = _s(detail.get("type")) if isinstance(detail, Mapping) else ""
    summary = clip_body(_s(e.get("summary")))
    if summary == content and _html_like(mime) == _html_like(content_mime):
        summary_html = ""  # feedparser copies content into summary; keep one
    else:
        summary_html = _as_html(summary, mime, cleaned=cleaned)
        if summary_html == content_html:
            summary_html = ""
    source_title, source_url, source_author = _source(e.get("source"), base, link)
    title = _plain(e.get("title"), e.get("title_detail"))
    return _Raw(
        title=title,
        link=link,
        guid=guid,
        author=_person(e) or source_author,
        source_title=source_title,
        source_url=source_url,
        # dict.get: FeedParserDict quietly answers "updated" with the published
        # date (and vice versa), which would invent dates the feed never gave.
        published=_from_struct(dict.get(e, "published_parsed"), now)
        or _from_struct(dict.get(e, "created_parsed"), now),
        updated=_from_struct(dict.get(e, "updated_parsed"), now),
        summary_html=summary_html,
        content_html=content_html,
        text="",  # the store makes the index's words, for the posts it writes
        categories=_categories(e.get("tags")),
        untitled_key="" if title else html_text(content_html or summary_html)[:200],
    )


def _describe(exc: Any) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"malformed XML at line {exc.getLineNumber()}: {exc.getMessage()}"
    name = type(exc).__name__
    if name in ("CharacterEncodingOverride", "CharacterEncodingUnknown"):
        return f"encoding: {exc}"
    return clean_line(f"{name}: {exc}") if str(exc) else name


def _identity_links(raws: list[_Raw], url: str, site_url: str) -> list[str]:
    """The link of each entry that may serve as its identity ('' if none).

    An Atom ``<link href=""/>`` resolves to the feed's own address, and some
    feeds point every item at their home page; keyed by link, all of those
    entries would collapse into one. Such a link is replaced by a URL guid
    (what an RSS reader shows for the same post) or not used for the key.
    """
    own = {u for u in (_canonical(url), site_url) if u}
    counts = Counter(r.link for r in raws if r.link)
    guids_per_link: dict[str, set[str]] = {}
    for r in raws:
        if r.link and counts[r.link] > 1:
            guids_per_link.setdefault(r.link, set()).add(r.guid)
    links = []
    for r in raws:
        link = r.link
        if link in own or (link and len(guids_per_link.get(link, ())) > 1):
            link = ""
        if not link and r.guid.lower().startswith(("http://", "https://")):
            guid_link = _canonical(r.guid)
            if guid_link not in own:
                link = guid_link
        links.append(link)
    return links


def _build(
    feed_title: str, feed_author: str, raws: list[_Raw], url: str, site_url: str
) -> list[Entry]:
    planet = _is_planet(feed_title, raws)
    known_names: set[str] = set()
    if planet:
        known_names = {n for n in (_name_prefix(r.title) for r in raws) if n}
    feed_self = _canonical(url)
    entries = []
    for r, key_link in zip(raws, _identity_links(raws, url, site_url), strict=True):
        title, author, source_title = r.title, r.author, r.source_title
        if planet:
            name, title = _split_planet_title(r, known_names)
            if not author or author == feed_author:
                author = name
            source_title = source_title or name
        elif not author:
            author = feed_author
        entries.append(
            Entry(
                id=entry_key(key_link, r.guid, url, title or r.untitled_key),
                link=key_link or (r.link if r.link != feed_self else ""),
                title=title,
                feed_url=url,
                guid=r.guid,
                author=author,
                source_title=source_title,
                source_url=r.source_url,
                published=r.published,
                updated=r.updated,
                summary_html=r.summary_html,
                content_html=r.content_html,
                text=r.text,
                categories=r.categories,
            )
        )
    return entries


def _linear_add_tag(self: Any, term: Any, scheme: Any, label: Any) -> None:
    port.add_tag_once(self, term, scheme, label, make=FeedParserDict)


# feedparser's own is quadratic in an item's categories (see add_tag_once):
# a hostile feed could hold a fetch for hours within the size cap.
_FeedParserMixin._add_tag = _linear_add_tag

_UNDECLARE = re.compile(rb"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']([^>]*\?>)",
                        re.IGNORECASE)


def _feedparser(body: bytes, headers: dict[str, str]) -> Any:
    return feedparser.parse(
        io.BytesIO(_defuse_dtd(body)),  # BytesIO: feedparser opens bytes as a *path*
        response_headers=headers,
        sanitize_html=False,  # sanitizing is the renderer's job (nh3)
        # Bodies are kept as the feed sent them: digest shows them as text, so
        # feedparser's re-serializing pass over every body would buy nothing.
        resolve_relative_uris=False,
    )


def _parse_xml(body: bytes, url: str, content_type: str, now: dt.datetime) -> ParsedFeed:
    body, trim_note = _trim_before_declaration(body)
    headers = _response_headers(body, url, content_type)
    fast = fastparse.parse(body, url, headers)
    if fast is not None:
        feed: Mapping[str, Any] = fast.feed
        version = fast.version
        fp_entries: list[Any] = list(fast.entries)
        exc = None
    else:
        try:
            result = _feedparser(body, headers)
        except UnicodeError:
            # A declared codec that fails with a bare UnicodeError ("undefined",
            # "punycode"): feedparser expects only its subclasses and gives up.
            # Read the document as if it declared nothing.
            body = _UNDECLARE.sub(rb"\1\2", body[:512], count=1) + body[512:]
            headers.pop("content-type", None)
            result = _feedparser(body, headers)
            exc_note = "encoding: the declared encoding cannot decode text; read as undeclared"
            result["bozo"], result["bozo_exception"] = True, ValueError(exc_note)
        feed = result.get("feed") or {}
        version = _s(result.get("version"))
        fp_entries = result.get("entries") or []
        exc = result.get("bozo_exception") if result.get("bozo") else None
        if type(exc).__name__ == "NonXMLContentType":
            exc = None  # the media type is withheld on purpose, see _response_headers
    base = _canonical(url) or url

    if not fp_entries and not version:
        head = body[:65536].decode("utf-8", "replace")
        if _HTML_ANYWHERE.search(head):
            return _html_page(body, url)
        m = _PROLOG_JUNK.match(head)
        rest = head[m.end() :] if m else head
        if not rest.strip():
            return ParsedFeed(error="not a feed: the body holds only an XML declaration")
        root = _ROOT.match(rest)
        if exc is None and root:
            kind = (
                "an OPML subscription list"
                if root.group(1).lower() == "opml"
                else (f"XML with root element <{clean_line(root.group(1))[:40]}>")
            )
            return ParsedFeed(error=f"not a feed: {kind}")
        why = _describe(exc) if exc is not None else "no feed elements found"
        snippet = _snippet(body)
        return ParsedFeed(
            error=f'not a feed: "{snippet}" ({why})' if snippet else f"not a feed: {why}"
        )

    raws = [_raw_from_feedparser(e, base, now, cleaned=fast is not None)
            for e in fp_entries if isinstance(e, dict)]
    feed_title = _plain(feed.get("title"), feed.get("title_detail"))
    site_url = _canonical(_s(feed.get("link")), base)
    parsed = ParsedFeed(
        title=feed_title,
        site_url=site_url,
        entries=_build(feed_title, _person(feed), raws, url, site_url),
    )
    if exc is not None:
        note = _describe(exc)
        encoding_only = note.startswith("encoding:")
        if raws or encoding_only:
            parsed.warning = note
        else:
            parsed.error = note
    if trim_note:
        parsed.warning = f"{trim_note}; {parsed.warning}" if parsed.warning else trim_note
    return parsed


# --- JSON Feed ----------------------------------------------------------------------


_ENTITY_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _json_line(value: Any) -> str:
    """A JSON Feed title: plain text by spec, but WordPress sends ``&#8211;``."""
    text = _s(value)
    if "&" in text and _ENTITY_REF.search(text):
        text = html.unescape(text)
    return clean_line(text)


def _json_people(obj: Mapping[str, Any]) -> str:
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj.get("author")]
    names = [clean_line(_s(p.get("name"))) for p in people if isinstance(p, Mapping)]
    return ", ".join(dict.fromkeys(n for n in names if n))


def _parse_json_feed(body: bytes, url: str, now: dt.datetime) -> ParsedFeed:
    try:
        try:
            data = json.loads(body)  # detects UTF-8 (with or without BOM), -16, -32
        except UnicodeDecodeError:
            data = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError) as exc:
        return ParsedFeed(error=clean_line(f"malformed JSON: {exc}"))
    if not isinstance(data, dict):
        return ParsedFeed(error="not a feed: JSON, but not a JSON Feed")
    version = _s(data.get("version"))
    items = data.get("items")
    warning = ""
    if not re.match(r"https?://jsonfeed\.org/version/", version):
        if not isinstance(items, list):
            return ParsedFeed(error="not a feed: JSON without a JSON Feed version")
        warning = "JSON without a JSON Feed version; read it as one"
    base = _canonical(url) or url
    feed_author = _json_people(data)
    raws = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        content_html = clean_text(clip_body(_s(item.get("content_html"))))
        content_text = clean_text(clip_body(_s(item.get("content_text"))))
        if not content_html and content_text:
            content_html = _as_html(content_text, "text/plain", cleaned=True)
        summary = clean_text(clip_body(_s(item.get("summary"))))
        title = _json_line(item.get("title"))
        raws.append(
            _Raw(
                title=title,
                link=_canonical(_s(item.get("url")) or _s(item.get("external_url")), base),
                guid=clean_line(_s(item.get("id"))),
                author=_json_people(item) or feed_author,
                source_title="",
                source_url="",
                published=_from_string(_s(item.get("date_published")), now),
                updated=_from_string(_s(item.get("date_modified")), now),
                summary_html=_as_html(summary, "text/plain", cleaned=True) if summary else "",
                content_html=content_html,
                text=content_text or search_text(content_html) or summary,
                categories=_categories(item.get("tags")),
                untitled_key="" if title else (
                    content_text or html_text(content_html) or summary)[:200],
            )
        )
    title = _json_line(data.get("title"))
    site_url = _canonical(_s(data.get("home_page_url")), base)
    return ParsedFeed(
        title=title,
        site_url=site_url,
        entries=_build(title, "", raws, url, site_url),
        warning=warning,
    )


# --- entry point ---------------------------------------------------------------------


def parse_feed(
    body: bytes, url: str, *, content_type: str = "", now: dt.datetime | None = None
) -> ParsedFeed:
    """Read whatever a feed URL returned; never raises.

    ``url`` is where the body came from: it resolves relative links and is the
    ``feed_url`` of every entry. ``content_type`` is the response header, used
    only for its charset. ``now`` bounds dates in the future (tests pin it).
    """
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    try:
        return _parse(body, url, content_type, now)
    except Exception as exc:  # noqa: BLE001 - one bad feed must not stop a fetch run
        return ParsedFeed(error=clean_line(f"parser failed: {type(exc).__name__}: {exc}"))


def _parse(body: bytes, url: str, content_type: str, now: dt.datetime) -> ParsedFeed:
    warning = ""
    if body[:2] == b"\x1f\x8b":
        body, error, warning = _gunzip(body)
        if error:
            return ParsedFeed(error=error)
    head = _head_text(body).lstrip("\ufeff \t\r\n")
    if not head:
        return ParsedFeed(error="empty body")
    if head[0] in "{[":
        parsed = _parse_json_feed(body, url, now)
    elif _starts_as_html(head):
        parsed = _html_page(body, url)
    else:
        parsed = _parse_xml(body, url, content_type, now)
    if warning:
        parsed.warning = f"{warning}; {parsed.warning}" if parsed.warning else warning
    return parsed
