"""Everything an issue turns into: Markdown, web page, e-mail, plain text, archive site.

The TUI and the CLI both call ``export_issue`` and ``build_site``; neither
renders anything itself.
"""

from __future__ import annotations

from digest.render.email import render_email, render_text
from digest.render.export import (
    FORMATS,
    ExportError,
    ExportResult,
    default_export_path,
    export_issue,
    formats,
)
from digest.render.html import render_html
from digest.render.markdown import render_markdown
from digest.render.plugins import PluginError
from digest.render.site import BuildError, BuildReport, build_site
from digest.render.themes import ThemeError, available_themes

__all__ = [
    "FORMATS",
    "BuildError",
    "BuildReport",
    "ExportError",
    "ExportResult",
    "PluginError",
    "ThemeError",
    "available_themes",
    "build_site",
    "default_export_path",
    "export_issue",
    "formats",
    "render_email",
    "render_html",
    "render_markdown",
    "render_text",
]
