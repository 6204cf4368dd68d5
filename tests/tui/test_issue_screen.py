"""The issue screen, driven by keys and the mouse; every assertion is on the saved file.

A real project on disk (with a notes section and a failing renderer plugin), a
real SQLite cache, the real app from ``make_app``; the draft holds markup-like
text everywhere, so each test also checks that nothing is read as markup.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.app import UnknownModeError
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, TextArea

from digest import archive
from digest.config import Project, load_project
from digest.model import Issue, Item, Section
from digest.store import Store
from digest.tui.app import DigestApp, make_app
from digest.tui.screens.issue import IssueScreen
from digest.tui.screens.issue_meta import IssueMetaEditor
from digest.tui.screens.item_editor import ItemEditor, SectionEditor
from digest.tui.widgets.dialogs import AddItemModal
from digest.tui.widgets.issue_outline import IssueOutline, RowRef
from digest.tui.widgets.issue_pickers import ChoiceModal, SaveChangesModal

TODAY = dt.date(2026, 6, 1)
HOSTILE = "[bold red]x[/] [@click=app.quit]quit[/]"
PLUGIN_FAIL = "import sys\nsys.stderr.write('boom [red]x[/]')\nsys.exit(3)\n"

CONFIG = f"""title = "Django News"
theme = "plain"

[[sections]]
id = "news"
title = "News"
key = "n"

[[sections]]
id = "updates"
title = "Updates to Django"
kind = "notes"

[[sections]]
id = "releases"
title = "Releases"
key = "r"

[[sections]]
id = "articles"
title = "Articles"
key = "a"

