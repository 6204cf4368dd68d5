"""The digest command, run as a user would (click's runner, real files and server)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from digest import archive
from digest.cli import cli
from digest.config import load_project
from tests.feeddata import BLOG_ATOM, HTML_PAGE, PLANET_RSS
from tests.feedserver import FeedServer
from tests.test_store import old_store


def digest(tmp_path: Path, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(tmp_path / "news"),
                                 "--db", str(tmp_path / "cache.db"), *args])
    return result.exit_code, result.output


def test_init_add_fetch_list_pick(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", PLANET_RSS)
    page = feed_server.add("/", HTML_PAGE, content_type="text/html")
    code, out = CliRunner().invoke(cli, ["init", str(tmp_path / "news")]).exit_code, ""
    assert code == 0
    code, out = digest(tmp_path, "feeds", "add", page)
    assert code == 0, out
    assert feed_server.url("/feed.xml") in out
    assert [f.url for f in load_project(tmp_path / "news").feeds] == [feed_server.url("/feed.xml")]
    code, out = digest(tmp_path, "fetch")
    assert code == 0, out
    assert "1 ok" in out and "2 new entries" in out
    code, out = digest(tmp_path, "feeds", "list")
    assert "Planet Python" in out and "HTTP 200" in out and "2 entries" in out
    code, out = digest(tmp_path, "entries", "--json")
    listed = json.loads(out)
    assert [e["title"] for e in listed] == [
        "Plugins case study: mdBook preprocessors", "Communities of Not"]
    code, out = digest(tmp_path, "pick", listed[0]["id"], "articles")
    assert code == 0, out
    project = load_project(tmp_path / "news")
    (number, path), = archive.issue_files(project)
    issue = archive.load_issue(path)
    item = issue.section("articles").items[0]  # type: ignore[union-attr]
    assert item.title == "Plugins case study: mdBook preprocessors"
    assert item.source == "eli.thegreenplace.net"
    assert item.blurb.startswith("mdBook is a tool")
    code, out = digest(tmp_path, "pick", listed[0]["id"], "nonsense")
    assert code != 0 and "no section 'nonsense'" in out


def test_fetch_exit_code_only_fails_when_nothing_fetched(tmp_path: Path,
                                                         feed_server: FeedServer) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path / "news")])
    bad = feed_server.add("/bad.xml", "", status=500)
    code, out = digest(tmp_path, "fetch", bad)
    assert code == 1
    assert "failed" in out and "500" in out
    good = feed_server.add("/good.xml", BLOG_ATOM)
    code, out = digest(tmp_path, "fetch", bad, good)
    assert code == 0
    assert "1 ok" in out and "1 failed" in out


def test_a_quiet_fetch_loads_no_terminal_display_code(tmp_path: Path,
                                                     feed_server: FeedServer) -> None:
    """`digest fetch --quiet` from cron pays for neither rich nor httpx's own command line."""
    url = feed_server.add("/feed.xml", BLOG_ATOM)
    script = (
        "import sys\n"
        "from digest.cli import cli\n"
        f"try: cli(['--db', {str(tmp_path / 'cache.db')!r}, 'fetch', '--quiet', {url!r}])\n"
        "except SystemExit as exit: print('exit', exit.code)\n"
        "print(sorted({m.split('.')[0] for m, module in sys.modules.items()\n"
        "              if module is not None and m.split('.')[0] in ('rich', 'pygments')\n"
        "              or m == 'httpx._main' and module is not None}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).parents[1])
    assert run.stdout.splitlines() == ["exit 0", "[]"], run.stderr
    code, out = digest(tmp_path, "entries", "--json")
    assert [e["title"] for e in json.loads(out)] == ["Plugins case study: mdBook preprocessors"]


def test_opml_import_export_round_trip(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path / "news")])
    opml = tmp_path / "in.opml"
    opml.write_text("""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head>
<body><outline text="Python"><outline type="rss" text="Planet Python"
 xmlUrl="https://planetpython.org/rss20.xml" htmlUrl="https://planetpython.org/"/></outline>
<outline type="rss" text="Django" xmlUrl="https://www.djangoproject.com/rss/weblog/"/>
</body></opml>""")
    code, out = digest(tmp_path, "feeds", "import", str(opml))
    assert code == 0 and "2 new" in out
    code, out = digest(tmp_path, "feeds", "import", str(opml))
    assert "0 new" in out
    code, out = digest(tmp_path, "feeds", "export", "-o", str(tmp_path / "out.opml"))
    assert code == 0
    again = tmp_path / "again"
    CliRunner().invoke(cli, ["init", str(again)])
    runner = CliRunner()
    runner.invoke(cli, ["--project", str(again), "feeds", "import", str(tmp_path / "out.opml")])
    assert [f.url for f in load_project(again).feeds] == [
        "https://planetpython.org/rss20.xml", "https://www.djangoproject.com/rss/weblog/"]
    assert [f.title for f in load_project(again).feeds] == ["Planet Python", "Django"]


def test_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "digest.toml").write_text("[[sections]]\nid = 'a'\nkey = 'toolong'\n")
    code, out = digest(tmp_path, "issues", "list")
    assert code == 1
    assert "digest.toml: sections[1].key: 'toolong' must be a single character" in out
    assert "Traceback" not in out


def test_fetch_opml_never_reads_a_local_file_it_lists(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:TOP-SECRET\n", "utf-8")
    opml = tmp_path / "list.opml"
    opml.write_text(f'<opml version="2.0"><body><outline text="s" xmlUrl="{secret.as_uri()}"/>'
                    "</body></opml>", "utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "fetch", "--opml", str(opml)])
    assert "TOP-SECRET" not in result.output
    assert f"left out '{secret.as_uri()}': not an http(s) address" in result.output
    assert result.exit_code != 0  # nothing left to fetch


def test_an_older_entry_cache_is_upgraded_with_a_word_first(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path / "news")])
    old_store(tmp_path / "cache.db", 4, [("Wagtail news", dt.datetime(2026, 3, 1, tzinfo=dt.UTC))])
    code, out = digest(tmp_path, "entries", "--json")
    assert code == 0, out
    assert "Upgrading the entry cache" in out and "(1 entry," in out
    assert "Wagtail news" in out
    code, out = digest(tmp_path, "entries", "--json")
    assert "Upgrading" not in out
    assert [e["title"] for e in json.loads(out)] == ["Wagtail news"]
