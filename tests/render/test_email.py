"""E-mail HTML (inlined, 600 px) and its plain-text alternative."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.config import Project
from digest.model import Issue, Item, Section
from digest.render.email import markdown_text, render_email, render_text, split_at_rules
from tests.render.htmlcheck import check_html
from tests.render.sample import hostile_issue, issue_340
from tests.render.test_html import assert_inert

THEMES = ["django-news", "plain"]


@pytest.mark.parametrize("theme", THEMES)
def test_email_has_inlined_styles_and_a_600px_layout(
    project: Project, issue340: Issue, theme: str
) -> None:
    html = render_email(issue340, project, theme)
    assert check_html(html, email=True) == []
    # Mail clients drop <style>; every styled element carries its own style.
    assert re.search(r'<h3 class="item__title" style="[^"]*font-size', html)
    assert re.search(r'<table class="email-container" role="presentation" style="[^"]*'
                     r'max-width: 600px', html)
    assert '<!--[if mso]><table role="presentation" width="600"' in html
    # Only the @media rules remain in <style>, for clients that read them.
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    assert "@media (prefers-color-scheme: dark)" in styles[0]
    assert not re.search(r"^\s*\.item\s*\{", styles[0], re.M)
    assert html.count('class="item item--link"') == 21


def test_email_links_to_the_web_page_when_the_site_url_is_known(
    tmp_path: Path, issue340: Issue
) -> None:
    from tests.render.conftest import make_project

    project = make_project(tmp_path / "p", 'site_url = "https://news.example/"\n')
    html = render_email(issue340, project)
    assert 'href="https://news.example/issues/340.html"' in html
    assert "Read this issue on the web: https://news.example/issues/340.html" in render_text(
        issue340, project)


@pytest.mark.parametrize("theme", THEMES)
def test_hostile_text_in_email_is_inert(project: Project, theme: str) -> None:
    html = render_email(hostile_issue("http://127.0.0.1:9/pwned"), project, theme)
    assert check_html(html, email=True) == []
    # The inliner adds style attributes of the theme only; feed text gets none.
    no_styles = re.sub(r' style="[^"]*"', "", html)
    assert_inert(no_styles, styles=1)


def test_split_at_rules_keeps_nested_media_blocks_whole() -> None:
    css = "a{color:red}\n@media (x){ .a{b:c} .d{e:f} }\n/* c */ p{margin:0}"
    rules, kept = split_at_rules(css)
    assert "a{color:red}" in rules and "p{margin:0}" in rules and "@media" not in rules
    assert kept == "@media (x){ .a{b:c} .d{e:f} }"


def test_text_alternative_lists_every_link_readably(project: Project, issue340: Issue) -> None:
    text = render_text(issue340, project)
    assert text.startswith(
        "Issue 340: Django security releases 6.0.6 and 5.2.15\n"
        "====================================================\nJune 5, 2026\n"
    )
    assert (
        "News\n----\n\nDjango security releases issued: 6.0.6 and 5.2.15\n"
        "https://www.djangoproject.com/weblog/2026/jun/03/security-releases/\n\n"
        "Five CVEs are fixed in this latest release."
    ) in text
    for section in issue340.sections:
        for item in section.items:
            assert f"\n{item.url}\n" in text
    assert all(len(line) <= 72 or "://" in line or line.startswith(tuple(
        i.title for s in issue340.sections for i in s.items)) for line in text.splitlines())
    assert "<" not in text.replace("<https", "")


def test_markdown_text_spells_out_links_lists_and_code() -> None:
    md = (
        "Read [the post](https://example.com/post) and <https://example.org>.\n\n"
        "- first point\n- second point\n\n1. one\n2. two\n\n> quoted\n\n```\ncode line\n```"
    )
    assert markdown_text(md) == (
        "Read the post <https://example.com/post> and https://example.org.\n\n"
        "- first point\n- second point\n\n1. one\n2. two\n\n> quoted\n\n    code line"
    )


def test_text_has_no_control_characters_from_feeds(project: Project) -> None:
    issue = Issue(number=9, date=issue_340().date, sections=[Section("news", "News", items=[
        Item("Title\x1b[31m red\x00", "https://example.com/", "Blurb\x07 here.", "src\u202e")])])
    text = render_text(issue, project)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
    assert "Title[31m red\nhttps://example.com/\n\nBlurb here.\nsrc\n" in text
