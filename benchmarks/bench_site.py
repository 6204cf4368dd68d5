"""Build of a 500-issue archive site: median wall time, fresh and unchanged.

    python benchmarks/bench_site.py [--issues 500] [--items 20] [--repeat 3]

Goal: a fresh 500-issue build under 5 s. The issue files are written once
before timing; each timed build loads and parses them as `digest build` does.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_export import big_issue  # noqa: E402

from digest.archive import save_issue  # noqa: E402
from digest.config import load_project  # noqa: E402
from digest.render.site import build_site  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issues", type=int, default=500)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "news"
        root.mkdir()
        (root / "digest.toml").write_text('title = "Bench News"\n')
        project = load_project(root)
        for n in range(1, args.issues + 1):
            issue = big_issue(args.items, sections=5)
            issue.number = n
            issue.status = "published"
            issue.date = issue.date.fromordinal(issue.date.toordinal() - 7 * (args.issues - n))
            save_issue(project, issue)
        fresh, again = [], []
        for r in range(args.repeat):
            out = Path(tmp) / f"site{r}"
            start = time.perf_counter()
            report = build_site(project, out)
            fresh.append(time.perf_counter() - start)
            start = time.perf_counter()
            build_site(project, out)
            again.append(time.perf_counter() - start)
            shutil.rmtree(out)
        print(f"site build: {report.issues} issues x {args.items} items, "
              f"{report.written} files, median of {args.repeat}")
        print(f"  fresh build      {statistics.median(fresh):6.2f} s"
              + ("" if statistics.median(fresh) < 5 else "   <-- over the 5 s goal"))
        print(f"  unchanged build  {statistics.median(again):6.2f} s")


if __name__ == "__main__":
    main()
