"""Shared pieces of the hostile suite: where things are, a real project on disk,
and the helper that pushes feeds through the same path ``digest fetch`` takes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from digest.config import Project, load_project
from digest.feeds.fetch import FetchSettings
from digest.ingest import FetchSummary, fetch_feeds
from digest.store import Store
from tests.corpus import CORPUS as CORPUS

HERE = Path(__file__).resolve().parent
FEEDS = HERE / "feeds"
CONFIGS = HERE / "configs"
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
FEEDFARM = SHARED / "bench" / "feedfarm.py"

PROJECT_TOML = """\
title = "Hostile Weekly"
description = "Everything in this issue came from a stranger."
site_url = "https://news.example.org/"
theme = "django-news"

[fetch]
concurrency = 8
timeout = 5

[[sections]]
id = "news"
title = "News"
key = "n"

[[sections]]
id = "updates"
title = "Updates"
kind = "notes"

[[sections]]
id = "articles"
title = "Articles"
key = "a"
"""


def make_project(root: Path, extra: str = "") -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.toml").write_text(PROJECT_TOML + extra, "utf-8")
    (root / "issues").mkdir(exist_ok=True)
    return load_project(root)


def fetch(store: Store, urls: Sequence[str], settings: FetchSettings | None = None,
          *, processes: int | None = None) -> FetchSummary:
    """Fetch, parse and store ``urls`` exactly as ``digest fetch`` does."""
    feeds = [(u, "") for u in urls]
    return asyncio.run(fetch_feeds(store, feeds, settings, processes=processes))


def fast_settings(**changes: float) -> FetchSettings:
    """Timeouts short enough for tests; every other limit as shipped."""
    base = {"connect_timeout": 2.0, "read_timeout": 1.5, "total_timeout": 3.0}
    base.update(changes)
    return FetchSettings(**base)  # type: ignore[arg-type]
