"""Every real and adversarial file in the shared corpus goes through parse_feed.

The corpus holds real broken responses on purpose; this sweep is what proves
that parsing never raises and that nothing hostile survives into titles. Entry
counts are checked against what feedparser 6.0.14 itself reported
(``real/MANIFEST.json``), so a change that silently drops entries shows up.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from digest.feeds.parse import KEY_LENGTH, ParsedFeed, parse_feed
from digest.textclean import search_text
from tests.corpus import CORPUS

NOW = dt.datetime(2026, 6, 7, 12, 0, tzinfo=dt.UTC)


if not (CORPUS / "real" / "MANIFEST.json").is_file():
    pytest.skip(
        f"feed corpus not found at {CORPUS} (set DIGEST_CORPUS to its directory)",
        allow_module_level=True,
    )

FILES = sorted(
    p for sub in ("real", "feedparser/tests") for p in (CORPUS / sub).rglob("*") if p.is_file()
)
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "real" / "MANIFEST.json").read_text())

# What must never reach a one-line field: C0/C1 controls (ESC included), DEL,
# bidi overrides/isolates, newlines.
UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
KEY = re.compile(f"^[0-9a-f]{{{KEY_LENGTH}}}$")


def _url_for(path: Path) -> str:
    return "https://feeds.example.org/" + path.relative_to(CORPUS).as_posix()


@functools.cache
def _parsed(path: Path) -> ParsedFeed:
    """Both tests look at the same parse; doing it once halves the sweep."""
    return parse_feed(path.read_bytes(), _url_for(path), now=NOW)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_file_parses_and_entries_are_clean(path: Path) -> None:
    url = _url_for(path)
    result = _parsed(path)

    assert "\n" not in result.error and "\n" not in result.warning
    assert not UNSAFE_LINE.search(result.title)
    for link in result.feed_links:
        assert link.startswith(("http://", "https://"))
    for entry in result.entries:
        assert KEY.match(entry.id), entry
        assert entry.feed_url == url
        for value in (entry.title, entry.author, entry.source_title, entry.guid, *entry.categories):
            assert not UNSAFE_LINE.search(value), (value, entry.link)
        words = search_text(entry.content_html or entry.summary_html)  # the store's index
        for value in (entry.text, words, entry.summary_html, entry.content_html):
            assert not UNSAFE_TEXT.search(value), entry.link
        assert entry.link == "" or entry.link.startswith(("http://", "https://"))
        assert entry.source_url == "" or entry.source_url.startswith(("http://", "https://"))
        for when in (entry.published, entry.updated):
            assert when is None or (
                when.utcoffset() == dt.timedelta(0) and when <= NOW + dt.timedelta(days=1)
            )


@pytest.mark.parametrize("item", MANIFEST, ids=lambda m: m["dest"])
def test_entry_count_matches_feedparser(item: dict[str, Any]) -> None:
    path = CORPUS / item["dest"]
    body = path.read_bytes()
    expected = item["feedparser"]["entries"]
    result = _parsed(path)
    if path.suffix == ".json":
        # feedparser 6.0 cannot read JSON Feed at all; digest reads it itself.
        assert expected == 0
        assert result.entries, result.error
        assert not result.error
    elif body[:2] == b"\x1f\x8b":
        # gzip without Content-Encoding: feedparser sees binary junk, digest unpacks it.
        assert expected == 0
        assert result.entries, result.error
    elif expected:
        assert len(result.entries) == expected, (result.error, result.warning)
    else:
        # Nothing readable for feedparser: digest must say why, in one line.
        assert not result.entries or not result.error
        if not result.entries and item["feedparser"]["bozo"]:
            assert result.error


def test_corpus_has_the_known_nasty_files() -> None:
    """The sweep is only meaningful if the corpus is the one the tests expect."""
    names = {p.relative_to(CORPUS).as_posix() for p in FILES}
    for must in (
        "real/speedparser/0093.dat",
        "real/speedparser/0067.dat",
        "real/pythonbrasil-planet/rss20.xml",
        "real/NetNewsWire/DaringFireball.json",
    ):
        assert must in names
    assert len(FILES) > 300
