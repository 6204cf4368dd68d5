"""feedparser's state machine, ported: what it does with each element digest reads.

``fastparse`` replays a document's elements through ``_Port``, which keeps
feedparser's quirks on purpose (the first title wins, an Atom ``<id>``
doubles as the link, a second ``<description>`` becomes content, a UTF-8
title mis-decoded as Latin-1 is repaired...), because a feed must give the
same entries, with the same ids, whichever reader parsed it. Method names
follow feedparser's ``_FeedParserMixin`` so the two can be read side by
side. Anything the port does not model raises ``_Unsupported``, and the
document goes to feedparser itself.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import uses_relative

from feedparser.datetimes import _parse_date
from feedparser.datetimes.rfc822 import _parse_date_rfc822
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import (
    _urljoin,
    make_safe_absolute_uri,
)

from digest.textclean import (
    BODY_CHARS,
    clean_text,
    clip_body,
    is_clean,
)

__all__ = ["add_tag_once", "add_tag_to"]


class _Unsupported(Exception):
    """Raised inside the fast path to hand the document to feedparser."""


def add_tag_once(parser: Any, term: Any, scheme: Any, label: Any,
                 make: Callable[..., dict[str, Any]] = dict) -> None:
    """feedparser's ``_add_tag`` in linear time.

    feedparser checks a new category against every one before it, so an item
    with 20,000 categories (0.5 MB) takes ~15 s and one at the 10 MB cap
    hours. Same result here, with a set of what the list holds. Only the
    last tag can change after it is added (``_end_category`` fills in its
    term), so it is compared directly and the set covers the ones before it.
    """
    indexes: dict[int, list[Any]] = parser.__dict__.setdefault("_tag_indexes", {})
    add_tag_to(parser._get_context(), indexes, term, scheme, label, make)


def add_tag_to(context: dict[str, Any], indexes: dict[int, list[Any]], term: Any, scheme: Any,
               label: Any, make: Callable[..., dict[str, Any]] = dict) -> None:
    """``add_tag_once`` on one context, with the sets of tags already seen in ``indexes``."""
    tags: list[dict[str, Any]] = context.setdefault("tags", [])
    if not term and not scheme and not label:
        return
    key = (term, scheme, label)
    index = indexes.get(id(tags))
    try:
        if index is None or index[0] is not tags or index[2] != len(tags):
            index = indexes[id(tags)] = [tags, {_tag_key(t) for t in tags[:-1]}, len(tags)]
        if key in index[1] or (tags and _tag_key(tags[-1]) == key):
            return
        if tags:
            index[1].add(_tag_key(tags[-1]))
    except TypeError:  # something unhashable: compare the slow way
        indexes.pop(id(tags), None)
        if make(term=term, scheme=scheme, label=label) in tags:
            return
        tags.append(make(term=term, scheme=scheme, label=label))
        return
    tags.append(make(term=term, scheme=scheme, label=label))
    index[2] = len(tags)


def _tag_key(tag: dict[str, Any]) -> tuple[Any, Any, Any] | dict[str, Any]:
    if len(tag) == 3:
        return (tag.get("term"), tag.get("scheme"), tag.get("label"))
    return tag  # reshaped by someone else: unhashable, so the slow path decides


# --- URLs ---------------------------------------------------------------------------

# Absolute http(s) URLs that urllib's urljoin hands back unchanged whatever
# the base: no userinfo, IPv6 or port oddities, no ';' params, no empty '?'
# or '#', no whitespace. Anything else goes through feedparser's own code.
_PLAIN_HTTP = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[^\s?#;]*)?(?:\?[^\s#]+)?(?:#\S+)?\Z"
)


# A scheme that urljoin never resolves against a base ("tag:", "urn:"): Atom
# ids are mostly these, and urljoin hands them back unchanged.
_OPAQUE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?!//)")
_RELATIVE_SCHEMES = frozenset(uses_relative)


def _join(base: str, uri: str) -> str:
    """feedparser's ``_urljoin`` (links, ids, hrefs)."""
    if _PLAIN_HTTP.match(uri):
        return uri
    opaque = _OPAQUE.match(uri)
    if opaque and opaque.group(1).lower() not in _RELATIVE_SCHEMES and (
            "[" not in base and "]" not in base):  # urljoin refuses a broken IPv6 base
        return uri
    return str(_urljoin(base, uri))


# The W3C date almost every Atom feed writes, which feedparser's W3C reader (the
# first it tries) reads as the naive time less the offset.
_W3C_FULL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                       r"(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))\Z")


def _date(value: str | None) -> Any:
    """feedparser's ``_parse_date``, asking the RFC 822 reader first when it is the one to answer.

    A date that starts with a letter ("Tue, 04 Jun 2024 …") is never a W3C
    date, which feedparser tries first and fails on; everything else, and
    anything the RFC 822 reader gives up on, takes feedparser's own order.
    The usual full W3C date is read here as feedparser's W3C reader reads it.
    """
    full = _W3C_FULL.match(value) if value else None
    if full is not None:
        year, month, day, hour, minute, second, sign, tzh, tzm = full.groups()
        offset = dt.timedelta(hours=int(tzh), minutes=int(tzm)) if sign else dt.timedelta()
        try:
            stamp = dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                int(second))
            return (stamp - offset if sign == "+" else stamp + offset).utctimetuple()
        except (ValueError, OverflowError):
            pass  # feedparser's own order, from its W3C reader on
    if value and value[:1].isascii() and value[:1].isalpha():
        try:
            parsed = _parse_date_rfc822(value)
        except (KeyError, OverflowError, ValueError, AttributeError):
            parsed = None
        if parsed and len(parsed) == 9:
            return parsed
    return _parse_date(value)


# --- the feedparser port --------------------------------------------------------------

