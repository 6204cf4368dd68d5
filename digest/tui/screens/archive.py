"""The archive: every past issue, newest first, each readable as it went out.

Everything here reads the issue files and the entry store and changes
neither, so it can be opened on a train with no network: the files are the
archive. Loading runs in a thread worker (500 issue files take a moment) and
is repeated each time the screen comes back, because the draft or a
``digest import`` may have changed the files in between.

From an item of a past issue, the editor can jump to the entry it came from
in the inbox, when the store still holds that entry.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from digest import archive
from digest.archive import IssueLoad
from digest.config import Project
from digest.feeds.urls import canonical_url, safe_href
from digest.model import EntryState, Issue, Item
from digest.render.markdown import render_markdown
from digest.store import EntryFilter, Store
from digest.textclean import clean_line
from digest.tui.widgets.archive_chart import ArchiveCharts

if TYPE_CHECKING:
    from digest.tui.app import DigestApp

#: Seconds to wait for the inbox to show the entry's row before giving up.
REVEAL_TIMEOUT = 5.0


# --- from an item to its entry ----------------------------------------------------

def find_entry(store: Store, item: Item) -> str | None:
    """The id of the stored entry an item came from: by its id, else by its link.

    Items picked in digest carry the entry id; imported and hand-added ones
    only have a URL, which may be spelled with tracking parameters the
    store's canonical links do not have.
    """
    if item.entry_id and store.entry(item.entry_id) is not None:
        return item.entry_id
    for link in dict.fromkeys((item.url, canonical_url(item.url))):
        if link:
            entry = store.entry_by_link(link)
            if entry is not None:
                return entry.id
    return None


def entry_position(store: Store, entry_id: str) -> tuple[int, EntryState] | None:
    """The entry's rowid (the inbox's row key) and state, or None when it is gone.

    The store has no lookup of a rowid by id, so the entry's own title is
    used as a filter: it narrows the candidates to a handful of rows.
    """
    entry = store.entry(entry_id)
    if entry is None:
        return None
    candidates = store.entry_rowids(EntryFilter(text=entry.title, hide_dismissed=False))
    for start in range(0, len(candidates), 500):
        for row in store.rows(candidates[start:start + 500]):
            if row.id == entry_id:
                return row.rowid, row.state
    return None


async def reveal_entry(app: DigestApp, entry_id: str) -> bool:
    """Switch to the inbox with the cursor on this entry (filters cleared to show it)."""
    from digest.tui.screens.inbox import InboxScreen
    from digest.tui.widgets.entry_list import EntryList

    found = await asyncio.to_thread(entry_position, app.store, entry_id)
    if found is None:
        app.notify("That entry is no longer in the store", severity="warning", timeout=3)
        return False
    rowid, state = found
    await app.switch_mode("inbox")
    inbox = app.screen
    if not isinstance(inbox, InboxScreen):
        return False
    inbox.clear_filters()
    if state == "dismissed":
        inbox.replace_filter(hide_dismissed=False)
    entry_list = inbox.query_one(EntryList)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REVEAL_TIMEOUT
    while inbox.busy or rowid not in entry_list.ids:
        if loop.time() > deadline:
            app.notify("The entry is in the store but the inbox did not show it",
                       severity="warning", timeout=3)
            return False
        await asyncio.sleep(0.02)
    entry_list.cursor = list(entry_list.ids).index(rowid)
    entry_list.focus()
    return True


# --- the list of issues -----------------------------------------------------------

Signature = tuple[tuple[str, int, int], ...]


def files_signature(project: Project) -> Signature | None:
    """Name, mtime and size of every issue file: equal signatures, same archive."""
    try:
        return tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size)
                     for _, path in archive.issue_files(project))
    except OSError:  # a file went away while looking: read everything
        return None

def issue_row(issue: Issue) -> Content:
    """One line of the archive list: number, date, counts, title; a draft says so."""
    sections = sum(1 for s in issue.sections if s.items or s.notes.strip())
    items = issue.item_count()
    return Content.assemble(
        (f"{issue.number:>5}", "bold"), "  ",
        (f"{issue.date:%a %d %b %Y}", "$text-muted"), "  ",
        (f"{items:>3} item{'s' if items != 1 else ' '}", "$text-accent"), " ",
        (f"{sections:>2} section{'s' if sections != 1 else ' '}", "$text-muted"), "  ",
        ("draft ", "bold $warning") if issue.status == "draft" else "",
        clean_line(issue.title) or "(untitled)",
    )


class ArchiveScreen(Screen[None]):
    """Past issues newest first, with a small picture of the archive above them."""

    DEFAULT_CSS = """
    ArchiveScreen #archive-status { height: auto; max-height: 3; padding: 0 1;
                                   color: $text-muted; }
    ArchiveScreen #archive-issues { height: 1fr; border: none; text-wrap: nowrap;
                                    text-overflow: ellipsis; }
    ArchiveScreen.-short ArchiveCharts { max-height: 5; }
    ArchiveScreen.-short ArchiveCharts Sparkline { height: 4; }
    """

    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    AUTO_FOCUS = "#archive-issues"

    BINDINGS = [
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="archive.back",
                tooltip="Back to the inbox"),
        Binding("r", "reload", "Reload", id="archive.reload",
                tooltip="Read the issue files again"),
    ]

    issues: var[tuple[Issue, ...]] = var(())

    def __init__(self) -> None:
        super().__init__(id="archive")
        self._signature: Signature | None = None

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield ArchiveCharts()
        yield Static(Content("Reading the issue files…"), id="archive-status")
        yield OptionList(id="archive-issues")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._signature = None
        self._load()

    @work(thread=True, exclusive=True, group="archive-load", exit_on_error=False,
          name="archive-load")
    def _load(self) -> tuple[Signature, IssueLoad] | None:
        """Every issue, unless no file changed since the last look (500 files take a while)."""
        project = self.digest_app.project
        signature = files_signature(project)
        if signature is not None and signature == self._signature:
            return None
        return signature or (), archive.load_all(project)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"{worker.name} failed: {worker.error}", severity="error",
                        markup=False)
        elif (event.state == WorkerState.SUCCESS and worker.name == "archive-load"
              and worker.result is not None):
            self._signature, loaded = worker.result
            self.issues = tuple(sorted(loaded.issues, key=lambda i: -i.number))
            for error in loaded.errors:
                self.notify(error, severity="warning", timeout=8, markup=False)
            self._show_status(loaded.errors)

    def watch_issues(self, issues: tuple[Issue, ...]) -> None:
        option_list = self.query_one(OptionList)
        current = option_list.highlighted_option
        keep = current.id if current is not None else None
        option_list.set_options(Option(issue_row(i), id=f"issue-{i.number}") for i in issues)
        if keep is not None and any(f"issue-{i.number}" == keep for i in issues):
            option_list.highlighted = option_list.get_option_index(keep)
        elif issues:
            option_list.highlighted = 0
        self.query_one(ArchiveCharts).show(issues)

    def _show_status(self, errors: tuple[str, ...]) -> None:
        issues = self.issues
        published = sum(1 for i in issues if i.status == "published")
        text = (f"{len(issues)} issue{'s' if len(issues) != 1 else ''} "
                f"({published} published) · {sum(i.item_count() for i in issues)} items")
        if errors:
            many = len(errors)
            text += (f" · {many} file{'s' if many != 1 else ''} could not be read: "
                     f"{clean_line(errors[0]).removeprefix(f'{self.digest_app.project.root}/')}")
        if not issues:
            text = "No issues yet: write one in the issue screen, or `digest import` a folder"
        self.query_one("#archive-status", Static).update(Content(text))

    def issue(self, number: int) -> Issue | None:
        return next((i for i in self.issues if i.number == number), None)

    @on(OptionList.OptionSelected, "#archive-issues")
    def _open(self, event: OptionList.OptionSelected) -> None:
        number = int((event.option.id or "issue-0").removeprefix("issue-"))
        issue = self.issue(number)
        if issue is not None:
            self.app.push_screen(IssueReader(issue))


# --- one issue ----------------------------------------------------------------------

class IssueReader(Screen[None]):
    """One past issue: its items on the left, the issue rendered on the right.

    Items whose entry is still in the store are marked, and can be followed
    to that entry in the inbox.
    """

    DEFAULT_CSS = """
    IssueReader #reader-body { width: 1fr; }
    IssueReader #reader-items { width: 40%; max-width: 60; height: 1fr; border: none;
                                border-right: vkey $panel; }
    IssueReader.-narrow #reader-items { display: none; }
    IssueReader Markdown { padding: 0 2; }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="reader.back",
                tooltip="Back to the list of issues"),
        Binding("g", "go_to_entry", "Go to entry", id="reader.entry",
                tooltip="Show the selected item's entry in the inbox (● items are stored)"),
        Binding("o", "open_link", "Open", id="reader.open",
                tooltip="Open the selected item's link in the browser"),
    ]

    #: (section index, item index) → stored entry id, for the items the store still holds.
    stored: var[dict[tuple[int, int], str]] = var(dict)

    def __init__(self, issue: Issue, focus_url: str = "") -> None:
        super().__init__()
        self.issue = issue
        self.focus_url = focus_url
        self._headings: dict[tuple[int, int], str] = {}

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        with Horizontal():
            yield OptionList(id="reader-items")
            with VerticalScroll(id="reader-body"):
                yield Markdown(id="reader-markdown", open_links=False)
        yield Footer()

    async def on_mount(self) -> None:
        issue = self.issue
        self.title = f"Issue {issue.number}"
        self.sub_title = f"{issue.date:%a %d %b %Y} · {issue.status}"
        self._fill_items()
        markdown = self.query_one(Markdown)
        await markdown.update(render_markdown(issue, self.digest_app.project))
        self._headings = self._pair_headings(markdown)
        self._find_stored()
        option_list = self.query_one(OptionList)
        items = self._items()
        target = next((f"item-{s}-{i}" for s, i, item in items
                       if self.focus_url and item.url == self.focus_url), None)
        if target is None and items:
            target = f"item-{items[0][0]}-{items[0][1]}"
        if target is not None:
            option_list.highlighted = option_list.get_option_index(target)
        option_list.focus()

    def _pair_headings(self, markdown: Markdown) -> dict[tuple[int, int], str]:
        """Which rendered ``###`` heading belongs to which item, matched by its text.

        Matching by text rather than by position keeps headings the editor
        wrote inside notes or the intro from shifting every item after them.
        """
        toc = [(label, block_id) for level, label, block_id in markdown.table_of_contents
               if level == 3 and block_id]
        pairs: dict[tuple[int, int], str] = {}
        start = 0
        for s, i, item in self._items():
            want = clean_line(item.title)
            found = next((k for k in range(start, len(toc)) if toc[k][0] == want), None)
            if found is not None:
                pairs[(s, i)] = toc[found][1]
                start = found + 1
        return pairs

    def _items(self) -> list[tuple[int, int, Item]]:
        return [(s, i, item) for s, section in enumerate(self.issue.sections)
                for i, item in enumerate(section.items)]

    def _fill_items(self) -> None:
        options: list[Option] = []
        for s, section in enumerate(self.issue.sections):
            if not section.items:
                continue
            options.append(Option(Content.styled(clean_line(section.title) or section.id,
                                                 "bold $text-muted"), disabled=True))
            for i, item in enumerate(section.items):
                mark = ("● ", "$success") if (s, i) in self.stored else "  "
                options.append(Option(Content.assemble(mark, clean_line(item.title) or
                                                       "(untitled)"), id=f"item-{s}-{i}"))
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted
        option_list.set_options(options)
        if highlighted is not None and highlighted < option_list.option_count:
            option_list.highlighted = highlighted

    @work(thread=True, exclusive=True, group="reader-stored", exit_on_error=False,
          name="reader-stored")
    def _find_stored(self) -> dict[tuple[int, int], str]:
        store = self.digest_app.store
        found: dict[tuple[int, int], str] = {}
        for s, i, item in self._items():
            entry_id = find_entry(store, item)
            if entry_id:
                found[(s, i)] = entry_id
        return found

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"{worker.name} failed: {worker.error}", severity="error",
                        markup=False)
        elif event.state == WorkerState.SUCCESS and worker.name == "reader-stored":
            self.stored = cast("dict[tuple[int, int], str]", worker.result)

    def watch_stored(self) -> None:
        if self.is_mounted:
            self._fill_items()

    # --- the selected item -------------------------------------------------------

    def selected(self) -> tuple[tuple[int, int], Item] | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or not (option.id or "").startswith("item-"):
            return None
        s, i = (int(n) for n in (option.id or "").split("-")[1:])
        return (s, i), self.issue.sections[s].items[i]

    @on(OptionList.OptionHighlighted, "#reader-items")
    def _scroll_to_item(self) -> None:
        """Keep the rendered issue on the highlighted item's heading."""
        picked = self.selected()
        block_id = self._headings.get(picked[0]) if picked is not None else None
        if block_id is not None:
            self.query_one(Markdown).query_one(f"#{block_id}").scroll_visible(
                top=True, animate=False)

    @on(OptionList.OptionSelected, "#reader-items")
    def _selected(self) -> None:
        self.action_go_to_entry()

    def action_go_to_entry(self) -> None:
        picked = self.selected()
        if picked is None:
            return
        entry_id = self.stored.get(picked[0])
        if entry_id is None:
            self.notify("This item's entry is not in the store (added by hand, imported, "
                        "or fetched on another machine)", timeout=4, markup=False)
            return
        self.app.run_worker(reveal_entry(self.digest_app, entry_id), group="reveal",
                            exclusive=True, exit_on_error=False)

    def action_open_link(self) -> None:
        picked = self.selected()
        if picked is not None:
            self._open(picked[1].url)

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self._open(event.href)

    def _open(self, url: str) -> None:
        href = safe_href(url)
        if href.startswith(("http://", "https://")):
            self.app.open_url(href)
        else:
            self.notify("No web link to open", severity="warning", timeout=3)
