"""The inbox driven through Pilot: keys in, saved issue file and screen text out."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import Input, Static

from digest.config import Project
from digest.store import EntryFilter, EntryRow, FetchRecord, Store
from digest.tui.app import make_app
from digest.tui.screens.help import HelpScreen
from digest.tui.screens.inbox import FIRST_PAGE
from digest.tui.widgets.dialogs import AddItemModal, ConfirmModal
from digest.tui.widgets.entry_preview import EntryPreview
from tests.tui.conftest import BLOG, ENTRIES_BLOG, TODAY, draft, draft_text
from tests.tui.helpers import (
    before_whole_order,
    entry_list,
    inbox,
    listed_ids,
    screen_text,
    select,
    settle,
    store_digest_notes,
)

ENTRY_TEMPLATE = ENTRIES_BLOG[0]
ALL = ["e001", "e002", "e003", "e004", "e005", "e006", "e007", "e008"]


async def test_inbox_lists_entries_newest_first_with_marks(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed_ids(app) == ALL
        assert app.focused is entry_list(app)
        text = screen_text(app)
        assert "8 entries" in text
        # Feed, original author and date on the row; ★ for the past issue's link.
        row = next(line for line in text.splitlines() if "Django 6.0.6" in line)
        assert "Jun 09" in row and "Natalia" in row and "Planet Pyth" in row
        featured = next(line for line in text.splitlines() if "Featured last" in line)
        assert "★340" in featured
        # The preview shows the highlighted entry.
        preview = inbox(app).query_one(EntryPreview)
        assert preview.entry is not None and preview.entry.id == "e001"
        assert "https://blog1.example/post/1" in text


async def test_hostile_text_is_shown_literally_and_never_reaches_the_terminal(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e005")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]cli" in text  # the list row (cut to fit)
        assert "[bold red]x[/] [@click=app.quit]click me[/]" in text  # the preview title
        assert "[i]mallory[/i]" in text
        assert "Hello [b]bold?[/b] red end" in text
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
        # Clicking the would-be link does nothing: the app is still running.
        title = inbox(app).query_one("#preview-title", Static)
        await pilot.click(title)
        await settle(pilot)
        assert app.is_running


async def test_pick_move_remove_with_section_keys_and_undo(app, project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e002")
        await pilot.press("n")
        await settle(pilot)
        issue = draft(project)
        assert [i.entry_id for i in issue.section("news").items] == ["e002"]
        assert "▸News" in screen_text(app)

        await pilot.press("r")  # the same entry with another key moves it
        await settle(pilot)
        issue = draft(project)
        assert issue.section("news").items == []
        assert [i.entry_id for i in issue.section("releases").items] == ["e002"]
        assert issue.section("releases").items[0].blurb == "Body of post 2. It has two sentences."

        await pilot.press("x")
        await settle(pilot)
        assert draft(project).item_count() == 0
        assert "▸" not in screen_text(app).split("in draft")[1]

        await pilot.press("u")  # undo the removal
        await settle(pilot)
        assert [i.entry_id for i in draft(project).section("releases").items] == ["e002"]
        await pilot.press("ctrl+z")  # undo the move
        await settle(pilot)
        assert [i.entry_id for i in draft(project).section("news").items] == ["e002"]
        await pilot.press("ctrl+y")  # redo the move
        await settle(pilot)
        assert [i.entry_id for i in draft(project).section("releases").items] == ["e002"]
        assert 'entry_id = "e002"' in draft_text(project)


async def test_picking_an_entry_featured_before_asks_first(app, project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e006")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "was featured in issue" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.session.issue.item_count() == 0

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert [i.entry_id for i in draft(project).section("articles").items] == ["e006"]


async def test_dismiss_hides_the_entry_and_undo_brings_it_back(app, store: Store) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e002")
        await pilot.press("d")
        await settle(pilot)
        assert "e002" not in listed_ids(app)
        assert store.entry("e002").state == "dismissed"
        assert entry_list(app).current.id == "e003"  # the cursor stays in place

        await pilot.press("u")
        await settle(pilot)
        assert "e002" in listed_ids(app)
        assert store.entry("e002").state == "new"

        select(app, "e002")
        await pilot.press("d", "2")  # dismiss again, then show dismissed ones
        await settle(pilot)
        assert listed_ids(app) == ALL
        select(app, "e002")
        await settle(pilot)
        assert "✗" in screen_text(app)
        await pilot.press("d")  # on a dismissed entry: restore it
        await settle(pilot)
        assert store.entry("e002").state == "seen"


async def test_a_dismiss_while_a_fetch_holds_the_store_leaves_the_keys_free(
        app, store: Store) -> None:
    """A fetch's writer holds the store's write lock for up to half a second per
    batch (a cron `digest fetch` too): a dismiss that waited for it froze every
    key. Now the entry leaves the list at once, the cursor moves while the lock
    is held, and the state is stored when the lock is free."""
    import sqlite3

    fetch = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    released = threading.Event()
    done = threading.Event()

    def release_later() -> None:  # bounds the wait if the dismiss blocks after all
        done.wait(5)
        fetch.execute("ROLLBACK")
        released.set()

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e002")
        fetch.execute("BEGIN IMMEDIATE")
        releaser = threading.Thread(target=release_later)
        releaser.start()
        await pilot.press("d")
        assert "e002" not in listed_ids(app)
        await pilot.press("j")
        assert entry_list(app).current.id == "e004"
        assert not released.is_set(), "the keys waited for the store"
        assert store.entry("e002").state == "new"  # not stored yet: the lock is held
        done.set()
        releaser.join()
        await settle(pilot)
        assert store.entry("e002").state == "dismissed"
        assert "e002" not in listed_ids(app)
    fetch.close()


async def test_dismiss_undo_and_redo_show_before_the_store_has_them(app, store: Store) -> None:
    """While a fetch holds the write lock, an undone dismiss is back in its place
    at once, and a redo takes it out again; the store ends as the last key says."""
    import sqlite3

    fetch = sqlite3.connect(store.path, isolation_level=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = listed_ids(app)
        select(app, "e003")
        fetch.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("d")
            assert listed_ids(app) == [i for i in before if i != "e003"]
            await pilot.press("u")
            assert listed_ids(app) == before
            await pilot.press("ctrl+y")
            assert listed_ids(app) == [i for i in before if i != "e003"]
            assert store.entry("e003").state == "new"  # none of it stored yet
        finally:
            fetch.execute("ROLLBACK")
        await settle(pilot)
        assert store.entry("e003").state == "dismissed"
        assert listed_ids(app) == [i for i in before if i != "e003"]
        await pilot.press("u")
        await settle(pilot)
        assert store.entry("e003").state == "new"
        assert listed_ids(app) == before
    fetch.close()


async def test_a_state_the_store_refuses_is_shown_and_the_entry_comes_back(
        app, store: Store) -> None:
    import sqlite3

    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("CREATE TRIGGER refuse BEFORE UPDATE OF state ON entries "
                  "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    other.close()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        select(app, "e002")
        await pilot.press("d")
        await settle(pilot)
        assert "Could not store an entry's state: disk says no" in screen_text(app)
        assert "e002" in listed_ids(app)
        assert store.entry("e002").state == "new"


async def test_filter_as_you_type_and_quick_filters(app, store: Store) -> None:
    store.set_state(["e001"], "seen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"wagt")
        await settle(pilot)
        assert listed_ids(app) == ["e002"]
        assert "1 of 8 entries" in screen_text(app)
        await pilot.press("n")  # typing, not picking
        await settle(pilot)
        assert app.session.issue.item_count() == 0
        assert listed_ids(app) == []
        await pilot.press("backspace", "escape")  # leave the box, filter kept
        await settle(pilot)
        assert app.focused is entry_list(app)
        assert listed_ids(app) == ["e002"]
        await pilot.press("escape")  # clear it
        await settle(pilot)
        assert listed_ids(app) == ALL

        await pilot.press("1")  # new only
        await settle(pilot)
        assert listed_ids(app) == ALL[1:]
        await pilot.press("1")
        await pilot.press("4")  # since the last issue (May 29): everything
        await settle(pilot)
        assert listed_ids(app) == ALL
        await pilot.press("4")  # last 7 days before Jun 10
        await settle(pilot)
        assert listed_ids(app) == ALL[:7]
        assert "last 7 days" in screen_text(app)

        await pilot.press("escape", "3")  # feed chooser
        await settle(pilot)
        await pilot.press(*"Hugo")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert inbox(app).filter.feed_url == BLOG
        assert listed_ids(app) == ["e007", "e008"]
        assert "feed: Hugo's blog" in screen_text(app)


async def test_a_key_typed_while_the_inbox_opens_reaches_the_list(app, monkeypatch) -> None:
    """A "/" pressed the moment the terminal shows the inbox opens the filter; it is
    not typed into the filter as text, whatever the screen's mount has done so far."""
    from textual import events

    from digest.tui.screens.inbox import InboxScreen

    mount = InboxScreen.on_mount

    def key_before_mount(screen: InboxScreen) -> None:
        screen.app.post_message(events.Key("slash", "/"))
        mount(screen)

    monkeypatch.setattr(InboxScreen, "on_mount", key_before_mount)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = inbox(app).query_one("#filter-text", Input)
        assert box.value == ""
        assert app.focused is box
        assert listed_ids(app) == ALL


