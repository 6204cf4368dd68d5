"""An editing session on one issue: undo, redo and saving, without any UI.

The TUI drives it, and so does the crash test: every change goes through
``apply`` (which records the state before and after), and ``save`` writes the
issue atomically. A failed save (full disk, read-only folder) keeps the change
in memory and marked unsaved, so nothing is lost and the next save retries.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from digest import archive
from digest.config import Project
from digest.model import EntryState, Issue
from digest.state_writes import StateWrites
from digest.store import Store

T = TypeVar("T")

HISTORY = 200


@dataclass
class Step:
    label: str
    before: Issue
    after: Issue
    #: Entry states changed by the step: id → (before, after).
    states: dict[str, tuple[EntryState, EntryState]] = field(default_factory=dict)


class EditSession:
    def __init__(self, project: Project, issue: Issue, store: Store | None = None) -> None:
        self.project = project
        self.issue = issue
        self.store = store
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self.dirty = False
        self.save_error = ""
        #: Bumped on every change, so a caller can tell whether a save is stale.
        self.version = 0
        #: Where entry states go when the caller must not wait for the store (a
        #: UI); without it they are written before ``set_states`` returns.
        self.writes: StateWrites | None = None

    @property
    def path(self) -> Path:
        return archive.issue_path(self.project, self.issue.number)

    def apply(self, label: str, change: Callable[[Issue], T]) -> T:
        """Run ``change`` on the issue as one undoable step.

        A change that leaves the issue as it was (moving the first item up,
        saving an editor without edits) records no step, so undo never has to
        take back nothing.
        """
        before = copy.deepcopy(self.issue)
        try:
            result = change(self.issue)
        except Exception:
            self.issue = before
            raise
        if self.issue == before:
            return result
        self._push(Step(label, before, copy.deepcopy(self.issue)))
        return result

    def set_states(self, label: str, entry_ids: Iterable[str], state: EntryState) -> None:
        """Change entry states (dismiss, restore) as one undoable step."""
        if self.store is None:
            return
        changes: dict[str, tuple[EntryState, EntryState]] = {}
        for entry_id in entry_ids:
            entry = self.store.entry(entry_id)
            if entry is None:
                continue
            now = self.writes.state(entry_id, entry.state) if self.writes else entry.state
            if now != state:
                changes[entry_id] = (now, state)
        if not changes:
            return
        self._write_states(changes, state)
        snapshot = copy.deepcopy(self.issue)
        self._undo.append(Step(label, snapshot, snapshot, changes))
        del self._undo[:-HISTORY]
        self._redo.clear()

    def _push(self, step: Step) -> None:
        self._undo.append(step)
        del self._undo[:-HISTORY]
        self._redo.clear()
        self._changed()

    def _changed(self) -> None:
        self.dirty = True
        self.version += 1

    def _restore_states(self, step: Step, *, forward: bool) -> None:
        if self.store is None or not step.states:
            return
        by_state: dict[EntryState, list[str]] = {}
        for entry_id, (old, new) in step.states.items():
            by_state.setdefault(new if forward else old, []).append(entry_id)
        for state, ids in by_state.items():
            self._write_states(ids, state)

    def _write_states(self, entry_ids: Iterable[str], state: EntryState) -> None:
        if self.writes is not None:
            self.writes.put(entry_ids, state)
        elif self.store is not None:
            self.store.set_state(entry_ids, state)

    def undo(self) -> str | None:
        """Take back the last step; returns its label, or None when there is none."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self._redo.append(step)
        self._restore_states(step, forward=False)
        if step.before is not step.after:
            self.issue = copy.deepcopy(step.before)
            self._changed()
        return step.label

    def redo(self) -> str | None:
        if not self._redo:
            return None
        step = self._redo.pop()
        self._undo.append(step)
        self._restore_states(step, forward=True)
        if step.before is not step.after:
            self.issue = copy.deepcopy(step.after)
            self._changed()
        return step.label

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def save(self) -> Path | None:
        """Write the issue if it changed; on failure keep it dirty and remember why."""
        if not self.dirty:
            return None
        version = self.version
        try:
            path = archive.save_issue(self.project, self.issue)
        except archive.ArchiveError as exc:
            self.save_error = str(exc)
            raise
        self.save_error = ""
        if self.version == version:
            self.dirty = False
        return path
