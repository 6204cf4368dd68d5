"""Search latency over a 500-issue, 100,000-entry store: the archive's "in a blink".

    python benchmarks/bench_search.py [--entries 100000] [--issues 500] [--repeat 20]
                                      [--workdir DIR] [--limit 50]

Builds the store and the project with ``benchmarks/gen_store.py`` (once per
work dir; reused afterwards), indexes every issue as the TUI does at startup,
then times ``Store.search`` the way the search screen calls it: each query as
typed letter by letter (prefix queries are the slow case in FTS5), plus
whole words, common and rare ones. Prints median and p95 per kind and over
all, in milliseconds, against the 50 ms budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_store import generate  # noqa: E402

from digest import archive  # noqa: E402
from digest.config import load_project  # noqa: E402
from digest.store import Store  # noqa: E402

BUDGET_MS = 50.0

#: (kind, what the editor types). Common words hit a third of the entries.
QUERIES = [
    ("typing", "django"),
    ("typing", "security release"),
    ("typing", "postgres index"),
    ("word", "django"),
    ("word", "python"),
    ("words", "async task queue"),
    ("words", "wagtail search vector"),
    ("rare", "Łukasz"),
    ("none", "zzyzx"),
]


def as_typed(text: str) -> list[str]:
    """Every prefix the search box sends while the editor types ``text``."""
    return [text[:n] for n in range(2, len(text) + 1) if not text[:n].endswith(" ")]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--issues", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "digest-bench-search")
    args = ap.parse_args()
    work = args.workdir / f"{args.entries}-{args.issues}"
    db, root = work / "cache.db", work / "project"
    if not db.exists():
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        generate(db, root, args.entries, args.issues)
        print(f"generated in {time.perf_counter() - t0:.0f} s: {work}")
    project = load_project(root)
    store = Store(db)
    t0 = time.perf_counter()
    loaded = archive.load_all(project)
    store.index_issues(loaded.issues)
    stats = store.stats()
    print(f"{stats['entries']:,} entries, {len(loaded.issues)} issues "
          f"(load + index {time.perf_counter() - t0:.2f} s)")

    by_kind: dict[str, list[float]] = {}
    for kind, text in QUERIES:
        for typed in as_typed(text) if kind == "typing" else [text]:
            store.search(typed, args.limit)  # warm the page cache once
            for _ in range(args.repeat):
                start = time.perf_counter()
                store.search(typed, args.limit)
                by_kind.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
    everything = [t for times in by_kind.values() for t in times]
    print(f"{'kind':<8} {'n':>5} {'median':>8} {'p95':>8} {'max':>8}  (ms)")
    for kind, times in [*by_kind.items(), ("all", everything)]:
        print(f"{kind:<8} {len(times):>5} {statistics.median(times):>8.1f} "
              f"{percentile(times, 95):>8.1f} {max(times):>8.1f}")
    p95 = percentile(everything, 95)
    verdict = "within" if p95 < BUDGET_MS else "OVER"
    print(f"p95 {p95:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    store.close()


if __name__ == "__main__":
    main()
