"""OPML subscription lists: read what other feed readers export, write our own.

Exported OPML in the wild is loose: feeds nested in folders (or not), ``text``
without ``title``, ``xmlURL`` spelled in any case, legacy encodings,
double-escaped titles. Reading is tolerant of all of that, but not of XML
entity declarations: a subscription list has no use for them, and refusing
them is what keeps an "entity expansion" file from eating the machine.
"""

from __future__ import annotations

import email.utils
import html
import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from xml.parsers import expat

__all__ = ["OpmlError", "OpmlFeed", "parse_opml", "to_opml"]


class OpmlError(ValueError):
    """The data is not an OPML subscription list we can read."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""
    html_url: str = ""
    #: Folder names from the outermost in; ``()`` for a feed at the top level.
    category: tuple[str, ...] = ()


# A title like "a -&amp;gt; b" reaches us as "a -&gt; b"; only complete
# entities are undone so "Q&A" or "AT&T" survive.
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text).strip()


def parse_opml(data: bytes, *, skipped: list[str] | None = None) -> list[OpmlFeed]:
    """Every web feed in an OPML document, in document order, each URL once.

    Only http(s) addresses are taken: a subscription list is often someone
    else's file, and a ``file:///etc/passwd`` in it would have digest read a
    local file and show it as a feed's error. Local feeds go in digest.toml.
    What was left out is appended to ``skipped``, so the caller can say so.
    """
    if not data.strip():
        raise OpmlError("the file is empty")
    try:
        feeds = _parse(data)
    except OpmlError as first:
        # Hand-edited lists use HTML entities (&nbsp;, &eacute;) that XML lacks.
        fixed = _HTML_ENTITY.sub(_numeric_entity, data)
        if fixed == data or "undefined entity" not in str(first):
            raise
        feeds = _parse(fixed)
    web = [f for f in feeds if _is_web(f.url)]
    if skipped is not None:
        skipped.extend(f.url for f in feeds if not _is_web(f.url))
    return web


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    codepoint = html.entities.name2codepoint.get(name.decode("ascii"))
    if name in _XML_ENTITIES or codepoint is None:
        return match.group(0)
    return b"&#%d;" % codepoint


def _parse(data: bytes) -> list[OpmlFeed]:
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    # One entry per open <outline>: its folder name, or None for a feed.
    stack: list[str | None] = []
    depth = 0
    root: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 1:
            root.append(name)
            if name.lower() != "opml":
                raise OpmlError(f"not an OPML file: the root element is <{name}>, not <opml>")
        if name.lower() != "outline":
            return
        lower = {k.lower(): v for k, v in attrs.items()}
        label = _unescape(lower.get("title", "") or lower.get("text", ""))
        url = lower.get("xmlurl", "").strip()
        if not url and lower.get("type", "").lower() in ("rss", "atom"):
            url = lower.get("url", "").strip()
        if url:
            if url not in seen:
                seen.add(url)
                category = tuple(c for c in stack if c)
                feeds.append(OpmlFeed(url, label, lower.get("htmlurl", "").strip(), category))
            stack.append(None)
        else:
            stack.append(label)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if name.lower() == "outline" and stack:
            stack.pop()

    def refuse_entities(*_: object) -> None:
        raise OpmlError("the document declares XML entities (<!ENTITY>); refusing to expand them")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        if not root:
            raise OpmlError(f"not XML: {_expat_message(exc)}") from None
        raise OpmlError(f"broken XML: {_expat_message(exc)}") from None
    except LookupError as exc:  # an encoding Python does not know
        raise OpmlError(f"unknown encoding: {exc}") from None
    if not root:
        raise OpmlError("not an OPML file: no root element")
    return feeds


def _expat_message(exc: expat.ExpatError) -> str:
    return f"{expat.errors.messages[exc.code]} at line {exc.lineno}, column {exc.offset + 1}"


def to_opml(feeds: Iterable[OpmlFeed], title: str) -> bytes:
    """An OPML 2.0 document with feeds grouped into nested folder outlines.

    Folders appear in the order their first feed does, so exporting what was
    imported keeps the list in its original order.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = email.utils.formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for feed in feeds:
        parent = body
        for depth in range(1, len(feed.category) + 1):
            path = feed.category[:depth]
            if path not in folders:
                name = path[-1]
                folders[path] = ET.SubElement(parent, "outline", text=name, title=name)
            parent = folders[path]
        attrs = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url}
        attrs["xmlUrl"] = feed.url
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
