"""A strict structural check of the HTML digest writes, with the standard library.

Not a full HTML5 validator: it checks the rules our pages could plausibly
break (doctype, lang, charset first, known elements, explicit and matching
end tags, phrasing content where only phrasing is allowed, unique ids, alt
text, link text, one h1 and no skipped heading levels) and reports every
problem with its line, so a failing test says what to fix.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
KNOWN = VOID | {
    "html", "head", "body", "title", "style", "script", "noscript", "main", "header", "footer",
    "nav", "section", "article", "aside", "div", "span", "p", "a", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "li", "blockquote", "pre", "code", "em", "strong", "b", "i", "s", "del",
    "small", "sub", "sup", "kbd", "mark", "q", "cite", "abbr", "time", "form", "label", "button",
    "table", "tbody", "thead", "tr", "td", "th",
}
PHRASING_ONLY = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "a", "em", "strong", "b", "i",
                 "code", "small", "label", "button", "time", "title"}
FLOW_ONLY = {"div", "p", "section", "article", "nav", "header", "footer", "main", "aside", "ul",
             "ol", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table",
             "form"}
INTERACTIVE = {"a", "button", "input"}
#: Presentational attributes HTML5 made obsolete (e-mail templates keep them in comments).
OBSOLETE_ATTRS = {"align", "bgcolor", "border", "cellpadding", "cellspacing", "valign", "width"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[tuple[str, int]] = []
        self.ids: set[str] = set()
        self.first_tag = ""
        self.doctype = ""
        self.headings: list[int] = []
        self.link_text: list[list[str]] = []
        self.head_children: list[str] = []

    def _p(self, msg: str) -> None:
        self.problems.append(f"line {self.getpos()[0]}: {msg}")

    def handle_decl(self, decl: str) -> None:
        if not self.first_tag:
            self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.first_tag:
            self.first_tag = tag
        names = [n for n, _ in attrs]
        values = dict(attrs)
        if len(names) != len(set(names)):
            self._p(f"<{tag}> repeats an attribute: {names}")
        if tag not in KNOWN:
            self._p(f"unknown or disallowed element <{tag}>")
        for name in names:
            if name.startswith("on"):
                self._p(f"<{tag}> has an event handler attribute {name}")
            if name in OBSOLETE_ATTRS and tag not in ("img",):
                self._p(f"<{tag}> has obsolete attribute {name}")
        open_tags = [t for t, _ in self.stack]
        if tag in FLOW_ONLY and any(t in PHRASING_ONLY for t in open_tags):
            parent = [t for t in open_tags if t in PHRASING_ONLY][-1]
            self._p(f"<{tag}> inside phrasing-only <{parent}>")
        if tag in INTERACTIVE and "a" in open_tags:
            self._p(f"<{tag}> inside <a>")
        if "id" in values:
            ident = values["id"] or ""
            if not ident or any(c.isspace() for c in ident):
                self._p(f"<{tag}> has an invalid id {ident!r}")
            if ident in self.ids:
                self._p(f"duplicate id {ident!r}")
            self.ids.add(ident)
        if tag == "html" and not values.get("lang"):
            self._p("<html> has no lang")
        if tag == "img" and "alt" not in values:
            self._p("<img> without alt")
        if open_tags and open_tags[-1] == "head":
            is_charset = tag == "meta" and "charset" in values
            self.head_children.append("charset" if is_charset else tag)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        if tag == "a":
            if not values.get("href"):
                self._p("<a> without href")
            self.link_text.append([])
        if tag in ("img",) and self.link_text:
            self.link_text[-1].append(values.get("alt") or "")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._p(f"<{tag}/> is not a void element")
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self._p(f"end tag for void element </{tag}>")
            return
        if not self.stack:
            self._p(f"stray </{tag}>")
            return
        top, line = self.stack[-1]
        if top != tag:
            self._p(f"</{tag}> closes <{top}> opened on line {line}")
            if any(t == tag for t, _ in self.stack):
                while self.stack and self.stack[-1][0] != tag:
                    self.stack.pop()
                self.stack.pop()
            return
        self.stack.pop()
        if tag == "a":
            text = "".join(self.link_text.pop()).strip()
            if not text:
                self._p("link without text")

    def handle_data(self, data: str) -> None:
        for parts in self.link_text:
            parts.append(data)


def check_html(html: str, *, email: bool = False) -> list[str]:
    """Problems found in a complete HTML document ([] when it passes)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = checker.problems
    if checker.doctype.lower() != "doctype html":
        problems.append(f"doctype is {checker.doctype!r}, expected <!doctype html>")
    if checker.head_children[:1] != ["charset"]:
        problems.append(f"<meta charset> is not first in <head>: {checker.head_children[:3]}")
    if checker.head_children.count("title") != 1:
        problems.append("<head> needs exactly one <title>")
    for tag, line in checker.stack:
        problems.append(f"<{tag}> opened on line {line} is never closed")
    levels = checker.headings
    if levels.count(1) != 1:
        problems.append(f"expected one <h1>, found {levels.count(1)}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading level skips from h{before} to h{after}")
    if email:
        problems = [p for p in problems if "obsolete attribute" not in p]
    return problems
