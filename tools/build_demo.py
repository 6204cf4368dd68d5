#!/usr/bin/env python3
"""Build the demo newsletter's feeds from the planet snapshot.

Usage::

    python tools/build_demo.py [SNAPSHOT] [--out PROJECT_DIR]

SNAPSHOT defaults to ``<repo>/../shared/seed/planet-snapshot-2026-06.txt``;
PROJECT_DIR defaults to ``<repo>/digest/demo/project``. Writes:

- ``feeds/planet-python.xml``      RSS 2.0, Planet shape (``Author: Title`` items)
- ``feeds/django-community.xml``   Atom 1.0, each entry with its author and ``<source>``
- ``feeds/planet-twisted.xml``     RSS 2.0, Planet shape
- ``issues/340.toml``              Issue 340 as published in the snapshot

Every post of the snapshot goes into the feed it was shown under, with its
author, date and full text; a few earlier posts (kept below in ``OLDER``) give
the inbox some depth. The Django News issues 338 and 339 on the Django
aggregator are rendered from ``issues/338.toml`` and ``issues/339.toml`` of the
project. The output depends only on the inputs: the same snapshot gives the same bytes.
"""

# ruff: noqa: E501  (the posts below are prose, one paragraph per line)

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from digest.archive import dumps_issue
from digest.feeds.urls import bare_domain
from digest.model import issue_from_dict

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "planet-snapshot-2026-06.txt"
DEFAULT_PROJECT = REPO / "digest" / "demo" / "project"

PLANET_PYTHON = "Planet Python"
DJANGO_COMMUNITY = "Django community aggregator: Community blog posts"
PLANET_TWISTED = "Planet Twisted"
UTC = dt.UTC


# --- the snapshot -------------------------------------------------------------


@dataclass
class SeedPost:
    feed: str
    title: str
    published: dt.datetime
    body: str


_DAY = re.compile(r"^\d\d [A-Z][a-z]{2} \d{4}$")
_STAMP = re.compile(r"^(\d\d [A-Z][a-z]{2} \d{4}) (\d{1,2}):(\d\d)(am|pm) GMT$")


def _stamp(line: str) -> dt.datetime | None:
    m = _STAMP.match(line)
    if not m:
        return None
    day = dt.datetime.strptime(m.group(1), "%d %b %Y")
    hour = int(m.group(2)) % 12 + (12 if m.group(4) == "pm" else 0)
    return day.replace(hour=hour, minute=int(m.group(3)), tzinfo=UTC)


def parse_snapshot(text: str) -> list[SeedPost]:
    """The posts of a planet page's text: day headers, ``feedNAME`` markers,
    a title line, the body, and a ``DD Mon YYYY H:MMam GMT`` line closing each post."""
    posts: list[SeedPost] = []
    feed = ""
    title: str | None = None
    body: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if title is None:
            if not line or _DAY.match(line):
                continue
            if line.startswith("feed"):
                feed = line[4:]
                continue
            title = line
            body = []
            continue
        when = _stamp(line)
        if when is None:
            body.append(line)
            continue
        if not feed:
            raise ValueError(f"post {title!r} comes before any feed marker")
        posts.append(SeedPost(feed, title, when, "\n".join(body).strip("\n")))
        title = None
    if title is not None:
        raise ValueError(f"post {title!r} has no date line")
    return posts


# --- plain text → HTML ----------------------------------------------------------

