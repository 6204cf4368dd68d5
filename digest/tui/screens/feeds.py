"""The feeds screen: every subscription with its status, last error and entry count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from digest.model import Feed
from digest.tui.messages import ShowFeed
from digest.tui.widgets.fetch_bar import FetchBar, FetchState
from digest.tui.widgets.text import line

if TYPE_CHECKING:
    from digest.tui.app import DigestApp

STATUS_STYLE = {"ok": "green", "not-modified": "green", "new": "yellow", "error": "bold red",
                "gone": "bold red"}


def feed_cells(feed: Feed) -> list[Text]:
    """A feed as table cells: always ``Text``, since a plain str cell would be markup."""
    when = feed.last_fetch.astimezone().strftime("%m-%d %H:%M") if feed.last_fetch else "never"
    status = feed.status if feed.http_status is None else f"{feed.status} ({feed.http_status})"
    return [
        Text(line(feed.title) or line(feed.url), overflow="ellipsis", no_wrap=True),
        Text(status, style=STATUS_STYLE.get(feed.status, "")),
        Text(f"{feed.entry_count:,}", justify="right"),
        Text(when),
        Text(line(feed.error), style="red", overflow="ellipsis", no_wrap=True),
    ]


class FeedsScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "show_entries", "Show entries", id="feeds.show",
                tooltip="Show this feed's entries in the inbox"),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="feeds.back",
                tooltip="Back to the inbox"),
    ]

    feeds: var[list[Feed]] = var(list)
    fetch_state: var[FetchState | None] = var(None)

    def __init__(self) -> None:
        super().__init__(id="feeds")

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield Static(id="feeds-summary", markup=False)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="feeds-table")
        yield Static(id="feeds-detail", markup=False)
        yield FetchBar().data_bind(state=FeedsScreen.fetch_state)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "entries_version", self.reload)
        self.watch(self.app, "fetch_state", self._fetch_state_changed)

    def on_screen_resume(self) -> None:
        self.reload()

    def _fetch_state_changed(self, state: FetchState | None) -> None:
        self.fetch_state = state
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False, name="feeds")
    def _load(self) -> list[Feed]:
        return self.digest_app.store.feeds()

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"Could not list feeds: {worker.error}", severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS and worker.name == "feeds":
            self.feeds = worker.result or []

    def on_resize(self) -> None:
        self.watch_feeds(self.feeds)

    def _columns(self, table: DataTable[Text]) -> None:
        """Fit the columns to the terminal: the error takes what is left."""
        width = self.size.width - 2 * 5 - 2
        feed = max(16, min(40, width // 4))
        error = max(12, width - feed - 12 - 7 - 11)
        table.add_column("Feed", key="feed", width=feed)
        table.add_column("Status", key="status", width=12)
        table.add_column("Entries", key="entries", width=7)
        table.add_column("Last fetch", key="when", width=11)
        table.add_column("Last error", key="error", width=error)

    def watch_feeds(self, feeds: list[Feed]) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        self._columns(table)
        for feed in feeds:
            table.add_row(*feed_cells(feed), key=feed.url)
        if feeds:
            table.move_cursor(row=min(keep, len(feeds) - 1))
        failing = sum(1 for f in feeds if f.status in ("error", "gone"))
        summary = f"{len(feeds)} feeds"
        if failing:
            summary += f" · {failing} failing"
        self.query_one("#feeds-summary", Static).update(Content(summary))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        feed = self.selected
        detail = self.query_one("#feeds-detail", Static)
        if feed is None:
            detail.update(Content("No feeds yet: add [[feeds]] to digest.toml, then press f."))
            return
        parts = [line(feed.url)]
        if feed.site_url:
            parts.append(f"site: {line(feed.site_url)}")
        if feed.error:
            parts.append(f"last error: {line(feed.error)}")
        if feed.retry_after:
            parts.append(f"not asked again before {feed.retry_after.astimezone():%Y-%m-%d %H:%M}")
        detail.update(Content("\n".join(parts)))

    @property
    def selected(self) -> Feed | None:
        table = self.query_one(DataTable)
        if not self.feeds or table.cursor_row < 0 or table.cursor_row >= len(self.feeds):
            return None
        return self.feeds[table.cursor_row]

    @on(DataTable.RowSelected)
    def action_show_entries(self) -> None:
        feed = self.selected
        if feed is not None:
            self.app.post_message(ShowFeed(feed.url))
