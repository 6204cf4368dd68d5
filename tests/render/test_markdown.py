"""The Markdown export: Django News' shape, escaping of feed text, determinism."""

from __future__ import annotations

import copy
import shutil
import subprocess

import pytest
from markdown_it import MarkdownIt

from digest.model import Issue, Item, Section
from digest.render.markdown import (
    escape_inline,
    escape_line,
    markdown_destination,
    render_markdown,
    safe_markdown,
)
from tests.render.sample import SEED, hostile_issue, issue_340, seed_outline

CMARK = shutil.which("cmark")
COMMONMARK = MarkdownIt("commonmark")


def outline(markdown: str) -> list[tuple[str, list[str]]]:
    """(section, [item titles]) read back from rendered Markdown."""
    tokens = COMMONMARK.parse(markdown)
    result: list[tuple[str, list[str]]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or [] if c.type == "text")
            if tok.tag == "h2":
                result.append((text, []))
            else:
                result[-1][1].append(text)
    return result


@pytest.mark.skipif(not SEED.is_file(), reason="shared/seed is not beside the repository")
def test_issue_340_has_the_seeds_sections_items_and_order(issue340: Issue) -> None:
    assert outline(render_markdown(issue340)) == seed_outline()


def test_issue_340_reads_like_django_news(issue340: Issue) -> None:
    md = render_markdown(issue340)
    assert md.startswith("# Issue 340: Django security releases 6.0.6 and 5.2.15\n\n## News\n\n")
    assert (
        "### [Django security releases issued: 6.0.6 and 5.2.15]"
        "(https://www.djangoproject.com/weblog/2026/jun/03/security-releases/)\n\n"
        "Five CVEs are fixed in this latest release."
    ) in md
    assert "latest version of Django.\n\ndjangoproject.com\n\n## Updates to Django" in md
    # A notes section is the editor's text as written; an empty section is left out.
    assert "## Updates to Django\n\nToday, \"Updates to Django\" is presented" in md
    assert "Wagtail" not in md
    # The job board item has no blurb: heading, then the domain line.
    assert (
        "### [Founding Engineer at MyDataValue](https://djangojobboard.com/123/"
        "founding-engineer-mydatavalue/)\n\ndjangojobboard.com\n\n## Projects"
    ) in md
    assert md.endswith("github.com\n") and not md.endswith("\n\n")


def test_same_issue_same_bytes(issue340: Issue) -> None:
    first = render_markdown(issue340)
    assert render_markdown(copy.deepcopy(issue340)) == first
    crlf = copy.deepcopy(issue340)
    crlf.sections[1].notes = crlf.sections[1].notes.replace("\n", "\r\n") + "\n\n  \n"
    assert render_markdown(crlf) == first


def test_full_title_and_headline_export_alike(issue340: Issue) -> None:
    full = copy.deepcopy(issue340)
    full.title = "Issue 340: Django security releases 6.0.6 and 5.2.15"
    assert render_markdown(full) == render_markdown(issue340)
    untitled = copy.deepcopy(issue340)
    untitled.title = ""
    assert render_markdown(untitled).startswith("# Issue 340\n")


@pytest.mark.skipif(CMARK is None, reason="Debian's cmark is not installed")
@pytest.mark.parametrize("which", ["issue340", "hostile"])
def test_cmark_and_markdown_it_render_the_export_alike(which: str) -> None:
    issue = issue_340() if which == "issue340" else hostile_issue("http://127.0.0.1:9/pwned")
    md = render_markdown(issue)
    assert CMARK is not None
    by_cmark = subprocess.run(
        [CMARK], input=md, capture_output=True, text=True, check=True
    ).stdout
    assert COMMONMARK.render(md) == by_cmark


