"""The shared benchmark's feed farm as a subprocess on a free port of 127.0.0.1.

``feedfarm.py`` serves N synthetic feeds, a share of them faulty (HTTP errors,
429 with Retry-After, slow drip, redirect chain and loop, malformed XML, wrong
encoding, gzip regardless, huge body, an HTML page instead of the feed). It
stops by itself after ``--max-seconds``; ``Farm`` also stops it on exit.
"""

from __future__ import annotations

import json
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from tests.hostile.support import FEEDFARM

_BASE = re.compile(r"on (http://127\.0\.0\.1:\d+)/")


class Farm:
    def __init__(self, workdir: Path, *, feeds: int, max_seconds: float = 120,
                 **options: Any) -> None:
        if not FEEDFARM.is_file():
            pytest.skip(f"feed farm not found at {FEEDFARM} (it ships in ../shared/bench)")
        self.workdir = workdir
        self.opml = workdir / "farm.opml"
        self.manifest_path = workdir / "farm.json"
        args = [sys.executable, str(FEEDFARM), "--port", "0", "--feeds", str(feeds),
                "--max-seconds", str(max_seconds), "--write-opml", str(self.opml),
                "--write-manifest", str(self.manifest_path)]
        defaults = {"latency_ms": 0, "jitter": 0, "faults": "on"}
        for name, value in {**defaults, **options}.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> Farm:
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline:
            if select.select([self.proc.stderr], [], [], 0.5)[0]:
                line = self.proc.stderr.readline()
                if not line or _BASE.search(line):
                    break
            elif self.proc.poll() is not None:
                break
        m = _BASE.search(line)
        if m is None:
            self.__exit__(None, None, None)
            raise RuntimeError(f"feedfarm did not start: {line!r}")
        self.base_url = m.group(1)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.manifest_path.read_text("utf-8"))
        return data

    def feeds(self) -> list[dict[str, Any]]:
        """Per feed: url, format, entries, bytes, fault (None when healthy)."""
        feeds: list[dict[str, Any]] = self.manifest()["feeds"]
        return feeds
