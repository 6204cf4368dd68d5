"""Issue → Markdown in the shape of a Django News issue.

The Markdown is what an editor pastes into a publishing tool, so two kinds of
text need different care:

* Text that came from a feed (item titles, sources, URLs) is data. It is
  escaped so that whatever a feed author put in a title stays a title: a title
  like ``x](javascript:alert(1)) [y`` must never close the link text and open a
  link of its own, in digest's renderer or in anybody else's.
* Blurbs, the intro and notes are the editor's Markdown and pass through as
  written. They may still hold text pasted from a feed, so a block that would
  produce raw HTML or a link that is not http, https or mailto is defanged
  (its brackets and angle brackets escaped) rather than trusted.

The output is deterministic (same issue, same bytes) and regular enough for an
importer to read back: ``#`` issue title, ``##`` sections, ``###`` items, then
the blurb and a last one-line paragraph with the source's domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.config import Project
from digest.feeds.urls import bare_domain, safe_href
from digest.model import Issue, Item, Section

__all__ = [
    "clean_line",
    "clean_block",
    "escape_inline",
    "escape_line",
    "issue_heading",
    "markdown_destination",
    "web_href",
    "render_markdown",
    "safe_markdown",
    "item_source",
]

# C0/C1 controls except tab and newline, plus bidi overrides that can make a
# title read differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACE_RUN = re.compile(r"\s+")
_ENTITY_AHEAD = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<#~])")
# Starts of a line that CommonMark would read as a block: lists, quotes,
# setext underlines, thematic breaks.
_LINE_START = re.compile(r"^(?:(>|[-+](?=\s|$))|(\d{1,9})([.)])(?=\s|$))")


def clean_line(text: str) -> str:
    """One line of display text: no control characters, whitespace collapsed."""
    return _SPACE_RUN.sub(" ", _CONTROL.sub("", text)).strip()


def clean_block(text: str) -> str:
    """Editor text normalised so the same words always give the same bytes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip(" \t") if not line.endswith("  ") else line for line in text.split("\n")]
    return "\n".join(lines).strip("\n").rstrip()


def escape_inline(text: str) -> str:
    """Escape feed text for use inside a Markdown line (heading or link text).

    Only characters that can start Markdown syntax in the middle of a line are
    escaped, so ordinary titles stay readable in the pasted source.
    """
    text = _INLINE_SPECIAL.sub(r"\\\1", clean_line(text))
    return _ENTITY_AHEAD.sub(r"\\&", text)


def escape_line(text: str) -> str:
    """Escape feed text that stands at the start of its own line."""
    text = escape_inline(text)
    m = _LINE_START.match(text)
    if text.count("-") >= 3 and not text.strip(" -"):
        text = "\\" + text
    elif m:
        if m.group(1):
            text = "\\" + text
        else:
            end = m.end(2)
            text = text[:end] + "\\" + text[end:]
    return text


# Characters a URL may not contain as written (WHATWG), percent-encoded.
_URL_ENCODE = {
    " ": "%20", '"': "%22", "<": "%3C", ">": "%3E", "\\": "%5C", "^": "%5E", "`": "%60",
    "{": "%7B", "|": "%7C", "}": "%7D",
}  # fmt: skip
# In a Markdown destination parentheses could end it early.
_MD_ENCODE = {**_URL_ENCODE, "(": "%28", ")": "%29"}


def _encode(href: str, table: dict[str, str], *, entities: bool) -> str:
    out = []
    for i, ch in enumerate(href):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"%{ord(ch):02X}")
        elif entities and ch == "&" and _ENTITY_AHEAD.match(href, i):
            out.append("%26")
        else:
            out.append(ch)
    return "".join(out)


def web_href(url: str) -> str:
    """A safe URL spelled so it is a valid href; ``''`` unless http, https or mailto."""
    href = safe_href(url)
    return _encode(href, _URL_ENCODE, entities=False) if href else ""


def markdown_destination(url: str) -> str:
    """A safe URL written so it is one Markdown link destination and nothing else.

    Returns ``''`` for anything but http, https and mailto. Characters that
    could end the destination early, start a link title or be read as an
    entity reference are percent-encoded.
    """
    href = safe_href(url)
    return _encode(href, _MD_ENCODE, entities=True) if href else ""