_CODE_START = re.compile(
    r"^(#|from |import |class |def |async def |@|\(\.venv\)\$|\$ |\[|\{|\}|\]|\)|-----|<|"
    r"self\.|\(function|const |return |urlpatterns|TEMPLATES|[A-Za-z_][\w.]*\s*=\s|"
    r"Notification\.permission|\d+$)"
)
_LIST_ITEM = re.compile(r"^\s+(\d+)\.\s+(.*)$")
_GUTTER = re.compile(r"^\s*\d+$")
#: Lines of the snapshot that were image captions or credits, not headings.
_CAPTIONS = frozenset(
    {
        "Preprocessor flow for mdbook",
        "Push Notification Example",
        "Push Notification subscription and sending sequence diagram",
        "Visitor submits feedback form",
        "Cover picture by cottonbro studio",
    }
)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the number of blank lines before it."""
    out: list[tuple[int, list[str]]] = []
    blanks = 0
    cur: list[str] = []
    before = 0
    for line in text.split("\n"):
        if line.strip():
            if not cur:
                before = blanks
            cur.append(line)
            blanks = 0
        else:
            if cur:
                out.append((before, cur))
                cur = []
            blanks += 1
    if cur:
        out.append((before, cur))
    return out


def _is_list(lines: list[str]) -> bool:
    return bool(_LIST_ITEM.match(lines[0]))


def _is_code(lines: list[str]) -> bool:
    if _is_list(lines):
        return False
    if any(line[:1] in (" ", "\t") for line in lines):
        return True
    if len(lines) == 1 and " = " in lines[0] and lines[0][-1] not in ".:":
        return True
    return bool(_CODE_START.match(lines[0]))


def _is_heading(lines: list[str]) -> bool:
    if len(lines) != 1 or lines[0] in _CAPTIONS:
        return False
    line = lines[0]
    return len(line.split()) <= 10 and line[-1] not in ".,:;!?)\"'"


def _code_html(lines: list[str]) -> str:
    n = 0
    while n < len(lines) and _GUTTER.match(lines[n]) and int(lines[n]) == n + 1:
        n += 1
    if n and n == len(lines) - n:
        # A highlighter's line-number gutter came through as text: keep it as one.
        numbers = "\n".join(line.strip() for line in lines[:n])
        code = html.escape("\n".join(lines[n:]), quote=False)
        return (
            '<div class="highlight"><table class="highlighttable"><tr>'
            f'<td class="linenos"><div class="linenodiv"><pre>{numbers}</pre></div></td>'
            f'<td class="code"><div class="highlight"><pre>{code}</pre></div></td>'
            "</tr></table></div>"
        )
    return "<pre><code>" + html.escape("\n".join(lines), quote=False) + "</code></pre>"


def text_to_html(text: str) -> str:
    """The HTML a planet page's text came from, as near as the text tells:
    paragraphs, headings, numbered lists and code blocks (blank lines inside
    code are kept)."""
    blocks = _blocks(text)
    parts: list[str] = []
    i = 0
    while i < len(blocks):
        _, lines = blocks[i]
        if _is_code(lines):
            code = list(lines)
            i += 1
            while i < len(blocks) and _is_code(blocks[i][1]):
                code += [""] * blocks[i][0] + blocks[i][1]
                i += 1
            parts.append(_code_html(code))
            continue
        i += 1
        if _is_list(lines):
            items: list[str] = []
            for line in lines:
                m = _LIST_ITEM.match(line)
                if m:
                    items.append(m.group(2).strip())
                else:
                    items[-1] += " " + line.strip()
            lis = "".join(f"<li>{html.escape(it, quote=False)}</li>" for it in items)
            parts.append(f"<ol>{lis}</ol>")
        elif lines[0] in _CAPTIONS:
            parts.append(f"<p><em>{html.escape(lines[0], quote=False)}</em></p>")
        elif _is_heading(lines) and i < len(blocks):
            parts.append(f"<h2>{html.escape(lines[0], quote=False)}</h2>")
        else:
            para = "<br>\n".join(html.escape(line, quote=False) for line in lines)
            parts.append(f"<p>{para}</p>")
    return "\n".join(parts)


# --- a little Markdown, for the posts written here and for issue notes -----------

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_EMPH = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    out = _STRONG.sub(lambda m: f"<strong>{m.group(1)}</strong>", out)
    return _EMPH.sub(lambda m: f"<em>{m.group(1)}</em>", out)


def md_to_html(text: str) -> str:
    """Paragraphs, ``## headings``, ``- `` and ``1. `` lists, fenced code, links,
    ``code``, **strong** and *emphasis*: enough for short blog posts."""
    parts: list[str] = []
    lines = text.strip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            j = i + 1
            while lines[j] != "```":
                j += 1
            code = html.escape("\n".join(lines[i + 1 : j]), quote=False)
            parts.append(f"<pre><code>{code}</code></pre>")
            i = j + 1
        elif line.startswith("## "):
            parts.append(f"<h2>{_inline(line[3:])}</h2>")
            i += 1
        elif line.startswith("> "):
            quote: list[str] = []
            while i < len(lines) and lines[i].startswith("> "):
                quote.append(lines[i][2:])
                i += 1
            parts.append(f"<blockquote><p>{_inline(' '.join(quote))}</p></blockquote>")
        elif re.match(r"^(- |\d+\. )", line):
            tag = "ul" if line.startswith("- ") else "ol"
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                m = re.match(r"^(- |\d+\. )(.*)$", lines[i])
                if m:
                    items.append(m.group(2))
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            lis = "".join(f"<li>{_inline(it)}</li>" for it in items)
            parts.append(f"<{tag}>{lis}</{tag}>")
        else:
            para: list[str] = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith("```"):
                para.append(lines[i].strip())
                i += 1
            parts.append(f"<p>{_inline(' '.join(para))}</p>")
    return "\n".join(parts)


# --- issues -------------------------------------------------------------------

#: Section titles of Django News and the ids the demo project gives them.
SECTION_IDS = {
    "News": "news",
    "Django Software Foundation": "dsf",
    "Python Software Foundation": "psf",
    "Wagtail CMS News": "wagtail",
    "Updates to Django": "updates",
    "Releases": "releases",
    "Sponsored Link": "sponsored",
    "Articles": "articles",
    "Django Forum": "forum",
    "Django Fellow Reports": "fellows",
    "Events": "events",
    "Django Job Board": "jobs",
    "Videos": "videos",
    "Projects": "projects",
}
NOTES_SECTIONS = frozenset({"updates"})

#: Where the items of Issue 340 link to (the snapshot's text has the titles only).
ISSUE_340_URLS = {
    "Django security releases issued: 6.0.6 and 5.2.15":
        "https://www.djangoproject.com/weblog/2026/jun/03/security-releases/",
    "Python Release Python 3.15.0b2":
        "https://www.python.org/downloads/release/python-3150b2/",
    "PSF Strategic Plan 2026 Draft: Open for Community Feedback":
        "https://pyfound.blogspot.com/2026/06/psf-strategic-plan-2026-draft.html",
    "Middleware, but for AI agents":
        "https://harnessworks.dev/blog/middleware-for-ai-agents/",
    "Showcasing allauth IdP: build an MCP server | allauth":
        "https://allauth.org/news/2026/06/showcasing-allauth-idp-build-an-mcp-server/",
    "Django: introducing django-integrity-policy":
        "https://adamj.eu/tech/2026/06/02/django-introducing-django-integrity-policy/",
    "Dependency Pruning":
        "https://www.b-list.org/weblog/2026/may/31/dependency-pruning/",
    "Loopwerk: uv is fantastic, but its package management UX is a mess":
        "https://www.loopwerk.io/articles/2026/uv-package-management-ux/",
    "Python 3.15: features that didn't make the headlines":
        "https://blog.changs.co.uk/python-315-features-that-didnt-make-the-headlines.html",
    "Please add an RSS Feed to Your Site":
        "https://wsvincent.com/please-add-an-rss-feed/",
    "Using Read the Docs to benefit Django":
        "https://about.readthedocs.com/blog/2026/06/using-read-the-docs-to-benefit-django/",
    "The Pursuit Of Purity (The Right Way To Do AI)":
        "https://www.mostlypython.com/the-pursuit-of-purity-the-right-way-to-do-ai/",
    "django-alauth 65.18.0 released: IdP demo time":
        "https://forum.djangoproject.com/t/django-allauth-65-18-0-released-idp-demo-time/44187",
    "Daphne v4.2.2 release":
        "https://forum.djangoproject.com/t/daphne-v4-2-2-release/44163",
    "Natalia Bidart":
        "https://forum.djangoproject.com/t/fellow-reports-natalia-bidart/25394/118",
    "Sarah Boyce":
        "https://forum.djangoproject.com/t/fellow-reports-sarah-boyce/31876/96",
    "Jacob Walls":
        "https://forum.djangoproject.com/t/fellow-reports-jacob-walls/40913/52",
    "PyBay 2026":
        "https://pybay.org/",
    "Founding Engineer at MyDataValue":
        "https://jobs.django-news.com/job/founding-engineer-at-mydatavalue/",
    "feincms/feincms3-cookiecontrol":
        "https://github.com/feincms/feincms3-cookiecontrol",
    "adamghill/dj-lite-tenant":
        "https://github.com/adamghill/dj-lite-tenant",
}  # fmt: skip


def parse_issue_post(post: SeedPost) -> dict:
    """Issue 340 in the issue file shape, from the Django News post's text.

    Sections are separated by two blank lines; a section is its title, then
    title/blurb pairs (a title may stand alone, like a job ad), except for a
    notes section, whose whole text is its notes."""
    m = re.match(r"^Issue (\d+): (.*)$", post.title)
    if not m:
        raise ValueError(f"not a Django News issue: {post.title!r}")
    sections = []
    for chunk in re.split(r"\n\s*\n\s*\n", post.body.strip()):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", chunk.strip()) if b.strip()]
        title, rest = blocks[0], blocks[1:]
        sid = SECTION_IDS[title]
        section = {"id": sid, "title": title, "kind": "links", "notes": "", "items": []}
        if sid in NOTES_SECTIONS:
            section["kind"] = "notes"
            section["notes"] = "\n\n".join(rest)
        else:
            for k in range(0, len(rest), 2):
                item_title = rest[k]
                url = ISSUE_340_URLS[item_title]
                section["items"].append(
                    {
                        "title": item_title,
                        "url": url,
                        "blurb": rest[k + 1] if k + 1 < len(rest) else "",
                        "source": bare_domain(url),
                        "entry_id": "",
                    }
                )
        sections.append(section)
    return {
        "format": 1,
        "number": int(m.group(1)),
        "status": "published",
        "date": post.published.date(),
        "title": m.group(2),
        "intro": "",
        "sections": sections,
    }


def issue_toml(issue: dict) -> str:
    """The issue file exactly as digest itself writes it."""
    return dumps_issue(issue_from_dict(issue))


def issue_html(issue: dict) -> str:
    """A Django News issue as its own feed shows it: section headings, linked
    item titles and their blurbs."""
    parts: list[str] = []
    if issue.get("intro"):
        parts.append(md_to_html(issue["intro"]))
    for sec in issue["sections"]:
        if not sec.get("items") and not sec.get("notes"):
            continue
        parts.append(f"<h2>{html.escape(sec['title'], quote=False)}</h2>")
        if sec.get("notes"):
            parts.append(md_to_html(sec["notes"]))
        for item in sec.get("items", []):
            title = html.escape(item["title"], quote=False)
            if item.get("url"):
                title = f'<a href="{html.escape(item["url"])}">{title}</a>'
            parts.append(f"<h3>{title}</h3>")
            if item.get("blurb"):
                parts.append(f"<p>{_inline(item['blurb'])}</p>")
    return "\n".join(parts)


# --- posts --------------------------------------------------------------------


@dataclass
class Post:
    feed: str
    author: str
    title: str
    link: str
    published: dt.datetime
    content_html: str
    guid: str = ""
    #: Name Planet shows before the title (the blog's name in the planet's config).
    channel: str = ""
    source_title: str = ""
    source_url: str = ""
    source_feed: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Meta:
    link: str
    guid: str = ""
    author: str = ""
    source_title: str = ""
    source_url: str = ""
    source_feed: str = ""


#: What the snapshot's text does not show about its posts: links, ids, blogs.
SEED_META = {
    "Eli Bendersky: Plugins case study: mdBook preprocessors": Meta(
        "https://eli.thegreenplace.net/2026/plugins-case-study-mdbook-preprocessors/",
        guid="tag:eli.thegreenplace.net,2026-06-07:/2026/plugins-case-study-mdbook-preprocessors/",
    ),
    "Armin Ronacher: Communities of Not": Meta(
        "https://lucumr.pocoo.org/2026/6/6/communities-of-not/",
    ),
    "Kay Hayen: Nuitka Release 4.1": Meta(
        "https://nuitka.net/posts/nuitka-release-41.html",
    ),
    "Browser Push Notifications for a Django Website": Meta(
        "https://www.djangotricks.com/blog/2026/06/browser-push-notifications-for-a-django-website/",
        author="Aidas Bendoraitis",
        source_title="DjangoTricks",
        source_url="https://www.djangotricks.com/blog/",
        source_feed="https://www.djangotricks.com/feeds/posts/",
    ),
    "Issue 340: Django security releases 6.0.6 and 5.2.15": Meta(
        "https://django-news.com/issues/340",
        author="Django News",
        source_title="Django News",
        source_url="https://django-news.com/",
        source_feed="https://django-news.com/issues.rss",
    ),
    "Anything new?": Meta(
        "https://406.ch/writing/anything-new/",
        author="Matthias Kestenholz",
        source_title="Matthias Kestenholz: Posts about Django",
        source_url="https://406.ch/writing/category-django/",
        source_feed="https://406.ch/writing/category-django/rss.xml",
    ),
    "Glyph Lefkowitz: Opaque Types in Python": Meta(
        "https://blog.glyph.im/2026/05/opaque-types-in-python.html",
        guid="tag:blog.glyph.im,2026-05-22:/2026/05/opaque-types-in-python.html",
    ),
    "Donovan Preston: Using osascript with terminal agents on macOS": Meta(
        "https://donovanpreston.blogspot.com/2026/04/using-osascript-with-terminal-agents-on.html",
        guid="tag:blogger.com,1999:blog-5571243869215461307.post-3108457763020573849",
    ),
    'Donovan Preston: "Start Drag" and "Drop" to select text with macOS Voice Control': Meta(
        "https://donovanpreston.blogspot.com/2026/03/start-drag-and-drop-to-select-text-with.html",
        guid="tag:blogger.com,1999:blog-5571243869215461307.post-8839210471396652215",
    ),
}


def seed_post(sp: SeedPost, issue: dict | None) -> Post:
    meta = SEED_META[sp.title]
    content = issue_html(issue) if issue is not None else text_to_html(sp.body)
    if sp.feed == DJANGO_COMMUNITY:
        return Post(
            feed=sp.feed,
            author=meta.author,
            title=sp.title,
            link=meta.link,
            guid=meta.guid or meta.link,
            published=sp.published,
            content_html=content,
            source_title=meta.source_title,
            source_url=meta.source_url,
            source_feed=meta.source_feed,
        )
    channel, _, title = sp.title.partition(": ")
    return Post(
        feed=sp.feed,
        author=meta.author or channel,
        channel=channel,
        title=title,
        link=meta.link,
        guid=meta.guid or meta.link,
        published=sp.published,
        content_html=content,
    )


def _when(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


# Earlier posts of the same blogs (and a few more from the same planets).
# Each is (feed, channel or source, author, title, link, guid, date, Markdown).
OLDER: list[dict] = [
    # ----- Planet Python -----------------------------------------------------------
    {
        "feed": PLANET_PYTHON,
        "channel": "Python Software Foundation",
        "author": "Python Software Foundation",
        "title": "PSF Strategic Plan 2026 Draft: Open for Community Feedback",
        "link": "https://pyfound.blogspot.com/2026/06/psf-strategic-plan-2026-draft.html",
        "guid": "tag:blogger.com,1999:blog-8088011452191016153.post-2946617015823318840",
        "date": "2026-06-04T16:30",
        "body": """
