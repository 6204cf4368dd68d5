"""Small modals of the issue screen: pick one of a few choices, and "save changes?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from digest.tui.widgets.text import line

_MODAL_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 64; max-width: 90%; height: auto; max-height: 90%;
    border: thick $primary; background: $panel; padding: 1 2;
}}
{name} .modal-title {{ text-style: bold; margin-bottom: 1; }}
{name} .modal-buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} .modal-buttons Button {{ margin-left: 2; }}
"""


@dataclass(frozen=True)
class Choice:
    """One line of a picker: ``label`` may be the editor's text, ``help`` is ours."""

    value: str
    label: str
    help: str = ""


class ChoiceModal(ModalScreen[str | None]):
    """Pick one of a few choices with the arrows and enter (or a click); escape cancels."""

    AUTO_FOCUS = "OptionList"
    DEFAULT_CSS = _MODAL_CSS.format(name="ChoiceModal") + """
    ChoiceModal OptionList { height: auto; max-height: 20; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel",
                        tooltip="Close without choosing")]

    def __init__(self, title: str, choices: Sequence[Choice], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._choices = list(choices)

    def compose(self) -> ComposeResult:
        options = []
        for choice in self._choices:
            prompt = Content(line(choice.label))
            if choice.help:
                prompt = Content.assemble(prompt, ("  " + choice.help, "$foreground-muted"))
            options.append(Option(prompt, id=choice.value))
        with Vertical():
            yield Label(Content(self._title), classes="modal-title")
            yield OptionList(*options, markup=False)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SaveChangesModal(ModalScreen[str]):
    """Closing an editor with unsaved text: "save", "discard" or "cancel" (keep editing)."""

    DEFAULT_CSS = _MODAL_CSS.format(name="SaveChangesModal")
    AUTO_FOCUS = "#save"

    BINDINGS = [
        Binding("s,ctrl+s", "answer('save')", "Save", id="unsaved.save",
                tooltip="Save the changes and close the editor"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard",
                tooltip="Close the editor and drop the changes"),
        Binding("escape", "answer('cancel')", "Keep editing", id="unsaved.cancel",
                tooltip="Go back to the editor"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Unsaved changes"), classes="modal-title")
            yield Label(Content(f"Save your changes to {self._what}?"))
            yield Label(Content.styled("s save · d discard · esc keep editing",
                                       "$foreground-muted"))
            with Horizontal(classes="modal-buttons"):
                yield Button("Keep editing", id="cancel")
                yield Button("Discard", id="discard", variant="error")
                yield Button("Save", id="save", variant="primary")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
