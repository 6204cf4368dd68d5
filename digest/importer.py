"""Markdown issues → Issue: how an existing newsletter archive comes into digest.

Newsletters that predate digest keep their back issues as Markdown, written by
hand or exported from a publishing tool, in the shape Django News uses and
``digest.render.markdown`` writes: ``# Title``, optional intro paragraphs,
``## Section`` headings, and under each ``### [Title](url)`` item its blurb
and a last one-line paragraph naming the source's bare domain.

The structure is read from markdown-it tokens rather than from lines, so a
``###`` inside a fenced code block or a list is never taken for an item. The
text of blurbs, notes and intros is cut out of the source through the tokens'
line maps instead of being re-rendered from tokens: the editor's Markdown is
kept as written, which is what lets ``render_markdown`` give back the same
bytes for anything digest exported itself.

No Textual, no click: the CLI and the TUI both call into this.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.config import DEFAULT_SECTIONS
from digest.feeds.urls import safe_href
from digest.model import Issue, IssueStatus, Item, Section, SectionDef
from digest.render.markdown import issue_heading
from digest.textclean import clean_line, clean_text

__all__ = [
    "ImportResult",
    "MarkdownImportError",
    "find_date",
    "markdown_files",
    "parse_issue_markdown",
    "read_issue_markdown",
    "slugify",
]

MARKDOWN_SUFFIXES = (".md", ".markdown")


class MarkdownImportError(ValueError):
    """A Markdown file cannot become an issue; the message names the file and the fix."""


@dataclass(frozen=True)
class ImportResult:
    """An issue read from Markdown, and what the reader had to guess along the way."""

    issue: Issue
    warnings: tuple[str, ...] = ()


class _Parser(MarkdownIt):
    """CommonMark that reports link destinations exactly as written.

    The stock parser drops links it deems unsafe (so a ``javascript:`` item
    would turn into literal ``[text](…)`` in its title) and percent-encodes
    the rest (so re-exporting would change the bytes). Here every link is
    kept as written and judged afterwards with ``safe_href``.
    """

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        return True

    def normalizeLink(self, url: str) -> str:  # noqa: N802
        return url


_MD = _Parser("commonmark")


# --- small readers ---------------------------------------------------------------

_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(\d{{4}})\b", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+(\d{{4}})\b", re.IGNORECASE)


def _date(year: str, month: int, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


def find_date(text: str) -> dt.date | None:
    """The first date written in ``text``: "2026-06-05", "Jun 5th 2026", "5 June, 2026".

    Django News titles end with the date ("… - Jun 5th 2026") and archives
    are often named by date, so this is how most imports learn it.
    """
    m = _ISO_DATE.search(text)
    if m:
        found = _date(m.group(1), int(m.group(2)), m.group(3))
        if found:
            return found
    m = _MONTH_FIRST.search(text)
    if m:
        found = _date(m.group(3), _MONTHS[m.group(1).lower()[:3]], m.group(2))
        if found:
            return found
    m = _DAY_FIRST.search(text)
    if m:
        return _date(m.group(3), _MONTHS[m.group(2).lower()[:3]], m.group(1))
    return None


_ISSUE_TITLE = re.compile(r"^issue\s*(?:no\.?|number)?\s*#?\s*(\d+)\b\s*[:.\-–—]?\s*(.*)$",
                          re.IGNORECASE)
_NAME_NUMBER = re.compile(r"(\d+)")
_DOMAIN = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*\.?$")


def _number_from_name(name: str) -> int | None:
    """``340.md``, ``issue-340.md``, ``2026-06-05-issue-340.md`` → 340."""
    stem = _ISO_DATE.sub("", Path(name).stem)
    numbers = _NAME_NUMBER.findall(stem)
    return int(numbers[-1]) if numbers else None


def slugify(title: str) -> str:
    """A section id from a heading: ASCII, lowercase, words joined by ``-``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def _is_domain(text: str) -> bool:
    return " " not in text and bool(_DOMAIN.match(text))


def _plain(tokens: Sequence[Token]) -> str:
    """The text of inline tokens as a reader sees it: escapes resolved, markup dropped."""
    parts: list[str] = []
    for tok in tokens:
        if tok.type in ("text", "html_inline"):
            parts.append(tok.content)
        elif tok.type == "code_inline":
            parts.append(f"{tok.markup}{tok.content}{tok.markup}")
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(_plain(tok.children or []))
    return clean_line("".join(parts))


def _first_href(tokens: Sequence[Token]) -> str | None:
    for tok in tokens:
        if tok.type == "link_open":
            return str(tok.attrGet("href") or "")
    return None


# --- front matter ----------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


