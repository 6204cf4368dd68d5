"""The whole curator flow on a real project: fetch from a loopback server, filter,
file four entries into four sections, move, remove, dismiss, reorder, undo, and
check the saved ``issues/NNN.toml``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from digest import curate
from digest.store import FetchRecord, Store
from digest.tui.app import make_app
from digest.tui.screens.feeds import FeedsScreen
from digest.tui.widgets.entry_preview import EntryPreview
from tests.feedserver import FeedServer
from tests.tui.conftest import ENTRIES_BLOG, TODAY, draft, draft_text, make_project
from tests.tui.helpers import (
    entry_list,
    inbox,
    listed_ids,
    screen_text,
    settle,
    store_digest_notes,
    stored_elsewhere,
)


def rss(title: str, items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate><description>{text}</description></item>"
        for t, link, date, text in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://planet.example/</link>{body}</channel></rss>")


PLANET = rss("Planet Django", [
    ("Django security releases 6.0.6 and 5.2.15", "https://www.djangoproject.com/weblog/sec/",
     "Tue, 09 Jun 2026 10:00:00 +0000", "Django 6.0.6 fixes two security issues. Upgrade."),
    ("Wagtail 7.1 released", "https://wagtail.org/blog/7-1/",
     "Mon, 08 Jun 2026 10:00:00 +0000", "Wagtail 7.1 brings a new editor."),
    ("Deploying Django with uv", "https://adamj.eu/tech/uv-deploy/",
     "Sun, 07 Jun 2026 10:00:00 +0000", "A guide to deploying with uv."),
    ("django-tasks 1.0", "https://github.com/realorangeone/django-tasks",
     "Sat, 06 Jun 2026 10:00:00 +0000", "A background task library for Django."),
    ("[red]Totally[/red] normal post \x1b[2J", "https://spam.example/",
     "Fri, 05 Jun 2026 10:00:00 +0000", "Nothing to see."),
])
BLOG = rss("Carlton's blog", [
    ("Testing Django views", "https://noumenal.es/posts/testing-views/",
     "Thu, 04 Jun 2026 10:00:00 +0000", "How I test views."),
])


def pick_by_filter(text: str):
    """Type in the filter, then leave it: the first match is selected."""
    async def run(pilot) -> None:
        await pilot.press("slash")
        pilot.app.screen.query_one("#filter-text", Input).value = text
        await settle(pilot)
        await pilot.press("enter")
    return run


async def test_fetch_filter_pick_reorder_undo_and_saved_file(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    planet = feed_server.add("/planet.xml", PLANET.replace("\x1b", "&#27;"))
    blog = feed_server.add("/blog.xml", BLOG)
    broken = feed_server.add("/broken.xml", "oops", status=500)
    project = make_project(tmp_path / "news", [(planet, "Planet Django"), (blog, "Carlton"),
                                               (broken, "Broken")])
    store = Store(tmp_path / "cache.db")
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert listed_ids(app) == []
        assert "No entries match" in screen_text(app)

        await pilot.press("f")
        await settle(pilot, rounds=3)
        assert app.fetch_state is None
        assert len(listed_ids(app)) == 6
        text = screen_text(app)
        assert "Fetched 3 feeds: 6 new entries; 1 failed" in text
        assert "[red]Totally[/red] normal p" in text and "\x1b" not in text

        # The failed feed and its error are on the feeds screen.
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        text = screen_text(app)
        assert "error (500)" in text and "3 feeds · 1 failing" in text
        await pilot.press("escape")
        await settle(pilot)

        # Filter, then file four entries into four sections.
        for query, key in (("security releases", "n"), ("wagtail", "r"), ("uv", "a"),
                           ("django-tasks", "p")):
            await pick_by_filter(query)(pilot)
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        issue = draft(project)
        assert [(s.id, [i.title for i in s.items]) for s in issue.sections] == [
            ("news", ["Django security releases 6.0.6 and 5.2.15"]),
            ("releases", ["Wagtail 7.1 released"]),
            ("articles", ["Deploying Django with uv"]),
            ("projects", ["django-tasks 1.0"]),
        ]

        # A fifth into news, then move it to articles, remove it, undo the removal.
        await pick_by_filter("testing views")(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert [i.title for i in draft(project).section("articles").items] == [
            "Deploying Django with uv", "Testing Django views"]
        await pilot.press("x")
        await settle(pilot)
        assert len(draft(project).section("articles").items) == 1
        await pilot.press("u")
        await settle(pilot)
        assert len(draft(project).section("articles").items) == 2

        # Dismiss the spam, undo, dismiss again.
        await pilot.press("escape")
        await pick_by_filter("totally")(pilot)
        spam = entry_list(app).current
        await pilot.press("d")
        await settle(pilot)
        assert store.entry(spam.id).state == "dismissed"
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert spam.id not in listed_ids(app)

        # Reorder (the issue screen's job; same contract: one app.change) and undo it.
        app.change("Move up", lambda issue: curate.shift_item(issue, "articles", 1, -1))
        await settle(pilot)
        assert [i.title for i in draft(project).section("articles").items] == [
            "Testing Django views", "Deploying Django with uv"]
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("q")
    # After quitting, the file on disk is the editor's work, in order.
    issue = draft(project)
    assert issue.number == 341 and issue.status == "draft"
    assert issue.date == dt.date(2026, 6, 12)  # the Friday after "today"
    assert [[i.title for i in s.items] for s in issue.sections] == [
        ["Django security releases 6.0.6 and 5.2.15"],
        ["Wagtail 7.1 released"],
        ["Deploying Django with uv", "Testing Django views"],
        ["django-tasks 1.0"],
    ]
    news = issue.section("news").items[0]
    assert news.url == "https://www.djangoproject.com/weblog/sec/"
    assert news.source == "djangoproject.com"
    assert news.blurb == "Django 6.0.6 fixes two security issues. Upgrade."
    assert 'source = "djangoproject.com"' in draft_text(project)
    assert store.entry(spam.id).state == "dismissed"
    store.close()


async def test_feeds_screen_lists_status_errors_and_filters_the_inbox(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        text = screen_text(app)
        assert "HTTP 500 [red]Internal[/red] Server Error" in text  # literal, not red
        assert "3 feeds · 1 failing" in text
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=1)  # "Hugo's blog" (sorted by title)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "inbox"
        assert listed_ids(app) == ["e007", "e008"]
        assert inbox(app).feed_label == "Hugo's blog"


async def test_posts_show_up_in_the_inbox_while_the_fetch_still_runs(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """An editor who presses f reads what has come in while a slow feed is waited for;
    before, the inbox stayed as it was until the last feed was in."""
    quick = [(feed_server.add(f"/q{n}.xml", rss(f"Quick {n}", [
        (f"Quick post {n}", f"https://quick{n}.example/post/", "Tue, 09 Jun 2026 10:00:00 +0000",
         f"Body {n}.")])), f"Quick {n}") for n in range(3)]
    slow = (feed_server.add("/slow.xml", rss("Slow", [
        ("Slow post", "https://slow.example/post/", "Tue, 09 Jun 2026 11:00:00 +0000", "Body.")]),
        delay=30), "Slow")
    project = make_project(tmp_path / "news", [*quick, slow])
    store = Store(tmp_path / "cache.db")
    app = make_app(project, store, today=TODAY, poll_interval=0.05, fetch_refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed_ids(app) == []
        await pilot.press("f")
        for _ in range(400):
            await pilot.pause(0.05)
            if len(entry_list(app).ids) == 3:
                break
        assert app.fetch_state is not None  # the slow feed is still being waited for
        assert sorted(store.entry(i).title for i in listed_ids(app)) == [  # type: ignore[union-attr]
            f"Quick post {n}" for n in range(3)]
        assert " 3 entries " in screen_text(app)
        assert "Fetching feeds 3/4" in screen_text(app)
    store.close()


async def test_the_preview_keeps_the_editors_place_when_the_inbox_is_read_again(
    tmp_path: Path
) -> None:
    """While a fetch stores posts the inbox is read again every few seconds; the post
    being read must not jump back to its top each time (the same entry read again
    is equal, so the preview is not told of it)."""
    store = Store(tmp_path / "cache.db")
    long_read = dataclasses.replace(ENTRIES_BLOG[0], text="\n\n".join(
        f"Paragraph {n} of a long post." for n in range(80)))
    store.record_fetch(FetchRecord(ENTRIES_BLOG[0].feed_url, "ok", 200),
                       [long_read, ENTRIES_BLOG[1]])
    project = make_project(tmp_path / "news", [])
    app = make_app(project, store, today=TODAY, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        preview = inbox(app).query_one(EntryPreview)
        assert preview.entry is not None and preview.entry.id == long_read.id
        preview.scroll_to(y=20, animate=False, immediate=True)
        await pilot.pause()
        assert preview.scroll_y == 20
        # Another process stores a newer post: the poll reads the inbox again.
        await stored_elsewhere(pilot, tmp_path / "cache.db", [dataclasses.replace(
            ENTRIES_BLOG[1], id="e100", link="https://blog.example/new",
            published=long_read.published + dt.timedelta(days=1))])
        assert listed_ids(app) == ["e100", long_read.id, ENTRIES_BLOG[1].id]
        assert preview.entry is not None and preview.entry.id == long_read.id
        assert preview.scroll_y == 20  # still where the editor was reading
        await pilot.press("j")  # another entry starts at its top
        await settle(pilot)
        assert preview.entry is not None and preview.entry.id == ENTRIES_BLOG[1].id
        assert preview.scroll_y == 0
    store.close()


async def test_posts_stored_above_leave_the_entry_being_read_on_its_line(tmp_path: Path) -> None:
    """Every few seconds of a fetch, newer posts go in above the cursor. The entry
    being read stays on its line of the screen; at the top of the list the view
    stays at the top, so the new posts show."""
    store = Store(tmp_path / "cache.db")
    store_digest_notes(store)
    app = make_app(make_project(tmp_path / "news", []), store, today=TODAY, poll_interval=0.05)

    async def newer_posts_stored(first: int, count: int) -> None:
        template = ENTRIES_BLOG[0]
        await stored_elsewhere(pilot, tmp_path / "cache.db", [
            dataclasses.replace(template, id=f"new{n}", link=f"https://new.example/{n}",
                                title=f"Newer {n}",
                                published=template.published + dt.timedelta(days=n))
            for n in range(first, first + count)])

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = entry_list(app)
        await pilot.press("pagedown", "pagedown", "down")
        reading, line_on_screen = listed.current, listed.cursor - round(listed.scroll_y)
        assert reading is not None and round(listed.scroll_y) > 0
        await newer_posts_stored(1, 5)
        assert listed.current is not None and listed.current.id == reading.id
        assert listed.cursor - round(listed.scroll_y) == line_on_screen
        await pilot.press("home")
        top = listed.current
        assert top is not None and listed.cursor == 0
        await newer_posts_stored(10, 3)
        assert round(listed.scroll_y) == 0  # the three new posts are on screen
        assert listed.cursor == 3 and listed.current.id == top.id
    store.close()


async def test_a_fetch_downloads_parses_and_stores_in_a_process_apart_from_the_app(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing and storing in the app's own process took the GIL from the UI for a
    whole cold fetch; a fork of it (it runs threads) could copy a lock another
    thread held. A fetch broken in this process therefore never reaches the feeds."""
    import digest.ingest

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("fetched inside the app")

    monkeypatch.setattr(digest.ingest, "_parse", broken)
    monkeypatch.setattr(digest.ingest, "_Writer", broken)
    blogs = [(feed_server.add(f"/b{n}.xml", rss(f"Blog {n}", [
        (f"Post {n}", f"https://blog{n}.example/post/", "Tue, 09 Jun 2026 10:00:00 +0000",
         f"Body {n}.")])), f"Blog {n}") for n in range(6)]
    project = make_project(tmp_path / "news", blogs)
    store = Store(tmp_path / "cache.db")
    app = make_app(project, store, today=TODAY)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot, rounds=3)
        assert app.fetch_state is None
        assert "Fetched 6 feeds: 6 new entries" in screen_text(app)
        assert sorted(store.entry(i).title for i in listed_ids(app)) == [  # type: ignore[union-attr]
            f"Post {n}" for n in range(6)]
    store.close()
