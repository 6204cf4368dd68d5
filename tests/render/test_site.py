"""The archive site: pages, relative links, Atom feed (feedparser, newsboat), search index."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from digest.archive import save_issue
from digest.config import Project
from digest.model import Issue
from digest.render.site import BuildError, build_site
from tests.render.conftest import make_project
from tests.render.htmlcheck import check_html
from tests.render.sample import hostile_issue, issue_340
from tests.render.test_html import assert_inert, elements

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def archive_of(project: Project, count: int = 3) -> list[Issue]:
    """Issue 340 and a few earlier ones, plus a draft that must not be published."""
    issues = []
    for k in range(count):
        issue = copy.deepcopy(issue_340())
        issue.number = 340 - k
        issue.date = dt.date(2026, 6, 5) - dt.timedelta(days=7 * k)
        if k:
            issue.title = f"Earlier issue {issue.number}"
        save_issue(project, issue)
        issues.append(issue)
    draft = copy.deepcopy(issue_340())
    draft.number, draft.status, draft.title = 341, "draft", "Secret draft"
    save_issue(project, draft)
    return issues


@pytest.fixture
def site(project: Project) -> Path:
    archive_of(project)
    report = build_site(project)
    assert report.issues == 3 and report.errors == ()
    return report.out_dir


def test_site_layout(project: Project, site: Path) -> None:
    assert site == project.root / "site"
    names = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert names == ["feed.xml", "index.html", "issues/338.html", "issues/339.html",
                     "issues/340.html", "search.html", "search.js", "style.css"]
    index = (site / "index.html").read_text()
    # Newest first, drafts left out.
    assert [m for m in re.findall(r'href="issues/(\d+)\.html"', index)] == ["340", "339", "338"]
    assert "Secret draft" not in index


@pytest.mark.parametrize("page", ["index.html", "issues/340.html", "search.html"])
def test_pages_are_valid_and_inert(site: Path, page: str) -> None:
    html = (site / page).read_text()
    assert check_html(html) == []
    search = page == "search.html"
    assert_inert(html, scripts=2 if search else 0, styles=0,
                 allow=frozenset({"noscript"} if search else ()))


def test_every_relative_link_resolves(site: Path) -> None:
    """So the site works from file:// and from any folder of a web server."""
    for page in site.rglob("*.html"):
        for tag, attrs in elements(page.read_text()):
            for name in ("href", "src", "action"):
                value = attrs.get(name) or ""
                if not value or urlsplit(value).scheme or value.startswith("#"):
                    continue
                assert not value.startswith("/"), f"{page}: absolute path {value}"
                target = (page.parent / unquote(urlsplit(value).path)).resolve()
                assert target.is_file(), f"{page.relative_to(site)}: {tag} {name}={value}"


def test_issue_pages_link_to_neighbours(site: Path) -> None:
    middle = (site / "issues" / "339.html").read_text()
    assert 'rel="prev" href="338.html"' in middle and 'rel="next" href="340.html"' in middle
    assert 'href="../style.css"' in middle and "script-src &#39;none&#39;" in middle


def test_atom_feed_is_valid(site: Path) -> None:
    data = (site / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Django News"
    assert [e.title for e in parsed.entries] == [
        "Issue 340: Django security releases 6.0.6 and 5.2.15",
        "Issue 339: Earlier issue 339",
        "Issue 338: Earlier issue 338",
    ]
    assert "Five CVEs are fixed" in parsed.entries[0].content[0].value

    # What RFC 4287 requires, checked on the XML itself.
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{child}")) == 1, child
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = set()
    for entry in root.findall(f"{ATOM}entry"):
        for child in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{child}")) == 1, child
        entry_id = entry.findtext(f"{ATOM}id") or ""
        assert urlsplit(entry_id).scheme in ("urn", "https", "http"), entry_id
        ids.add(entry_id)
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
        links = entry.findall(f"{ATOM}link")
        alternate = [link for link in links if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and (site / (alternate[0].get("href") or "")).is_file()
        assert entry.find(f"{ATOM}content").get("type") == "html"  # type: ignore[union-attr]
    assert len(ids) == 3


def test_feed_with_site_url_uses_absolute_ids(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", 'site_url = "https://news.example/dn"\n')
    archive_of(project, 1)
    build_site(project)
    parsed = feedparser.parse((project.root / "site" / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].id == "https://news.example/dn/issues/340.html"
    assert parsed.entries[0].link == "https://news.example/dn/issues/340.html"


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_reads_the_feed_from_a_file_url(site: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "urls").write_text(f"file://{site / 'feed.xml'}\n")
    (home / "config").write_text("")
    out = subprocess.run(
        ["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload",
         "print-unread"],
        cwd=home, env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3 unread articles"
    with sqlite3.connect(home / "cache.db") as db:
        rows = db.execute("SELECT title, url FROM rss_item ORDER BY url DESC").fetchall()
    assert rows[0] == ("Issue 340: Django security releases 6.0.6 and 5.2.15",
                       f"file://{site}/issues/340.html")


def test_rebuild_rewrites_only_what_changed(project: Project, site: Path) -> None:
    again = build_site(project)
    assert again.written == 0 and again.unchanged == 8
    issue = issue_340()
    issue.sections[0].items[0].blurb = "Changed blurb."
    save_issue(project, issue)
    third = build_site(project)
    # The issue page, its neighbour-free pages that embed it: search and the feed.
    assert third.written == 3 and third.unchanged == 5


def test_unpublished_issue_pages_are_removed(project: Project, site: Path) -> None:
    (project.issues_dir / "338.toml").unlink()
    report = build_site(project)
    assert report.removed == 1 and not (site / "issues" / "338.html").exists()
    assert (site / "issues" / "339.html").exists()


def test_drafts_can_be_previewed(project: Project, tmp_path: Path) -> None:
    archive_of(project)
    report = build_site(project, tmp_path / "preview", include_drafts=True)
    assert report.issues == 4 and (tmp_path / "preview" / "issues" / "341.html").is_file()


def test_damaged_issue_files_are_reported_and_skipped(project: Project) -> None:
    archive_of(project)
    (project.issues_dir / "337.toml").write_text("number = [oops")
    report = build_site(project)
    assert report.issues == 3 and len(report.errors) == 1 and "337.toml" in report.errors[0]


@pytest.mark.parametrize("where", [".", "issues", ".."])
def test_refuses_to_build_over_the_project(project: Project, where: str) -> None:
    with pytest.raises(BuildError, match="refusing"):
        build_site(project, project.root / where)


def test_search_index_is_json_and_cannot_end_its_script(project: Project) -> None:
    save_issue(project, hostile_issue("http://127.0.0.1:9/pwned"))
    out = build_site(project).out_dir
    html = (out / "search.html").read_text()
    block = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', html,
                      re.S)
    assert block is not None
    raw = block.group(1)
    assert "<" not in raw and ">" not in raw
    data = json.loads(raw)
    assert data["version"] == 1 and data["issues"][0][0] == 666
    assert any("<script>" in doc[1] for doc in data["docs"])
    assert_inert(html.replace(block.group(0), ""), scripts=1, styles=0,
                 allow=frozenset({"noscript"}))


def test_progress_is_reported(project: Project) -> None:
    archive_of(project)
    seen: list[tuple[int, int]] = []
    build_site(project, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4) and seen[0] == (1, 4)
