"""Issue → an HTML page in a theme, with nothing from a feed able to run.

Three layers keep hostile feed text inert, each enough on its own for what it
covers: titles, sources and URLs reach templates as plain strings and are
escaped by Jinja's autoescaping (URLs only after ``safe_href``); the editor's
Markdown is rendered with raw HTML disabled and only http/https/mailto links,
then cleaned with nh3 against an allowlist; and every page carries a
Content-Security-Policy that forbids scripts, so a hole in the first two still
cannot execute.

Templates get a view of the issue (``IssueView``) with everything already
decided: the display heading, safe hrefs, the blurbs as sanitized markup,
anchors. Themes only arrange it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from digest.config import Project
from digest.feeds.urls import safe_href
from digest.model import Issue, Item, Section
from digest.render.markdown import (
    clean_block,
    clean_line,
    issue_heading,
    item_source,
    section_is_empty,
    web_href,
)
from digest.render.themes import Theme, load_theme

__all__ = [
    "IssueView",
    "ItemView",
    "PageView",
    "SectionView",
    "csp",
    "display_date",
    "issue_view",
    "markdown_html",
    "markdown_tokens",
    "render_html",
    "render_issue_page",
    "style_hash",
]

_MD = MarkdownIt("commonmark", {"html": False})
# Links that are not web or mail links stay text, as in the Markdown export.
_MD.validateLink = lambda url: bool(safe_href(url))  # type: ignore[method-assign]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong",
    "sub", "sup", "ul",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# A blurb of plain words (the usual case) renders to one paragraph without
# the parser: half of a 500-issue build is otherwise spent in markdown-it.
_PLAIN = re.compile(r"[A-Za-z\u00c0-\uffff][A-Za-z0-9\u00c0-\uffff ,.;:'\"?()/%$@+=-]*\Z")
_HEADING_TAG = re.compile(r"h[1-6]")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def display_date(date: dt.date) -> str:
    """'June 5, 2026', whatever the machine's locale."""
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"


def _escape_text(text: str) -> str:
    # As nh3 serialises text: quotes stay as they are.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shift_headings(tokens: list[Token], level: int) -> None:
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close") and _HEADING_TAG.fullmatch(tok.tag):
            tok.tag = f"h{min(int(tok.tag[1]) + level - 1, 6)}"


def markdown_tokens(text: str) -> list[Token]:
    """The editor's Markdown parsed the way every digest renderer reads it."""
    return _MD.parse(clean_block(text))


def markdown_html(text: str, heading_level: int = 3) -> Markup:
    """The editor's Markdown as sanitized HTML.

    ``heading_level`` is what a ``#`` heading becomes, so headings written in
    a blurb or a notes section keep the page's heading order.
    """
    text = clean_block(text)
    if not text:
        return Markup("")
    if "\n" not in text and _PLAIN.match(text) and "  " not in text:
        return Markup(f"<p>{_escape_text(text)}</p>\n")
    env: dict[str, object] = {}
    tokens = _MD.parse(text, env)
    _shift_headings(tokens, heading_level)
    html = _MD.renderer.render(tokens, _MD.options, env)
    return Markup(_CLEANER.clean(html))


# --- the view templates get ------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    title: str
    #: '' when the item's URL is not a web or mail link: the title is then shown unlinked.
    href: str
    blurb: Markup
    source: str
    anchor: str


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    kind: str
    notes: Markup
    items: tuple[ItemView, ...]
    anchor: str


@dataclass(frozen=True)
class IssueView:
    number: int
    date: dt.date
    date_iso: str
    date_display: str
    heading: str
    status: str
    intro: Markup
    sections: tuple[SectionView, ...]
    item_count: int
    #: Plain text of the intro, for <meta name=description> and e-mail preheaders.
    summary: str


_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "section"


def _item_view(item: Item, anchor: str) -> ItemView:
    href = web_href(item.url)
    title = clean_line(item.title) or clean_line(item_source(item)) or href or "Untitled"
    return ItemView(
        title=title,
        href=href,
        blurb=markdown_html(item.blurb, heading_level=4),
        source=item_source(item),
        anchor=anchor,
    )


