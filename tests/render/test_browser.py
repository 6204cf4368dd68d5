"""Headless Chromium loads what digest exports: clean console, no script runs, responsive.

Each XSS vector in the hostile issue would, if it ever ran, set a global flag,
change the title and request ``/pwned`` from the loopback server; the probe
pages prove those three detectors do fire. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.archive import save_issue
from digest.render.email import render_email
from digest.render.html import render_html
from digest.render.site import build_site
from tests.render.browser import ARTIFACTS, CHROMIUM, Browser, PageServer
from tests.render.conftest import make_project
from tests.render.sample import hostile_issue, issue_340

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

THEMES = ["django-news", "plain"]
KINDS = ["page", "email"]

PWNED = "JSON.stringify([window.__pwned || null, document.title === 'PWNED'])"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
DOM_DANGER = """(() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name);
      if (/^\\s*(javascript|vbscript|data):/i.test(a.value) && a.value !== 'data:,')
        bad.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 40));
    }
    if (/^(IFRAME|OBJECT|EMBED|BASE|FORM|INPUT|SVG|MATH)$/i.test(el.tagName)
        && !el.closest('.search-form')) bad.push(el.tagName);
  }
  const scripts = [...document.scripts].filter(s => s.type !== 'application/json').length;
  return JSON.stringify({bad, scripts});
})()"""
CONTRAST = """(() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bg = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, v = rgb(c);
      if (v.length < 4 || v[3] > 0) return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor.startsWith('rgba(0, 0, 0, 0')
      ? 'rgb(255, 255, 255)' : getComputedStyle(document.documentElement).backgroundColor;
  };
  const out = {};
  for (const s of ['body', 'h1', 'h2', '.item__title a', '.item__body p', '.item__footer-link',
                   '.issue__meta', '.email-date', '.site-header__title', '.email-header__title',
                   '.site-footer p', '.email-footer__text', '.email-footer__link',
                   '.section__notes p', '.email-notes p', '.archive__meta', '.site-nav a']) {
    const el = document.querySelector(s);
    if (!el) continue;
    const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    out[s] = Math.round((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) * 100) / 100;
  }
  return out;
})()"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    root = tmp_path_factory.mktemp("www")
    with PageServer(root) as server:
        project = make_project(root / "project")
        hostile = hostile_issue(server.beacon)
        for theme in THEMES:
            folder = root / theme
            folder.mkdir()
            (folder / "page.html").write_text(render_html(issue_340(), project, theme))
            (folder / "email.html").write_text(render_email(issue_340(), project, theme))
            (folder / "hostile-page.html").write_text(render_html(hostile, project, theme))
            (folder / "hostile-email.html").write_text(render_email(hostile, project, theme))
        for n in (338, 339, 340):
            issue = copy.deepcopy(issue_340())
            issue.number, issue.date = n, dt.date(2026, 6, 5) - dt.timedelta(days=7 * (340 - n))
            save_issue(project, issue)
        save_issue(project, hostile)
        build_site(project, root / "site")
        script = f"top.__pwned=1;document.title=`PWNED`;new(Image)().src=`{server.beacon}?v=probe`"
        (root / "probe.html").write_text(
            f"<!doctype html><html lang=en><title>probe</title><script>{script}</script>")
        (root / "probe-csp.html").write_text(
            render_html(issue_340(), project).replace(
                "</main>", f"<script>{script}</script></main>"
            )
        )
        yield server


@pytest.fixture(scope="module")
def chrome() -> Iterator[Browser]:
    browser = Browser()
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def clear_requests(served: PageServer) -> None:
    served.requests.clear()


def shot(name: str) -> Path:
    return ARTIFACTS / f"{name}.png"


