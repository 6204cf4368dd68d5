"""Context commands of the issue screen, built from the draft as it is now.

Key-bound actions reach the palette from their bindings (the app lists the
current screen's keys); these are the ones that need data: "Move to section: …"
for the selected item, "Go to / Edit section: …" for every section, and
"Export as …" for every format the project has (built-ins and renderer plugins).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hits, Provider

from digest.tui.commands.base import Choice, discover_choices, search_choices

if TYPE_CHECKING:
    from digest.tui.screens.issue import IssueScreen


def issue_choices(screen: IssueScreen) -> list[Choice]:
    choices: list[Choice] = []
    row = screen.cursor
    if row is not None and row.index is not None:
        for section_id, title in screen.move_targets(row.section_id):
            choices.append(Choice(f"Move to section: {title}",
                                  partial(screen.move_to, row, section_id),
                                  "Move the selected item to the end of this section"))
    for section in screen.issue.sections:
        choices.append(Choice(f"Go to section: {section.title}",
                              partial(screen.go_to, section.id), "Put the cursor on it"))
        what = "notes" if section.kind == "notes" else "title and notes"
        choices.append(Choice(f"Edit section: {section.title}",
                              partial(screen.edit_section, section.id),
                              f"Edit the section's {what}"))
    try:
        from digest.render import FORMATS, formats
    except ImportError:
        return choices
    for fmt in formats(screen.digest_app.project):
        help_text = FORMATS[fmt][0] if fmt in FORMATS else "renderer plugin"
        choices.append(Choice(f"Export as {fmt}", partial(screen.export, fmt),
                              f"Export the issue: {help_text}"))
    return choices


class IssueCommands(Provider):
    """Sections, moves and export formats of the draft."""

    async def search(self, query: str) -> Hits:
        screen = cast("IssueScreen", self.screen)
        async for hit in search_choices(self.matcher(query), issue_choices(screen)):
            yield hit

    async def discover(self) -> Hits:
        screen = cast("IssueScreen", self.screen)
        async for hit in discover_choices(issue_choices(screen)):
            yield hit
