"""Preprocessors and renderers in any language, run the way mdBook runs its own.

A plugin is a command. digest asks a preprocessor ``COMMAND supports RENDERER``
(exit 0 means yes), then writes ``[context, issue]`` as JSON to its stdin and
reads the changed issue back from its stdout. A renderer gets the same input
and prints the finished document. The protocol is described for plugin
authors in ``docs/plugins.md``; ``PROTOCOL`` is its version.

Plugins run in their own process group so a timeout stops the plugin and
anything it started. Nothing here writes files: a plugin that fails, hangs or
returns nonsense raises ``PluginError`` before any output exists, and the
issue file is never involved.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import signal
import subprocess
from pathlib import Path
from typing import Any, Literal

from digest.config import PluginDef, Project
from digest.model import Issue, IssueDataError, issue_from_dict, issue_to_dict

__all__ = [
    "PROTOCOL",
    "PluginError",
    "plugin_context",
    "renderer_names",
    "run_preprocessors",
    "run_renderer",
]

#: Version of the ``[context, issue]`` protocol (``context["protocol"]``).
PROTOCOL = 1
PluginKind = Literal["preprocessor", "renderer"]

#: Fields a preprocessor must hand back; leaving one out is an error, not a default.
REQUIRED_ISSUE_FIELDS = ("number", "date", "title", "sections")
REQUIRED_SECTION_FIELDS = ("id", "title", "kind", "items")
_STDERR_TAIL = 2000


class PluginError(Exception):
    """A plugin failed; the message names it and says what it did wrong."""

    def __init__(
        self,
        kind: PluginKind,
        name: str,
        problem: str,
        *,
        exit_code: int | None = None,
        stderr: str = "",
    ) -> None:
        self.kind = kind
        self.name = name
        self.problem = problem
        self.exit_code = exit_code
        self.stderr = stderr
        message = f"{kind} {name!r} {problem}"
        if stderr.strip():
            message += "\n  stderr: " + stderr.strip().replace("\n", "\n          ")
        super().__init__(message)


def _digest_version() -> str:
    try:
        return importlib.metadata.version("digest")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def plugin_context(
    project: Project,
    renderer: str,
    plugin: PluginDef,
    kind: PluginKind,
    destination: Path | None = None,
) -> dict[str, Any]:
    """The first element of what a plugin reads: where it runs and for what."""
    context: dict[str, Any] = {
        "protocol": PROTOCOL,
        "digest_version": _digest_version(),
        "renderer": renderer,
        "root": str(project.root),
        "config": {
            "title": project.title,
            "description": project.description,
            "site_url": project.site_url,
            "author": project.author,
            "language": project.language,
            "theme": project.theme,
            "output": project.output,
            "sections": [
                {"id": s.id, "title": s.title, "kind": s.kind} for s in project.sections
            ],
        },
        "plugin": {"name": plugin.name, "kind": kind, "command": plugin.command},
    }
    if destination is not None:
        context["destination"] = str(destination)
    return context


def _argv(plugin: PluginDef, kind: PluginKind) -> list[str]:
    try:
        argv = shlex.split(plugin.command)
    except ValueError as exc:
        raise PluginError(kind, plugin.name, f"has a command digest cannot split: {exc}") from None
    if not argv:
        raise PluginError(kind, plugin.name, "has an empty command")
    return argv


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= _STDERR_TAIL else "…" + text[-_STDERR_TAIL:]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _run(
    project: Project,
    plugin: PluginDef,
    kind: PluginKind,
    extra_args: list[str],
    stdin: bytes,
) -> tuple[int, bytes, bytes]:
    argv = _argv(plugin, kind) + extra_args
    try:
        proc = subprocess.Popen(
            argv,
            cwd=project.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise PluginError(
            kind, plugin.name, f"could not start: command {argv[0]!r} not found "
            f"(command = {plugin.command!r}, run in {project.root})"
        ) from None
    except OSError as exc:
        raise PluginError(
            kind, plugin.name, f"could not start {argv[0]!r}: {exc.strerror or exc}"
        ) from None
    try:
        out, err = proc.communicate(stdin, timeout=plugin.timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        _, err = proc.communicate()
        raise PluginError(
            kind, plugin.name,
            f"did not finish within {plugin.timeout:g} s and was stopped "
            "(raise `timeout` in its digest.toml table if it needs longer)",
            stderr=_tail(err),
        ) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
            proc.wait()
    return proc.returncode, out, err


def _supports(project: Project, plugin: PluginDef, renderer: str) -> bool:
    if plugin.renderers:
        return renderer in plugin.renderers
    code, _, _ = _run(project, plugin, "preprocessor", ["supports", renderer], b"")
    return code == 0


def _check_shape(data: Any, name: str) -> None:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise PluginError(
            "preprocessor", name, f"returned {kind} instead of the issue object "
            "(print only the issue, not [context, issue])"
        )
    missing = [f for f in REQUIRED_ISSUE_FIELDS if f not in data]
    if missing:
        raise PluginError(
            "preprocessor", name, f"removed required field(s) {', '.join(missing)} from the issue"
        )
    sections = data["sections"]
    if isinstance(sections, list):
        for n, sec in enumerate(sections, 1):
            if isinstance(sec, dict):
                gone = [f for f in REQUIRED_SECTION_FIELDS if f not in sec]
                if gone:
                    raise PluginError(
                        "preprocessor", name,
                        f"removed required field(s) {', '.join(gone)} from sections[{n}]",
                    )


def _apply(project: Project, plugin: PluginDef, renderer: str, data: dict[str, Any]) -> Any:
    payload = json.dumps(
        [plugin_context(project, renderer, plugin, "preprocessor"), data], ensure_ascii=False
    ).encode("utf-8")
    code, out, err = _run(project, plugin, "preprocessor", [], payload)
    if code != 0:
        raise PluginError(
            "preprocessor", plugin.name, f"failed with exit code {code}",
            exit_code=code, stderr=_tail(err),
        )
    try:
        return json.loads(out.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PluginError(
            "preprocessor", plugin.name, f"printed output that is not UTF-8 (byte {exc.start})",
            stderr=_tail(err),
        ) from None
    except json.JSONDecodeError as exc:
        start = out[:80].decode("utf-8", "replace")
        what = "nothing" if not out.strip() else f"invalid JSON ({exc}); output starts {start!r}"
        raise PluginError(
            "preprocessor", plugin.name, f"printed {what}", stderr=_tail(err)
        ) from None


def run_preprocessors(issue: Issue, project: Project, renderer: str) -> Issue:
    """The issue after every preprocessor that supports ``renderer``, in config order.

    The caller's issue is not modified; each plugin sees what the one before
    it returned.
    """
    if not project.preprocessors:
        return issue
    data = issue_to_dict(issue)
    current = issue
    for plugin in project.preprocessors:
        if not _supports(project, plugin, renderer):
            continue
        result = _apply(project, plugin, renderer, data)
        _check_shape(result, plugin.name)
        try:
            current = issue_from_dict(result)
        except IssueDataError as exc:
            raise PluginError(
                "preprocessor", plugin.name, f"returned an issue digest cannot use: {exc}"
            ) from None
        if current.number != issue.number:
            raise PluginError(
                "preprocessor", plugin.name,
                f"changed the issue number from {issue.number} to {current.number}",
            )
        data = issue_to_dict(current)
    return current


def renderer_names(project: Project) -> list[str]:
    return [r.name for r in project.renderers]


def run_renderer(
    issue: Issue, project: Project, name: str, destination: Path | None = None
) -> bytes:
    """What the renderer plugin ``name`` prints for the issue (its finished document)."""
    plugin = next((r for r in project.renderers if r.name == name), None)
    if plugin is None:
        raise PluginError("renderer", name, "is not configured in digest.toml")
    payload = json.dumps(
        [plugin_context(project, name, plugin, "renderer", destination), issue_to_dict(issue)],
        ensure_ascii=False,
    ).encode("utf-8")
    code, out, err = _run(project, plugin, "renderer", [], payload)
    if code != 0:
        raise PluginError(
            "renderer", name, f"failed with exit code {code}", exit_code=code, stderr=_tail(err)
        )
    return out