def test_the_detectors_fire_on_a_page_that_runs_script(served: PageServer, chrome: Browser) -> None:
    ran = chrome.load(f"{served.base}/probe.html", checks={"pwned": PWNED})
    assert ran.checks["pwned"] == "[1,true]"
    assert served.pwned() == ["/pwned?v=probe"]
    served.requests.clear()
    # The same script injected into an exported page is stopped by its CSP, loudly.
    blocked = chrome.load(f"{served.base}/probe-csp.html", checks={"pwned": PWNED})
    assert blocked.checks["pwned"] == "[null,false]" and served.pwned() == []
    assert any("Content Security Policy" in e for e in blocked.errors)


@pytest.mark.parametrize("width", [360, 375, 1280])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("theme", THEMES)
def test_issue_340_renders_cleanly(
    served: PageServer, chrome: Browser, theme: str, kind: str, width: int
) -> None:
    result = chrome.load(
        f"{served.base}/{theme}/{kind}.html",
        width=width,
        checks={"overflow": OVERFLOW, "contrast": CONTRAST, "dom": DOM_DANGER},
        screenshot=shot(f"{theme}-{kind}-{width}") if width != 360 else None,
    )
    assert result.errors == []
    assert result.checks["overflow"] <= 0, f"wider than {width}px"
    low = {k: v for k, v in result.checks["contrast"].items() if v < 4.5}
    assert not low, f"contrast below 4.5:1: {low}"
    assert result.checks["dom"] == '{"bad":[],"scripts":0}'


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("theme", THEMES)
def test_dark_mode(served: PageServer, chrome: Browser, theme: str, kind: str) -> None:
    light = chrome.load(f"{served.base}/{theme}/{kind}.html",
                        checks={"bg": "getComputedStyle(document.body).backgroundColor"})
    dark = chrome.load(
        f"{served.base}/{theme}/{kind}.html", width=375, dark=True,
        checks={"bg": "getComputedStyle(document.body).backgroundColor", "contrast": CONTRAST},
        screenshot=shot(f"{theme}-{kind}-375-dark"),
    )
    assert dark.errors == []
    assert dark.checks["bg"] != light.checks["bg"]
    low = {k: v for k, v in dark.checks["contrast"].items() if v < 4.5}
    assert not low, f"dark mode contrast below 4.5:1: {low}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("theme", THEMES)
def test_hostile_feed_text_runs_nothing(
    served: PageServer, chrome: Browser, theme: str, kind: str
) -> None:
    result = chrome.load(
        f"{served.base}/{theme}/hostile-{kind}.html",
        width=375,
        checks={"pwned": PWNED, "dom": DOM_DANGER, "overflow": OVERFLOW},
        screenshot=shot(f"{theme}-hostile-{kind}-375"),
        settle=0.6,
    )
    assert result.checks["pwned"] == "[null,false]"
    assert served.pwned() == []
    # Not even a blocked attempt: the CSP had nothing to refuse.
    assert result.errors == []
    assert result.checks["dom"] == '{"bad":[],"scripts":0}'
    assert result.checks["overflow"] <= 0


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_archive_site(served: PageServer, chrome: Browser, scheme: str) -> None:
    base = f"{served.base}/site" if scheme == "http" else (served.root / "site").as_uri()
    pages = {
        "index.html": 0, "issues/340.html": 0, "issues/666.html": 0,
        "search.html?q=security%20releases": 1, "search.html?q=onerror%20pwned": 1,
    }
    for page, scripts in pages.items():
        name = page.split("?")[0].replace("/", "-").removesuffix(".html")
        result = chrome.load(
            f"{base}/{page}", width=375,
            checks={"pwned": PWNED, "dom": DOM_DANGER, "overflow": OVERFLOW,
                    "results": "document.querySelectorAll('#search-results li').length"},
            screenshot=shot(f"site-{scheme}-{name}") if "onerror" not in page else None,
        )
        assert result.errors == [], page
        assert result.checks["pwned"] == "[null,false]", page
        assert result.checks["dom"] == f'{{"bad":[],"scripts":{scripts}}}', page
        assert result.checks["overflow"] <= 0, page
        if page.startswith("search"):
            # Search runs (its own script is allowed) and finds the issues.
            assert result.checks["results"] >= 3, page
    assert served.pwned() == []
