"""The bundled demo project (digest/demo/project) through every renderer."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from markdown_it import MarkdownIt

from digest.archive import issue_path, load_all, load_issue
from digest.config import Project, load_project
from digest.render import export_issue
from digest.render.site import build_site
from tests.render.htmlcheck import check_html
from tests.render.sample import SEED, seed_outline
from tests.render.test_markdown import outline

DEMO = Path(__file__).resolve().parents[2] / "digest" / "demo" / "project"
pytestmark = pytest.mark.skipif(not (DEMO / "digest.toml").is_file(), reason="no demo project")


@pytest.fixture(scope="module")
def demo() -> Project:
    return load_project(DEMO)


@pytest.mark.skipif(not SEED.is_file(), reason="shared/seed is not beside the repository")
def test_demo_issue_340_exports_like_the_seed(demo: Project) -> None:
    issue = load_issue(issue_path(demo, 340))
    assert outline(export_issue(demo, issue, "md", None).text) == seed_outline()


@pytest.mark.skipif(shutil.which("cmark") is None, reason="Debian's cmark is not installed")
def test_every_demo_issue_renders_alike_in_cmark_and_markdown_it(demo: Project) -> None:
    loaded = load_all(demo)
    assert loaded.errors == () and loaded.issues
    for issue in loaded.issues:
        md = export_issue(demo, issue, "md", None).text
        cmark = subprocess.run(["cmark"], input=md, capture_output=True, text=True, check=True)
        assert MarkdownIt("commonmark").render(md) == cmark.stdout, issue.number


def test_demo_site_builds_valid_pages_and_feed(demo: Project, tmp_path: Path) -> None:
    report = build_site(demo, tmp_path / "site")
    assert report.issues >= 1 and report.errors == ()
    for page in (tmp_path / "site").rglob("*.html"):
        assert check_html(page.read_text()) == [], page.name
    parsed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == report.issues
    # The demo has a site_url: ids and links are absolute.
    assert parsed.entries[0].link.startswith("https://example.org/django-news-demo/issues/")