_MATCH_NS: dict[str, str] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_HANDLED_BY_FEEDPARSER = frozenset(
    name.split("_", 2)[2] for name in dir(_FeedParserMixin)
    if name.startswith(("_start_", "_end_"))
)
_HTML_TYPES = frozenset(_FeedParserMixin.html_types)
_COPIED_TO_SUMMARY = _HTML_TYPES | {"text/plain"}
_CAN_BE_RELATIVE = frozenset(_FeedParserMixin.can_be_relative_uri)
_looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html
_KEYMAP: dict[str, Any] = {
    "channel": "feed", "items": "entries", "guid": "id", "date": "updated",
    "date_parsed": "updated_parsed", "description": ["summary", "subtitle"],
    "description_detail": ["summary_detail", "subtitle_detail"], "url": ["href"],
    "modified": "updated", "modified_parsed": "updated_parsed", "issued": "published",
    "issued_parsed": "published_parsed", "copyright": "rights",
    "copyright_detail": "rights_detail", "tagline": "subtitle",
    "tagline_detail": "subtitle_detail",
}  # fmt: skip
# Keys the port or digest reads: an unknown element stored under one of them
# would change (or crash) feedparser, so such documents are left to it.
_SENSITIVE = frozenset(
    {
        "title", "title_detail", "link", "links", "id", "guidislink", "summary",
        "summary_detail", "content", "author", "author_detail", "authors", "published",
        "published_parsed", "updated", "updated_parsed", "created", "created_parsed", "tags",
        "source", "href", "name", "email", "image", "textinput", "publisher",
        "publisher_detail", "publishers", "contributors", "language", "subtitle",
        "subtitle_detail", "rights", "rights_detail", "generator", "generator_detail",
        "cloud", "value", "type", "media_content", "media_thumbnail", "media_player",
        "media_rating", "media_credit", "media_restriction", "media_license", "newlocation",
        "expired_parsed", "category", "enclosures", "license",
    }
    | set(_KEYMAP) - {"items", "channel"}
)
_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
# The first non-ASCII character of a text, and the one after it: UTF-8 read as
# Latin-1 starts with a lead byte (\xc2-\xf4) followed by a continuation byte.
_FIRST_NON_ASCII = re.compile("[^\x00-\x7f](.?)", re.DOTALL)
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_ATOM_NS = "http://www.w3.org/2005/Atom"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_BODIES = frozenset(("content", "summary", "description"))
_XHTML = "application/xhtml+xml"
_MAX_DEPTH = 256


def _map_content_type(content_type: str) -> str:
    content_type = content_type.lower()
    if content_type in ("text", "plain"):
        return "text/plain"
    if content_type == "html":
        return "text/html"
    if content_type == "xhtml":
        return _XHTML
    return content_type


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    """``FeedParserDict.__setitem__``: some keys are stored under another name."""
    real = _KEYMAP.get(key, key)
    d[real[0] if isinstance(real, list) else real] = value


def _stored(output: str, element: str, base: str, guidislink: bool, rss: bool, mime: str,
            clip: bool) -> tuple[str, str]:
    """``_Port.pop`` from an element's stripped text to the value it stores, and the media
    type after: links made absolute, RSS text that looks like HTML taken as HTML, UTF-8
    mis-decoded as Latin-1 repaired, C1 controls read as cp1252, and (``clip``) an
    entry's body cut past what digest keeps, so a feed of huge posts is not held whole
    until parse.py cuts it the same way, and cleaned as parse.py cleans a body
    (``clean_text``): one scan of the body finds both C1 controls and what cleaning
    removes, where a scan for each read every body twice."""
    if element in _CAN_BE_RELATIVE and output and (element != "id" or guidislink):
        output = _join(base, output)
    if rss and mime == "text/plain" and _looks_like_html(output):
        mime = "text/html"
    body = clip and element in _BODIES
    if not output.isascii():
        first = _FIRST_NON_ASCII.search(output)
        if first is not None and "\xc2" <= first.group()[0] <= "\xf4" and (
                "\x80" <= first.group(1) <= "\xbf"):
            # Anything else fails at that character: feedparser's attempt made only then.
            with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                output = output.encode("iso-8859-1").decode("utf-8")
        if not body and _C1.search(output):
            output = output.translate(_cp1252)
    if body:
        if len(output) > BODY_CHARS:
            output = clip_body(output)  # reading C1 as cp1252 moves no tag or entity
        if not is_clean(output):  # C1 controls are among what cleaning removes
            output = clean_text(output.translate(_cp1252))
    return output, mime


def _text_construct_type(attrs_d: dict[str, str], default: str) -> str:
    """``push_content``'s media type for a text construct; base64 or binary content is
    not modelled."""
    mime = _map_content_type(attrs_d.get("type", default))
    if attrs_d.get("mode", "") == "base64" or not (
        mime.startswith("text/") or mime.endswith("+xml") or mime.endswith("/xml")
    ):
        raise _Unsupported("base64 content")
    return mime


def _save_author(context: dict[str, Any], key: str, value: Any, prefix: str = "author") -> None:
    """feedparser's ``_save_author`` on one context: a part of the current person."""
    context.setdefault(prefix + "_detail", {})
    context[prefix + "_detail"][key] = value
    _sync_author(context)
    context.setdefault("authors", [{}])
    context["authors"][-1][key] = value


def _enforce_href(attrs_d: dict[str, str]) -> dict[str, str]:
    href = attrs_d.get("url", attrs_d.get("uri", attrs_d.get("href")))
    if href:
        attrs_d.pop("url", None)
        attrs_d.pop("uri", None)
        attrs_d["href"] = href
    return attrs_d


def _start_link_in(context: dict[str, Any], attrs_d: dict[str, str], base: str,
                   keep: bool) -> str | None:
    """``_start_link`` on one context: the link filed (if ``keep``), its href made absolute
    and kept as the context's link when it is the alternate HTML page. None for a link
    without an href: its text is the link."""
    attrs_d.setdefault("rel", "alternate")
    attrs_d.setdefault("type", "application/atom+xml" if attrs_d["rel"] == "self" else "text/html")
    attrs_d = _enforce_href(attrs_d)
    href = attrs_d.get("href")
    if href is not None:
        attrs_d["href"] = href = _join(base, href)
    links = context.setdefault("links", [])
    if keep:
        links.append(dict(attrs_d))
    if href is not None and attrs_d["rel"] == "alternate" and (
            _map_content_type(attrs_d["type"] or "") in _HTML_TYPES):
        context["link"] = href
    return href


def _sync_author(context: dict[str, Any], key: str = "author") -> None:
    """feedparser's ``_sync_author_detail`` on one context: the author string and its parts."""
    detail = context.get(f"{key}s", [{}])[-1]
    if detail:
        name = detail.get("name")
        email = detail.get("email")
        if name and email:
            context[key] = f"{name} ({email})"
        elif name:
            context[key] = name
        elif email:
            context[key] = email
        return
    author, email = context.get(key), None
    if not author:
        return
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        context.setdefault(f"{key}_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def _trim_xhtml(pieces: list[str]) -> list[str]:
    """Atom XHTML content without the blank pieces at its ends and its wrapping ``<div>``."""
    while pieces and len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while pieces and len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div ")) and pieces[
        -1
    ] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return pieces


