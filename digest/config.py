"""A newsletter project's ``digest.toml``: read once, typed, with errors that say where.

Errors name the file, the key and what to do, because the person reading them
is an editor on a Monday morning, not the author of this module.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.model import SectionDef

CONFIG_NAME = "digest.toml"

DEFAULT_SECTIONS: tuple[SectionDef, ...] = (
    SectionDef("news", "News", "n"),
    SectionDef("releases", "Releases", "r"),
    SectionDef("articles", "Articles", "a"),
    SectionDef("projects", "Projects", "p"),
)

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: Keys the TUI needs for itself; a section shortcut may not take them.
RESERVED_KEYS = frozenset("qjkxdzufo/?:")


class ConfigError(Exception):
    """``digest.toml`` is missing or wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class FeedDef:
    url: str
    title: str = ""


@dataclass(frozen=True)
class PluginDef:
    name: str
    command: str
    #: Seconds before a plugin run is stopped.
    timeout: float = 30.0
    #: Renderers a preprocessor is limited to (empty: ask the plugin).
    renderers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchConfig:
    concurrency: int = 64
    timeout: float = 15.0
    max_bytes: int = 10_000_000
    #: Seconds a feed that timed out is left alone (0: try it on every run).
    backoff: float = 1800.0


@dataclass(frozen=True)
class Project:
    root: Path
    title: str = "My newsletter"
    description: str = ""
    site_url: str = ""
    author: str = ""
    language: str = "en"
    theme: str = "django-news"
    output: str = "site"
    opml: str = ""
    sections: tuple[SectionDef, ...] = DEFAULT_SECTIONS
    feeds: tuple[FeedDef, ...] = ()
    fetch: FetchConfig = FetchConfig()
    preprocessors: tuple[PluginDef, ...] = ()
    renderers: tuple[PluginDef, ...] = ()
    #: Binding id → key, to remap the TUI's keys.
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def issues_dir(self) -> Path:
        return self.root / "issues"

    @property
    def output_dir(self) -> Path:
        return (self.root / self.output).resolve()

    def section(self, section_id: str) -> SectionDef | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def resolve_location(self, url: str) -> str:
        """Feed locations may be paths relative to the project."""
        if "://" in url:
            return url
        path = Path(url).expanduser()
        if not path.is_absolute():
            path = self.root / path
        return str(path.resolve())


_TOP_KEYS = {
    "title", "description", "site_url", "author", "language", "theme", "output", "opml",
    "sections", "feeds", "fetch", "preprocessor", "renderer", "keys",
}


def _fail(path: Path, key: str, problem: str, fix: str = "") -> ConfigError:
    msg = f"{path}: {key}: {problem}"
    if fix:
        msg += f" ({fix})"
    return ConfigError(msg)


