"""The floor under the parse goal: the least a pure-Python reader must do, timed.

    python benchmarks/bench_parse_floor.py [--repeat 5] [CORPUS_DIR]

Not a reader digest could use: it keeps only each item's first title, link,
id, date, body and author, knows none of feedparser's rules (text
constructs, persons, bases, categories, second summaries, planets), and
skips the documents expat refuses. It does do what digest cannot skip for
every post: the C expat tree, the date, cleaning the text for the terminal
and the dedupe key; its last step adds the words for the search index,
which digest's parse once made for every post and its store now makes for
the posts it writes (so ``parse_feed`` compares with the step before). Its
throughput bounds what any pure-Python reader of these documents reaches on
this machine; ``bench_parse.py`` times digest's own reader on the same bytes.
"""

from __future__ import annotations

import argparse
import io
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from feedparser.datetimes import _parse_date

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parse import DEFAULT, corpus, report, timed  # noqa: E402

from digest.feeds import fastparse  # noqa: E402
from digest.feeds.parse import _response_headers, entry_key, parse_feed  # noqa: E402
from digest.textclean import clean_line, clean_text, search_text  # noqa: E402

_ITEMS = frozenset(("item", "entry"))
_NONE = ("", {})


def well_formed(bodies: list[tuple[str, bytes]]) -> list[tuple[str, bytes, bytes]]:
    """(url, body, the body as UTF-8) of the documents expat reads."""
    out = []
    for url, body in bodies:
        try:
            data = fastparse._to_utf8(body, _response_headers(body, url, ""))
            if data is not None:
                ET.fromstring(data)
                out.append((url, body, data))
        except (ET.ParseError, UnicodeError, LookupError):
            pass
    return out


def read(docs: list[tuple[str, bytes, bytes]], stage: int) -> int:
    """Items read; ``stage`` 0: the tree and a dict of children per item; 1: the fields
    cleaned, the date parsed, the key made; 2: and the search text."""
    items = 0
    for url, _, data in docs:
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
            if element.tag.rpartition("}")[2] not in _ITEMS:
                continue
            fields: dict[str, tuple[str, dict[str, str]]] = {}
            for child in element:
                fields.setdefault(child.tag.rpartition("}")[2], (child.text or "", child.attrib))
            items += 1
            if stage >= 1:
                title = clean_line(fields.get("title", _NONE)[0])
                text, attrs = fields.get("link", _NONE)
                link = attrs.get("href") or text.strip()
                guid = clean_line((fields.get("guid") or fields.get("id") or _NONE)[0])
                date = (fields.get("pubDate") or fields.get("published")
                        or fields.get("updated") or fields.get("date") or _NONE)[0]
                if date:
                    _parse_date(date)
                body = clean_text((fields.get("encoded") or fields.get("content")
                                   or fields.get("description") or fields.get("summary")
                                   or _NONE)[0])
                clean_line((fields.get("creator") or fields.get("author") or _NONE)[0])
                entry_key(link, guid, url, title)
                if stage >= 2:
                    search_text(body)
            element.clear()
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    docs = well_formed(corpus(args.corpus))
    size = sum(len(data) for _, _, data in docs) / 1e6
    print(f"{len(docs)} well-formed documents, {size:.1f} MB")
    for stage, name in ((0, "tree, a dict per item"), (1, "+ fields, date, clean, key"),
                        (2, "+ search text")):
        report(name, timed(lambda stage=stage: read(docs, stage), args.repeat), size,
               f"{read(docs, stage)} items, ")
    report("digest parse_feed",
           timed(lambda: [parse_feed(body, url) for url, body, _ in docs], args.repeat), size,
           "the same documents, ")


if __name__ == "__main__":
    main()