[renderer.broken]
command = "{sys.executable} broken_plugin.py"
"""


def fixture_issue() -> Issue:
    """Issue 341 as an editor left it, with text a stranger could have written."""
    return Issue(
        number=341, date=dt.date(2026, 6, 5),
        title=f"Django 6.0.6 {HOSTILE}",
        intro=f"Hello! This week {HOSTILE} and *security*.",
        sections=[
            Section("news", "News", items=[
                Item("Django security releases 6.0.6 and 5.2.15",
                     "https://www.djangoproject.com/weblog/2026/jun/03/security-releases/",
                     "Five security fixes, one rated high. Upgrade today.", "djangoproject.com",
                     "e1"),
                Item(HOSTILE, "https://evil.example/[@click=app.quit]",
                     f"Blurb with {HOSTILE} and [link=https://x]link[/link].", "evil.example"),
                Item("Wagtail 7.1 is out", "https://wagtail.org/blog/7-1/",
                     "Faster page trees.", "wagtail.org"),
            ]),
            Section("updates", "Updates to Django", "notes",
                    notes=f"13 pull requests merged. {HOSTILE}\n\n- one\n- two"),
            Section("releases", "Releases", items=[
                Item("Python 3.15 beta 2", "https://python.org/3.15b2", "", "python.org"),
            ]),
            Section("articles", "Articles"),
        ],
    )


def write_project(root: Path) -> Project:
    archive.init_project(root, "Django News")
    (root / "digest.toml").write_text(CONFIG, "utf-8")
    (root / "broken_plugin.py").write_text(PLUGIN_FAIL, "utf-8")
    project = load_project(root)
    archive.save_issue(project, Issue(340, dt.date(2026, 5, 29), "Issue 340",
                                      status="published"))
    archive.save_issue(project, fixture_issue())
    return project


@pytest.fixture
def issue_project(tmp_path: Path) -> Project:
    return write_project(tmp_path / "news")


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "cache.db")
    yield store
    store.close()


def build_app(project: Project, store: Store) -> DigestApp:
    return make_app(project, store, today=TODAY, autosave_delay=0.05)


@pytest.fixture
def app(issue_project: Project, empty_store: Store) -> DigestApp:
    return build_app(issue_project, empty_store)


async def open_issue(pilot: Pilot[None]) -> IssueScreen:
    app = pilot.app
    try:
        await app.switch_mode("issue")
    except UnknownModeError:  # the app shell has not registered the screen
        app.add_mode("issue", IssueScreen)
        await app.switch_mode("issue")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, IssueScreen)
    return screen


async def saved(pilot: Pilot[None], project: Project) -> Issue:
    """The draft as autosaved, once the app has nothing left to write."""
    app = pilot.app
    assert isinstance(app, DigestApp)
    await pilot.pause()
    for _ in range(60):
        await pilot.pause(0.05)
        if not app.session.dirty:
            break
    assert not app.session.dirty, "autosave did not happen"
    return archive.load_issue(project.issues_dir / "341.toml")


async def notified(pilot: Pilot[None], text: str) -> Notification:
    """The first notification containing ``text``, waiting for workers to post it."""
    for _ in range(100):
        await pilot.pause(0.05)
        found = [n for n in pilot.app._notifications if text in n.message]
        if found:
            return found[0]
    raise AssertionError(f"no notification with {text!r}")


def section(issue: Issue, section_id: str) -> Section:
    found = issue.section(section_id)
    assert found is not None, section_id
    return found


def titles(issue: Issue, section_id: str) -> list[str]:
    return [item.title for item in section(issue, section_id).items]


async def go(pilot: Pilot[None], screen: IssueScreen, row: RowRef) -> None:
    screen.query_one(IssueOutline).select(row)
    await pilot.pause()
    assert screen.cursor == row


S = TypeVar("S", bound=Screen[Any])


async def modal(pilot: Pilot[None], kind: type[S]) -> S:
    """Wait for a screen of ``kind`` to be on top (workers open modals a moment later)."""
    for _ in range(40):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, kind):
            return screen
    raise AssertionError(f"{kind.__name__} did not open (got {pilot.app.screen!r})")


async def test_edit_blurb_is_one_undo_step(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("news", 2))
        await pilot.press("enter")
        editor = await modal(pilot, ItemEditor)
        area = editor.query_one("#blurb", TextArea)
        assert area.has_focus and area.text == "Faster page trees."
        await pilot.press(*" Really [b]fast[/b].")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, IssueScreen)
        disk = await saved(pilot, issue_project)
        assert disk.sections[0].items[2].blurb == "Faster page trees. Really [b]fast[/b]."
        # The whole typing session is one step: one undo brings the old blurb back.
        await pilot.press("ctrl+z")
        disk = await saved(pilot, issue_project)
        assert disk.sections[0].items[2].blurb == "Faster page trees."
        assert disk == fixture_issue()
        await pilot.press("ctrl+y")
        disk = await saved(pilot, issue_project)
        assert disk.sections[0].items[2].blurb.endswith("Really [b]fast[/b].")


async def test_reorder_items_and_sections_with_keys(app: DigestApp,
                                                    issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await pilot.press("j", "j")  # heading → item 1 → item 2
        assert screen.cursor == RowRef("news", 1)
        await pilot.press("J")
        assert screen.cursor == RowRef("news", 2)
        await pilot.press("K", "K", "K")  # the last K is at the top: nothing to undo
        assert screen.cursor == RowRef("news", 0)
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news")[0] == HOSTILE
        # Sections: ] moves the cursor's section down, K on a heading moves it up.
        await pilot.press("right_square_bracket")
        disk = await saved(pilot, issue_project)
        assert [s.id for s in disk.sections] == ["updates", "news", "releases", "articles"]
        await go(pilot, screen, RowRef("articles"))
        await pilot.press("K", "shift+up")
        disk = await saved(pilot, issue_project)
        assert [s.id for s in disk.sections] == ["updates", "articles", "news", "releases"]
        assert screen.cursor == RowRef("articles")
        # Undo walks back every move, one per key, then the file is the original.
        for _ in range(6):
            await pilot.press("ctrl+z")
        disk = await saved(pilot, issue_project)
        assert disk == fixture_issue()
        await pilot.press("ctrl+z")  # nothing left: "K" at the top recorded no step
        assert await saved(pilot, issue_project) == fixture_issue()


async def test_remove_move_to_and_undo(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("news", 1))
        await pilot.press("x")
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news") == ["Django security releases 6.0.6 and 5.2.15",
                                        "Wagtail 7.1 is out"]
        assert screen.cursor == RowRef("news", 1)
        # m: a picker of the other sections; the item lands at the end of the chosen one.
        await pilot.press("m")
        picker = await modal(pilot, ChoiceModal)
        options = picker.query_one(OptionList)
        assert [o.id for o in options.options] == ["updates", "releases", "articles"]
        await pilot.press("down", "down", "enter")
        disk = await saved(pilot, issue_project)
        assert titles(disk, "articles") == ["Wagtail 7.1 is out"]
        assert screen.cursor == RowRef("articles", 0)
        await pilot.press("delete")
        disk = await saved(pilot, issue_project)
        assert titles(disk, "articles") == []
        await pilot.press("u", "u", "u")
        disk = await saved(pilot, issue_project)
        assert disk == fixture_issue()
        await pilot.press("ctrl+y")
        disk = await saved(pilot, issue_project)
        assert len(titles(disk, "news")) == 2


async def test_escape_with_unsaved_text_asks(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("releases", 0))
        # Unchanged: escape just closes.
        await pilot.press("enter")
        await modal(pilot, ItemEditor)
        await pilot.press("escape")
        await modal(pilot, IssueScreen)
        # Changed: escape asks; "keep editing" returns to the text, "discard" drops it.
        await pilot.press("enter")
        await modal(pilot, ItemEditor)
        await pilot.press(*"Beta two.")
        await pilot.press("escape")
        await modal(pilot, SaveChangesModal)
        await pilot.press("escape")
        editor = await modal(pilot, ItemEditor)
        assert editor.query_one("#blurb", TextArea).text == "Beta two."
        await pilot.press("escape")
        await modal(pilot, SaveChangesModal)
        await pilot.press("d")
        await modal(pilot, IssueScreen)
        assert not app.session.can_undo
        # Changed again: escape, then "save".
        await pilot.press("enter")
        await modal(pilot, ItemEditor)
        await pilot.press(*"Beta two.", "escape")
        await modal(pilot, SaveChangesModal)
        await pilot.press("s")
        await modal(pilot, IssueScreen)
        disk = await saved(pilot, issue_project)
        assert section(disk, "releases").items[0].blurb == "Beta two."


async def test_item_editor_checks_the_link(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("releases", 0))
        await pilot.press("enter")
        editor = await modal(pilot, ItemEditor)
        url = editor.query_one("#url", Input)
        url.value = "javascript:alert(1)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        error = editor.query_one(".editor-error")
        assert "http://" in str(error.render())
        url.value = "https://docs.python.org/3.15/whatsnew/"
        await pilot.press("ctrl+s")
        disk = await saved(pilot, issue_project)
        item = section(disk, "releases").items[0]
        # The source followed the link, because it was the old link's domain.
        assert (item.url, item.source) == ("https://docs.python.org/3.15/whatsnew/",
                                           "docs.python.org")


async def test_editor_keeps_app_keys_away_from_the_issue(app: DigestApp,
                                                         issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("news", 1))
        await pilot.press("J")
        await pilot.press("enter")
        editor = await modal(pilot, ItemEditor)
        # Letters that are app keys elsewhere (u undo, q quit) are typed; ctrl+z in a
        # line field does not undo the move behind the editor.
        await pilot.press("u", "q", "f")
        editor.query_one("#title", Input).focus()
        await pilot.press("ctrl+z", "tab", "tab", "tab")
        assert editor.query_one("#blurb", TextArea).has_focus  # buttons take no focus
        await pilot.press("ctrl+s")
        disk = await saved(pilot, issue_project)
        assert app.is_running and len(app.session._undo) == 2
        assert titles(disk, "news")[2] == HOSTILE
        assert disk.sections[0].items[2].blurb.endswith("[/link].uqf")


async def test_edit_title_intro_and_date(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_issue(pilot)
        await pilot.press("t")
        editor = await modal(pilot, IssueMetaEditor)
        editor.query_one("#title", Input).value = "Django 6.0.6 [b]is out[/b]"
        date = editor.query_one("#date", Input)
        date.value = "next friday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        date.value = "2026-06-12"
        editor.query_one("#intro", TextArea).text = "Hi [i]all[/i]."
        await pilot.press("ctrl+s")
        disk = await saved(pilot, issue_project)
        assert (disk.title, disk.date, disk.intro) == ("Django 6.0.6 [b]is out[/b]",
                                                        dt.date(2026, 6, 12), "Hi [i]all[/i].")
        await pilot.press("ctrl+z")
        assert await saved(pilot, issue_project) == fixture_issue()


async def test_notes_section_is_edited_in_a_textarea(app: DigestApp,
                                                     issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("updates"))
        await pilot.press("enter")
        editor = await modal(pilot, SectionEditor)
        area = editor.query_one("#notes", TextArea)
        assert area.text.startswith("13 pull requests merged.")
        await pilot.press("enter", *"- three")
        await pilot.press("ctrl+s")
        disk = await saved(pilot, issue_project)
        assert section(disk, "updates").notes.endswith("- two\n- three")


async def test_add_by_hand_link_and_note(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("releases", 0))
        await pilot.press("a")
        dialog = await modal(pilot, AddItemModal)
        dialog.query_one("#title", Input).value = "pip 26.1 [b]released[/b]"
        dialog.query_one("#url", Input).value = "https://pip.pypa.io/en/26.1/"
        await pilot.press("enter")
        disk = await saved(pilot, issue_project)
        added = section(disk, "releases").items[-1]
        assert (added.title, added.source) == ("pip 26.1 [b]released[/b]", "pip.pypa.io")
        assert screen.cursor == RowRef("releases", 1)
        # In a notes section, text alone becomes part of the notes.
        await go(pilot, screen, RowRef("updates"))
        await pilot.press("plus")
        dialog = await modal(pilot, AddItemModal)
        dialog.query_one("#title", Input).value = "Welcome, new contributors!"
        await pilot.press("enter")
        disk = await saved(pilot, issue_project)
        assert section(disk, "updates").notes.endswith("Welcome, new contributors!")


async def test_drag_and_drop_with_the_mouse(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        outline = screen.query_one(IssueOutline)

        def y_of(row: RowRef) -> int:
            index = outline.rows.index(row)
            return outline._index_to_line[index] - int(outline.scroll_y)

        # Item 1 of News dropped onto item 3: it takes that place.
        await pilot.mouse_down(outline, (5, y_of(RowRef("news", 0))))
        await pilot.hover(outline, (5, y_of(RowRef("news", 2))))
        await pilot.mouse_up(outline, (5, y_of(RowRef("news", 2))))
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news")[2] == "Django security releases 6.0.6 and 5.2.15"
        assert screen.cursor == RowRef("news", 2)
        # An item dropped on another section's heading goes first in that section.
        await pilot.mouse_down(outline, (5, y_of(RowRef("news", 0))))
        await pilot.mouse_up(outline, (5, y_of(RowRef("releases"))))
        disk = await saved(pilot, issue_project)
        assert titles(disk, "releases") == [HOSTILE, "Python 3.15 beta 2"]
        # A heading dropped on another section's row takes that section's place.
        await pilot.mouse_down(outline, (5, y_of(RowRef("articles"))))
        await pilot.mouse_up(outline, (5, y_of(RowRef("news", 1))))
        disk = await saved(pilot, issue_project)
        assert [s.id for s in disk.sections] == ["articles", "news", "updates", "releases"]
        # A plain click only moves the cursor; a double click opens the editor.
        await pilot.click(outline, (5, y_of(RowRef("releases", 1))))
        assert screen.cursor == RowRef("releases", 1) and app.screen is screen
        await pilot.double_click(outline, (5, y_of(RowRef("releases", 1))))
        await modal(pilot, ItemEditor)


async def test_fifty_undo_steps(app: DigestApp, issue_project: Project) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("news", 0))
        await pilot.press("J", "K")  # two steps by key, 53 more through the same path
        for n in range(53):
            screen.action_move(1 if n % 2 == 0 else -1)
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news")[1] == "Django security releases 6.0.6 and 5.2.15"
        for _ in range(54):
            app.action_undo()
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news")[1] == "Django security releases 6.0.6 and 5.2.15"
        await pilot.press("ctrl+z")
        assert await saved(pilot, issue_project) == fixture_issue()
        for _ in range(55):
            app.action_redo()
        disk = await saved(pilot, issue_project)
        assert titles(disk, "news")[1] == "Django security releases 6.0.6 and 5.2.15"


async def test_quit_with_unsaved_editor_text_is_refused(app: DigestApp,
                                                       issue_project: Project) -> None:
    """ctrl+q while an editor holds unsaved text keeps the app (and the text) alive."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("releases", 0))
        await pilot.press("enter")
        editor = await modal(pilot, ItemEditor)
        await pilot.press(*"Kept text.")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.screen is editor
        assert editor.query_one("#blurb", TextArea).text == "Kept text."
        assert any("unsaved text" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await modal(pilot, IssueScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    disk = archive.load_issue(archive.issue_path(issue_project, app.session.issue.number))
    assert section(disk, "releases").items[0].blurb == "Kept text."
