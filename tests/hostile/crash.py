"""Kill an editing session at random moments and check that no saved work is lost.

A child process edits one issue through the functions the TUI uses
(``EditSession.apply`` with ``digest.curate`` steps, then ``EditSession.save``)
as fast as it can, and reports on a pipe:

* ``save N SHA`` just before it saves state N, whose file bytes hash to SHA;
* ``ack N`` once ``save`` has returned, i.e. once the editor was told "saved".

The parent SIGKILLs it at a random moment, then checks the issue file: it
must load, it must be exactly one of the announced states (never a mix of
two), and it must be at least the last acknowledged one. The next child
continues from whatever the file holds, as the editor would after a crash.

Used by ``test_crash_edits.py`` (100 kills) and ``benchmarks/bench_crash.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import select
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from digest import archive, curate
from digest.config import Project, load_project
from digest.model import Entry, Issue, Item
from digest.session import EditSession

_TITLE = re.compile(r"^Crash test, edit (\d+)$")
#: Blurb text an editor might paste, hostile characters included.
_BLURBS = (
    "A short blurb.",
    "Über naïve façade — “quotes” and 🚀 emoji, 東京 and עברית.",
    'Quotes " and \\ backslashes \\" and """ triple quotes',
    "Markdown [link](https://example.org/) with *stars* and `code`.\n\nSecond paragraph.",
    "Control \x1b[2J and \x07 bell and \u202e bidi",
    "Long " * 200,
)


def issue_state(text: str) -> int:
    """The edit counter saved in an issue file."""
    issue = archive.loads_issue(text)
    m = _TITLE.match(issue.title)
    return int(m.group(1)) if m else 0


def _entry(rng: random.Random) -> Entry:
    n = rng.randrange(10_000)
    return Entry(id=f"crash-{n}", link=f"https://blog{n % 97}.example.org/post/{n}",
                 title=f"Post {n}: {rng.choice(_BLURBS)[:40]}", text=rng.choice(_BLURBS))


def _edit(issue: Issue, project: Project, rng: random.Random, n: int) -> None:
    """One editing step of the kind the TUI's keys make, then the counter."""
    sections = [s.id for s in project.sections if s.kind == "links"]
    filled = [s for s in issue.sections if s.items]
    roll = rng.random()
    if roll < 0.35 or not filled:
        curate.pick(issue, project, _entry(rng), rng.choice(sections))
    elif roll < 0.5:
        sec = rng.choice(filled)
        curate.remove_item(issue, sec.id, rng.randrange(len(sec.items)))
    elif roll < 0.6:
        sec = rng.choice(filled)
        curate.move_item(issue, project, sec.id, rng.randrange(len(sec.items)),
                         rng.choice(sections))
    elif roll < 0.7:
        sec = rng.choice(filled)
        curate.shift_item(issue, sec.id, rng.randrange(len(sec.items)), rng.choice((-1, 1)))
    elif roll < 0.75:
        curate.shift_section(issue, rng.choice(issue.sections).id, rng.choice((-1, 1)))
    elif roll < 0.8:
        sec = rng.choice(filled)
        target = rng.choice([s for s in issue.sections if s.kind == "links"])
        curate.place_item(issue, sec.id, rng.randrange(len(sec.items)), target.id,
                          rng.randrange(len(target.items) + 1))
    elif roll < 0.95:
        sec = rng.choice(filled)
        sec.items[rng.randrange(len(sec.items))].blurb = rng.choice(_BLURBS)
    else:
        curate.add_item(issue, project, rng.choice(sections),
                        Item(f"Manual {n}", f"https://example.org/{n}", rng.choice(_BLURBS)))
    while issue.item_count() > 150:
        sec = max(issue.sections, key=lambda s: len(s.items))
        sec.items.pop(0)
    issue.title = f"Crash test, edit {n}"


