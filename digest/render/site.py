"""The archive site: every published issue as a page, an index, an Atom feed, search.

Links between pages are relative (``issues/340.html``, ``../style.css``), so
the same folder works opened from disk and served from any path of a web
server. Output is deterministic (no build timestamps), and a file whose bytes
did not change is not rewritten, so rebuilding after one edit touches a
handful of files and syncing the site to a server moves only those.

Search works without a server too: the index is a JSON data block inside
``search.html`` (browsers refuse ``fetch`` from ``file://``) read by
``search.js``, the only script on the site.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from markupsafe import Markup

from digest.archive import atomic_write, load_all
from digest.config import Project
from digest.model import Issue
from digest.render.html import (
    IssueView,
    NavLink,
    csp,
    issue_view,
    page_site_url,
    page_view,
    render_issue_page,
)
from digest.render.markdown import clean_line
from digest.render.plugins import run_preprocessors
from digest.render.themes import Theme, load_theme

__all__ = ["FEED_ENTRIES", "BuildError", "BuildReport", "build_site"]

#: Issues in ``feed.xml``, newest first; the archive pages hold the rest.
FEED_ENTRIES = 20
Progress = Callable[[int, int], None]
_PAGE = re.compile(r"^\d+\.html$")
_TAG = re.compile(r"<[^>]*>")
# Characters XML 1.0 does not allow even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BuildError(Exception):
    """The site cannot be built where asked; the message says why."""


@dataclass(frozen=True)
class BuildReport:
    out_dir: Path
    #: Issues published on the site.
    issues: int
    #: Files written because their content changed.
    written: int
    unchanged: int
    #: Pages of issues no longer published, removed.
    removed: int
    #: Issue files that could not be read and were left out.
    errors: tuple[str, ...] = ()
    seconds: float = 0.0
    files: tuple[Path, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class _Entry:
    href: str
    heading: str
    date_iso: str
    date_display: str
    item_count: int


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.written = 0
        self.unchanged = 0
        self.files: list[Path] = []

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        data = text.encode("utf-8")
        self.files.append(path)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.unchanged += 1
                return
        except OSError:
            pass
        atomic_write(path, data)
        self.written += 1


def _out_dir(project: Project, out_dir: Path | None) -> Path:
    out = (out_dir if out_dir is not None else project.output_dir).expanduser().resolve()
    root = project.root.resolve()
    if out == root or root.is_relative_to(out) or out.is_relative_to(project.issues_dir.resolve()):
        raise BuildError(
            f"{out}: refusing to build the site there, it would mix with the project's "
            "own files (set `output` in digest.toml to a folder of its own, e.g. \"site\")"
        )
    return out


def _iso(view: IssueView) -> str:
    return f"{view.date_iso}T00:00:00Z"


def _xml(text: str) -> str:
    return xml_escape(_XML_INVALID.sub("", text))


def _feed_ids(project: Project, base: str) -> tuple[str, Callable[[int], str]]:
    if base:
        return base, lambda n: f"{base}issues/{n}.html"
    # Without a site URL there is no address to name things by; a UUID derived
    # from the title stays the same from build to build.
    key = "digest:" + (clean_line(project.title).lower() or "newsletter")
    feed_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    return feed_id, lambda n: f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{key}:issue:{n}')}"


def _atom(project: Project, theme: Theme, views: Sequence[IssueView]) -> str:
    base = page_site_url(project)
    feed_id, entry_id = _feed_ids(project, base)
    title = clean_line(project.title) or "Newsletter"
    newest = list(reversed(views))[:FEED_ENTRIES]
    updated = _iso(newest[0]) if newest else "1970-01-01T00:00:00Z"
    lang = page_view(project, title, csp="").lang
    base_attr = f' xml:base="{_xml(base)}"' if base else ""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}"{base_attr}>',
        f"  <id>{_xml(feed_id)}</id>",
        f"  <title>{_xml(title)}</title>",
    ]
    if project.description.strip():
        out.append(f"  <subtitle>{_xml(clean_line(project.description))}</subtitle>")
    out += [
        f"  <updated>{updated}</updated>",
        f"  <author><name>{_xml(clean_line(project.author) or title)}</name></author>",
        '  <link rel="self" type="application/atom+xml" href="feed.xml"/>',
        '  <link rel="alternate" type="text/html" href="index.html"/>',
        '  <generator uri="https://pypi.org/project/digest/">digest</generator>',
    ]
    body = theme.template("issue_body.html")
    for view in newest:
        content = body.render(issue=view)
        out += [
            "  <entry>",
            f"    <id>{_xml(entry_id(view.number))}</id>",
            f"    <title>{_xml(view.heading)}</title>",
            f'    <link rel="alternate" type="text/html" href="issues/{view.number}.html"/>',
            f"    <published>{_iso(view)}</published>",
            f"    <updated>{_iso(view)}</updated>",
        ]
        if view.summary:
            out.append(f"    <summary>{_xml(view.summary)}</summary>")
        out += [f'    <content type="html">{_xml(content)}</content>', "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _plain(markup: str) -> str:
    return clean_line(html.unescape(_TAG.sub(" ", markup)))


def _search_index(views: Sequence[IssueView]) -> str:
    """Compact JSON: issues as [number, heading, date, href], docs as
    [issue index, title, href, text, source]."""
    issues: list[list[object]] = []
    docs: list[list[object]] = []
    for i, view in enumerate(reversed(views)):
        href = f"issues/{view.number}.html"
        issues.append([view.number, view.heading, view.date_iso, href])
        if view.intro:
            docs.append([i, view.heading, href, _plain(view.intro), ""])
        for section in view.sections:
            where = f"{href}#{section.anchor}"
            if section.notes:
                docs.append([i, section.title, where, _plain(section.notes), ""])
            for item in section.items:
                where = f"{href}#{item.anchor}"
                docs.append([i, item.title, where, _plain(item.blurb), item.source])
    data = json.dumps({"version": 1, "issues": issues, "docs": docs},
                      ensure_ascii=False, separators=(",", ":"))
    # Inside a <script> data block: no "</script" and no "<!--" can appear.
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_site(
    project: Project,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    include_drafts: bool = False,
    theme: str | None = None,
) -> BuildReport:
    """Publish the archive: published issues (or drafts too) into ``out_dir``.

    Preprocessors run for renderer "html" before anything is written, so a
    failing plugin aborts the build with the old site intact.
    """
    started = time.perf_counter()
    out = _out_dir(project, out_dir)
    th = load_theme(project, theme)
    css = th.read_text("style.css")
    script = th.read_text("search.js")
    loaded = load_all(project)
    issues: list[Issue] = sorted(
        (i for i in loaded.issues if include_drafts or i.status == "published"),
        key=lambda i: i.number,
    )
    total = len(issues) + 1
    issues = [run_preprocessors(issue, project, "html") for issue in issues]
    views = [issue_view(issue) for issue in issues]

    writer = _Writer(out)
    writer.write("style.css", css)
    page_csp = csp(styles="'self'")
    feed_title = clean_line(project.title) or "Newsletter"
    for n, view in enumerate(views):
        prev_ = views[n - 1] if n > 0 else None
        next_ = views[n + 1] if n + 1 < len(views) else None
        page = page_view(
            project,
            f"{view.heading} | {feed_title}",
            csp=page_csp,
            root="../",
            stylesheet="../style.css",
            home="../index.html",
            feed="../feed.xml",
            search="../search.html",
            prev=NavLink(f"{prev_.number}.html", f"Issue {prev_.number}") if prev_ else None,
            next=NavLink(f"{next_.number}.html", f"Issue {next_.number}") if next_ else None,
        )
        writer.write(f"issues/{view.number}.html", render_issue_page(view, th, page))
        if progress is not None:
            progress(n + 1, total)

    entries = [
        _Entry(f"issues/{v.number}.html", v.heading, v.date_iso, v.date_display, v.item_count)
        for v in reversed(views)
    ]
    common = {
        "csp": page_csp, "stylesheet": "style.css", "home": "index.html",
        "feed": "feed.xml", "search": "search.html",
    }
    writer.write(
        "index.html",
        th.template("index.html").render(issues=entries, page=page_view(project, feed_title,
                                                                       **common)),
    )
    search_page = page_view(project, f"Search | {feed_title}",
                            **{**common, "csp": csp(styles="'self'", scripts="'self'")})
    writer.write(
        "search.html",
        th.template("search.html").render(
            index_json=Markup(_search_index(views)), page=search_page
        ),
    )
    writer.write("search.js", script)
    writer.write("feed.xml", _atom(project, th, views))
    if progress is not None:
        progress(total, total)

    keep = {f"{v.number}.html" for v in views}
    removed = 0
    pages = out / "issues"
    if pages.is_dir():
        for path in pages.iterdir():
            if _PAGE.match(path.name) and path.name not in keep:
                path.unlink()
                removed += 1
    return BuildReport(
        out_dir=out,
        issues=len(views),
        written=writer.written,
        unchanged=writer.unchanged,
        removed=removed,
        errors=loaded.errors,
        seconds=time.perf_counter() - started,
        files=tuple(writer.files),
    )
