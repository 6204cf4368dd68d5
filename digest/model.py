"""Plain data shared by every part of digest.

These dataclasses carry no behaviour that touches disk, network or screen, so
the store, the feeds code, the renderers, plugins and the TUI can all agree on
one shape without importing each other. An issue's JSON form (``issue_to_dict``)
is the same shape plugins receive, and the TOML files in ``issues/`` are that
shape too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

#: Version of the issue data shape (TOML files, JSON given to plugins).
ISSUE_FORMAT = 1

EntryState = Literal["new", "seen", "dismissed"]
IssueStatus = Literal["draft", "published"]
FeedStatus = Literal["new", "ok", "not-modified", "error", "gone"]
SectionKind = Literal["links", "notes"]


@dataclass(frozen=True)
class Feed:
    """A subscription and what the last fetch learned about it."""

    url: str
    title: str = ""
    site_url: str = ""
    etag: str = ""
    last_modified: str = ""
    #: Hash of the last body that parsed, so an unchanged body without
    #: validators is not parsed again.
    body_hash: str = ""
    last_fetch: dt.datetime | None = None
    http_status: int | None = None
    status: FeedStatus = "new"
    error: str = ""
    #: Do not ask the server again before this moment (429/503 Retry-After).
    retry_after: dt.datetime | None = None
    entry_count: int = 0


@dataclass(frozen=True)
class Entry:
    """One post, deduplicated across every feed that carries it."""

    #: Stable dedupe key (derived from the canonical link, else the guid).
    id: str
    link: str
    title: str
    feed_url: str = ""
    guid: str = ""
    author: str = ""
    #: The original source of an aggregated post (the blog behind a planet).
    source_title: str = ""
    source_url: str = ""
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    #: Plain text of the content (or summary), for search and blurbs. A parsed
    #: entry may come without it: the store makes it from the body it writes.
    text: str = ""
    categories: tuple[str, ...] = ()
    state: EntryState = "new"
    #: Every feed URL the post was seen in (filled by the store).
    feeds: tuple[str, ...] = ()
    #: Title of the feed the entry is shown under (filled by the store).
    feed_title: str = ""


@dataclass(frozen=True)
class SectionDef:
    """A section of the newsletter as configured in ``digest.toml``."""

    id: str
    title: str
    #: Single-key shortcut that files the selected entry into this section.
    key: str = ""
    kind: SectionKind = "links"


@dataclass
class Item:
    """One link (or note) in an issue."""

    title: str
    url: str = ""
    blurb: str = ""
    #: The bare domain shown under the blurb ("djangoproject.com").
    source: str = ""
    #: Store id of the entry it was picked from, when it came from a feed.
    entry_id: str = ""


@dataclass
class Section:
    """A section of one issue, in the order it is exported."""

    id: str
    title: str
    kind: SectionKind = "links"
    #: Free Markdown shown before the items (the whole body of a notes section).
    notes: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass
class Issue:
    """One newsletter issue: the editor's work, saved as ``issues/NNN.toml``."""

    number: int
    date: dt.date
    title: str = ""
    status: IssueStatus = "draft"
    intro: str = ""
    sections: list[Section] = field(default_factory=list)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def urls(self) -> set[str]:
        return {i.url for s in self.sections for i in s.items if i.url}


def issue_to_dict(issue: Issue) -> dict[str, Any]:
    """The one serialisable shape of an issue (TOML files and plugin JSON)."""
    data: dict[str, Any] = {
        "format": ISSUE_FORMAT,
        "number": issue.number,
        "status": issue.status,
        "date": issue.date.isoformat(),
        "title": issue.title,
        "intro": issue.intro,
        "sections": [],
    }
    for section in issue.sections:
        sec: dict[str, Any] = {"id": section.id, "title": section.title, "kind": section.kind}
        sec["notes"] = section.notes
        sec["items"] = [dataclasses.asdict(item) for item in section.items]
        data["sections"].append(sec)
    return data


class IssueDataError(ValueError):
    """Issue data (from a file or a plugin) does not have the required shape."""


def _text(d: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    if key not in d:
        if required:
            raise IssueDataError(f"{where}: missing required field '{key}'")
        return ""
    value = d[key]
    if not isinstance(value, str):
        raise IssueDataError(f"{where}: field '{key}' must be text, not {type(value).__name__}")
    return value


def issue_from_dict(data: Any) -> Issue:
    """Build an Issue from its dict shape, naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise IssueDataError("issue: expected a table/object")
    fmt = data.get("format", ISSUE_FORMAT)
    if not isinstance(fmt, int) or fmt > ISSUE_FORMAT:
        raise IssueDataError(
            f"issue: format {fmt!r} is newer than this digest understands ({ISSUE_FORMAT})"
        )
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise IssueDataError("issue: 'number' must be a whole number ≥ 0")
    raw_date = data.get("date")
    if isinstance(raw_date, dt.datetime):
        date = raw_date.date()
    elif isinstance(raw_date, dt.date):
        date = raw_date
    elif isinstance(raw_date, str):
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise IssueDataError(f"issue: 'date' {raw_date!r} is not YYYY-MM-DD") from None
    else:
        raise IssueDataError("issue: missing required field 'date' (YYYY-MM-DD)")
    status = data.get("status", "draft")
    if status not in ("draft", "published"):
        raise IssueDataError(f"issue: 'status' must be draft or published, not {status!r}")
    sections_raw = data.get("sections", [])
    if not isinstance(sections_raw, list):
        raise IssueDataError("issue: 'sections' must be a list")
    sections: list[Section] = []
    seen: set[str] = set()
    for n, sec in enumerate(sections_raw, 1):
        where = f"sections[{n}]"
        if not isinstance(sec, dict):
            raise IssueDataError(f"{where}: expected a table/object")
        sid = _text(sec, "id", where, required=True)
        if not sid:
            raise IssueDataError(f"{where}: 'id' must not be empty")
        if sid in seen:
            raise IssueDataError(f"{where}: section id '{sid}' appears twice")
        seen.add(sid)
        kind = sec.get("kind", "links")
        if kind not in ("links", "notes"):
            raise IssueDataError(f"{where}: 'kind' must be links or notes, not {kind!r}")
        items_raw = sec.get("items", [])
        if not isinstance(items_raw, list):
            raise IssueDataError(f"{where}: 'items' must be a list")
        items: list[Item] = []
        for m, it in enumerate(items_raw, 1):
            iwhere = f"{where}.items[{m}]"
            if not isinstance(it, dict):
                raise IssueDataError(f"{iwhere}: expected a table/object")
            items.append(
                Item(
                    title=_text(it, "title", iwhere, required=True),
                    url=_text(it, "url", iwhere),
                    blurb=_text(it, "blurb", iwhere),
                    source=_text(it, "source", iwhere),
                    entry_id=_text(it, "entry_id", iwhere),
                )
            )
        sections.append(
            Section(
                id=sid,
                title=_text(sec, "title", where) or sid.replace("-", " ").title(),
                kind=kind,
                notes=_text(sec, "notes", where),
                items=items,
            )
        )
    return Issue(
        number=number,
        date=date,
        title=_text(data, "title", "issue"),
        status=status,
        intro=_text(data, "intro", "issue"),
        sections=sections,
    )
