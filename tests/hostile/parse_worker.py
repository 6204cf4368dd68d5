"""Parse one body in a process of its own and report time and memory as JSON.

``python -m tests.hostile.parse_worker BODY_FILE [URL]``. Run this way, a parse
that never ends can be killed by the test at its deadline, and the peak
resident memory of the parse is the process's own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from digest.feeds.parse import parse_feed


def main() -> None:
    body = Path(sys.argv[1]).read_bytes()
    url = sys.argv[2] if len(sys.argv) > 2 else "https://feeds.example.org/feed"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    parsed = parse_feed(body, url)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    longest = max((len(e.title) + len(e.text) + len(e.content_html) for e in parsed.entries),
                  default=0)
    print(json.dumps({
        "seconds": seconds,
        "rss_growth_mb": (peak - before) / 1024,
        "entries": len(parsed.entries),
        "error": parsed.error,
        "warning": parsed.warning,
        "longest_entry": longest,
        "categories": max((len(e.categories) for e in parsed.entries), default=0),
    }))


if __name__ == "__main__":
    main()
