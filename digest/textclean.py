"""Cleaning of untrusted feed text, done once where text enters digest.

Feed text ends up in a terminal (the TUI), in SQLite and in exported files.
A title carrying ``ESC [2J`` or an OSC 52 sequence could clear the editor's
screen or overwrite their clipboard; a U+202E could make a link read
backwards; a lone surrogate from a JSON feed cannot even be encoded to UTF-8
when it is stored. Cleaning every string at the parse boundary means no later
layer has to remember to do it, so this module is deliberately the only place
that knows the list of dangerous code points.

Rich/Textual markup such as ``[bold red]`` is *not* touched: it is ordinary
text here, and the widgets that display feed text are expected to show it
literally.
"""

from __future__ import annotations

import re
from html import unescape as _unescape
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "BODY_CHARS", "clean_line", "clean_text", "clip_body", "html_text", "html_to_text", "is_clean",
    "search_text",
]

# Escape sequences are removed whole, so their payload (an OSC 52 clipboard
# blob, a window title) does not leak into the text as junk. An unterminated
# string sequence is cut at the end of its line: a terminal would swallow
# everything after it, and the line is garbage either way.
_ESC_SEQUENCE = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI, e.g. ESC[31m, ESC[2J
    r"|\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC / DCS / SOS / PM / APC
    r"|\x1b[ -/]*[0-~]?"  # two-byte and nF escapes; a lone ESC
)
# C0 except \t and \n, DEL, C1, bidi embeddings/overrides/isolates, lone
# surrogates, and the two noncharacters that some tools treat as byte-order
# signals. Zero-width joiners stay: emoji sequences need them.
_BAD_CHARS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
_DIRTY = re.compile(f"{_ESC_SEQUENCE}|{_BAD_CHARS}")
_NEEDS_WORK = re.compile(f"[\r\u2028\u2029]|{_BAD_CHARS}")


def is_clean(s: str) -> bool:
    """Would ``clean_text`` give ``s`` back as it is?

    One scan, for a reader that must first read some of those characters its own
    way (feedparser reads C1 controls as cp1252) and means to clean only then.
    """
    return _NEEDS_WORK.search(s) is None


def clean_text(s: str) -> str:
    """Make feed text safe to print on a terminal, keeping its line structure.

    Newlines and tabs survive so bodies stay readable; ``\\r\\n``, lone ``\\r``
    and the Unicode line/paragraph separators all become ``\\n`` so that later
    code can rely on one line terminator.
    """
    if not s or is_clean(s):
        return s
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in s or "\u2029" in s:
        s = s.replace("\u2028", "\n").replace("\u2029", "\n")
    return _DIRTY.sub("", s)


#: The most of one post's body (its HTML, or its plain text) that digest keeps.
#: The preview shows the first 20,000 characters and search reads the rest;
#: past this, a post is almost always embedded data (base64 images, a whole
#: archive in one item), and a feed of twenty such posts would weigh hundreds
#: of megabytes in memory on its way to the store.
BODY_CHARS = 50_000
_CUT_MARK = " […]"


def clip_body(s: str) -> str:
    """``s`` cut to BODY_CHARS, never inside a tag or an entity, ending in "[…]".

    Cutting an already cut body changes nothing, so both feed readers can cut
    at whichever point they hold the text and still give equal results.
    """
    if len(s) <= BODY_CHARS:
        return s
    cut = s[: BODY_CHARS - len(_CUT_MARK)]
    for opener, closer in (("<", ">"), ("&", ";")):
        at = cut.rfind(opener)
        if at > cut.rfind(closer):
            cut = cut[:at]
    return cut + _CUT_MARK


def clean_line(s: str) -> str:
    """Clean text for places that must be one line (titles, authors, names).

    Any run of whitespace, including newlines and no-break spaces, becomes a
    single space, so a title can never break a list row in the TUI.
    """
    return " ".join(clean_text(s).split())


# --- HTML to plain text -------------------------------------------------------

_PARA = "\x00"  # paragraph break marker (NUL cannot survive clean_text)
_LINE = "\x01"  # line break marker

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "thead", "tfoot", "ul",
    }
)  # fmt: skip
_LINE_TAGS = frozenset(("br", "tr", "li"))
_SKIP_TAGS = frozenset(("script", "style", "template", "noscript", "svg", "math"))
_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")
_MARKER_RUN = re.compile(f" *[{_PARA}{_LINE}][ {_PARA}{_LINE}]*")


def _join_breaks(m: re.Match[str]) -> str:
    run = m.group(0)
    if _PARA in run:
        return "\n\n"
    return "\n" * min(run.count(_LINE), 2)