def _front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """``key: value`` lines of a leading ``---`` block (Jekyll/Hugo archives).

    Returns the values, the rest of the text, and how many lines were cut,
    so errors can still name lines of the original file.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text, 0
    values: dict[str, str] = {}
    for raw in m.group(1).split("\n"):
        key, sep, value = raw.partition(":")
        if sep and key.strip() and not raw.startswith((" ", "\t", "-", "#")):
            values[key.strip().lower()] = value.strip().strip("'\"")
    return values, text[m.end():], m.group(0).count("\n")


# --- blocks ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Block:
    """One top-level block of the document and the source lines it covers."""

    kind: str  # "h1".."h6" for headings, else the token type ("paragraph_open", "fence", …)
    start: int
    end: int
    inline: Token | None = None

    @property
    def level(self) -> int:
        return int(self.kind[1]) if self.kind[0] == "h" and self.kind[1:].isdigit() else 0


def _heading_text(block: _Block) -> str:
    return _plain(block.inline.children or []) if block.inline else ""


def _blocks(tokens: list[Token]) -> list[_Block]:
    blocks: list[_Block] = []
    for i, tok in enumerate(tokens):
        if tok.level != 0 or tok.nesting < 0 or tok.map is None:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        inline = nxt if nxt is not None and nxt.type == "inline" else None
        kind = tok.tag if tok.type == "heading_open" else tok.type
        blocks.append(_Block(kind, tok.map[0], tok.map[1], inline))
    return blocks


def _ranges(starts: list[int], end: int) -> list[tuple[int, int]]:
    """Each start paired with the next start (the last with ``end``)."""
    return list(zip(starts, [*starts[1:], end], strict=False))


def _without_rules(blocks: list[_Block]) -> list[_Block]:
    """Drop trailing ``---`` rules: hand-written issues use them between items."""
    end = len(blocks)
    while end and blocks[end - 1].kind == "hr":
        end -= 1
    return blocks[:end]


@dataclass
class _Reader:
    lines: list[str]
    offset: int
    name: str
    sections: Sequence[SectionDef]
    warnings: list[str] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def where(self, block: _Block) -> str:
        return f"{self.name}:{block.start + 1 + self.offset}"

    def source(self, blocks: list[_Block]) -> str:
        """The Markdown of these blocks exactly as written (blank lines between kept)."""
        blocks = _without_rules(blocks)
        if not blocks:
            return ""
        text = "\n".join(self.lines[blocks[0].start:blocks[-1].end])
        return clean_text(text).strip("\n").rstrip()

    def section_id(self, title: str) -> str:
        low = title.casefold()
        sid = next((s.id for s in self.sections if s.title.casefold() == low), "")
        sid = sid or slugify(title) or "section"
        base, n = sid, 1
        while sid in self._ids:
            n += 1
            sid = f"{base}-{n}"
        self._ids.add(sid)
        return sid

    def item(self, heading: _Block, body: list[_Block]) -> Item:
        children = (heading.inline.children or []) if heading.inline else []
        title = _plain(children)
        href = _first_href(children)
        url = safe_href(href) if href else ""
        if href and not url:
            self.warnings.append(f"{self.where(heading)}: link {clean_line(href)[:60]!r} "
                                 "is not http, https or mailto; the item keeps no link")
        body = _without_rules(body)
        source = ""
        last = body[-1] if body else None
        if (last is not None and last.kind == "paragraph_open" and last.end - last.start == 1
                and last.inline is not None):
            text = _plain(last.inline.children or [])
            if _is_domain(text):
                source = text
                body = body[:-1]
        return Item(title=title, url=url, blurb=self.source(body), source=source)

    def section(self, title: str, body: list[_Block]) -> Section:
        starts = [i for i, b in enumerate(body) if b.level == 3]
        if not starts:
            return Section(self.section_id(title), title, "notes", notes=self.source(body))
        notes = self.source(body[:starts[0]])
        items = [
            self.item(body[s], body[s + 1:e])
            for s, e in _ranges(starts, len(body))
        ]
        return Section(self.section_id(title), title, "links", notes=notes, items=items)


# --- the issue -------------------------------------------------------------------

def parse_issue_markdown(
    text: str,
    sections: Iterable[SectionDef] = DEFAULT_SECTIONS,
    *,
    name: str = "<markdown>",
    number: int | None = None,
    date: dt.date | None = None,
    status: IssueStatus = "published",
    date_guess: str = "",
) -> ImportResult:
    """Read one Markdown issue.

    ``sections`` are the project's: a ``## Heading`` whose title matches one
    (ignoring case) gets its id, so imported issues file their items where
    new ones go. ``number`` and ``date`` are used only when the Markdown does
    not say (front matter, then the title); ``status`` likewise, and defaults
    to published because an imported archive is made of issues that went out.
    ``date_guess`` names where a fallback ``date`` came from when it is only a
    guess; using it then adds a warning.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta, body, offset = _front_matter(text)
    reader = _Reader(body.split("\n"), offset, name, tuple(sections))
    blocks = _blocks(_MD.parse(body))

    title = meta.get("title", "")
    first_h1 = next((i for i, b in enumerate(blocks) if b.level == 1), None)
    if first_h1 is not None:
        title = _heading_text(blocks.pop(first_h1)) or title

    # Sections start at ## (or a later #); ### before any section are items of
    # an unnamed "Links" section; other blocks before the first section are the intro.
    bounds = [i for i, b in enumerate(blocks) if b.level in (1, 2)]
    first = bounds[0] if bounds else len(blocks)
    intro_blocks = blocks[:first]
    loose = next((i for i, b in enumerate(intro_blocks) if b.level == 3), None)
    parsed: list[Section] = []
    if loose is not None:
        parsed.append(reader.section("Links", intro_blocks[loose:]))
        intro_blocks = intro_blocks[:loose]
    for s, e in _ranges(bounds, len(blocks)):
        parsed.append(reader.section(_heading_text(blocks[s]), blocks[s + 1:e]))

    if not title and not parsed:
        raise MarkdownImportError(f"{name}: no '# Title' and no '## Section' headings; "
                                  "this does not look like a newsletter issue")

    found_number, headline = _split_title(title)
    chosen = _meta_int(meta, ("number", "issue"), name)
    chosen = chosen if chosen is not None else found_number
    chosen = chosen if chosen is not None else number
    if chosen is None:
        raise MarkdownImportError(
            f"{name}: cannot tell the issue number; start the title with 'Issue NNN:', "
            "name the file NNN.md, or add 'number: NNN' front matter"
        )
    if found_number is not None and found_number == chosen:
        # Keep the headline only when it exports to the very same heading.
        probe = Issue(chosen, dt.date.min, headline)
        if issue_heading(probe) == issue_heading(Issue(chosen, dt.date.min, title)):
            title = headline

    when = find_date(meta.get("date", "")) or find_date(title)
    if when is None and date is not None:
        when = date
        if date_guess:
            reader.warnings.append(
                f"{name}: no date in the title or front matter; used {date_guess} "
                f"{date.isoformat()} (edit the issue file if that is wrong)"
            )
    if when is None:
        raise MarkdownImportError(
            f"{name}: cannot tell the issue's date; put it in the title "
            "('… - Jun 5th 2026'), in the file name (2026-06-05-340.md) or in "
            "'date: 2026-06-05' front matter"
        )
    meta_status = meta.get("status", "").lower()
    final_status: IssueStatus = (
        "draft" if meta_status == "draft" else "published" if meta_status else status
    )
    issue = Issue(number=chosen, date=when, title=title, status=final_status,
                  intro=reader.source(intro_blocks), sections=parsed)
    return ImportResult(issue, tuple(reader.warnings))


