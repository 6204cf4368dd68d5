"""Context commands of the inbox: what makes sense for the current entry and data.

"Filter by feed…" lists the feeds in the store, "Add to / Move to …" the
sections of the project (a section without a key is only reachable here),
plus the date ranges. Key-bound actions come into the palette from their
bindings (see ``DigestApp.get_system_commands``).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import CommandPalette, Hits, Provider

from digest import curate
from digest.model import Feed
from digest.tui.commands.base import Choice, ChoiceProvider, discover_choices, search_choices

if TYPE_CHECKING:
    from digest.tui.screens.inbox import InboxScreen


def feed_choices(screen: InboxScreen, feeds: list[Feed]) -> list[Choice]:
    choices = []
    if screen.filter.feed_url:
        choices.append(Choice("All feeds", partial(screen.show_feed, ""),
                              "Show the entries of every feed again"))
    for feed in feeds:
        title = feed.title or feed.url
        choices.append(Choice(f"Filter by feed: {title}",
                              partial(screen.show_feed, feed.url, title),
                              f"{feed.entry_count:,} entries"))
    return choices


def choose_feed(screen: InboxScreen) -> None:
    """Open a palette listing only the feeds."""

    async def show() -> None:
        feeds = await asyncio.to_thread(screen.digest_app.store.feeds)
        provider = ChoiceProvider(screen, feed_choices(screen, feeds))
        await screen.app.push_screen(
            CommandPalette(providers=[provider],  # type: ignore[list-item]
                           placeholder="Filter by feed…")
        )

    screen.run_worker(show(), group="palette", exit_on_error=False)


class InboxCommands(Provider):
    """Feeds, sections and date ranges for the inbox, built from the current data."""

    async def startup(self) -> None:
        screen = cast("InboxScreen", self.screen)
        self._feeds = await asyncio.to_thread(screen.digest_app.store.feeds)

    def _choices(self) -> list[Choice]:
        from digest.tui.screens.inbox import DATE_RANGES

        screen = cast("InboxScreen", self.screen)
        app = screen.digest_app
        choices: list[Choice] = []
        row = screen.current
        if row is not None:
            where = curate.locate(app.session.issue, row.id, row.link)
            for section in app.project.sections:
                if where and where[0].id == section.id:
                    continue
                verb = "Move to section" if where else "Add to section"
                choices.append(Choice(f"{verb}: {section.title}",
                                      partial(screen.pick, row.id, section.id),
                                      "File the selected entry here"))
        choices += feed_choices(screen, self._feeds)
        for range_id, label in DATE_RANGES:
            if range_id == "issue" and app.last_issue_date is None:
                continue
            choices.append(Choice(f"Date range: {label or 'any time'}",
                                  partial(screen.set_date_range, range_id),
                                  "Show only entries from this period"))
        choices.append(Choice("Clear all filters", screen.clear_filters,
                              "Text, feed, dates, new-only and dismissed"))
        return choices

    async def search(self, query: str) -> Hits:
        async for hit in search_choices(self.matcher(query), self._choices()):
            yield hit

    async def discover(self) -> Hits:
        async for hit in discover_choices(self._choices()):
            yield hit
