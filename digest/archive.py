"""The editor's work on disk: ``issues/NNN.toml`` files and project files.

This is the one module that writes files of a newsletter project. Every write
is atomic (temp file, fsync, rename, fsync of the folder), so a crash or a kill
at any moment leaves either the old file or the new one, never half of each.
Issue files are serialised deterministically, one item per table with a fixed
key order, so two editors sharing a project through git get small diffs and
clean merges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.config import CONFIG_NAME, Project, default_config_text
from digest.model import (
    ISSUE_FORMAT,
    Issue,
    IssueDataError,
    Section,
    SectionDef,
    issue_from_dict,
)

_ISSUE_FILE = re.compile(r"^(\d+)\.toml$")


class ArchiveError(Exception):
    """An issue file cannot be read or written; the message names the file."""


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# --- TOML serialisation -------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _escape(s: str, *, multiline: bool) -> str:
    out: list[str] = []
    for ch in s:
        if ch == "\n" and multiline:
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(s: str) -> str:
    """A TOML string literal; multi-line text stays readable in diffs."""
    if "\n" in s:
        return '"""\n' + _escape(s, multiline=True) + '"""'
    return '"' + _escape(s, multiline=False) + '"'


def dumps_issue(issue: Issue) -> str:
    """Serialise an issue: same issue, same bytes."""
    lines = [
        f"format = {ISSUE_FORMAT}",
        f"number = {issue.number}",
        f"status = {toml_string(issue.status)}",
        f"date = {issue.date.isoformat()}",
        f"title = {toml_string(issue.title)}",
        f"intro = {toml_string(issue.intro)}",
    ]
    for section in issue.sections:
        lines += [
            "",
            "[[sections]]",
            f"id = {toml_string(section.id)}",
            f"title = {toml_string(section.title)}",
            f"kind = {toml_string(section.kind)}",
            f"notes = {toml_string(section.notes)}",
        ]
        for item in section.items:
            lines += [
                "",
                "[[sections.items]]",
                f"title = {toml_string(item.title)}",
                f"url = {toml_string(item.url)}",
                f"blurb = {toml_string(item.blurb)}",
                f"source = {toml_string(item.source)}",
                f"entry_id = {toml_string(item.entry_id)}",
            ]
    return "\n".join(lines) + "\n"


def _line_of(text: str, message: str) -> int | None:
    """Find the line of the table an IssueDataError names (sections[N].items[M])."""
    m = re.match(r"sections\[(\d+)\](?:\.items\[(\d+)\])?", message)
    if not m:
        return None
    want_sec, want_item = int(m.group(1)), int(m.group(2) or 0)
    sec = item = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped == "[[sections]]":
            sec, item = sec + 1, 0
            if sec == want_sec and not want_item:
                return lineno
        elif stripped == "[[sections.items]]":
            item += 1
            if sec == want_sec and item == want_item:
                return lineno
    return None


def loads_issue(text: str, path: Path | str = "<issue>") -> Issue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ArchiveError(f"{path}: invalid TOML: {exc}") from None
    try:
        return issue_from_dict(data)
    except IssueDataError as exc:
        line = _line_of(text, str(exc))
        where = f"{path}:{line}" if line else str(path)
        raise ArchiveError(f"{where}: {exc}") from None


def load_issue(path: Path) -> Issue:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    issue = loads_issue(text, path)
    expected = _ISSUE_FILE.match(path.name)
    if expected and int(expected.group(1)) != issue.number:
        raise ArchiveError(
            f"{path}: number = {issue.number} does not match the file name "
            f"(rename the file to {issue.number:03d}.toml or fix the number)"
        )
    return issue


def issue_path(project: Project, number: int) -> Path:
    return project.issues_dir / f"{number:03d}.toml"


def save_issue(project: Project, issue: Issue) -> Path:
    path = issue_path(project, issue.number)
    # Reject what would not load again, before it replaces a good file.
    text = dumps_issue(issue)
    loads_issue(text, path)
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot save: {exc.strerror or exc}") from exc
    return path


@dataclass(frozen=True)
class IssueLoad:
    """The result of loading every issue: the good ones and the errors of the rest."""

    issues: tuple[Issue, ...]
    errors: tuple[str, ...]


def issue_files(project: Project) -> list[tuple[int, Path]]:
    if not project.issues_dir.is_dir():
        return []
    found = []
    for path in project.issues_dir.iterdir():
        m = _ISSUE_FILE.match(path.name)
        if m and path.is_file():
            found.append((int(m.group(1)), path))
    return sorted(found)


def load_all(project: Project) -> IssueLoad:
    """Every issue, oldest first; a damaged file is reported and skipped."""
    issues: list[Issue] = []
    errors: list[str] = []
    for _number, path in issue_files(project):
        try:
            issues.append(load_issue(path))
        except ArchiveError as exc:
            errors.append(str(exc))
    return IssueLoad(tuple(issues), tuple(errors))


def next_friday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(4 - today.weekday()) % 7)


def new_issue(number: int, date: dt.date, sections: Iterable[SectionDef]) -> Issue:
    return Issue(
        number=number,
        date=date,
        sections=[Section(s.id, s.title, s.kind) for s in sections],
    )


#: A temporary file of ``atomic_write`` older than this was left by a process
#: killed mid-save (a live save takes milliseconds).
STALE_TEMP_SECONDS = 600


def sweep_stale_temp_files(folder: Path, *, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove the ``.NAME.*.tmp`` files saves killed midway left in ``folder``.

    The file they were replacing is intact (the rename never happened), so
    nothing of value is in them. Returns how many were removed.
    """
    removed = 0
    cutoff = time.time() - older_than
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
    return removed


