"""The issue screen: the draft as it will be exported, ordered and edited here.

The screen owns the cursor and the preview switch; the issue itself belongs to
the app's session. Every change goes through ``DigestApp.change`` (one undoable
step, autosaved), and the screen redraws when ``issue_version`` moves, whether
the change came from here, the inbox, or undo/redo. Editors work on copies and
hand back a whole result, so one save of an editor is one undo step.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header

from digest import curate
from digest.model import Issue, Item, Section
from digest.tui.focus import focus_now
from digest.tui.screens.issue_meta import IssueMetaEditor, MetaEdit
from digest.tui.screens.item_editor import ItemEditor, SectionEdit, SectionEditor
from digest.tui.widgets.dialogs import AddItemModal, HandItem
from digest.tui.widgets.issue_commands import IssueCommands
from digest.tui.widgets.issue_header import IssueHeader
from digest.tui.widgets.issue_outline import IssueOutline, RowRef
from digest.tui.widgets.issue_pickers import Choice, ChoiceModal
from digest.tui.widgets.issue_preview import IssuePreview, issue_markdown
from digest.tui.widgets.text import line

if TYPE_CHECKING:
    from digest.tui.app import DigestApp


#: Seconds of quiet before the preview renders again (Markdown widgets are slow to mount).
PREVIEW_DELAY = 0.2


def short(text: str, limit: int = 40) -> str:
    text = line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class IssueScreen(Screen[None]):
    COMMANDS = {IssueCommands}
    AUTO_FOCUS = "IssueOutline"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    DEFAULT_CSS = """
    IssueScreen #issue-body { height: 1fr; }
    IssueScreen IssueOutline { width: 1fr; }
    IssueScreen IssuePreview { width: 1fr; display: none; }
    IssueScreen.-preview IssuePreview { display: block; }
    IssueScreen.-narrow.-preview IssueOutline { display: none; }
    """

    BINDINGS = [
        Binding("enter", "edit", "Edit", id="issue.edit",
                tooltip="Edit the selected item, or the section's title and notes"),
        Binding("K,shift+up", "move(-1)", "Move up", id="issue.move_up",
                tooltip="Move the selected item (or section) up"),
        Binding("J,shift+down", "move(1)", "Move down", id="issue.move_down",
                tooltip="Move the selected item (or section) down"),
        Binding("left_square_bracket", "move_section(-1)", "Section up", show=False,
                id="issue.section_up", tooltip="Move the selected item's section up"),
        Binding("right_square_bracket", "move_section(1)", "Section down", show=False,
                id="issue.section_down", tooltip="Move the selected item's section down"),
        Binding("m", "move_to", "Move to…", id="issue.move_to",
                tooltip="Move the selected item to another section"),
        Binding("x,delete", "remove", "Remove", id="issue.remove",
                tooltip="Take the selected item out of the issue (undo brings it back)"),
        Binding("a,plus", "add", "Add", id="issue.add",
                tooltip="Add a link by hand, or a note to a notes section"),
        Binding("t", "edit_meta", "Title", id="issue.meta",
                tooltip="Edit the issue's title, date and introduction"),
        Binding("v", "toggle_preview", "Preview", id="issue.preview",
                tooltip="Show or hide the issue rendered as it will be exported"),
        Binding("e", "export", "Export", id="issue.export",
                tooltip="Export the issue: Markdown, web page, e-mail or plain text"),
        Binding("o", "open_link", "Open link", show=False, id="issue.open",
                tooltip="Open the selected item's link in the browser"),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", show=False, id="issue.back",
                tooltip="Back to the inbox"),
    ]

    #: The row under the cursor: a section heading or an item.
    cursor: var[RowRef | None] = var(None)
    #: Whether the rendered preview is shown (beside the outline, or instead of it
    #: on narrow terminals).
    preview: var[bool] = var(False, init=False)

    def __init__(self) -> None:
        super().__init__(id="issue")
        self._preview_timer: Timer | None = None

    @property
    def digest_app(self) -> DigestApp:
        return cast("DigestApp", self.app)

    @property
    def issue(self) -> Issue:
        return self.digest_app.session.issue

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield IssueHeader(id="issue-header")
        with Horizontal(id="issue-body"):
            yield IssueOutline(id="issue-outline")
            yield IssuePreview(id="issue-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "issue_version", self._refresh)
        self.preview = self.app.size.width >= 110

    # --- state in ------------------------------------------------------------

    def _refresh(self) -> None:
        issue = self.issue
        outline = self.query_one(IssueOutline)
        self.query_one(IssueHeader).show(issue)
        outline.show(issue, self.cursor)
        self.cursor = outline.current
        self._update_preview()

    def _update_preview(self, *, at_once: bool = False) -> None:
        """Render the preview; bursts of changes (a held key) render once, at the end."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        if not self.preview:
            return
        if at_once:
            self._render_preview()
        else:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._render_preview)

    def _render_preview(self) -> None:
        self._preview_timer = None
        self.query_one(IssuePreview).show(issue_markdown(self.issue, self.digest_app.project))

    def watch_preview(self, preview: bool) -> None:
        self.set_class(preview, "-preview")
        self._update_preview(at_once=True)
        if self.has_class("-narrow"):
            target = self.query_one(IssuePreview) if preview else self.query_one(IssueOutline)
            focus_now(target)

    @on(IssueOutline.Highlighted)
    def _highlighted(self, event: IssueOutline.Highlighted) -> None:
        self.cursor = event.row

    @on(IssueOutline.Activated)
    def _activated(self, event: IssueOutline.Activated) -> None:
        self.cursor = event.row
        self.action_edit()

    @on(IssueOutline.Dropped)
    def _dropped(self, event: IssueOutline.Dropped) -> None:
        """Drag and drop: an item lands where the row it was dropped on was (a heading:
        first in that section); a heading dropped on another section takes its place."""
        row, onto = event.row, event.onto
        if row.index is not None:
            index = row.index
            target = onto.index if onto.index is not None else 0
            label = f"Move “{short(self._item(row).title)}”"
            new = self._change(label, lambda issue: curate.place_item(
                issue, row.section_id, index, onto.section_id, target))
            if new is not None:
                self._go(RowRef(onto.section_id, new))
            return
        delta = self._section_index(onto.section_id) - self._section_index(row.section_id)
        if delta:
            self._shift_section(row.section_id, delta, RowRef(row.section_id))

    # --- helpers -------------------------------------------------------------

    def _change(self, label: str, change: Callable[[Issue], Any]) -> Any:
        """Apply one undoable change; a refused step is shown, never raised."""
        try:
            return self.digest_app.change(label, change)
        except curate.CurateError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def _go(self, row: RowRef) -> None:
        outline = self.query_one(IssueOutline)
        outline.select(row)
        self.cursor = outline.current

    def _section(self, section_id: str) -> Section:
        section = self.issue.section(section_id)
        if section is None:
            raise curate.CurateError(f"no section {section_id!r}")
        return section

    def _section_index(self, section_id: str) -> int:
        return next((n for n, s in enumerate(self.issue.sections) if s.id == section_id), 0)

    def _item(self, row: RowRef) -> Item:
        assert row.index is not None
        return self._section(row.section_id).items[row.index]

    def _current_item(self, doing: str) -> RowRef | None:
        row = self.cursor
        if row is None or row.index is None:
            self.notify(f"Select an item to {doing}", timeout=2)
            return None
        return row

    def _shift_section(self, section_id: str, delta: int, cursor: RowRef | None = None) -> None:
        title = short(self._section(section_id).title)
        before = self._section_index(section_id)
        new = self._change(f"Move section {title}",
                           lambda issue: curate.shift_section(issue, section_id, delta))
        if new is not None:
            if new == before:
                self.app.bell()
            self._go(cursor or self.cursor or RowRef(section_id))

    def move_targets(self, section_id: str) -> list[tuple[str, str]]:
        """(id, title) of the sections an item of ``section_id`` can move to, in order."""
        have = [(s.id, s.title) for s in self.issue.sections if s.id != section_id]
        known = {s.id for s in self.issue.sections}
        extra = [(s.id, s.title) for s in self.digest_app.project.sections if s.id not in known]
        return have + extra

    # --- actions -------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        row = self.cursor
        if row is None:
            return
        if row.index is None:
            self._shift_section(row.section_id, delta)
            return
        index = row.index
        label = f"Move “{short(self._item(row).title)}” {'up' if delta < 0 else 'down'}"
        new = self._change(label, lambda issue: curate.shift_item(
            issue, row.section_id, index, delta))
        if new is not None:
            if new == index:
                self.app.bell()
            self._go(RowRef(row.section_id, new))

    def action_move_section(self, delta: int) -> None:
        if self.cursor is not None:
            self._shift_section(self.cursor.section_id, delta)

    def action_remove(self) -> None:
        row = self._current_item("remove")
        if row is None or row.index is None:
            return
        index = row.index
        title = short(self._item(row).title)
        if self._change(f"Remove “{title}”",
                        lambda issue: curate.remove_item(issue, row.section_id, index)):
            self.notify(f"Removed “{title}”: undo brings it back", timeout=3, markup=False)
            self._go(row)

    def move_to(self, row: RowRef, target_id: str) -> None:
        if row.index is None:
            return
        index = row.index
        project = self.digest_app.project
        where = dict(self.move_targets(row.section_id)).get(target_id, target_id)
        item = self._change(f"Move “{short(self._item(row).title)}” to {short(where)}",
                            lambda issue: curate.move_item(issue, project, row.section_id,
                                                           index, target_id))
        if item is not None:
            self._go(RowRef(target_id, len(self._section(target_id).items) - 1))

    @work(group="issue-modal", exit_on_error=False, name="move to")
    async def action_move_to(self) -> None:
        row = self._current_item("move")
        if row is None:
            return
        choices = [Choice(sid, title) for sid, title in self.move_targets(row.section_id)]
        target = await self.app.push_screen_wait(
            ChoiceModal(f"Move “{short(self._item(row).title)}” to…", choices))
        if target:
            self.move_to(row, target)

    def go_to(self, section_id: str) -> None:
        self._go(RowRef(section_id))

    @work(group="issue-modal", exit_on_error=False, name="edit")
    async def action_edit(self) -> None:
        row = self.cursor
        if row is None:
            return
        section = self._section(row.section_id)
        if row.index is None:
            await self._edit_section(section)
            return
        original = copy.deepcopy(section.items[row.index])
        heading = f"Item {row.index + 1} of {short(section.title)}"
        edited = await self.app.push_screen_wait(
            ItemEditor(original, heading, needs_url=section.kind != "notes"))
        if isinstance(edited, Item):
            self._save_item(row, original, edited)

    def _save_item(self, row: RowRef, original: Item, edited: Item) -> None:
        def edit(issue: Issue) -> RowRef:
            section = issue.section(row.section_id) or issue.sections[0]
            index = row.index or 0
            if index < len(section.items) and section.items[index] == original:
                section.items[index] = edited
                return RowRef(section.id, index)
            for other in issue.sections:
                if original in other.items:
                    n = other.items.index(original)
                    other.items[n] = edited
                    return RowRef(other.id, n)
            # Gone while the editor was open (undone, say): bring the work back.
            index = min(index, len(section.items))
            section.items.insert(index, edited)
            return RowRef(section.id, index)

        where = self._change(f"Edit “{short(edited.title)}”", edit)
        if where is not None:
            self._go(where)

    async def _edit_section(self, section: Section) -> None:
        edited = await self.app.push_screen_wait(SectionEditor(copy.deepcopy(section)))
        if not isinstance(edited, SectionEdit):
            return
        section_id = section.id

        def edit(issue: Issue) -> None:
            target = issue.section(section_id)
            if target is None:
                raise curate.CurateError(f"the section {section_id!r} is gone; edit not saved")
            target.title, target.notes = edited.title, edited.notes

        self._change(f"Edit section {short(edited.title)}", edit)

    def edit_section(self, section_id: str) -> None:
        self._go(RowRef(section_id))
        self.action_edit()

    @work(group="issue-modal", exit_on_error=False, name="edit meta")
    async def action_edit_meta(self) -> None:
        edited = await self.app.push_screen_wait(IssueMetaEditor(copy.deepcopy(self.issue)))
        if not isinstance(edited, MetaEdit):
            return

        def edit(issue: Issue) -> None:
            issue.title, issue.date, issue.intro = edited.title, edited.date, edited.intro

        self._change("Edit title, date and intro", edit)

    @work(group="issue-modal", exit_on_error=False, name="add")
    async def action_add(self) -> None:
        app = self.digest_app
        section_id = self.cursor.section_id if self.cursor else ""
        if app.project.section(section_id) is None:
            section_id = ""
        added = await app.push_screen_wait(AddItemModal(app.project.sections, section_id))
        if not isinstance(added, HandItem):
            return
        app.add_by_hand(added)
        section = self.issue.section(added.section_id)
        if section is not None:
            self._go(RowRef(section.id, len(section.items) - 1 if added.url else None))

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview

    def action_open_link(self) -> None:
        row = self._current_item("open")
        if row is not None and (url := self._item(row).url):
            self.app.open_url(url)

    # --- export --------------------------------------------------------------

    @work(group="issue-modal", exit_on_error=False, name="export")
    async def action_export(self) -> None:
        try:
            from digest.render import FORMATS, formats
        except ImportError as exc:
            self.notify(f"Export is not available: {exc}", severity="error", markup=False)
            return
        project = self.digest_app.project
        choices = [Choice(fmt, fmt, FORMATS[fmt][0] if fmt in FORMATS else "renderer plugin")
                   for fmt in formats(project)]
        fmt = await self.app.push_screen_wait(
            ChoiceModal(f"Export issue {self.issue.number} as…", choices))
        if fmt:
            self.export(fmt)

    @work(group="issue-export", exit_on_error=False, name="export")
    async def export(self, fmt: str) -> None:
        """Write the export through ``digest.render.export_issue`` in a thread."""
        from digest.render import default_export_path, export_issue

        project = self.digest_app.project
        issue = copy.deepcopy(self.issue)
        out = default_export_path(project, issue, fmt)
        try:
            result = await asyncio.to_thread(export_issue, project, issue, fmt, out)
        except Exception as exc:  # PluginError, ThemeError, ExportError, a bug: all shown
            self.notify(str(exc) or type(exc).__name__, title=f"Export ({fmt}) failed",
                        severity="error", timeout=15, markup=False)
            return
        self.notify(f"{result.path}", title=f"Exported {fmt}", timeout=8, markup=False)
