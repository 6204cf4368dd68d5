"""A `digest fetch` from cron while the TUI is open: no "database is locked", and
the inbox picks the new entries up by itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from digest.config import Project
from digest.store import Store
from digest.tui.app import make_app
from tests.tui.conftest import TODAY
from tests.tui.helpers import listed_ids, settle

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import datetime as dt, sys
    sys.path.insert(0, {repo!r})
    from digest.model import Entry
    from digest.store import FetchRecord, Store
    store = Store({db!r})
    for batch in range(20):
        entries = [
            Entry(id=f"cron-{{batch}}-{{i}}", link=f"https://cron.example/{{batch}}/{{i}}",
                  title=f"Cron post {{batch}}-{{i}}",
                  published=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
            for i in range(10)
        ]
        store.record_fetch(FetchRecord("https://cron.example/feed", "ok", 200), entries)
""")


async def test_entries_written_by_another_process_appear_while_editing(
    project: Project, store: Store
) -> None:
    app = make_app(project, store, today=TODAY, autosave_delay=0.05, poll_interval=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(listed_ids(app)) == 8
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER.format(repo=str(REPO), db=str(store.path))],
            stderr=subprocess.PIPE, text=True,
        )
        # Meanwhile the editor keeps writing to the same store.
        while writer.poll() is None:
            await pilot.press("d")
            await pilot.press("u")
            await pilot.press("n")
        _, err = writer.communicate()
        assert writer.returncode == 0, err
        assert "locked" not in err
        await pilot.pause(0.3)
        await settle(pilot)
        assert len(listed_ids(app)) == 8 + 200
        assert store.count_entries() == 208


async def test_entries_stored_by_another_process_while_the_issues_are_indexed_appear(
    project: Project, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app takes the index's own write as no news for the poll; a cron fetch
    that stored entries in the same moment must still reach the inbox."""
    import datetime as dt

    from digest.model import Entry
    from digest.store import FetchRecord

    index_issues = store.index_issues

    def index_while_cron_stores(issues):  # type: ignore[no-untyped-def]
        index_issues(issues)
        cron = Store(store.path)  # another connection, as another process has
        cron.record_fetch(FetchRecord("https://cron.example/feed", "ok", 200), [
            Entry(id="cron-1", link="https://cron.example/1", title="Stored by cron",
                  published=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))])
        cron.close()

    monkeypatch.setattr(store, "index_issues", index_while_cron_stores)
    app = make_app(project, store, today=TODAY, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        assert app._indexed
        assert "cron-1" in listed_ids(app)
