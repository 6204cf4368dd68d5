"""The live preview: the issue as its Markdown export, rendered by Textual's Markdown.

The Markdown comes from ``digest.render.markdown.render_markdown`` (the same
text ``e`` exports as "md"), which escapes the editor's titles and defangs
anything harmful; a tiny fallback keeps the preview alive if render is absent.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from digest.config import Project
from digest.model import Issue

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _fallback_markdown(issue: Issue) -> str:
    """Plain escaped Markdown of the issue, for when ``digest.render`` cannot be imported."""
    out = [f"# {_escape(issue.title or f'Issue {issue.number}')}", "", _escape(issue.intro), ""]
    for section in issue.sections:
        if not section.items and not section.notes.strip():
            continue
        out += [f"## {_escape(section.title)}", "", _escape(section.notes), ""]
        for item in section.items:
            out += [f"### {_escape(item.title)}", "", _escape(item.blurb), "",
                    _escape(item.source or item.url), ""]
    return "\n".join(out)


def issue_markdown(issue: Issue, project: Project) -> str:
    """The Markdown export of ``issue``; a rendering error is shown, not raised."""
    try:
        from digest.render.markdown import render_markdown
    except ImportError:
        return _fallback_markdown(issue)
    try:
        return render_markdown(issue, project)
    except Exception as exc:  # the preview must never take the screen down
        return f"**The preview failed:** {_escape(f'{type(exc).__name__}: {exc}')}"


class IssuePreview(VerticalScroll, can_focus=True):
    """Scrollable rendered Markdown; ``show`` replaces the document."""

    DEFAULT_CSS = """
    IssuePreview {
        background: $surface;
        border-left: vkey $panel-lighten-2;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    IssuePreview:focus { background-tint: $foreground 3%; }
    IssuePreview Markdown { margin: 0; padding: 0; background: transparent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text: str | None = None

    def compose(self) -> ComposeResult:
        yield Markdown(open_links=False)

    def show(self, markdown: str) -> None:
        if markdown == self._text:
            return
        self._text = markdown
        self.query_one(Markdown).update(markdown)
