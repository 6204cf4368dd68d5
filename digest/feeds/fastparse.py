"""A fast reader for well-formed feeds that yields exactly what feedparser would.

feedparser costs ~0.4 s of CPU per megabyte: every text chunk and tag of the
document is a Python callback of its SAX handler. A Monday fetch of a few
hundred feeds spent most of its time there.

This module parses the document with the C expat behind
``xml.etree.ElementTree``, a chunk at a time, and walks the tree as it grows.
Each item (or Atom entry) is held until its end and read in one go
(``digest.feeds.items``) when it has the usual shape; everything else is
replayed, event by event, through a port of feedparser's state machine
(``digest.feeds.port``). A feed must give the same entries, with the same ids,
whichever reader parsed it: a feed that is fine this week and broken next
week (so read by feedparser) must not duplicate its posts.

Anything the port does not model returns ``None`` and the caller falls back
to feedparser: malformed XML, entity declarations, unknown encodings, base64
or non-text content, namespace redeclarations, elements feedparser has
handlers for that are not ported (Podlove chapters, GML geometry...). A
differential test over the shared corpus keeps the readers equal.

Bodies are kept as the feed sent them: neither reader runs feedparser's
relative-URI pass, which re-serialized every HTML body for links digest
never follows (it shows a post's text, not its markup).
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from feedparser.encodings import RE_XML_DECLARATION, RE_XML_PI_ENCODING, parse_content_type
from feedparser.sanitizer import RE_DOCTYPE_PATTERN, RE_ENTITY_PATTERN

from digest.feeds.items import quick_item as _quick_item
from digest.feeds.port import _MAX_DEPTH, _XHTML, _XLINK_NS, _attrs, _Port, _Unsupported

__all__ = ["FastFeed", "parse"]


#: Elements of one item held before it is read as it comes instead (see _Walker.unhold).
_HOLD_MOST = 2048


@dataclass
class FastFeed:
    """The parts of a ``feedparser.parse`` result that digest reads."""

    version: str
    feed: dict[str, Any]
    entries: list[dict[str, Any]]


# --- encoding -----------------------------------------------------------------------

_OTHER_BOMS = (codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF16_BE,
               codecs.BOM_UTF16_LE)
_WIDE_MARKERS = (b"\x4c\x6f\xa7\x94", b"\x00\x3c\x00\x3f", b"\x3c\x00\x3f\x00",
                 b"\x00\x00\x00\x3c", b"\x3c\x00\x00\x00")
_UTF8_DECL = "<?xml version='1.0' encoding='utf-8'?>"
_PROLOG_MARKUP = re.compile(rb"<!(?!--)")
_FIRST_ELEMENT = re.compile(rb"<\w")


def _to_utf8(body: bytes, headers: dict[str, str]) -> bytes | None:
    """The UTF-8 bytes feedparser's ``convert_to_utf8`` would give expat, or None.

    Only the case where feedparser's first choice of encoding decodes cleanly
    is taken (anything else makes it guess and flag the feed); UTF-16/32 and
    EBCDIC are left to it.
    """
    if body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    elif body[:4].startswith(_OTHER_BOMS) or body[:4] in _WIDE_MARKERS:
        return None
    m = RE_XML_PI_ENCODING.match(body)
    xml_encoding = m.group(1).decode("utf-8").lower() if m else ""
    mime, http_encoding = parse_content_type(headers.get("content-type") or "")
    if mime in ("application/xml", "application/xml-dtd",
                "application/xml-external-parsed-entity") or (
            mime.startswith("application/") and mime.endswith("+xml")):
        encoding = http_encoding or xml_encoding or "utf-8"
    elif mime.startswith("text/"):
        return None  # us-ascii rules and a bozo flag: feedparser's business
    elif headers and "content-type" not in headers:
        encoding = xml_encoding or "iso-8859-1"
    else:
        encoding = xml_encoding or "utf-8"
    if encoding.lower() == "gb2312":
        encoding = "gb18030"
    if encoding == "utf-8" and m is not None:
        # Valid UTF-8 already; expat checks every byte, so skip the round trip.
        return body
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if RE_XML_DECLARATION.search(text):
        text = RE_XML_DECLARATION.sub(_UTF8_DECL, text)
    else:
        text = _UTF8_DECL + "\n" + text
    return text.encode("utf-8")


class _Walker:
    """Replays the document as the SAX events feedparser's strict parser sees, as it is read.

    The tree is built a chunk at a time, and each element leaves it once the
    port has seen its end and its tail, so a 20 MB feed never holds more
    than the entry being read (and the port what it kept), not a tree of
    the whole document.
    """

    def __init__(self, port: _Port) -> None:
        self.port = port
        self.prefixes: dict[str, set[str]] = {}
        self.bound: dict[str, str] = {}
        self.names: dict[str, tuple[str, str, bool]] = {}
        self.declared: list[tuple[str, str]] = []
        #: Open elements the port has seen start; each holds its parent.
        self.open: list[ET.Element] = []
        #: An element whose text (True) or tail (False) is complete once the next event comes.
        self.pending: tuple[ET.Element, bool] | None = None
        #: An XHTML content element, replayed whole at its end, and how deep inside it.
        self.xhtml: ET.Element | None = None
        self.xhtml_depth = 0
        #: An item (or Atom entry) being read whole, its events held until its end,
        #: the namespaces declared inside it, by element, the elements in it that have
        #: started and not ended, and how many have started.
        self.held: ET.Element | None = None
        self.held_declared: dict[ET.Element, list[tuple[str, str]]] = {}
        self.held_open: list[ET.Element] = []
        self.held_count = 0
        #: Replaying a held subtree: its elements are let go of with it, not one by one.
        self.replaying = False

    def mapped(self, element: ET.Element) -> tuple[str, str, bool]:
        # (tag, handler name, unprefixed); recomputed after every namespace
        # declaration, as feedparser maps each tag with the declarations so far.
        info = self.names.get(element.tag)
        if info is None:
            port = self.port
            if element.tag[:1] == "{":
                namespace, _, local = element.tag[1:].partition("}")
                tag = port.tag_of(namespace, local)
            else:
                tag = port.tag_of(None, element.tag)
            info = (tag, *port.method_name(tag))
            self.names[element.tag] = info
        return info

    def flush(self) -> None:
        if self.pending is not None:
            element, is_text = self.pending
            self.pending = None
            data = element.text if is_text else element.tail
            if data:
                self.port.handle_data(data)

    def declare(self, prefix: str, uri: str) -> None:
        if self.xhtml is None:
            self.declared.append((prefix, uri))

    def start(self, element: ET.Element) -> None:
        if self.held is not None:
            if self.declared:
                self.held_declared[element] = self.declared
                self.declared = []
            self.held_open.append(element)
            self.held_count += 1
            if self.held_count > _HOLD_MOST:
                self.unhold()
            return
        if self.xhtml is not None:
            self.xhtml_depth += 1
            return
        self.flush()
        if len(self.open) > _MAX_DEPTH:
            raise _Unsupported("nesting")
        port = self.port
        if self.declared:
            self.apply_declarations(self.declared)
            self.declared = []
        info = self.mapped(element)
        if info[1] in ("item", "entry") and self.open and not (
                port.inentry or port.insource or port.incontent):
            self.held = element  # read whole at its end
            self.held_open = []
            self.held_count = 0
            return
        self.begin(element, info)

    def apply_declarations(self, declared: list[tuple[str, str]]) -> None:
        """Namespaces declared on the element about to start, as feedparser tracks them.

        Applying the same declarations twice changes nothing, so an item read in one
        go may apply them and still be replayed.
        """
        for prefix, uri in declared:
            if not uri:
                continue
            if " " in uri or uri == _XLINK_NS or self.bound.setdefault(prefix, uri) != uri:
                raise _Unsupported("namespace declaration")
            self.prefixes.setdefault(uri, set()).add(prefix)
            self.port.track_namespace(prefix or None, uri)
            self.names.clear()

    def begin(self, element: ET.Element, info: tuple[str, str, bool]) -> None:
        port = self.port
        port.start(*info, _attrs(element, self.prefixes) if element.attrib else {})
        if port.incontent and port.contentparams.get("type") == _XHTML:
            self.xhtml, self.xhtml_depth = element, 0
            return
        self.open.append(element)
        self.pending = (element, True)

    def end(self, element: ET.Element) -> None:
        if self.held is not None:
            if element is self.held:
                self.held = None
                self.end_item(element)
            else:
                self.held_open.pop()
            return
        if self.xhtml is not None:
            if self.xhtml_depth:
                self.xhtml_depth -= 1
                return
            self.xhtml = None
            self.port.xhtml(element)
            self.port.end(self.mapped(element)[1])
        else:
            self.flush()
            self.open.pop()
            self.port.end(self.mapped(element)[1])
        if not self.open:
            return  # the root: its tail is not replayed (expat refuses a second root)
        self.pending = (element, False)
        if not self.replaying:  # a replayed subtree is let go of whole, at its end
            self.open[-1].remove(element)  # the tail is still set on it, and read from it

    def end_item(self, item: ET.Element) -> None:
        """An item held whole: read in one go, or replayed event by event as it came."""
        entry = _quick_item(self, item)
        if entry is None:
            self.replay_held(item, [])
            self.end(item)
        else:
            self.port.entries.append(entry)
            self.pending = (item, False)
            self.open[-1].remove(item)
            self.held_declared.clear()

    def replay(self, element: ET.Element) -> None:
        if self.xhtml is None:  # inside inline XHTML, declare() drops declarations
            self.declared = self.held_declared.get(element, [])
        self.start(element)
        for child in list(element):
            self.replay(child)
        self.end(element)

    def unhold(self) -> None:
        """An item too big to hold: replay what came of it, and stream the rest as it comes.

        A hostile item of a million empty elements would otherwise be held whole
        (and replayed child by child from a list a million long).
        """
        item, path = self.held, self.held_open
        assert item is not None
        self.held, self.held_open = None, []
        self.replay_held(item, path)

    def replay_held(self, item: ET.Element, path: list[ET.Element]) -> None:
        """Replay a held item as it came, up to the elements on ``path``, still open."""
        self.begin(item, self.mapped(item))
        self.replaying = True
        try:
            self.replay_open(item, path)
        finally:
            self.replaying = False
        self.held_declared.clear()

    def replay_open(self, element: ET.Element, path: list[ET.Element]) -> None:
        """Replay ``element``'s children; those on ``path`` have started and not ended."""
        for index, child in enumerate(list(element)):
            if path and child is path[0]:
                if self.xhtml is None:
                    del element[:index]  # replayed: let go of (XHTML is read at its end)
                    self.declared = self.held_declared.get(child, [])
                self.start(child)
                self.replay_open(child, path[1:])
                return
            self.replay(child)


