"""canonical_url / bare_domain / safe_href: one spelling per page, no hostile schemes."""

from __future__ import annotations

import re

import pytest

from digest.feeds.urls import bare_domain, canonical_url, is_tracking_param, safe_href


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        # scheme and host lowercased, default port and fragment dropped, '' path -> '/'
        ("HTTPS://WWW.Example.COM:443", "", "https://www.example.com/"),
        ("http://example.com:80/a#section-2", "", "http://example.com/a"),
        ("https://example.com:8443/a", "", "https://example.com:8443/a"),
        ("http://example.com.", "", "http://example.com/"),
        # path case is the server's business
        ("https://example.com/Post/ABC", "", "https://example.com/Post/ABC"),
        # tracking parameters go, the rest stay in their order and spelling
        (
            "https://e.com/p?utm_source=rss&id=3&fbclid=x&b=a+b&UTM_Campaign=y&gclid=1",
            "",
            "https://e.com/p?id=3&b=a+b",
        ),
        (
            "https://e.com/p?mc_cid=1&mc_eid=2&ref=hn&ref_src=twsrc&_hsenc=a&_hsmi=b"
            "&igshid=c&yclid=d&msclkid=e",
            "",
            "https://e.com/p",
        ),
        ("https://e.com/p?z=1&a=2&z=3", "", "https://e.com/p?z=1&a=2&z=3"),
        ("https://e.com/p?", "", "https://e.com/p"),
        ("https://e.com/search?q=a%20b&page=2", "", "https://e.com/search?q=a%20b&page=2"),
        # relative links resolve against the base
        (
            "/2026/06/post/",
            "https://Blog.example.org/feed.xml",
            "https://blog.example.org/2026/06/post/",
        ),
        ("../x", "https://b.example/a/b/c", "https://b.example/a/x"),
        ("//cdn.example/x.png", "http://b.example/", "http://cdn.example/x.png"),
        ("//cdn.example/x.png", "", "https://cdn.example/x.png"),
        ("post.html", "", ""),
        # spaces and non-ASCII are percent-encoded, existing escapes left alone
        ("https://e.com/caf\u00e9 menu?q=\u00e9", "", "https://e.com/caf%C3%A9%20menu?q=%C3%A9"),
        ("https://e.com/a%2Fb", "", "https://e.com/a%2Fb"),
        # browsers ignore tabs/newlines in URLs, and so must the scheme check
        ("  https://e.com/\tx\n ", "", "https://e.com/x"),
        # IPv6 literal, userinfo kept
        ("http://[::1]:80/x", "", "http://[::1]/x"),
        ("https://user:pw@E.com/x", "", "https://user:pw@e.com/x"),
        # mailto passes untouched
        ("mailto:Editor@Example.com?subject=Hi", "", "mailto:Editor@Example.com?subject=Hi"),
        # everything else is refused
        ("javascript:alert(1)", "", ""),
        ("JavaScript:alert(1)", "https://e.com/", ""),
        ("java\nscript:alert(1)", "https://e.com/", ""),
        ("data:text/html,<script>alert(1)</script>", "", ""),
        ("vbscript:msgbox", "", ""),
        ("file:///etc/passwd", "", ""),
        ("ftp://e.com/x", "", ""),
        ("tag:blogger.com,1999:blog-1.post-2", "", ""),
        ("http://", "", ""),
        ("http://e.com:99999/", "", ""),
        ("http://[::1/", "", ""),
        ("https://e.com/\udc00", "", ""),
        ("", "https://e.com/", ""),
    ],
)
def test_canonical_url(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base) == expected


def test_canonical_url_is_idempotent() -> None:
    for url in (
        "HTTP://E.com:80/caf\u00e9?utm_source=x&a=1#f",
        "https://e.com/a%20b?q=%C3%A9",
        "https://e.com",
    ):
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_a_link_already_canonical_comes_back_as_it_is_exactly_as_the_full_path_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shortcut for plain links must never change what canonical_url returns."""
    from digest.feeds import urls

    links = [
        "http://127.0.0.1:8787/s/0001/posts/3", "https://example.org/a/b-c_d.e~f/",
        "https://example.org/caf%C3%A9", "https://ex.org/a:b@c!$&'()*+,=", "http://e.org/",
    ]
    variants = []
    for link in links:
        variants += [link, link.upper(), link.replace("://", "://WWW."), link + "#top",
                     link + "?utm_source=x", link + "?a=1", link + ";p", link + " ",
                     link.replace("/", "//", 3), link.replace(".org", ".org."), link + "é"]
    variants += ["http://e.org:80/x", "https://e.org:443/x", "https://e.org:80/x",
                 "http://e.org:0080/", "http://e.org:65535/", "http://e.org:65536/",
                 "http://e.org:99999/", "http://a..b/", "http://-a.b/", "http://e.org"]
    fast = {(v, b): canonical_url(v, b) for v in variants for b in ("", "https://e.org/f")}
    monkeypatch.setattr(urls, "_ALREADY_CANONICAL", re.compile("(?!)"))
    assert fast == {(v, b): canonical_url(v, b) for v, b in fast}
    assert fast[("http://127.0.0.1:8787/s/0001/posts/3", "")] == links[0]


def test_tracking_params() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("utmost")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.djangoproject.com/weblog/2026/jun/04/security-releases/",
            "djangoproject.com",
        ),
        ("https://blog.python.org/2026/06/x.html", "blog.python.org"),
        ("https://WWW.Example.COM:8443/", "example.com"),
        ("https://www.com/", "www.com"),
        ("//www.example.org/x", "example.org"),
        ("mailto:editor@Django-News.com", "django-news.com"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_bare_domain(url: str, expected: str) -> None:
    assert bare_domain(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://e.com/x?utm_source=y#z", "https://e.com/x?utm_source=y#z"),
        ("http://e.com", "http://e.com"),
        ("mailto:a@b.c", "mailto:a@b.c"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("jav\tascript:alert(1)", ""),
        ("data:image/png;base64,AAAA", ""),
        ("/relative/path", ""),
        ("", ""),
    ],
)
def test_safe_href(url: str, expected: str) -> None:
    assert safe_href(url) == expected