def _str(path: Path, table: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _fail(path, f"{where}{key}", f"expected text, got {type(value).__name__}",
                    f'write it in quotes, e.g. {key} = "..."')
    return value


def _number(path: Path, table: dict[str, Any], key: str, where: str, default: float,
            *, minimum: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"{where}{key}", f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):  # TOML has inf and nan
        raise _fail(path, f"{where}{key}", f"must be a finite number, got {value}")
    if value < minimum:
        raise _fail(path, f"{where}{key}", f"must be at least {minimum}, got {value}")
    return float(value)


def _sections(path: Path, raw: Any) -> tuple[SectionDef, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "sections", "expected a non-empty list of [[sections]] tables")
    out: list[SectionDef] = []
    ids: set[str] = set()
    keys: dict[str, str] = {}
    for n, sec in enumerate(raw, 1):
        where = f"sections[{n}]."
        if not isinstance(sec, dict):
            raise _fail(path, f"sections[{n}]", "expected a table")
        unknown = set(sec) - {"id", "title", "key", "kind"}
        if unknown:
            raise _fail(path, f"sections[{n}]", f"unknown key(s) {', '.join(sorted(unknown))}",
                        "allowed: id, title, key, kind")
        sid = _str(path, sec, "id", where)
        if not _ID_RE.match(sid):
            raise _fail(path, f"{where}id", f"{sid!r} is not a valid id",
                        "use lowercase letters, digits, - or _")
        if sid in ids:
            raise _fail(path, f"{where}id", f"section id {sid!r} is used twice",
                        "give each section its own id")
        ids.add(sid)
        key = _str(path, sec, "key", where)
        if len(key) > 1:
            raise _fail(path, f"{where}key", f"{key!r} must be a single character")
        if key and key in RESERVED_KEYS:
            raise _fail(path, f"{where}key", f"{key!r} is reserved for digest's own keys",
                        f"pick a key not in {''.join(sorted(RESERVED_KEYS))}")
        if key and key in keys:
            raise _fail(path, f"{where}key",
                        f"key {key!r} is already used by section {keys[key]!r}",
                        "give each section its own key")
        if key:
            keys[key] = sid
        kind = _str(path, sec, "kind", where, "links")
        if kind not in ("links", "notes"):
            raise _fail(path, f"{where}kind", f"{kind!r} is not a section kind",
                        'use "links" or "notes"')
        title = _str(path, sec, "title", where) or sid.replace("-", " ").title()
        out.append(SectionDef(sid, title, key, "notes" if kind == "notes" else "links"))
    return tuple(out)


def _feeds(path: Path, raw: Any) -> tuple[FeedDef, ...]:
    if not isinstance(raw, list):
        raise _fail(path, "feeds", "expected a list of [[feeds]] tables")
    out: list[FeedDef] = []
    seen: set[str] = set()
    for n, feed in enumerate(raw, 1):
        where = f"feeds[{n}]."
        if not isinstance(feed, dict):
            raise _fail(path, f"feeds[{n}]", "expected a table with url = \"...\"")
        unknown = set(feed) - {"url", "title"}
        if unknown:
            raise _fail(path, f"feeds[{n}]", f"unknown key(s) {', '.join(sorted(unknown))}",
                        "allowed: url, title")
        url = _str(path, feed, "url", where).strip()
        if not url:
            raise _fail(path, f"{where}url", "missing", 'add url = "https://…/feed.xml"')
        if url in seen:
            continue
        seen.add(url)
        out.append(FeedDef(url, _str(path, feed, "title", where)))
    return tuple(out)


def _plugins(path: Path, raw: Any, kind: str) -> tuple[PluginDef, ...]:
    if not isinstance(raw, dict):
        raise _fail(path, kind, f"expected [{kind}.NAME] tables")
    out: list[PluginDef] = []
    for name, table in raw.items():
        where = f"{kind}.{name}."
        if not isinstance(table, dict):
            raise _fail(path, f"{kind}.{name}", 'expected a table with command = "..."')
        unknown = set(table) - {"command", "timeout", "renderers"}
        if unknown:
            raise _fail(path, f"{kind}.{name}", f"unknown key(s) {', '.join(sorted(unknown))}",
                        "allowed: command, timeout, renderers")
        command = _str(path, table, "command", where).strip()
        if not command:
            raise _fail(path, f"{where}command", "missing", 'add command = "python3 plugin.py"')
        renderers = table.get("renderers", [])
        if not isinstance(renderers, list) or not all(isinstance(r, str) for r in renderers):
            raise _fail(path, f"{where}renderers", "expected a list of renderer names")
        timeout = _number(path, table, "timeout", where, 30.0, minimum=0.1)
        out.append(PluginDef(name, command, timeout, tuple(renderers)))
    return tuple(out)


def parse_project(root: Path, data: dict[str, Any], path: Path | None = None) -> Project:
    """Validate the parsed TOML of a project; ``path`` is only used in messages."""
    path = path or root / CONFIG_NAME
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(path, ", ".join(sorted(unknown)), "unknown key",
                    f"allowed keys: {', '.join(sorted(_TOP_KEYS))}")
    fetch_raw = data.get("fetch", {})
    if not isinstance(fetch_raw, dict):
        raise _fail(path, "fetch", "expected a [fetch] table")
    unknown = set(fetch_raw) - {"concurrency", "timeout", "max_bytes", "backoff"}
    if unknown:
        raise _fail(path, "fetch", f"unknown key(s) {', '.join(sorted(unknown))}",
                    "allowed: concurrency, timeout, max_bytes, backoff")
    fetch = FetchConfig(
        concurrency=int(_number(path, fetch_raw, "concurrency", "fetch.", 64, minimum=1)),
        timeout=_number(path, fetch_raw, "timeout", "fetch.", 15.0, minimum=0.1),
        max_bytes=int(_number(path, fetch_raw, "max_bytes", "fetch.", 10_000_000, minimum=1024)),
        backoff=_number(path, fetch_raw, "backoff", "fetch.", 1800.0, minimum=0),
    )
    keys_raw = data.get("keys", {})
    if not isinstance(keys_raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys_raw.items()
    ):
        raise _fail(path, "keys", 'expected a [keys] table of binding-id = "key" pairs')
    theme = _str(path, data, "theme", "", "django-news")
    project = Project(
        root=root,
        title=_str(path, data, "title", "", "My newsletter"),
        description=_str(path, data, "description", ""),
        site_url=_str(path, data, "site_url", ""),
        author=_str(path, data, "author", ""),
        language=_str(path, data, "language", "", "en"),
        theme=theme,
        output=_str(path, data, "output", "", "site"),
        opml=_str(path, data, "opml", ""),
        sections=_sections(path, data["sections"]) if "sections" in data else DEFAULT_SECTIONS,
        feeds=_feeds(path, data.get("feeds", [])),
        fetch=fetch,
        preprocessors=_plugins(path, data.get("preprocessor", {}), "preprocessor"),
        renderers=_plugins(path, data.get("renderer", {}), "renderer"),
        keys=dict(keys_raw),
    )
    if project.opml and not (root / project.opml).is_file():
        raise _fail(path, "opml", f"file {project.opml!r} not found in {root}",
                    "fix the path or remove the key")
    return project


def load_project(root: Path | str) -> Project:
    """Read ``digest.toml`` from a project folder."""
    root = Path(root).expanduser().resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"{path}: not found: {root} is not a digest project "
            "(run `digest init DIR` to create one, or pass --project DIR)"
        )
    text = ""
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}{_toml_hint(text, str(exc))}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except RecursionError:
        raise ConfigError(f"{path}: values nested too deeply to read; flatten them") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_project(root, data, path)


