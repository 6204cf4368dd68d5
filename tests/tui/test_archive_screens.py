"""The archive and search screens driven through Pilot, on a real project and store.

The project's issue 340 (published) featured entry e006's link; e005's title
is hostile markup. Assertions are on what the terminal shows and on where
the inbox cursor ends up.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from textual.widgets import Input, OptionList

from digest import archive
from digest.config import Project
from digest.model import Issue, Item, Section
from digest.tui.app import DigestApp
from digest.tui.screens.archive import ArchiveScreen, IssueReader
from digest.tui.screens.search import SearchScreen
from digest.tui.widgets.archive_highlight import MATCH_STYLE
from tests.tui.helpers import entry_list, inbox, screen_text, settle

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def reader(app: DigestApp) -> IssueReader:
    assert isinstance(app.screen, IssueReader), app.screen
    return app.screen


def notices(app: DigestApp) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001


def highlighted_id(app: DigestApp, selector: str) -> str | None:
    option = app.screen.query_one(selector, OptionList).highlighted_option
    return option.id if option is not None else None


async def test_open_archive_read_issue_search_and_follow_items_to_entries(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Narrow the inbox first: following an item must undo that to show its entry.
        await pilot.press("slash", *"wagtail", "enter")
        await settle(pilot)
        assert [r.id for r in [entry_list(app).current] if r] == ["e002"]

        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ArchiveScreen)
        text = screen_text(app)
        row = next(line for line in text.splitlines() if line.lstrip().startswith("340"))
        assert "Fri 29 May 2026" in row and "1 item" in row and "Issue 340" in row
        assert "1 issue (1 published)" in text
        assert "old.example" in text  # the most featured sources chart

        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert reader(app).issue.number == 340
        assert "● pytest tips" in text  # its entry is in the store
        assert "Tips." in text  # the issue rendered
        await pilot.press("g")
        await settle(pilot, 4)
        assert app.current_mode == "inbox"
        assert inbox(app).filter.text == ""
        assert entry_list(app).current is not None and entry_list(app).current.id == "e006"

        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"pytest tip")
        await settle(pilot)
        text = screen_text(app)
        assert "1 in past issues · 1 entries" in text
        assert "#340" in text and "Featured last month: pytest tips" in text
        assert text.index("#340") < text.index("Featured last month")  # issues first

        await pilot.press("enter")  # into the results, on the first hit
        await pilot.press("enter")  # open the issue at that item
        await settle(pilot)
        assert reader(app).issue.number == 340
        assert highlighted_id(app, "#reader-items") == "item-0-0"

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("down", "enter")  # the entry hit
        await settle(pilot, 4)
        assert app.current_mode == "inbox"
        assert entry_list(app).current is not None and entry_list(app).current.id == "e006"


async def test_search_shows_hostile_titles_literally_with_matches_highlighted(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S", *"click")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]click me[/]" in text
        assert not CONTROL.search(text)
        option = app.screen.query_one("#search-results", OptionList).get_option("entry-0")
        prompt = option.prompt
        first_line = str(prompt).split("\n")[0]
        marked = [first_line[s.start:s.end] for s in prompt.spans  # type: ignore[union-attr]
                  if s.style == MATCH_STYLE and s.end <= len(first_line)]
        assert marked == ["click", "click"]  # "[@click=…" and "click me", nothing else
        assert app.is_running


async def test_search_hints_and_empty_results(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", "x")
        await settle(pilot)
        assert "Type two letters or more" in screen_text(app)
        await pilot.press(*"yzzy")
        await settle(pilot)
        assert "Nothing matches xyzzy" in screen_text(app)
        await pilot.press("escape")  # from the box straight back to the inbox
        await settle(pilot)
        assert app.current_mode == "inbox"


async def test_latest_query_wins(app, monkeypatch) -> None:
    real_search = app.store.search

    def slow_for_old_words(query: str, limit: int = 50):  # type: ignore[no-untyped-def]
        # The first query answers last: a stale result must not replace a fresh one.
        time.sleep(0.4 if query == "wagtail" else 0)
        return real_search(query, limit)

    monkeypatch.setattr(app.store, "search", slow_for_old_words)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        box = app.screen.query_one(Input)
        box.value = "wagtail"
        await pilot.pause(0.05)
        box.value = "asyncio task"
        await pilot.pause(0.6)
        await settle(pilot)
        text = screen_text(app)
        assert "Understanding asyncio task groups" in text
        assert "Wagtail 7.1" not in text


async def test_a_damaged_issue_file_is_reported_and_the_rest_still_listed(
        app, project: Project) -> None:
    (project.issues_dir / "339.toml").write_text("format = 1\nnumber = 339\ndate = \n", "utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        text = screen_text(app)
        assert "1 issue (1 published) · 1 items · 1 file could not be read: " in text
        assert "issues/339.toml: invalid TOML" in text  # names the file and the problem
        assert "line 3" in text


async def test_reader_marks_only_items_whose_entry_is_stored(app, project: Project) -> None:
    archive.save_issue(project, Issue(339, dt.date(2026, 5, 22), "Older", "published", sections=[
        Section("news", "News", items=[
            # e002's link with a tracking parameter: still its entry.
            Item("Wagtail", "https://blog2.example/post/2?utm_source=news", "W."),
            Item("Elsewhere", "https://nowhere.example/", "Not in any feed."),
        ]),
        Section("updates", "Updates to Django", "notes", notes="Notes only."),
    ]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("down", "enter")  # 339 is below 340
        await settle(pilot)
        text = screen_text(app)
        assert reader(app).issue.number == 339
        assert "● Wagtail" in text and "● Elsewhere" not in text and "Elsewhere" in text
        await pilot.press("down", "g")
        await settle(pilot)
        assert isinstance(app.screen, IssueReader)  # nowhere to go
        assert any("entry is not in the store" in n for n in notices(app))
        await pilot.press("up", "enter")
        await settle(pilot, 4)
        assert app.current_mode == "inbox"
        assert entry_list(app).current is not None and entry_list(app).current.id == "e002"
        # Back in the archive, the reader is where it was left.
        await pilot.press("A")
        await settle(pilot)
        assert reader(app).issue.number == 339