@pytest.mark.parametrize(
    "title",
    [
        "x](javascript:alert(1)) [y",
        "[click](javascript:alert(1))",
        "<script>alert(1)</script>",
        "<https://evil.example/>",
        "![img](https://evil.example/a.png)",
        "**bold** _em_ `code` ~~del~~",
        "C# tips #",
        "AT&T &amp; &copy; &#60;",
        "back\\slash\\",
        "trailing ###",
        "multi\nline\r\ntitle",
        "\u202etxt.exe\x00\x1b[0m",
    ],
)
def test_feed_titles_stay_titles(title: str) -> None:
    issue = Issue(
        number=1,
        date=issue_340().date,
        sections=[Section("news", "News", items=[Item(title, "https://example.com/a", "", title)])],
    )
    md = render_markdown(issue)
    tokens = COMMONMARK.parse(md)
    h3 = next(i for i, t in enumerate(tokens) if t.tag == "h3")
    children = tokens[h3 + 1].children or []
    links = [c for c in children if c.type == "link_open"]
    # Exactly one link, to the item's URL; the title is its text, character for character.
    assert [c.attrGet("href") for c in links] == ["https://example.com/a"]
    assert not [c for c in children if c.type in ("image", "html_inline", "strong_open", "em_open",
                                                  "code_inline")]
    text = "".join(c.content for c in children if c.type == "text")
    expected = " ".join(title.replace("\u202e", "").replace("\x00", "").replace("\x1b", "").split())
    assert text == expected
    # The source line (same text) is one plain paragraph.
    body = COMMONMARK.render(md.split("\n\n", 3)[3])
    assert body.startswith("<p>") and body.count("<p>") == 1 and "<a" not in body


def test_escape_line_blocks_line_starts() -> None:
    for text in ["- x", "+ x", "> x", "1. x", "2) x", "---", "- - -", "# x", "***", "___"]:
        html = COMMONMARK.render(escape_line(text))
        assert html.startswith("<p>"), (text, html)
    assert escape_line("1.2.3") == "1.2.3"
    assert escape_line("djangoproject.com") == "djangoproject.com"
    assert escape_inline("Showcasing allauth IdP | allauth") == "Showcasing allauth IdP | allauth"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a b(c)<d>", "https://example.com/a%20b%28c%29%3Cd%3E"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_%28bar%29"),
        ("mailto:editor@example.com", "mailto:editor@example.com"),
        ("https://x.example/?a=1&copy;=2", "https://x.example/?a=1%26copy;=2"),
        ("javascript:alert(1)", ""),
        ("  JAVASCRIPT:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("/relative/path", ""),
        ("ftp://example.com/", ""),
    ],
)
def test_only_web_and_mail_links_become_destinations(url: str, expected: str) -> None:
    assert markdown_destination(url) == expected


def test_unsafe_item_url_gives_an_unlinked_title() -> None:
    issue = Issue(number=2, date=issue_340().date, sections=[
        Section("news", "News", items=[Item("Hello", "javascript:alert(1)", "Blurb.", "")]),
    ])
    assert "### Hello\n\nBlurb.\n" in render_markdown(issue)


@pytest.mark.parametrize(
    "blurb",
    [
        "[x](javascript:alert(1))",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[ref][r]\n\n[r]: javascript:alert(1)",
        "[tab](jav&#x09;ascript:alert(1))",
        "<javascript:alert(1)>",
        "see [site](/relative) \\[kept\\]",
    ],
)
def test_editor_markdown_with_unsafe_links_or_html_is_defanged(blurb: str) -> None:
    out = safe_markdown(blurb)
    tokens = MarkdownIt("commonmark", {"html": True}).parse(out)
    kinds = {c.type for t in tokens for c in (t.children or [])} | {t.type for t in tokens}
    assert not kinds & {"link_open", "image", "html_inline", "html_block"}, out
    # The words survive.
    assert "alert" in out or "kept" in out


def test_editor_markdown_that_is_safe_passes_through() -> None:
    text = "A **bold** claim, [a link](https://example.com) and <https://example.org>.\n\n- a\n- b"
    assert safe_markdown(text) == text


def test_an_unclosed_code_fence_cannot_swallow_the_next_items() -> None:
    issue = Issue(number=3, date=issue_340().date, sections=[
        Section("news", "News", items=[
            Item("First", "https://example.com/1", "Code:\n\n```python\nprint(1)"),
            Item("Second", "https://example.com/2", "Still a separate item."),
        ]),
    ])
    assert [t for _, t in outline(render_markdown(issue))] == [["First", "Second"]]
