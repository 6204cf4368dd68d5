"""Palette plumbing that keeps feed text literal.

Textual's ``Matcher.highlight`` and ``SimpleProvider`` parse the candidate as
markup; a feed called ``[@click=app.quit]`` must not become a link. These
helpers build the displayed text as ``Content`` and only style the matched
characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Matcher, SimpleProvider
from textual.content import Content
from textual.screen import Screen

from digest.tui.widgets.text import line


def safe_highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as literal Content with the fuzzy-matched letters styled."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


@dataclass(frozen=True)
class Choice:
    """One palette entry: ``title`` may hold feed text; ``help`` must be our own words."""

    title: str
    callback: Callable[[], Any]
    help: str = ""


async def search_choices(matcher: Matcher, choices: Iterable[Choice]) -> Hits:
    for choice in choices:
        title = line(choice.title)
        score = matcher.match(title)
        if score > 0:
            yield Hit(score, safe_highlight(matcher, title), choice.callback, text=title,
                      help=choice.help or None)


async def discover_choices(choices: Iterable[Choice]) -> Hits:
    for choice in choices:
        title = line(choice.title)
        yield DiscoveryHit(Content(title), choice.callback, text=title, help=choice.help or None)


class ChoiceProvider(SimpleProvider):
    """A one-off list of choices for ``CommandPalette(providers=[...])``."""

    def __init__(self, screen: Screen[Any], choices: Iterable[Choice]) -> None:
        super().__init__(screen, [])
        self._choices = list(choices)

    async def search(self, query: str) -> Hits:
        async for hit in search_choices(self.matcher(query), self._choices):
            yield hit

    async def discover(self) -> Hits:
        async for hit in discover_choices(self._choices):
            yield hit
