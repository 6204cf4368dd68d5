"""The inbox: every fetched entry, newest first, with a preview and one key per section.

The screen owns the state (the filter, the matching rowids, the marks, the
previewed entry) and pushes it down with ``data_bind``; the list and the
preview report the highlighted entry back with a message. Queries run in
thread workers (latest wins), so typing in the filter never waits on SQLite.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Input
from textual.worker import Worker, WorkerState

from digest import curate
from digest.model import Entry
from digest.store import EntryFilter, EntryRow
from digest.tui.collector import collection_paused
from digest.tui.commands.inbox import InboxCommands
from digest.tui.focus import focus_now
from digest.tui.messages import QueuedStates
from digest.tui.widgets.dialogs import AddItemModal, ConfirmModal
from digest.tui.widgets.entry_list import EntryList, Marks, RowSet
from digest.tui.widgets.entry_preview import EntryPreview
from digest.tui.widgets.fetch_bar import FetchBar, FetchState
from digest.tui.widgets.inbox_status import InboxStatus
from digest.tui.widgets.text import body_text, line

if TYPE_CHECKING:
    from digest.tui.app import DigestApp

#: Rows shown before the whole order of a big inbox is read.
FIRST_PAGE = 200
#: Up to this many entries in the date order, a filter's words bring the whole
#: list in one step (15-35 ms at 100,000); past it the first screenful comes
#: first, as the whole list grows with the store.
ONE_STEP = 150_000

#: (id, label) of the date ranges the "Dates" key cycles through.
DATE_RANGES = (("any", ""), ("issue", "since the last issue"), ("week", "last 7 days"),
               ("month", "last 30 days"))


def section_bindings(app: DigestApp) -> list[Binding]:
    """One key per section of the project, remappable as ``inbox.section.ID``."""
    return [
        Binding(s.key, f"pick('{s.id}')", s.title, id=f"inbox.section.{s.id}",
                tooltip=f"File the selected entry in {s.title} (moves it if already picked)")
        for s in app.project.sections if s.key
    ]


class InboxScreen(Screen[None]):
    COMMANDS = {InboxCommands}
    #: Focused as the screen is composed: a key typed while it mounts goes to the list.
    AUTO_FOCUS = "EntryList"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        # Priority: run as the key is read, before the keys typed after it are
        # handed on, so "/nuitka" typed in one burst lands whole in the filter.
        Binding("slash", "focus_filter", "Filter", id="inbox.filter", priority=True,
                tooltip="Type to filter by title, author, feed or text"),
        Binding("escape", "escape", "Back / clear filter", show=False, id="inbox.escape",
                tooltip="Leave the filter box, or clear every filter"),
        Binding("x", "remove", "Remove", id="inbox.remove",
                tooltip="Take the selected entry out of the draft"),
        Binding("d", "toggle_dismiss", "Dismiss", id="inbox.dismiss",
                tooltip="Hide the selected entry from the inbox (again to restore it)"),
        Binding("plus", "add_by_hand", "Add by hand", show=False, id="inbox.add_by_hand",
                tooltip="Add a link that is in no feed, or a note"),
        Binding("o", "open_link", "Open", show=False, id="inbox.open",
                tooltip="Open the link in the browser"),
        Binding("Y", "copy_link", "Copy link", show=False, id="inbox.copy",
                tooltip="Copy the selected entry's link to the clipboard"),
        Binding("1", "only_new", "New only", show=False, id="inbox.only_new",
                tooltip="Show only entries not seen yet (again to show all)"),
        Binding("2", "show_dismissed", "Show dismissed", show=False, id="inbox.show_dismissed",
                tooltip="Show or hide dismissed entries"),
        Binding("3", "choose_feed", "Filter by feed", show=False, id="inbox.by_feed",
                tooltip="Show only the entries of one feed"),
        Binding("4", "cycle_dates", "Date range", show=False, id="inbox.dates",
                tooltip="Any time → since the last issue → last 7 days → last 30 days"),
        Binding("enter", "focus_preview", "Read", show=False, id="inbox.read",
                tooltip="Move into the preview to scroll the post"),
        Binding("tab", "app.toggle_issue", "Issue", show=False, id="inbox.issue",
                tooltip="Switch to the issue being written"),
    ]

    filter: var[EntryFilter] = var(EntryFilter, init=False)
    rows: var[RowSet] = var(RowSet)
    marks: var[Marks] = var(Marks)
    entry: var[Entry | None] = var(None)
    shown: var[int] = var(0)
    #: The list holds the first screenful of the filter; the rest is being read.
    partial: var[bool] = var(False)
    total: var[int] = var(0)
    busy: var[bool] = var(True)
    feed_label: var[str] = var("")
    range_label: var[str] = var("")
    fetch_state: var[FetchState | None] = var(None)

    def __init__(self) -> None:
        super().__init__(id="inbox")
        # Section keys come from the project, so they are added per instance,
        # before the screen's own keys: a configured section wins a clash.
        self._bindings = BindingsMap.merge(
            [BindingsMap(section_bindings(self.digest_app)), self._bindings]
        )
        self._date_range = "any"
        #: The filter request waiting for the running query: (filter, keep, count).
        self._pending: tuple[EntryFilter, bool, bool] | None = None
        self._querying = False
        #: The filter whose first screenful is on show until its whole order arrives.
        self._first_shown: EntryFilter | None = None
        #: Where a filter's whole order is read while its first screenful is.
        self._whole_lists = ThreadPoolExecutor(1, thread_name_prefix="digest-whole-list")
        #: Entry id → (rowid, index) of rows taken out of the list by a dismiss, so
        #: that its undo puts them back before the store has the change.
        self._taken_out: dict[str, tuple[int, int]] = {}

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield Input(placeholder="Filter: title, author, feed, text  ( / )", id="filter-text",
                    compact=True)
        yield InboxStatus().data_bind(
            InboxScreen.shown, InboxScreen.partial, InboxScreen.total, InboxScreen.busy,
            InboxScreen.feed_label,
            InboxScreen.range_label, filter=InboxScreen.filter,
        )
        with Horizontal(id="inbox-body"):
            store = self.digest_app.store
            yield EntryList(store.rows, empty_text="No entries match. Esc clears the filter; "
                            "f fetches the feeds.").data_bind(InboxScreen.rows,
                                                              InboxScreen.marks)
            yield EntryPreview().data_bind(InboxScreen.entry, InboxScreen.marks)
        yield FetchBar().data_bind(state=InboxScreen.fetch_state)
        yield Footer()

    def on_mount(self) -> None:
        app = self.digest_app
        self.watch(app, "issue_version", self._issue_changed)
        self.watch(app, "featured", self._issue_changed, init=False)
        self.watch(app, "entries_version", self._entries_changed, init=False)
        self.watch(app, "fetch_state", self._fetch_state_changed)
        self.watch(app, "states_queued", self._states_queued, init=False)
        self._query(self.filter, keep_position=True, count=True)

    def on_unmount(self) -> None:
        self._whole_lists.shutdown(wait=False, cancel_futures=True)

    # --- state in ------------------------------------------------------------

    def _fetch_state_changed(self, state: FetchState | None) -> None:
        self.fetch_state = state

    def _states_queued(self, queued: QueuedStates | None) -> None:
        """Show a dismiss, a restore or their undo at once; the read of the list that
        follows the store's write agrees (and is the truth for anything else)."""
        if queued is None:
            return
        hidden = queued.state == "dismissed" and (self.filter.hide_dismissed
                                                 or self.filter.only_new)
        shown = not hidden and (queued.state == "new" or not self.filter.only_new)
        ids = list(self.rows.ids)
        changed = False
        for entry_id in queued.ids:
            known = self._taken_out.get(entry_id)
            if known is None:
                continue
            rowid, index = known
            if hidden and rowid in ids:
                index = ids.index(rowid)
                del ids[index]
                self._taken_out[entry_id] = (rowid, index)
                changed = True
            elif shown and index >= 0 and rowid not in ids:
                ids.insert(min(index, len(ids)), rowid)
                changed = True
        if changed:
            self.rows = RowSet(tuple(ids))
            self.shown = len(ids)

    def _issue_changed(self) -> None:
        issue = self.digest_app.session.issue
        by_id: dict[str, str] = {}
        by_url: dict[str, str] = {}
        for section in issue.sections:
            for item in section.items:
                if item.entry_id:
                    by_id[item.entry_id] = section.title
                if item.url:
                    by_url[item.url] = section.title
        self.marks = Marks(by_id, by_url, self.digest_app.featured)

    def _entries_changed(self) -> None:
        # Entry states or the set of entries changed (dismiss, undo, fetch): query again.
        self._query(self.filter, keep_position=True, count=True)

    def watch_filter(self, old: EntryFilter, new: EntryFilter) -> None:
        self._taken_out.clear()  # their places were in the list of the old filter
        self._query(new, keep_position=old.text == new.text)

    def _query(self, flt: EntryFilter, *, keep_position: bool, count: bool = False) -> None:
        """Run the filter in a thread; while one runs, later requests coalesce into one."""
        self.busy = True
        pending = self._pending
        if pending is not None:  # merge with what was already waiting
            keep_position = keep_position and pending[1]
            count = count or pending[2]
        self._pending = (flt, keep_position, count)
        if not self._querying:
            self._next_query()

    def _next_query(self) -> None:
        if self._pending is None:
            return
        flt, keep_position, count = self._pending
        self._pending = None
        self._querying = True
        self._run_query(flt, keep_position, count)

    @work(thread=True, group="filter", exit_on_error=False, name="query")
    def _run_query(self, flt: EntryFilter, keep_position: bool,
                   count: bool) -> tuple[EntryFilter, RowSet | None, int | None]:
        store = self.digest_app.store
        ids: tuple[int, ...] | None
        at_hand = store.order_at_hand(flt) if flt.text else None
        if at_hand is not None and at_hand <= ONE_STEP:
            # Words, and the date order already read: the whole order is one
            # full-text read and a pass over ints (15-35 ms at 100,000
            # entries), drawn once with its count. A first screenful before it
            # read the same words a second time beside it, and the list was
            # drawn twice: the whole list came 15-20 ms later.
            with collection_paused():
                ids = store.entry_rowids(flt, stop=lambda: self._pending is not None)
        else:
            ids = self._first_page_then_whole(flt, keep_position)
        total = store.count_entries(EntryFilter(hide_dismissed=False)) if count else None
        return flt, None if ids is None else RowSet(ids, keep_position), total

    def _first_page_then_whole(self, flt: EntryFilter,
                               keep_position: bool) -> tuple[int, ...] | None:
        """The first screenful shown on its own, then the whole order, which the count
        and the scrollbar need.

        The first screenful comes from an index in the inbox order (the date
        index, or the full-text index keyed by week) in 1-10 ms; the whole order
        takes 50-100 ms more when the date order must be read again (at start,
        after a commit). SQLite reads the whole order's matches on another
        thread from the start; their Python part waits until the first page is
        shown, so the two threads do not take turns with the GIL.
        """
        store = self.digest_app.store
        matches = self._whole_lists.submit(store.matching, flt.text) if flt.text else None
        first = tuple(row.rowid for row in store.list_entries(flt, limit=FIRST_PAGE))
        if len(first) < FIRST_PAGE:  # that was all of it
            if matches is not None:
                matches.cancel()
            return first
        self.app.call_from_thread(self._show_first_page, flt, RowSet(first, keep_position))
        # Typed past already: the next query's first page matters more than this count.
        found = None if matches is None else matches.result()
        with collection_paused():
            return store.entry_rowids(flt, stop=lambda: self._pending is not None,
                                      matches=found)

    def _show_first_page(self, flt: EntryFilter, rows: RowSet) -> None:
        if flt is self.filter and self._pending is None:
            self._first_shown = flt
            self.rows = rows
            self.shown = len(rows.ids)
            self.partial = True

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False, name="preview")
    def _load_entry(self, entry_id: str) -> Entry | None:
        entry = self.digest_app.store.entry(entry_id)
        if entry is not None:  # its readable text made here, not on the UI thread
            body_text(entry.text, entry.content_html or entry.summary_html)
        return entry

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if worker.name == "query" and worker.is_finished:
            self._querying = False
            self._next_query()
            if self._pending is None and not self._querying:
                self.busy = False
        if event.state == WorkerState.ERROR:
            self.notify(f"{worker.name} failed: {worker.error}", severity="error",
                        markup=False)
        if event.state != WorkerState.SUCCESS:
            return
        if worker.name == "query":
            flt, rows, total = worker.result  # type: ignore[misc]
            if total is not None:
                self.total = total
            if rows is None:  # given up for a newer filter, which is on its way
                return
            if self._first_shown is flt:
                # The first page already moved the cursor (keep what was done
                # since) and drew its rows (same data: draw nothing again).
                rows = RowSet(rows.ids, keep_position=True, same_rows=True)
            self._first_shown = None
            # A stale result is still shown (it is close, and newer is coming).
            self.rows = rows
            self.shown = len(rows.ids)
            self.partial = False
            self.digest_app.reindex_issues()
        elif worker.name == "preview":
            current = self.current
            entry = worker.result
            self.entry = entry if current and entry and entry.id == current.id else None

    @on(EntryList.Highlighted)
    def _highlighted(self, event: EntryList.Highlighted) -> None:
        if event.row is None:
            self.entry = None
        else:
            self._load_entry(event.row.id)

    @on(Input.Changed, "#filter-text")
    def _filter_typed(self, event: Input.Changed) -> None:
        self.filter = self.filter.containing(event.value)

    @on(Input.Submitted, "#filter-text")
    def _filter_done(self) -> None:
        focus_now(self.query_one(EntryList))

    # --- what is selected ----------------------------------------------------

    @property
    def current(self) -> EntryRow | None:
        return self.query_one(EntryList).current

    def _selected(self) -> EntryRow | None:
        row = self.current
        if row is None:
            self.notify("No entry selected", severity="warning", timeout=2)
        return row

    # --- filters -------------------------------------------------------------

    def replace_filter(self, **changes: Any) -> None:
        values = {k: getattr(self.filter, k) for k in
                  ("text", "only_new", "hide_dismissed", "feed_url", "since", "until")}
        values.update(changes)
        self.filter = EntryFilter(**values)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_filter":
            # In the filter box a "/" is text: the binding steps aside.
            return self.focused is not self.query_one("#filter-text", Input)
        return True

    def action_focus_filter(self) -> None:
        focus_now(self.query_one("#filter-text", Input))

    def action_focus_preview(self) -> None:
        focus_now(self.query_one(EntryPreview))

    def action_escape(self) -> None:
        entry_list = self.query_one(EntryList)
        if self.focused is not entry_list:
            focus_now(entry_list)
            return
        self.clear_filters()

    def clear_filters(self) -> None:
        self.query_one("#filter-text", Input).value = ""
        self._date_range = "any"
        self.feed_label = self.range_label = ""
        self.filter = EntryFilter()

    def action_only_new(self) -> None:
        self.replace_filter(only_new=not self.filter.only_new)

    def action_show_dismissed(self) -> None:
        self.replace_filter(hide_dismissed=not self.filter.hide_dismissed)

    def show_feed(self, feed_url: str, title: str = "") -> None:
        """Filter to one feed ("" for all feeds)."""
        self.feed_label = title or feed_url
        self.replace_filter(feed_url=feed_url)

    def action_choose_feed(self) -> None:
        from digest.tui.commands.inbox import choose_feed

        choose_feed(self)

    def set_date_range(self, range_id: str) -> None:
        app = self.digest_app
        today = dt.datetime.combine(app.today, dt.time()).astimezone()
        since: dt.datetime | None = None
        if range_id == "issue" and app.last_issue_date:
            since = dt.datetime.combine(app.last_issue_date, dt.time()).astimezone()
        elif range_id == "week":
            since = today - dt.timedelta(days=7)
        elif range_id == "month":
            since = today - dt.timedelta(days=30)
        else:
            range_id = "any"
        self._date_range = range_id
        self.range_label = dict(DATE_RANGES)[range_id]
        self.replace_filter(since=since)

    def action_cycle_dates(self) -> None:
        ids = [r for r, _ in DATE_RANGES
               if r != "issue" or self.digest_app.last_issue_date is not None]
        index = ids.index(self._date_range) if self._date_range in ids else -1
        self.set_date_range(ids[(index + 1) % len(ids)])

    # --- picking -------------------------------------------------------------

    def action_pick(self, section_id: str) -> None:
        row = self._selected()
        if row is not None:
            self.pick(row.id, section_id)

    @work(group="pick", exit_on_error=False)
    async def pick(self, entry_id: str, section_id: str) -> None:
        """File an entry in a section; asks first when a past issue featured it."""
        app = self.digest_app
        entry = app.store.entry(entry_id)
        section = app.project.section(section_id)
        if entry is None or section is None:
            return
        where = curate.locate(app.session.issue, entry.id, entry.link)
        if where and where[0].id == section_id:
            self.notify(f"Already in {section.title}", timeout=2, markup=False)
            return
        featured = app.featured.get(entry.link)
        if featured and where is None:
            question = Content.assemble(
                "“", (line(entry.title), "bold"), f"” was featured in issue {featured}. ",
                f"Add it to {section.title} anyway?",
            )
            if not await app.push_screen_wait(ConfirmModal("Featured before", question)):
                return
        label = f"Move to {section.title}" if where else f"Add to {section.title}"
        app.change(label, lambda issue: curate.pick(issue, app.project, entry, section_id))

    def action_remove(self) -> None:
        row = self._selected()
        if row is None:
            return
        app = self.digest_app
        where = curate.locate(app.session.issue, row.id, row.link)
        if where is None:
            self.notify("Not in this draft", timeout=2)
            return

        def remove(issue: Any) -> object:
            found = curate.locate(issue, row.id, row.link)
            if found is None:
                raise curate.CurateError("not in this draft")
            return curate.remove_item(issue, found[0].id, found[1])

        app.change(f"Remove from {where[0].title}", remove)

    def action_toggle_dismiss(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.state == "dismissed":
            self.digest_app.set_entry_states("Restore", [row.id], "seen")
            return
        where = curate.locate(self.digest_app.session.issue, row.id, row.link)
        if where is not None:
            self.notify(f"It is in the draft ({where[0].title}): x removes it first",
                        severity="warning", timeout=3, markup=False)
            return
        self._taken_out[row.id] = (row.rowid, -1)
        self.digest_app.set_entry_states("Dismiss", [row.id], "dismissed")

    def action_add_by_hand(self) -> None:
        self._add_by_hand()

    @work(group="pick", exit_on_error=False)
    async def _add_by_hand(self) -> None:
        app = self.digest_app
        item = await app.push_screen_wait(AddItemModal(app.project.sections))
        if item is not None:
            app.add_by_hand(item)

    # --- the link ------------------------------------------------------------

    def action_open_link(self) -> None:
        row = self._selected()
        if row is None:
            return
        if not row.link.startswith(("http://", "https://")):
            self.notify("This entry has no web link", severity="warning", timeout=3)
            return
        self.app.open_url(row.link)

    def action_copy_link(self) -> None:
        row = self._selected()
        if row is not None and row.link:
            self.app.copy_to_clipboard(line(row.link))
            self.notify("Link copied", timeout=2)
