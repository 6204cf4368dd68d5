"""Test data: the seed's Issue 340 as digest data, and an issue full of XSS vectors.

The 340 texts are copied from the seed (the planet snapshot shows titles and
blurbs but not links, so the URLs are plausible stand-ins). ``seed_outline``
reads the seed itself, so the export can be compared with what readers saw.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from digest.model import Issue, Item, Section

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "planet-snapshot-2026-06.txt"

UPDATES_TO_DJANGO = """\
Today, "Updates to Django" is presented by Hwayoung from Djangonaut Space! 🚀

Last week we had 13 pull requests merged into Django by 8 different contributors - \
including 4 first-time contributors! Congratulations to Vishwa, Tim Harris, Codequiver, \
and Joe Babbitt for having their first commits merged into Django - welcome on board!

This week's Django highlights: 🦄"""

# (section id, title, kind, [(title, url, blurb)])
_SECTIONS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("news", "News", "links", [
        ("Django security releases issued: 6.0.6 and 5.2.15",
         "https://www.djangoproject.com/weblog/2026/jun/03/security-releases/",
         "Five CVEs are fixed in this latest release. As ever, perhaps the best security step "
         "you can take is to always update to the latest version of Django."),
    ]),
    ("updates", "Updates to Django", "notes", []),
    ("releases", "Releases", "links", [
        ("Python Release Python 3.15.0b2",
         "https://www.python.org/downloads/release/python-3150b2/",
         "Python 3.15.0b2, the second beta of four, is out with an explicit push for third-party "
         "maintainers to test now and file issues as early as possible. The release targets "
         "feature-complete beta with no ABI changes after beta 4, and recommends delaying "
         "production releases until 3.15.0rc1."),
    ]),
    ("psf", "Python Software Foundation", "links", [
        ("PSF Strategic Plan 2026 Draft: Open for Community Feedback",
         "https://pyfound.blogspot.com/2026/06/psf-strategic-plan-2026-draft.html",
         "PSF is publishing the full Strategic Plan 2026 draft and opening a three-week feedback "
         "window ending June 25. The board asks reviewers to focus on whether the goals and "
         "objectives are right, while implementation details will be shaped later by staff."),
    ]),
    ("sponsored", "Sponsored Link", "links", [
        ("Middleware, but for AI agents",
         "https://harness.example.org/blog/middleware-for-ai-agents?ref=djangonews",
         "Django middleware composes request handlers. Harnesses do the same for AI agents - "
         "Claude Code, Codex, Gemini in one coordinated system. Learn what a harness actually "
         "is, why it's a new primitive, and how to engineer one that holds in production. "
         "Apache 2.0, open source."),
    ]),
    ("articles", "Articles", "links", [
        ("Showcasing allauth IdP: build an MCP server | allauth",
         "https://allauth.org/news/2026/06/showcasing-allauth-idp-mcp/",
         "Learn how to use Django and django-allauth to secure MCP endpoints with OIDC, "
         "including token validation, client registration, and host authorization flows."),
        ("Django: introducing django-integrity-policy",
         "https://adamj.eu/tech/2026/06/02/django-introducing-django-integrity-policy/",
         'From Adam Johnson, a new security header and detailed article laying out the "why."'),
        ("Dependency Pruning",
         "https://blog.example.com/2026/dependency-pruning/",
         "Tips on how to treat every lockfile entry as an attack surface and maintenance burden "
         "you do not want, then start by deleting dependencies you never import."),
        ("Loopwerk: uv is fantastic, but its package management UX is a mess",
         "https://www.loopwerk.io/articles/2026/uv-package-management-ux/",
         "uv shines for Python toolchains, but its package maintenance UX is rough: there is no "
         "straightforward uv outdated, and the upgrade workflow (uv lock --upgrade) can "
         "aggressively pull in breaking major releases."),
        ("Python 3.15: features that didn't make the headlines",
         "https://blog.example.net/python-3-15-features-that-didnt-make-the-headlines/",
         "Python 3.15 beta highlights worth a look: TaskGroup.cancel for graceful cancellation, "
         "ContextDecorator fixing decorator lifecycles for async and generators, a new threading "
         "iterator helpers to avoid broken state, and immutable JSON support via frozendict and "
         "an array_hook."),
        ("Please add an RSS Feed to Your Site",
         "https://www.example.org/please-add-an-rss-feed/",
         "RSS is still the cleanest way to keep up with the people you actually want to hear "
         "from. If you host a personal site with Django, add an RSS feed quickly with a simple, "
         "up-to-date tutorial and ship it."),
        ("Using Read the Docs to benefit Django",
         "https://about.readthedocs.com/blog/2026/06/read-the-docs-django/",
         "Read the Docs can integrate with EthicalAds, letting maintainers earn a little from "
         "their documentation."),
        ("The Pursuit Of Purity (The Right Way To Do AI)",
         "https://example.com/the-pursuit-of-purity",
         "A thoughtful look at competing takes on AI ethics, from safety-first big-lab work to "
         "open, locally run, consensually sourced models."),
    ]),
    ("forum", "Django Forum", "links", [
        ("django-alauth 65.18.0 released: IdP demo time",
         "https://forum.djangoproject.com/t/django-allauth-65-18-0-released-idp-demo-time/44120",
         "django-allauth 65.18.0 was just shipped with a bunch of Identity Provider (IdP) "
         "improvements!"),
        ("Daphne v4.2.2 release",
         "https://forum.djangoproject.com/t/daphne-v4-2-2-release/44131",
         "Daphne v4.2.2 is now available on PyPI. It fixes a couple of moderate/low security "
         "issues and is a recommended update for all users."),
    ]),
    ("fellows", "Django Fellow Reports", "links", [
        ("Natalia Bidart",
         "https://forum.djangoproject.com/t/django-fellow-reports-natalia-bidart/26581/120",
         "My primary focus this week was polishing the upcoming security release. I spent time "
         "going deeper into areas I am less familiar with to ensure everything was in good "
         "shape for release. As release manager, this included reviewing and completing "
         "release notes, preparing backports for all three supported stable branches, and "
         "crafting the corresponding CVE metadata so records are ready ahead of disclosure "
         "(this is part of our CNA responsibilities)."),
        ("Sarah Boyce",
         "https://forum.djangoproject.com/t/django-fellow-reports-sarah-boyce/26582/140",
         "I was at PyCon Italia this week, which was fantastic, highly recommend going if you "
         "get the chance."),
        ("Jacob Walls",
         "https://forum.djangoproject.com/t/django-fellow-reports-jacob-walls/40710/60",
         "After a Monday holiday in the US, I spent a week focusing on contributions from the "
         "prior week's PyCon sprint."),
    ]),
    ("events", "Events", "links", [
        ("PyBay 2026", "https://pybay.org/",
         "October 3rd in San Francisco this year. The Call for Proposals (CP) is open until "
         "July 8th."),
    ]),
    ("jobs", "Django Job Board", "links", [
        ("Founding Engineer at MyDataValue",
         "https://djangojobboard.com/123/founding-engineer-mydatavalue/", ""),
    ]),
    ("projects", "Projects", "links", [
        ("feincms/feincms3-cookiecontrol", "https://github.com/feincms/feincms3-cookiecontrol",
         "Cookie banner with support for embedded media."),
        ("adamghill/dj-lite-tenant", "https://github.com/adamghill/dj-lite-tenant",
         "Multi-tenant SQLite databases for Django."),
    ]),
    # Configured but empty this week: left out of every export.
    ("wagtail", "Wagtail CMS News", "links", []),
]  # fmt: skip


