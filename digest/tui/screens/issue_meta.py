"""The editor of the issue itself: title, date and intro (the editor's note)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Input, Label, TextArea

from digest.model import Issue
from digest.tui.screens.item_editor import EDITOR_CSS, EditorModal


@dataclass(frozen=True)
class MetaEdit:
    title: str
    date: dt.date
    intro: str


class IssueMetaEditor(EditorModal):
    """Dismisses with a MetaEdit (one undo step) or None."""

    DEFAULT_CSS = EDITOR_CSS.format(name="IssueMetaEditor")
    WHAT = "the issue's title, date and intro"
    AUTO_FOCUS = "#title"

    def __init__(self, issue: Issue) -> None:
        super().__init__()
        self._issue = issue

    def compose(self) -> ComposeResult:
        issue = self._issue
        with Vertical():
            yield Label(Content(f"Issue {issue.number}: title, date and introduction"),
                        classes="editor-title")
            with Grid():
                yield Label("Title")
                yield Input(issue.title, id="title", compact=True, select_on_focus=False,
                            placeholder="The headline, usually the lead news item")
                yield Label("Date")
                yield Input(issue.date.isoformat(), id="date", compact=True, select_on_focus=False,
                            placeholder="YYYY-MM-DD")
            yield Label(Content("Introduction (Markdown): the editor's note, shown first"),
                        classes="editor-label")
            yield TextArea(issue.intro, id="intro", soft_wrap=True, show_line_numbers=False,
                           tab_behavior="focus")
            yield from self.buttons()

    def fields(self) -> tuple[str, ...]:
        return (self.query_one("#title", Input).value, self.query_one("#date", Input).value,
                self.query_one("#intro", TextArea).text)

    def result(self) -> MetaEdit | str:
        title, date_text, intro = self.fields()
        try:
            date = dt.date.fromisoformat(date_text.strip())
        except ValueError:
            return f"The date must be YYYY-MM-DD, like {self._issue.date.isoformat()}."
        return MetaEdit(" ".join(title.split()), date, intro.strip())
