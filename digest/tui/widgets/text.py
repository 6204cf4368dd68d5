"""Display-safe text: feed text becomes plain Content, never markup.

Feed titles, authors and bodies come from strangers. They were cleaned when
parsed (``digest.textclean``); these helpers clean them again at display time
(defence in depth: the cache may be older than the cleaner) and always build
``Content`` objects, so ``[bold]`` or ``[@click=app.quit]`` in a title is shown
as the literal text it is.
"""

from __future__ import annotations

import datetime as dt
import functools

from textual.content import Content

from digest.textclean import clean_line, clean_text, html_text

#: The preview shows at most this much of a post; the rest is a click away.
BODY_LIMIT = 20_000


def line(text: str) -> str:
    """One clean line of feed text (titles, authors, feed names, URLs)."""
    return clean_line(text)


def plain(text: str, style: str = "") -> Content:
    """Feed text as Content, literally: no markup, no control characters."""
    content = Content(clean_line(text))
    return content.stylize(style) if style else content


@functools.lru_cache(maxsize=32)
def body_text(text: str, html: str = "") -> str:
    """The readable body of a post: its HTML as text, paragraphs kept, else its plain text.

    The stored ``text`` holds the words for the search index, not the layout,
    so the paragraphs are made here, for the one post on screen: up to a few
    milliseconds for a long one, so the preview's loader makes it on its
    thread and the UI thread finds it made.
    """
    body = (html_text(html) if html else "") or text
    body = clean_text(body)
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT].rsplit(" ", 1)[0] + " …"
    return body


def short_date(when: dt.datetime | None) -> str:
    """"Jun 07" in local time; blank when the feed did not say."""
    if when is None:
        return ""
    return when.astimezone().strftime("%b %d")


def long_date(when: dt.datetime | None) -> str:
    if when is None:
        return "date unknown"
    return when.astimezone().strftime("%a %d %b %Y, %H:%M")
