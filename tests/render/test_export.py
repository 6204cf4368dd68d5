"""export_issue: the one call behind the TUI's export key and `digest export`."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Project
from digest.model import Issue
from digest.render import ExportError, default_export_path, export_issue, formats
from digest.render.markdown import render_markdown


def test_export_to_a_folder_names_the_file_after_the_issue(
    project: Project, issue340: Issue, tmp_path: Path
) -> None:
    result = export_issue(project, issue340, "md", tmp_path)
    assert result.path == tmp_path / "340.md"
    assert result.path.read_text() == render_markdown(issue340) == result.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["340.md", "news"]


@pytest.mark.parametrize(("fmt", "name"), [("md", "340.md"), ("html", "340.html"),
                                           ("email", "340.email.html"), ("text", "340.txt")])
def test_default_path_is_in_the_projects_output_folder(
    project: Project, issue340: Issue, fmt: str, name: str
) -> None:
    path = default_export_path(project, issue340, fmt)
    assert path == project.root / "exports" / name
    result = export_issue(project, issue340, fmt, path)
    assert result.path == path and path.read_bytes() == result.data
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_without_a_path_nothing_is_written(project: Project, issue340: Issue) -> None:
    result = export_issue(project, issue340, "text", None)
    assert result.path is None and result.text.startswith("Issue 340:")
    assert not (project.root / "site").exists()


def test_unknown_format(project: Project, issue340: Issue) -> None:
    assert formats(project) == ["md", "html", "email", "text"]
    with pytest.raises(ExportError, match="unknown format 'pdf' .*md, html, email, text"):
        export_issue(project, issue340, "pdf", None)
