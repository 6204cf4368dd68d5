"""A real newsletter project on disk and a real SQLite cache for the TUI tests.

Entries carry fixed dates and markup-like, control-character-laden titles, so
every test doubles as a check that feed text is shown literally.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest import archive
from digest.config import Project, load_project
from digest.model import Entry, Issue, Item, Section
from digest.store import FetchRecord, Store
from digest.tui.app import DigestApp, make_app

TODAY = dt.date(2026, 6, 10)
FETCHED = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)

PLANET = "https://planet.example/rss"
BLOG = "https://blog.example/atom"
BROKEN = "https://broken.example/feed"

#: Titles a stranger could write. Shown literally, never interpreted.
HOSTILE_TITLE = ("[bold red]x[/] [@click=app.quit]click me[/] "
                 "\x1b]52;c;aGFjaw==\x07\x1b[2J\u202egnp.exe")


def _entry(n: int, title: str, feed: str, day: int, **kw: str) -> Entry:
    link = kw.pop("link", f"https://blog{n}.example/post/{n}")
    return Entry(
        id=f"e{n:03d}", link=link, title=title, feed_url=feed,
        author=kw.pop("author", f"Author {n}"),
        published=dt.datetime(2026, 6, day, 9, n % 60, tzinfo=dt.UTC),
        text=kw.pop("text", f"Body of post {n}. It has two sentences."),
        **kw,  # type: ignore[arg-type]
    )


ENTRIES_PLANET = [
    _entry(1, "Django 6.0.6 security release", PLANET, 9, author="Natalia"),
    _entry(2, "Wagtail 7.1 is out", PLANET, 8, author="Thibaud"),
    _entry(3, "Understanding asyncio task groups", PLANET, 7, author="Łukasz"),
    _entry(4, "A tiny ORM for SQLite", PLANET, 6),
    _entry(5, HOSTILE_TITLE, PLANET, 5, author="[i]mallory[/i]",
           text="Hello [b]bold?[/b] \x1b[31mred\x1b[0m end"),
    _entry(6, "Featured last month: pytest tips", PLANET, 4,
           link="https://old.example/pytest-tips"),
]
ENTRIES_BLOG = [
    _entry(7, "Python 3.15 beta 2", BLOG, 3, author="Hugo"),
    _entry(8, "Profiling with perf", BLOG, 2, author="Pablo"),
]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Dates are drawn in local time: make that UTC for deterministic screens."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make_project(root: Path, feeds: list[tuple[str, str]] = ()) -> Project:  # type: ignore[assignment]
    archive.init_project(root, "Django News")
    if feeds:
        project = load_project(root)
        archive.append_feeds(project, feeds)
    project = load_project(root)
    # Issue 340, published: it featured entry 6's link.
    past = Issue(340, dt.date(2026, 5, 29), "Issue 340", status="published", sections=[
        Section("news", "News", items=[
            Item("pytest tips", "https://old.example/pytest-tips", "Tips.", "old.example"),
        ]),
    ])
    archive.save_issue(project, past)
    return project


def fill_store(store: Store) -> None:
    store.ensure_feeds([(PLANET, "Planet Python"), (BLOG, "Hugo's blog"),
                        (BROKEN, "[b]Broken[/b] feed")])
    store.record_fetch(FetchRecord(PLANET, "ok", 200, title="Planet Python", when=FETCHED),
                       ENTRIES_PLANET)
    store.record_fetch(FetchRecord(BLOG, "ok", 200, title="Hugo's blog", when=FETCHED),
                       ENTRIES_BLOG)
    store.record_fetch(FetchRecord(BROKEN, "error", 500,
                                   error="HTTP 500 [red]Internal[/red] Server Error",
                                   when=FETCHED))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "news")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "cache.db")
    fill_store(s)
    yield s
    s.close()


@pytest.fixture
def app(project: Project, store: Store) -> DigestApp:
    return make_app(project, store, today=TODAY, autosave_delay=0.05)


def draft_text(project: Project) -> str:
    """The saved draft file (issue 341, after 340)."""
    return (project.issues_dir / "341.toml").read_text("utf-8")


def draft(project: Project) -> Issue:
    return archive.load_issue(project.issues_dir / "341.toml")


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