class _Port:
    """feedparser's ``_FeedParserMixin`` for the elements digest cares about.

    Method names follow feedparser's so the two can be read side by side;
    state that only feeds values digest never reads (languages, xml:base
    stacks, GeoRSS) is left out, and documents that would need it are refused.
    """

    def __init__(self, baseuri: str) -> None:
        self.baseuri = baseuri
        self.version = ""
        self.feeddata: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.elementstack: list[list[Any]] = []
        self.infeed = self.inentry = self.incontent = 0
        self.intextinput = self.inimage = self.inauthor = 0
        self.incontributor = self.inpublisher = self.insource = 0
        self.sourcedata: dict[str, Any] = {}
        self.contentparams: dict[str, Any] = {}
        self.summary_key: str | None = None
        self.title_depth = -1
        self.depth = 0
        self.has_content = 0
        self.guidislink = False
        self.property_depth: dict[int, dict[str, int]] = {}
        self.basestack: list[str] = []
        self._bases: dict[tuple[str, str], str] = {}
        self._same: dict[str, str] = {}
        self.namespacemap: dict[str | None, str] = {}
        self.namespaces_in_use: dict[str, str] = {}

    # --- namespaces and names (parsers/strict.py, mixin.track_namespace) ------

    def track_namespace(self, prefix: str | None, uri: str) -> None:
        loweruri = uri.lower()
        if not self.version:
            if (prefix, loweruri) == (None, "http://my.netscape.com/rdf/simple/0.9/"):
                self.version = "rss090"
            elif loweruri == "http://purl.org/rss/1.0/":
                self.version = "rss10"
            elif loweruri == "http://www.w3.org/2005/atom":
                self.version = "atom10"
        if "backend.userland.com/rss" in loweruri:
            uri = "http://backend.userland.com/rss"
            loweruri = uri
        if loweruri in _MATCH_NS:
            self.namespacemap[prefix] = _MATCH_NS[loweruri]
            self.namespaces_in_use[_MATCH_NS[loweruri]] = uri
        else:
            self.namespaces_in_use[prefix or ""] = uri

    def tag_of(self, namespace: str | None, localname: str) -> str:
        """The lowercased ``prefix:name`` feedparser's strict parser reports."""
        lowernamespace = (namespace or "").lower()
        if "backend.userland.com/rss" in lowernamespace:
            namespace = "http://backend.userland.com/rss"
            lowernamespace = namespace
        prefix = _MATCH_NS.get(lowernamespace)
        localname = localname.lower()
        if prefix:
            return prefix.lower() + ":" + localname
        if namespace:
            for name, value in self.namespaces_in_use.items():
                if name and value == namespace:
                    return (name + ":" + localname).lower()
        return localname

    def method_name(self, tag: str) -> tuple[str, bool]:
        """(handler name, unprefixed) as in ``unknown_starttag``."""
        if ":" in tag:
            prefix, suffix = tag.split(":", 1)
        else:
            prefix, suffix = "", tag
        prefix = self.namespacemap.get(prefix, prefix)
        return (prefix + "_" + suffix if prefix else suffix), not prefix

    # --- element events ---------------------------------------------------------

    def rebase(self, base: str | None) -> None:
        """Track xml:base as feedparser does: re-joined at every element."""
        current = self.baseuri
        if not base:
            new = self._same.get(current)
            if new is not None:
                self.baseuri = new
                self.basestack.append(new)
                return
        key = (current, base or current)
        new = self._bases.get(key)
        if new is None:
            if current:
                new = str(make_safe_absolute_uri(current, key[1]) or current)
            else:
                new = str(_urljoin(current, key[1]))
            self._bases[key] = new
            if not base:
                self._same[current] = new
        self.baseuri = new
        self.basestack.append(new)

    def unbase(self) -> None:
        stack = self.basestack
        if stack:
            stack.pop()
            if stack and stack[-1]:
                self.baseuri = stack[-1]

    def start(self, tag: str, name: str, unprefixed: bool, attrs_d: dict[str, str]) -> None:
        """``unknown_starttag`` for ``tag``, which dispatches to ``name``."""
        self.depth += 1
        self.rebase(attrs_d.get("xml:base", attrs_d.get("base")) if attrs_d else None)
        if self.incontent:
            raise _Unsupported("markup inside a text construct")
        if unprefixed:
            if tag not in ("title", "link", "description", "name"):
                self.intextinput = 0
            if tag not in ("title", "link", "description", "url", "href", "width", "height"):
                self.inimage = 0
        handler = _STARTS.get(name)
        if handler is not None:
            handler(self, attrs_d)
        elif name in _REFUSED or name in _SENSITIVE:
            raise _Unsupported(name)
        elif attrs_d:
            self._get_context()[name] = attrs_d  # never read
        else:
            self.push(name, 1)

    def end(self, name: str) -> None:
        handler = _ENDS.get(name)
        if handler is not None:
            handler(self)
        elif self.elementstack and self.elementstack[-1][0] == name:
            if name in _STARTS:
                raise _Unsupported(name)
            self.elementstack.pop()  # an unknown element: its value is never read
        self.unbase()
        self.depth -= 1

    def handle_data(self, text: str) -> None:
        if not self.elementstack:
            return
        if self.contentparams.get("type") == _XHTML:
            text = _xml_escape(text)
        self.elementstack[-1][2].append(text)

    def xhtml(self, element: ET.Element, pieces: list[str] | None = None) -> None:
        """Inline XHTML content: the markup feedparser rebuilds from SAX events.

        The pieces go to the element on top of the stack, or to ``pieces``.
        """
        if pieces is None:
            pieces = self.elementstack[-1][2]
        if element.text:
            pieces.append(_xml_escape(element.text))
        stack: list[tuple[ET.Element, Any]] = [(element, iter(element))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if stack:
                    pieces.append(f"</{self._xhtml_tag(parent)}>")
                    if parent.tail:
                        pieces.append(_xml_escape(parent.tail))
                continue
            if len(stack) > _MAX_DEPTH:
                raise _Unsupported("nesting")
            tag = self._xhtml_tag(child)
            attrs: dict[str, str] = {}  # lowercased names: the last of two equal ones wins
            for key, value in child.attrib.items():
                if key[:1] == "{":  # xml:lang, xml:space...: feedparser writes them back
                    namespace, _, local = key[1:].partition("}")
                    if namespace != _XML_NS:
                        raise _Unsupported("attribute in xhtml")
                    key = "xml:" + local
                key = key.lower()
                if key in ("base", "xml:base") and not self.baseuri:
                    raise _Unsupported("attribute in xhtml")
                if key in ("rel", "type"):
                    value = value.lower()
                attrs[key] = f' {key}="{_xml_escape(value).replace(chr(34), "&quot;")}"'
            pieces.append(f"<{tag}{''.join(attrs.values())}>")
            if child.text:
                pieces.append(_xml_escape(child.text))
            stack.append((child, iter(child)))

    def _xhtml_tag(self, element: ET.Element) -> str:
        namespace, _, local = element.tag[1:].partition("}")
        if element.tag[:1] != "{":
            namespace, local = "", element.tag
        if namespace not in (_XHTML_NS, _ATOM_NS, ""):
            raise _Unsupported("foreign markup in xhtml")
        tag = self.tag_of(namespace or None, local)
        name, _ = self.method_name(tag)
        if name in _HANDLED_BY_FEEDPARSER or local.lower() in ("svg", "math"):
            raise _Unsupported("xhtml element with a feedparser handler")
        return tag.split(":")[-1]

    # --- the element stack (mixin.push / pop) -----------------------------------

    def push(self, element: str, expecting_text: Any) -> None:
        self.elementstack.append([element, expecting_text, []])

    def pop(self, element: str, strip_whitespace: int = 1) -> str | None:
        if not self.elementstack or self.elementstack[-1][0] != element:
            return None
        element, expecting_text, pieces = self.elementstack.pop()
        if self.version == "atom10" and self.contentparams.get("type", "text") == _XHTML:
            pieces = _trim_xhtml(pieces)
        output: str = "".join(pieces)
        if strip_whitespace:
            output = output.strip()
        if not expecting_text:
            return output
        mime = self.contentparams.get("type") or ""
        output, stored_mime = _stored(output, element, self.baseuri or "", self.guidislink,
                                      not self.version.startswith("atom"), mime, bool(self.inentry))
        if stored_mime != mime:
            self.contentparams["type"] = stored_mime
        self.contentparams.pop("mode", None)
        self.contentparams.pop("base64", None)
        if element in ("category", "tags", "itunes_keywords"):
            return output
        if element == "title" and -1 < self.title_depth <= self.depth:
            return output
        if self.inentry and not self.insource:
            entry = self.entries[-1]
            if element == "content":
                entry.setdefault("content", [])
                params = dict(self.contentparams)
                params["value"] = output
                entry["content"].append(params)
            elif element == "link":
                if not self.inimage:
                    output = output.replace("&amp;", "&")
                    output = _LINK_REF.sub(r"&\g<1>", output)
                    entry["link"] = output
                    if output:
                        entry["links"][-1]["href"] = output
            else:
                if element == "description":
                    element = "summary"
                depths = self.property_depth.setdefault(id(entry), {})
                old = depths.get(element)
                if old is None or self.depth <= old:
                    depths[element] = self.depth
                    _set(entry, element, output)
                if self.incontent:
                    params = dict(self.contentparams)
                    params["value"] = output
                    _set(entry, element + "_detail", params)
        elif self.infeed or self.insource:
            context = self._get_context()
            if element == "description":
                element = "subtitle"
            _set(context, element, output)
            if element == "link":
                output = _LINK_REF.sub(r"&\g<1>", output)
                context[element] = output
                context["links"][-1]["href"] = output
            elif self.incontent:
                params = dict(self.contentparams)
                params["value"] = output
                _set(context, element + "_detail", params)
        return output

    def push_content(self, tag: str, attrs_d: dict[str, str], default_type: str,
                     expecting_text: Any) -> None:
        self.incontent += 1
        self.contentparams = {"type": _text_construct_type(attrs_d, default_type),
                              "base": self.baseuri, "base64": 0}
        self.push(tag, expecting_text)

    def pop_content(self, tag: str) -> str | None:
        value = self.pop(tag)
        self.incontent -= 1
        self.contentparams.clear()
        return value

    def _get_context(self) -> dict[str, Any]:
        if self.insource:
            return self.sourcedata
        if self.inimage and "image" in self.feeddata:
            image: dict[str, Any] = self.feeddata["image"]
            return image
        if self.intextinput:
            textinput: dict[str, Any] = self.feeddata["textinput"]
            return textinput
        if self.inentry:
            return self.entries[-1]
        return self.feeddata

    def _save(self, key: str, value: Any, overwrite: bool = False) -> None:
        context = self._get_context()
        if overwrite or key not in context:
            _set(context, key, value)

    def _save_author(self, key: str, value: Any, prefix: str = "author") -> None:
        _save_author(self._get_context(), key, value, prefix)

    def _save_contributor(self, key: str, value: Any) -> None:
        context = self._get_context()
        context.setdefault("contributors", [{}])
        context["contributors"][-1][key] = value

    def _sync_author_detail(self, key: str = "author") -> None:
        _sync_author(self._get_context(), key)

    def _add_tag(self, term: Any, scheme: Any, label: Any) -> None:
        add_tag_once(self, term, scheme, label)

    # --- handlers (namespaces/_base.py and friends) ------------------------------

    def _ignore(self, attrs_d: dict[str, str]) -> None:
        pass

    def _start_rss(self, attrs_d: dict[str, str]) -> None:
        if not self.version or not self.version.startswith("rss"):
            attr_version = attrs_d.get("version", "")
            version = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093",
                       "0.94": "rss094"}.get(attr_version)
            if version:
                self.version = version
            elif attr_version.startswith("2."):
                self.version = "rss20"
            else:
                self.version = "rss"

    def _cdf_common(self, attrs_d: dict[str, str]) -> None:
        if "lastmod" in attrs_d or "href" in attrs_d:
            raise _Unsupported("CDF attributes")

    def _start_channel(self, attrs_d: dict[str, str]) -> None:
        self.infeed = 1
        self._cdf_common(attrs_d)

    def _start_feed(self, attrs_d: dict[str, str]) -> None:
        self.infeed = 1
        if not self.version:
            version = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}.get(
                attrs_d.get("version") or ""
            )
            self.version = version or "atom"

    def _end_channel(self) -> None:
        self.infeed = 0

    def _start_image(self, attrs_d: dict[str, str]) -> None:
        context = self._get_context()
        if not self.inentry:
            context.setdefault("image", {})
        self.inimage = 1
        self.title_depth = -1
        self.push("image", 0)

    def _end_image(self) -> None:
        self.pop("image")
        self.inimage = 0

    def _start_textinput(self, attrs_d: dict[str, str]) -> None:
        context = self._get_context()
        context.setdefault("textinput", {})
        self.intextinput = 1
        self.title_depth = -1
        self.push("textinput", 0)

    def _end_textinput(self) -> None:
        self.pop("textinput")
        self.intextinput = 0

    def _start_author(self, attrs_d: dict[str, str]) -> None:
        self.inauthor = 1
        self.push("author", 1)
        context = self._get_context()
        context.setdefault("authors", [])
        context["authors"].append({})

    def _end_author(self) -> None:
        self.pop("author")
        self.inauthor = 0
        self._sync_author_detail()

    def _start_contributor(self, attrs_d: dict[str, str]) -> None:
        self.incontributor = 1
        context = self._get_context()
        context.setdefault("contributors", [])
        context["contributors"].append({})
        self.push("contributor", 0)

    def _end_contributor(self) -> None:
        self.pop("contributor")
        self.incontributor = 0

    def _start_dc_contributor(self, attrs_d: dict[str, str]) -> None:
        self.incontributor = 1
        context = self._get_context()
        context.setdefault("contributors", [])
        context["contributors"].append({})
        self.push("name", 0)

    def _end_dc_contributor(self) -> None:
        self._end_name()
        self.incontributor = 0

    def _push_name(self, attrs_d: dict[str, str]) -> None:
        self.push("name", 0)

    def _end_name(self) -> None:
        value = self.pop("name")
        if self.inpublisher:
            self._save_author("name", value, "publisher")
        elif self.inauthor:
            self._save_author("name", value)
        elif self.incontributor:
            self._save_contributor("name", value)
        elif self.intextinput:
            self._get_context()["name"] = value

    def _push_width(self, attrs_d: dict[str, str]) -> None:
        self.push("width", 0)

    def _push_height(self, attrs_d: dict[str, str]) -> None:
        self.push("height", 0)

    def _end_width(self) -> None:
        self._end_size("width")

    def _end_height(self) -> None:
        self._end_size("height")

    def _end_size(self, key: str) -> None:
        value = self.pop(key)
        try:
            number = int(value)  # type: ignore[arg-type]
        except ValueError:
            number = 0
        except TypeError as exc:  # feedparser raises here too
            raise _Unsupported(key) from exc
        if self.inimage:
            self._get_context()[key] = number

    def _push_href(self, attrs_d: dict[str, str]) -> None:
        self.push("href", 1)

    def _end_url(self) -> None:
        value = self.pop("href")
        if self.inauthor:
            self._save_author("href", value)
        elif self.incontributor:
            self._save_contributor("href", value)

    def _push_email(self, attrs_d: dict[str, str]) -> None:
        self.push("email", 0)

    def _end_email(self) -> None:
        value = self.pop("email")
        if self.inpublisher:
            self._save_author("email", value, "publisher")
        elif self.inauthor:
            self._save_author("email", value)
        elif self.incontributor:
            self._save_contributor("email", value)

    def _start_subtitle(self, attrs_d: dict[str, str]) -> None:
        self.push_content("subtitle", attrs_d, "text/plain", 1)

    def _end_subtitle(self) -> None:
        self.pop_content("subtitle")

    def _start_rights(self, attrs_d: dict[str, str]) -> None:
        self.push_content("rights", attrs_d, "text/plain", 1)

    def _end_rights(self) -> None:
        self.pop_content("rights")

    def _start_item(self, attrs_d: dict[str, str]) -> None:
        self.entries.append({})
        self.push("item", 0)
        self.inentry = 1
        self.guidislink = False
        self.title_depth = -1
        about = attrs_d.get(self._std_prefix("rdf:about"))
        if about:
            self._get_context()["id"] = about
        self._cdf_common(attrs_d)

    def _std_prefix(self, name: str) -> str:
        prefix, _, suffix = name.partition(":")
        return self.namespacemap.get(prefix, prefix) + ":" + suffix

    def _end_item(self) -> None:
        self.pop("item")
        self.inentry = 0
        self.has_content = 0

    def _push_language(self, attrs_d: dict[str, str]) -> None:
        self.push("language", 1)

    def _end_language(self) -> None:
        self.pop("language")

    def _push_publisher(self, attrs_d: dict[str, str]) -> None:
        self.push("publisher", 1)

    def _end_publisher(self) -> None:
        self.pop("publisher")
        self._sync_author_detail("publisher")

    def _start_itunes_owner(self, attrs_d: dict[str, str]) -> None:
        self.inpublisher = 1
        self.push("publisher", 0)

    def _end_itunes_owner(self) -> None:
        self.pop("publisher")
        self.inpublisher = 0
        self._sync_author_detail("publisher")

    def _push_published(self, attrs_d: dict[str, str]) -> None:
        self.push("published", 1)

    def _end_published(self) -> None:
        value = self.pop("published")
        self._save("published_parsed", _date(value), overwrite=True)

    def _push_updated(self, attrs_d: dict[str, str]) -> None:
        self.push("updated", 1)

    def _end_updated(self) -> None:
        value = self.pop("updated")
        self._save("updated_parsed", _date(value), overwrite=True)

    def _push_created(self, attrs_d: dict[str, str]) -> None:
        self.push("created", 1)

    def _end_created(self) -> None:
        value = self.pop("created")
        self._save("created_parsed", _date(value), overwrite=True)

    def _push_expired(self, attrs_d: dict[str, str]) -> None:
        self.push("expired", 1)

    def _end_expired(self) -> None:
        self._save("expired_parsed", _parse_date(self.pop("expired")), overwrite=True)

    def _start_category(self, attrs_d: dict[str, str]) -> None:
        term = attrs_d.get("term")
        scheme = attrs_d.get("scheme", attrs_d.get("domain"))
        label = attrs_d.get("label")
        self._add_tag(term, scheme, label)
        self.push("category", 1)

    def _start_itunes_category(self, attrs_d: dict[str, str]) -> None:
        self._add_tag(attrs_d.get("text"), "http://www.itunes.com/", None)
        self.push("category", 1)

    def _start_media_category(self, attrs_d: dict[str, str]) -> None:
        attrs_d.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
        self._start_category(attrs_d)

    def _end_category(self) -> None:
        value = self.pop("category")
        if not value:
            return
        tags = self._get_context()["tags"]
        if value and len(tags) and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self._add_tag(value, None, None)

    def _start_cloud(self, attrs_d: dict[str, str]) -> None:
        self._get_context()["cloud"] = dict(attrs_d)

    def _start_link(self, attrs_d: dict[str, str]) -> None:
        href = _start_link_in(self._get_context(), attrs_d, self.baseuri or "",
                              not (self.inentry and self.inimage))
        if href is None:
            self.push("link", self.infeed or self.inentry or self.insource)

    def _end_link(self) -> None:
        self.pop("link")

    def _start_guid(self, attrs_d: dict[str, str]) -> None:
        self.guidislink = attrs_d.get("ispermalink", "true") == "true"
        self.push("id", 1)

    def _end_guid(self) -> None:
        value = self.pop("id")
        self._save("guidislink", self.guidislink and "link" not in self._get_context())
        if self.guidislink:
            self._save("link", value)

    def _start_title(self, attrs_d: dict[str, str]) -> None:
        self.push_content("title", attrs_d, "text/plain",
                          self.infeed or self.inentry or self.insource)

    def _end_title(self) -> None:
        value = self.pop_content("title")
        if not value:
            return
        self.title_depth = self.depth

    def _end_media_title(self) -> None:
        title_depth = self.title_depth
        self._end_title()
        self.title_depth = title_depth

    def _start_description(self, attrs_d: dict[str, str]) -> None:
        context = self._get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self._start_content(attrs_d)
        else:
            self.push_content("description", attrs_d, "text/html",
                              self.infeed or self.inentry or self.insource)

    def _start_abstract(self, attrs_d: dict[str, str]) -> None:
        self.push_content("description", attrs_d, "text/plain",
                          self.infeed or self.inentry or self.insource)

    def _end_description(self) -> None:
        if self.summary_key == "content":
            self._end_content()
        else:
            self.pop_content("description")
        self.summary_key = None

    def _start_info(self, attrs_d: dict[str, str]) -> None:
        self.push_content("info", attrs_d, "text/plain", 1)

    def _end_info(self) -> None:
        self.pop_content("info")

    def _start_generator(self, attrs_d: dict[str, str]) -> None:
        if attrs_d:
            attrs_d = _enforce_href(attrs_d)
            if "href" in attrs_d:
                attrs_d["href"] = _join(self.baseuri or "", attrs_d["href"])
        self._get_context()["generator_detail"] = dict(attrs_d)
        self.push("generator", 1)

    def _end_generator(self) -> None:
        value = self.pop("generator")
        context = self._get_context()
        if "generator_detail" in context:
            context["generator_detail"]["name"] = value

    def _start_summary(self, attrs_d: dict[str, str]) -> None:
        context = self._get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self._start_content(attrs_d)
        else:
            self.summary_key = "summary"
            self.push_content("summary", attrs_d, "text/plain", 1)

    def _end_summary(self) -> None:
        if self.summary_key == "content":
            self._end_content()
        else:
            self.pop_content(self.summary_key or "summary")
        self.summary_key = None

    def _start_enclosure(self, attrs_d: dict[str, str]) -> None:
        attrs_d = _enforce_href(attrs_d)
        context = self._get_context()
        attrs_d["rel"] = "enclosure"
        context.setdefault("links", []).append(dict(attrs_d))

    def _start_source(self, attrs_d: dict[str, str]) -> None:
        if "url" in attrs_d:
            self.sourcedata["href"] = attrs_d["url"]
        self.push("source", 1)
        self.insource = 1
        self.title_depth = -1

    def _end_source(self) -> None:
        self.insource = 0
        value = self.pop("source")
        if value:
            self.sourcedata["title"] = value
        self._get_context()["source"] = copy.deepcopy(self.sourcedata)
        self.sourcedata.clear()

    def _start_content(self, attrs_d: dict[str, str]) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/plain", 1)
        src = attrs_d.get("src")
        if src:
            self.contentparams["src"] = src
        self.push("content", 1)

    def _start_content_encoded(self, attrs_d: dict[str, str]) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/html", 1)

    def _end_content(self) -> None:
        copy_to_summary = self.contentparams["type"] in _COPIED_TO_SUMMARY
        value = self.pop_content("content")
        if copy_to_summary:
            self._save("summary", value)

    def _push_newlocation(self, attrs_d: dict[str, str]) -> None:
        self.push("newlocation", 1)

    def _end_newlocation(self) -> None:
        url = self.pop("newlocation")
        context = self._get_context()
        if context is not self.feeddata:
            return
        if url is None:
            raise _Unsupported("newlocation")
        context["newlocation"] = make_safe_absolute_uri(self.baseuri, url.strip())

    def _push_tags(self, attrs_d: dict[str, str]) -> None:
        self.push("tags", 1)

    def _end_tags(self) -> None:
        value = self.pop("tags")
        if value is None:
            raise _Unsupported("tags")
        for term in value.split(","):
            self._add_tag(term.strip(), None, None)

    def _end_media_keywords(self) -> None:
        value = self.pop("media_keywords")
        if value is None:
            raise _Unsupported("media:keywords")
        for term in value.split(","):
            if term.strip():
                self._add_tag(term.strip(), None, None)

    def _end_itunes_keywords(self) -> None:
        value = self.pop("itunes_keywords")
        if value is None:
            raise _Unsupported("itunes:keywords")
        for term in value.split(","):
            if term.strip():
                self._add_tag(term.strip(), "http://www.itunes.com/", None)

    def _start_media_content(self, attrs_d: dict[str, str]) -> None:
        self._get_context().setdefault("media_content", []).append(attrs_d)

    def _start_media_thumbnail(self, attrs_d: dict[str, str]) -> None:
        context = self._get_context()
        context.setdefault("media_thumbnail", [])
        self.push("url", 1)
        context["media_thumbnail"].append(attrs_d)

    def _end_media_thumbnail(self) -> None:
        url = self.pop("url")
        context = self._get_context()
        if url is not None and url.strip() and "url" not in context["media_thumbnail"][-1]:
            context["media_thumbnail"][-1]["url"] = url

    def _start_media_player(self, attrs_d: dict[str, str]) -> None:
        self.push("media_player", 0)
        self._get_context()["media_player"] = dict(attrs_d)

    def _end_media_player(self) -> None:
        value = self.pop("media_player")
        self._get_context()["media_player"]["content"] = value

    def _start_media_rating(self, attrs_d: dict[str, str]) -> None:
        self._get_context().setdefault("media_rating", attrs_d)
        self.push("rating", 1)

    def _end_media_rating(self) -> None:
        rating = self.pop("rating")
        if rating is not None and rating.strip():
            self._get_context()["media_rating"]["content"] = rating

    def _start_media_credit(self, attrs_d: dict[str, str]) -> None:
        self._get_context().setdefault("media_credit", []).append(attrs_d)
        self.push("credit", 1)

    def _end_media_credit(self) -> None:
        credit = self.pop("credit")
        if credit is not None and credit.strip():
            self._get_context()["media_credit"][-1]["content"] = credit

    def _start_media_restriction(self, attrs_d: dict[str, str]) -> None:
        self._get_context().setdefault("media_restriction", attrs_d)
        self.push("restriction", 1)

    def _end_media_restriction(self) -> None:
        restriction = self.pop("restriction")
        if restriction is not None and restriction.strip():
            self._get_context()["media_restriction"]["content"] = [
                cc.strip().lower() for cc in restriction.split(" ")
            ]

    def _start_media_license(self, attrs_d: dict[str, str]) -> None:
        self._get_context().setdefault("media_license", attrs_d)
        self.push("license", 1)

    def _end_media_license(self) -> None:
        license_ = self.pop("license")
        if license_ is not None and license_.strip():
            self._get_context()["media_license"]["content"] = license_

    def _start_itunes_image(self, attrs_d: dict[str, str]) -> None:
        self.push("itunes_image", 0)
        if attrs_d.get("href"):
            self._get_context()["image"] = {"href": attrs_d.get("href")}
        elif attrs_d.get("url"):
            self._get_context()["image"] = {"href": attrs_d.get("url")}

    def _end_itunes_image(self) -> None:
        self.pop("itunes_image")

    def _end_itunes_block(self) -> None:
        value = self.pop("itunes_block", 0)
        self._get_context()["itunes_block"] = 1 if value in ("yes", "Yes") else 0

    def _end_itunes_explicit(self) -> None:
        value = self.pop("itunes_explicit", 0)
        self._get_context()["itunes_explicit"] = (None, False, True)[
            (value == "yes" and 2) or value == "clean" or 0
        ]

    # GeoRSS and Creative Commons: feedparser files them under "where" and as
    # "license" links, which digest never reads; only their effect on the
    # element stack and the context is kept.

    def _start_georss(self, attrs_d: dict[str, str]) -> None:
        self.push("geometry", 0)
        self._get_context()["where"] = {}

    def _end_georss(self) -> None:
        self.pop("geometry")

    def _start_creativecommons_license(self, attrs_d: dict[str, str]) -> None:
        self.push("license", 1)

    def _end_creativecommons_license(self) -> None:
        value = self.pop("license")
        context = self._get_context()
        link = {"rel": "license"}
        if value:
            link["href"] = value
        context.setdefault("links", []).append(link)
        del context["license"]  # a KeyError where feedparser meets one too

    def _start_cc_license(self, attrs_d: dict[str, str]) -> None:
        link = {"rel": "license"}
        value = attrs_d.get(self._std_prefix("rdf:resource"))
        if value:
            link["href"] = value
        self._get_context().setdefault("links", []).append(link)


