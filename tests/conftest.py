from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.feedserver import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A fresh HTTP server on 127.0.0.1 per test; see tests/feedserver.py."""
    with FeedServer() as server:
        yield server
