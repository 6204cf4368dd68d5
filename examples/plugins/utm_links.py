#!/usr/bin/env python3
"""A digest preprocessor: campaign parameters on every web link of the issue.

    [preprocessor.utm]
    command = "python3 examples/plugins/utm_links.py --source django-news --medium email"

Adds utm_source, utm_medium and utm_campaign (default "issue-<number>") to
item links and to the Markdown links in blurbs, intro and notes. Parameters a
link already has are left alone. Markdown exports are skipped (``supports md``
answers no): a publishing tool adds its own.

Standard library only, so it runs wherever digest runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

PROTOCOL = 1
SKIP_RENDERERS = {"md"}
# A Markdown inline link's destination: ](http...) up to the closing paren.
MD_LINK = re.compile(r"(\]\()(https?://[^)\s]+)(\))")


def with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    have = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    extra = urlencode([(k, v) for k, v in params.items() if v and k not in have])
    if not extra:
        return url
    # Append to the query as written: re-encoding it could change what the server sees.
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def rewrite_markdown(text: str, params: dict[str, str]) -> str:
    return MD_LINK.sub(lambda m: m.group(1) + with_params(m.group(2), params) + m.group(3), text)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[-2] == "supports":
        return 1 if argv[-1] in SKIP_RENDERERS else 0
    parser = argparse.ArgumentParser(prog="utm_links.py")
    parser.add_argument("--source", default="newsletter")
    parser.add_argument("--medium", default="email")
    parser.add_argument("--campaign", default="issue-{number}")
    args = parser.parse_args(argv)

    context, issue = json.load(sys.stdin)
    if context.get("protocol") != PROTOCOL:
        print(f"utm_links.py speaks protocol {PROTOCOL}, digest sent "
              f"{context.get('protocol')!r}", file=sys.stderr)
        return 2
    params = {
        "utm_source": args.source,
        "utm_medium": args.medium,
        "utm_campaign": args.campaign.format(number=issue["number"]),
    }
    issue["intro"] = rewrite_markdown(issue.get("intro", ""), params)
    for section in issue["sections"]:
        section["notes"] = rewrite_markdown(section.get("notes", ""), params)
        for item in section["items"]:
            item["url"] = with_params(item.get("url", ""), params)
            item["blurb"] = rewrite_markdown(item.get("blurb", ""), params)
    json.dump(issue, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
