"""Editors of the issue screen: one item, and a section's title and notes.

An editor works on a copy and hands back the whole result when it is saved
(ctrl+s or the Save button), so the issue screen applies it as ONE undoable
step, however much was typed. Escape closes at once when nothing changed,
and otherwise asks: save, discard, or keep editing. Nothing typed is lost
without the editor saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from digest.feeds.urls import bare_domain
from digest.model import Item, Section
from digest.tui.widgets.issue_pickers import SaveChangesModal
from digest.tui.widgets.text import line

EDITOR_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 100; max-width: 96%; height: 90%;
    border: thick $primary; background: $panel; padding: 0 1;
}}
{name} .editor-title {{ text-style: bold; height: 1; margin-bottom: 1; }}
{name} Grid {{
    grid-size: 2; grid-columns: 9 1fr; grid-rows: 1; grid-gutter: 1 1; height: auto;
    margin-bottom: 1;
}}
{name} Grid Label {{ color: $text-muted; }}
{name} .editor-label {{ color: $text-muted; height: 1; }}
{name} TextArea {{ height: 1fr; min-height: 3; }}
{name} .editor-error {{ color: $error; height: auto; }}
{name} .editor-buttons {{ height: 1; margin-top: 1; }}
{name} .editor-buttons .editor-hint {{ width: 1fr; color: $text-muted; }}
{name} .editor-buttons Button {{ margin-left: 2; }}
"""

_WEB = ("http://", "https://")


def word_count(text: str) -> int:
    return len(text.split())


