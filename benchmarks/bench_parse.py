"""Parse throughput on the real-feed corpus: digest's parse_feed against feedparser.

    python benchmarks/bench_parse.py [--repeat 5] [CORPUS_DIR]

Prints MB/s (one core) for both, as the median of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import feedparser

from digest.feeds.parse import parse_feed

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    files = [p for p in sorted(args.corpus.rglob("*")) if p.is_file()
             and p.suffix not in (".md", ".json") or p.name.endswith("feed.json")]
    bodies = [(p, p.read_bytes()) for p in files]
    size = sum(len(b) for _, b in bodies) / 1e6
    print(f"{len(bodies)} files, {size:.1f} MB")
    for name, fn in (("digest parse_feed", lambda b, p: parse_feed(b, p.as_uri())),
                     ("feedparser.parse", lambda b, p: feedparser.parse(b))):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            for path, body in bodies:
                fn(body, path)
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        print(f"{name:<20} median {med:6.2f} s  {size / med:7.1f} MB/s  "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={args.repeat})")


if __name__ == "__main__":
    main()
