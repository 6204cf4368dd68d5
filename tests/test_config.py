"""digest.toml: good files load, bad ones say file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.archive import init_project
from digest.config import DEFAULT_SECTIONS, ConfigError, load_project


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_init_writes_a_project_that_loads(tmp_path: Path) -> None:
    init_project(tmp_path / "news", "My News")
    project = load_project(tmp_path / "news")
    assert project.title == "My News"
    assert [s.id for s in project.sections] == ["news", "releases", "articles", "projects"]
    assert [s.key for s in project.sections] == ["n", "r", "a", "p"]
    assert project.sections == DEFAULT_SECTIONS
    assert (tmp_path / "news" / "issues").is_dir()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    init_project(tmp_path, "A")
    with pytest.raises(Exception, match="already exists"):
        init_project(tmp_path, "B")
    assert load_project(tmp_path).title == "A"


def test_sections_feeds_plugins(tmp_path: Path) -> None:
    write(tmp_path, """
title = "Weekly"
[[sections]]
id = "news"
key = "n"
[[sections]]
id = "updates"
title = "Updates to Django"
kind = "notes"
[[feeds]]
url = "feeds/a.xml"
[[feeds]]
url = "https://example.org/feed"
title = "Example"
[preprocessor.utm]
command = "python3 utm.py"
timeout = 5
""")
    project = load_project(tmp_path)
    assert project.sections[1].kind == "notes"
    assert project.sections[0].title == "News"
    assert [f.url for f in project.feeds] == ["feeds/a.xml", "https://example.org/feed"]
    assert project.resolve_location("feeds/a.xml") == str((tmp_path / "feeds/a.xml").resolve())
    assert project.resolve_location("https://example.org/feed") == "https://example.org/feed"
    assert project.preprocessors[0].command == "python3 utm.py"
    assert project.preprocessors[0].timeout == 5


BROKEN = {
    "bad toml": ("title = \"x\nfoo", "invalid TOML"),
    "unknown top key": ("titel = 'x'", "titel: unknown key"),
    "wrong type": ("title = 3", "title: expected text"),
    "duplicate section id": (
        "[[sections]]\nid='news'\n[[sections]]\nid='news'",
        "sections[2].id: section id 'news' is used twice"),
    "duplicate section key": (
        "[[sections]]\nid='a'\nkey='n'\n[[sections]]\nid='b'\nkey='n'",
        "already used by section 'a'"),
    "reserved key": ("[[sections]]\nid='a'\nkey='q'", "reserved"),
    "bad kind": ("[[sections]]\nid='a'\nkind='video'", "sections[1].kind"),
    "bad id": ("[[sections]]\nid='News Items'", "not a valid id"),
    "empty sections": ("sections = []", "non-empty list"),
    "feed without url": ("[[feeds]]\ntitle='x'", "feeds[1].url: missing"),
    "feed unknown key": ("[[feeds]]\nurl='x'\nurll='y'", "unknown key(s) urll"),
    "fetch wrong type": ("[fetch]\nconcurrency='many'", "fetch.concurrency: expected a number"),
    "fetch too small": ("[fetch]\ntimeout=0", "fetch.timeout: must be at least"),
    "plugin no command": ("[preprocessor.x]\ntimeout=1", "preprocessor.x.command: missing"),
    "missing opml": ("opml = 'nope.opml'", "opml: file 'nope.opml' not found"),
    "keys wrong": ("keys = 3", "keys: expected"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_config_names_file_and_key(tmp_path: Path, name: str) -> None:
    text, expected = BROKEN[name]
    write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    message = str(err.value)
    assert str(tmp_path / "digest.toml") in message
    assert expected in message


def test_missing_project_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="digest init"):
        load_project(tmp_path)