def _walk(port: _Port, parser: Any, data: bytes, chunk: int = 1 << 16) -> None:
    """Feed ``data`` to the pull parser a chunk at a time, replaying each event as it comes.

    expat itself refuses a document without a root element, or with two.
    """
    walker = _Walker(port)

    def replay() -> None:
        for event, item in parser.read_events():
            if event == "start":
                walker.start(item)
            elif event == "end":
                walker.end(item)
            else:
                walker.declare(*item)

    for offset in range(0, len(data), chunk):
        parser.feed(data[offset:offset + chunk])
        replay()
    parser.close()
    replay()


def _without_doctype(data: bytes, first: int) -> bytes | None:
    """The document as feedparser's ``replace_doctype`` leaves it, when it only drops a
    DOCTYPE naming an external DTD (RSS 0.91's Netscape one, say); None when the prolog
    holds more (entity declarations, an internal subset), which feedparser rewrites."""
    head = data[:first + 1]
    if b"[" in head or RE_ENTITY_PATTERN.search(head):
        return None
    head = bytes(RE_DOCTYPE_PATTERN.sub(b"", head))
    if _PROLOG_MARKUP.search(head, 0, first):
        return None
    return head + data[first + 1:]


def parse(body: bytes, url: str, headers: dict[str, str]) -> FastFeed | None:
    """Read ``body`` as feedparser would (given the same headers), or None.

    ``headers`` are the response headers parse_feed hands feedparser
    (``content-location`` and perhaps a charset).
    """
    try:
        data = _to_utf8(body, headers)
    except (UnicodeError, LookupError):
        return None  # a codec failing in a way feedparser handles (or not) its own way
    if data is None:
        return None
    first = _FIRST_ELEMENT.search(data)
    if first is None:
        return None
    if _PROLOG_MARKUP.search(data, 0, first.start()):
        stripped = _without_doctype(data, first.start())
        if stripped is None:
            return None
        data = stripped
    parser: Any = ET.XMLPullParser(events=("start-ns", "start", "end"))
    port = _Port(url)
    try:
        _walk(port, parser, data)
    except (ET.ParseError, _Unsupported):
        return None
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, RecursionError):
        return None  # feedparser itself would trip here; let it report how
    if not port.version:
        return None
    return FastFeed(port.version, port.feeddata, port.entries)

