"""How the inbox feels with a big store: launch, filter keystrokes, scrolling, memory.

    python benchmarks/gen_store.py --entries 100000 --issues 500 --db X --project DIR
    python benchmarks/bench_tui.py --db X --project DIR

Runs the real app headless through Textual's Pilot at 120×40 and prints:

* launch → usable inbox: from building the app to the first rows drawn
  (the featured index over every past issue is still loading in a worker);
* keystroke → first screenful: a letter typed in the filter until the list
  holds the first rows of that filter's result, the rows on screen (median,
  p95 and worst over every keystroke);
* keystroke → whole list: until the list holds every match, in order (the
  count in the status line and the scrollbar wait for it);
* page scroll: one PageDown with rows not yet cached (fetch + draw), called
  directly, and a PageDown key through the event loop until the list has
  scrolled;
* the garbage collector's passes while the app ran: how many, the longest,
  the total, and how many began inside a timed page scroll or keystroke;
* peak RSS of the process.

Not a test: numbers only. Interpreter and Textual import time are printed
apart, since they are paid once per process whatever the store size.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.config import load_project  # noqa: E402
from digest.store import Store  # noqa: E402
from digest.tui.app import make_app  # noqa: E402
from digest.tui.screens.inbox import InboxScreen  # noqa: E402
from digest.tui.widgets.entry_list import EntryList  # noqa: E402

QUERIES = ("python asyncio", "django release", "wagtail", "pytest fixture", "ł")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def import_time() -> float:
    code = ("import time; t = time.perf_counter(); import digest.tui.app; "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return float(out.stdout)


async def wait_for(pilot, predicate, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the inbox did not update in time")
        await asyncio.sleep(0.001)


class Passes:
    """Every collector pass: when it started and how long it took."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.spans.append((self._start, time.perf_counter() - self._start))

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)

    def inside(self, windows: list[tuple[float, float]]) -> int:
        return sum(1 for start, _ in self.spans
                   for begin, took in windows if begin <= start <= begin + took)


