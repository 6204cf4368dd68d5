"""The static checker itself: every raw vector of the fixtures is caught.

The export tests pass only because the checker finds nothing; this shows that
it would find the vectors if digest let them through as markup.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.hostile.inert import (
    Finding,
    atom_findings,
    bad_url,
    control_findings,
    html_findings,
    unexpected,
)
from tests.hostile.support import FEEDS

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
#: Vectors of xss.xml that no browser runs, kept to prove they stay harmless text.
NOT_EXECUTABLE = (
    "<scr<script>ipt>",  # tag names that only look like script
    'target=_blank>tab</a>',  # modern browsers imply rel=noopener
    "&lt;script&gt;alert('escaped text')",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
)


def raw_vectors() -> list[str]:
    root = ET.parse(FEEDS / "xss.xml").getroot()
    found = [el.text or "" for el in root.iter(_CONTENT)]
    assert len(found) == 67
    return found


@pytest.mark.parametrize("vector", raw_vectors())
def test_every_executable_vector_is_found(vector: str) -> None:
    if any(marker in vector for marker in NOT_EXECUTABLE):
        assert html_findings(vector) == []
    else:
        assert html_findings(vector) != [], vector


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "\x01javascript:x", "java\nscript:x", "DATA:text/html,x", "vbscript:x",
])
def test_bad_urls_in_every_spelling(url: str) -> None:
    assert bad_url(url)
    assert html_findings(f'<a href="{url}">x</a>') != []


@pytest.mark.parametrize("url", ["https://example.org/javascript:x", "/javascript:x",
                                 "mailto:a@example.org", "#data:x"])
def test_web_urls_are_not_bad(url: str) -> None:
    assert not bad_url(url)


def test_entity_encoded_attribute_is_decoded_before_the_check() -> None:
    assert html_findings('<a href="&#106;avascript&#x3A;alert(1)">x</a>') != []
    assert html_findings("<a href=\"https://example.org/\">&lt;script&gt;</a>") == []


def test_a_script_or_style_differing_from_the_themes_is_unexpected() -> None:
    theme = html_findings("<style>p{color:red}</style><p>x</p>")
    assert unexpected(html_findings("<style>p{color:red}</style><p>y</p>"), theme) == []
    assert unexpected(html_findings("<style>p{color:blue}</style>"), theme) != []
    assert unexpected(html_findings("<style>p{color:red}</style><style>*{}</style>"), theme)


def test_a_data_island_must_stay_whole_json() -> None:
    good = '<script type="application/json">{"a": "</ script"}</script>'
    bad = '<script type="application/json">{"a": "</script><img src=x onerror=alert(1)>"}'
    assert [f.kind for f in html_findings(good)] == ["element"]
    kinds = {f.kind for f in html_findings(bad)}
    assert {"broken-data-island", "event-handler"} <= kinds


def test_atom_checks_links_and_html_constructs() -> None:
    feed = """<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <link href="javascript:alert(1)"/>
      <content type="html">&lt;img src=x onerror=alert(1)&gt;</content>
      <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>
      </summary></entry></feed>"""
    kinds = sorted(f.kind for f in atom_findings(feed))
    assert kinds == ["element", "event-handler", "url"]
    with pytest.raises(ET.ParseError):
        atom_findings("<feed>\x1b</feed>")


def test_control_characters_are_found() -> None:
    assert control_findings("ok\ttab\nline") == []
    assert len(control_findings("\x1b[2J \x9b \u202e \x07")) == 4


def test_findings_read_well() -> None:
    text = str(Finding("url", "a[href]", "javascript:" + "x" * 500))
    assert text.startswith("url a[href]: 'javascript:") and len(text) < 160
    assert json.dumps([str(f) for f in html_findings("<script>1</script>")])
