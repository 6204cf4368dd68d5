"""Generate a big, realistic store and archive for benchmarks.

    python benchmarks/gen_store.py --entries 100000 --issues 500 --db X --project DIR

Writes a newsletter project in DIR (``digest.toml`` + ``issues/001.toml`` …
published, a few hundred links each drawn from the entries, so "featured"
marks have something to find) and an entry cache in X with ``--entries``
entries spread over ``--feeds`` feeds, a year of dates, FTS-indexed text.
Deterministic for a given ``--seed``. Reusable by any benchmark: import
``generate`` or run it as a script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest import archive  # noqa: E402
from digest.config import load_project  # noqa: E402
from digest.model import Entry, Issue, Item, Section  # noqa: E402
from digest.store import FetchRecord, Store  # noqa: E402

_VOCABULARY = """
django python release security async await task queue orm query model view template form
admin migration test pytest fixture mock database postgres sqlite index cache redis celery
worker deploy docker kubernetes uv pip wheel package typing mypy ruff lint format profile
performance memory thread process asyncio event loop http api rest graphql json toml yaml
parser compiler rust wasm htmx alpine frontend css accessibility i18n unicode datetime
timezone logging tracing metrics feed rss atom newsletter community conference talk tutorial
guide tips patterns refactor legacy upgrade python3 wagtail channels websocket streaming
search fulltext vector ai llm
"""
#: A small vocabulary on purpose: each word is in about a third of the entries,
#: which is the hard case for filter-as-you-type.
WORDS = _VOCABULARY.split()
NAMES = ("Adam Johnson", "Carlton Gibson", "Natalia Bidart", "Sarah Boyce", "Jeff Triplett",
         "Will Vincent", "Łukasz Langa", "Hynek Schlawack", "Simon Willison", "Paolo Melchiorre",
         "Thibaud Colas", "Eli Bendersky", "Armin Ronacher", "Julia Evans", "Glyph")
START = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_entries(rng: random.Random, count: int, feeds: int) -> dict[int, list[Entry]]:
    by_feed: dict[int, list[Entry]] = {}
    for n in range(count):
        feed = rng.randrange(feeds)
        published = START + dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        title = words(rng, rng.randint(3, 9)).capitalize()
        body = ". ".join(words(rng, rng.randint(8, 16)).capitalize() for _ in range(4)) + "."
        by_feed.setdefault(feed, []).append(Entry(
            id=f"gen-{n:07d}", link=f"https://blog{feed}.example/{published:%Y/%m}/post-{n}/",
            title=title, feed_url=f"https://feed{feed}.example/rss",
            author=rng.choice(NAMES), published=published, text=body,
            content_html=f"<p>{body}</p>", summary_html=f"<p>{body[:120]}</p>",
        ))
    return by_feed


def generate(db: Path, project_dir: Path, entries: int, issues: int, feeds: int = 200,
             seed: int = 1) -> tuple[Path, Path]:
    rng = random.Random(seed)
    if not (project_dir / "digest.toml").exists():
        archive.init_project(project_dir, "Bench News")
    project = load_project(project_dir)
    by_feed = make_entries(rng, entries, feeds)
    store = Store(db)
    store.ensure_feeds((f"https://feed{f}.example/rss", f"Feed {f} — {words(rng, 2)}")
                       for f in range(feeds))
    when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for feed, items in sorted(by_feed.items()):
        url = f"https://feed{feed}.example/rss"
        for start in range(0, len(items), 2000):
            store.record_fetch(FetchRecord(url, "ok", 200, when=when), items[start:start + 2000])
    links = [e.link for items in by_feed.values() for e in items]
    for number in range(1, issues + 1):
        date = (START + dt.timedelta(days=7 * number)).date()
        sections = []
        for sid, title in (("news", "News"), ("articles", "Articles"), ("projects", "Projects")):
            sections.append(Section(sid, title, items=[
                Item(words(rng, 6).capitalize(), rng.choice(links), words(rng, 25), "example")
                for _ in range(rng.randint(3, 8))
            ]))
        archive.save_issue(project, Issue(number, date, f"Issue {number}", "published",
                                          sections=sections))
    store.close()
    return db, project_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--issues", type=int, default=500)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--project", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    generate(args.db, args.project, args.entries, args.issues, args.feeds, args.seed)
    print(f"{args.entries:,} entries, {args.issues} issues in {time.perf_counter() - t0:.1f} s: "
          f"--db {args.db} --project {args.project}")


if __name__ == "__main__":
    main()
