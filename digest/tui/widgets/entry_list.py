"""The inbox list: a line-API widget that draws only the rows on screen.

It holds the whole order of the inbox as a list of rowids (cheap even at
100,000 entries) and pages the visible rows in from the store through
``fetch_rows``, keeping recently drawn rows and strips in caches. No widget
per row, no work proportional to the size of the store when scrolling.

The caches are FIFO, plain dicts: an LRUCache is a ring of linked lists, and
each keystroke in the filter clears them, so every clear left thousands of
rows and strips in reference cycles for the garbage collector, whose full
passes then held a keystroke up by 50-100 ms. For the same reason a row's
strip is a `RowStrip`, which Textual's compositor cannot tie into a cycle.

Feed text is cleaned again and drawn as plain segments: markup in a title is
never interpreted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import FIFOCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from digest.store import EntryRow
from digest.tui.widgets.text import line, short_date

RowFetcher = Callable[[Sequence[int]], list[EntryRow]]


class RowStrip(Strip):
    """A strip that does not keep itself in its own cache.

    The compositor divides every line at the screen's width. Textual's
    `Strip.divide` then caches ``[self]`` in the strip itself: a reference
    cycle, so every row strip dropped from the cache waited for the garbage
    collector, with its seven caches.
    """

    __slots__ = ()

    def divide(self, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        if [cut for cut in cuts if cut <= self.cell_length] == [self.cell_length]:
            return [self]
        return super().divide(cuts)


@dataclass(frozen=True, eq=False)
class RowSet:
    """The inbox's order: every matching rowid, newest first.

    ``keep_position`` says whether the cursor should stay on the same entry
    (a refresh) or go back to the top (a new query). ``same_rows`` says the
    rows already drawn are still current (the whole order that follows its
    own first screenful), so they are not read and drawn again.

    A tuple: the garbage collector stops walking a tuple of ints after one
    pass (see ``Store.entry_rowids``).
    """

    ids: tuple[int, ...] = ()
    keep_position: bool = True
    same_rows: bool = False


@dataclass(frozen=True, eq=False)
class Marks:
    """What the rows are marked with: where an entry sits in the draft, past features."""

    #: Entry id → title of the draft section holding it.
    in_draft: Mapping[str, str] = field(default_factory=dict)
    #: Link → title of the draft section holding it (items added by URL).
    in_draft_urls: Mapping[str, str] = field(default_factory=dict)
    #: Link → number of the latest published issue that featured it.
    featured: Mapping[str, int] = field(default_factory=dict)

    def section_of(self, entry_id: str, link: str) -> str:
        return self.in_draft.get(entry_id) or self.in_draft_urls.get(link, "")


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


@dataclass(frozen=True)
class Columns:
    """Cell widths of a row; the title takes what the others leave."""

    flag: int = 2
    date: int = 7
    mark: int = 6
    author: int = 0
    feed: int = 0
    title: int = 0

    @classmethod
    def for_width(cls, width: int) -> Columns:
        mark = 11 if width >= 100 else 6
        author = 16 if width >= 100 else 12 if width >= 64 else 0
        feed = 18 if width >= 100 else 12 if width >= 56 else 0
        fixed = 2 + 7 + mark + (author + 1 if author else 0) + (feed + 1 if feed else 0)
        return cls(mark=mark, author=author, feed=feed, title=max(8, width - fixed))


class EntryList(ScrollView, can_focus=True):
    """Every entry of the inbox, one line each; only the visible lines are drawn."""

    DEFAULT_CSS = """
    EntryList {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    EntryList > .entry-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    EntryList:focus > .entry-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    EntryList > .entry-list--new { color: $accent; text-style: bold; }
    EntryList > .entry-list--date { color: $text-muted; }
    EntryList > .entry-list--picked { color: $success; text-style: bold; }
    EntryList > .entry-list--featured { color: $warning; }
    EntryList > .entry-list--meta { color: $text-muted; }
    EntryList > .entry-list--dismissed { color: $text-disabled; text-style: strike; }
    EntryList > .entry-list--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {
        "entry-list--cursor",
        "entry-list--new",
        "entry-list--date",
        "entry-list--picked",
        "entry-list--featured",
        "entry-list--meta",
        "entry-list--dismissed",
        "entry-list--empty",
    }

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("home", "jump(0)", "First entry", show=False, id="list.first"),
        Binding("end", "jump(-1)", "Last entry", show=False, id="list.last"),
    ]

    rows: reactive[RowSet] = reactive(RowSet, always_update=True)
    marks: reactive[Marks] = reactive(Marks, always_update=True)
    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class Highlighted(Message):
        """The cursor is on another entry (or on none: the list is empty)."""

        entry_list: EntryList
        row: EntryRow | None

    def __init__(self, fetch_rows: RowFetcher, *, empty_text: str = "No entries",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._fetch_rows = fetch_rows
        self._row_cache: FIFOCache[int, EntryRow] = FIFOCache(4096)
        self._strip_cache: FIFOCache[tuple[int, int, bool], Strip] = FIFOCache(512)
        self._styles: dict[str, Style] = {}
        # The list's own style and each (component, cursor) blend of it, kept for as long
        # as the style holds: Textual works ``rich_style`` out from every ancestor's
        # background on each call, which was a third of the time of drawing a page.
        self._base = Style()
        self._blends: dict[tuple[str, bool], Style] = {}
        self.empty_text = empty_text

    # --- data in -------------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        return self.rows.ids

    def watch_rows(self, old: RowSet, new: RowSet) -> None:
        current = old.ids[self.cursor] if 0 <= self.cursor < len(old.ids) else None
        if not new.same_rows:
            self._row_cache.clear()
            self._strip_cache.clear()
        self._update_virtual_size()
        index = min(self.cursor, max(0, len(new.ids) - 1))
        if not new.keep_position:
            index = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        elif current is not None:
            with contextlib.suppress(ValueError):
                index = new.ids.index(current)
            self._keep_row_on_screen(index - self.cursor)
        self.set_reactive(EntryList.cursor, index)
        self._scroll_cursor_into_view()
        self.refresh()
        if not (new.same_rows and current is not None and index < len(new.ids)
                and new.ids[index] == current):
            self._post_highlight()  # (the same row is not previewed again)

    def watch_marks(self) -> None:
        self._strip_cache.clear()
        self.refresh()

    # --- cursor --------------------------------------------------------------

    @property
    def current(self) -> EntryRow | None:
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> EntryRow | None:
        ids = self.ids
        if not 0 <= index < len(ids):
            return None
        rowid = ids[index]
        row = self._row_cache.get(rowid)
        if row is None:
            self._prefetch(index, 1)
            row = self._row_cache.get(rowid)
        return row

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self._post_highlight()

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.ids) - 1))

    def _keep_row_on_screen(self, moved: int) -> None:
        """Posts stored above the cursor (a fetch, every few seconds) move the entry
        being read down the order: scroll as far, so it stays on its line. At the
        top of the list the view stays there, to show them, while the entry fits."""
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if moved and (top > 0 or self.cursor + moved >= height):
            self.scroll_to(y=max(0, top + moved), animate=False, immediate=True)

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _post_highlight(self) -> None:
        self.post_message(self.Highlighted(self, self.current))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)
        self.cursor += direction * height

    def action_jump(self, index: int) -> None:
        self.cursor = index if index >= 0 else len(self.ids) - 1

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.cursor = round(self.scroll_y) + offset.y

    # --- drawing -------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self.ids))

    def on_resize(self) -> None:
        self._strip_cache.clear()
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._blends.clear()
        self._strip_cache.clear()

    def _prefetch(self, start: int, count: int) -> None:
        ids = self.ids
        start = max(0, start)
        missing = [r for r in ids[start:start + count] if r not in self._row_cache]
        if missing:
            for row in self._fetch_rows(missing):
                self._row_cache.set(row.rowid, row)

    def render_lines(self, crop: Region) -> list[Strip]:
        # One query for every visible row (plus a page either side) instead of one per line.
        height = max(crop.height, self.scrollable_content_region.height)
        self._prefetch(round(self.scroll_y) + crop.y - height, height * 3)
        base = self.rich_style
        if base != self._base:
            self._base = base
            self._blends.clear()
            self._strip_cache.clear()
        return super().render_lines(crop)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style

    def _blend(self, name: str, is_cursor: bool) -> Style:
        style = self._blends.get((name, is_cursor))
        if style is None:
            style = self._base + (self._style(name) if name else Style())
            if is_cursor:
                style += self._style("entry-list--cursor")
            self._blends[name, is_cursor] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        base = self._base
        if not self.ids:
            if y == 1:
                text = fit(f"  {self.empty_text}", width)
                return Strip([Segment(text, self._blend("entry-list--empty", False))], width)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        key = (row.rowid, width, index == self.cursor)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, index == self.cursor)
            self._strip_cache.set(key, strip)
        return strip

    def _render_row(self, row: EntryRow, width: int, is_cursor: bool) -> Strip:
        cols = Columns.for_width(width)

        def style(name: str) -> Style:
            return self._blend(name, is_cursor)

        marks = self.marks
        section = marks.section_of(row.id, row.link)
        featured = marks.featured.get(row.link)
        dismissed = row.state == "dismissed"
        flag = "● " if row.state == "new" else "✗ " if dismissed else "  "
        segments = [
            Segment(flag, style("entry-list--new" if row.state == "new" else "entry-list--meta")),
            Segment(fit(short_date(row.published), cols.date), style("entry-list--date")),
            self._mark(section, featured, cols.mark, style),
            Segment(fit(line(row.title) or line(row.link), cols.title),
                    style("entry-list--dismissed" if dismissed else "")),
        ]
        if cols.author:
            segments.append(Segment(" " + fit(line(row.author), cols.author),
                                    style("entry-list--meta")))
        if cols.feed:
            segments.append(Segment(" " + fit(line(row.feed_title), cols.feed),
                                    style("entry-list--meta")))
        return RowStrip(Segment.adjust_line_length(segments, width, style("")), width)

    @staticmethod
    def _mark(section: str, featured: int | None, width: int,
              style: Callable[[str], Style]) -> Segment:
        """In the draft (▸ section) wins over featured before (★ issue): one column."""
        if section:
            return Segment(fit(f"▸{section}", width - 1) + " ", style("entry-list--picked"))
        if featured:
            return Segment(fit(f"★{featured}", width - 1) + " ", style("entry-list--featured"))
        return Segment(" " * width, style(""))
