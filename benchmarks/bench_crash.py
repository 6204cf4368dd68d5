"""The kill test of the hostile suite, run long: an editing process SIGKILLed at random.

    python benchmarks/bench_crash.py [--kills 2000] [--seed 1]

``tests/hostile/test_crash_edits.py`` kills the editing process a hundred
times per test run; this runs ``tests.hostile.crash`` as many times as asked
on a fresh project in a temporary folder and prints its report: kills, how
many landed in the middle of a save, saves acknowledged, states lost or
damaged (both must stay 0), temporary files left behind, and how long it took.
Exits non-zero when anything was lost or damaged. Not a test: a long run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile import crash  # noqa: E402
from tests.hostile.support import make_project  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-crash-") as tmp:
        project = make_project(Path(tmp) / "news")
        report = crash.run(project.root, 1, args.kills, seed=args.seed)
    print(f"kills                {report.kills}")
    print(f"  inside a save      {report.mid_save}")
    print(f"  file newer than ack {report.newer_than_ack}")
    print(f"saves acknowledged   {report.acked_saves}")
    print(f"states lost          {report.lost}")
    print(f"files damaged        {report.damaged}")
    print(f"temp files left      {report.leftover_temp_files}")
    print(f"seconds              {report.seconds:.1f}")
    for problem in report.problems[:20]:
        print(f"  {problem}")
    if report.lost or report.damaged or report.problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