def _section_view(section: Section, anchor: str) -> SectionView:
    # Section anchors are slugs and never contain "--", so item anchors cannot clash.
    items = tuple(_item_view(item, f"{anchor}--{n}") for n, item in enumerate(section.items, 1))
    return SectionView(
        id=section.id,
        title=clean_line(section.title) or section.id,
        kind=section.kind,
        notes=markdown_html(section.notes, heading_level=3),
        items=items,
        anchor=anchor,
    )


_TAG = re.compile(r"<[^>]*>")


def _summary(intro_html: str, limit: int = 160) -> str:
    text = clean_line(_TAG.sub(" ", intro_html))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    text = text.replace("&#39;", "'").replace("&amp;", "&")
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def issue_view(issue: Issue) -> IssueView:
    """What a template needs of an issue, every piece already safe to show."""
    sections = []
    used: set[str] = set()
    for section in issue.sections:
        if section_is_empty(section):
            continue
        anchor = _slug(section.id)
        n = 2
        while anchor in used:
            anchor, n = f"{_slug(section.id)}-{n}", n + 1
        used.add(anchor)
        sections.append(_section_view(section, anchor))
    intro = markdown_html(issue.intro, heading_level=2)
    return IssueView(
        number=issue.number,
        date=issue.date,
        date_iso=issue.date.isoformat(),
        date_display=display_date(issue.date),
        heading=issue_heading(issue),
        status=issue.status,
        intro=intro,
        sections=tuple(sections),
        item_count=sum(len(s.items) for s in sections),
        summary=_summary(str(intro)),
    )


# --- pages -----------------------------------------------------------------------


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this inline <style> and nothing else."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def csp(*, styles: str = "'self'", scripts: str = "'none'") -> str:
    """A policy for a page that loads nothing but its own styles and web images."""
    return (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; "
        "img-src http: https: data:; base-uri 'none'; object-src 'none'"
    )


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str


@dataclass(frozen=True)
class PageView:
    """Everything about a page that is not the issue: where it sits, how it is styled."""

    lang: str
    title: str
    newsletter: str
    description: str
    csp: str
    #: Relative path from this page to the site root ('' or '../').
    root: str = ""
    #: Theme CSS placed in a <style> element (stand-alone pages and e-mail).
    inline_css: Markup = Markup("")
    #: Href of a stylesheet file (site pages); '' for none.
    stylesheet: str = ""
    #: Links of the archive site; empty for a stand-alone export.
    home: str = ""
    feed: str = ""
    search: str = ""
    prev: NavLink | None = None
    next: NavLink | None = None
    site_url: str = ""
    #: Where this issue lives on the web (e-mail "read on the web" link); '' if unknown.
    web_url: str = ""


def _lang(project: Project) -> str:
    lang = project.language.strip()
    return lang if re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", lang) else "en"


def issue_web_url(project: Project, number: int) -> str:
    """The issue's page on the published archive site, if the project says where that is."""
    base = page_site_url(project)
    return f"{base}issues/{number}.html" if base else ""


def page_site_url(project: Project) -> str:
    url = safe_href(project.site_url.strip())
    if not url.startswith(("http://", "https://")):
        return ""
    return url if url.endswith("/") else url + "/"


def page_view(project: Project, title: str, **kwargs: object) -> PageView:
    return PageView(
        lang=_lang(project),
        title=clean_line(title),
        newsletter=clean_line(project.title),
        description=clean_line(project.description),
        site_url=page_site_url(project),
        **kwargs,  # type: ignore[arg-type]
    )


def render_issue_page(issue: Issue | IssueView, theme: Theme, page: PageView) -> str:
    """An issue in the theme's ``issue.html``; the site and stand-alone export share it."""
    view = issue if isinstance(issue, IssueView) else issue_view(issue)
    return theme.template("issue.html").render(issue=view, page=page)


def render_html(issue: Issue, project: Project, theme: str | None = None) -> str:
    """A stand-alone web page of the issue: one file, its CSS inline, no scripts."""
    th = load_theme(project, theme)
    css = th.read_text("style.css")
    view = issue_view(issue)
    page = page_view(
        project,
        f"{view.heading} | {project.title}" if project.title else view.heading,
        csp=csp(styles=style_hash(css)),
        inline_css=Markup(css),
    )
    return render_issue_page(view, th, page)
