"""Parse bodies in a process of its own and report time and memory as JSON.

``python -m tests.hostile.parse_worker`` reads one file path per line on stdin
and answers each with one JSON line on stdout. Run this way, a parse that
never ends can be killed by the test at its deadline, and the peak resident
memory reported is that of a process doing nothing but parsing.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from digest.feeds.parse import parse_feed


def report(path: Path) -> dict[str, object]:
    body = path.read_bytes()
    started = time.perf_counter()
    parsed = parse_feed(body, "https://feeds.example.org/feed")
    seconds = time.perf_counter() - started
    longest = max((len(e.title) + len(e.text) + len(e.content_html) for e in parsed.entries),
                  default=0)
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "entries": len(parsed.entries),
        "error": parsed.error,
        "warning": parsed.warning,
        "longest_entry": longest,
        "categories": max((len(e.categories) for e in parsed.entries), default=0),
    }


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(report(Path(line.strip()))), flush=True)


if __name__ == "__main__":
    main()
