"""Run a command and report its wall time and the peak memory of its processes.

``python -m tests.hostile.measure TIMEOUT CMD...`` prints one JSON line:
exit code, seconds, and the largest resident set size (MB) reached by the
command or by any process it started and waited for (the fetch's parser
workers). The command is killed at TIMEOUT seconds.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    timeout = float(sys.argv[1])
    cmd = sys.argv[2:]
    started = time.monotonic()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        code, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired as exc:
        code = -9
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"exit": code, "seconds": seconds, "max_rss_mb": peak_kb / 1024,
                      "stderr": stderr[-3000:]}))


if __name__ == "__main__":
    main()
