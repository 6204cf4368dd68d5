"""Static checks that an exported document can run, load or restyle nothing.

The HTML is read with ``html.parser`` (the way a browser tokenises it, entity
references decoded), never with regular expressions over the markup, so
``&#106;avascript:`` or ``JaVaScRiPt:`` in an attribute is seen for what it
is. Each problem found is a short ``Finding``; a document is inert when every
finding it has is one its theme also produces for a harmless issue (the
theme's own stylesheet, the archive's search script, the empty ``data:,``
favicon), which ``unexpected`` works out.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements that run script, load a document or plugin, or change where
#: links and forms go.
FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
    "input", "button", "textarea", "select", "isindex", "svg", "math", "template", "portal",
    "link", "style", "meta", "noscript", "xmp", "plaintext", "noembed", "noframes",
})  # fmt: skip
#: Attributes whose value is a URL a browser may follow or load.
URL_ATTRS = frozenset({
    "href", "src", "action", "formaction", "data", "xlink:href", "background", "poster",
    "cite", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "icon",
    "profile", "usemap", "archive", "classid", "itemtype", "srcset", "imagesrcset", "to",
    "from", "values",
})  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:", "mocha:", "file:", "jar:",
               "view-source:", "feed:", "blob:")
# What WHATWG URL parsing throws away before it looks at the scheme.
_URL_JUNK = re.compile(r"[\t\n\r]")
_EDGE = "".join(map(chr, range(0x21)))
_CSS_BAD = re.compile(r"expression\s*\(|behavior\s*:|-moz-binding|@import|javascript:|vbscript:",
                      re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Finding:
    kind: str
    where: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind} {self.where}: {self.value[:120]!r}"


def bad_url(value: str) -> bool:
    """True when a browser would read ``value`` as a URL of a dangerous scheme."""
    url = _URL_JUNK.sub("", value).strip(_EDGE).lower()
    return url.startswith(BAD_SCHEMES)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        #: An open <script> or <style>: its tag, attributes and text so far.
        self._raw: tuple[str, str, list[str]] | None = None

    def _add(self, kind: str, where: str, value: str) -> None:
        self.findings.append(Finding(kind, where, value))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.rsplit(":", 1)[-1]  # <html:script> from serialised XHTML is a script
        attr = {k: v or "" for k, v in attrs}
        if tag in FORBIDDEN_TAGS:
            # Free text (a page description, a link title) is left out, so the
            # same element holding other words is still the theme's element.
            text_attrs = {"title", "alt", "aria-label", "placeholder"}
            if "http-equiv" not in attr:
                text_attrs.add("content")
            shown = " ".join(f"{k}={v}" for k, v in sorted(attr.items()) if k not in text_attrs)
            if tag in ("script", "style"):
                self._raw = (tag, shown, [])  # reported with its text, at the end tag
            else:
                self._add("element", tag, shown)
        if tag == "meta":
            equiv = attr.get("http-equiv", "").strip().lower()
            if equiv in ("refresh", "set-cookie", "link"):
                self._add("meta-refresh", equiv, attr.get("content", ""))
        for name, value in attr.items():
            if name.startswith("on"):
                self._add("event-handler", f"{tag}[{name}]", value)
            elif name == "srcdoc":
                self._add("srcdoc", tag, value)
            elif name in URL_ATTRS and _any_bad_url(name, value):
                self._add("url", f"{tag}[{name}]", value)
            elif name == "style":
                self._add("style-attribute" if not _CSS_BAD.search(value) else "css",
                          f"{tag}[style]", value)
            elif name == "content" and tag == "meta" and "url=" in value.lower():
                target = value.lower().split("url=", 1)[1]
                if bad_url(target.strip("'\" ")):
                    self._add("url", "meta[content]", value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.rsplit(":", 1)[-1]
        if self._raw is not None and self._raw[0] == tag:
            _, shown, parts = self._raw
            self._raw = None
            text = "".join(parts)
            if tag == "script" and "type=application/json" in shown.split():
                # A data island (the archive's search index): inert as long as
                # it is whole JSON, which a "</script>" inside would break.
                try:
                    json.loads(text)
                except ValueError:
                    self._add("broken-data-island", tag, text[:200])
                self._add("element", tag, shown)
                return
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            self._add("element", tag, f"{shown} text-sha256={digest}")
            if tag == "style" and _CSS_BAD.search(text):
                self._add("css", "style", text)

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw[2].append(data)

    def close(self) -> None:
        super().close()
        if self._raw is not None:  # a <script> or <style> never closed
            self.handle_endtag(self._raw[0])

    def handle_pi(self, data: str) -> None:
        self._add("processing-instruction", "", data)

    # Python's parser ends a comment only at "-->", browsers also at "<!-->" and
    # "--!>", so markup inside a comment may be live in a browser. Comments and
    # CDATA sections are reported whole and only the theme's own are expected.
    def handle_comment(self, data: str) -> None:
        self._add("comment", "", data)

    def unknown_decl(self, data: str) -> None:
        self._add("declaration", "", data)


def _any_bad_url(name: str, value: str) -> bool:
    if name in ("srcset", "imagesrcset"):
        return any(bad_url(part.strip().split(" ")[0]) for part in value.split(","))
    return bad_url(value)


def html_findings(html: str) -> list[Finding]:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return sorted(scanner.findings)


def unexpected(found: list[Finding], baseline: list[Finding]) -> list[Finding]:
    """Findings in ``found`` that the same template never makes for a harmless issue.

    Compared as sets: a theme repeats its own inline styles once per item, and
    a byte-identical copy of something the theme ships is the theme's.
    """
    known = set(baseline)
    return sorted({f for f in found if f not in known})


_ATOM = "{http://www.w3.org/2005/Atom}"


def atom_findings(xml: str) -> list[Finding]:
    """Findings in an Atom feed: link hrefs, and the HTML inside text constructs.

    The feed must be well-formed XML: a control character or a broken escape
    from a hostile title would make it unreadable for every subscriber.
    """
    root = ET.fromstring(xml)
    findings: list[Finding] = []
    for el in root.iter():
        tag = el.tag.removeprefix(_ATOM)
        for name in ("href", "src", "uri"):
            if name in el.attrib and bad_url(el.attrib[name]):
                findings.append(Finding("url", f"atom:{tag}[{name}]", el.attrib[name]))
        if tag in ("uri", "id", "icon", "logo") and el.text and bad_url(el.text):
            findings.append(Finding("url", f"atom:{tag}", el.text))
        kind = el.attrib.get("type", "text")
        if kind == "html" and el.text:
            findings += [Finding(f.kind, f"atom:{tag} {f.where}", f.value)
                         for f in html_findings(el.text)]
        elif kind == "xhtml":
            inner = "".join(ET.tostring(child, encoding="unicode") for child in el)
            findings += [Finding(f.kind, f"atom:{tag} {f.where}", f.value)
                         for f in html_findings(inner)]
    return sorted(findings)


# C0 except tab/newline, DEL, C1, bidi controls: nothing a plain-text reader
# (or a terminal showing the file) should ever be handed from a feed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_findings(text: str) -> list[Finding]:
    return [Finding("control", f"offset {m.start()}", repr(m.group()))
            for m in _CONTROL.finditer(text)]
