"""The curator app: owns the editing session and hands it to the screens.

Screens never write files themselves: every change to the issue goes through
``DigestApp.change`` (one undoable step, autosaved shortly after), and screens
redraw when ``issue_version`` changes. Changes to the entry cache (dismissing,
a fetch, another process writing the store) bump ``entries_version``.

The screens are modes: "inbox" (default), "issue" (the draft; loaded lazily so
the app runs before that screen exists) and "feeds".
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import re
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from digest import archive, curate
from digest.config import Project
from digest.feeds.urls import bare_domain
from digest.ingest import FetchApart, fetch_settings, subscriptions
from digest.model import EntryState, Issue, Item
from digest.session import EditSession
from digest.state_writes import StateWrites
from digest.store import Store
from digest.tui.messages import (
    FetchFinished,
    FetchProgress,
    QueuedStates,
    ShowFeed,
    StatesWritten,
)
from digest.tui.screens.archive import ArchiveScreen
from digest.tui.screens.feeds import FeedsScreen
from digest.tui.screens.help import HelpScreen, key_help
from digest.tui.screens.inbox import InboxScreen
from digest.tui.screens.search import SearchScreen
from digest.tui.widgets.dialogs import HandItem
from digest.tui.widgets.fetch_bar import FetchState

T = TypeVar("T")

#: Seconds between looks at the store for entries written by another process.
POLL_INTERVAL = 2.0
#: Seconds between two reads of the inbox while the app's own fetch stores
#: entries: new posts show up as feeds come in, not at every commit (a read
#: of the whole order at 100,000 entries takes 30-80 ms of the UI's GIL).
FETCH_REFRESH = 5.0


class IssuePlaceholder(Screen[None]):
    """Stands in for the issue screen until ``digest.tui.screens.issue`` exists."""

    BINDINGS = [Binding("escape", "app.switch_mode('inbox')", "Inbox", id="issue.back")]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield Static(id="issue-summary", markup=False)
        yield Footer()

    def on_screen_resume(self) -> None:
        issue = self.app.session.issue  # type: ignore[attr-defined]
        lines = [f"Issue {issue.number} ({issue.status}, {issue.date:%a %d %b %Y})", ""]
        for section in issue.sections:
            lines.append(f"{section.title} ({len(section.items)})")
            lines += [f"  • {item.title}" for item in section.items]
        self.query_one(Static).update(Content("\n".join(lines)))


_PUBLISHED_LINE = re.compile(r"""^\s*status\s*=\s*["']published["']""", re.MULTILINE)


def issue_screen() -> Screen[Any]:
    try:
        from digest.tui.screens.issue import IssueScreen
    except ModuleNotFoundError as exc:
        if exc.name != "digest.tui.screens.issue":
            raise
        return IssuePlaceholder(id="issue")
    return IssueScreen()


class DigestApp(App[None]):
    TITLE = "digest"
    CSS_PATH = "app.tcss"
    MODES = {"inbox": InboxScreen, "issue": issue_screen, "feeds": FeedsScreen,
             "archive": ArchiveScreen, "search": SearchScreen}
    DEFAULT_MODE = "inbox"

    BINDINGS = [
        Binding("u,ctrl+z", "undo", "Undo", id="app.undo",
                tooltip="Take back the last change (picks, edits, dismissals)"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo",
                tooltip="Do again what was undone"),
        Binding("f", "fetch", "Fetch", id="app.fetch", tooltip="Fetch every feed now"),
        Binding("i", "toggle_issue", "Issue", id="app.issue",
                tooltip="Switch between the inbox and the issue being written"),
        Binding("F", "switch_mode('feeds')", "Feeds", id="app.feeds",
                tooltip="Every feed with its status, last error and entry count"),
        Binding("A", "switch_mode('archive')", "Archive", show=False, id="app.archive",
                tooltip="Past issues, newest first: read one, follow an item to its entry"),
        Binding("S,ctrl+f", "switch_mode('search')", "Search", show=False, id="app.search",
                tooltip="Search past issues and stored entries together"),
        Binding("question_mark", "help", "Keys", id="app.help", tooltip="Show every key"),
        Binding("ctrl+p,colon", "command_palette", "Commands", show=False, id="app.palette",
                tooltip="Search every command"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Save and quit"),
    ]

    #: Bumped after every change to the issue (edits, undo, redo, reload).
    issue_version: reactive[int] = reactive(0)
    #: Bumped when entries changed in the store (states, fetches, other processes).
    entries_version: reactive[int] = reactive(0)
    #: Link → latest published issue that featured it (filled at startup, in a worker).
    featured: var[dict[str, int]] = var(dict)
    last_issue_date: var[dt.date | None] = var(None)
    fetch_state: var[FetchState | None] = var(None)
    #: The last change of entry states (dismiss, restore, their undo and redo),
    #: set as it is queued: the inbox shows it before the store has it.
    states_queued: var[QueuedStates | None] = var(None)

    def __init__(self, project: Project, store: Store, *, today: dt.date | None = None,
                 autosave_delay: float = 0.5, poll_interval: float = POLL_INTERVAL,
                 fetch_refresh: float = FETCH_REFRESH) -> None:
        super().__init__()
        self.project = project
        self.store = store
        self.today = today or dt.date.today()
        self.autosave_delay = autosave_delay
        self.poll_interval = poll_interval
        self.fetch_refresh = fetch_refresh
        self._refreshed_at = 0.0
        self.session = EditSession(project, archive.open_draft(project, self.today), store)
        self.session.writes = StateWrites(
            store, lambda error: self.post_message(StatesWritten(error)),
            lambda ids, state: setattr(self, "states_queued", QueuedStates(ids, state)))
        self.sub_title = project.title
        self._data_version: int | None = None
        self._indexed = False
        self._frozen = False
        self._fetching: FetchApart | None = None

    def on_mount(self) -> None:
        self.set_keymap(self.project.keys)
        self._warn_key_clashes()
        self._load_featured()
        self._data_version = self.store.data_version()
        self.set_interval(self.poll_interval, self._poll_store)

    # --- the one way to change the issue -------------------------------------

    def change(self, label: str, change: Callable[[Issue], T]) -> T:
        result = self.session.apply(label, change)
        self._changed()
        return result

    def _changed(self) -> None:
        self.issue_version += 1
        self.set_timer(self.autosave_delay, self.save_now)

    def save_now(self) -> None:
        """Write the draft if it changed; a failure is shown and retried, never dropped."""
        try:
            self.session.save()
        except archive.ArchiveError as exc:
            self.notify(f"Not saved (kept in memory, will retry): {exc}",
                        severity="error", timeout=8, markup=False)
            self.set_timer(5, self.save_now)

    def set_entry_states(self, label: str, entry_ids: Iterable[str], state: EntryState) -> None:
        """Dismiss or restore entries as one undoable step; the inbox is drawn again
        once the store has them (``on_states_written``)."""
        self.session.set_states(label, list(entry_ids), state)

    def on_states_written(self, message: StatesWritten) -> None:
        self._absorb_own_writes()
        self.entries_version += 1
        if message.error is not None:
            self.notify(f"Could not store an entry's state: {message.error}", severity="error",
                        timeout=8, markup=False)

    def dismiss_entries(self, entry_ids: Iterable[str]) -> None:
        self.set_entry_states("Dismiss", entry_ids, "dismissed")

    def add_by_hand(self, item: HandItem) -> None:
        section = self.project.section(item.section_id)
        title = section.title if section else item.section_id

        def add(issue: Issue) -> object:
            target = curate.ensure_section(issue, self.project, item.section_id)
            if not item.url and target.kind == "notes":
                target.notes = f"{target.notes.rstrip()}\n\n{item.title}".strip()
                return target
            return curate.add_item(issue, self.project, item.section_id,
                                   Item(item.title, item.url, source=bare_domain(item.url)))

        self.change(f"Add to {title} by hand", add)

    def action_undo(self) -> None:
        label = self.session.undo()
        if label is None:
            self.notify("Nothing to undo", timeout=2)
            return
        # Entry states it changed are read again once stored (on_states_written).
        self._changed()
        self.notify(f"Undid: {label}", timeout=2, markup=False)

    def action_redo(self) -> None:
        label = self.session.redo()
        if label is None:
            self.notify("Nothing to redo", timeout=2)
            return
        # Entry states it changed are read again once stored (on_states_written).
        self._changed()
        self.notify(f"Redid: {label}", timeout=2, markup=False)

    async def action_quit(self) -> None:
        from digest.tui.screens.item_editor import EditorModal

        open_edits = [s for s in self.screen_stack if isinstance(s, EditorModal) and s.changed]
        if open_edits:
            # Quitting would drop text typed into an editor that is not saved yet.
            self.notify("An editor has unsaved text: save it (ctrl+s) or close it (esc) "
                        "before quitting.", severity="warning", timeout=6)
            return
        self.save_now()
        self.exit()

    # --- screens -------------------------------------------------------------

    async def action_toggle_issue(self) -> None:
        await self.switch_mode("inbox" if self.current_mode == "issue" else "issue")

    async def on_show_feed(self, message: ShowFeed) -> None:
        feed = await asyncio.to_thread(self.store.feed, message.feed_url)
        await self.switch_mode("inbox")
        screen = self.screen
        if isinstance(screen, InboxScreen):
            screen.show_feed(message.feed_url, feed.title if feed else "")

    def action_help(self) -> None:
        screen = self.screen
        title = f"Keys of the {self.current_mode} screen"
        self.push_screen(HelpScreen(key_help(screen), title))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette command (one declaration)."""
        yield from super().get_system_commands(screen)
        seen: set[str] = {"command_palette", "help_quit", "quit"}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            if (binding.id or "").startswith("list."):
                continue
            seen.add(binding.action)
            key = self.get_key_display(binding)
            yield SystemCommand(f"{binding.description} ({key})",
                                binding.tooltip or binding.description,
                                partial(self.run_action, binding.action, active.node))

    # --- fetching ------------------------------------------------------------

    def action_fetch(self) -> None:
        if self.fetch_state is not None:
            self.notify("A fetch is already running", timeout=2)
            return
        try:
            feeds = subscriptions(self.project)
        except Exception as exc:  # an unreadable OPML file, say
            self.notify(f"Cannot read the subscriptions: {exc}", severity="error",
                        markup=False)
            return
        if not feeds:
            self.notify("No feeds yet: add [[feeds]] to digest.toml", severity="warning",
                        markup=False)
            return
        self.fetch_state = FetchState(0, len(feeds))
        self._fetch(feeds)

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False, name="fetch")
    def _fetch(self, feeds: list[tuple[str, str]]) -> None:
        # Downloads, parsing and the store's writes all run in a process apart:
        # here they would take the GIL from the UI. This thread only waits for
        # news of each feed.
        def progress(outcome: Any, done: int, total: int) -> None:
            self.post_message(FetchProgress(done, total, outcome.url, outcome.status))

        self._fetching = FetchApart(self.store.path, feeds, fetch_settings(self.project))
        try:
            summary = self._fetching.run(progress)
        except Exception as exc:
            self.post_message(FetchFinished(None, str(exc)))
            return
        self.post_message(FetchFinished(summary))

    def on_fetch_progress(self, message: FetchProgress) -> None:
        if self.fetch_state is not None:
            self.fetch_state = FetchState(message.done, message.total)

    def on_fetch_finished(self, message: FetchFinished) -> None:
        self.fetch_state = None
        self._absorb_own_writes()
        self.entries_version += 1
        summary = message.summary
        if summary is None:
            self.notify(f"Fetch failed: {message.error}", severity="error", markup=False)
            return
        failed = summary.failed
        text = (f"Fetched {len(summary.outcomes)} feeds: "
                f"{summary.new_entries} new entries")
        if failed:
            text += f"; {len(failed)} failed (F shows the feeds and their errors)"
        self.notify(text, severity="warning" if failed else "information", markup=False,
                    title="Fetch")

    # --- the store -----------------------------------------------------------

    def _poll_store(self) -> None:
        """Pick up entries written by another process: a `digest fetch` from cron,
        or the app's own fetch, which is shown every ``fetch_refresh`` seconds."""
        try:
            version = self.store.data_version()
        except Exception:  # a locked or vanished cache: try again next time
            return
        if version == self._data_version:
            return
        now = time.monotonic()
        if self.fetch_state is not None and now - self._refreshed_at < self.fetch_refresh:
            return  # seen at a later poll
        self._data_version = version
        self._refreshed_at = now
        self.entries_version += 1

    def _absorb_own_writes(self) -> None:
        """Our own worker threads wrote the store: not news for the poll."""
        with contextlib.suppress(Exception):
            self._data_version = self.store.data_version()

    @work(thread=True, group="index", exit_on_error=False, name="featured")
    def _load_featured(self) -> tuple[dict[str, int], dt.date | None, tuple[str, ...]]:
        """Past features as the store indexed them last time: marks at once, cheaply."""
        last: dt.date | None = None
        for _number, path in reversed(archive.issue_files(self.project)):
            try:
                if _PUBLISHED_LINE.search(path.read_text("utf-8")):
                    last = archive.load_issue(path).date
                    break
            except (OSError, UnicodeDecodeError, archive.ArchiveError):
                continue
        return self.store.featured(), last, ()

    def reindex_issues(self) -> None:
        """Parse every past issue and index it again (once, after the inbox is up:
        parsing a big archive holds the GIL and would slow the first screen)."""
        if not self._indexed:
            self._indexed = True
            self._index_issues()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False, name="index")
    def _index_issues(self) -> tuple[dict[str, int], dt.date | None, tuple[str, ...]]:
        loaded = archive.load_all(self.project)
        self.store.index_issues(loaded.issues)
        published = [i.date for i in loaded.issues if i.status == "published"]
        return self.store.featured(), max(published, default=None), loaded.errors

    def _freeze_heap(self) -> None:
        """Leave what start-up built out of the garbage collector's full passes.

        With the archive indexed, the heap holds some 80,000 objects that live
        as long as the app; each full collection walked all of them, a 50-100 ms
        pause in the middle of a keystroke or a scroll. Frozen, a full pass sees
        only what came later.
        """
        if not self._frozen:
            self._frozen = True
            gc.freeze()

    def on_unmount(self) -> None:
        if self._fetching is not None:
            self._fetching.stop()
        if self.session.writes is not None:
            # Every dismiss and undo reaches the store before the app lets it go.
            self.session.writes.close()
        if self._frozen:  # another app in this process (the tests) starts clean
            self._frozen = False
            gc.unfreeze()

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state == WorkerState.ERROR:
            if worker.name == "fetch":
                self.fetch_state = None
            self.notify(f"{worker.name} failed: {worker.error}", severity="error",
                        markup=False)
        elif event.state == WorkerState.SUCCESS and worker.name in ("index", "featured"):
            featured, last_date, errors = worker.result  # type: ignore[misc]
            if worker.name == "index":
                # Not absorbed as our own write: a cron `digest fetch` may have
                # stored entries in the same moment.
                self._poll_store()
                self._freeze_heap()
            self.featured = featured
            self.last_issue_date = last_date
            for error in errors:
                self.notify(error, severity="warning", timeout=8, markup=False)

    def _warn_key_clashes(self) -> None:
        """A section key hides one of the inbox's own keys: say so once, at startup."""
        keymap = self.project.keys
        own: dict[str, str] = {}
        for binding in Binding.make_bindings([*InboxScreen.BINDINGS, *self.BINDINGS]):
            key = keymap.get(binding.id or "", binding.key)
            own[key] = binding.description
        for section in self.project.sections:
            key = keymap.get(f"inbox.section.{section.id}", section.key)
            if key in own:
                self.notify(f"Section key {key!r} ({section.title}) hides {own[key]!r}; "
                            "remap one of them in digest.toml [keys]",
                            severity="warning", timeout=10, markup=False)


def make_app(project: Project, store: Store, **kwargs: Any) -> DigestApp:
    """The app factory shared by the CLI and the tests."""
    return DigestApp(project, store, **kwargs)
