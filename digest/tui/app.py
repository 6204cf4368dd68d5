"""The curator app: owns the editing session and hands it to the screens.

Screens never write files themselves: every change to the issue goes through
``DigestApp.change`` (one undoable step, autosaved shortly after), and screens
redraw when ``issue_version`` changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from digest import archive
from digest.config import Project
from digest.session import EditSession
from digest.store import Store

T = TypeVar("T")


class DigestApp(App[None]):
    TITLE = "digest"

    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    ]

    #: Bumped after every change to the issue (edits, undo, redo, reload).
    issue_version: reactive[int] = reactive(0)

    def __init__(self, project: Project, store: Store, *, today: dt.date | None = None,
                 autosave_delay: float = 0.5) -> None:
        super().__init__()
        self.project = project
        self.store = store
        self.today = today or dt.date.today()
        self.autosave_delay = autosave_delay
        self.session = EditSession(project, archive.open_draft(project, self.today), store)
        self.sub_title = project.title

    # --- the one way to change the issue -------------------------------------

    def change(self, label: str, change: Callable[[archive.Issue], T]) -> T:
        result = self.session.apply(label, change)
        self._changed()
        return result

    def _changed(self) -> None:
        self.issue_version += 1
        self.set_timer(self.autosave_delay, self.save_now)

    def save_now(self) -> None:
        """Write the draft if it changed; a failure is shown and retried, never dropped."""
        try:
            self.session.save()
        except archive.ArchiveError as exc:
            self.notify(f"Not saved (kept in memory, will retry): {exc}",
                        severity="error", timeout=8)
            self.set_timer(5, self.save_now)

    def action_undo(self) -> None:
        label = self.session.undo()
        if label is None:
            self.notify("Nothing to undo")
            return
        self._changed()
        self.notify(f"Undid: {label}", timeout=2)

    def action_redo(self) -> None:
        label = self.session.redo()
        if label is None:
            self.notify("Nothing to redo")
            return
        self._changed()
        self.notify(f"Redid: {label}", timeout=2)

    async def action_quit(self) -> None:
        self.save_now()
        self.exit()


def make_app(project: Project, store: Store, **kwargs: object) -> DigestApp:
    """The app factory shared by the CLI and the tests."""
    return DigestApp(project, store, **kwargs)  # type: ignore[arg-type]
