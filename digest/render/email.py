"""Issue → e-mail: HTML that survives mail clients, and its plain-text twin.

Mail clients drop <style> blocks, ignore custom properties and reflow tables,
so the e-mail has its own template (a 600 px table layout) and its own CSS,
which css-inline moves onto every element. Only the @media rules (narrow
screens, dark mode) stay in a <style> element, where the clients that
understand them find them.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

import css_inline
from markdown_it.token import Token
from markupsafe import Markup

from digest.config import Project
from digest.feeds.urls import bare_domain
from digest.model import Issue
from digest.render.html import (
    csp,
    display_date,
    issue_view,
    issue_web_url,
    markdown_tokens,
    page_view,
)
from digest.render.markdown import (
    clean_block,
    clean_line,
    issue_heading,
    item_source,
    section_is_empty,
    web_href,
)
from digest.render.themes import load_theme

__all__ = ["markdown_text", "render_email", "render_text"]

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
#: Mail clients ignore it; a browser showing the file still runs no script.
EMAIL_CSP = csp(styles="'unsafe-inline'")
WIDTH = 72


def split_at_rules(css: str) -> tuple[str, str]:
    """(rules to inline, top-level @-blocks to keep in <style>) of a stylesheet."""
    css = _COMMENT.sub("", css)
    plain: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(css):
        at = css.find("@", i)
        if at < 0:
            plain.append(css[i:])
            break
        plain.append(css[i:at])
        depth, j = 0, css.find("{", at)
        if j < 0:
            break
        while j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
            if depth == 0:
                break
        kept.append(css[at:j].strip())
        i = j
    return "".join(plain).strip(), "\n".join(kept)


def render_email(issue: Issue, project: Project, theme: str | None = None) -> str:
    """The issue as e-mail HTML with every style inlined."""
    th = load_theme(project, theme)
    rules, at_rules = split_at_rules(th.read_text("email.css"))
    view = issue_view(issue)
    page = page_view(
        project,
        f"{view.heading} | {project.title}" if project.title else view.heading,
        csp=EMAIL_CSP,
        inline_css=Markup(at_rules),
        web_url=issue_web_url(project, issue.number),
    )
    html = th.template("email.html").render(issue=view, page=page)
    inliner = css_inline.CSSInliner(
        inline_style_tags=False, keep_style_tags=True, extra_css=rules,
        load_remote_stylesheets=False,
    )
    return str(inliner.inline(html))


# --- plain text ---------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _inline_text(children: list[Token]) -> str:
    out: list[str] = []
    links: list[tuple[int, str]] = []
    for tok in children:
        if tok.type == "text":
            out.append(tok.content)
        elif tok.type == "code_inline":
            out.append(f"`{tok.content}`")
        elif tok.type == "softbreak":
            out.append(" ")
        elif tok.type == "hardbreak":
            out.append("\n")
        elif tok.type == "link_open":
            links.append((len(out), str(tok.attrGet("href") or "")))
        elif tok.type == "link_close" and links:
            start, href = links.pop()
            text = "".join(out[start:]).strip()
            if href and href not in (text, f"mailto:{text}"):
                out.append(f" <{href}>")
        elif tok.type == "image":
            alt = "".join(c.content for c in tok.children or [])
            src = str(tok.attrGet("src") or "")
            out.append(f"[image: {alt}] <{src}>" if alt else f"[image] <{src}>")
    return clean_line_keep_breaks("".join(out))


def clean_line_keep_breaks(text: str) -> str:
    return "\n".join(clean_line(part) for part in text.split("\n"))


def _wrap(text: str, first: str, rest: str, width: int) -> list[str]:
    lines: list[str] = []
    for n, part in enumerate(text.split("\n")):
        wrapped = textwrap.wrap(
            part,
            width=max(width - len(rest), 20),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        for m, line in enumerate(wrapped):
            lines.append((first if n == 0 and m == 0 else rest) + line)
    return lines


def markdown_text(text: str, width: int = WIDTH) -> str:
    """The editor's Markdown as plain text: paragraphs wrapped, links spelled out."""
    text = clean_block(text)
    if not text:
        return ""
    blocks: list[tuple[list[str], bool]] = []
    # One entry per open list item or quote: [first-line prefix, following prefix, used].
    stack: list[list[str]] = []
    counters: list[int | None] = []
    tight = False
    # The first item of a list is set off from what precedes it, even when tight.
    fresh_list = False

    def prefixes() -> tuple[str, str]:
        first = "".join(p[1] if p[2] else p[0] for p in stack)
        rest = "".join(p[1] for p in stack)
        for p in stack:
            p[2] = "1"
        return first, rest

    for tok in markdown_tokens(text):
        kind = tok.type
        if kind == "bullet_list_open":
            counters.append(None)
            fresh_list = True
        elif kind == "ordered_list_open":
            counters.append(int(tok.attrGet("start") or 1))
            fresh_list = True
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif kind == "list_item_open":
            n = counters[-1] if counters else None
            marker = "- " if n is None else f"{n}. "
            if n is not None:
                counters[-1] = n + 1
            stack.append([marker, " " * len(marker), ""])
        elif kind == "blockquote_open":
            stack.append(["> ", "> ", ""])
        elif kind in ("list_item_close", "blockquote_close"):
            stack.pop()
        elif kind == "paragraph_open":
            tight = tok.hidden
        elif kind in ("inline",):
            first, rest = prefixes()
            blocks.append((_wrap(_inline_text(tok.children or []), first, rest, width),
                           tight and not fresh_list))
            tight = fresh_list = False
        elif kind in ("fence", "code_block"):
            first, rest = prefixes()
            code = tok.content.rstrip("\n").split("\n")
            blocks.append(([(first if i == 0 else rest) + "    " + line
                            for i, line in enumerate(code)], False))
            fresh_list = False
        elif kind == "hr":
            first, _ = prefixes()
            blocks.append(([first + "* * *"], False))
    out: list[str] = []
    for lines, is_tight in blocks:
        if out and not is_tight:
            out.append("")
        out.extend(lines)
    return "\n".join(line.rstrip() for line in out)


def render_text(issue: Issue, project: Project) -> str:
    """The plain-text alternative of the e-mail: every link on its own line."""
    heading = issue_heading(issue)
    lines = [heading, "=" * _width(heading), display_date(issue.date), ""]
    intro = markdown_text(issue.intro)
    if intro:
        lines += [intro, ""]
    for section in issue.sections:
        if section_is_empty(section):
            continue
        title = clean_line(section.title) or section.id
        lines += ["", title, "-" * _width(title), ""]
        notes = markdown_text(section.notes)
        if notes:
            lines += [notes, ""]
        for item in section.items:
            href = web_href(item.url)
            lines.append(clean_line(item.title) or item_source(item) or href or "Untitled")
            if href:
                lines.append(href)
            blurb = markdown_text(item.blurb)
            if blurb:
                lines += ["", blurb]
            # The URL line already names the domain; a source that says more stays.
            source = item_source(item)
            if source and source != bare_domain(href):
                lines.append(source)
            lines.append("")
    footer = [clean_line(project.title)]
    web = issue_web_url(project, issue.number)
    if web:
        footer.append(f"Read this issue on the web: {web}")
    lines += ["--", *[f for f in footer if f]]
    return "\n".join(lines).rstrip("\n") + "\n"