# The handlers, by the names ``method_name`` gives: built once, not for every document.
_STARTS: dict[str, Callable[[_Port, dict[str, str]], None]] = {
        "rss": _Port._start_rss, "channel": _Port._start_channel, "feed": _Port._start_feed,
        "image": _Port._start_image, "textinput": _Port._start_textinput,
        "author": _Port._start_author, "managingeditor": _Port._start_author,
        "dc_author": _Port._start_author, "dc_creator": _Port._start_author,
        "itunes_author": _Port._start_author,
        "contributor": _Port._start_contributor, "dc_contributor": _Port._start_dc_contributor,
        "name": _Port._push_name, "itunes_name": _Port._push_name,
        "width": _Port._push_width, "height": _Port._push_height,
        "url": _Port._push_href, "homepage": _Port._push_href, "uri": _Port._push_href,
        "email": _Port._push_email, "itunes_email": _Port._push_email,
        "subtitle": _Port._start_subtitle, "tagline": _Port._start_subtitle,
        "itunes_subtitle": _Port._start_subtitle,
        "rights": _Port._start_rights, "copyright": _Port._start_rights,
        "dc_rights": _Port._start_rights,
        "item": _Port._start_item, "entry": _Port._start_item,
        "language": _Port._push_language, "dc_language": _Port._push_language,
        "webmaster": _Port._push_publisher, "dc_publisher": _Port._push_publisher,
        "itunes_owner": _Port._start_itunes_owner,
        "published": _Port._push_published, "issued": _Port._push_published,
        "pubdate": _Port._push_published, "dcterms_issued": _Port._push_published,
        "updated": _Port._push_updated, "modified": _Port._push_updated,
        "lastbuilddate": _Port._push_updated, "dc_date": _Port._push_updated,
        "dcterms_modified": _Port._push_updated,
        "created": _Port._push_created, "dcterms_created": _Port._push_created,
        "expirationdate": _Port._push_expired,
        "category": _Port._start_category, "keywords": _Port._start_category,
        "dc_subject": _Port._start_category, "itunes_category": _Port._start_itunes_category,
        "media_category": _Port._start_media_category,
        "cloud": _Port._start_cloud, "link": _Port._start_link,
        "guid": _Port._start_guid, "id": _Port._start_guid,
        "title": _Port._start_title, "dc_title": _Port._start_title,
        "media_title": _Port._start_title,
        "description": _Port._start_description, "dc_description": _Port._start_description,
        "media_description": _Port._start_description, "abstract": _Port._start_abstract,
        "info": _Port._start_info, "feedburner_browserfriendly": _Port._start_info,
        "generator": _Port._start_generator,
        "summary": _Port._start_summary, "itunes_summary": _Port._start_summary,
        "enclosure": _Port._start_enclosure, "source": _Port._start_source,
        "content": _Port._start_content, "content_encoded": _Port._start_content_encoded,
        "fullitem": _Port._start_content_encoded, "newlocation": _Port._push_newlocation,
        "tags": _Port._push_tags, "media_group": _Port._ignore,
        "media_content": _Port._start_media_content,
        "media_thumbnail": _Port._start_media_thumbnail,
        "media_player": _Port._start_media_player, "media_rating": _Port._start_media_rating,
        "media_credit": _Port._start_media_credit,
        "media_restriction": _Port._start_media_restriction,
        "media_license": _Port._start_media_license,
        "itunes_image": _Port._start_itunes_image, "itunes_link": _Port._start_itunes_image,
        "georss_point": _Port._start_georss, "georss_line": _Port._start_georss,
        "georss_polygon": _Port._start_georss, "georss_box": _Port._start_georss,
        "creativecommons_license": _Port._start_creativecommons_license,
        "cc_license": _Port._start_cc_license,
    }  # fmt: skip