async def test_a_filter_typed_in_one_burst_lands_whole_in_the_filter(app) -> None:
    """"/blog" arriving before the loop has handled the "/" (a fast typist, a paste,
    a loop slowed by a fetch) filters by "blog": no letter reaches the list's keys."""
    from textual import events

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for char, key in (("/", "slash"), ("b", "b"), ("l", "l"), ("o", "o"), ("g", "g"),
                          ("/", "slash")):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        box = inbox(app).query_one("#filter-text", Input)
        assert app.focused is box
        assert box.value == "blog/"  # a "/" in the filter box is text
        await pilot.press("enter")
        assert app.focused is entry_list(app)


async def test_the_preview_shows_a_posts_paragraphs_and_list_made_from_its_html(
    app, store: Store
) -> None:
    """The stored text holds the words for search only; the preview lays the post out
    from its HTML: paragraphs apart, list items on lines of their own."""
    post = dataclasses.replace(
        ENTRY_TEMPLATE, id="p001", link="https://blog.example/paragraphs", title="Layout",
        published=ENTRY_TEMPLATE.published + dt.timedelta(days=5),
        content_html="<p>First paragraph.</p><p>Second one.</p><ul><li>one</li><li>two</li></ul>",
        text="First paragraph. Second one. one two")
    store.record_fetch(FetchRecord(BLOG, "ok", 200), [post])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "p001")
        await settle(pilot)
        body = [line.split("▏", 1)[-1].strip() for line in screen_text(app).splitlines()]
        start = body.index("First paragraph.")
        assert body[start:start + 5] == ["First paragraph.", "", "Second one.", "", "- one"]
        assert body[start + 5] == "- two"