def issue_340() -> Issue:
    from digest.feeds.urls import bare_domain

    sections = []
    for sid, title, kind, items in _SECTIONS:
        sections.append(
            Section(
                id=sid,
                title=title,
                kind="notes" if kind == "notes" else "links",
                notes=UPDATES_TO_DJANGO if sid == "updates" else "",
                items=[Item(title=t, url=u, blurb=b, source=bare_domain(u)) for t, u, b in items],
            )
        )
    return Issue(
        number=340,
        date=dt.date(2026, 6, 5),
        title="Django security releases 6.0.6 and 5.2.15",
        status="published",
        intro="",
        sections=sections,
    )


def seed_outline() -> list[tuple[str, list[str]]]:
    """(section title, [item titles]) of Issue 340 as the seed shows it.

    Sections are separated by two blank lines; inside one, titles and blurbs
    alternate, one paragraph each (the job board entry has no blurb).
    """
    text = SEED.read_text("utf-8")
    start = text.index("Issue 340:")
    end = text.index("05 Jun 2026 2:00pm GMT", start)
    blocks = re.split(r"\n\s*\n\s*\n", text[start:end].strip())
    blocks[0] = re.split(r"\n\s*\n", blocks[0], maxsplit=1)[1]  # drop the issue's title
    outline: list[tuple[str, list[str]]] = []
    for block in blocks:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", block) if p.strip()]
        title, rest = paragraphs[0], paragraphs[1:]
        if title == "Updates to Django":
            outline.append((title, []))
            continue
        outline.append((title, rest[0::2] if len(rest) > 1 else rest))
    return outline


