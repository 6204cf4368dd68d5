"""Small Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from digest.model import Entry
from digest.store import EntryFilter, FetchRecord, Store
from digest.tui.app import DigestApp
from digest.tui.screens.inbox import InboxScreen
from digest.tui.widgets.entry_list import EntryList
from tests.tui.conftest import BLOG, ENTRIES_BLOG


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


def store_digest_notes(store: Store) -> None:
    """260 posts that match "digest", an hour apart: more than the first page."""
    template = ENTRIES_BLOG[0]
    many = [dataclasses.replace(template, id=f"m{n:03d}", link=f"https://m.example/{n}",
                                title=f"Digest note {n}",
                                published=template.published - dt.timedelta(hours=n))
            for n in range(260)]
    store.record_fetch(FetchRecord(BLOG, "ok", 200), many)


async def stored_elsewhere(pilot: Pilot[None], db: Path, entries: Sequence[Entry]) -> None:
    """Store ``entries`` through another connection, as a fetch process does, and
    wait for the app's poll to read the inbox again."""
    app = pilot.app
    assert isinstance(app, DigestApp)
    total = len(entry_list(app).ids) + len(entries)
    other = Store(db)
    other.record_fetch(FetchRecord(entries[0].feed_url, "ok", 200), list(entries))
    other.close()
    for _ in range(100):
        await pilot.pause(0.02)
        if len(entry_list(app).ids) == total:
            break
    await settle(pilot)
    assert len(entry_list(app).ids) == total


def before_whole_order(monkeypatch: pytest.MonkeyPatch, store: Store, text: str,
                       hook: Callable[[], object]) -> Callable[..., tuple[int, ...] | None]:
    """Call ``hook``, on the query's thread, before each read of the whole order
    filtered by ``text``; returns the store's own reader."""
    read_whole = store.entry_rowids

    def hooked(flt: EntryFilter, stop: Callable[[], bool] | None = None,
               matches: str | None = None) -> tuple[int, ...] | None:
        if flt.text == text:
            hook()
        return read_whole(flt, stop, matches)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "entry_rowids", hooked)
    return read_whole
