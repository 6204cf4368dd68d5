"""A ``digest fetch`` loop and an editing session on one project at once.

The fetch loop is the real command, run again and again in a subprocess (as
cron would), against feeds that keep changing: HTTP feeds whose bodies the
test swaps and local feed files it rewrites. Meanwhile this process edits
the draft the way the TUI does: reads the inbox, picks entries, dismisses
others (an entry state in the shared SQLite cache), searches, saves after
every step. Nothing may fail with a lock error, every pick must be in the
issue file at the end, and every dismissal must still be in the cache.

Runs ~10 s; ``DIGEST_CONCURRENCY_SECONDS=N`` runs longer.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from digest import archive, curate
from digest.config import load_project
from digest.session import EditSession
from digest.store import EntryFilter, Store
from tests.feedserver import FeedServer
from tests.hostile.support import REPO, make_project

SECONDS = float(os.environ.get("DIGEST_CONCURRENCY_SECONDS", "10"))


def rss(name: str, generation: int, count: int = 15) -> bytes:
    items = "".join(
        f"<item><title>{name} post {generation}-{i}</title>"
        f"<link>https://{name}.example.org/{generation}/{i}</link>"
        f"<guid>{name}-{generation}-{i}</guid>"
        f"<pubDate>Mon, 01 Jun 2026 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>Entry {i} of generation {generation}. It says things.</description>"
        "</item>" for i in range(count))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title><link>https://{name}.example.org/</link>{items}"
            "</channel></rss>").encode()


def test_fetch_loop_and_editing_session_share_the_project(tmp_path: Path) -> None:
    db = tmp_path / "cache.sqlite"
    with FeedServer() as server:
        remote = [server.add(f"/feed{n}.xml", rss(f"remote{n}", 0)) for n in range(6)]
        local = [tmp_path / "news" / f"local{n}.xml" for n in range(3)]
        feeds = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in remote)
        feeds += "".join(f'\n[[feeds]]\nurl = "{p.name}"\n' for p in local)
        project = make_project(tmp_path / "news", feeds)
        for n, path in enumerate(local):
            path.write_bytes(rss(f"local{n}", 0))
        stop = threading.Event()
        runs: list[subprocess.CompletedProcess[str]] = []

        def fetch_loop() -> None:
            while not stop.is_set():
                runs.append(subprocess.run(
                    [sys.executable, "-m", "digest", "--project", str(project.root), "--db",
                     str(db), "fetch"], capture_output=True, text=True, timeout=120, cwd=REPO))

        def churn() -> None:
            generation = 0
            while not stop.wait(0.25):
                generation += 1
                n = generation % (len(remote) + len(local))
                if n < len(remote):
                    server.routes[f"/feed{n}.xml"].body = rss(f"remote{n}", generation)
                else:
                    path = local[n - len(remote)]
                    tmp = path.with_suffix(".tmp")
                    tmp.write_bytes(rss(path.stem, generation))
                    tmp.replace(path)

        threads = [threading.Thread(target=fetch_loop), threading.Thread(target=churn)]
        for t in threads:
            t.start()
        picked: set[str] = set()
        dismissed: set[str] = set()
        steps = saves = 0
        try:
            deadline = time.monotonic() + SECONDS
            while not db.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            with Store(db) as store:
                project = load_project(project.root)
                session = EditSession(project, archive.open_draft(project, dt.date(2026, 6, 8)),
                                      store)
                while time.monotonic() < deadline:
                    rows = store.list_entries(EntryFilter(only_new=True), limit=50)
                    store.search("post generation")
                    for row in rows[:2]:
                        entry = store.entry(row.id)
                        assert entry is not None
                        section = "news" if len(picked) % 2 else "articles"
                        session.apply("Pick", lambda i, e=entry, s=section: curate.pick(
                            i, project, e, s))
                        picked.add(entry.id)
                        session.set_states("Seen", [entry.id], "seen")
                        if session.save() is not None:
                            saves += 1
                    if len(rows) > 2:
                        session.set_states("Dismiss", [rows[2].id], "dismissed")
                        dismissed.add(rows[2].id)
                    steps += 1
                    time.sleep(0.02)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=130)
        path = session.path
    failed = [r for r in runs if r.returncode != 0 or "Traceback" in r.stderr
              or "locked" in r.stderr.lower()]
    assert failed == [], failed[0].stderr[-2000:]
    assert len(runs) >= 3 and steps >= 20 and saves >= 20, (len(runs), steps, saves)
    on_disk = archive.load_issue(path)
    kept = {i.entry_id for s in on_disk.sections for i in s.items}
    assert picked <= kept, f"lost picks: {sorted(picked - kept)[:5]}"
    with Store(db) as store:
        states = {e: store.entry(e).state for e in dismissed}  # type: ignore[union-attr]
    assert set(states.values()) <= {"dismissed"}, states
    print(f"\n{SECONDS:g} s: {len(runs)} fetch runs, {steps} editing steps, {saves} saves, "
          f"{len(picked)} picks, {len(dismissed)} dismissals")