_ENDS: dict[str, Callable[[_Port], None]] = {
        "channel": _Port._end_channel, "feed": _Port._end_channel,
        "image": _Port._end_image, "textinput": _Port._end_textinput,
        "author": _Port._end_author, "managingeditor": _Port._end_author,
        "dc_author": _Port._end_author, "dc_creator": _Port._end_author,
        "itunes_author": _Port._end_author,
        "contributor": _Port._end_contributor, "dc_contributor": _Port._end_dc_contributor,
        "name": _Port._end_name, "itunes_name": _Port._end_name,
        "width": _Port._end_width, "height": _Port._end_height,
        "url": _Port._end_url, "homepage": _Port._end_url, "uri": _Port._end_url,
        "email": _Port._end_email, "itunes_email": _Port._end_email,
        "subtitle": _Port._end_subtitle, "tagline": _Port._end_subtitle,
        "itunes_subtitle": _Port._end_subtitle,
        "rights": _Port._end_rights, "copyright": _Port._end_rights,
        "dc_rights": _Port._end_rights,
        "item": _Port._end_item, "entry": _Port._end_item,
        "language": _Port._end_language, "dc_language": _Port._end_language,
        "webmaster": _Port._end_publisher, "dc_publisher": _Port._end_publisher,
        "itunes_owner": _Port._end_itunes_owner,
        "published": _Port._end_published, "issued": _Port._end_published,
        "pubdate": _Port._end_published, "dcterms_issued": _Port._end_published,
        "updated": _Port._end_updated, "modified": _Port._end_updated,
        "lastbuilddate": _Port._end_updated, "dc_date": _Port._end_updated,
        "dcterms_modified": _Port._end_updated,
        "created": _Port._end_created, "dcterms_created": _Port._end_created,
        "expirationdate": _Port._end_expired,
        "category": _Port._end_category, "keywords": _Port._end_category,
        "dc_subject": _Port._end_category, "itunes_category": _Port._end_category,
        "media_category": _Port._end_category,
        "link": _Port._end_link, "guid": _Port._end_guid, "id": _Port._end_guid,
        "title": _Port._end_title, "dc_title": _Port._end_title,
        "media_title": _Port._end_media_title,
        "description": _Port._end_description, "dc_description": _Port._end_description,
        "media_description": _Port._end_description, "abstract": _Port._end_description,
        "info": _Port._end_info, "feedburner_browserfriendly": _Port._end_info,
        "generator": _Port._end_generator,
        "summary": _Port._end_summary, "itunes_summary": _Port._end_summary,
        "source": _Port._end_source,
        "content": _Port._end_content, "content_encoded": _Port._end_content,
        "fullitem": _Port._end_content, "newlocation": _Port._end_newlocation,
        "tags": _Port._end_tags, "media_keywords": _Port._end_media_keywords,
        "itunes_keywords": _Port._end_itunes_keywords,
        "media_thumbnail": _Port._end_media_thumbnail,
        "media_player": _Port._end_media_player, "media_rating": _Port._end_media_rating,
        "media_credit": _Port._end_media_credit,
        "media_restriction": _Port._end_media_restriction,
        "media_license": _Port._end_media_license,
        "itunes_image": _Port._end_itunes_image, "itunes_link": _Port._end_itunes_image,
        "itunes_block": _Port._end_itunes_block, "itunes_explicit": _Port._end_itunes_explicit,
        "georss_point": _Port._end_georss, "georss_line": _Port._end_georss,
        "georss_polygon": _Port._end_georss, "georss_box": _Port._end_georss,
        "creativecommons_license": _Port._end_creativecommons_license,
    }  # fmt: skip