def _toml_hint(text: str, message: str) -> str:
    """The line TOML stopped at and the usual fix, so nobody has to count lines."""
    m = re.search(r"at line (\d+)", message)
    lines = text.splitlines()
    if m is None or not 0 < int(m.group(1)) <= len(lines):
        return ""
    twice = "overwrite" in message or "twice" in message
    fix = "each key and [table] may appear only once" if twice else 'quote text: key = "text"'
    return f": {lines[int(m.group(1)) - 1].strip()[:80]} ({fix})"


def default_config_text(title: str) -> str:
    """The ``digest.toml`` written by ``digest init``: commented so it teaches itself."""
    lines = [
        f"title = {_toml_str(title)}",
        'description = ""',
        '# site_url = "https://example.org/newsletter/"',
        'theme = "django-news"   # or "plain", or a folder in ./themes/',
        'output = "site"         # where `digest build` writes the archive site',
        '# opml = "feeds.opml"   # subscriptions may also live in an OPML file',
        "",
        "[fetch]",
        "concurrency = 64",
        "timeout = 15            # seconds per feed, whatever the server does",
        "backoff = 1800          # seconds a feed that timed out is left alone",
        "",
        "# Sections in the order they are exported. `key` is the one-letter",
        '# shortcut that files an entry into the section; kind = "notes" makes a',
        "# free-text section (like Django News' \"Updates to Django\").",
    ]
    for sec in DEFAULT_SECTIONS:
        lines += ["", "[[sections]]", f'id = "{sec.id}"', f"title = {_toml_str(sec.title)}",
                  f'key = "{sec.key}"']
    lines += [
        "",
        "# [[feeds]]",
        '# url = "https://planetpython.org/rss20.xml"',
        '# title = "Planet Python"',
        "",
    ]
    return "\n".join(lines)


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
