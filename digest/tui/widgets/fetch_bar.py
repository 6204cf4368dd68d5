"""A one-line progress bar shown while feeds are being fetched."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Label, ProgressBar


@dataclass(frozen=True)
class FetchState:
    done: int = 0
    total: int = 0


class FetchBar(Horizontal):
    DEFAULT_CSS = """
    FetchBar { height: 1; display: none; background: $panel; padding: 0 1; }
    FetchBar.-active { display: block; }
    FetchBar Label { width: auto; margin-right: 2; color: $text; }
    FetchBar ProgressBar { width: 1fr; }
    """

    state: reactive[FetchState | None] = reactive(None)

    def compose(self) -> ComposeResult:
        yield Label(markup=False)
        yield ProgressBar(show_eta=False)

    def watch_state(self, state: FetchState | None) -> None:
        self.set_class(state is not None, "-active")
        if state is None or not self.is_mounted:
            return
        self.query_one(Label).update(Content(f"Fetching feeds {state.done}/{state.total}"))
        self.query_one(ProgressBar).update(total=state.total or None, progress=state.done)
