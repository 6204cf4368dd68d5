"""The line above the inbox list: how many entries match and which filters are on."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from digest.store import EntryFilter
from digest.tui.widgets.text import line

LEGEND = Content.assemble(("●", "$accent"), " new  ", ("▸", "$success"), " in draft  ",
                          ("★", "$warning"), " featured  ", ("?", "bold"), " keys")


class InboxStatus(Widget):
    DEFAULT_CSS = """
    InboxStatus { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    shown: reactive[int] = reactive(0)
    #: ``shown`` is the first screenful; the whole count is still being read.
    partial: reactive[bool] = reactive(False)
    total: reactive[int] = reactive(0)
    busy: reactive[bool] = reactive(False)
    filter: reactive[EntryFilter] = reactive(EntryFilter)
    feed_label: reactive[str] = reactive("")
    range_label: reactive[str] = reactive("")

    def render(self) -> Content:
        flt = self.filter
        parts: list[Content | str | tuple[str, str]] = []
        if self.busy:
            parts.append(("filtering… ", "italic"))
        count = f"{self.shown:,}" + ("+" if self.partial else "")
        if self.partial or self.shown != self.total:
            count += f" of {self.total:,}"
        parts.append((f"{count} entries", "bold"))
        chips: list[str] = []
        if flt.text.strip():
            chips.append(f"matching “{line(flt.text)}”")
        if flt.only_new:
            chips.append("new only")
        if not flt.hide_dismissed:
            chips.append("with dismissed")
        if flt.feed_url:
            chips.append(f"feed: {line(self.feed_label or flt.feed_url)}")
        if self.range_label:
            chips.append(self.range_label)
        for chip in chips:
            parts += [" · ", (chip, "$accent")]
        left = Content.assemble(*parts)
        width = self.content_region.width or 80
        gap = width - left.cell_length - LEGEND.cell_length
        if gap >= 2:
            return Content.assemble(left, " " * gap, LEGEND)
        return left
