"""Markdown issues into issue files, and what the archive then knows.

The round trip is the contract with the renderer: for every issue shipped in
the demo archive, rendering, importing and rendering again gives the same
bytes. The rest is tolerance for hand-written archives and for hostile text,
and the store-level facts the TUI relies on once an archive is in: search
ranks a known query, and "already featured" counts only published issues.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest import archive
from digest.cli import cli, demo_source
from digest.config import Project, load_project
from digest.importer import (
    MarkdownImportError,
    find_date,
    markdown_files,
    parse_issue_markdown,
    read_issue_markdown,
    slugify,
)
from digest.model import Entry
from digest.render.markdown import render_markdown
from digest.store import FetchRecord, Store

DEMO = load_project(demo_source())
DEMO_ISSUES = archive.load_all(DEMO).issues

HAND_WRITTEN = """\
# Django News - Django 5.0 released - Dec 8th 2023

Hello **friends**, a short note before the links.

Second intro paragraph.

## NEWS

### [Django 5.0 released](https://www.djangoproject.com/weblog/2023/dec/04/django-50-released/)

The Django team is happy to announce Django 5.0.

```python
### not an item, just a comment in code
```

djangoproject.com

---

### [Wagtail 6.0](https://wagtail.org/blog/wagtail-6/)

Wagtail 6 is out.

wagtail.org

## Updates to Django

Last week we had **13** pull requests merged.

- one
- two

## Things We Liked

### A heading without a link

