"""Compression bombs, lying sizes and wrong charsets, over real HTTP.

A bomb is a small body that unpacks to far more than the size cap: gzip,
deflate (zlib and raw), brotli, gzip applied twice, gzip sent without a
Content-Encoding, and gzip inside gzip. Each must stop at the cap with one
clear error while holding only about the cap in memory, and the client must
hang up instead of draining what the server keeps sending. The charset cases
are documents whose declared encoding (XML declaration, BOM, HTTP header)
lies, or names a codec that is no text encoding at all.
"""

from __future__ import annotations

import re
import time
import tracemalloc
import zlib

import brotli
import pytest

from digest.feeds.fetch import FetchSettings
from digest.store import EntryFilter, Store
from digest.textclean import clean_line
from tests.feedserver import FeedServer, gzip_bomb
from tests.hostile.support import fast_settings, fetch

CAP = 1_000_000
BOMB = 64_000_000


def feed(title: str = "Bomb-free feed", n: int = 3) -> bytes:
    items = "".join(f"<item><title>{title} {i}</title><link>https://example.org/{i}</link>"
                    "</item>" for i in range(n))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://example.org/</link>{items}</channel></rss>"
            ).encode()


def deflate(data: bytes, wbits: int = zlib.MAX_WBITS) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def padding(size: int) -> bytes:
    return b"<!-- padding -->" * (size // 16)


@pytest.fixture(scope="module")
def bombs() -> dict[str, tuple[bytes, dict[str, str]]]:
    """name → (body, headers) of every bomb."""
    gz = gzip_bomb(BOMB)
    return {
        "gzip": (gz, {"Content-Encoding": "gzip"}),
        "x-gzip": (gz, {"Content-Encoding": "x-gzip"}),
        "deflate (zlib)": (deflate(padding(BOMB)), {"Content-Encoding": "deflate"}),
        "deflate (raw)": (deflate(padding(BOMB), -zlib.MAX_WBITS), {"Content-Encoding": "deflate"}),
        "brotli": (brotli.compress(padding(BOMB), quality=5), {"Content-Encoding": "br"}),
        "gzip, gzip": (deflate(gz, 16 + zlib.MAX_WBITS), {"Content-Encoding": "gzip, gzip"}),
        "gzip without Content-Encoding": (gz, {}),
        "gzip file inside gzip": (deflate(gz, 16 + zlib.MAX_WBITS), {"Content-Encoding": "gzip"}),
        "deflate of a brotli bomb, declared br, deflate": (
            deflate(brotli.compress(padding(BOMB), quality=5)),
            {"Content-Encoding": "br, deflate"}),
    }


BOMB_NAMES = ["gzip", "x-gzip", "deflate (zlib)", "deflate (raw)", "brotli", "gzip, gzip",
              "gzip without Content-Encoding", "gzip file inside gzip",
              "deflate of a brotli bomb, declared br, deflate"]


@pytest.mark.parametrize("name", BOMB_NAMES)
def test_bomb_stops_at_the_cap_in_bounded_memory(
    name: str, bombs: dict[str, tuple[bytes, dict[str, str]]], feed_server: FeedServer,
    store: Store,
) -> None:
    body, headers = bombs[name]
    url = feed_server.add("/bomb", body, headers=headers, content_type="application/rss+xml")
    tracemalloc.start()
    try:
        started = time.monotonic()
        (outcome,) = fetch(store, [url], fast_settings(max_bytes=CAP)).outcomes
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.status == "error"
    assert re.fullmatch(r"(body|gzip body) (is )?larger than (1 MB|\d+ MB unpacked)( cap)?",
                        outcome.error), outcome.error
    assert peak < 6 * CAP, f"{peak:,} bytes held for a {CAP:,} byte cap"
    assert seconds < 5
    assert store.feed(url).status == "error"  # type: ignore[union-attr]


def test_endless_and_oversized_bodies_are_cut_off_early(feed_server: FeedServer,
                                                        store: Store) -> None:
    chunked = feed_server.huge("/chunked", 20_000_000)
    declared = feed_server.huge("/declared", 20_000_000, chunked=False)
    endless = feed_server.drip("/endless", interval=0.001, chunk=b"<!--" + b"x" * 65536 + b"-->")
    tracemalloc.start()
    try:
        outcomes = fetch(store, [chunked, declared, endless],
                         fast_settings(max_bytes=CAP, total_timeout=10.0)).outcomes
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    errors = {o.url.rsplit("/", 1)[1]: o.error for o in outcomes}
    assert errors["chunked"] == "body larger than 1 MB cap"
    assert errors["declared"] == "body larger than 1 MB cap (Content-Length 20 MB)"
    assert errors["endless"] == "body larger than 1 MB cap"
    assert peak < 6 * CAP
    time.sleep(0.2)  # let the server notice the hang-ups
    # What the server managed to hand to the socket, loopback buffers included:
    # far less than the 20 MB it meant to send.
    for path in ("/declared", "/chunked", "/endless"):
        assert feed_server.bytes_sent(path) < 10 * CAP, path


BROKEN_ENCODINGS = {
    "corrupt gzip": (b"\x1f\x8b\x08\x00" + b"\xff" * 200, {"Content-Encoding": "gzip"},
                     r"could not decode the gzip body: .+"),
    "plain body said to be gzip": (feed(), {"Content-Encoding": "gzip"},
                                   r"could not decode the gzip body: .+"),
    "zstd": (feed(), {"Content-Encoding": "zstd"}, r"unsupported Content-Encoding 'zstd'"),
    "compress": (feed(), {"Content-Encoding": "compress"},
                 r"unsupported Content-Encoding 'compress'"),
    "corrupt brotli": (b"\xff\xff\xff\xff" * 50, {"Content-Encoding": "br"},
                       r"could not decode the br body: .+"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_ENCODINGS))
def test_broken_content_encodings_give_one_clear_error(name: str, feed_server: FeedServer,
                                                       store: Store) -> None:
    body, headers, expected = BROKEN_ENCODINGS[name]
    url = feed_server.add("/f", body, headers=headers)
    (outcome,) = fetch(store, [url], fast_settings()).outcomes
    assert outcome.status == "error"
    assert re.fullmatch(expected, outcome.error), outcome.error
    assert clean_line(outcome.error) == outcome.error


def test_truncated_gzip_keeps_what_arrived(feed_server: FeedServer, store: Store) -> None:
    packed = deflate(feed(n=200), 16 + zlib.MAX_WBITS)
    url = feed_server.add("/f", packed[: len(packed) * 2 // 3],
                          headers={"Content-Encoding": "gzip"})
    (outcome,) = fetch(store, [url], fast_settings()).outcomes
    assert outcome.status in ("ok", "error")
    assert outcome.status == "error" or outcome.entries > 0
    assert clean_line(outcome.error) == outcome.error


# --- charsets ---------------------------------------------------------------------

def doc(encoding: str | None, title: str = "Café déjà vu") -> str:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else '<?xml version="1.0"?>'
    return (f'{decl}<rss version="2.0"><channel><title>Feed {title}</title>'
            f"<link>https://example.org/</link><item><title>{title}</title>"
            "<link>https://example.org/1</link><description>About {title}</description>"
            "</item></channel></rss>")


# name → (body, Content-Type, exact title expected or None for "any readable title")
CHARSETS: dict[str, tuple[bytes, str, str | None]] = {
    "utf-8 said, latin-1 sent": (doc("utf-8").encode("latin-1"), "", None),
    "latin-1 said, utf-8 sent": (doc("iso-8859-1").encode("utf-8"), "", None),
    "nothing said, latin-1 sent, HTTP charset": (
        doc(None).encode("latin-1"), "application/rss+xml; charset=iso-8859-1", "Café déjà vu"),
    "HTTP utf-8, document windows-1252": (
        doc("windows-1252").encode("cp1252"), "text/xml; charset=utf-8", "Café déjà vu"),
    "UTF-16 LE with BOM, said utf-8": (
        b"\xff\xfe" + doc("utf-8").encode("utf-16-le"), "", "Café déjà vu"),
    "UTF-16 BE without BOM": (doc("utf-16").encode("utf-16-be"), "", "Café déjà vu"),
    "UTF-32 with BOM": (doc("utf-32").encode("utf-32"), "", "Café déjà vu"),
    "UTF-8 BOM, said latin-1": (b"\xef\xbb\xbf" + doc("iso-8859-1").encode("utf-8"), "",
                                "Café déjà vu"),
    "utf-16 said, ASCII sent": (doc("utf-16", "Cafe").encode("ascii"), "", None),
    "EBCDIC said, ASCII sent": (doc("cp037", "Cafe").encode("ascii"), "", None),
    "UTF-7 said": (doc("utf-7", "Cafe +ADw-b+AD4-").encode("ascii"), "", None),
    "unknown codec said": (doc("x-evil-9").encode("latin-1"), "", None),
    "bytes codec said (base64)": (doc("base64").encode("latin-1"), "", None),
    "bytes codec said (zlib)": (doc("zlib_codec").encode("latin-1"), "", None),
    "text transform said (rot13)": (doc("rot13").encode("latin-1"), "", None),
    "unicode_escape said": (doc("unicode_escape").encode("latin-1"), "", None),
    "HTTP charset is a bytes codec": (doc(None).encode("utf-8"), "text/xml; charset=hex", None),
    "HTTP charset unknown": (doc(None).encode("utf-8"), "text/xml; charset=x-evil", None),
    "invalid UTF-8 everywhere": (doc("utf-8").encode("utf-8").replace(b"\xc3", b"\xc3\xc3\xff"),
                                 "", None),
    "half UTF-8, half latin-1": (doc("utf-8").encode("utf-8")[:150] +
                                 doc("utf-8").encode("latin-1")[150:], "", None),
}
#: Codecs whose decoder fails with a bare UnicodeError instead of a decode error.
BARE_UNICODE_ERROR = ("undefined", "punycode")


def check_charset_outcome(store: Store, url: str, expected: str | None) -> None:
    feed_row = store.feed(url)
    assert feed_row is not None and feed_row.status in ("ok", "error")
    assert clean_line(feed_row.error) == feed_row.error
    assert "parser failed" not in feed_row.error, feed_row.error
    rows = store.list_entries(EntryFilter(feed_url=url), limit=10)
    for row in rows:
        assert clean_line(row.title) == row.title
    if expected is not None:
        assert [r.title for r in rows] == [expected]


@pytest.mark.parametrize("name", sorted(CHARSETS))
def test_lying_charsets_end_in_a_recorded_status(name: str, feed_server: FeedServer,
                                                 store: Store) -> None:
    body, content_type, expected = CHARSETS[name]
    url = feed_server.add("/f.xml", body, content_type=content_type)
    fetch(store, [url], fast_settings())
    check_charset_outcome(store, url, expected)


@pytest.mark.parametrize("codec", BARE_UNICODE_ERROR)
def test_a_codec_failing_with_a_bare_unicode_error_is_read_as_undeclared(
    codec: str, feed_server: FeedServer, store: Store
) -> None:
    url = feed_server.add("/f.xml", doc(codec, "Cafe").encode("ascii"))
    fetch(store, [url], fast_settings())
    check_charset_outcome(store, url, "Cafe")


def test_settings_in_this_file_are_the_shipped_ones() -> None:
    """The caps tested here are lowered; the shipped ones must be as documented."""
    shipped = FetchSettings()
    assert shipped.max_bytes == 10_000_000 and shipped.total_timeout == 15
