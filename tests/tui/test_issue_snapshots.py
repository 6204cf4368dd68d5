"""Snapshots of the issue screen at 120×40 and 80×24, with markup-like text in the draft.

Deterministic: fixed dates, UTC, no clock in the header, no blinking cursors,
the preview given time to render. Update with ``--snapshot-update`` and LOOK
at the SVGs in ``__snapshots__/test_issue_snapshots/`` before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from digest.store import Store
from digest.tui.screens.item_editor import ItemEditor
from digest.tui.widgets.issue_outline import RowRef
from tests.tui.test_issue_screen import build_app, go, modal, open_issue, write_project

Snap = Callable[..., bool]


def _app(tmp_path: Path) -> Any:
    project = write_project(tmp_path / "news")
    return build_app(project, Store(tmp_path / "cache.db"))


async def _on_hostile_item(pilot: Pilot[None]) -> None:
    screen = await open_issue(pilot)
    await go(pilot, screen, RowRef("news", 1))
    await pilot.pause(0.4)  # the preview renders after a short quiet period


def test_issue_screen_wide(snap_compare: Snap, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(120, 40), run_before=_on_hostile_item)


def test_issue_screen_narrow(snap_compare: Snap, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=_on_hostile_item)


def test_issue_preview_narrow(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _on_hostile_item(pilot)
        await pilot.press("v")
        await pilot.pause(0.4)

    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_item_editor_narrow(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _on_hostile_item(pilot)
        await pilot.press("enter")
        editor = await modal(pilot, ItemEditor)
        for widget in editor.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)
