"""Terminal control sequences and Rich markup from feeds never reach a screen.

``terminal.xml`` carries raw ESC, C1, BEL, backspace, CR, bidi overrides, OSC 52
(clipboard), OSC 8 (hidden hyperlink), DCS and window-title sequences in titles,
authors, categories and the feed title; it is ill-formed XML, so the loose
parser lets the raw bytes through. ``xss.json`` carries the same as JSON
escapes, the well-formed way in. Rich/Textual markup must stay literal text:
shown as typed, never interpreted, never an error.

The CLI is then run on a real pseudo-terminal, where Rich draws progress bars
and colours, and everything it writes is checked: the only escape sequences
allowed are colour changes and hyperlinks to web pages.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from digest import archive, curate
from digest.config import Project
from digest.feeds.parse import parse_feed
from digest.store import EntryFilter, Store
from digest.textclean import clean_line
from tests.feedserver import FeedServer
from tests.hostile.ptyrun import run_on_pty
from tests.hostile.support import FEEDS, fetch

# What a terminal acts on: ESC and the 8-bit C1 controls (CSI, OSC, DCS...),
# BEL, BS, CR, other C0, DEL, and the bidi controls that reorder a line.
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(rb"\x1b\[[0-9;]*m")
OSC8 = re.compile(rb"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)(?:\x07|\x1b\\)")
#: Sequences Rich itself writes to draw a progress bar and hide the cursor.
RICH_OWN = re.compile(rb"\x1b\[\?25[lh]|\x1b\[2K|\x1b\[1A|\x1b\[1G|\r")


def entries_of(name: str) -> list[tuple[str, str, tuple[str, ...], str]]:
    parsed = parse_feed((FEEDS / name).read_bytes(), f"https://feeds.example.org/{name}")
    assert parsed.entries, parsed.error
    return [(e.title, e.author, e.categories, e.source_title) for e in parsed.entries] + [
        (parsed.title, "", (), "")]


@pytest.mark.parametrize("name", ["terminal.xml", "xss.json", "xss.xml", "xss-atom.xml"])
def test_parsed_text_holds_no_control_characters(name: str) -> None:
    for title, author, categories, source in entries_of(name):
        for text in (title, author, source, *categories):
            assert DANGEROUS.search(text) is None, repr(text)
            assert clean_line(text) == text


def test_escape_sequences_go_whole_payload_and_all() -> None:
    titles = [t for t, *_ in entries_of("terminal.xml")] + [t for t, *_ in entries_of("xss.json")]
    joined = "\n".join(titles)
    assert "Screen cleared" in joined and "Clipboard" in joined
    for payload in ("cm0gLXJmIH4K", "52;c;", "]0;pwned", "8;;https://evil.example/", "+q544e",
                    "[31;1m", "swallow everything"):
        assert payload not in joined


def test_rich_markup_stays_literal_text() -> None:
    titles = {t for t, *_ in entries_of("terminal.xml")}
    for literal in ("[bold red]PWNED[/bold red] rich markup",
                    "[@click=app.quit]Click me[/] to quit",
                    "[link=javascript:alert(1)]rich link[/link]", "[/] closes nothing [/x]",
                    ":skull: :warning: emoji codes"):
        assert literal in titles


@pytest.fixture
def fetched_project(tmp_path: Path, project: Project) -> tuple[Project, Path]:
    """The terminal and JSON feeds fetched into a cache and picked into issue 7."""
    db = tmp_path / "cache.sqlite"
    with FeedServer() as server, Store(db) as store:
        urls = [server.add(f"/{n}", (FEEDS / n).read_bytes()) for n in ("terminal.xml",
                                                                        "xss.json")]
        assert {o.status for o in fetch(store, urls).outcomes} == {"ok"}
        archive.append_feeds(project, [(u, "") for u in urls])
        issue = archive.new_issue(7, dt.date(2026, 6, 12), project.sections)
        rows = store.list_entries(EntryFilter(), limit=1000)
        issue.title = " · ".join(r.title for r in rows[:5])
        for row in rows:
            entry = store.entry(row.id)
            assert entry is not None
            curate.pick(issue, project, entry, "news")
        archive.save_issue(project, issue)
    return project, db


def assert_only_harmless_sequences(out: bytes) -> None:
    for m in OSC8.finditer(out):
        assert m.group(1) == b"" or m.group(1).startswith((b"http://", b"https://")), m.group()
    rest = RICH_OWN.sub(b"", OSC8.sub(b"", SGR.sub(b"", out)))
    text = rest.decode("utf-8")
    assert DANGEROUS.sub("", text.replace("\n", "")) == text.replace("\n", ""), [
        (m.start(), text[max(0, m.start() - 30):m.end() + 30]) for m in DANGEROUS.finditer(
            text.replace("\n", ""))][:5]


@pytest.mark.parametrize("command", [["entries", "--limit", "500"], ["feeds", "list"],
                                     ["issues", "list"], ["issues", "show", "7"],
                                     ["export", "7", "-f", "text"], ["export", "7", "-f", "md"]])
def test_cli_output_on_a_terminal_is_only_text_and_colour(
    fetched_project: tuple[Project, Path], command: list[str]
) -> None:
    project, db = fetched_project
    code, out = run_on_pty(["--project", str(project.root), "--db", str(db), *command])
    assert code == 0, out.decode("utf-8", "replace")[-2000:]
    assert b"Traceback" not in out
    assert len(out) > 40
    assert_only_harmless_sequences(out)


def test_fetch_progress_on_a_terminal_survives_markup_in_a_feed_url(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A subscription URL is shown in the progress bar; ``[/x]`` in it is text."""
    feed_server.add("/feed.xml", (FEEDS / "terminal.xml").read_bytes())
    urls = [feed_server.url("/feed.xml?tag=[/x]"), feed_server.url("/feed.xml?[bold]=[/bold]")]
    code, out = run_on_pty(["--db", str(tmp_path / "c.sqlite"), "fetch", *urls],
                           env={"TTY_COMPATIBLE": "1"})
    text = out.decode("utf-8", "replace")
    assert "Traceback" not in text and "MarkupError" not in text, text[-1500:]
    assert code == 0 and "2 feeds: 2 ok" in text, text[-1500:]
    assert_only_harmless_sequences(out)
