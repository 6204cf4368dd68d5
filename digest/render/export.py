"""One entry point for "ship this issue", shared by the TUI key and ``digest export``.

Rendering happens in memory and the file is written once, atomically, at the
end: a failing plugin or template leaves no half-written export behind, and
the issue file is never written at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.archive import atomic_write
from digest.config import Project
from digest.model import Issue
from digest.render.email import render_email, render_text
from digest.render.html import render_html
from digest.render.markdown import render_markdown
from digest.render.plugins import run_preprocessors, run_renderer

__all__ = ["FORMATS", "ExportError", "ExportResult", "default_export_path", "export_issue"]

#: Built-in formats: name → (description, file suffix).
FORMATS: dict[str, tuple[str, str]] = {
    "md": ("Markdown to paste into a publishing tool", ".md"),
    "html": ("a web page, CSS inline, no scripts", ".html"),
    "email": ("e-mail HTML with inlined CSS", ".email.html"),
    "text": ("plain-text e-mail alternative", ".txt"),
}


class ExportError(Exception):
    """The export cannot be made as asked (unknown format, unwritable path)."""


@dataclass(frozen=True)
class ExportResult:
    format: str
    data: bytes
    #: Where the export was written; ``None`` when the caller asked for the text only.
    path: Path | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def formats(project: Project) -> list[str]:
    """Every format ``export_issue`` accepts for this project, built-ins first."""
    return [*FORMATS, *(r.name for r in project.renderers if r.name not in FORMATS)]


def default_export_path(project: Project, issue: Issue, fmt: str) -> Path:
    """Where an export goes when the editor does not say: ``<project>/exports/NNN.ext``.

    Not inside the site folder: deploying the site must not publish exported drafts.
    """
    suffix = FORMATS[fmt][1] if fmt in FORMATS else f".{fmt}"
    return project.root / "exports" / f"{issue.number:03d}{suffix}"


def _builtin(fmt: str, theme: str | None) -> Callable[[Issue, Project], str]:
    if fmt == "md":
        return render_markdown
    if fmt == "html":
        return lambda issue, project: render_html(issue, project, theme)
    if fmt == "email":
        return lambda issue, project: render_email(issue, project, theme)
    return render_text


def export_issue(
    project: Project,
    issue: Issue,
    fmt: str,
    out: Path | None,
    *,
    theme: str | None = None,
) -> ExportResult:
    """Run the preprocessors for ``fmt``, render, and write to ``out`` if given.

    ``out`` may be a file or an existing folder (the file is then named after
    the issue). ``fmt`` is a built-in format or the name of a renderer plugin.
    Raises ``PluginError``, ``ThemeError`` or ``ExportError``.
    """
    plugin_names = {r.name for r in project.renderers}
    if fmt not in FORMATS and fmt not in plugin_names:
        raise ExportError(
            f"unknown format {fmt!r} (choose from {', '.join(formats(project))})"
        )
    path: Path | None = None
    if out is not None:
        path = out / default_export_path(project, issue, fmt).name if out.is_dir() else out
    prepared = run_preprocessors(issue, project, fmt)
    if fmt in FORMATS:
        data = _builtin(fmt, theme)(prepared, project).encode("utf-8")
    else:
        data = run_renderer(prepared, project, fmt, path.parent if path else None)
    if path is not None:
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return ExportResult(fmt, data, path)