async def run(db: Path, project_dir: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    passes = Passes()
    timed: list[tuple[float, float]] = []  # (start, duration) of every timed key or scroll
    t0 = time.perf_counter()
    project = load_project(project_dir)
    store = Store(db)
    app = make_app(project, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen)
                       and len(app.screen.query_one(EntryList).ids) > 0)
        # Rows are in the list: the next refresh (≤ 1/60 s) paints them.
        results["launch_to_usable"] = time.perf_counter() - t0
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        entry_list = screen.query_one(EntryList)
        results["entries"] = len(entry_list.ids)
        while any(not w.is_finished for w in app.workers):
            await asyncio.sleep(0.005)
        results["launch_to_featured"] = time.perf_counter() - t0

        # Keystrokes in the filter.
        await pilot.press("slash")
        latencies: list[float] = []
        first_letter: list[float] = []
        screenful: list[float] = []
        for query in QUERIES:
            for n, char in enumerate(query):
                typed = query[: n + 1]
                # Timed from the key to the list holding that filter's result; the press
                # runs as its own task so Pilot's settling time is not counted.
                t = time.perf_counter()
                press = asyncio.create_task(pilot.press(char if char != " " else "space"))
                # The first screenful: shown on its own (partial), or with the whole list.
                await wait_for(pilot, lambda typed=typed: screen.filter.text == typed
                               and (screen.partial or not screen.busy))
                screenful.append(time.perf_counter() - t)
                await wait_for(pilot, lambda typed=typed: screen.filter.text == typed
                               and not screen.busy)
                latencies.append(time.perf_counter() - t)
                timed.append((t, latencies[-1]))
                await press
                if n == 0:
                    first_letter.append(latencies[-1])
            results.setdefault("matches", {})[query] = screen.shown  # type: ignore[index]
            for _ in query:
                await pilot.press("backspace")
            await wait_for(pilot, lambda: screen.filter.text == "" and not screen.busy)
        results["screenful_median"] = statistics.median(screenful)
        results["screenful_p95"] = statistics.quantiles(screenful, n=20)[-1]
        results["screenful_max"] = max(screenful)
        results["keystroke_median"] = statistics.median(latencies)
        results["keystroke_p95"] = statistics.quantiles(latencies, n=20)[-1]
        results["keystroke_max"] = max(latencies)
        results["keystroke_first_letter_max"] = max(first_letter)

        # Page scrolls through rows never drawn before (fetch + render).
        await pilot.press("escape")
        entry_list.focus()
        await pilot.pause()
        page = entry_list.scrollable_content_region
        times = []
        for _ in range(60):
            t = time.perf_counter()
            entry_list.action_page(1)
            entry_list.render_lines(page.reset_offset)
            times.append(time.perf_counter() - t)
            timed.append((t, times[-1]))
        results["page_median"] = statistics.median(times)
        results["page_max"] = max(times)
        # Through the event loop: a PageDown key until the list has scrolled.
        keyed = []
        for _ in range(20):
            before = entry_list.scroll_y
            t = time.perf_counter()
            press = asyncio.create_task(pilot.press("pagedown"))
            await wait_for(pilot, lambda before=before: entry_list.scroll_y != before)
            keyed.append(time.perf_counter() - t)
            timed.append((t, keyed[-1]))
            await press
        results["pagedown_key_median"] = statistics.median(keyed)
        results["pagedown_key_max"] = max(keyed)
        # Pilot's own cost per key, for reference (a key bound to nothing).
        idle = []
        for _ in range(10):
            t = time.perf_counter()
            await pilot.press("f12")
            idle.append(time.perf_counter() - t)
        results["pilot_press"] = statistics.median(idle)
        await pilot.press("end")
        await pilot.pause()
        results["cursor_at"] = entry_list.cursor
    store.close()
    passes.stop()
    results["gc_passes"] = len(passes.spans)
    results["gc_longest"] = max((took for _, took in passes.spans), default=0.0)
    results["gc_total"] = sum(took for _, took in passes.spans)
    results["gc_inside_timed"] = passes.inside(timed)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--project", type=Path, required=True)
    args = ap.parse_args()
    imported = import_time()
    r = asyncio.run(run(args.db, args.project))
    print(f"entries in the inbox        {r['entries']:,}")
    print(f"import digest.tui.app       {ms(imported)} (once per process)")
    print(f"launch → usable inbox       {ms(r['launch_to_usable'])}")  # type: ignore[arg-type]
    print(f"launch → featured marks     {ms(r['launch_to_featured'])} (worker, UI usable before)")  # type: ignore[arg-type]
    print(f"keystroke → first screenful median {ms(r['screenful_median'])}, "  # type: ignore[arg-type]
          f"p95 {ms(r['screenful_p95'])}, max {ms(r['screenful_max'])}")  # type: ignore[arg-type]
    print(f"keystroke → whole list      median {ms(r['keystroke_median'])}, "  # type: ignore[arg-type]
          f"p95 {ms(r['keystroke_p95'])}, max {ms(r['keystroke_max'])}")  # type: ignore[arg-type]
    print(f"  first letter of a query   max {ms(r['keystroke_first_letter_max'])}")  # type: ignore[arg-type]
    print(f"page scroll (uncached)      median {ms(r['page_median'])}, max {ms(r['page_max'])}")  # type: ignore[arg-type]
    print(f"PageDown key → scrolled     median {ms(r['pagedown_key_median'])}, "  # type: ignore[arg-type]
          f"max {ms(r['pagedown_key_max'])}")  # type: ignore[arg-type]
    print(f"collector passes            {r['gc_passes']}, longest {ms(r['gc_longest'])}, "  # type: ignore[arg-type]
          f"total {ms(r['gc_total'])}, "  # type: ignore[arg-type]
          f"{r['gc_inside_timed']} inside a timed key or scroll")
    print(f"(Pilot press of a dead key  median {ms(r['pilot_press'])}, not in the figures)")  # type: ignore[arg-type]
    print(f"peak RSS                    {r['peak_rss_mb']:.0f} MB")
    print(f"matches                     {r['matches']}")


if __name__ == "__main__":
    main()
