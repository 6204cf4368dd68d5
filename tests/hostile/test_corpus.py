"""Every file of the shared feed corpus, served over loopback HTTP, through fetch,
parse and store: nothing escapes, every feed ends with a recorded status.

The corpus holds real feeds and real broken responses (HTML pages, PHP errors,
gzip without a header, truncated documents, lying encodings) plus feedparser's
own test files, which are served with the HTTP headers their ``Header:`` lines
ask for. ``real/MANIFEST.json`` records what feedparser 6.0.14 found in each
real file; digest must never find fewer entries.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from digest.feeds.urls import canonical_url
from digest.ingest import FeedOutcome
from digest.store import EntryFilter, Store
from digest.textclean import clean_line
from tests.feedserver import FeedServer
from tests.hostile.support import CORPUS, fetch

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")

_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)
#: Wording of an exception that digest caught only at its last line of defence.
INTERNAL = ("parser failed:", "could not store:", "Traceback")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


def served_headers(body: bytes) -> tuple[str, dict[str, str]]:
    """(Content-Type, other headers) a feedparser test file asks to be served with."""
    content_type = ""
    headers: dict[str, str] = {}
    for name, value in _HEADER.findall(body[:4096]):
        key, val = name.decode().title(), value.decode("latin-1")
        if key == "Content-Type":
            content_type = val
        elif val:
            headers[key] = val
    return content_type, headers


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, FeedOutcome],
                                                             dict[str, str], Path]:
    files = corpus_files()
    db = tmp_path_factory.mktemp("corpus") / "cache.sqlite"
    with FeedServer() as server, Store(db) as store:
        url_of: dict[str, str] = {}
        for n, path in enumerate(files):
            body = path.read_bytes()
            content_type, headers = served_headers(body)
            rel = str(path.relative_to(CORPUS))
            url_of[rel] = server.add(f"/{n}/{path.name}", body, content_type=content_type,
                                     headers=headers)
        summary = fetch(store, list(url_of.values()))
    outcomes = {o.url: o for o in summary.outcomes}
    return outcomes, url_of, db


def test_the_corpus_is_all_there() -> None:
    files = corpus_files()
    data = [p for p in files if p.suffix not in (".md",) and p.name not in (
        "LICENSE", "INDEX.tsv", "MANIFEST.json", ".gitattributes")]
    # 411 data files per the corpus README, plus its READMEs and indexes.
    assert len(data) >= 411, len(data)


def test_every_file_ends_with_one_recorded_status(sweep: tuple[dict[str, FeedOutcome],
                                                               dict[str, str], Path]) -> None:
    outcomes, url_of, db = sweep
    assert set(outcomes) == set(url_of.values()), "a feed of the run got no outcome"
    with Store(db) as store:
        feeds = {f.url: f for f in store.feeds()}
    problems = []
    for rel, url in url_of.items():
        o, f = outcomes[url], feeds.get(url)
        if f is None or f.last_fetch is None or f.status not in ("ok", "error", "gone"):
            problems.append(f"{rel}: no recorded status ({f})")
            continue
        if f.status != o.status:
            problems.append(f"{rel}: stored {f.status}, reported {o.status}")
        if o.status == "error" and not o.error:
            problems.append(f"{rel}: error without a message")
        for text in (o.error, f.error):
            if "\n" in text or clean_line(text) != text or any(s in text for s in INTERNAL):
                problems.append(f"{rel}: unclear error {text!r}")
    assert problems == []


def test_real_feeds_give_at_least_what_feedparser_gives(
    sweep: tuple[dict[str, FeedOutcome], dict[str, str], Path],
) -> None:
    outcomes, url_of, _ = sweep
    manifest = json.loads((CORPUS / "real" / "MANIFEST.json").read_text("utf-8"))
    short = []
    for record in manifest:
        expected = record["feedparser"]["entries"]
        got = outcomes[url_of[record["dest"]]]
        if got.entries < expected:
            short.append(f"{record['dest']}: {got.entries} < {expected} ({got.error})")
    assert len(manifest) == 99
    assert short == []


def test_stored_entries_hold_only_clean_text_and_web_links(
    sweep: tuple[dict[str, FeedOutcome], dict[str, str], Path],
) -> None:
    _, _, db = sweep
    with Store(db) as store:
        rows = store.list_entries(EntryFilter(hide_dismissed=False), limit=100_000)
        assert len(rows) > 1500
        bad = []
        for row in rows:
            entry = store.entry(row.id)
            assert entry is not None
            for name in ("title", "author", "source_title", "feed_title"):
                value = getattr(entry, name)
                if clean_line(value) != value:
                    bad.append(f"{row.id} {name}={value[:80]!r}")
            for name in ("link", "source_url"):
                value = getattr(entry, name)
                if value and canonical_url(value) != value:
                    bad.append(f"{row.id} {name}={value[:80]!r}")
    assert bad == []
