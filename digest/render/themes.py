"""Finding a theme: the project's ``themes/NAME/`` first, then the packaged one.

A theme is a folder of Jinja2 templates and CSS. Files are looked up one by
one along a search path, so a project can override a single file of a
packaged theme (say ``themes/django-news/style.css``) and inherit the rest,
and a new theme needs only the files that differ from the shared ``_base``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from digest.config import Project

__all__ = ["PACKAGED_THEMES", "Theme", "ThemeError", "available_themes", "load_theme"]

PACKAGED_THEMES = Path(__file__).resolve().parent.parent / "themes"
_BASE = "_base"


class ThemeError(Exception):
    """A theme or one of its files cannot be found; the message lists what exists."""


@dataclass(frozen=True)
class Theme:
    name: str
    #: Folders searched in order for each template or static file.
    search_path: tuple[Path, ...]
    env: jinja2.Environment = field(compare=False, repr=False)

    def template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound:
            raise ThemeError(
                f"theme {self.name!r} has no template {name!r} "
                f"(looked in {', '.join(map(str, self.search_path))})"
            ) from None

    def find(self, name: str) -> Path:
        for folder in self.search_path:
            path = folder / name
            if path.is_file():
                return path
        raise ThemeError(
            f"theme {self.name!r} has no file {name!r} "
            f"(looked in {', '.join(map(str, self.search_path))})"
        )

    def read_text(self, name: str) -> str:
        return self.find(name).read_text("utf-8")


def _project_themes(project: Project | None) -> Path | None:
    return project.root / "themes" if project is not None else None


def available_themes(project: Project | None = None) -> list[str]:
    """Names an editor may put in ``theme = "..."``."""
    names: set[str] = set()
    for folder in (PACKAGED_THEMES, _project_themes(project)):
        if folder is not None and folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.is_dir() and p.name[0] not in "._")
    return sorted(names)


@functools.lru_cache(maxsize=32)
def _environment(search_path: tuple[Path, ...]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def load_theme(project: Project | None, name: str | None = None) -> Theme:
    """The theme ``name`` (default: the project's) with its search path resolved."""
    name = name or (project.theme if project is not None else "django-news")
    if not name or "/" in name or "\\" in name or name.startswith((".", "_")):
        raise ThemeError(f"{name!r} is not a theme name (use a folder name such as 'plain')")
    path: list[Path] = []
    local = _project_themes(project)
    if local is not None and (local / name).is_dir():
        path.append(local / name)
    if (PACKAGED_THEMES / name).is_dir():
        path.append(PACKAGED_THEMES / name)
    if not path:
        where = f"{local} or " if local is not None else ""
        raise ThemeError(
            f"theme {name!r} not found in {where}the themes shipped with digest "
            f"(available: {', '.join(available_themes(project))})"
        )
    path.append(PACKAGED_THEMES / _BASE)
    search_path = tuple(path)
    return Theme(name, search_path, _environment(search_path))