_DRAFT_LINE = re.compile(r"""^\s*status\s*=\s*["']draft["']""", re.MULTILINE)


def open_draft(project: Project, today: dt.date | None = None) -> Issue:
    """The issue being worked on: the newest draft, or a new one after the last issue.

    A new draft is only created in memory; it reaches disk with the first save.
    Only files whose text says ``status = "draft"`` are parsed (and checked,
    so a false hit in an intro costs a parse, nothing more): an archive of 500
    issues takes most of a second to parse. Damaged files are skipped; the
    archive views report them. Leftovers of saves killed midway are swept
    here, when a session starts.
    """
    today = today or dt.date.today()
    sweep_stale_temp_files(project.issues_dir)
    files = issue_files(project)
    drafts: list[Issue] = []
    for _number, path in files:
        try:
            if _DRAFT_LINE.search(path.read_text("utf-8")):
                issue = load_issue(path)
                if issue.status == "draft":
                    drafts.append(issue)
        except (OSError, UnicodeDecodeError, ArchiveError):
            continue
    if not drafts:
        number = files[-1][0] + 1 if files else 1
        return new_issue(number, next_friday(today), project.sections)
    draft = max(drafts, key=lambda i: i.number)
    # Sections added to the config since the draft was started join it (empty).
    have = {s.id for s in draft.sections}
    for sec in project.sections:
        if sec.id not in have:
            draft.sections.append(Section(sec.id, sec.title, sec.kind))
    return draft


def publish(project: Project, number: int, today: dt.date | None = None) -> Issue:
    path = issue_path(project, number)
    issue = load_issue(path)
    issue.status = "published"
    issue.date = today or dt.date.today()
    save_issue(project, issue)
    return issue


# --- project files ------------------------------------------------------------

def init_project(root: Path, title: str) -> Path:
    """Create a new newsletter project; refuses to overwrite an existing one."""
    config = root / CONFIG_NAME
    if config.exists():
        raise ArchiveError(f"{config}: already exists; not overwriting a project")
    (root / "issues").mkdir(parents=True, exist_ok=True)
    atomic_write(config, default_config_text(title).encode("utf-8"))
    return config


def append_feeds(project: Project, feeds: Iterable[tuple[str, str]]) -> int:
    """Add ``[[feeds]]`` tables at the end of ``digest.toml``, keeping the editor's comments.

    Returns how many were new. The result is parsed before it replaces the file.
    """
    from digest.config import parse_project

    known = {f.url for f in project.feeds}
    blocks: list[str] = []
    for url, title in feeds:
        if url in known:
            continue
        known.add(url)
        block = f"\n[[feeds]]\nurl = {toml_string(url)}\n"
        if title:
            block += f"title = {toml_string(title.strip())}\n"
        blocks.append(block)
    if not blocks:
        return 0
    path = project.config_path
    text = path.read_text("utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += "".join(blocks)
    parse_project(project.root, tomllib.loads(text), path)
    atomic_write(path, text.encode("utf-8"))
    return len(blocks)
