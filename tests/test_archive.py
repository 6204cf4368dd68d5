"""Issue files: deterministic, atomic, loud about damage, merge-friendly."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from digest import archive
from digest.archive import ArchiveError
from digest.config import load_project
from digest.model import Issue, Item, Section

HOSTILE = 'x"""\\ [bold]y[/] \x1b[31m \u202e end'


def sample_issue(number: int = 7) -> Issue:
    return Issue(
        number=number,
        date=dt.date(2026, 6, 5),
        title="Django 6.0.6 is out",
        intro="Hello,\n\nthis week: *security*.",
        sections=[
            Section("news", "News", items=[
                Item("Security releases", "https://www.djangoproject.com/weblog/x/",
                     "Five CVEs.", "djangoproject.com", "abc"),
                Item(HOSTILE, "https://e.org/?a=1&b=2", "line one\nline two", "e.org"),
            ]),
            Section("updates", "Updates to Django", "notes", notes="13 PRs merged.\n\n- one"),
        ],
    )


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    archive.init_project(tmp_path, "T")
    return load_project(tmp_path)


def test_round_trip_is_exact_and_deterministic(project) -> None:  # type: ignore[no-untyped-def]
    issue = sample_issue()
    path = archive.save_issue(project, issue)
    assert path.name == "007.toml"
    first = path.read_bytes()
    assert archive.load_issue(path) == issue
    archive.save_issue(project, archive.load_issue(path))
    assert path.read_bytes() == first


def test_control_characters_survive_as_escapes(project) -> None:  # type: ignore[no-untyped-def]
    path = archive.save_issue(project, sample_issue())
    raw = path.read_bytes()
    assert b"\x1b" not in raw
    assert archive.load_issue(path).sections[0].items[1].title == HOSTILE


def test_damaged_file_names_file_and_line_and_others_still_load(project) -> None:  # type: ignore[no-untyped-def]
    archive.save_issue(project, sample_issue(1))
    path = archive.save_issue(project, sample_issue(2))
    text = path.read_text().replace('title = "Security releases"', "title = 42")
    path.write_text(text)
    loaded = archive.load_all(project)
    assert [i.number for i in loaded.issues] == [1]
    (error,) = loaded.errors
    line = text.splitlines().index("[[sections.items]]") + 1
    assert error.startswith(f"{path}:{line}: sections[1].items[1]")
    assert "'title' must be text" in error


def test_invalid_toml_names_line(project) -> None:  # type: ignore[no-untyped-def]
    path = project.issues_dir / "003.toml"
    path.write_text('format = 1\nnumber = 3\ndate = 2026-01-01\ntitle = "open\n')
    with pytest.raises(ArchiveError, match=r"003.toml: invalid TOML: .*line 4"):
        archive.load_issue(path)


def test_number_must_match_file_name(project) -> None:  # type: ignore[no-untyped-def]
    path = archive.save_issue(project, sample_issue(4))
    path.rename(project.issues_dir / "005.toml")
    with pytest.raises(ArchiveError, match="does not match the file name"):
        archive.load_issue(project.issues_dir / "005.toml")


def test_open_draft_creates_next_number_on_friday(project) -> None:  # type: ignore[no-untyped-def]
    published = sample_issue(12)
    published.status = "published"
    archive.save_issue(project, published)
    draft = archive.open_draft(project, dt.date(2026, 6, 8))  # a Monday
    assert draft.number == 13
    assert draft.date == dt.date(2026, 6, 12)
    assert [s.id for s in draft.sections] == ["news", "releases", "articles", "projects"]
    assert not (project.issues_dir / "013.toml").exists()
    archive.save_issue(project, draft)
    assert archive.open_draft(project, dt.date(2026, 6, 9)).number == 13


def test_publish_stamps_date(project) -> None:  # type: ignore[no-untyped-def]
    archive.save_issue(project, sample_issue(3))
    issue = archive.publish(project, 3, dt.date(2026, 7, 3))
    again = archive.load_issue(archive.issue_path(project, 3))
    assert again.status == issue.status == "published"
    assert again.date == dt.date(2026, 7, 3)


def test_failed_save_leaves_old_file(project, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A full disk (which cannot be made here, so fsync is made to fail) loses nothing."""
    import errno
    import os

    path = archive.save_issue(project, sample_issue(9))
    before = path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    changed = sample_issue(9)
    changed.title = "changed"
    with pytest.raises(ArchiveError, match="cannot save: No space left on device"):
        archive.save_issue(project, changed)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in project.issues_dir.iterdir()) == ["009.toml"]


def test_append_feeds_keeps_comments(project) -> None:  # type: ignore[no-untyped-def]
    before = project.config_path.read_text()
    added = archive.append_feeds(project, [("https://a.org/feed", "A"), ("https://b.org/rss", "")])
    assert added == 2
    after = project.config_path.read_text()
    assert after.startswith(before)
    reloaded = load_project(project.root)
    assert [f.url for f in reloaded.feeds] == ["https://a.org/feed", "https://b.org/rss"]
    assert archive.append_feeds(reloaded, [("https://a.org/feed", "A")]) == 0


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_two_editors_merge_cleanly(project) -> None:  # type: ignore[no-untyped-def]
    """Two editors change different items of one issue; git merges without conflict."""
    root = project.root
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "a@example.org")
    git(root, "config", "user.name", "A")
    issue = sample_issue(20)
    issue.sections[0].items.append(Item("Third", "https://t.org/", "Third blurb.", "t.org"))
    archive.save_issue(project, issue)
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "bob")
    bob = archive.load_issue(archive.issue_path(project, 20))
    bob.sections[0].items[2].blurb = "Bob rewrote this."
    archive.save_issue(project, bob)
    git(root, "commit", "-qam", "bob")
    git(root, "checkout", "-q", "main")
    alice = archive.load_issue(archive.issue_path(project, 20))
    alice.sections[0].items[0].blurb = "Alice rewrote this."
    archive.save_issue(project, alice)
    git(root, "commit", "-qam", "alice")
    git(root, "merge", "-q", "bob", "-m", "merge")
    merged = archive.load_issue(archive.issue_path(project, 20))
    assert merged.sections[0].items[0].blurb == "Alice rewrote this."
    assert merged.sections[0].items[2].blurb == "Bob rewrote this."


def test_a_session_sweeps_leftovers_of_killed_saves(project) -> None:  # type: ignore[no-untyped-def]
    archive.save_issue(project, sample_issue(340))
    folder = project.issues_dir
    old = folder / ".340.toml.abc123.tmp"
    fresh = folder / ".340.toml.def456.tmp"  # perhaps another process saving right now
    for tmp in (old, fresh):
        tmp.write_bytes(b"half a file")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    archive.open_draft(project)
    assert not old.exists() and fresh.exists()
    assert archive.load_issue(folder / "340.toml").number == 340