Over the past months the PSF Board and staff have been working on a new strategic plan to guide the Foundation's work for the next several years. Today we are publishing the full Strategic Plan 2026 draft, and we want to hear from you.

The draft is organized around a small number of goals, each with a handful of objectives: sustaining the Python Package Index and other critical infrastructure, growing and diversifying the community, supporting events and grants around the world, and keeping the Foundation itself financially healthy.

## How to give feedback

The feedback window is open for three weeks and closes on **June 25**. You can read the draft and leave comments on the [discussion thread on discuss.python.org](https://discuss.python.org/t/psf-strategic-plan-2026-draft/104211), or email the board directly.

When you review, please focus on the big picture: are these the right goals? Are the objectives the right ones to get us there? Is anything important missing? Implementation details, such as specific programs, budgets and timelines, will be shaped later by PSF staff once the goals are settled.

Thank you to everyone who took part in the listening sessions at PyCon US and online. Your input shaped this draft, and we look forward to your comments on it.
""",
    },
    {
        "feed": PLANET_PYTHON,
        "channel": "Adam Johnson",
        "author": "Adam Johnson",
        "title": "Django: introducing django-integrity-policy",
        "link": "https://adamj.eu/tech/2026/06/02/django-introducing-django-integrity-policy/",
        "date": "2026-06-02T04:00",
        "categories": ["django"],
        "body": """
Browsers recently gained a new security header, `Integrity-Policy`, and I have just released a small package to set it from Django: [django-integrity-policy](https://github.com/adamchainz/django-integrity-policy).

## Why

[Subresource Integrity](https://developer.mozilla.org/en-US/docs/Web/Security/Subresource_Integrity) (SRI) lets you pin a script to a hash with the `integrity` attribute. If a CDN, or someone who has compromised it, serves different bytes, the browser refuses to run them.

The catch has always been coverage. Nothing tells you when a template includes a `<script>` without `integrity`, so one forgotten tag quietly undoes the protection. `Integrity-Policy` closes that gap: with `blocked-destinations=(script)`, the browser blocks every script that lacks integrity metadata. The report-only variant, `Integrity-Policy-Report-Only`, lets you find those scripts before anything breaks.

## Usage

Install the package:

```
python -m pip install django-integrity-policy
```

Add the middleware, after `SecurityMiddleware`:

```
MIDDLEWARE = [
    ...,
    "django.middleware.security.SecurityMiddleware",
    "django_integrity_policy.IntegrityPolicyMiddleware",
    ...,
]
```

Then configure the policy with a setting, using Python lists for the header's lists:

```
INTEGRITY_POLICY_REPORT_ONLY = {
    "blocked-destinations": ["script"],
    "endpoints": ["integrity-endpoint"],
}
```

Responses now carry:

```
Integrity-Policy-Report-Only: blocked-destinations=(script), endpoints=(integrity-endpoint)
```

Pair it with a `Reporting-Endpoints` header naming `integrity-endpoint`, watch the reports, and switch to `INTEGRITY_POLICY` once they go quiet.

One caveat: SRI only works for cross-origin scripts fetched with CORS, so third-party `<script>` tags also need `crossorigin="anonymous"`.

Django 6.0's built-in Content Security Policy support pairs nicely with this. CSP controls *where* scripts may come from; `Integrity-Policy` checks that they are the bytes you expect.

May your scripts be exactly what you think they are,

—Adam
""",
    },
    {
        "feed": PLANET_PYTHON,
        "channel": "Ned Batchelder",
        "author": "Ned Batchelder",
        "title": "Testing against Python betas",
        "link": "https://nedbatchelder.com/blog/202605/testing_against_python_betas.html",
        "date": "2026-05-19T11:24",
        "body": """
Python 3.15.0 beta 1 came out two weeks ago, and I've added it to the coverage.py test matrix. This is the best time to do it: the language is feature-frozen, but the core developers can still fix problems you find.

With GitHub Actions it's one line of configuration. The `setup-python` action needs to be told that pre-releases are OK:

```
- uses: actions/setup-python@v5
  with:
    python-version: ${{ matrix.python-version }}
    allow-prereleases: true
```

and then "3.15" goes into the list of versions. For tox, `py315` works as soon as the interpreter is on your path.

Coverage.py is more sensitive than most projects to interpreter changes, because it measures execution with `sys.monitoring` and the compiler's line and branch information. Every beta cycle turns up something: a changed line number for a decorator, a new bytecode pattern, an optimization that makes a branch disappear. Finding these in May instead of October means they can be discussed and fixed in CPython rather than worked around forever.

If you maintain a package, add the beta to your CI now. If a failure isn't your bug, report it on the CPython issue tracker with a small reproduction. It's one of the most useful things a package maintainer can do for the next Python release.
""",
    },
    {
        "feed": PLANET_PYTHON,
        "channel": "Real Python",
        "author": "Real Python",
        "title": "Explicit Lazy Imports in Python 3.15",
        "link": "https://realpython.com/python-lazy-imports/",
        "date": "2026-05-13T14:00",
        "body": """
Python 3.15 adds explicit lazy imports, specified in [PEP 810](https://peps.python.org/pep-0810/). By putting the soft keyword `lazy` in front of an import statement, you tell Python to bind the name now but load the module only when the name is first used.

In this tutorial, you'll learn how to:

- Write lazy imports with `lazy import` and `lazy from ... import`
- Understand when a lazy import is resolved
- Measure the effect on your program's startup time with `-X importtime`
- Recognize where lazy imports aren't allowed

Here's a small command-line tool that only needs `json` on one code path:

```
lazy import json
lazy from pathlib import Path

def load(path):
    return json.loads(Path(path).read_text())
```

Running `--help` no longer pays for importing `json` or `pathlib`. The first call to `load()` touches both names, and Python imports the modules at that point.

Because a lazy import runs later, errors move too: a missing module raises `ImportError` where the name is first used, not at the top of the file. Lazy imports are only allowed at module level, so you can't use them inside functions or class bodies, and `from module import *` can't be lazy.

Lazy imports are most useful for command-line tools and large applications where many modules are imported but only a few are needed for any one run.
""",
    },
    {
        "feed": PLANET_PYTHON,
        "channel": "Python Insider",
        "author": "Hugo van Kemenade",
        "title": "Python 3.15.0 beta 1 is here!",
        "link": "https://pythoninsider.blogspot.com/2026/05/python-3150-beta-1-is-here.html",
        "guid": "tag:blogger.com,1999:blog-3941553907430899163.post-6264185419839220337",
        "date": "2026-05-05T21:40",
        "body": """
It's beta time for Python 3.15!

[https://www.python.org/downloads/release/python-3150b1/](https://www.python.org/downloads/release/python-3150b1/)

## This is a beta preview of Python 3.15

Python 3.15 is still in development. This release, 3.15.0b1, is the first of four planned beta releases.

Beta release previews are intended to give the wider community the opportunity to test new features and bug fixes and to prepare their projects to support the new feature release.

We strongly encourage maintainers of third-party Python projects to test with 3.15 during the beta phase and report issues found to the [Python bug tracker](https://github.com/python/cpython/issues) as soon as possible. While the release is planned to be feature-complete entering the beta phase, it is possible that features may be modified or, in rare cases, deleted up until the start of the release candidate phase. Our goal is to have no ABI changes after beta 4 and as few code changes as possible after the first release candidate.

Please keep in mind that this is a preview release and its use is not recommended for production environments.

## Major new features of the 3.15 series, compared to 3.14

- [PEP 810](https://peps.python.org/pep-0810/): Explicit lazy imports
- [PEP 799](https://peps.python.org/pep-0799/): A dedicated `profiling` package, with a new statistical sampling profiler
- [PEP 686](https://peps.python.org/pep-0686/): Python now uses UTF-8 as the default encoding
- [PEP 782](https://peps.python.org/pep-0782/): A new `PyBytesWriter` C API to create Python bytes objects
- Improved error messages

The next pre-release of Python 3.15 will be 3.15.0b2, scheduled for 2026-05-26.

Enjoy the new release! Thanks to all of the many volunteers who help make Python development and these releases possible.
""",
    },
    {
        "feed": PLANET_PYTHON,
        "channel": "Kay Hayen",
        "author": "Kay Hayen",
        "title": "Nuitka Release 4.0",
        "link": "https://nuitka.net/posts/nuitka-release-40.html",
        "date": "2026-02-10T09:00",
        "body": """
This is to inform you about the new stable release of [Nuitka](https://nuitka.net). It is the extremely compatible Python compiler, "download now".

This release is a major one, with a focus on scalability of compilation for large programs, and the start of Python 3.14 support.

## Summary

Compilation of large projects is considerably faster and uses less memory, because the optimization of modules that have not changed can now be skipped in more cases, and the C compilation step is better parallelized.

Python 3.14 support has been started and many of the basic tests pass, but it is not yet recommended for use. Python 3.13 is fully supported.

The new `--project` option reads the configuration from `pyproject.toml`, so that a build can be described once and run the same way by everybody. It is still experimental and feedback is very welcome.

As always, many packages got improved support, and the anti-bloat work removes more unnecessary dependencies from compiled programs.
""",
    },
    # ----- Django community aggregator -------------------------------------------
    {
        "feed": DJANGO_COMMUNITY,
        "source": ("Adam Johnson", "https://adamj.eu/tech/", "https://adamj.eu/tech/atom.xml"),
        "author": "Adam Johnson",
        "same_as": "https://adamj.eu/tech/2026/06/02/django-introducing-django-integrity-policy/",
        "link": (
            "https://adamj.eu/tech/2026/06/02/django-introducing-django-integrity-policy/"
            "?utm_source=djangoproject&utm_medium=community-aggregator"
        ),
    },
    {
        "feed": DJANGO_COMMUNITY,
        "source": ("Will Vincent", "https://wsvincent.com/", "https://wsvincent.com/feed.xml"),
        "author": "Will Vincent",
        "title": "Please add an RSS Feed to Your Site",
        "link": "https://wsvincent.com/please-add-an-rss-feed/",
        "date": "2026-06-01T15:20",
        "body": """
I still read most of the writing I care about in a feed reader. No algorithm, no newsletter signup, just the people I chose to follow, in the order they published. Every so often I find a great personal site with no feed at all, and I can't follow it.

If your site runs on Django, you have no excuse: the [syndication framework](https://docs.djangoproject.com/en/stable/ref/contrib/syndication/) has been built in since the early days, and a feed takes about twenty lines.

```
# blog/feeds.py
from django.contrib.syndication.views import Feed

from .models import Post


class LatestPostsFeed(Feed):
    title = "My blog"
    link = "/blog/"
    description = "New posts from my blog."

    def items(self):
        return Post.objects.filter(published=True).order_by("-created_at")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.created_at
```

Each item links to its `get_absolute_url()`, so make sure your model has one. Then add a URL:

```
# blog/urls.py
path("feed/", LatestPostsFeed(), name="post_feed"),
```

Prefer Atom? Subclass the feed and set `feed_type = Atom1Feed`, imported from `django.utils.feedgenerator`, along with a `subtitle`.

Finally, let feed readers discover it by adding one line to the `<head>` of your base template:

```
<link rel="alternate" type="application/rss+xml" title="My blog" href="{% url 'post_feed' %}">
```

That's it. Please add one; I'd like to read what you write.
""",
    },
    {
        "feed": DJANGO_COMMUNITY,
        "source": (
            "Loopwerk",
            "https://www.loopwerk.io/articles/",
            "https://www.loopwerk.io/articles/rss.xml",
        ),
        "author": "Kevin Renskers",
        "title": "uv is fantastic, but its package management UX is a mess",
        "link": "https://www.loopwerk.io/articles/2026/uv-package-management-ux/",
        "date": "2026-05-31T10:15",
        "body": """
I've moved every one of my Django projects to uv, and I'm not going back. Installing Python versions, creating environments and syncing dependencies is fast and predictable. But when it comes to keeping dependencies up to date, the experience is surprisingly rough.

## There is no uv outdated

The first thing I want to know on a maintenance day is which of my direct dependencies have new releases. Poetry has `poetry show --outdated`, npm has `npm outdated`. In uv, the closest thing is:

```
uv tree --outdated --depth=1
```

which prints the whole tree with a note next to packages that have newer versions. It works, but it's not something you'd discover on your own, and it's noisy.

## Upgrading is all or nothing

To upgrade, you run `uv lock --upgrade`, which upgrades everything your version constraints allow. Since `uv add` writes open-ended lower bounds like `django>=5.2` into `pyproject.toml`, "everything your constraints allow" includes new major versions. One command and you're on Django 6.0 along with a handful of other breaking upgrades.

You can upgrade a single package with `uv lock --upgrade-package django`, but there is no interactive way to review what would change and pick.

## What I do now

I add upper bounds for the packages I care about, run `uv tree --outdated --depth=1` to see what's new, and upgrade packages one at a time with `--upgrade-package`, running the tests in between. It's manageable, but I hope uv gets a proper `outdated` command and an upgrade workflow that matches how good the rest of the tool is.
""",
    },
    {
        "feed": DJANGO_COMMUNITY,
        "source": (
            "Matthias Kestenholz: Posts about Django",
            "https://406.ch/writing/category-django/",
            "https://406.ch/writing/category-django/rss.xml",
        ),
        "author": "Matthias Kestenholz",
        "title": "Consent for embedded media in feincms3-cookiecontrol",
        "link": "https://406.ch/writing/consent-for-embedded-media-in-feincms3-cookiecontrol/",
        "date": "2026-05-20T08:45",
        "body": """
[feincms3-cookiecontrol](https://github.com/feincms/feincms3-cookiecontrol) is the cookie banner we use on most of our sites. It is deliberately small: a banner, a settings panel, and a way to load tracking scripts only after the visitor has agreed to them.

The missing piece was embedded media. A YouTube or Vimeo iframe sets cookies as soon as it is loaded, so embedding a video meant either asking for consent for everything up front or not embedding videos at all.

The new release handles this case. Embeds are rendered as a placeholder which explains which provider the content comes from and offers a button to load it. Accepting once can also be remembered for the provider, so the next video on the site loads directly.

```
{% load feincms3_cookiecontrol %}
{% embed_with_consent "https://www.youtube.com/watch?v=..." %}
```

The placeholder texts are translatable and the styling is plain CSS custom properties, so it should fit into existing designs without much work. As always, feedback and pull requests are welcome.
""",
    },
    {
        "feed": DJANGO_COMMUNITY,
        "source": (
            "DjangoTricks",
            "https://www.djangotricks.com/blog/",
            "https://www.djangotricks.com/feeds/posts/",
        ),
        "author": "Aidas Bendoraitis",
        "title": "Intermediate Confirmation Pages for Django Admin Actions",
        "link": "https://www.djangotricks.com/blog/2026/04/intermediate-confirmation-pages-for-django-admin-actions/",
        "date": "2026-04-28T17:00",
        "body": """
Django's built-in "Delete selected" action shows a confirmation page before doing anything. Custom admin actions don't get that for free, but it is easy to add the same intermediate step to your own actions, for example when archiving a batch of articles.

The trick is that an admin action may return a response. If it does, Django shows that response instead of redirecting back to the change list. So the action renders a confirmation page the first time, and does the work when the form on that page is submitted.

```
# myproject/apps/articles/admin.py
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .models import Article


@admin.action(description=_("Archive selected articles"))
def archive_articles(modeladmin, request, queryset):
    if request.POST.get("confirmed"):
        count = queryset.update(status=Article.Status.ARCHIVED)
        modeladmin.message_user(
            request, _("%d articles archived.") % count, messages.SUCCESS
        )
        return None

    return TemplateResponse(
        request,
        "admin/articles/archive_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
```

The template lists the selected objects and re-submits their primary keys as hidden `_selected_action` fields, together with the action's name, so that Django calls the same action again:

```
{% for obj in queryset %}
  <input type="hidden" name="{{ action_checkbox_name }}" value="{{ obj.pk }}">
{% endfor %}
<input type="hidden" name="action" value="archive_articles">
<input type="hidden" name="confirmed" value="1">
<button type="submit">{% translate "Yes, archive them" %}</button>
```

Extend `admin/base_site.html` and add breadcrumbs, and the page looks just like Django's own delete confirmation.
""",
    },
    # ----- Planet Twisted ---------------------------------------------------------
    {
        "feed": PLANET_TWISTED,
        "channel": "Moshe Zadka",
        "author": "Moshe Zadka",
        "title": "Testing Deferreds without the reactor",
        "link": "https://orbifold.xyz/testing-deferreds-without-the-reactor.html",
        "date": "2026-03-03T06:10",
        "body": """
A common complaint about testing Twisted code is that the tests are slow and flaky. Almost always, the cause is the same: the tests run the real reactor and wait for real time to pass.

They don't have to. Code that takes the reactor (or just an `IReactorTime`) as a parameter can be tested with `twisted.internet.task.Clock`, a fake that only moves forward when the test tells it to.

```
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase


class RetryTests(SynchronousTestCase):
    def test_retries_after_delay(self):
        clock = Clock()
        d = retrying_fetch(clock, flaky_fetch)
        self.assertNoResult(d)
        clock.advance(5)
        self.assertEqual(self.successResultOf(d), b"ok")
```

`SynchronousTestCase` gives you `successResultOf`, `failureResultOf` and `assertNoResult`, which inspect a Deferred's state right now, instead of waiting for it. The test runs in microseconds, and it cannot be flaky, because nothing in it depends on the machine's clock.

For network code, `twisted.internet.testing.MemoryReactorClock` records `connectTCP` and `listenTCP` calls, so you can check what your code tried to do and hand it a fake transport. Once you get used to it, you'll find that the test forced a nicer design on the code, too.
""",
    },
    {
        "feed": PLANET_TWISTED,
        "channel": "Twisted Matrix Laboratories",
        "author": "Twisted Matrix Laboratories",
        "title": "Twisted 26.2.0 Released",
        "link": "https://labs.twistedmatrix.com/2026/02/twisted-2620-released.html",
        "guid": "tag:blogger.com,1999:blog-7179012361717154137.post-5203318247069926018",
        "date": "2026-02-24T19:02",
        "body": """
On behalf of Twisted Matrix Laboratories, I am pleased to announce the release of Twisted 26.2.0.

The highlights of this release are:

- Python 3.14 is now supported.
- Support for Python 3.9 has been dropped.
- More of `twisted.internet` and `twisted.web` now carries type annotations.
- A number of deprecated APIs, deprecated for more than a year, have been removed.

For more information, see the [NEWS file](https://github.com/twisted/twisted/blob/twisted-26.2.0/NEWS.rst).

You can install it with `python -m pip install -U twisted`, or download it from [PyPI](https://pypi.org/project/Twisted/26.2.0/).

Many thanks to everyone who contributed to this release.
""",
    },
    {
        "feed": PLANET_TWISTED,
        "channel": "Itamar Turner-Trauring",
        "author": "Itamar Turner-Trauring",
        "title": "Faster Docker builds for Python with uv's cache",
        "link": "https://pythonspeed.com/articles/uv-docker-cache/",
        "date": "2026-02-11T13:30",
        "body": """
When you change a single dependency, a typical Python Docker build reinstalls every package from scratch. With uv and Docker's BuildKit cache mounts you can keep uv's download and build cache between builds, so only what changed gets fetched.

```
# syntax=docker/dockerfile:1
FROM python:3.14-slim
COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
WORKDIR /app

COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv sync --locked --no-install-project

COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv sync --locked
```

A few details matter:

- The cache lives outside the image layers, so it doesn't make your image bigger.
- `UV_LINK_MODE=copy` avoids warnings, since the cache and the virtualenv are on different filesystems.
- Installing dependencies before copying your code means code changes don't invalidate the dependency layer at all.

On CI the cache mount only helps if the builder persists between runs; if it doesn't, layer caching is still doing most of the work.
""",
    },
    {
        "feed": PLANET_TWISTED,
        "channel": "Glyph Lefkowitz",
        "author": "Glyph Lefkowitz",
        "title": "Your Event Loop Should Not Be A Global",
        "link": "https://blog.glyph.im/2026/01/your-event-loop-should-not-be-a-global.html",
        "guid": "tag:blog.glyph.im,2026-01-20:/2026/01/your-event-loop-should-not-be-a-global.html",
        "date": "2026-01-20T02:15",
        "body": """
Twisted's oldest design mistake is `from twisted.internet import reactor`. It's a global, and every module that imports it has quietly decided, for all of its callers, which event loop they are going to use and when time passes.

Over the years Twisted has been walking this back. The convention in newer code is that anything which needs to schedule work takes a `reactor` parameter, usually typed as the narrowest interface that will do, such as `IReactorTime`:

```
def retrying_fetch(reactor: IReactorTime, fetch: Callable[[], Deferred[bytes]]) -> Deferred[bytes]:
    ...
```

This looks like ceremony, and people complain about it. But it means your tests can pass a `Clock` instead of waiting on the wall clock, and it means code can be reused in a program that runs more than one loop, or none.

asyncio went through the same arc. `asyncio.get_event_loop()` used to hand you a global loop from anywhere; now the advice is `asyncio.get_running_loop()`, called from inside a coroutine, where a loop is known to exist.

The general lesson is not about event loops. Time, randomness, the network and the filesystem are all things your code *uses*. Let your caller hand them to you, and both your tests and your future self will thank you.
""",
    },
]

#: Posts one planet copied from another, as (into feed, from feed, title).
COPIES = [(PLANET_PYTHON, PLANET_TWISTED, "Glyph Lefkowitz: Opaque Types in Python")]

#: Django News issues that appear on the Django aggregator besides the snapshot's.
NEWS_ISSUES = [(338, "2026-05-22T14:00"), (339, "2026-05-29T14:00")]


def older_posts(project: Path) -> list[Post]:
    posts: list[Post] = []
    by_link: dict[str, Post] = {}
    for o in OLDER:
        if "same_as" in o:
            continue
        src = o.get("source", ("", "", ""))
        post = Post(
            feed=o["feed"],
            author=o["author"],
            channel=o.get("channel", ""),
            title=o["title"],
            link=o["link"],
            guid=o.get("guid", o["link"]),
            published=_when(o["date"]),
            content_html=md_to_html(o["body"]),
            source_title=src[0],
            source_url=src[1],
            source_feed=src[2],
            categories=list(o.get("categories", [])),
        )
        by_link[post.link] = post
        posts.append(post)
    for o in OLDER:
        if "same_as" not in o:
            continue
        orig = by_link[o["same_as"]]
        src = o["source"]
        posts.append(
            Post(
                feed=o["feed"],
                author=o["author"],
                title=orig.title,
                link=o["link"],
                guid=orig.guid,
                published=orig.published,
                content_html=orig.content_html,
                source_title=src[0],
                source_url=src[1],
                source_feed=src[2],
            )
        )
    for number, when in NEWS_ISSUES:
        path = project / "issues" / f"{number}.toml"
        issue = tomllib.loads(path.read_text(encoding="utf-8"))
        posts.append(
            Post(
                feed=DJANGO_COMMUNITY,
                author="Django News",
                title=f"Issue {number}: {issue['title']}",
                link=f"https://django-news.com/issues/{number}",
                guid=f"https://django-news.com/issues/{number}",
                published=_when(when),
                content_html=issue_html(issue),
                source_title="Django News",
                source_url="https://django-news.com/",
                source_feed="https://django-news.com/issues.rss",
            )
        )
    return posts


# --- writers ------------------------------------------------------------------


def _rfc822(d: dt.datetime) -> str:
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _rfc3339(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.published, p.link), reverse=True)


def planet_rss(title: str, link: str, posts: list[Post]) -> str:
    """RSS 2.0 as Planet writes it: ``Channel: Title`` items with escaped HTML."""
    out = [
        '<?xml version="1.0"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "",
        "<channel>",
        f"\t<title>{xml_escape(title)}</title>",
        f"\t<link>{xml_escape(link)}</link>",
        "\t<language>en</language>",
        f"\t<description>{xml_escape(title)} - {xml_escape(link)}</description>",
        "",
    ]
    for p in _newest_first(posts):
        perma = "true" if p.guid == p.link else "false"
        out += [
            "<item>",
            f"\t<title>{xml_escape(p.channel)}: {xml_escape(p.title)}</title>",
            f"\t<guid isPermaLink={quoteattr(perma)}>{xml_escape(p.guid)}</guid>",
            f"\t<link>{xml_escape(p.link)}</link>",
            f"\t<description>{xml_escape(p.content_html)}</description>",
            f"\t<pubDate>{_rfc822(p.published)}</pubDate>",
            f"\t<dc:creator>{xml_escape(p.author)}</dc:creator>",
            "</item>",
        ]
    out += ["", "</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def community_atom(posts: list[Post]) -> str:
    """Atom 1.0 for the Django community aggregator: each entry names its
    author and the blog it came from."""
    ordered = _newest_first(posts)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">',
        f"  <title>{xml_escape(DJANGO_COMMUNITY)}</title>",
        '  <link href="https://www.djangoproject.com/community/blogs/" rel="alternate"/>',
        '  <link href="https://www.djangoproject.com/atom/community/blogs/" rel="self"/>',
        "  <id>https://www.djangoproject.com/community/blogs/</id>",
        f"  <updated>{_rfc3339(ordered[0].published)}</updated>",
        "  <subtitle>Posts from the Django community, collected from their blogs.</subtitle>",
    ]
    for p in ordered:
        out += [
            "  <entry>",
            f"    <title>{xml_escape(p.title)}</title>",
            f'    <link href={quoteattr(p.link)} rel="alternate"/>',
            f"    <published>{_rfc3339(p.published)}</published>",
            f"    <updated>{_rfc3339(p.published)}</updated>",
            f"    <author><name>{xml_escape(p.author)}</name></author>",
            f"    <id>{xml_escape(p.guid)}</id>",
        ]
        out += [f"    <category term={quoteattr(c)}/>" for c in p.categories]
        out += [
            "    <source>",
            f"      <title>{xml_escape(p.source_title)}</title>",
            f'      <link href={quoteattr(p.source_url)} rel="alternate"/>',
            f'      <link href={quoteattr(p.source_feed)} rel="self"/>',
            f"      <id>{xml_escape(p.source_feed)}</id>",
            "    </source>",
            f'    <content type="html">{xml_escape(p.content_html)}</content>',
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def build(seed_text: str, project: Path) -> dict[str, str]:
    """Every generated file, as {path relative to the project: text}."""
    snapshot = parse_snapshot(seed_text)
    issue340: dict | None = None
    posts: list[Post] = []
    for sp in snapshot:
        issue = parse_issue_post(sp) if sp.title.startswith("Issue ") else None
        if issue is not None:
            issue340 = issue
        posts.append(seed_post(sp, issue))
    for into, source, title in COPIES:
        orig = next(
            p
            for p, sp in zip(posts, snapshot, strict=True)
            if sp.feed == source and sp.title == title
        )
        posts.append(Post(**{**orig.__dict__, "feed": into}))
    posts += older_posts(project)
    if issue340 is None:
        raise ValueError("the snapshot has no Django News issue")

    def of(feed: str) -> list[Post]:
        return [p for p in posts if p.feed == feed]

    return {
        "feeds/planet-python.xml": planet_rss(
            PLANET_PYTHON, "https://planetpython.org/", of(PLANET_PYTHON)
        ),
        "feeds/django-community.xml": community_atom(of(DJANGO_COMMUNITY)),
        "feeds/planet-twisted.xml": planet_rss(
            PLANET_TWISTED, "https://planet.twistedmatrix.com/", of(PLANET_TWISTED)
        ),
        f"issues/{issue340['number']}.toml": issue_toml(issue340),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seed", nargs="?", type=Path, default=DEFAULT_SEED)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_PROJECT,
        help="project folder to write feeds/ and issues/340.toml into",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=DEFAULT_PROJECT,
        help="project folder whose issues/338.toml and 339.toml are read",
    )
    args = parser.parse_args(argv)
    files = build(args.seed.read_text(encoding="utf-8"), args.project)
    for rel, text in files.items():
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
