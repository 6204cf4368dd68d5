"""The top of the issue screen: number, date and status, then the title and intro."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from digest.model import Issue
from digest.tui.widgets.text import line

#: Characters of the intro shown here; the editor (t) has all of it.
INTRO_CHARS = 300


def header_content(issue: Issue) -> Content:
    date = f"{issue.date:%a} {issue.date.day} {issue.date:%b %Y}"
    items = issue.item_count()
    parts: list[tuple[str, str] | str] = [
        (f"Issue {issue.number}", "bold"),
        (f"  ·  {date}  ·  {issue.status}  ·  {items} item{'s' if items != 1 else ''}",
         "$foreground-muted"),
        "\n",
    ]
    title = line(issue.title)
    parts.append((title, "bold $text-primary") if title
                 else ("No title yet: t sets title, intro and date.", "italic $text-warning"))
    intro = line(issue.intro)
    if intro:
        if len(intro) > INTRO_CHARS:
            intro = intro[: INTRO_CHARS - 1].rstrip() + "…"
        parts += ["\n", (intro, "")]
    return Content.assemble(*parts)


class IssueHeader(Static):
    """What the issue is; the screen calls ``show`` whenever the issue changes."""

    DEFAULT_CSS = """
    IssueHeader {
        height: auto;
        max-height: 6;
        padding: 0 1;
        background: $panel;
        border-bottom: hkey $panel-lighten-2;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def show(self, issue: Issue) -> None:
        self.update(header_content(issue))
