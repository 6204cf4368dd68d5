"""The inbox while `f` fetches: how long the fetch takes and how the keys feel meanwhile.

    python benchmarks/bench_tui_fetch.py --feeds 1000 [--db STORE] [--project DIR]

Starts the loopback feed farm of ``../shared/bench`` (faults off, 50 ms ±
50 % latency), subscribes a copy of the project to it through an OPML file,
opens the real app headless through Textual's Pilot at 120×40 on a copy of
the store (the 100k store of ``gen_store.py`` by default, so the list has
rows to move through) and presses ``f``. While the fetch runs, it presses
``j``, ``k``, ``d`` (dismiss) and ``u`` (undo) in turn and times each key
until the list shows it, and separately how late a 10 ms timer on the UI's
event loop fires. Then it presses ``f`` again (a warm fetch: every feed
answers 304).

Prints the cold and warm fetch wall times and the key latencies during
either fetch and with nothing running. With ``--idle`` it presses nothing
while the feeds come in: the fetch beside an idle UI. Not a test: numbers
only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from digest import curate  # noqa: E402
from digest.config import load_project  # noqa: E402
from digest.store import Store  # noqa: E402
from digest.tui.app import make_app  # noqa: E402
from digest.tui.screens.inbox import InboxScreen  # noqa: E402
from digest.tui.widgets.entry_list import EntryList  # noqa: E402

BENCH = Path(os.environ.get("DIGEST_BENCH_DIR", ROOT.parent / "shared" / "bench"))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_farm(feeds: int, opml: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    farm = subprocess.Popen(
        [sys.executable, str(BENCH / "feedfarm.py"), "--feeds", str(feeds), "--faults", "off",
         "--port", str(port), "--seed", "1", "--write-opml", str(opml), "--max-seconds", "1200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0 and opml.exists():
                return farm
        time.sleep(0.1)
    farm.kill()
    raise SystemExit("the feed farm did not start")


def summary(xs: list[float]) -> str:
    if len(xs) < 2:
        return f"n={len(xs)}"
    p95 = statistics.quantiles(xs, n=20, method="inclusive")[-1]
    return (f"median {ms(statistics.median(xs))}, p95 {ms(p95)}, max {ms(max(xs))} "
            f"(n={len(xs)})")


async def lag_sampler(samples: list[float], stop: asyncio.Event) -> None:
    """How late a 10 ms sleep on the UI's loop wakes: the time the loop could not run."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.010)
        samples.append(time.perf_counter() - t - 0.010)


