"""The preview pane: the selected entry's title, author, source, date, link and text.

The body is the post's readable text (``html_to_text`` of the content): hostile
HTML never reaches a renderer, and nothing here is parsed as markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from digest.model import Entry
from digest.tui.widgets.entry_list import Marks
from digest.tui.widgets.text import body_text, line, long_date


class EntryPreview(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    EntryPreview {
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    EntryPreview #preview-title { text-style: bold; color: $text; margin-bottom: 1; }
    EntryPreview #preview-meta { color: $text-muted; }
    EntryPreview #preview-marks { color: $success; }
    EntryPreview #preview-body { margin-top: 1; }
    EntryPreview.-empty #preview-title { color: $text-muted; text-style: italic; }
    """

    entry: reactive[Entry | None] = reactive(None, always_update=True)
    marks: reactive[Marks] = reactive(Marks, always_update=True)

    def compose(self) -> ComposeResult:
        yield Static(id="preview-title", markup=False)
        yield Static(id="preview-meta", markup=False)
        yield Static(id="preview-marks", markup=False)
        yield Static(id="preview-body", markup=False)

    def watch_entry(self) -> None:
        self._show()
        self.scroll_home(animate=False)

    def watch_marks(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        entry = self.entry
        title = self.query_one("#preview-title", Static)
        meta = self.query_one("#preview-meta", Static)
        marks = self.query_one("#preview-marks", Static)
        body = self.query_one("#preview-body", Static)
        self.set_class(entry is None, "-empty")
        if entry is None:
            title.update(Content("Nothing selected"))
            for widget in (meta, marks, body):
                widget.update(Content(""))
            return
        title.update(Content(line(entry.title) or line(entry.link)))
        lines: list[Content] = []
        who = line(entry.author)
        if who:
            lines.append(Content.assemble("by ", (who, "bold")))
        source = line(entry.source_title)
        if source and source not in (who, line(entry.feed_title)):
            lines.append(Content.assemble("from ", (source, "bold")))
        if entry.feed_title:
            lines.append(Content.assemble("via ", line(entry.feed_title)))
        lines.append(Content(long_date(entry.published or entry.updated)))
        if entry.link:
            lines.append(Content(line(entry.link)).stylize("underline"))
        meta.update(Content("\n").join(lines))
        notes: list[str] = []
        section = self.marks.section_of(entry.id, entry.link)
        if section:
            notes.append(f"▸ In this draft: {line(section)}")
        featured = self.marks.featured.get(entry.link)
        if featured:
            notes.append(f"★ Featured in issue {featured}")
        if entry.state == "dismissed":
            notes.append("✗ Dismissed")
        marks.update(Content("\n".join(notes)))
        marks.display = bool(notes)
        body.update(Content(body_text(entry.text, entry.content_html or entry.summary_html)
                            or "(no text)"))
