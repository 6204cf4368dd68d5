"""The HTML page: valid, accessible structure; feed text sanitized; themes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.config import Project
from digest.model import Issue
from digest.render.html import markdown_html, render_html
from digest.render.markdown import clean_block
from digest.render.themes import ThemeError, available_themes, load_theme
from tests.render.htmlcheck import check_html
from tests.render.sample import hostile_issue

THEMES = ["django-news", "plain"]
BEACON = "http://127.0.0.1:9/pwned"
SAFE_URL = r"(https?:|mailto:|#|\.\./|[\w./-]+\.(html|css|js|xml)([?#].*)?$|data:,$)"
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "form", "input", "svg", "math",
                  "video", "audio", "source", "details", "noscript", "frame", "frameset", "applet"}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def assert_inert(
    html: str, *, scripts: int = 0, styles: int = 1, allow: frozenset[str] = frozenset()
) -> None:
    """No element or attribute in ``html`` that could run or load script.

    ``scripts``/``styles`` are the elements the template itself puts there.
    """
    tags = elements(html)
    assert [t for t, _ in tags].count("script") == scripts
    assert [t for t, _ in tags].count("style") == styles
    for tag, attrs in tags:
        assert tag not in DANGEROUS_TAGS - {"script", "form", "input"} - allow, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("srcdoc", "formaction", "xlink:href", "style"), (tag, name)
            if name in ("href", "src", "action", "data"):
                assert re.match(SAFE_URL, value or ""), (tag, name, value)
        if tag == "meta":
            assert attrs.get("http-equiv") in (None, "Content-Security-Policy"), attrs


@pytest.mark.parametrize("theme", THEMES)
def test_page_is_valid_and_accessible(project: Project, issue340: Issue, theme: str) -> None:
    html = render_html(issue340, project, theme)
    assert check_html(html) == []
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert (
        '<h1 class="issue__title">Issue 340: Django security releases 6.0.6 and 5.2.15</h1>'
    ) in html
    # Django News' own class names, so stylesheets and importers can be shared.
    assert html.count('class="item item--link"') == 21
    assert html.count('class="item__title"') == 21
    assert html.count('class="item__footer-link"') == 21
    assert "@media (prefers-color-scheme: dark)" in html


@pytest.mark.parametrize("theme", THEMES)
def test_csp_forbids_scripts_and_allows_exactly_the_inline_style(
    project: Project, issue340: Issue, theme: str
) -> None:
    html = render_html(issue340, project, theme)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    policy = csp.group(1).replace("&#39;", "'")
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy


@pytest.mark.parametrize("theme", THEMES)
def test_hostile_feed_text_is_inert(project: Project, theme: str) -> None:
    html = render_html(hostile_issue(BEACON), project, theme)
    assert check_html(html) == [], check_html(html)[:5]
    assert_inert(html)
    assert BEACON not in re.sub(r'href="[^"]*"', "", html) or "&lt;" in html
    # Template syntax in feed text is text, never evaluated.
    assert "{{ 7*7 }}" in html and "49" not in html


def test_hostile_title_breaking_out_of_a_markdown_link_stays_text(project: Project) -> None:
    html = render_html(hostile_issue(BEACON), project)
    assert "x](javascript:" in html
    hrefs = [a.get("href") or "" for t, a in elements(html) if t == "a"]
    schemes = {urlsplit(h).scheme for h in hrefs}
    assert schemes == {"", "https"} and all(h == "#main" for h in hrefs if not urlsplit(h).scheme)
    # Written as valid URLs: what would need quoting is percent-encoded.
    assert not [h for h in hrefs if re.search(r'[\s<>"`]', h)]


def test_headings_in_editor_markdown_keep_the_page_outline() -> None:
    html = str(markdown_html("# Big\n\n## Smaller", heading_level=4))
    assert html == "<h4>Big</h4>\n<h5>Smaller</h5>\n"
    assert "<h6>" in markdown_html("###### deep", heading_level=4)


@pytest.mark.parametrize(
    "text",
    [
        "Plain words, with commas; colons: and (parentheses) - dashes.",
        'Quotes "double" and \'single\' 100% $5 @user a+b=c',
        "Ünïcödé and emoji 🚀 text",
        "ends with slash /path/to",
        "snake_case_name stays",
        "1. not a list without newline?",
        "a  double  space",
        "a _em_ and *strong* word",
        "An \u00a0nbsp and \u2028 separator",
    ],
)
def test_fast_path_matches_markdown_it(text: str) -> None:
    from digest.render.html import _CLEANER, _MD

    full = _CLEANER.clean(_MD.render(clean_block(text)))
    assert str(markdown_html(text)) == full


def test_project_theme_overrides_one_file(project: Project, issue340: Issue) -> None:
    local = project.root / "themes" / "django-news"
    local.mkdir(parents=True)
    (local / "style.css").write_text("body { color: rebeccapurple; }\n", "utf-8")
    html = render_html(issue340, project)
    assert "rebeccapurple" in html and 'class="item item--link"' in html


def test_project_can_add_a_theme(project: Project, issue340: Issue) -> None:
    local = project.root / "themes" / "mine"
    local.mkdir(parents=True)
    (local / "style.css").write_text("body { color: teal; }\n", "utf-8")
    (local / "issue.html").write_text(
        '{% extends "layout.html" %}{% block content %}<h1>{{ issue.heading }}</h1>'
        "<p>{{ issue.item_count }} links</p>{% endblock %}", "utf-8")
    assert "mine" in available_themes(project)
    html = render_html(issue340, project, "mine")
    assert "teal" in html and "<p>21 links</p>" in html
    assert check_html(html) == []


def test_unknown_theme_names_what_exists(project: Project, issue340: Issue) -> None:
    with pytest.raises(ThemeError, match=r"'nope' not found.*available: django-news, plain"):
        render_html(issue340, project, "nope")
    with pytest.raises(ThemeError, match="not a theme name"):
        load_theme(project, "../etc")


def test_packaged_themes_ship_every_file() -> None:
    for theme in THEMES:
        th = load_theme(None, theme)
        for name in ("style.css", "email.css", "search.js"):
            assert th.find(name).is_file()
        for name in ("layout.html", "issue.html", "issue_body.html", "index.html", "search.html",
                     "email.html"):
            th.template(name)
    assert (Path(__file__).parents[2] / "digest" / "themes" / "_base").is_dir()
