"""Items read in one go: the entry the port would make of an item, from its subtree.

The port handles every element of a document one event at a time; an item
of the usual shape (leaf children with the common RSS and Atom names, Atom
persons and sources, inline XHTML) is read here straight from its subtree,
applying the port's rules in document order: the first non-empty title
wins, a permalink guid is the link only if no link came first, a second
summary is the content. Anything else is declined and the item replayed
through the port. ``tests/feeds/test_quick_items.py`` holds the two to the
same entries.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from digest.feeds.port import (
    _COPIED_TO_SUMMARY,
    _ENDS,
    _LINK_REF,
    _REFUSED,
    _SENSITIVE,
    _STARTS,
    _XHTML,
    _attrs,
    _date,
    _map_content_type,
    _save_author,
    _start_link_in,
    _stored,
    _sync_author,
    _text_construct_type,
    _trim_xhtml,
    add_tag_to,
)

if TYPE_CHECKING:
    from digest.feeds.fastparse import _Walker

__all__ = ["quick_item"]


# Handler names (as ``_Walker.mapped`` gives them) of an item's children that
# ``quick_item`` reads itself; every other child with a handler sends the
# item through the port.
_DATE_KINDS = {
    "published": "published", "issued": "published", "pubdate": "published",
    "dcterms_issued": "published", "updated": "updated", "modified": "updated",
    "lastbuilddate": "updated", "dc_date": "updated", "dcterms_modified": "updated",
    "created": "created", "dcterms_created": "created",
}  # fmt: skip
_PEOPLE = frozenset(("author", "managingeditor", "dc_author", "dc_creator", "itunes_author"))
_CATEGORIES = frozenset(("category", "keywords", "dc_subject"))
_PERSON_PARTS = {"name": "name", "itunes_name": "name", "email": "email",
                 "itunes_email": "email", "url": "href", "homepage": "href", "uri": "href"}
# Comma-separated tags (_end_tags and friends), and the scheme each files them under.
_KEYWORDS = {"tags": None, "media_keywords": None, "itunes_keywords": "http://www.itunes.com/"}
_TITLES = frozenset(("title", "dc_title"))
_DESCRIPTIONS = frozenset(("description", "dc_description", "media_description"))
_SUMMARIES = frozenset(("summary", "itunes_summary"))
# Children whose handlers only store keys digest never reads of an entry (rights,
# media thumbnails, iTunes flags...) and leave no state behind; those that take
# a text construct are checked as push_content would check them.
_INERT_TEXT = frozenset(("rights", "dc_rights", "copyright", "subtitle", "tagline",
                         "itunes_subtitle", "info", "feedburner_browserfriendly"))
_INERT = frozenset(("language", "dc_language", "webmaster", "dc_publisher", "generator",
                    "newlocation", "media_thumbnail", "media_player", "media_rating",
                    "media_credit", "media_restriction", "media_license", "media_content",
                    "itunes_image", "itunes_link", "itunes_block", "itunes_explicit", "cloud",
                    "expirationdate", "enclosure", "georss_point", "georss_line",
                    "georss_polygon", "georss_box", "creativecommons_license", "cc_license"))


class _Decline(Exception):
    """An item ``quick_item`` does not read; the port reads it instead."""


def _text_type(attrs: dict[str, str], default: str) -> str:
    """``push_content``'s media type; inline XHTML (streamed by the walker) is declined."""
    mime = _text_construct_type(attrs, default)
    if mime == _XHTML:
        raise _Decline
    return mime


def _ignored(name: str) -> None:
    """Pass over an element the port would store under its own name (never read), or decline."""
    if name in _STARTS or name in _ENDS or name in _REFUSED or name in _SENSITIVE:
        raise _Decline


