"""A corpus of broken ``digest.toml`` files, each run through the real command.

``configs/NAME.toml`` is a broken config; ``configs/NAME.expect`` lists, one
per line, words its error must contain: the key (or the line) at fault and
what to do. ``digest --project DIR issues list`` must exit 1 and print one
line that starts with the file's path, with no traceback. A few broken
projects that are not a file's content (no config, a folder where the file
should be, a dangling link) are made by the test itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.support import CONFIGS, REPO

CASES = sorted(p.stem for p in CONFIGS.glob("*.toml"))


def run_all(projects: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    """``issues list`` in every project, a few at a time (two cores)."""
    procs: dict[str, subprocess.Popen[str]] = {}
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    pending = list(projects.items())
    while pending or procs:
        while pending and len(procs) < 4:
            name, root = pending.pop()
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "digest", "--project", str(root), "issues", "list"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        name = next(iter(procs))
        proc = procs.pop(name)
        out, err = proc.communicate(timeout=60)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str,
                                                               subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("configs")
    projects: dict[str, Path] = {}
    for name in CASES:
        root = base / name
        (root / "issues").mkdir(parents=True)
        (root / "digest.toml").write_bytes((CONFIGS / f"{name}.toml").read_bytes())
        projects[name] = root
    (base / "no-config").mkdir()
    projects["no-config"] = base / "no-config"
    (base / "config-is-a-folder" / "digest.toml").mkdir(parents=True)
    projects["config-is-a-folder"] = base / "config-is-a-folder"
    (base / "dangling-link").mkdir()
    (base / "dangling-link" / "digest.toml").symlink_to(base / "nowhere.toml")
    projects["dangling-link"] = base / "dangling-link"
    return {name: run for name, run in run_all(projects).items()} | {"_base": base}  # type: ignore[dict-item]


def one_clear_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 45
    for name in CASES:
        assert (CONFIGS / f"{name}.expect").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_broken_config_gives_file_key_and_fix(
    results: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    line = one_clear_line(results[name])
    base = results["_base"]
    assert line.startswith(f"Error: {base}/{name}/digest.toml: "), line  # type: ignore[operator]
    for expected in (CONFIGS / f"{name}.expect").read_text("utf-8").splitlines():
        if expected:
            assert expected in line, f"{expected!r} missing from {line!r}"


@pytest.mark.parametrize("name", ["no-config", "config-is-a-folder", "dangling-link"])
def test_a_missing_config_says_what_to_do(
    results: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    line = one_clear_line(results[name])
    assert f"{name}/digest.toml: not found" in line
    assert "digest init" in line and "--project" in line
