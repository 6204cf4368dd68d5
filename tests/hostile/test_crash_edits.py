"""Never lose the editor's work: kills mid-save, full disks, read-only folders.

The kill test forks an editing process (``tests.hostile.crash``) and SIGKILLs
it at random moments, a hundred times by default (``DIGEST_CRASH_KILLS=N`` for
more; ``benchmarks/bench_crash.py`` for a long run). A full disk and a folder
that refuses writes are made two ways: for real where the kernel allows it
(``RLIMIT_FSIZE`` in a child process; the immutable flag, which stops even
root), and by making the system calls of the atomic write fail with the
errno a full or read-only disk gives.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from digest import archive, curate
from digest.config import Project
from digest.model import Entry, Issue
from digest.session import EditSession
from tests.hostile import crash

KILLS = int(os.environ.get("DIGEST_CRASH_KILLS", "100"))


def test_killed_editor_loses_nothing_it_was_told_was_saved(project: Project) -> None:
    report = crash.run(project.root, 1, KILLS, seed=int(os.environ.get("DIGEST_KILL_SEED", "1")))
    assert report.problems == []
    assert report.kills == KILLS
    assert (report.lost, report.damaged) == (0, 0)
    assert report.acked_saves >= KILLS
    # The kills must land inside saves often enough to mean something.
    assert report.mid_save >= KILLS // 5, report
    assert archive.load_all(project).errors == ()
    print(f"\n{report}")


def test_the_kill_test_catches_a_save_that_is_not_atomic(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the file in place, as a naive save would, is caught at once."""

    def in_place(path: Path, data: bytes) -> None:
        # A slow disk: each chunk takes a moment. On a fast one the torn file
        # lasted so short a time that 20 random kills could all miss it (the
        # test failed about one run in four on a fresh clone).
        with path.open("wb") as f:
            for start in range(0, len(data), 2048):
                time.sleep(0.002)
                f.write(data[start:start + 2048])
                f.flush()
                os.fsync(f.fileno())

    monkeypatch.setattr(archive, "atomic_write", in_place)
    report = crash.run(project.root, 1, 20, max_delay=0.2)
    assert report.damaged + report.lost > 0, report


def entry(n: int) -> Entry:
    return Entry(id=f"e{n}", link=f"https://example.org/{n}", title=f"Post {n}",
                 text="Text. More text.")


def edited_session(project: Project) -> tuple[EditSession, Path, bytes]:
    """A session with one saved pick, and the bytes of the saved file."""
    session = EditSession(project, archive.new_issue(3, dt.date(2026, 6, 12), project.sections))
    session.apply("Pick", lambda i: curate.pick(i, project, entry(1), "news"))
    path = session.save()
    assert path is not None
    return session, path, path.read_bytes()


def more_edits(session: EditSession, project: Project) -> None:
    for n in range(2, 6):
        session.apply("Pick", lambda i, n=n: curate.pick(i, project, entry(n), "articles"))
    session.apply("Blurb", lambda i: setattr(i.sections[0].items[0], "blurb", "Kept in memory"))


def assert_kept_in_memory(session: EditSession, path: Path, before: bytes) -> None:
    assert session.dirty and session.save_error
    assert path.read_bytes() == before, "a failed save changed the file"
    assert list(path.parent.glob(".*.tmp")) == [], "a failed save left a temp file"
    assert session.issue.item_count() == 5


def failing(name: str, code: int) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    fail.__name__ = name
    return fail


@pytest.mark.parametrize(("call", "code"), [
    ("fsync", errno.ENOSPC), ("replace", errno.EROFS), ("mkstemp", errno.ENOSPC),
    ("fdopen", errno.EDQUOT), ("replace", errno.EACCES),
])
def test_a_save_that_cannot_be_written_keeps_the_edits(
    project: Project, monkeypatch: pytest.MonkeyPatch, call: str, code: int
) -> None:
    session, path, before = edited_session(project)
    more_edits(session, project)
    target = tempfile if call == "mkstemp" else os
    with monkeypatch.context() as patch:
        patch.setattr(target, call, failing(call, code))
        for _ in range(3):  # autosave retries: each fails the same way
            with pytest.raises(archive.ArchiveError) as err:
                session.save()
        assert str(path) in str(err.value) and os.strerror(code) in str(err.value)
        assert_kept_in_memory(session, path, before)
        assert session.undo() == "Blurb" and session.redo() == "Blurb"
    saved = session.save()
    assert saved == path and not session.dirty and session.save_error == ""
    assert archive.load_issue(path) == session.issue


def test_a_real_file_size_limit_fails_the_save_and_keeps_the_edits(project: Project) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG), like a full disk."""
    session, path, before = edited_session(project)
    more_edits(session, project)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_fd)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) // 2, hard))
            try:
                session.save()
                os.write(write_fd, b"saved despite the limit")
            except archive.ArchiveError as exc:
                kept = session.dirty and session.issue.item_count() == 5
                os.write(write_fd, f"refused {kept} {exc}".encode())
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            session.save()
            os.write(write_fd, f"\nthen saved {not session.dirty}".encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    with os.fdopen(read_fd) as pipe:
        said = pipe.read()
    first, _, second = said.partition("\n")
    assert first.startswith("refused True ") and "File too large" in first, said
    assert str(path) in first
    assert second == "then saved True"
    assert archive.load_issue(path).item_count() == 5


@contextmanager
def immutable(folder: Path) -> Iterator[None]:
    """The ext4/xfs immutable flag: no new files, no renames, even for root."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    done = subprocess.run([chattr, "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this file system has no immutable flag: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_a_real_read_only_issues_folder_keeps_the_edits(project: Project) -> None:
    session, path, before = edited_session(project)
    more_edits(session, project)
    with immutable(project.issues_dir):
        with pytest.raises(archive.ArchiveError, match="Operation not permitted") as err:
            session.save()
        assert str(path) in str(err.value)
        assert_kept_in_memory(session, path, before)
    assert session.save() == path and not session.dirty
    assert archive.load_issue(path) == session.issue


def test_the_cli_says_so_in_one_line_when_issues_cannot_be_written(
    project: Project, tmp_path: Path
) -> None:
    from digest.store import FetchRecord, Store

    db = tmp_path / "cache.sqlite"
    with Store(db) as store:
        store.record_fetch(FetchRecord("https://example.org/feed", "ok"), [entry(9)])
    archive.save_issue(project, Issue(number=4, date=dt.date(2026, 6, 12)))
    with immutable(project.issues_dir):
        done = subprocess.run(
            [sys.executable, "-m", "digest", "--project", str(project.root),
             "--db", str(db), "pick", "e9", "news"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot save" in lines[0] and "004.toml" in lines[0], done.stderr
    assert archive.load_issue(archive.issue_path(project, 4)).item_count() == 0