class _TextExtractor(HTMLParser):
    """Collects readable text; block elements become paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # [is_ordered, counter]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
            if tag == "pre":
                self._pre += 1
            elif tag in ("ul", "ol"):
                self._lists.append([tag == "ol", 0])
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE)
            if tag == "li":
                if self._lists and self._lists[-1][0]:
                    self._lists[-1][1] += 1
                    self.parts.append(f"{self._lists[-1][1]}. ")
                else:
                    self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <p/>: a self-closed element opens nothing.
        if self._skip:
            return
        if tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if self._skip:
                self._skip -= 1
            return
        if self._skip:
            return
        if tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
            if tag == "pre" and self._pre:
                self._pre -= 1
            elif tag in ("ul", "ol") and self._lists:
                self._lists.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            self.parts.append(data.replace("\xa0", " "))
        else:
            self.parts.append(_SPACES.sub(" ", data))

    def text(self) -> str:
        joined = _MARKER_RUN.sub(_join_breaks, "".join(self.parts))
        lines = [line.rstrip() for line in joined.split("\n")]
        return "\n".join(lines).strip()


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML fragment, for search and blurbs.

    Paragraphs become blank lines and ``<br>`` a newline so that the TUI and
    the full-text index see sentences, not one run-on line; ``<pre>`` keeps its
    layout because code is unreadable without it. Script and style bodies are
    dropped because they are not text a reader would see. The result is
    cleaned like any other feed text.
    """
    if not html:
        return ""
    html = clean_text(html)  # also guarantees the NUL/\x01 markers are free
    if "<" not in html and "&" not in html:
        return _SPACES.sub(" ", html).strip()
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - hostile markup must never stop a parse
        pass
    return clean_text(parser.text())


