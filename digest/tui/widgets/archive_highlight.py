"""Search matches drawn as styled Content, never as markup.

SQLite marks matches in snippets with \\x02 … \\x03 (characters no feed text
can carry: the cleaner removes them on the way in). They are turned into
spans here, and everything between them is cleaned again and kept literal, so
``[bold]`` in a title matched by a search is still just text.
"""

from __future__ import annotations

import re

from textual.content import Content

from digest.textclean import clean_line

START, END = "\x02", "\x03"
#: How matches look, in the theme's colours.
MATCH_STYLE = "bold $text-accent on $accent 25%"
_WORD = re.compile(r"\w+", re.UNICODE)


def marked(snippet: str, style: str = "", match_style: str = MATCH_STYLE) -> Content:
    """A snippet with \\x02…\\x03 marks as one line of Content, matches highlighted."""
    parts: list[str | tuple[str, str]] = []
    inside = False
    for chunk in re.split(f"([{START}{END}])", snippet):
        if chunk in (START, END):
            inside = chunk == START
        elif chunk:
            text = _spaced(chunk)
            parts.append((text, match_style) if inside else text)
    content = Content.assemble(*parts)
    return content.stylize_before(style) if style else content


def _spaced(text: str) -> str:
    """clean_line, but keeping the edge spaces that separate a match from its neighbours."""
    cleaned = clean_line(text)
    if not cleaned:
        return " " if text[:1].isspace() or text[-1:].isspace() else ""
    lead = " " if text[:1].isspace() else ""
    tail = " " if text[-1:].isspace() else ""
    return f"{lead}{cleaned}{tail}"


def query_words(query: str) -> list[str]:
    """The words of a query as the store matches them: each one a prefix."""
    return [w.casefold() for w in _WORD.findall(query)]


def highlight_words(text: str, words: list[str], style: str = "",
                    match_style: str = MATCH_STYLE) -> Content:
    """``text`` as one clean line with every word that starts with a query word marked.

    Titles of past issue items come back from the store without marks (the
    snippet is of the blurb), so their matches are found here the same way
    FTS5 found them: by word prefix, ignoring case.
    """
    content = Content(clean_line(text))
    if style:
        content = content.stylize(style)
    words = [w for w in words if _WORD.fullmatch(w)]
    if not words:
        return content
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*",
                         re.IGNORECASE | re.UNICODE)
    return content.highlight_regex(pattern, style=match_style)
