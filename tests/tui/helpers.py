"""Small Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from digest.tui.app import DigestApp
from digest.tui.screens.inbox import InboxScreen
from digest.tui.widgets.entry_list import EntryList


async def settle(pilot: Pilot[None], rounds: int = 2) -> None:
    """Let workers and entry-state writes finish and the screen catch up with them."""
    writes = pilot.app.session.writes if isinstance(pilot.app, DigestApp) else None
    for _ in range(rounds):
        if writes is not None:
            await asyncio.get_running_loop().run_in_executor(None, writes.flush, 30)
        await pilot.pause()
        for _attempt in range(50):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:  # a newer query or preview replaced it: wait again
                await pilot.pause()
    await pilot.pause()


def inbox(app: DigestApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen), screen
    return screen


def entry_list(app: DigestApp) -> EntryList:
    return inbox(app).query_one(EntryList)


def listed_ids(app: DigestApp) -> list[str]:
    """Entry ids in the inbox, in the order shown."""
    widget = entry_list(app)
    return [row.id for row in app.store.rows(list(widget.ids))]


def select(app: DigestApp, entry_id: str) -> None:
    """Put the cursor on an entry, as the arrow keys would."""
    ids = listed_ids(app)
    entry_list(app).cursor = ids.index(entry_id)


def screen_text(app: DigestApp) -> str:
    """What the terminal shows, as plain text (one string per line)."""
    return "\n".join(
        "".join(seg.text for seg in strip)
        for strip in app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    )