def issue_heading(issue: Issue) -> str:
    """The issue's title as readers see it: "Issue 340: <headline>".

    Editors may store either the headline or the full title; both export the
    same, so an importer that keeps the full title reproduces the bytes.
    """
    title = clean_line(issue.title)
    label = f"Issue {issue.number}"
    if not title:
        return label
    if re.match(rf"issue\s*#?\s*{issue.number}\b", title, re.IGNORECASE):
        return title
    return f"{label}: {title}"


def item_source(item: Item) -> str:
    """The footer line of an item: the editor's source, else the link's domain."""
    return clean_line(item.source) or bare_domain(safe_href(item.url))


# --- editor Markdown ------------------------------------------------------------

_PROBE = MarkdownIt("commonmark", {"html": True})
_PROBE.validateLink = lambda url: True  # type: ignore[method-assign]


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def _is_tame(tokens: list[Token]) -> bool:
    for tok in _walk(tokens):
        if tok.type in ("html_block", "html_inline"):
            return False
        if tok.type == "link_open" and not safe_href(str(tok.attrGet("href") or "")):
            return False
        if tok.type == "image" and not safe_href(str(tok.attrGet("src") or "")):
            return False
    return True


def _defang(text: str) -> str:
    """Escape every bracket and angle bracket not already escaped.

    Without ``[``, ``]`` and ``<`` no link, image, autolink, reference or HTML
    can form; the words, emphasis and lists stay.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "\\[]<>":
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch in "[]<":
            out.append("\\")
        out.append(ch)
        i += 1
    return "".join(out)


def _close_fences(text: str, tokens: list[Token]) -> str:
    """Close a code fence left open, so it cannot swallow the rest of the issue."""
    lines = text.split("\n")
    for tok in tokens:
        if tok.type != "fence" or tok.level != 0 or tok.map is None:
            continue
        start, end = tok.map
        last = lines[end - 1].strip() if end - 1 < len(lines) else ""
        closed = end - 1 > start and last.startswith(tok.markup) and set(last) == {tok.markup[0]}
        if not closed and end >= len(lines):
            return text + "\n" + tok.markup
    return text


def safe_markdown(text: str) -> str:
    """The editor's Markdown, normalised, with anything that could harm defanged."""
    text = clean_block(text)
    if not text:
        return ""
    env: dict[str, dict[str, dict[str, str]]] = {}
    tokens = _PROBE.parse(text, env)
    # A reference definition makes no token here, but links ``[x][ref]`` anywhere on the page.
    refs = env.get("references", {}).values()
    if not _is_tame(tokens) or not all(safe_href(r.get("href", "")) for r in refs):
        text = _defang(text)
        tokens = _PROBE.parse(text)
    return _close_fences(text, tokens)


# --- the issue -------------------------------------------------------------------


def _item_lines(item: Item) -> list[str]:
    title = clean_line(item.title) or bare_domain(safe_href(item.url)) or "Untitled"
    dest = markdown_destination(item.url)
    heading = f"### [{escape_inline(title)}]({dest})" if dest else f"### {escape_inline(title)}"
    lines = [heading, ""]
    blurb = safe_markdown(item.blurb)
    if blurb:
        lines += [blurb, ""]
    source = item_source(item)
    if source:
        lines += [escape_line(source), ""]
    return lines


def section_is_empty(section: Section) -> bool:
    return not section.items and not clean_block(section.notes)


def render_markdown(issue: Issue, project: Project | None = None) -> str:
    """The issue as Markdown: same issue, same bytes.

    ``project`` is accepted so every renderer has the same call shape; the
    Markdown depends on the issue alone, which is what makes it diffable.
    """
    lines = [f"# {escape_inline(issue_heading(issue))}", ""]
    intro = safe_markdown(issue.intro)
    if intro:
        lines += [intro, ""]
    for section in issue.sections:
        if section_is_empty(section):
            continue
        lines += [f"## {escape_inline(clean_line(section.title) or section.id)}", ""]
        notes = safe_markdown(section.notes)
        if notes:
            lines += [notes, ""]
        for item in section.items:
            lines += _item_lines(item)
    return "\n".join(lines).rstrip("\n") + "\n"
