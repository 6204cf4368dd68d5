"""Parse throughput: digest's parse_feed against feedparser, on one core.

    python benchmarks/bench_parse.py [--repeat 5] [CORPUS_DIR]
    python benchmarks/bench_parse.py --farm 200      # the fetch benchmark's feeds instead

Prints MB/s for both, as the median of the repeats, and how much of the
input each of digest's readers took: items read in one go, items replayed
through the port of feedparser, and documents left to feedparser itself.
``--farm N`` builds the first N feeds of ``../shared/bench/feedfarm.py``
(faults off, seed 1), the documents ``bench_fetch.sh`` serves.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import feedparser

from digest.feeds import fastparse
from digest.feeds.parse import parse_feed

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT = SHARED / "corpus" / "real"


def corpus(root: Path) -> list[tuple[str, bytes]]:
    files = [p for p in sorted(root.rglob("*")) if p.is_file()
             and p.suffix not in (".md", ".json") or p.name.endswith("feed.json")]
    return [(p.as_uri(), p.read_bytes()) for p in files]


def farm(count: int) -> list[tuple[str, bytes]]:
    sys.path.insert(0, str(SHARED / "bench"))
    import feedfarm  # type: ignore[import-not-found]

    args = argparse.Namespace(feeds=count, entries=(20, 50), min_kb=2, max_kb=500, faults="off",
                              fault_rate=0.06, huge_mb=20, gzip="off", seed=1)
    factory = feedfarm.FeedFactory(args, "http://127.0.0.1:8787")
    out = []
    for feed in factory.plan():
        factory.build(feed)
        out.append((f"http://127.0.0.1:8787{feed.path}", feed.body))
    return out


def routes(bodies: list[tuple[str, bytes]]) -> str:
    """Who read what: items in one go, items replayed, documents left to feedparser."""
    counts = {"quick": 0, "replayed": 0}
    real_parse, real_quick = fastparse.parse, fastparse._quick_item
    refused = [0, 0]

    def quick(walker: Any, item: Any) -> Any:
        entry = real_quick(walker, item)
        counts["quick" if entry is not None else "replayed"] += 1
        return entry

    def parse(body: bytes, *args: Any) -> Any:
        result = real_parse(body, *args)
        if result is None:
            refused[0] += 1
            refused[1] += len(body)
        return result

    fastparse._quick_item, fastparse.parse = quick, parse
    try:
        for url, body in bodies:
            parse_feed(body, url)
    finally:
        fastparse._quick_item, fastparse.parse = real_quick, real_parse
    size = sum(len(b) for _, b in bodies)
    return (f"items read in one go {counts['quick']}, replayed through the port "
            f"{counts['replayed']}; documents left to feedparser {refused[0]} "
            f"({refused[1] / size:.1%} of the bytes)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--farm", type=int, default=0, metavar="N",
                    help="parse the first N feeds of the feed farm instead")
    ap.add_argument("--digest-only", action="store_true", help="skip feedparser")
    args = ap.parse_args()
    bodies = farm(args.farm) if args.farm else corpus(args.corpus)
    size = sum(len(b) for _, b in bodies) / 1e6
    print(f"{len(bodies)} documents, {size:.1f} MB")
    print(routes(bodies))
    tools = [("digest parse_feed", lambda b, u: parse_feed(b, u))]
    if not args.digest_only:
        tools.append(("feedparser.parse", lambda b, u: feedparser.parse(b)))
    for name, fn in tools:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            for url, body in bodies:
                fn(body, url)
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        print(f"{name:<20} median {med:6.2f} s  {size / med:7.1f} MB/s  "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={args.repeat})")


if __name__ == "__main__":
    main()