Just words.
"""


def test_the_demo_archive_is_not_empty() -> None:
    assert [i.number for i in DEMO_ISSUES] == [336, 337, 338, 339, 340]


@pytest.mark.parametrize("issue", DEMO_ISSUES, ids=lambda i: f"issue-{i.number}")
def test_round_trip_of_every_demo_issue(issue: archive.Issue) -> None:
    markdown = render_markdown(issue, DEMO)
    result = parse_issue_markdown(markdown, DEMO.sections, name=f"{issue.number}.md",
                                  date=issue.date)
    assert render_markdown(result.issue, DEMO) == markdown
    assert result.warnings == ()
    # Not only the same bytes: the same issue (ids, kinds, headline, sources).
    assert result.issue == issue


def test_hand_written_django_news_issue() -> None:
    result = parse_issue_markdown(HAND_WRITTEN, DEMO.sections, name="x.md", number=214)
    issue = result.issue
    assert issue.number == 214
    assert issue.date == dt.date(2023, 12, 8)
    assert issue.status == "published"
    assert issue.title == "Django News - Django 5.0 released - Dec 8th 2023"
    assert issue.intro == ("Hello **friends**, a short note before the links.\n\n"
                           "Second intro paragraph.")
    assert [(s.id, s.title, s.kind) for s in issue.sections] == [
        ("news", "NEWS", "links"),  # matched to the project's section by title
        ("updates", "Updates to Django", "notes"),
        ("things-we-liked", "Things We Liked", "links"),
    ]
    news, updates, liked = issue.sections
    assert [(i.title, i.source) for i in news.items] == [
        ("Django 5.0 released", "djangoproject.com"), ("Wagtail 6.0", "wagtail.org")]
    first = news.items[0]
    assert first.url == "https://www.djangoproject.com/weblog/2023/dec/04/django-50-released/"
    assert first.blurb == ("The Django team is happy to announce Django 5.0.\n\n"
                           "```python\n### not an item, just a comment in code\n```")
    assert news.items[1].blurb == "Wagtail 6 is out."  # the --- rule is not part of it
    assert updates.notes == "Last week we had **13** pull requests merged.\n\n- one\n- two"
    assert liked.items[0].url == "" and liked.items[0].blurb == "Just words."
    # What comes back out reads the same, modulo the normalised heading.
    again = parse_issue_markdown(render_markdown(issue), DEMO.sections, number=214,
                                 date=issue.date).issue
    assert again == issue


def test_hostile_text_is_kept_as_text_and_unsafe_links_are_dropped() -> None:
    md = (
        "# Issue 9: [bold red]boom[/] \x1b]52;c;aGFjaw==\x07\u202eevil\n\n"
        "## News\n\n"
        "### [Click \\[me\\] & *win* `now`](javascript:alert(1))\n\nblurb\n\n"
        "### [x\\](javascript:alert(1)) \\[y](https://e.org/?a=1&amp;b=(2))\n\ne.org\n"
    )
    result = parse_issue_markdown(md, number=9, date=dt.date(2026, 1, 2))
    issue = result.issue
    assert issue.title == "[bold red]boom[/] evil"  # escapes and bidi controls gone
    bad, tricky = issue.sections[0].items
    assert bad.url == "" and bad.title == "Click [me] & win `now`"
    (warning,) = result.warnings
    assert warning.startswith("<markdown>:5: link 'javascript:alert(1)'")
    assert tricky.title == "x](javascript:alert(1)) [y"
    assert tricky.url == "https://e.org/?a=1&b=(2)"
    exported = render_markdown(issue)
    assert "javascript:" not in exported.replace("\\](javascript:", "")
    # Parentheses come back percent-encoded; from then on the bytes are stable.
    again = parse_issue_markdown(exported, number=9, date=issue.date).issue
    assert again.sections[0].items[1].url == "https://e.org/?a=1&b=%282%29"
    assert render_markdown(again) == exported


def test_duplicate_and_unnamed_sections_get_their_own_ids() -> None:
    md = "# Issue 3\n\n## News\n\nA.\n\n## news\n\nB.\n\n## 🎉\n\nC.\n"
    issue = parse_issue_markdown(md, date=dt.date(2026, 1, 1)).issue
    assert [s.id for s in issue.sections] == ["news", "news-2", "section"]
    assert [s.notes for s in issue.sections] == ["A.", "B.", "C."]


def test_items_before_any_section_are_kept_not_lost() -> None:
    md = "# Issue 4: Hi\n\nIntro.\n\n### [A](https://a.example/)\n\nAbout A.\n\na.example\n"
    issue = parse_issue_markdown(md, date=dt.date(2026, 1, 1)).issue
    assert issue.intro == "Intro."
    (section,) = issue.sections
    assert (section.id, section.title, [i.title for i in section.items]) == ("links", "Links",
                                                                             ["A"])


def test_number_and_date_sources_in_order() -> None:
    front = "---\nnumber: 77\ndate: 2025-03-14\nstatus: draft\n---\n# Issue 12: Pi day\n"
    issue = parse_issue_markdown(front, number=5, date=dt.date(2000, 1, 1)).issue
    assert (issue.number, issue.date, issue.status) == (77, dt.date(2025, 3, 14), "draft")
    # The front-matter number differs from the title's, so the title is kept whole.
    assert issue.title == "Issue 12: Pi day"
    issue = parse_issue_markdown("# Issue 12: Pi day\n", number=5,
                                 date=dt.date(2000, 1, 1)).issue
    assert (issue.number, issue.title, issue.date) == (12, "Pi day", dt.date(2000, 1, 1))
    with pytest.raises(MarkdownImportError, match=r"old\.md: cannot tell the issue number"):
        parse_issue_markdown("# Hello\n", name="old.md", date=dt.date(2000, 1, 1))
    with pytest.raises(MarkdownImportError, match=r"cannot tell the issue's date"):
        parse_issue_markdown("# Issue 1: Hello\n")
    with pytest.raises(MarkdownImportError, match=r"front matter number: 'x'"):
        parse_issue_markdown("---\nnumber: x\n---\n# Hi\n", date=dt.date(2000, 1, 1))
    with pytest.raises(MarkdownImportError, match="does not look like a newsletter issue"):
        parse_issue_markdown("just words\n", number=1, date=dt.date(2000, 1, 1))


def test_a_headline_that_itself_starts_with_issue_keeps_the_full_title() -> None:
    issue = parse_issue_markdown("# Issue 8: Issue 8 of a series\n",
                                 date=dt.date(2026, 1, 1)).issue
    assert render_markdown(issue).startswith("# Issue 8: Issue 8 of a series\n")


@pytest.mark.parametrize(("text", "expected"), [
    ("Django News - Big week - Jun 5th 2026", dt.date(2026, 6, 5)),
    ("Sept. 21, 2025 edition", dt.date(2025, 9, 21)),
    ("1st March 2024", dt.date(2024, 3, 1)),
    ("2026-06-05-issue-340.md", dt.date(2026, 6, 5)),
    ("Python 3.15 beta 2", None),
    ("Feb 30th 2026", None),
])
def test_find_date(text: str, expected: dt.date | None) -> None:
    assert find_date(text) == expected


def test_slugify() -> None:
    assert slugify("Événements & Meetups!") == "evenements-meetups"
    assert slugify("🎉") == ""


def test_files_name_the_number_and_date_or_the_mtime_is_used_with_a_warning(
        tmp_path: Path) -> None:
    named = tmp_path / "2026-05-01-issue-41.md"
    named.write_text("# A title\n\n## News\n\nHello.\n", "utf-8")
    result = read_issue_markdown(named)
    assert (result.issue.number, result.issue.date, result.warnings) == (
        41, dt.date(2026, 5, 1), ())
    bare = tmp_path / "42.md"
    bare.write_text("# A title\n", "utf-8")
    stamp = dt.datetime(2024, 2, 3, 12, 0).timestamp()
    os.utime(bare, (stamp, stamp))
    result = read_issue_markdown(bare)
    assert result.issue.date == dt.date(2024, 2, 3)
    (warning,) = result.warnings
    assert "used the file's modification date 2024-02-03" in warning
    latin = tmp_path / "43.md"
    latin.write_bytes("# Café\n".encode("latin-1"))
    with pytest.raises(MarkdownImportError, match=r"43\.md: not UTF-8 text \(byte 5\)"):
        read_issue_markdown(latin)


def test_folder_listing_orders_by_number(tmp_path: Path) -> None:
    for name in ("10.md", "9.md", "notes.txt", ".hidden.md", "readme.markdown"):
        (tmp_path / name).write_text("# x\n")
    assert [p.name for p in markdown_files(tmp_path)] == ["readme.markdown", "9.md", "10.md"]


def test_core_importer_imports_no_ui() -> None:
    code = ("import sys, digest.importer; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'textual' or m.startswith('digest.tui')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# --- the command ------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Project:
    archive.init_project(tmp_path / "news", "News")
    return load_project(tmp_path / "news")


def run(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--project", str(project.root), "import", *args])
    return result.exit_code, result.output


def write_demo_markdown(folder: Path) -> dict[int, str]:
    folder.mkdir(exist_ok=True)
    written = {}
    for issue in DEMO_ISSUES:
        markdown = render_markdown(issue, DEMO)
        (folder / f"{issue.date.isoformat()}-{issue.number}.md").write_text(markdown, "utf-8")
        written[issue.number] = markdown
    return written


def test_import_a_folder_builds_the_archive_and_reports_bad_files(
        project: Project, tmp_path: Path) -> None:
    written = write_demo_markdown(tmp_path / "md")
    (tmp_path / "md" / "broken.md").write_text("no heading at all\n", "utf-8")
    code, out = run(project, str(tmp_path / "md"))
    assert code == 1  # not everything came in
    assert "broken.md: no '# Title'" in out
    assert "Imported 5 of 6 files" in out and "1 failed" in out
    loaded = archive.load_all(project)
    assert [i.number for i in loaded.issues] == list(written)
    for issue in loaded.issues:
        assert render_markdown(issue, project) == written[issue.number]
        assert issue.date == next(i.date for i in DEMO_ISSUES if i.number == issue.number)


def test_import_prints_what_it_dropped_from_an_issue(project: Project, tmp_path: Path) -> None:
    md = tmp_path / "9.md"
    md.write_text("# Issue 9: Links\n\n## News\n\n### [Win](javascript:alert(1))\n\nblurb\n",
                  "utf-8")
    code, out = run(project, str(md))
    assert code == 0, out
    assert f"warning: {md}:5: link 'javascript:alert(1)'" in out
    assert "Imported 1 of 1 file" in out


def test_import_refuses_to_overwrite_unless_forced(project: Project, tmp_path: Path) -> None:
    write_demo_markdown(tmp_path / "md")
    md = next((tmp_path / "md").glob("*-340.md"))
    assert run(project, str(md))[0] == 0
    path = archive.issue_path(project, 340)
    path.write_text(path.read_text("utf-8").replace("Five CVEs", "Edited by hand"), "utf-8")
    code, out = run(project, str(md))
    assert code == 1 and "issue 340 already exists" in out and "--force" in out
    assert "Edited by hand" in path.read_text("utf-8")
    code, out = run(project, "--force", str(md))
    assert code == 0, out
    assert "Edited by hand" not in path.read_text("utf-8")


def test_import_of_a_folder_without_markdown_fails_clearly(project: Project,
                                                           tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out = run(project, str(tmp_path / "empty"))
    assert code == 1 and "no .md files to import" in out


# --- what the store knows once the archive is in ----------------------------------


def _entry(n: int, link: str, title: str, text: str = "") -> Entry:
    return Entry(id=f"e{n}", link=link, title=title, text=text,
                 published=dt.datetime(2026, 6, n, tzinfo=dt.UTC))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "cache.db")
    yield s
    s.close()


def test_already_featured_marks_links_of_published_issues_only(store: Store) -> None:
    imported = [parse_issue_markdown(render_markdown(i, DEMO), DEMO.sections,
                                     date=i.date).issue for i in DEMO_ISSUES]
    imported[-1].status = "draft"  # 340 is still being written
    store.index_issues(imported)
    security = "https://www.djangoproject.com/weblog/2026/jun/03/security-releases/"
    in_339 = next(i.url for s in imported[-2].sections for i in s.items)
    store.record_fetch(FetchRecord("https://planet.example/rss", "ok"), [
        _entry(1, security, "Django security releases issued"),
        _entry(2, in_339, "Featured in 339"),
        _entry(3, "https://new.example/post", "Never featured"),
    ])
    rows = store.list_entries(limit=10)
    marks = store.featured(r.link for r in rows)
    assert marks == {in_339: 339}  # the draft's link is not "featured"
    assert security not in store.featured()
    # A link featured twice is marked with the latest issue.
    imported[0].sections[0].items[0].url = in_339
    store.index_issues(imported)
    assert store.featured([in_339]) == {in_339: 339}
    imported[-1].status = "published"
    imported[-1].sections[0].items[0].url = in_339
    store.index_issues(imported)
    assert store.featured([in_339, security]) == {in_339: 340}


def test_search_ranks_a_known_query_over_issues_and_entries(store: Store) -> None:
    store.index_issues(DEMO_ISSUES)
    store.record_fetch(FetchRecord("https://planet.example/rss", "ok"), [
        _entry(1, "https://a.example/1", "Notes from a train", "a security footnote"),
        _entry(2, "https://a.example/2", "Security releases explained",
               "security security and more security"),
        _entry(3, "https://a.example/3", "Gardening", "nothing relevant"),
    ])
    results = store.search("security release")
    titles = [h.title for h in results.issues]
    # Title matches outrank blurb-only matches; 340's lead item comes first.
    assert titles[0] == "Django security releases issued: 6.0.6 and 5.2.15"
    assert all(h.number in {336, 337, 338, 339, 340} for h in results.issues)
    assert "\x02" in results.issues[0].snippet and "\x03" in results.issues[0].snippet
    assert [r.id for r in results.entries] == ["e2"]  # e1 lacks "release"
    assert store.search("security").entries[0].id == "e2"
    assert [r.id for r in store.search("security").entries] == ["e2", "e1"]


def test_reference_style_links_resolve() -> None:
    md = ("# Issue 5: Refs\n\n## News\n\n### [Title][t]\n\nBlurb.\n\nexample.com\n\n"
          "[t]: https://example.com/a\n")
    (item,) = parse_issue_markdown(md, date=dt.date(2026, 1, 1)).issue.sections[0].items
    assert (item.title, item.url, item.blurb, item.source) == (
        "Title", "https://example.com/a", "Blurb.", "example.com")
