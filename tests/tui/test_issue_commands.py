"""The issue screen's surroundings: hostile text, the preview, export, palette, keys.

Same real project and app as ``test_issue_screen``: a draft full of markup-like
text, a notes section and a renderer plugin that fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Markdown, OptionList

from digest.config import Project
from digest.render import default_export_path
from digest.store import Store
from digest.tui.app import DigestApp
from digest.tui.screens.issue import IssueScreen
from digest.tui.screens.issue_meta import IssueMetaEditor
from digest.tui.screens.item_editor import ItemEditor, SectionEditor
from digest.tui.widgets.issue_commands import issue_choices
from digest.tui.widgets.issue_outline import IssueOutline, RowRef
from digest.tui.widgets.issue_pickers import ChoiceModal, SaveChangesModal
from tests.tui.test_issue_screen import (
    HOSTILE,
    build_app,
    fixture_issue,
    go,
    modal,
    notified,
    open_issue,
    write_project,
)


@pytest.fixture
def issue_project(tmp_path: Path) -> Project:
    return write_project(tmp_path / "news")


@pytest.fixture
def app(issue_project: Project, tmp_path: Path) -> Iterator[DigestApp]:
    store = Store(tmp_path / "cache.db")
    yield build_app(issue_project, store)
    store.close()


async def test_hostile_text_is_literal_everywhere(app: DigestApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        outline = screen.query_one(IssueOutline)
        prompts = [str(outline.get_option_at_index(n).prompt)
                   for n in range(outline.option_count)]
        assert sum(p.count("[@click=app.quit]quit[/]") for p in prompts) == 3  # title, blurb, notes
        header = str(screen.query_one("#issue-header").render())
        assert f"Django 6.0.6 {HOSTILE}" in header
        # Clicking the text runs nothing (a parsed [@click=app.quit] would quit).
        await pilot.click(outline, (20, outline._index_to_line[2]))
        await pilot.click("#issue-header", (20, 1))
        await pilot.pause()
        assert app.is_running and app.screen is screen
        # The preview shows the Markdown export: escaped there, literal on screen.
        assert screen.query_one(Markdown).source.count("\\[bold red\\]") >= 2
        shown = app.export_screenshot()
        # header title + intro, outline title + blurb + notes, preview title, intro, item, blurb
        assert shown.count("[@click=app.quit]quit[/]") >= 9


async def test_preview_toggles_and_fills_the_narrow_screen(app: DigestApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_issue(pilot)
        outline, preview = screen.query_one(IssueOutline), screen.query_one("#issue-preview")
        assert not screen.preview and not preview.display
        await pilot.press("v")
        await pilot.pause()
        assert preview.display and not outline.display and preview.has_focus
        assert "Issue 341" in screen.query_one(Markdown).source
        await pilot.press("v")
        await pilot.pause()
        assert outline.display and outline.has_focus and not preview.display


async def test_export_writes_file_and_shows_plugin_errors(app: DigestApp,
                                                         issue_project: Project) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await pilot.press("e")
        picker = await modal(pilot, ChoiceModal)
        ids = [o.id for o in picker.query_one(OptionList).options]
        assert ids == ["md", "html", "email", "text", "broken"]
        await pilot.press("enter")
        out = default_export_path(issue_project, fixture_issue(), "md")
        shown = await notified(pilot, str(out))
        assert shown.severity == "information" and shown.title == "Exported md"
        assert "\\[bold red\\]x" in out.read_text("utf-8")
        # A failing renderer plugin: named, with its exit code and stderr, as an error.
        screen.export("broken")
        error = await notified(pilot, "renderer 'broken'")
        assert error.severity == "error" and error.title == "Export (broken) failed"
        assert "exit code 3" in error.message and "boom [red]x[/]" in error.message


async def test_palette_offers_context_commands(app: DigestApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_issue(pilot)
        await go(pilot, screen, RowRef("news", 0))
        names = [c.title for c in issue_choices(screen)]
        assert "Move to section: Releases" in names and "Move to section: News" not in names
        assert "Edit section: Updates to Django" in names and "Export as broken" in names
        next(c for c in issue_choices(screen) if c.title == "Go to section: Articles").callback()
        assert screen.cursor == RowRef("articles")
        commands = [c.title for c in app.get_system_commands(screen)]
        for description in ("Edit", "Move up", "Move to…", "Remove", "Export", "Preview"):
            assert any(str(t).startswith(description + " (") for t in commands), description


def test_every_binding_has_an_id_and_a_tooltip() -> None:

    for cls in (IssueScreen, ItemEditor, SectionEditor, IssueMetaEditor, IssueOutline,
                ChoiceModal, SaveChangesModal):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            if binding.show or cls is IssueScreen:
                assert binding.tooltip, f"{cls.__name__}: {binding.key} has no tooltip"