class _ItemReader:
    """``quick_item``'s state: the port's flags as they change through one item."""

    def __init__(self, walker: _Walker) -> None:
        self.walker = walker
        self.port = port = walker.port
        self.rss = not port.version.startswith("atom")
        self.guidislink = False
        #: A non-empty title was stored at this level: later ones are ignored.
        self.title_set = False
        self.has_content = port.has_content
        #: Elements of the item that declare namespaces. Inside inline XHTML the
        #: walker drops declarations; any other one the port would act on.
        self.declaring = set(walker.held_declared)
        #: The tags already in the item, for add_tag_to.
        self.tags: dict[int, list[Any]] = {}

    def attrs(self, element: ET.Element) -> dict[str, str]:
        return _attrs(element, self.walker.prefixes) if element.attrib else {}

    def enter(self, attrs: dict[str, str]) -> str:
        """``_Port.start``'s rebase: the base URI inside the element."""
        port = self.port
        port.rebase(attrs.get("xml:base", attrs.get("base")) if attrs else None)
        return port.baseuri

    def finish(self, raw: str, element: str, base: str, mime: str = "") -> tuple[str, str]:
        """The value the port stores, and the media type it stores with it ('' if none)."""
        return _stored(raw.strip(), element, base, self.guidislink, self.rss, mime, True)

    def add_tag(self, entry: dict[str, Any], term: Any, scheme: Any, label: Any) -> None:
        add_tag_to(entry, self.tags, term, scheme, label)

    def read(self, item: ET.Element) -> dict[str, Any]:
        port = self.port
        entry: dict[str, Any] = {}
        attrs = self.attrs(item)
        if attrs:
            about = port._std_prefix("rdf:about")
            if not {"xml:lang", "xml:base", "base", "rdf:about", about}.issuperset(attrs):
                raise _Decline
            if attrs.get(about):
                entry["id"] = attrs[about]
        self.enter(attrs)
        for child in item:
            self.child(entry, child)
        if self.declaring:
            raise _Decline
        port.unbase()
        return entry

    def declared_at(self, element: ET.Element) -> None:
        """The namespaces ``element`` declares, applied as the walker applies them at its
        start (declarations inside inline XHTML are dropped, see ``xhtml_text``)."""
        if self.declaring and element in self.declaring:
            self.walker.apply_declarations(self.walker.held_declared[element])
            self.declaring.discard(element)

    def child(self, entry: dict[str, Any], child: ET.Element) -> None:
        self.declared_at(child)
        name = self.walker.mapped(child)[1]
        attrs = self.attrs(child)
        base = self.enter(attrs)
        text = child.text or ""
        xhtml = bool(attrs) and _map_content_type(attrs.get("type", "")) == _XHTML
        if name == "content" and xhtml:
            self.content(entry, text, attrs, "text/plain", base, src=True, xhtml=child)
        elif name in _SUMMARIES and xhtml:
            if "summary" in entry and not self.has_content:  # a second summary
                self.content(entry, text, attrs, "text/plain", base, src=True, xhtml=child)
            else:
                value, _ = self.finish(self.xhtml_text(child, attrs), "summary", base, _XHTML)
                entry["summary"] = value
                entry["summary_detail"] = {"type": _XHTML, "base": base, "value": value}
        elif len(child):
            if name == "media_content" and not text.strip():
                self.inert_children(child)
            elif name == "link" and not text.strip():
                if self.link(entry, attrs, base) is None:
                    raise _Decline  # a text link with markup in it
                self.inert_children(child)
            elif child.attrib or text.strip():
                raise _Decline
            elif name in _PEOPLE:
                self.person(entry, child)
            elif name == "source":
                self.source(entry, child, base)
            else:
                raise _Decline
        elif name in _TITLES or name == "media_title":
            mime = _text_type(attrs, "text/plain")
            value, mime = self.finish(text, "title", base, mime)
            if not self.title_set:
                entry["title"] = value
                entry["title_detail"] = {"type": mime, "base": base, "value": value}
                if name != "media_title":  # _end_media_title keeps the title depth
                    self.title_set = bool(value)
        elif name == "link":
            link = self.link(entry, attrs, base)
            if link is None:
                value, _ = self.finish(text, "link", base)
                entry["link"] = _LINK_REF.sub(r"&\g<1>", value.replace("&amp;", "&"))
        elif name in ("guid", "id"):
            self.guid(entry, attrs, text, base)
        elif name in _DATE_KINDS:
            self.date(entry, _DATE_KINDS[name], text, base)
        elif name in _PEOPLE:
            entry.setdefault("authors", []).append({})
            entry["author"], _ = self.finish(text, "author", base)
            _sync_author(entry)
        elif name in _CATEGORIES or name == "media_category":
            if name == "media_category":
                attrs.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
            self.add_tag(entry, attrs.get("term"), attrs.get("scheme", attrs.get("domain")),
                         attrs.get("label"))
            value, _ = self.finish(text, "category", base)
            if value:
                tags = entry["tags"]
                if tags and not tags[-1]["term"]:
                    tags[-1]["term"] = value
                else:
                    self.add_tag(entry, value, None, None)
        elif (name in _DESCRIPTIONS or name in _SUMMARIES) and (
                "summary" in entry and not self.has_content):
            self.content(entry, text, attrs, "text/plain", base, src=True)  # a second summary
        elif name in _DESCRIPTIONS:
            mime = _text_type(attrs, "text/html")
            value, mime = self.finish(text, "description", base, mime)
            entry["summary"] = value
            entry["summary_detail"] = {"type": mime, "base": base, "value": value}
        elif name in _SUMMARIES:
            mime = _text_type(attrs, "text/plain")
            value, mime = self.finish(text, "summary", base, mime)
            entry["summary"] = value
            entry["summary_detail"] = {"type": mime, "base": base, "value": value}
        elif name == "content":
            self.content(entry, text, attrs, "text/plain", base, src=True)
        elif name in ("content_encoded", "fullitem"):
            self.content(entry, text, attrs, "text/html", base, src=False)
        elif name == "source":
            source: dict[str, Any] = {}
            if "url" in attrs:
                source["href"] = attrs["url"]
            self.title_set = False
            value, _ = self.finish(text, "source", base)
            if value:
                source["title"] = value
            entry["source"] = source
        elif name in _KEYWORDS:
            if attrs:
                raise _Decline  # no text read: the port refuses it
            value, _ = self.finish(text, name, base)
            scheme = _KEYWORDS[name]
            for term in value.split(","):
                if term.strip() or name == "tags":
                    self.add_tag(entry, term.strip(), scheme, None)
        elif name in _INERT_TEXT:
            _text_type(attrs, "text/plain")
        elif name not in _INERT:
            _ignored(name)
        self.port.unbase()

    def link(self, context: dict[str, Any], attrs: dict[str, str], base: str) -> str | None:
        """``_start_link``: the href kept as the context's link, or None for a text link."""
        return _start_link_in(context, attrs, base, keep=True)

    def guid(self, context: dict[str, Any], attrs: dict[str, str], text: str, base: str) -> None:
        self.guidislink = attrs.get("ispermalink", "true") == "true"
        value, _ = self.finish(text, "id", base)
        context["id"] = value
        context.setdefault("guidislink", self.guidislink and "link" not in context)
        if self.guidislink:
            context.setdefault("link", value)

    def date(self, context: dict[str, Any], kind: str, text: str, base: str) -> None:
        value, _ = self.finish(text, kind, base)
        context[kind] = value
        context[kind + "_parsed"] = _date(value)

    def content(self, entry: dict[str, Any], text: str, attrs: dict[str, str], default: str,
                base: str, *, src: bool, xhtml: ET.Element | None = None) -> None:
        """``_start_content`` … ``_end_content``: the body joins the entry's content list.

        Inline XHTML (``xhtml``) is serialized by the port, as it would be in a replay.
        """
        self.has_content = 1
        mime = _XHTML if xhtml is not None else _text_type(attrs, default)
        params: dict[str, Any] = {"type": mime, "base": base}
        if src and attrs.get("src"):
            params["src"] = attrs["src"]
        if xhtml is not None:
            text = self.xhtml_text(xhtml, attrs)
        value, params["type"] = self.finish(text, "content", base, mime)
        params["value"] = value
        entry.setdefault("content", []).append(params)
        if mime in _COPIED_TO_SUMMARY:
            entry.setdefault("summary", value)

    def xhtml_text(self, element: ET.Element, attrs: dict[str, str]) -> str:
        """A text construct of inline XHTML, serialized by the port as in a replay."""
        if attrs.get("mode", "") == "base64":
            raise _Decline
        if self.declaring:  # the walker drops declarations inside inline XHTML
            self.declaring.difference_update(e for e in element.iter() if e is not element)
        pieces: list[str] = []
        self.port.xhtml(element, pieces)
        if self.port.version == "atom10":
            pieces = _trim_xhtml(pieces)
        return "".join(pieces)

    def person(self, context: dict[str, Any], element: ET.Element) -> None:
        """An Atom person: ``_start_author``, its name, email and uri, ``_end_author``."""
        context.setdefault("authors", []).append({})
        for part in element:
            self.declared_at(part)
            name = self.walker.mapped(part)[1]
            key = _PERSON_PARTS.get(name)
            attrs = self.attrs(part)
            base = self.enter(attrs)
            if len(part) or (part.tail or "").strip():
                raise _Decline
            if key is None:
                _ignored(name)  # Blogger's <gd:image>, say
            else:
                if key == "href":
                    value, _ = self.finish(part.text or "", "href", base)
                    context["href"] = value
                else:
                    value = (part.text or "").strip()
                _save_author(context, key, value)
            self.port.unbase()
        context["author"] = ""
        _sync_author(context)

    def inert_children(self, element: ET.Element) -> None:
        """A Media RSS ``<media:content>`` whose children (credits, thumbnails, ratings...)
        only store keys digest never reads; any other child and the port reads the item."""
        for part in element:
            self.declared_at(part)
            name = self.walker.mapped(part)[1]
            attrs = self.attrs(part)
            self.enter(attrs)
            if len(part) or (part.tail or "").strip():
                raise _Decline
            if name in _INERT_TEXT:
                _text_type(attrs, "text/plain")
            elif name not in _INERT:
                _ignored(name)
            self.port.unbase()

    def source(self, entry: dict[str, Any], element: ET.Element, base: str) -> None:
        """An Atom ``<source>``: the feed a planet copied the entry from."""
        source: dict[str, Any] = {}
        self.title_set = False
        for child in element:
            self.declared_at(child)
            name = self.walker.mapped(child)[1]
            attrs = self.attrs(child)
            child_base = self.enter(attrs)
            text = child.text or ""
            if len(child):
                if name not in _PEOPLE or child.attrib or text.strip():
                    raise _Decline
                self.person(source, child)
            elif name in ("title", "subtitle", "rights"):
                mime = _text_type(attrs, "text/plain")
                value, mime = self.finish(text, name, child_base, mime)
                if name != "title" or not self.title_set:
                    source[name] = value
                    source[name + "_detail"] = {"type": mime, "base": child_base, "value": value}
                if name == "title" and value:
                    self.title_set = True
            elif name == "link":
                if self.link(source, attrs, child_base) is None:
                    raise _Decline
            elif name == "id":
                self.guid(source, attrs, text, child_base)
            elif name in _DATE_KINDS:
                self.date(source, _DATE_KINDS[name], text, child_base)
            else:
                raise _Decline
            self.port.unbase()
        if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
            raise _Decline
        entry["source"] = source
        self.title_set = False


def quick_item(walker: _Walker, item: ET.Element) -> dict[str, Any] | None:
    """The entry the port would make of ``item``, read in one go; None to replay it instead.

    The port handles every element of a document one event at a time; an
    item of the usual shape (leaf children with the common RSS and Atom
    names, Atom persons and sources) is read here straight from its subtree,
    applying the port's rules in document order, at a fraction of the cost.
    Anything else is declined and the item replayed through the port, so both
    give the same entry.
    """
    port = walker.port
    if port.inimage or port.intextinput or port.inpublisher or port.incontributor:
        return None
    bases = list(port.basestack), port.baseuri
    reader = _ItemReader(walker)
    try:
        entry = reader.read(item)
    except _Decline:
        port.basestack[:], port.baseuri = bases
        return None
    # What _start_item … _end_item leave behind (its children sit at depth + 2).
    port.guidislink = reader.guidislink
    port.title_depth = port.depth + 2 if reader.title_set else -1
    port.has_content = 0
    return entry
