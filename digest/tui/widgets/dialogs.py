"""Small modal dialogs of the inbox: a yes/no question and "add an item by hand"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from digest.model import SectionDef

_DIALOG_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 64; max-width: 90%; height: auto;
    border: thick $primary; background: $panel; padding: 1 2;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .dialog-buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} .dialog-buttons Button {{ margin-left: 2; }}
{name} .dialog-error {{ color: $error; height: auto; }}
"""


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmModal")
    AUTO_FOCUS = "#yes"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: Content) -> None:
        super().__init__()
        self._title = title
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self._title), classes="dialog-title")
            yield Static(self._question, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", id="no")
                yield Button("Yes", id="yes", variant="primary")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


@dataclass(frozen=True)
class HandItem:
    """What the editor typed in "Add by hand"."""

    section_id: str
    title: str
    url: str


class AddItemModal(ModalScreen[HandItem | None]):
    """Add a link that is not in any feed, or a note for a notes section."""

    AUTO_FOCUS = "#title"
    DEFAULT_CSS = _DIALOG_CSS.format(name="AddItemModal") + """
    AddItemModal Input, AddItemModal Select { margin-bottom: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add.cancel")]

    def __init__(self, sections: Sequence[SectionDef], section_id: str = "") -> None:
        super().__init__()
        self._sections = list(sections)
        self._section_id = section_id or (self._sections[0].id if self._sections else "")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add an item by hand", classes="dialog-title")
            yield Select([(s.title, s.id) for s in self._sections], value=self._section_id,
                         allow_blank=False, id="section")
            yield Input(placeholder="Title (or the text of a note)", id="title")
            yield Input(placeholder="https://… (optional for a notes section)", id="url")
            yield Static("", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add", id="add", variant="primary")

    def _kind(self, section_id: str) -> str:
        return next((s.kind for s in self._sections if s.id == section_id), "links")

    def _result(self) -> HandItem | str:
        section = self.query_one("#section", Select).value
        title = " ".join(self.query_one("#title", Input).value.split())
        url = self.query_one("#url", Input).value.strip()
        if not isinstance(section, str):
            return "Choose a section."
        if not title:
            return "A title (or the note's text) is needed."
        if url and not url.startswith(("http://", "https://")):
            return "The link must start with http:// or https://."
        if not url and self._kind(section) != "notes":
            return "A link is needed (only notes sections take text alone)."
        return HandItem(section, title, url)

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        result = self._result()
        if isinstance(result, str):
            self.query_one(".dialog-error", Static).update(Content(result))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
