"""``digest fetch`` interrupted at random moments: Ctrl-C, SIGTERM, SIGKILL.

Each run fetches the shared feed farm (200 feeds, its faults included) into
the same cache and is stopped at a random moment: while Python starts, while
the cache is created, mid-download, mid-parse, mid-write. After every stop
the command must have ended (no process of it left behind), the cache must
open and pass SQLite's integrity check, and at the end one more run must
complete and leave every healthy feed's every entry in the cache: a run
that stored a feed's ETag without its entries would be answered 304 from
then on, and those entries would never arrive.

``DIGEST_FETCH_KILLS=N`` sets the number of interruptions (default 6).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.store import Store
from tests.hostile.farm import Farm
from tests.hostile.support import REPO

KILLS = int(os.environ.get("DIGEST_FETCH_KILLS", "6"))
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def session_members(sid: int) -> list[int]:
    """Processes still in the session the command was started in (its pool workers)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry))
    return members


def check_store(db: Path) -> dict[str, int]:
    with Store(db) as store:
        (result,) = store.db.execute("PRAGMA integrity_check").fetchone()
        assert result == "ok", result
        return store.stats()


def interrupt(cmd: list[str], sig: signal.Signals, delay: float, err_path: Path,
              *, group: bool = False) -> tuple[int | None, str, list[int]]:
    """Start ``cmd``, send ``sig`` after ``delay`` s; (exit code or None if it finished
    first, its stderr, the processes it left behind, which are then ended)."""
    with err_path.open("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True, cwd=REPO)
        time.sleep(delay)
        finished_first = proc.poll() is not None
        if not finished_first:
            (os.killpg if group else os.kill)(proc.pid, sig)
        code = proc.wait(timeout=30)
        deadline = time.monotonic() + 1
        while session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = session_members(proc.pid)
        for pid in left:  # our own strays: end them so the next run starts clean
            os.kill(pid, signal.SIGKILL)
        err.seek(0)
        return (None if finished_first else code), err.read(), left


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm(tmp_path_factory.mktemp("farm"), feeds=200, max_kb=30, latency_ms=20, huge_mb=5,
              drip_seconds=60, max_seconds=600) as running:
        yield running


def fetch_command(tmp_path: Path, farm: Farm) -> tuple[list[str], Path]:
    project = tmp_path / "news"
    project.mkdir(exist_ok=True)
    (project / "digest.toml").write_text('title = "Kills"\n\n[fetch]\ntimeout = 3\n', "utf-8")
    db = tmp_path / "cache.sqlite"
    return [sys.executable, "-m", "digest", "--project", str(project), "--db", str(db),
            "fetch", "--opml", str(farm.opml)], db


def test_interrupted_runs_leave_a_cache_that_opens_and_a_run_that_completes(
    tmp_path: Path, farm: Farm
) -> None:
    rng = random.Random(int(os.environ.get("DIGEST_KILL_SEED", "7")))
    cmd, db = fetch_command(tmp_path, farm)
    log = []
    for n in range(KILLS):
        sig = SIGNALS[n % len(SIGNALS)]
        delay = rng.choice((rng.uniform(0.05, 0.5), rng.uniform(0.5, 4.0)))
        code, err, left = interrupt(cmd, sig, delay, tmp_path / "stderr")
        assert left == [], f"{sig.name} after {delay:.2f} s left processes behind: {left}"
        if sig == signal.SIGINT and code is not None and delay > 1:
            # Running, Ctrl-C ends with a word; Python prints a traceback
            # only when interrupted while it is still importing.
            assert "Traceback" not in err and "Aborted!" in err, err[-2000:]
        stats = check_store(db) if db.exists() else {}
        log.append((sig.name, round(delay, 2), code, stats.get("entries"), len(left)))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    healthy = {f["url"]: f["entries"] for f in farm.feeds() if f["fault"] is None}
    with Store(db) as store:
        feeds = {f.url: f for f in store.feeds()}
        missing = {url: (feeds[url].entry_count, want) for url, want in healthy.items()
                   if url not in feeds or feeds[url].entry_count < want}
        assert all(f.status != "new" for f in feeds.values())
    assert missing == {}, f"entries lost after interruptions {log}: {missing}"
    print(f"\ninterruptions (signal, seconds, exit, entries, strays): {log}")


@pytest.mark.parametrize("how", ["Ctrl-C", "SIGTERM to the process group"])
def test_a_stopped_run_leaves_no_process_behind(tmp_path: Path, farm: Farm, how: str) -> None:
    cmd, _ = fetch_command(tmp_path, farm)
    sig = signal.SIGINT if how == "Ctrl-C" else signal.SIGTERM
    code, err, left = interrupt(cmd, sig, 1.5, tmp_path / "stderr", group=True)
    assert code is not None and left == []
    assert "Traceback" not in err


def test_a_killed_run_leaves_no_parser_process_behind(tmp_path: Path, farm: Farm) -> None:
    cmd, _ = fetch_command(tmp_path, farm)
    code, _, left = interrupt(cmd, signal.SIGTERM, 1.5, tmp_path / "stderr")
    assert code == -signal.SIGTERM
    assert left == []


def test_a_cache_killed_mid_transaction_rolls_back(tmp_path: Path) -> None:
    """The cache is SQLite in WAL mode: a writer killed mid-transaction loses
    only that transaction."""
    db = tmp_path / "cache.sqlite"
    Store(db).close()
    code = (
        "import os, sys\n"
        "from digest.store import Store\n"
        f"s = Store({str(db)!r})\n"
        "s.db.execute('BEGIN IMMEDIATE')\n"
        "s.db.execute(\"INSERT INTO feeds(url) VALUES ('https://half.example/')\")\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60)
    assert done.returncode == -9
    assert check_store(db)["feeds"] == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
