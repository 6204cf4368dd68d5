"""Export of a 200-item issue to every format: median wall time per format.

    python benchmarks/bench_export.py [--repeat 15] [--items 200]

Goal: under 200 ms per format. "file" rows include writing the export with
export_issue (atomic write, fsync); the others render in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.config import Project  # noqa: E402
from digest.model import Issue, Item, Section  # noqa: E402
from digest.render.email import render_email, render_text  # noqa: E402
from digest.render.export import export_issue  # noqa: E402
from digest.render.html import render_html  # noqa: E402
from digest.render.markdown import render_markdown  # noqa: E402

WORDS = (
    "django", "release", "security", "async", "query", "template", "admin", "migration",
    "model", "view", "python", "typing", "performance", "cache", "feed",
)


def big_issue(items: int, sections: int = 10) -> Issue:
    """Items like real ones: most blurbs plain prose, every fourth with Markdown."""
    secs = []
    for s in range(sections):
        section = Section(f"s{s}", f"Section {s}", "links")
        for n in range(items // sections):
            k = s * 1000 + n
            words = " ".join(WORDS[(k + i) % len(WORDS)] for i in range(26))
            blurb = words.capitalize() + "."
            if n % 4 == 0:
                blurb = f"{words[:60]} **{WORDS[k % 15]}** and [a link](https://example.com/{k})."
            section.items.append(Item(
                title=f"Post {k}: {words[:50]} <{WORDS[k % 15]}> & more",
                url=f"https://blog{k % 37}.example.com/posts/{k}/?ref=feed",
                blurb=blurb,
                source=f"blog{k % 37}.example.com",
            ))
        secs.append(section)
    secs.insert(1, Section("notes", "Updates", "notes", notes="Notes *with* Markdown.\n\n- a\n- b"))
    return Issue(number=500, date=dt.date(2026, 6, 5), title="Benchmark issue",
                 intro="An intro paragraph with a [link](https://example.org).", sections=secs)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (templates, regexes) the way a running TUI has them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--items", type=int, default=200)
    args = ap.parse_args()
    issue = big_issue(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(root=Path(tmp), title="Bench News")
        cases: dict[str, Callable[[], object]] = {
            "md": lambda: render_markdown(issue),
            "html": lambda: render_html(issue, project),
            "html (plain theme)": lambda: render_html(issue, project, "plain"),
            "email": lambda: render_email(issue, project),
            "text": lambda: render_text(issue, project),
        }
        def to_file(fmt: str) -> Callable[[], object]:
            out = Path(tmp) / f"out.{fmt}"
            return lambda: export_issue(project, issue, fmt, out)

        for fmt in ("md", "html", "email", "text"):
            cases[f"{fmt} (file)"] = to_file(fmt)
        print(f"export of a {issue.item_count()}-item issue, median of {args.repeat} runs")
        for name, fn in cases.items():
            ms = median_ms(fn, args.repeat)
            flag = "" if ms < 200 else "   <-- over the 200 ms goal"
            print(f"  {name:<20} {ms:8.1f} ms{flag}")


if __name__ == "__main__":
    main()