# --- hostile feed text ----------------------------------------------------------------


def payload(beacon: str, tag: str) -> str:
    """JavaScript that, if it ever runs, leaves three traces: a flag, the title, a request."""
    return f"top.__pwned=1;document.title=`PWNED`;new(Image)().src=`{beacon}?v={tag}`"


def vectors(beacon: str) -> list[str]:
    """Markup an attacker could put in a feed's titles, links and summaries."""
    def p(tag: str) -> str:
        return payload(beacon, tag)

    return [
        f"<script>{p('script')}</script>",
        f"<img src=x onerror={p('img')}>",
        f"<svg/onload={p('svg')}>",
        f'"><script>{p("attr-break")}</script>',
        f"'><img src=x onerror={p('attr-break2')}>",
        f"</title><script>{p('title-break')}</script>",
        f"</style><script>{p('style-break')}</script>",
        f'<iframe srcdoc="<script>{p("srcdoc")}</script>"></iframe>',
        f"x](javascript:{p('md-break')}) [y",
        f"[click me](javascript:{p('md-link')})",
        f'<a href="javascript:{p("a-href")}">click me</a>',
        f"<details open ontoggle={p('details')}>x</details>",
        f"<math><mtext><table><mglyph><style><img src=x onerror={p('mxss')}>",
        f"<body onload={p('body')}>",
        f"<input autofocus onfocus={p('input')}>",
        f"<video><source onerror={p('video')}></video>",
        f'<object data="javascript:{p("object")}"></object>',
        f'<embed src="javascript:{p("embed")}">',
        f'<meta http-equiv="refresh" content="0;url=javascript:{p("meta")}">',
        '<base href="javascript:/a/">',
        f'<!--<img src="--><img src=x onerror={p("comment")}//">',
        f'<noscript><p title="</noscript><img src=x onerror={p("noscript")}>">',
        f"<style>@import url({beacon}?v=css-import);</style>",
        f'<div style="background:url({beacon}?v=css-url)">styled</div>',
        f"<form action=javascript:{p('form')}><button>go</button></form>",
        f"<javascript:{p('autolink')}>",
        f"[ref link][r]\n\n[r]: javascript:{p('ref')}",
        f"[tab](jav&#x09;ascript:{p('entity')})",
        f"<svg><animate onbegin={p('animate')} attributeName=x dur=1s>",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
        "{{ 7*7 }} {% raw %} ${7*7} [/bold] [link=https://x]",
        "\u202eevil\u202c \x00\x1b[31m control",
    ]


def hostile_urls(beacon: str) -> list[str]:
    def p(tag: str) -> str:
        return payload(beacon, tag)

    return [
        f"javascript:{p('url-js')}",
        f"JaVaScRiPt:{p('url-js-case')}",
        f" \tjavascript:{p('url-js-space')}",
        f"java\nscript:{p('url-js-newline')}",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        f'https://example.com/" onmouseover="{p("url-attr")}" x="',
        f"https://example.com/<script>{p('url-tag')}</script>",
        f"https://example.com/a) [x](javascript:{p('url-md')}",
    ]


def hostile_issue(beacon: str) -> Issue:
    """An issue whose every field carries the vectors, where an editor could paste them."""
    vecs = vectors(beacon)
    urls = hostile_urls(beacon)
    items = []
    for n, vec in enumerate(vecs):
        items.append(
            Item(
                title=vec,
                url=urls[n % len(urls)] if n % 2 else f"https://example.com/post/{n}",
                blurb=f"Pasted summary: {vec}\n\n{vecs[(n + 5) % len(vecs)]}",
                source=vecs[(n + 11) % len(vecs)],
            )
        )
    return Issue(
        number=666,
        date=dt.date(2026, 6, 12),
        title=f"Hostile <b>feed</b> text {vecs[0]}",
        status="published",
        intro="\n\n".join(vecs[:6]),
        sections=[
            Section("news", f"News {vecs[1]}", "links", items=items[:10]),
            Section("notes", vecs[3], "notes", notes="\n\n".join(vecs)),
            Section("articles", "Articles", "links", notes=vecs[8], items=items[10:]),
        ],
    )