def _split_title(title: str) -> tuple[int | None, str]:
    m = _ISSUE_TITLE.match(title)
    if not m:
        return None, title
    return int(m.group(1)), m.group(2).strip()


def _meta_int(meta: dict[str, str], keys: tuple[str, ...], name: str) -> int | None:
    for key in keys:
        if key in meta:
            value = meta[key].lstrip("#")
            if not value.isdigit():
                raise MarkdownImportError(f"{name}: front matter {key}: {meta[key]!r} "
                                          "is not a whole number")
            return int(value)
    return None


def read_issue_markdown(path: Path, sections: Iterable[SectionDef] = DEFAULT_SECTIONS,
                        ) -> ImportResult:
    """Read a Markdown issue file; its name and date fill in what the text leaves out.

    The number may come from the file name (``340.md``), the date from the
    name (``2026-06-05-…``) or, as a last resort, from the file's modification
    time, which is said in a warning because it is a guess.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MarkdownImportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MarkdownImportError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    named = find_date(path.name)
    fallback = named or dt.date.fromtimestamp(path.stat().st_mtime)
    return parse_issue_markdown(
        text, sections, name=str(path), number=_number_from_name(path.name),
        date=fallback, date_guess="" if named else "the file's modification date",
    )


def markdown_files(folder: Path) -> list[Path]:
    """The Markdown issues of a folder, oldest first when their names carry numbers."""
    found = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES
             and not p.name.startswith(".")]

    def key(path: Path) -> tuple[int, str]:
        number = _number_from_name(path.name)
        return (number if number is not None else -1, path.name)

    return sorted(found, key=key)
