"""The bundled demo newsletter: its feeds, its issues, and the script that builds them."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import feedparser
import pytest

from digest.archive import dumps_issue
from digest.config import load_project
from digest.feeds.urls import bare_domain, canonical_url
from digest.model import issue_from_dict

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "digest" / "demo" / "project"
FEEDS = PROJECT / "feeds"
ISSUES = PROJECT / "issues"
SEED = REPO.parent / "shared" / "seed" / "planet-snapshot-2026-06.txt"
SCRIPT = REPO / "tools" / "build_demo.py"

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside the repo")

# The snapshot's posts, per feed file: (title as the planet shows it, date line).
SEED_POSTS = {
    "planet-python.xml": [
        ("Eli Bendersky: Plugins case study: mdBook preprocessors", "07 Jun 2026 1:37am GMT"),
        ("Armin Ronacher: Communities of Not", "06 Jun 2026 12:00am GMT"),
        ("Kay Hayen: Nuitka Release 4.1", "05 Jun 2026 10:00pm GMT"),
    ],
    "django-community.xml": [
        ("Browser Push Notifications for a Django Website", "05 Jun 2026 5:00pm GMT"),
        ("Issue 340: Django security releases 6.0.6 and 5.2.15", "05 Jun 2026 2:00pm GMT"),
        ("Anything new?", "03 Jun 2026 5:00pm GMT"),
    ],
    "planet-twisted.xml": [
        ("Glyph Lefkowitz: Opaque Types in Python", "22 May 2026 12:33am GMT"),
        (
            "Donovan Preston: Using osascript with terminal agents on macOS",
            "04 Apr 2026 1:31pm GMT",
        ),
        (
            'Donovan Preston: "Start Drag" and "Drop" to select text with macOS Voice Control',
            "16 Mar 2026 11:04am GMT",
        ),
    ],
}
FEED_TITLES = {
    "planet-python.xml": "Planet Python",
    "django-community.xml": "Django community aggregator: Community blog posts",
    "planet-twisted.xml": "Planet Twisted",
}

# Issue 340 as the snapshot shows it: section titles and item titles, in order.
ISSUE_340 = [
    ("News", ["Django security releases issued: 6.0.6 and 5.2.15"]),
    ("Updates to Django", []),
    ("Releases", ["Python Release Python 3.15.0b2"]),
    ("Python Software Foundation", ["PSF Strategic Plan 2026 Draft: Open for Community Feedback"]),
    ("Sponsored Link", ["Middleware, but for AI agents"]),
    (
        "Articles",
        [
            "Showcasing allauth IdP: build an MCP server | allauth",
            "Django: introducing django-integrity-policy",
            "Dependency Pruning",
            "Loopwerk: uv is fantastic, but its package management UX is a mess",
            "Python 3.15: features that didn't make the headlines",
            "Please add an RSS Feed to Your Site",
            "Using Read the Docs to benefit Django",
            "The Pursuit Of Purity (The Right Way To Do AI)",
        ],
    ),
    ("Django Forum", ["django-alauth 65.18.0 released: IdP demo time", "Daphne v4.2.2 release"]),
    ("Django Fellow Reports", ["Natalia Bidart", "Sarah Boyce", "Jacob Walls"]),
    ("Events", ["PyBay 2026"]),
    ("Django Job Board", ["Founding Engineer at MyDataValue"]),
    ("Projects", ["feincms/feincms3-cookiecontrol", "adamghill/dj-lite-tenant"]),
]


def _build_demo():
    spec = importlib.util.spec_from_file_location("build_demo", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_demo", module)
    spec.loader.exec_module(module)
    return module


def _parse(name: str) -> feedparser.FeedParserDict:
    return feedparser.parse((FEEDS / name).read_bytes())


def _stamp(line: str) -> dt.datetime:
    return dt.datetime.strptime(line.replace(" GMT", ""), "%d %b %Y %I:%M%p").replace(tzinfo=dt.UTC)


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _issue(path: Path):
    return issue_from_dict(tomllib.loads(path.read_text(encoding="utf-8")))


# --- feeds ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEED_POSTS))
def test_feed_parses_with_every_seed_post_and_older_ones(name: str) -> None:
    d = _parse(name)
    assert not d.bozo, d.get("bozo_exception")
    assert d.feed.title == FEED_TITLES[name]
    assert d.version == ("atom10" if name == "django-community.xml" else "rss20")
    titles = [e.title for e in d.entries]
    for title, stamp in SEED_POSTS[name]:
        assert title in titles, title
        entry = d.entries[titles.index(title)]
        published = dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC)
        assert published == _stamp(stamp), title
    older = len(d.entries) - len(SEED_POSTS[name])
    assert 4 <= older <= 8
    newest_seed = max(_stamp(s) for _, s in SEED_POSTS[name])
    for e in d.entries:
        assert e.get("author"), e.title
        assert e.get("published_parsed"), e.title
        assert e.link.startswith("https://"), e.title
        assert e.get("id"), e.title
        assert dt.datetime(*e.published_parsed[:6]).year == 2026
    assert (
        sum(dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC) < newest_seed for e in d.entries)
        >= older
    )


def test_aggregated_entries_name_their_original_blog() -> None:
    d = _parse("django-community.xml")
    for e in d.entries:
        assert e.source.get("title"), e.title
        assert e.source.get("link", "").startswith("https://"), e.title
    news = [e for e in d.entries if e.author == "Django News"]
    assert {e.link for e in news} >= {"https://django-news.com/issues/340"}


def test_planet_titles_carry_the_author() -> None:
    for name in ("planet-python.xml", "planet-twisted.xml"):
        for e in _parse(name).entries:
            assert re.match(r"^[^:]+: \S", e.title), e.title


def test_some_posts_reach_the_inbox_through_two_feeds() -> None:
    links: dict[str, set[str]] = {}
    canon: dict[str, set[str]] = {}
    for name in SEED_POSTS:
        for e in _parse(name).entries:
            links.setdefault(e.link, set()).add(name)
            canon.setdefault(canonical_url(e.link), set()).add(e.link)
    assert any(len(feeds) > 1 for feeds in links.values()), "no link shared verbatim"
    tracked = [v for v in canon.values() if len(v) > 1]
    assert tracked, "no link shared with tracking parameters added"
    assert any("utm_source=" in link for group in tracked for link in group)


@needs_seed
def test_seed_posts_keep_their_full_text() -> None:
    bd = _build_demo()
    snapshot = bd.parse_snapshot(SEED.read_text(encoding="utf-8"))
    assert len(snapshot) == sum(len(v) for v in SEED_POSTS.values())
    by_title = {}
    for name in SEED_POSTS:
        for e in _parse(name).entries:
            by_title.setdefault(e.title, e)
    for post in snapshot:
        if post.title.startswith("Issue "):
            continue  # checked item by item against the issue file
        entry = by_title[post.title]
        body = entry.content[0].value if "content" in entry else entry.summary
        expected = re.sub(r"(?m)^\s+\d+\.\s+", "", post.body)
        assert _text(body) == re.sub(r"\s+", " ", expected).strip(), post.title


# --- issues ---------------------------------------------------------------------


def test_every_issue_file_loads_and_is_in_canonical_form() -> None:
    files = sorted(ISSUES.glob("*.toml"))
    assert [f.stem for f in files] == ["336", "337", "338", "339", "340"]
    for path in files:
        issue = _issue(path)
        assert issue.number == int(path.stem)
        assert issue.status == "published"
        assert dumps_issue(issue) == path.read_text(encoding="utf-8"), path.name
        for section in issue.sections:
            for item in section.items:
                assert item.url.startswith("https://"), item.title
                assert item.source == bare_domain(item.url), item.title


@needs_seed
def test_issue_340_is_the_seed_issue() -> None:
    issue = _issue(ISSUES / "340.toml")
    assert issue.date == dt.date(2026, 6, 5)
    assert issue.title == "Django security releases 6.0.6 and 5.2.15"
    got = [(s.title, [i.title for i in s.items]) for s in issue.sections]
    assert got == ISSUE_340
    seed = SEED.read_text(encoding="utf-8")
    for section in issue.sections:
        for item in section.items:
            assert f"\n{item.title}\n" in seed
            if item.blurb:
                assert f"\n{item.blurb}\n" in seed, item.title
    updates = issue.section("updates")
    assert updates is not None and updates.kind == "notes"
    for paragraph in updates.notes.split("\n\n"):
        assert f"\n{paragraph}\n" in seed
    assert "Hwayoung" in updates.notes


def test_past_issues_are_weekly_django_news_issues() -> None:
    project = load_project(PROJECT)
    order = [s.id for s in project.sections]
    feed_links = {canonical_url(e.link) for name in SEED_POSTS for e in _parse(name).entries}
    featured = set()
    domains: dict[str, int] = {}
    expected_dates = [dt.date(2026, 5, 8) + dt.timedelta(weeks=n) for n in range(4)]
    for number, date in zip(range(336, 340), expected_dates, strict=True):
        issue = _issue(ISSUES / f"{number}.toml")
        assert issue.date == date and date.weekday() == 4
        assert 8 <= issue.item_count() <= 15, number
        ids = [s.id for s in issue.sections]
        assert ids[0] == "news"
        assert ids == sorted(ids, key=order.index), number
        for section in issue.sections:
            assert section.title == project.section(section.id).title
            for item in section.items:
                if canonical_url(item.url) in feed_links:
                    featured.add(item.url)
                domains[item.source] = domains.get(item.source, 0) + 1
    assert featured, "no past item is also an entry in the demo feeds"
    assert max(domains.values()) >= 4


def test_project_config_points_at_the_bundled_feeds() -> None:
    project = load_project(PROJECT)
    assert project.title == "Django News (demo)"
    assert project.theme == "django-news"
    assert [s.id for s in project.sections] == [
        "news", "dsf", "psf", "wagtail", "updates", "releases", "sponsored",
        "articles", "forum", "fellows", "events", "jobs", "videos", "projects",
    ]  # fmt: skip
    assert project.section("updates").kind == "notes"
    assert len(project.feeds) == 3
    for feed in project.feeds:
        assert Path(project.resolve_location(feed.url)).is_file(), feed.url


# --- the build script -------------------------------------------------------------


@needs_seed
def test_rebuilding_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), str(SEED), "--out", str(tmp_path)],
        check=True, capture_output=True,
    )  # fmt: skip
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert [str(p) for p in built] == [
        "feeds/django-community.xml",
        "feeds/planet-python.xml",
        "feeds/planet-twisted.xml",
        "issues/340.toml",
    ]
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (PROJECT / rel).read_bytes(), rel
