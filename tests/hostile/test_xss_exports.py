"""Hostile feeds through the whole path, out into every exported format.

The fixture feeds in ``feeds/`` (XSS in titles, links, summaries, content,
authors, in RSS, Atom and JSON Feed, in every case and encoding; Markdown-link
injection; terminal controls; UTF-7) are served over loopback, fetched, stored,
and every entry is picked into an issue with the editing session the TUI uses.
Each entry is also added a second time with the entry's own HTML as its
blurb, as an editor pasting a post would do, and the intro and a notes section
get feed HTML too: the editor publishes whatever the feed said under their own
name.

The issue is saved, read back from disk and exported as Markdown, HTML page
and e-mail HTML (both themes), plain text, and an archive site with its Atom
feed. Each document is parsed (``html.parser``, ``xml.etree``, and the
Markdown through cmark ``--unsafe`` and markdown-it with every link allowed, as
a careless publishing tool would) and must hold nothing executable beyond
what its theme holds for a harmless issue.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from markdown_it import MarkdownIt

from digest import archive, curate
from digest.config import Project
from digest.model import Issue, Item, Section
from digest.render import build_site, export_issue
from digest.session import EditSession
from digest.store import EntryFilter, Store
from tests.feedserver import FeedServer
from tests.hostile.inert import (
    Finding,
    atom_findings,
    bad_url,
    control_findings,
    html_findings,
    unexpected,
)
from tests.hostile.support import FEEDS, fetch, make_project

THEMES = ("django-news", "plain")
CMARK = shutil.which("cmark")
HOSTILE_FEEDS = ("xss.xml", "xss-atom.xml", "xss.json", "markdown-injection.xml",
                 "terminal.xml", "utf7.xml")


@dataclass
class Exports:
    issue: Issue
    entries: int
    docs: dict[str, str]
    site: dict[str, str]


def export_all(project: Project, issue: Issue) -> tuple[dict[str, str], dict[str, str]]:
    docs = {"md": export_issue(project, issue, "md", None).text,
            "text": export_issue(project, issue, "text", None).text}
    for theme in THEMES:
        for fmt in ("html", "email"):
            docs[f"{fmt}:{theme}"] = export_issue(project, issue, fmt, None, theme=theme).text
    archive.publish(project, issue.number, dt.date(2026, 6, 12))
    site: dict[str, str] = {}
    for theme in THEMES:
        out = build_site(project, project.root / f"site-{theme}", theme=theme).out_dir
        for path in sorted(out.rglob("*")):
            if path.suffix in (".html", ".xml"):
                site[f"{theme}/{path.relative_to(out)}"] = path.read_text("utf-8")
    return docs, site


def harmless_issue() -> Issue:
    return Issue(number=1, date=dt.date(2026, 6, 12), title="A quiet week",
                 intro="Hello *readers*, see [the docs](https://docs.example.org/).",
                 sections=[
                     Section("news", "News", items=[
                         Item("Django 6.0 released", "https://www.djangoproject.com/weblog/",
                              "A **big** _release_ with `code`, ~~old~~ and a picture "
                              "![logo](https://www.djangoproject.com/logo.png).\n\n"
                              "> Quoted words.\n\n```\nprint(1)\n```\n\n1. one\n2. two\n\n"
                              "### A heading\n\n---\n\nEnd.", "djangoproject.com"),
                         Item("Untitled link", "https://example.org/a?b=1&c=2", "", "")]),
                     Section("updates", "Updates", "notes", notes="Some notes.\n\n- a\n- b"),
                     Section("articles", "Articles", items=[
                         Item("Plain", "https://blog.example.net/p", "Text.", "")]),
                 ])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    project = make_project(tmp_path_factory.mktemp("baseline") / "news")
    issue = harmless_issue()
    archive.save_issue(project, issue)
    docs, site = export_all(project, issue)
    return Exports(issue, 0, docs, site)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    root = tmp_path_factory.mktemp("hostile")
    project = make_project(root / "news")
    with FeedServer() as server, Store(root / "cache.sqlite") as store:
        urls = [server.add(f"/{name}", (FEEDS / name).read_bytes(), content_type="")
                for name in HOSTILE_FEEDS]
        summary = fetch(store, urls)
        assert [o.status for o in summary.outcomes] == ["ok"] * len(urls), summary.outcomes
        # By id, so which entries get pasted blurbs is the same on every run.
        rows = sorted(store.list_entries(EntryFilter(hide_dismissed=False), limit=10_000),
                      key=lambda r: r.id)
        session = EditSession(project, archive.open_draft(project, dt.date(2026, 6, 8)), store)
        pasted: list[str] = []
        entries = [store.entry(row.id) for row in rows]
        # Fifty steps at a time: each step of the session copies the whole
        # issue (for undo), and this one grows to a thousand items.
        for start in range(0, len(entries), 50):
            chunk = [e for e in entries[start:start + 50] if e is not None]
            copies = [Item(e.title, e.link, e.content_html or e.summary_html or e.text,
                           e.source_title, e.id) for e in chunk]
            pasted += [c.blurb for c in copies]
            session.apply("Pick", lambda i, chunk=chunk: [
                curate.pick(i, project, e, "news") for e in chunk])
            session.apply("Paste", lambda i, copies=copies: [
                curate.add_item(i, project, "articles", c) for c in copies])
        session.apply("Intro", lambda i: setattr(i, "intro", "\n\n".join(pasted[:40])))
        session.apply("Notes", lambda i: setattr(
            curate.ensure_section(i, project, "updates"), "notes", "\n\n".join(pasted[40:80])))
        session.apply("Title", lambda i: setattr(i, "title", rows[0].title))
        path = session.save()
        assert path is not None and not session.dirty
    issue = archive.load_issue(path)
    docs, site = export_all(project, issue)
    return Exports(issue, len(rows), docs, site)


def test_every_hostile_entry_reaches_the_issue(hostile: Exports) -> None:
    assert hostile.entries > 450
    assert hostile.issue.item_count() == 2 * hostile.entries
    # The vectors arrive as text: proof the checks below had something to see.
    assert "onerror=alert(1)" in hostile.docs["text"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile.docs["html:django-news"]


@pytest.mark.parametrize("fmt", [f"{f}:{t}" for f in ("html", "email") for t in THEMES])
def test_html_and_email_exports_are_inert(hostile: Exports, baseline: Exports, fmt: str) -> None:
    found = unexpected(html_findings(hostile.docs[fmt]), html_findings(baseline.docs[fmt]))
    assert found == [], "\n".join(map(str, found[:20]))
    assert control_findings(hostile.docs[fmt]) == []


def markdown_it_unsafe(md: str) -> str:
    """A publishing tool that lets raw HTML and every link scheme through."""
    renderer = MarkdownIt("commonmark", {"html": True})
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer.render(md)


def cmark_unsafe(md: str) -> str:
    assert CMARK is not None
    return subprocess.run([CMARK, "--unsafe"], input=md, capture_output=True, text=True,
                          check=True, timeout=60).stdout


@pytest.mark.parametrize("engine", ["markdown-it", "cmark"])
def test_markdown_export_is_inert_in_a_careless_renderer(
    hostile: Exports, baseline: Exports, engine: str
) -> None:
    if engine == "cmark" and CMARK is None:
        pytest.skip("cmark is not installed")
    render = markdown_it_unsafe if engine == "markdown-it" else cmark_unsafe
    found = unexpected(html_findings(render(hostile.docs["md"])),
                       html_findings(render(baseline.docs["md"])))
    assert found == [], "\n".join(map(str, found[:20]))
    assert control_findings(hostile.docs["md"]) == []


#: A line that is one bare URL: what a mail client shows (and may linkify) as a link.
_URL_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\"'<>]+$")


def test_text_export_has_no_controls_and_only_web_link_lines(hostile: Exports) -> None:
    text = hostile.docs["text"]
    assert control_findings(text) == []
    link_lines = [line for line in text.splitlines() if _URL_LINE.match(line)]
    assert sum(line.startswith("https://example.org/") for line in link_lines) > 300
    assert [line for line in link_lines if bad_url(line)] == []


def test_archive_site_pages_and_feed_are_inert(hostile: Exports, baseline: Exports) -> None:
    assert {k.split("/", 1)[1] for k in hostile.site} >= {
        "index.html", "search.html", "feed.xml", "issues/1.html"}
    problems: list[str] = []
    for name, doc in hostile.site.items():
        base = baseline.site.get(name.replace("issues/1.html", "issues/1.html"), "")
        if name.endswith(".xml"):
            found: list[Finding] = atom_findings(doc)
        else:
            found = unexpected(html_findings(doc), html_findings(base))
        problems += [f"{name}: {f}" for f in found]
        problems += [f"{name}: {f}" for f in control_findings(doc)]
    assert problems == [], "\n".join(problems[:20])


def test_reference_definitions_in_a_pasted_blurb_cannot_link_elsewhere(
    project: Project,
) -> None:
    """A blurb holding only ``[ref]: javascript:…`` defines a link for the whole page."""
    issue = Issue(number=2, date=dt.date(2026, 6, 12), sections=[Section("news", "News", items=[
        Item("First", "https://example.org/1", "[ref]: javascript:alert(1)"),
        Item("Second", "https://example.org/2", "Read [more][ref] or [ref]."),
    ])])
    md = export_issue(project, issue, "md", None).text
    for render in (markdown_it_unsafe, *((cmark_unsafe,) if CMARK else ())):
        assert [f for f in html_findings(render(md)) if f.kind == "url"] == []