def _alternation(words: set[str] | frozenset[str]) -> str:
    """A regex alternation of ``words`` as a prefix tree.

    The regex engine tries alternatives one after the other; sharing prefixes
    lets it reject a tag name after a character or two instead of ~40 tries.
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not alts:
            return ""
        if "" in node:
            return "(?:" + "|".join(alts) + ")?"
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(tree)


# --- HTML to plain text, fast: the preview's text ------------------------------


class _Unrecognised(Exception):
    """Markup the fast extractor does not read as html.parser would."""


_NAME = r"[a-zA-Z][-_.:a-zA-Z0-9]*"
_CACHE_LIMIT = 20000

# Tags as html.parser reads them without surprises (quoted attribute values,
# nothing between the attributes and the end). Anything else '<'-like is
# refused; a '<' before a non-letter is text, as html.parser has it.
_HTML_TOKEN = re.compile(
    rf"""<(?:({_NAME})(?:\s+[a-zA-Z_][-:.a-zA-Z_0-9]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*\s*(/?)>"""
    rf"""|/({_NAME})\s*>"""
    r"""|!--.*?--\s*>"""
    r"""|\?[^>]*>"""
    r"""|()(?![a-zA-Z/!?])"""
    r"""|())""",
    re.DOTALL,
)
_CDATA_TAGS = frozenset(("script", "style"))
_STATEFUL = frozenset({"li", "ul", "ol", "pre"}) | _SKIP_TAGS | _CDATA_TAGS
_MARKED = _alternation(_BLOCK_TAGS | _LINE_TAGS | {"td", "th"} | _STATEFUL)
# Tags that add no marker and change no state, comments and processing
# instructions: each only separates two chunks of text, whatever the state,
# so they are replaced in one pass without calling back into Python.
_UNMARKED = re.compile(
    rf"""<(?:(?!(?i:{_MARKED})[\s/>]){_NAME}(?:\s+[a-zA-Z_][-:.a-zA-Z_0-9]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*\s*/?>"""
    rf"""|/(?!(?i:{_MARKED})\s*>){_NAME}\s*>"""
    r"""|!--.*?--\s*>"""
    r"""|\?[^>]*>)""",
    re.DOTALL,
)
_MARKER_RUNS = re.compile(f"([{_PARA}{_LINE}][ {_PARA}{_LINE}]*)")
# Sentinels: \x02 separates what html.parser hands over as separate data
# chunks; \x03/\x04/\x05 open a normal, <pre> or skipped region.
_REGION = re.compile("([\x03\x04\x05])")
_text_cache: dict[str, str] = {}


def _region(ex: _TextExtractor) -> str:
    return "\x05" if ex._skip else ("\x04" if ex._pre else "\x03")


def _collapse(text: str) -> str:
    """``_SPACES.sub(" ", text)`` without a regex step per space."""
    for char in "\t\n\r\f\v\xa0":
        if char in text:
            text = text.replace(char, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _join_marked(text: str) -> str:
    """``_TextExtractor.text`` for a string holding the paragraph/line markers."""
    pieces = _MARKER_RUNS.split(text)
    for i in range(1, len(pieces), 2):
        run = pieces[i]
        pieces[i - 1] = pieces[i - 1].rstrip(" ")
        pieces[i] = "\n\n" if _PARA in run else "\n" * min(run.count(_LINE), 2)
    lines = [line.rstrip() for line in "".join(pieces).split("\n")]
    return "\n".join(lines).strip()


def html_text(source: str) -> str:
    """``digest.textclean.html_to_text``, computed with regular expressions.

    html.parser calls back into Python for every tag and text chunk; here the
    tags become their paragraph/line markers in one ``re.sub`` and the text
    between them is unescaped and space-collapsed in bulk. The tag handlers
    themselves are textclean's, so block/list/skip rules cannot drift apart.
    """
    if not source:
        return ""
    text = clean_text(source)
    if "<" not in text and "&" not in text:
        return _SPACES.sub(" ", text).strip()
    ex = _TextExtractor()
    parts = ex.parts
    cache = _text_cache

    def token(m: re.Match[str]) -> str:
        tok = m.group(0)
        if not ex._skip:
            out = cache.get(tok)
            if out is not None:
                return out
        name = m.group(1)
        closing = m.group(3)
        if name is None and closing is None:
            if m.group(5) is not None:
                raise _Unrecognised(tok)
            return "\x02<\x02" if m.group(4) is not None else "\x02"
        before = len(parts)
        region = _region(ex)
        skipping = ex._skip
        if name is not None:
            name = name.lower()
            if name in _CDATA_TAGS:
                raise _Unrecognised(name)
            if m.group(2):
                ex.handle_startendtag(name, [])
            else:
                ex.handle_starttag(name, [])
        else:
            name = closing.lower()
            ex.handle_endtag(name)
        out = "\x02" + "".join(parts[before:]) + "\x02"
        del parts[before:]
        after = _region(ex)
        if after != region:
            out += after
        elif not skipping and name not in _STATEFUL:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[tok] = out
        return out

    try:
        marked = "\x03" + _HTML_TOKEN.sub(token, _UNMARKED.sub("\x02", text))
    except _Unrecognised:
        return html_to_text(source)
    if "&" in marked:
        marked = _unescape(marked)
    if len(marked) > 1 and "\x04" not in marked and "\x05" not in marked:
        joined = _collapse(marked[1:])
    else:
        pieces = _REGION.split(marked)
        out = []
        for i in range(1, len(pieces), 2):
            kind, chunk = pieces[i], pieces[i + 1]
            if kind == "\x03":
                out.append(_collapse(chunk))
            elif kind == "\x04":
                out.append(chunk.replace("\xa0", " "))
        joined = "".join(out)
    return clean_text(_join_marked(joined.replace("\x02", "")))


# --- text for the search index ------------------------------------------------

# Where html_to_text breaks a line or a paragraph (or puts a cell apart), the
# words on either side are apart; every other tag, comment and declaration
# joins them ("<b>W</b>ord", a drop cap, "a<img>b"), and an element whose body
# a reader never sees goes whole. So the index and the preview agree on words.
_BREAKS = re.compile(
    rf"</?(?:{_alternation(_BLOCK_TAGS | _LINE_TAGS | {'td', 'th'})})(?:[\s/][^>]*)?>",
    re.IGNORECASE,
)
_JOINS = re.compile(
    rf"<(?:({_alternation(_SKIP_TAGS)})\b.*?</(?i:\1)\s*>|!--.*?-->|[a-zA-Z/!?][^>]*>)",
    re.DOTALL | re.IGNORECASE,
)


def search_text(html: str) -> str:
    """The words of an HTML body already passed through ``clean_text``, for the search index.

    The index only needs the words in order, not paragraphs or list marks,
    so the tags go in two substitutions that never call back into Python, at
    under half of ``html_text``'s cost; the words are html_to_text's. The
    readable text is made when a post is shown, for the one post on screen,
    not for every post of every fetch. Removing tags cannot make clean text
    unsafe; a character reference can spell a control character, so
    unescaped text is cleaned again.
    """
    if not html:
        return ""
    text = html
    if "<" in text:
        text = _JOINS.sub("", _BREAKS.sub(" ", text))
    if "&" in text:
        text = clean_text(_unescape(text))  # a reference may spell a control character
    return text.strip()
