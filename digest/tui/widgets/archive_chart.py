"""The archive at a glance: which sources the newsletter leans on, how full issues run.

A ranking of a dozen domains reads faster as bars than as a column of
numbers, and the rhythm of issue sizes over a year is a line, not a table.
Bars are drawn with eighth-block characters, so a small terminal still shows
differences of one item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, Sparkline

from digest.model import Issue
from digest.render.markdown import item_source
from digest.textclean import clean_line

_EIGHTHS = " ▏▎▍▌▋▊▉"


def top_sources(issues: Iterable[Issue], limit: int = 8) -> tuple[tuple[str, int], ...]:
    """Domains most often featured in published issues, most first (ties by name)."""
    counts: Counter[str] = Counter()
    for issue in issues:
        if issue.status != "published":
            continue
        for section in issue.sections:
            for item in section.items:
                source = item_source(item)
                if source:
                    counts[source] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ranked[:limit])


def items_per_issue(issues: Sequence[Issue], last: int = 52) -> tuple[int, ...]:
    """Item counts of the last ``last`` issues, oldest first (the sparkline's order)."""
    ordered = sorted(issues, key=lambda i: i.number)[-last:]
    return tuple(i.item_count() for i in ordered)


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, to the nearest eighth of a cell."""
    if maximum <= 0 or width <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


class SourceBars(Widget):
    """Most featured sources as a bar chart: label, bar, count."""

    DEFAULT_CSS = """
    SourceBars { height: auto; width: 1fr; padding: 0 1; }
    """

    counts: reactive[tuple[tuple[str, int], ...]] = reactive((), layout=True)

    def render(self) -> Content:
        if not self.counts:
            return Content.styled("No published issues yet", "italic $text-muted")
        label_w = min(24, max(cell_len(clean_line(name)) for name, _ in self.counts))
        count_w = len(str(self.counts[0][1]))
        bar_w = max(4, self.size.width - label_w - count_w - 2)
        top = self.counts[0][1]
        lines = []
        for name, count in self.counts:
            label = clean_line(name)
            if cell_len(label) > label_w:
                label = set_cell_size(label, label_w - 1) + "…"
            lines.append(Content.assemble(
                (set_cell_size(label, label_w), "$text"), " ",
                (set_cell_size(bar(count, top, bar_w), bar_w), "$accent"), " ",
                (str(count).rjust(count_w), "$text-muted"),
            ))
        return Content("\n").join(lines)


class ArchiveCharts(Horizontal):
    """The sparkline of issue sizes beside the bars of most featured sources."""

    DEFAULT_CSS = """
    ArchiveCharts { height: auto; max-height: 12; padding: 0 1; }
    ArchiveCharts > Vertical { width: 1fr; height: auto; }
    ArchiveCharts Label { color: $text-muted; text-style: bold; padding: 0 1; }
    ArchiveCharts Sparkline { height: 6; margin: 0 1; }
    ArchiveCharts .-empty { display: none; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="sizes"):
            yield Label("Items per issue", id="sizes-label", markup=False)
            yield Sparkline([], id="sizes-line")
        with Vertical(id="sources"):
            yield Label("Most featured sources", markup=False)
            yield SourceBars()

    def show(self, issues: Sequence[Issue]) -> None:
        sizes = items_per_issue(issues)
        self.query_one("#sizes-label", Label).update(
            Content(f"Items per issue, last {len(sizes)} · most {max(sizes, default=0)}"))
        self.query_one(Sparkline).data = list(sizes)
        self.query_one(SourceBars).counts = top_sources(issues)