#: Elements feedparser has handlers for that the port does not model.
_REFUSED = frozenset(_HANDLED_BY_FEEDPARSER - set(_STARTS) - set(_ENDS))


# --- driving the port -------------------------------------------------------------------


def _attrs(element: ET.Element, prefixes: dict[str, set[str]]) -> dict[str, str]:
    """The attribute dict feedparser's strict parser builds for one element.

    A namespaced attribute is entered twice, under its standard prefix (bare
    for namespaces feedparser does not know) and under the prefix the
    document used, so ``foo:href`` on an unknown namespace is an ``href``.
    """
    if not any(key[:1] == "{" for key in element.attrib):
        return {
            key.lower(): value.lower() if key.lower() in ("rel", "type") else value
            for key, value in element.attrib.items()
        }
    first: list[tuple[str, str]] = []
    qnames: list[tuple[str, str]] = []
    for key, value in element.attrib.items():
        if key[:1] == "{":
            namespace, _, local = key[1:].partition("}")
            std = _MATCH_NS.get(namespace.lower(), "")
            given = {"xml"} if namespace == _XML_NS else prefixes.get(namespace, set())
            if len(given) != 1:
                raise _Unsupported("attribute prefix")
            first.append((f"{std}:{local}" if std else local, value))
            qnames.append((f"{next(iter(given))}:{local}", value))
        else:
            first.append((key, value))
            qnames.append((key, value))
    attrs_d: dict[str, str] = {}
    for key, value in first + qnames:
        key = key.lower()
        attrs_d[key] = value.lower() if key in ("rel", "type") else value
    return attrs_d


