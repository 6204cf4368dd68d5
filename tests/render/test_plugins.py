"""Plugins end to end: the two examples, and every way a plugin can misbehave."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.archive import issue_path
from digest.cli import cli
from digest.config import Project
from digest.render import PluginError, export_issue
from digest.render.plugins import run_preprocessors
from tests.render.conftest import make_project
from tests.render.sample import issue_340

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plugins"
PY = shlex.quote(sys.executable)
NODE = shutil.which("node")

BAD_PLUGIN = r'''
import json, os, subprocess, sys, time
mode = sys.argv[1]
if sys.argv[-2:-1] == ["supports"]:
    if mode == "slow-supports":
        time.sleep(30)
    sys.exit(0)
context, issue = json.load(sys.stdin)
if mode == "exit":
    print("something broke: no such section 'newz'", file=sys.stderr)
    sys.exit(3)
if mode == "garbage":
    print("Traceback? no, just text")
elif mode == "silent":
    pass
elif mode == "hang":
    child = subprocess.Popen(["sleep", "30"])
    open(sys.argv[2], "w").write(str(child.pid))
    time.sleep(30)
elif mode == "drop-sections":
    del issue["sections"]
    print(json.dumps(issue))
elif mode == "drop-date":
    del issue["date"]
    print(json.dumps(issue))
elif mode == "drop-title":
    del issue["sections"][0]["items"][0]["title"]
    print(json.dumps(issue))
elif mode == "drop-items":
    del issue["sections"][2]["items"]
    print(json.dumps(issue))
elif mode == "wrong-type":
    issue["sections"][0]["items"][0]["url"] = 42
    print(json.dumps(issue))
elif mode == "renumber":
    issue["number"] = 1
    print(json.dumps(issue))
elif mode == "both":
    print(json.dumps([context, issue]))
elif mode == "context":
    issue["intro"] = json.dumps(context)
    print(json.dumps(issue))
elif mode == "append":
    issue["intro"] += sys.argv[2]
    print(json.dumps(issue))
'''


def write_plugin(root: Path) -> str:
    path = root / "bad_plugin.py"
    path.write_text(BAD_PLUGIN)
    return f"{PY} {shlex.quote(str(path))}"


def plugin_project(tmp_path: Path, tables: str) -> Project:
    return make_project(tmp_path / "news", tables=tables, issues=(issue_340(),))


def fingerprint(project: Project) -> tuple[bytes, int]:
    path = issue_path(project, 340)
    return path.read_bytes(), path.stat().st_mtime_ns


# --- the examples ---------------------------------------------------------------------

UTM_COMMAND = f"{PY} {EXAMPLES / 'utm_links.py'} --source django-news"
UTM = f"\n[preprocessor.utm]\ncommand = {json.dumps(UTM_COMMAND)}\n"
GEMINI_COMMAND = f"node {EXAMPLES / 'gemtext.js'}"
GEMINI = f"\n[renderer.gemini]\ncommand = {json.dumps(GEMINI_COMMAND)}\n"


def test_python_example_adds_campaign_parameters(tmp_path: Path) -> None:
    project = plugin_project(tmp_path, UTM)
    before = fingerprint(project)
    html = export_issue(project, issue_340(), "html", None).text
    assert (
        'href="https://www.djangoproject.com/weblog/2026/jun/03/security-releases/'
        '?utm_source=django-news&amp;utm_medium=email&amp;utm_campaign=issue-340"'
    ) in html
    # Existing parameters stay; only missing ones are added.
    assert "middleware-for-ai-agents?ref=djangonews&amp;utm_source=django-news" in html
    # It answers "no" for Markdown.
    assert "utm_" not in export_issue(project, issue_340(), "md", None).text
    assert fingerprint(project) == before


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_node_example_renders_gemtext_through_the_cli(tmp_path: Path) -> None:
    project = plugin_project(tmp_path, UTM + GEMINI)
    before = fingerprint(project)
    out = tmp_path / "340.gmi"
    result = CliRunner().invoke(
        cli, ["--project", str(project.root), "export", "340", "--format", "gemini", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Issue 340: Django security releases 6.0.6 and 5.2.15\n\n2026-06-05\n")
    assert (
        "=> https://www.djangoproject.com/weblog/2026/jun/03/security-releases/"
        "?utm_source=django-news&utm_medium=email&utm_campaign=issue-340 "
        "Django security releases issued: 6.0.6 and 5.2.15\n"
    ) in text
    assert "## Updates to Django\n\nToday," in text and "Wagtail" not in text
    assert fingerprint(project) == before


def test_cli_export_to_stdout_and_unknown_format(project: Project) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["--project", str(project.root), "export", "340", "-f", "md"])
    assert ok.exit_code == 0 and ok.output.startswith("# Issue 340: Django security")
    bad = runner.invoke(cli, ["--project", str(project.root), "export", "340", "-f", "pdf"])
    assert bad.exit_code != 0 and "unknown format 'pdf'" in bad.output


def test_cli_build(project: Project) -> None:
    result = CliRunner().invoke(cli, ["--project", str(project.root), "build"])
    assert result.exit_code == 0, result.output
    assert "Built 1 issue into" in result.output
    assert (project.root / "site" / "issues" / "340.html").is_file()


# --- misbehaving plugins ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("exit", r"preprocessor 'bad' failed with exit code 3\n  stderr: something broke"),
        ("garbage", r"preprocessor 'bad' printed invalid JSON .*output starts 'Traceback\? no"),
        ("silent", r"preprocessor 'bad' printed nothing"),
        ("drop-sections", r"preprocessor 'bad' removed required field\(s\) sections"),
        ("drop-date", r"preprocessor 'bad' removed required field\(s\) date"),
        ("drop-items", r"preprocessor 'bad' removed required field\(s\) items from sections\[3\]"),
        ("drop-title", r"preprocessor 'bad' returned an issue digest cannot use: sections\[1\]"
                       r"\.items\[1\]: missing required field 'title'"),
        ("wrong-type", r"field 'url' must be text, not int"),
        ("renumber", r"preprocessor 'bad' changed the issue number from 340 to 1"),
        ("both", r"returned a list instead of the issue object"),
    ],
)
def test_bad_plugin_gets_a_clear_error_and_nothing_is_written(
    tmp_path: Path, mode: str, message: str
) -> None:
    command = f"{write_plugin(tmp_path)} {mode}"
    project = plugin_project(tmp_path, f"\n[preprocessor.bad]\ncommand = {json.dumps(command)}\n")
    before = fingerprint(project)
    out = tmp_path / "out.html"
    with pytest.raises(PluginError, match=message):
        export_issue(project, issue_340(), "html", out)
    assert not out.exists() and fingerprint(project) == before
    # The CLI says the same in one message and exits non-zero.
    result = CliRunner().invoke(
        cli, ["--project", str(project.root), "export", "340", "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 1 and "Error: preprocessor 'bad'" in result.output
    assert not out.exists() and fingerprint(project) == before


def test_a_hanging_plugin_is_stopped_with_everything_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    command = f"{write_plugin(tmp_path)} hang {shlex.quote(str(pid_file))}"
    project = plugin_project(
        tmp_path, f"\n[preprocessor.slow]\ncommand = {json.dumps(command)}\ntimeout = 1\n"
    )
    before = fingerprint(project)
    started = time.monotonic()
    with pytest.raises(PluginError, match=r"preprocessor 'slow' did not finish within 1 s"):
        export_issue(project, issue_340(), "md", tmp_path / "out.md")
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # A zombie still answers kill(0); it is gone once its state says so.
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the plugin's child process survived the timeout")
    assert not (tmp_path / "out.md").exists() and fingerprint(project) == before


def test_a_plugin_that_hangs_on_supports_is_stopped(tmp_path: Path) -> None:
    command = f"{write_plugin(tmp_path)} slow-supports"
    project = plugin_project(
        tmp_path, f"\n[preprocessor.ask]\ncommand = {json.dumps(command)}\ntimeout = 0.5\n"
    )
    with pytest.raises(PluginError, match="preprocessor 'ask' did not finish within 0.5 s"):
        run_preprocessors(issue_340(), project, "md")


def test_a_missing_command_is_named(tmp_path: Path) -> None:
    project = plugin_project(
        tmp_path, '\n[preprocessor.ghost]\ncommand = "no-such-command-digest --x"\n'
    )
    with pytest.raises(PluginError, match=r"preprocessor 'ghost' could not start: command "
                                          r"'no-such-command-digest' not found"):
        run_preprocessors(issue_340(), project, "md")


def test_failing_renderer_is_named(tmp_path: Path) -> None:
    command = f"{PY} -c 'import sys; sys.stderr.write(\"no pdf today\"); sys.exit(7)'"
    project = plugin_project(tmp_path, f"\n[renderer.pdf]\ncommand = {json.dumps(command)}\n")
    result = CliRunner().invoke(
        cli, ["--project", str(project.root), "export", "340", "-f", "pdf", "-o",
              str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1
    assert "renderer 'pdf' failed with exit code 7" in result.output
    assert "no pdf today" in result.output and not (tmp_path / "x.pdf").exists()


def test_plugins_see_the_context_and_run_in_order(tmp_path: Path) -> None:
    base = write_plugin(tmp_path)
    project = plugin_project(
        tmp_path,
        f"\n[preprocessor.one]\ncommand = {json.dumps(base + ' append ONE')}\n"
        f"\n[preprocessor.two]\ncommand = {json.dumps(base + ' append TWO')}\n"
        f'renderers = ["text"]\n'
        f"\n[preprocessor.ctx]\ncommand = {json.dumps(base + ' context')}\n"
        f'renderers = ["email"]\n',
    )
    assert run_preprocessors(issue_340(), project, "text").intro == "ONETWO"
    # "two" is limited to text, so it is neither asked nor run for md.
    assert run_preprocessors(issue_340(), project, "md").intro == "ONE"
    context = json.loads(run_preprocessors(issue_340(), project, "email").intro)
    assert context["protocol"] == 1 and context["renderer"] == "email"
    assert context["root"] == str(project.root)
    assert context["plugin"] == {"name": "ctx", "kind": "preprocessor",
                                 "command": base + " context"}
    assert context["config"]["title"] == "Django News"
    # The caller's issue is never modified.
    original = issue_340()
    run_preprocessors(original, project, "text")
    assert original.intro == ""
