"""URL normalisation for links that come out of feeds.

The same post reaches digest through several doors: the author's own feed, a
planet that copied it, a newsletter feed that added ``utm_*`` parameters or a
``#more`` fragment. Dedupe only works if all of those reduce to one string, and
links shown to the editor (and exported into an issue) should not carry
someone else's tracking parameters. Anything that is not a web link is turned
into ``''`` here because a ``javascript:`` href that reaches an exported issue
is an attack on its readers.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = ["bare_domain", "canonical_url", "is_tracking_param", "safe_href"]

_WEB_SCHEMES = frozenset(("http", "https"))
_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters that only identify a campaign or a click, never content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid",
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        "mkt_tok", "_ga", "_gl", "ref", "ref_src", "ref_url", "oly_anon_id",
        "oly_enc_id", "vero_id", "vero_conv", "wickedid", "rb_clickid", "s_cid",
        "sr_share", "at_medium", "at_campaign", "trk", "trkcampaign",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

# Browsers drop ASCII tab/newline anywhere in a URL and C0/space at its ends
# (WHATWG URL). Doing the same means "java\nscript:" cannot sneak past the
# scheme check by looking like a relative path.
_URL_JUNK = re.compile(r"[\t\n\r]")
_EDGE_JUNK = "".join(map(chr, range(0x21))) + "\u00a0\ufeff"
# Characters left alone when percent-encoding: everything already legal in the
# component, including '%' so existing escapes are not encoded twice.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/?%:@!$&'()*+,;=-._~[]|"


# A URL canonical_url hands back as it is: lowercase web scheme and host, a
# port that is not the default, a path of characters quote() leaves alone,
# nothing else. Most links in feeds look like this; they skip the parsing.
_ALREADY_CANONICAL = re.compile(
    r"(https?)://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::([1-9][0-9]{0,4}))?/[A-Za-z0-9_.~/%:@!$&'()*+,=-]*\Z"
)


def is_tracking_param(name: str) -> bool:
    """True for query parameter names that only track clicks/campaigns."""
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def _strip(url: str) -> str:
    return _URL_JUNK.sub("", url).strip(_EDGE_JUNK)


def _clean_query(query: str) -> str:
    if not query:
        return ""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = part.split("=", 1)[0]
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if not is_tracking_param(name):
            kept.append(part)
    return quote("&".join(kept), safe=_QUERY_SAFE)


def canonical_url(url: str, base: str = "") -> str:
    """One spelling per web page, for dedupe and for display.

    Resolves ``url`` against ``base``, lowercases scheme and host, drops the
    default port, the fragment and tracking parameters, keeps every other
    parameter in its original order and spelling (servers may care about
    both), and encodes spaces and non-ASCII in path and query. ``mailto:``
    links pass through untouched; every other non-web scheme, and anything
    unparseable, gives ``''`` so callers can test the result for truth.
    """
    if not url:
        return ""
    plain = _ALREADY_CANONICAL.match(url)
    if plain is not None:
        port = plain.group(2)
        if port is None or (int(port) <= 65535 and int(port) != _DEFAULT_PORTS[plain.group(1)]):
            return url
    url = _strip(url)
    if not url:
        return ""
    scheme_end = url.find(":")
    if scheme_end > 0 and url[:scheme_end].lower() == "mailto":
        return url
    try:
        if base:
            base = _strip(base)
            if urlsplit(base).scheme.lower() in _WEB_SCHEMES:
                url = urljoin(base, url)
        elif url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _WEB_SCHEMES:
            return ""
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return ""
        port = parts.port
        netloc = f"[{host}]" if ":" in host else host  # IPv6 literal
        if port is not None and port != _DEFAULT_PORTS[scheme]:
            netloc = f"{netloc}:{port}"
        if parts.username is not None:
            userinfo = parts.username
            if parts.password is not None:
                userinfo += ":" + parts.password
            netloc = f"{userinfo}@{netloc}"
        path = quote(parts.path, safe=_PATH_SAFE) or "/"
        query = _clean_query(parts.query)
    except ValueError:  # bad IPv6 literal, bad port, lone surrogate
        return ""
    return urlunsplit((scheme, netloc, path, query, ""))


def bare_domain(url: str) -> str:
    """The domain a reader recognises ('djangoproject.com'), for item footers.

    Only a leading ``www.`` is dropped: other subdomains (``blog.``,
    ``docs.``) often name a different site.
    """
    url = _strip(url)
    if url[:7].lower() == "mailto:":
        return url.rpartition("@")[2].split("?", 1)[0].lower()
    if url.startswith("//"):
        url = "https:" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host


def safe_href(url: str) -> str:
    """``url`` if it is a web or mail link, else ``''``.

    For links rendered as-is (no normalisation wanted): a ``javascript:`` or
    ``data:`` href must never reach an exported page.
    """
    stripped = _strip(url)
    try:
        scheme = urlsplit(stripped).scheme.lower()
    except ValueError:
        return ""
    if scheme in _WEB_SCHEMES or scheme == "mailto":
        return stripped
    return ""