async def test_the_previews_readable_text_is_made_on_the_loaders_thread(
    app, store: Store, monkeypatch
) -> None:
    """Laying out a long post takes milliseconds: never on the thread that reads keys."""
    import digest.tui.widgets.text as text_module

    posts = [dataclasses.replace(
        ENTRY_TEMPLATE, id=f"h{n}", link=f"https://blog.example/h{n}", title=f"Long {n}",
        published=ENTRY_TEMPLATE.published + dt.timedelta(days=5, hours=n),
        content_html="<p>A paragraph.</p>" * 500) for n in range(3)]
    store.record_fetch(FetchRecord(BLOG, "ok", 200), posts)

    made_on: list[str] = []
    real = text_module.html_text

    def spy(html: str) -> str:
        made_on.append(threading.current_thread().name)
        return real(html)

    monkeypatch.setattr(text_module, "html_text", spy)
    text_module.body_text.cache_clear()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("j")
            await settle(pilot)
        assert made_on, "no body was laid out"
        assert threading.main_thread().name not in made_on


async def test_search_uses_author_and_full_text(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox(app).query_one("#filter-text", Input).value = "łukasz"
        await settle(pilot)
        assert listed_ids(app) == ["e003"]
        inbox(app).query_one("#filter-text", Input).value = "[bold"  # markup-like query
        await settle(pilot)
        assert listed_ids(app) == ["e005"]


async def test_add_by_hand(app, project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, AddItemModal)
        await pilot.press(*"A link from a friend", "enter")
        await pilot.pause()
        assert "A link is needed" in screen_text(app)
        modal.query_one("#url", Input).value = "https://friend.example/post"
        await pilot.press("enter")
        await settle(pilot)
        items = draft(project).section("news").items
        assert [(i.title, i.url, i.source) for i in items] == [
            ("A link from a friend", "https://friend.example/post", "friend.example")
        ]


async def test_open_and_copy_link(app, monkeypatch) -> None:
    opened: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
        await settle(pilot)
        select(app, "e003")
        await pilot.press("o", "Y")
        await pilot.pause()
        assert opened == ["https://blog3.example/post/3"]
        assert app.clipboard == "https://blog3.example/post/3"


async def test_every_key_is_in_help_and_in_the_palette(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("News (n)", "Dismiss (d)", "Remove (x)", "Fetch (f)", "Undo (u)",
                       "Copy link (Y)", "Filter by feed (3)", "Add by hand (+)"):
            assert any(t.startswith(wanted.split(" (")[0]) for t in titles), wanted
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {k.binding_id for k in app.screen.keys}
        assert {"inbox.section.news", "inbox.dismiss", "inbox.copy", "app.fetch", "app.undo",
                "list.down", "inbox.by_feed"} <= ids
        text = screen_text(app)
        for wanted in ("inbox.section.news", "inbox.dismiss", "Copy link"):
            assert wanted in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_in_the_project(project: Project, store: Store) -> None:
    project = dataclasses.replace(project, keys={"inbox.dismiss": "z",
                                                 "inbox.section.news": "w"})
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d", "n")
        await settle(pilot)
        assert store.entry("e001").state == "new"
        assert app.session.issue.item_count() == 0
        await pilot.press("w", "j", "z")
        await settle(pilot)
        assert app.session.issue.section("news").items[0].entry_id == "e001"
        assert store.entry("e002").state == "dismissed"


async def test_issue_and_feeds_screens_are_a_key_away(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert app.current_mode == "issue"
        await pilot.press("i")
        await settle(pilot)
        assert app.current_mode == "inbox"
        await pilot.press("tab")
        await settle(pilot)
        assert app.current_mode == "issue"
        await pilot.press("F")
        await settle(pilot)
        assert app.current_mode == "feeds"
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "inbox"


async def test_palette_offers_context_commands_with_literal_feed_names(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        select(app, "e003")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"move to rel")
        await pilot.pause(0.4)
        assert "Move to section: Releases" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert [i.entry_id for i in app.session.issue.section("releases").items] == ["e003"]

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"broken")
        await pilot.pause(0.4)
        assert "Filter by feed: [b]Broken[/b] feed" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert listed_ids(app) == []
        assert "feed: [b]Broken[/b] feed" in screen_text(app)


async def test_an_entry_in_the_draft_is_not_dismissed(app, store: Store) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "d")
        await settle(pilot)
        assert store.entry("e001").state == "new"
        assert "e001" in listed_ids(app)


async def test_a_note_by_hand_goes_to_the_notes_of_a_notes_section(
    project: Project, store: Store
) -> None:
    from digest.model import SectionDef
    from digest.tui.widgets.dialogs import HandItem

    project = dataclasses.replace(
        project, sections=(*project.sections, SectionDef("updates", "Updates", "", "notes")))
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.add_by_hand(HandItem("updates", "13 pull requests merged.", ""))
        app.add_by_hand(HandItem("updates", "Two [b]new[/b] contributors.", ""))
        await settle(pilot)
        assert draft(project).section("updates").notes == (
            "13 pull requests merged.\n\nTwo [b]new[/b] contributors.")
        await pilot.press("u")
        await settle(pilot)
        assert draft(project).section("updates").notes == "13 pull requests merged."


class HeldWholeOrder:
    """The whole order for "digest" held back on the query's thread until released,
    as a big store would take its time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
        self.reading, self.released = threading.Event(), threading.Event()
        self.read = before_whole_order(monkeypatch, store, "digest", self._hold)

    def _hold(self) -> None:
        self.reading.set()
        assert self.released.wait(10)


@contextlib.asynccontextmanager
async def unpolled_inbox(project: Project, store: Store, **options: Any) -> AsyncIterator[Any]:
    """The app on ``store``, settled, its poll for other connections' commits off."""
    app = make_app(project, store, today=TODAY, poll_interval=3600, **options)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        yield pilot


async def typed_past_a_commit_elsewhere(pilot: Any, store: Store) -> None:
    """"diges" typed in the filter, then a commit by another connection (a fetch
    process's) that the app has not polled for, then "t": for "digest", the inbox's
    date order must be read again."""
    await settle(pilot)
    await pilot.press("slash", *"diges")
    await settle(pilot)
    other = Store(store.path)
    other.record_fetch(FetchRecord(BLOG, "ok", 200), [])
    other.close()
    await pilot.press("t")


async def test_a_filter_shows_its_whole_order_at_once_when_the_date_order_is_at_hand(
        project: Project, store: Store, monkeypatch) -> None:
    # More posts match "digest" than a first page holds. With the date order
    # read already, the whole order is one full-text read: the list is drawn
    # once, with its count, and no first screenful comes before it.
    store_digest_notes(store)
    held = HeldWholeOrder(monkeypatch, store)
    async with unpolled_inbox(project, store) as pilot:
        app = pilot.app
        await pilot.press("slash", *"diges")
        await settle(pilot)
        before = entry_list(app).ids
        assert len(before) == 260
        await pilot.press("t")
        screen = inbox(app)
        for _ in range(300):
            if held.reading.is_set():
                break
            await pilot.pause(0.01)
        assert held.reading.is_set()
        await pilot.pause(0.05)
        assert not screen.partial  # no first screenful of 200 drawn on its own
        assert entry_list(app).ids == before
        assert "+ of" not in screen_text(app)
        held.released.set()
        await settle(pilot)
        assert list(entry_list(app).ids) == list(held.read(EntryFilter(text="digest")))
        assert "260 of 268 entries" in screen_text(app)
        assert not screen.partial


async def test_a_filter_in_a_store_past_one_step_shows_its_first_screenful_first(
        project: Project, store: Store, monkeypatch) -> None:
    # Past ONE_STEP entries the whole list grows too long to wait for: even with
    # the date order at hand, the first screenful is drawn on its own first.
    import digest.tui.screens.inbox

    monkeypatch.setattr(digest.tui.screens.inbox, "ONE_STEP", 100)
    store_digest_notes(store)
    held = HeldWholeOrder(monkeypatch, store)
    async with unpolled_inbox(project, store) as pilot:
        app = pilot.app
        await pilot.press("slash", *"digest")
        for _ in range(300):
            if held.reading.is_set() and inbox(app).partial:
                break
            await pilot.pause(0.01)
        assert inbox(app).partial
        assert len(entry_list(app).ids) == FIRST_PAGE
        held.released.set()
        await settle(pilot)
        assert len(entry_list(app).ids) == 260
        assert not inbox(app).partial


async def test_a_filter_shows_its_first_screenful_before_the_whole_order(
        project: Project, store: Store, monkeypatch) -> None:
    # More posts match "digest" than the first page holds, and a commit
    # elsewhere means the date order must be read again, so the whole order
    # comes after the first page.
    store_digest_notes(store)
    held = HeldWholeOrder(monkeypatch, store)
    read_whole = held.read
    async with unpolled_inbox(project, store, autosave_delay=0.05) as pilot:
        app = pilot.app
        await typed_past_a_commit_elsewhere(pilot, store)
        screen = inbox(app)
        expected = list(read_whole(EntryFilter(text="digest")))
        assert len(expected) == 260
        for _ in range(300):
            await pilot.pause(0.01)
            if list(entry_list(app).ids) == expected[:FIRST_PAGE]:
                break
        assert list(entry_list(app).ids) == expected[:FIRST_PAGE]
        assert screen.partial
        assert f"filtering… {FIRST_PAGE}+ of 268 entries" in screen_text(app)
        assert "Digest note 0" in screen_text(app)
        await pilot.press("enter", "down", "down")  # the editor moves on before the count is in
        assert entry_list(app).cursor == 2
        held.released.set()
        await settle(pilot)
        assert list(entry_list(app).ids) == expected
        assert entry_list(app).cursor == 2  # the whole order kept the cursor where it was
        assert "260 of 268 entries" in screen_text(app)
        assert not screen.partial


async def test_the_matches_of_the_whole_order_are_read_beside_the_first_screenful(
        project: Project, store: Store, monkeypatch) -> None:
    # With the date order to read again, the first screenful's read waits
    # until the whole order's full-text read has begun: read one after the
    # other, as before, the filter never ends.
    store_digest_notes(store)
    matching_begun = threading.Event()
    read_matches, read_page = store.matching, store.list_entries
    first_pages: list[str] = []

    def matching(text: str) -> str:
        if text == "digest":
            matching_begun.set()
        return read_matches(text)

    def list_entries(flt: EntryFilter, limit: int = 100, offset: int = 0) -> list[EntryRow]:
        if flt.text == "digest":
            first_pages.append(flt.text)
            assert matching_begun.wait(10), "the whole order was not read alongside"
        return read_page(flt, limit, offset)

    monkeypatch.setattr(store, "matching", matching)
    monkeypatch.setattr(store, "list_entries", list_entries)
    async with unpolled_inbox(project, store, autosave_delay=0.05) as pilot:
        app = pilot.app
        await typed_past_a_commit_elsewhere(pilot, store)
        await settle(pilot)
        assert first_pages == ["digest"]
        assert entry_list(app).ids == store.entry_rowids(EntryFilter(text="digest"))
        assert "260 of 268 entries" in screen_text(app)
        assert not inbox(app).partial


async def test_a_section_key_that_hides_one_of_digests_keys_is_warned_of_and_wins(
        project: Project, store: Store) -> None:
    from digest.model import SectionDef

    project = dataclasses.replace(
        project, sections=(*project.sections, SectionDef("ideas", "Ideas", "i")))
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications]  # noqa: SLF001
        assert "Section key 'i' (Ideas) hides 'Issue'; remap one of them in digest.toml [keys]" \
            in warnings
        first = entry_list(app).current
        assert first is not None
        await pilot.press("i")  # the section's key, not the issue pane
        await settle(pilot)
        assert [i.title for i in draft(project).section("ideas").items] == [first.title]

    remapped = dataclasses.replace(project, keys={"inbox.section.ideas": "I"})
    app = make_app(remapped, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert not [n for n in app._notifications if "hides" in n.message]  # noqa: SLF001