async def until(predicate, limit: float = 5.0) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds until ``predicate()`` holds, polled every 0.5 ms; None past ``limit``."""
    t = time.perf_counter()
    while not predicate():
        if time.perf_counter() - t > limit:
            return None
        await asyncio.sleep(0.0005)
    return time.perf_counter() - t


async def keys_while(app, entry_list: EntryList, busy, out: dict[str, list[float]]) -> None:  # type: ignore[no-untyped-def]
    """Press j, k, d, u in turn while ``busy()``, each timed until it shows.

    j and k: until the cursor moved. d: until the entry has left the list.
    u (undo the dismiss): until it is back. Keys are posted to the app as the
    terminal driver posts them: Pilot's own press waits for the app to be
    idle, which a running fetch never is.
    """
    n = 0
    dismissed = -1
    while busy():
        key = "jkdu"[n % 4]
        n += 1
        row = entry_list.current
        if row is None:
            break
        if key == "d" and curate.locate(app.session.issue, row.id, row.link) is not None:
            n += 1  # in the draft: d would refuse it; skip d and u this round
            continue
        if key in "jk":
            shown = lambda before=entry_list.cursor: entry_list.cursor != before  # noqa: E731
        elif key == "d":
            dismissed = row.rowid
            shown = lambda gone=dismissed: gone not in entry_list.ids  # noqa: E731
        else:
            shown = lambda back=dismissed: back in entry_list.ids  # noqa: E731
        if key in "du":  # not behind the list's reading after the key before
            await until(lambda: not entry_list.screen.busy, 2.0)
        t = time.perf_counter()
        app.post_message(events.Key(key, key))
        took = await until(shown)
        out.setdefault(key, []).append(time.perf_counter() - t if took is None else took)
        await asyncio.sleep(0.05)


async def run(db: Path, project_dir: Path, press: bool = True) -> dict[str, object]:
    r: dict[str, object] = {}
    project = load_project(project_dir)
    store = Store(db)
    app = make_app(project, store)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.perf_counter() + 60
        while not (isinstance(app.screen, InboxScreen)
                   and len(app.screen.query_one(EntryList).ids) > 0):
            if time.perf_counter() > deadline:
                raise SystemExit("the inbox did not open")
            await asyncio.sleep(0.01)
        screen = app.screen
        entry_list = screen.query_one(EntryList)
        entry_list.focus()
        while any(not w.is_finished for w in app.workers):
            await asyncio.sleep(0.01)
        await pilot.pause()

        idle_keys: dict[str, list[float]] = {}
        idle_lag: list[float] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(lag_sampler(idle_lag, stop))
        t_idle = time.perf_counter()
        await keys_while(app, entry_list, lambda: time.perf_counter() - t_idle < 8, idle_keys)
        stop.set()
        await sampler
        r["idle_keys"] = idle_keys
        r["idle_lag"] = idle_lag

        for run_name in ("cold", "warm"):
            keys: dict[str, list[float]] = {}
            lag: list[float] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(lag_sampler(lag, stop))
            t = time.perf_counter()
            app.post_message(events.Key("f", "f"))
            while app.fetch_state is None:
                await asyncio.sleep(0.0005)
                if time.perf_counter() - t > 10:
                    raise SystemExit("the fetch did not start")
            if press:
                await keys_while(app, entry_list, lambda: app.fetch_state is not None, keys)
            while app.fetch_state is not None:
                await asyncio.sleep(0.01)
            r[f"{run_name}_wall"] = time.perf_counter() - t
            stop.set()
            await sampler
            r[f"{run_name}_keys"] = keys
            r[f"{run_name}_lag"] = lag
            await pilot.pause()
    store.close()
    r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/b100k.db"),
                    help="a store to copy (default: the 100k store of gen_store.py)")
    ap.add_argument("--project", type=Path, default=Path("/tmp/b100k"))
    ap.add_argument("--idle", action="store_true",
                    help="press nothing while the feeds come in (the fetch beside an idle UI)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        work = Path(tmp)
        project_dir = work / "project"
        shutil.copytree(args.project, project_dir)
        db = work / "store.db"
        shutil.copyfile(args.db, db)
        opml = project_dir / "feeds.opml"
        farm = start_farm(args.feeds, opml)
        try:
            toml = project_dir / "digest.toml"
            text = toml.read_text("utf-8").replace('# opml = "feeds.opml"', 'opml = "feeds.opml"')
            if not re.search(r"^opml\s*=", text, re.M):
                text = 'opml = "feeds.opml"\n' + text
            toml.write_text(text, "utf-8")
            r = asyncio.run(run(db, project_dir, press=not args.idle))
        finally:
            farm.kill()
            farm.wait()
    print(f"feeds                          {args.feeds} (farm, faults off)")
    print(f"cold fetch (f → done)          {r['cold_wall']:.2f} s")  # type: ignore[str-format]
    print(f"warm fetch (f → done)          {r['warm_wall']:.2f} s")  # type: ignore[str-format]
    for when, label in (("idle", "no fetch"), ("cold", "cold fetch"), ("warm", "warm fetch")):
        keys: dict[str, list[float]] = r[f"{when}_keys"]  # type: ignore[assignment]
        print(f"{'j/k, ' + label:<30} {summary(keys.get('j', []) + keys.get('k', []))}")
        print(f"{'d (entry gone), ' + label:<30} {summary(keys.get('d', []))}")
        print(f"{'u (entry back), ' + label:<30} {summary(keys.get('u', []))}")
    print(f"UI loop lag, no fetch          {summary(r['idle_lag'])}")  # type: ignore[arg-type]
    print(f"UI loop lag, cold fetch        {summary(r['cold_lag'])}")  # type: ignore[arg-type]
    print(f"UI loop lag, warm fetch        {summary(r['warm_lag'])}")  # type: ignore[arg-type]
    print(f"peak RSS, app / fetch process  {r['peak_rss_mb']:.0f} MB / "
          f"{r['children_peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
