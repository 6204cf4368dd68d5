"""Cold `digest fetch` runs on the loopback farm, digest alone, with the writer timed.

    python benchmarks/bench_fetch_direct.py --feeds 1000 --runs 3
    python benchmarks/bench_fetch_direct.py --runs 3 --compare /path/to/other/checkout

``bench_fetch.sh`` puts digest beside newsboat and sfeed, one cold run each.
This one repeats digest's cold run on one farm (faults off, 50 ms ± 50 %
latency) to compare builds or settings: each run starts from an empty cache
and prints the wall time, the CPU time of the run's processes, their peak
RSS, and how long the writing thread spent in ``Store.record_fetches`` (what
a cold run waits for when both cores are busy). With ``--compare`` the runs
alternate between this checkout and another one. Not a test: numbers only.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.hostile.farm import Farm  # noqa: E402

# Runs `digest fetch` in this process, the writer's store calls timed.
_RUN = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import digest.store as store
spent = [0.0]
record = store.Store.record_fetches
def timed(self, *args, **kwargs):
    began = time.perf_counter()
    try:
        return record(self, *args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - began
store.Store.record_fetches = timed
from digest.cli import main
sys.argv = ["digest", "--db", sys.argv[2], "fetch", "--quiet", "--opml", sys.argv[3]]
began = time.perf_counter()
try:
    main()
except SystemExit as end:
    if end.code:
        raise
print(json.dumps({"wall": time.perf_counter() - began, "writer": spent[0]}), file=sys.stderr)
"""


def cold_run(root: Path, opml: Path, db: Path) -> dict[str, float]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", _RUN, str(root), str(db), str(opml)],
                          capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
    figures["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # The largest child so far: a run's peak only when it is the largest yet.
    figures["rss_mb"] = after.ru_maxrss / 1024
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--compare", type=Path, help="another checkout, run in turn with this one")
    args = ap.parse_args()
    roots = [HERE.parent] + ([args.compare.resolve()] if args.compare else [])
    for root in roots:  # compiled once, as an installed package is
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "digest")], check=True)
    results: dict[Path, list[dict[str, float]]] = {root: [] for root in roots}
    with tempfile.TemporaryDirectory(prefix="digest-direct-") as tmp, Farm(
            Path(tmp), feeds=args.feeds, faults="off", latency_ms=50, jitter=0.5,
            max_seconds=7200) as farm:
        for n in range(args.runs):
            for root in roots:
                figures = cold_run(root, farm.opml, Path(tmp) / "cache.db")
                results[root].append(figures)
                print(f"run {n + 1} {root}: wall {figures['wall']:.2f} s, "
                      f"writer {figures['writer']:.2f} s, CPU {figures['cpu']:.2f} s, "
                      f"largest process so far {figures['rss_mb']:.0f} MB", flush=True)
    for root, runs in results.items():
        walls = [r["wall"] for r in runs]
        print(f"{root}: cold wall median {statistics.median(walls):.2f} s "
              f"({min(walls):.2f}–{max(walls):.2f}), writer median "
              f"{statistics.median(r['writer'] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