def child(root: Path, number: int, fd: int, seed: int) -> None:
    """The editing process: never returns."""
    try:
        project = load_project(root)
        path = archive.issue_path(project, number)
        if path.exists():
            issue = archive.load_issue(path)
        else:
            issue = archive.new_issue(number, dt.date(2026, 6, 12), project.sections)
        session = EditSession(project, issue)
        n = issue_state(archive.dumps_issue(issue))
        rng = random.Random(seed)
        while True:
            n += 1
            session.apply("Edit", lambda i, n=n: _edit(i, project, rng, n))
            data = archive.dumps_issue(session.issue).encode("utf-8")
            os.write(fd, f"save {n} {hashlib.sha256(data).hexdigest()}\n".encode())
            session.save()
            os.write(fd, f"ack {n}\n".encode())
    except BaseException as exc:  # noqa: BLE001 - report and leave without unwinding
        os.write(fd, f"error {type(exc).__name__}: {exc}\n".encode()[:4000])
    finally:
        os._exit(3)


@dataclass
class Report:
    kills: int = 0
    #: Kills that landed after "save N" and before "ack N": mid-write.
    mid_save: int = 0
    #: Kills after which the file held the save in flight (newer than the last ack).
    newer_than_ack: int = 0
    acked_saves: int = 0
    #: Acknowledged states missing from the file after a kill: must stay 0.
    lost: int = 0
    #: Files that did not load, or held a state that was never announced: must stay 0.
    damaged: int = 0
    leftover_temp_files: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _read_available(fd: int, buf: bytearray, timeout: float) -> None:
    if select.select([fd], [], [], timeout)[0]:
        data = os.read(fd, 65536)
        buf += data


def run(root: Path, number: int, kills: int, *, seed: int = 1,
        max_delay: float = 0.03) -> Report:
    """Fork, edit, SIGKILL and check ``kills`` times; see the module docstring."""
    rng = random.Random(seed)
    report = Report()
    project = load_project(root)
    path = archive.issue_path(project, number)
    started = time.monotonic()
    last_acked = 0
    announced: dict[int, str] = {}
    for k in range(kills):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_fd)
            child(root, number, write_fd, seed * 100_003 + k)
        os.close(write_fd)
        buf = bytearray()
        deadline = time.monotonic() + 30
        while b"ack " not in buf and time.monotonic() < deadline:
            _read_available(read_fd, buf, 0.05)
            if b"error " in buf:
                break
        kill_at = time.monotonic() + rng.uniform(0, max_delay)
        while time.monotonic() < kill_at:
            _read_available(read_fd, buf, max(0.0, kill_at - time.monotonic()))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buf += chunk
        os.close(read_fd)
        report.kills += 1
        lines = buf.decode("utf-8", "replace").splitlines()
        saving = None
        for line in lines:
            word, _, rest = line.partition(" ")
            if word == "save":
                n, sha = rest.split()
                announced[int(n)] = sha
                saving = int(n)
            elif word == "ack":
                last_acked = int(rest)
                report.acked_saves += 1
                saving = None
            elif word == "error":
                report.problems.append(f"kill {k}: the editor failed: {rest}")
        if saving is not None:
            report.mid_save += 1
        try:
            data = path.read_bytes()
            state = issue_state(data.decode("utf-8"))
        except (OSError, ValueError, archive.ArchiveError) as exc:
            report.damaged += 1
            report.problems.append(f"kill {k}: the issue file does not load: {exc}")
            break
        if announced.get(state) != hashlib.sha256(data).hexdigest():
            report.damaged += 1
            report.problems.append(f"kill {k}: the file holds state {state}, never announced")
        if state < last_acked:
            report.lost += last_acked - state
            report.problems.append(f"kill {k}: saved {last_acked}, file has {state}")
        elif state > last_acked:
            report.newer_than_ack += 1
    report.leftover_temp_files = len(list(path.parent.glob(f".{path.name}.*.tmp")))
    report.seconds = time.monotonic() - started
    return report
