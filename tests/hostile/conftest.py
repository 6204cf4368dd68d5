"""Fixtures of the hostile suite: a real project folder and a real SQLite cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import Project
from digest.store import Store
from tests.hostile.support import make_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "news")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "cache.sqlite")
    yield s
    s.close()
