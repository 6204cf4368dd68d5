"""Small messages that travel up to the app or across screens.

Widget-local messages (a row highlighted, a filter typed) live next to their
widget, as Textual does; these are the ones the app itself handles.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from digest.ingest import FetchSummary
from digest.model import EntryState


@dataclass
class FetchProgress(Message):
    """One more feed finished during a fetch (sent from the fetch thread)."""

    done: int
    total: int
    url: str
    status: str

    def can_replace(self, message: Message) -> bool:
        # A burst of progress collapses to the latest: only the last count matters.
        return isinstance(message, FetchProgress)


@dataclass
class FetchFinished(Message):
    """A fetch run ended; ``error`` is set when the whole run failed."""

    summary: FetchSummary | None
    error: str = ""


@dataclass(frozen=True, eq=False)
class QueuedStates:
    """Entries given a new state, not yet stored (each one a new value, never equal)."""

    ids: list[str]
    state: EntryState


@dataclass
class StatesWritten(Message):
    """One change of entry states reached the store; ``error`` says why it did not."""

    error: BaseException | None


@dataclass
class ShowFeed(Message):
    """Show the inbox filtered to one feed (from the feeds screen or the palette)."""

    feed_url: str
