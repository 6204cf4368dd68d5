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
from html.parser import HTMLParser

__all__ = ["BODY_CHARS", "clean_line", "clean_text", "clip_body", "html_to_text"]

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


def clean_text(s: str) -> str:
    """Make feed text safe to print on a terminal, keeping its line structure.

    Newlines and tabs survive so bodies stay readable; ``\\r\\n``, lone ``\\r``
    and the Unicode line/paragraph separators all become ``\\n`` so that later
    code can rely on one line terminator.
    """
    if not s or _NEEDS_WORK.search(s) is None:
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
