"""The archive's building blocks without a running app: highlights, charts, lookups."""

from __future__ import annotations

import datetime as dt

from digest.model import Issue, Item, Section
from digest.store import IssueHit, Store
from digest.tui.screens.archive import entry_position, find_entry, issue_row
from digest.tui.screens.search import IssueTitleHit, group_issue_hits, usable_query
from digest.tui.widgets.archive_chart import bar, items_per_issue, top_sources
from digest.tui.widgets.archive_highlight import (
    MATCH_STYLE,
    highlight_words,
    marked,
    query_words,
)


def spans_text(content) -> list[str]:  # type: ignore[no-untyped-def]
    plain = content.plain
    return [plain[s.start:s.end] for s in content.spans if s.style == MATCH_STYLE]


def test_marked_snippets_become_spans_and_stay_literal() -> None:
    content = marked("…the [b]\x02security\x03[/b] step \x1b[2Jand \x02Security\x03…")
    assert content.plain == "…the [b]security[/b] step and Security…"
    assert spans_text(content) == ["security", "Security"]
    assert "\x1b" not in content.plain and "\x02" not in content.plain


def test_marked_keeps_spaces_around_matches() -> None:
    assert marked("a \x02b\x03 c").plain == "a b c"
    assert marked("\x02x\x03\x02y\x03").plain == "xy"


def test_highlight_words_marks_word_prefixes_only() -> None:
    content = highlight_words("Django's async ORM: asyncio [red]tips[/red]",
                              query_words("ASYNC tip"))
    assert spans_text(content) == ["async", "asyncio", "tips"]
    assert content.plain == "Django's async ORM: asyncio [red]tips[/red]"
    assert spans_text(highlight_words("unasync", ["async"])) == []
    assert spans_text(highlight_words("a.b (c)", ["(c", "."])) == []  # no regex injection


def test_usable_query_drops_one_letter_words() -> None:
    assert usable_query("a C django x") == "django"
    assert usable_query("é") == ""


def _hit(number: int, title: str, snippet: str = "", section: str = "News") -> IssueHit:
    return IssueHit(number, "2026-06-05", f"Issue title {number}", section, title, "", "",
                    snippet, 0.0)


def test_items_matched_only_by_their_issue_title_fold_into_one_row() -> None:
    hits = (_hit(340, "Security releases"), _hit(340, "PyBay"), _hit(339, "x", "\x02sec\x03"),
            _hit(340, "Daphne"), _hit(338, "Jobs", section="Security corner"))
    grouped = group_issue_hits(hits, ["security"])
    assert grouped == [
        hits[0],
        IssueTitleHit(340, "2026-06-05", "Issue title 340", 2),
        hits[2],
        hits[4],
    ]


def test_top_sources_counts_published_issues_only() -> None:
    def issue(n: int, status: str, *urls: str) -> Issue:
        return Issue(n, dt.date(2026, 1, n), status=status,  # type: ignore[arg-type]
                     sections=[Section("news", "News", items=[Item("t", u) for u in urls])])

    issues = [
        issue(1, "published", "https://www.b.org/1", "https://a.org/1"),
        issue(2, "published", "https://b.org/2", "https://c.org/"),
        issue(3, "draft", "https://a.org/2", "https://a.org/3", "https://a.org/4"),
    ]
    issues[0].sections[0].items[1].source = "alias.example"
    assert top_sources(issues) == (("b.org", 2), ("alias.example", 1), ("c.org", 1))
    assert top_sources(issues, limit=1) == (("b.org", 2),)
    assert items_per_issue(list(reversed(issues)), last=2) == (2, 3)


def test_bars_are_proportional_to_an_eighth_of_a_cell() -> None:
    assert bar(10, 10, 5) == "█████"
    assert bar(5, 10, 5) == "██▌"
    assert bar(1, 100, 5) == "▏"  # never invisible
    assert bar(0, 10, 5) == "" and bar(3, 0, 5) == ""


def test_issue_row_shows_number_date_counts_and_draft() -> None:
    issue = Issue(12, dt.date(2026, 6, 5), "[b]Hello[/b]", "draft", sections=[
        Section("news", "News", items=[Item("a", "https://a/")]),
        Section("notes", "Notes", "notes", notes="Some notes"),
        Section("empty", "Empty")])
    row = issue_row(issue)
    assert row.plain == "   12  Fri 05 Jun 2026    1 item   2 sections  draft [b]Hello[/b]"


def test_items_find_their_entry_by_id_or_canonical_link(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.tui.conftest import fill_store

    store = Store(tmp_path / "c.db")
    fill_store(store)
    assert find_entry(store, Item("x", "", entry_id="e003")) == "e003"
    assert find_entry(store, Item("x", "https://blog4.example/post/4")) == "e004"
    assert find_entry(store, Item("x", "https://blog4.example/post/4?utm_medium=email#top")) \
        == "e004"
    assert find_entry(store, Item("x", "https://nowhere.example/")) is None
    assert find_entry(store, Item("x", "", entry_id="gone")) is None
    rowid, state = entry_position(store, "e005")  # type: ignore[misc]
    assert store.rows([rowid])[0].id == "e005" and state == "new"
    store.set_state(["e005"], "dismissed")
    assert entry_position(store, "e005") == (rowid, "dismissed")
    assert entry_position(store, "missing") is None
    store.close()
