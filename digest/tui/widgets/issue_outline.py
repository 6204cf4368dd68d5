"""The issue as a list: each section's heading, then its items, in export order.

The widget only draws what it is given (``show``) and reports intent with small
messages: a row highlighted, a row activated (enter or double click), a row
dragged onto another. Every string from the issue is drawn as ``Content``, so
``[bold]`` or ``[@click=app.quit]`` in a title stays literal text.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from digest.model import Issue, Item, Section
from digest.tui.widgets.text import line

#: Lines of a blurb or of notes shown in the outline; the editor has all of it.
PREVIEW_LINES = 3
#: Indent of an item's blurb and source under its title ("12. ").
INDENT = 4


@dataclass(frozen=True)
class RowRef:
    """A row of the outline: a section heading (``index`` None) or one of its items."""

    section_id: str
    index: int | None = None

    @property
    def is_item(self) -> bool:
        return self.index is not None


def _block(text: Content, width: int, indent: int, first: Content | None = None,
           max_lines: int = PREVIEW_LINES) -> list[Content]:
    """``text`` wrapped to ``width`` with a hanging indent, at most ``max_lines`` lines."""
    lines = text.wrap(max(8, width - indent - 1))  # one cell spare for an ellipsis
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip() + Content("…")
    pad = Content(" " * indent)
    out = [(first if first is not None and n == 0 else pad) + part for n, part in enumerate(lines)]
    return out or [first or pad]


def _one_line(text: Content, width: int) -> Content:
    return text if text.cell_length <= width else text.truncate(max(1, width), ellipsis=True)


def section_prompt(section: Section, width: int) -> Content:
    count = len(section.items)
    what = "notes" if section.kind == "notes" else f"{count} item{'s' if count != 1 else ''}"
    if section.kind == "notes" and count:
        what += f" + {count} item{'s' if count != 1 else ''}"
    title = line(section.title) or section.id
    lines = [_one_line(Content.assemble((title.upper(), "bold $accent"), "  ",
                                        (what, "$foreground-muted")), width)]
    notes = line(section.notes)
    if notes:
        lines += _block(Content.styled(notes, "italic $foreground-muted"), width, 0, max_lines=2)
    elif section.kind == "notes":
        lines.append(Content.styled("No notes yet: enter writes them.", "italic $text-warning"))
    elif not count:
        lines.append(Content.styled("Empty: left out of the export.", "italic $foreground-muted"))
    return Content("\n").join(lines)


def item_prompt(item: Item, number: int, width: int) -> Content:
    title = line(item.title) or line(item.url) or "Untitled"
    lines = _block(Content.styled(title, "bold"), width, INDENT,
                   first=Content.styled(f"{number:>2}. ", "$foreground-muted"), max_lines=2)
    blurb = line(item.blurb)
    if blurb:
        lines += _block(Content(blurb), width, INDENT)
    else:
        lines.append(Content(" " * INDENT) + Content.styled("No blurb yet.",
                                                            "italic $text-warning"))
    where = " · ".join(x for x in (line(item.source), line(item.url)) if x)
    if where:
        lines.append(Content(" " * INDENT)
                     + _one_line(Content.styled(where, "$foreground-muted"), width - INDENT))
    return Content("\n").join(lines)


class IssueOutline(OptionList, inherit_bindings=False):
    """Sections and items of an issue; the screen decides what keys do to them."""

    DEFAULT_CSS = """
    IssueOutline {
        height: 1fr;
        max-height: 100%;
        border: none;
        padding: 0;
        background: $surface;
        & > .option-list--option { padding: 0 1; }
        &:focus { border: none; background-tint: $foreground 0%; }
        &.-dragging > .option-list--option-hover { background: $primary 40%; }
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Previous", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Next", show=False, id="list.down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor is on another row."""

        row: RowRef

    @dataclass
    class Activated(Message):
        """Enter or a double click on a row: edit it."""

        row: RowRef

    @dataclass
    class Dropped(Message):
        """A row was dragged with the mouse and let go over another row."""

        row: RowRef
        onto: RowRef

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._rows: list[RowRef] = []
        self._drag_from: int | None = None
        self._issue: Issue | None = None
        self._width = 0

    @property
    def rows(self) -> list[RowRef]:
        return list(self._rows)

    @property
    def current(self) -> RowRef | None:
        index = self.highlighted
        return self._rows[index] if index is not None and index < len(self._rows) else None

    def show(self, issue: Issue, cursor: RowRef | None) -> None:
        """Draw ``issue`` and put the cursor on ``cursor`` (or the nearest row)."""
        self._issue = issue
        # Prompts are wrapped here, with hanging indents, to the width on screen.
        width = self._width = self.scrollable_content_region.width - 2
        if width < 20:
            width = 78
        options: list[Option | None] = []
        rows: list[RowRef] = []
        for n, section in enumerate(issue.sections):
            if n:
                options.append(None)
            options.append(Option(section_prompt(section, width)))
            rows.append(RowRef(section.id))
            for i, item in enumerate(section.items):
                options.append(Option(item_prompt(item, i + 1, width)))
                rows.append(RowRef(section.id, i))
        self._rows = rows
        scroll_y = self.scroll_y
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.select(cursor)

    def select(self, cursor: RowRef | None) -> None:
        """Move the cursor to a row; a row that is gone falls back to its neighbour."""
        index = self.index_of(cursor)
        if index is None and self._rows:
            index = 0
        self.highlighted = index

    def index_of(self, cursor: RowRef | None) -> int | None:
        if cursor is None:
            return None
        if cursor in self._rows:
            return self._rows.index(cursor)
        heading = RowRef(cursor.section_id)
        if heading not in self._rows:
            return None
        start = self._rows.index(heading)
        last = start
        for n in range(start + 1, len(self._rows)):
            if self._rows[n].section_id != cursor.section_id:
                break
            last = n
        return last

    def on_resize(self) -> None:
        if self._issue is not None and self.scrollable_content_region.width - 2 != self._width:
            self.show(self._issue, self.current)

    # --- what happens here goes up as messages -------------------------------

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index < len(self._rows):
            self.post_message(self.Highlighted(self._rows[event.option_index]))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self._rows):
            self.post_message(self.Activated(self._rows[event.option_index]))

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        y = offset.y + self.scroll_offset.y
        lines = self._lines
        return lines[y][0] if 0 <= y < len(lines) else None

    async def _on_click(self, event: events.Click) -> None:
        # A click only moves the cursor; a double click edits (like enter).
        event.prevent_default()
        index = self._row_at(event)
        if index is None:
            return
        self.highlighted = index
        if event.chain >= 2:
            self.action_select()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button == 1:
            self._drag_from = self._row_at(event)
            if self._drag_from is not None:
                self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is not None:
            self.set_class(True, "-dragging")
            self._mouse_hovering_over = self._row_at(event)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        start, self._drag_from = self._drag_from, None
        self.set_class(False, "-dragging")
        self.release_mouse()
        if start is None:
            return
        end = self._row_at(event)
        if end is None or end == start:
            return
        self.post_message(self.Dropped(self._rows[start], self._rows[end]))