class EditorModal(ModalScreen[Any]):
    """Shared behaviour: ctrl+s saves, escape closes (asking first if anything changed).

    Subclasses build their fields and implement ``fields`` (the raw values, to
    tell whether anything changed) and ``result`` (what to hand back, or an
    error message to show instead of closing).
    """

    #: Words for "Save your changes to …?".
    WHAT = "this"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save",
                tooltip="Save and close the editor (one undo step)"),
        Binding("escape", "close", "Close", id="editor.close",
                tooltip="Close the editor; asks first if something changed"),
        # The app's undo would change the issue behind the editor; a text area
        # undoes its own typing (its binding comes first), a line field does not.
        Binding("ctrl+z,ctrl+y", "no_undo", "Undo", show=False, id="editor.undo",
                tooltip="Undo works on the issue once the editor is closed"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._initial: tuple[str, ...] = ()

    def fields(self) -> tuple[str, ...]:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError

    def buttons(self) -> ComposeResult:
        yield Static("", classes="editor-error", markup=False)
        with Horizontal(classes="editor-buttons"):
            yield Label(Content("ctrl+s save · esc close"), classes="editor-hint")
            # Not focusable: focus stays in a text field, so a stray letter is
            # typed, never taken as one of the app's keys (u, q…).
            for button in (Button("Cancel", id="cancel", compact=True),
                           Button("Save", id="save", variant="primary", compact=True)):
                button.can_focus = False
                yield button

    def on_mount(self) -> None:
        self._initial = self.fields()

    def action_no_undo(self) -> None:
        self.notify("Undo works on the issue once the editor is closed", timeout=3)

    @property
    def changed(self) -> bool:
        return self.fields() != self._initial

    def show_error(self, message: str) -> None:
        self.query_one(".editor-error", Static).update(Content(message))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        outcome = self.result()
        if isinstance(outcome, str):
            self.show_error(outcome)
            return
        self.dismiss(outcome)

    @on(Button.Pressed, "#cancel")
    @work(exclusive=True, group="editor-close", exit_on_error=False, name="close editor")
    async def action_close(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        answer = await self.app.push_screen_wait(SaveChangesModal(self.WHAT))
        if answer == "save":
            self.action_save()
        elif answer == "discard":
            self.dismiss(None)


class ItemEditor(EditorModal):
    """Title, link, source and the blurb (Markdown) of one item; dismisses with an Item."""

    DEFAULT_CSS = EDITOR_CSS.format(name="ItemEditor")
    WHAT = "this item"
    #: The blurb is what the editor came to write; the title is a Tab back.
    AUTO_FOCUS = "#blurb"

    def __init__(self, item: Item, heading: str, *, needs_url: bool = True) -> None:
        super().__init__()
        self._item = item
        self._heading = heading
        self._needs_url = needs_url

    def compose(self) -> ComposeResult:
        item = self._item
        with Vertical():
            yield Label(Content(line(self._heading)), classes="editor-title")
            with Grid():
                yield Label("Title")
                yield Input(item.title, id="title", compact=True, select_on_focus=False,
                            placeholder="The linked title")
                yield Label("Link")
                yield Input(item.url, id="url", compact=True, select_on_focus=False,
                            placeholder="https://…")
                yield Label("Source")
                yield Input(item.source, id="source", compact=True, select_on_focus=False,
                            placeholder="Domain shown under the blurb (from the link if empty)")
            yield Label(self._blurb_label(item.blurb), id="blurb-label", classes="editor-label")
            yield TextArea(item.blurb, id="blurb", soft_wrap=True, show_line_numbers=False,
                           tab_behavior="focus")
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        blurb = self.query_one("#blurb", TextArea)
        blurb.move_cursor(blurb.document.end)

    @staticmethod
    def _blurb_label(text: str) -> Content:
        words = word_count(text)
        return Content.assemble("Blurb (Markdown)  ", (f"{words} words", "$foreground-muted"),
                                (" · 20–30 read best" if words > 40 else "", "$text-warning"))

    @on(TextArea.Changed, "#blurb")
    def _blurb_changed(self, event: TextArea.Changed) -> None:
        self.query_one("#blurb-label", Label).update(self._blurb_label(event.text_area.text))

    def fields(self) -> tuple[str, ...]:
        return (self.query_one("#title", Input).value, self.query_one("#url", Input).value,
                self.query_one("#source", Input).value, self.query_one("#blurb", TextArea).text)

    def result(self) -> Item | str:
        title, url, source, blurb = self.fields()
        title, url, source = " ".join(title.split()), url.strip(), " ".join(source.split())
        if not title and not url:
            return "A title is needed."
        if url and not url.lower().startswith(_WEB):
            return "The link must start with http:// or https://."
        if not url and self._needs_url:
            return "A link is needed (only notes sections take items without one)."
        old = self._item
        if url != old.url and source in ("", bare_domain(old.url)):
            # The source followed the old link: let it follow the new one.
            source = bare_domain(url) if url else ""
        return Item(title=title or url, url=url, blurb=blurb.strip(), source=source,
                    entry_id=old.entry_id)


@dataclass(frozen=True)
class SectionEdit:
    title: str
    notes: str


class SectionEditor(EditorModal):
    """A section's title and its notes (the whole body of a notes section)."""

    DEFAULT_CSS = EDITOR_CSS.format(name="SectionEditor")
    WHAT = "this section"
    AUTO_FOCUS = "#notes"

    def __init__(self, section: Section) -> None:
        super().__init__()
        self._section = section

    def compose(self) -> ComposeResult:
        section = self._section
        kind = "notes section" if section.kind == "notes" else "section"
        with Vertical():
            yield Label(Content(f"Edit {kind}: {line(section.title) or section.id}"),
                        classes="editor-title")
            with Grid():
                yield Label("Title")
                yield Input(section.title, id="title", compact=True, select_on_focus=False)
            label = ("Notes (Markdown): the body of this section" if section.kind == "notes"
                     else "Notes (Markdown): shown before the items; usually empty")
            yield Label(Content(label), classes="editor-label")
            yield TextArea(section.notes, id="notes", soft_wrap=True, show_line_numbers=False,
                           tab_behavior="focus")
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        notes = self.query_one("#notes", TextArea)
        notes.move_cursor(notes.document.end)

    def fields(self) -> tuple[str, ...]:
        return (self.query_one("#title", Input).value, self.query_one("#notes", TextArea).text)

    def result(self) -> SectionEdit | str:
        title, notes = self.fields()
        title = " ".join(title.split())
        if not title:
            return "A section needs a title."
        return SectionEdit(title, notes.strip())
