"""Curation steps on an issue: the same functions behind the TUI's keys and ``digest pick``.

They change an :class:`Issue` in memory and return what they did; saving is the
caller's business (the TUI autosaves, the CLI saves at once), so the steps stay
easy to undo and to test.
"""

from __future__ import annotations

import re

from digest.config import Project
from digest.feeds.urls import bare_domain
from digest.model import Entry, Issue, Item, Section

BLURB_LIMIT = 300

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


class CurateError(ValueError):
    """A curation step cannot be done (unknown section, item out of range)."""


def first_blurb(text: str, limit: int = BLURB_LIMIT) -> str:
    """The first sentence or two of a post, as a first draft the editor rewrites.

    Two sentences when they fit, else one, trimmed near ``limit`` at a word
    boundary with an ellipsis.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    sentences = _SENTENCE_END.split(text)
    blurb = sentences[0]
    if len(sentences) > 1 and len(blurb) + 1 + len(sentences[1]) <= limit:
        blurb = f"{blurb} {sentences[1]}"
    if len(blurb) > limit:
        cut = blurb.rfind(" ", 0, limit)
        blurb = blurb[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "…"
    return blurb


def _body_text(entry: Entry) -> str:
    """The post's text without its title, which many feeds repeat as the first line."""
    text = entry.text.lstrip()
    title = entry.title.strip()
    if title and text.casefold().startswith(title.casefold()):
        rest = text[len(title):].lstrip(" \n\t:.-–—")
        if rest:
            return rest
    return text


def item_from_entry(entry: Entry) -> Item:
    return Item(
        title=entry.title or entry.link,
        url=entry.link,
        blurb=first_blurb(_body_text(entry)),
        source=bare_domain(entry.source_url or entry.link) if entry.link else "",
        entry_id=entry.id,
    )


def ensure_section(issue: Issue, project: Project, section_id: str) -> Section:
    """The issue's section with this id, added in config order if the issue lacks it."""
    section = issue.section(section_id)
    if section is not None:
        return section
    sdef = project.section(section_id)
    if sdef is None:
        known = ", ".join(s.id for s in project.sections)
        raise CurateError(f"no section {section_id!r} (sections: {known})")
    order = [s.id for s in project.sections]
    section = Section(sdef.id, sdef.title, sdef.kind)
    pos = order.index(section_id)
    index = len(issue.sections)
    for i, existing in enumerate(issue.sections):
        if existing.id in order and order.index(existing.id) > pos:
            index = i
            break
    issue.sections.insert(index, section)
    return section


def locate(issue: Issue, entry_id: str = "", url: str = "") -> tuple[Section, int] | None:
    """Where an entry (by id or link) already sits in the issue."""
    for section in issue.sections:
        for n, item in enumerate(section.items):
            if (entry_id and item.entry_id == entry_id) or (url and item.url == url):
                return section, n
    return None


def pick(issue: Issue, project: Project, entry: Entry, section_id: str) -> Item:
    """File an entry into a section; an entry already in the issue moves there instead."""
    target = ensure_section(issue, project, section_id)
    found = locate(issue, entry.id, entry.link)
    if found:
        section, index = found
        if section is target:
            # Already filed here: picking again must not reorder the section.
            return section.items[index]
        item = section.items.pop(index)
        target.items.append(item)
        return item
    item = item_from_entry(entry)
    target.items.append(item)
    return item


def add_item(issue: Issue, project: Project, section_id: str, item: Item) -> Item:
    ensure_section(issue, project, section_id).items.append(item)
    return item


def _section(issue: Issue, section_id: str) -> Section:
    section = issue.section(section_id)
    if section is None:
        raise CurateError(f"issue {issue.number} has no section {section_id!r}")
    return section


def _check_index(section: Section, index: int) -> None:
    if not 0 <= index < len(section.items):
        raise CurateError(f"no item {index + 1} in section {section.id!r}")


def remove_item(issue: Issue, section_id: str, index: int) -> Item:
    section = _section(issue, section_id)
    _check_index(section, index)
    return section.items.pop(index)


def move_item(issue: Issue, project: Project, section_id: str, index: int,
              target_id: str) -> Item:
    """Move an item to the end of another section (nothing happens for its own section).

    Everything is checked before anything changes, so a bad target loses no item.
    """
    section = _section(issue, section_id)
    _check_index(section, index)
    if target_id == section_id:
        return section.items[index]
    target = ensure_section(issue, project, target_id)
    item = section.items.pop(index)
    target.items.append(item)
    return item


def place_item(issue: Issue, section_id: str, index: int, target_id: str,
               target_index: int) -> int:
    """Put an item at ``target_index`` of a section of the issue (drag and drop).

    ``target_index`` counts positions in the target section as it is before the
    move (so dropping an item onto the one below it swaps them), clamped to the
    section. Returns the item's new index.
    """
    section = _section(issue, section_id)
    _check_index(section, index)
    target = _section(issue, target_id)
    item = section.items.pop(index)
    new = max(0, min(len(target.items), target_index))
    target.items.insert(new, item)
    return new


def shift_item(issue: Issue, section_id: str, index: int, delta: int) -> int:
    """Move an item up (-1) or down (+1) within its section; returns its new index."""
    section = _section(issue, section_id)
    _check_index(section, index)
    items = section.items
    new = max(0, min(len(items) - 1, index + delta))
    if new != index:
        items.insert(new, items.pop(index))
    return new


def shift_section(issue: Issue, section_id: str, delta: int) -> int:
    """Move a section up (-1) or down (+1) in the issue; returns its new index."""
    index = next((i for i, s in enumerate(issue.sections) if s.id == section_id), None)
    if index is None:
        raise CurateError(f"issue {issue.number} has no section {section_id!r}")
    new = max(0, min(len(issue.sections) - 1, index + delta))
    if new != index:
        issue.sections.insert(new, issue.sections.pop(index))
    return new
