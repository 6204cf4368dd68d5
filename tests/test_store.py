"""The SQLite cache: dedupe, validators, states, search, concurrency, migrations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import multiprocessing
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import digest.store as store_module
from digest.model import Entry, Issue, Item, Section
from digest.store import (
    _MIGRATIONS,
    PAGE_SIZE,
    SCHEMA_VERSION,
    WEEK_OF,
    EntryFilter,
    FetchRecord,
    Store,
    StoreError,
    _split_sql,
    _week,
    fts_query,
)
from digest.textclean import search_text

UTC = dt.UTC


def entry(n: int, link: str | None = None, title: str | None = None, text: str = "") -> Entry:
    return Entry(
        id=f"id{n}", link=link or f"https://blog.example/{n}", title=title or f"Post {n}",
        author=f"Author {n % 3}", text=text or f"body of post {n}",
        published=dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(days=n),
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "cache.db")
    yield s
    s.close()


def test_schema_and_wal(store: Store) -> None:
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_cache_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "new.db")
    try:
        assert fresh.db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16384
    finally:
        fresh.close()
    path = tmp_path / "old.db"
    old_store(path, 4, [("Wagtail news", dt.datetime(2026, 3, 1, tzinfo=UTC))])
    store = Store(path)
    try:
        assert store.db.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert [r.title for r in store.list_entries(EntryFilter(text="wag"))] == ["Wagtail news"]
    finally:
        store.close()


def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    sqlite3.connect(path).execute("PRAGMA user_version=99").connection.close()
    with pytest.raises(StoreError, match="newer digest"):
        Store(path)


def old_store(path: Path, version: int, posts: list[tuple[str, dt.datetime]]) -> None:
    """A store as schema ``version`` left it, holding ``posts`` in insertion order."""
    db = sqlite3.connect(path)
    for v in range(1, version + 1):
        for statement in _split_sql(_MIGRATIONS[v]):
            db.execute(statement)
    db.execute(f"PRAGMA user_version={version}")
    db.execute("INSERT INTO feeds(url) VALUES ('https://blog/')")
    for n, (title, when) in enumerate(posts, 1):
        db.execute("INSERT INTO entries(id, feed_id, link, title, sort_time, published, "
                   "first_seen) VALUES (?, 1, ?, ?, ?, ?, ?)",
                   (f"old{n}", f"https://blog/{n}", title, when.timestamp(), when.timestamp(),
                    when.timestamp()))
    db.commit()
    db.close()


@pytest.mark.parametrize("version", [3, 4])
def test_an_older_store_is_upgraded_with_its_entries_found_newest_first(
        tmp_path: Path, version: int) -> None:
    day = dt.datetime(2026, 3, 1, tzinfo=UTC)
    path = tmp_path / "old.db"
    # Inserted oldest-last, so rowid order is not date order.
    old_store(path, version, [("Wagtail news", day), ("Django tips", day - dt.timedelta(days=9)),
                              ("Łódź meetup", day + dt.timedelta(days=3)),
                              ("Wheels of Python", day - dt.timedelta(days=30))])
    store = Store(path)
    try:
        (sql,), = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'entries_fts'")
        assert "prefix='1 2 3'" in sql and "content_rowid='order_key'" in sql
        titles = [r.title for r in store.list_entries(EntryFilter(text="w"))]
        assert titles == ["Wagtail news", "Wheels of Python"]
        assert [r.title for r in store.list_entries(EntryFilter(text="ł"))] == ["Łódź meetup"]
        assert [r.title for r in store.list_entries(EntryFilter())] == [
            "Łódź meetup", "Wagtail news", "Django tips", "Wheels of Python"]
        found = store.search("wagtail").entries
        assert [r.title for r in found] == ["Wagtail news"]
        store.record_fetch(FetchRecord("https://blog/", "ok", 200), [entry(4, title="Wheels")])
        assert [r.title for r in store.list_entries(EntryFilter(text="w"))] == [
            "Wagtail news", "Wheels of Python", "Wheels"]
    finally:
        store.close()


def test_a_page_of_a_filter_is_the_start_of_its_whole_order(store: Store) -> None:
    # Dates in every order against rowids, two in the same second, one far past
    # the range the order key holds, one before 1970, one dismissed.
    base = dt.datetime(2026, 5, 1, tzinfo=UTC)
    offsets = [5, -3, 0.25, 0.75, 900_000, -40, 12, 7, -1, 3, 5.5, 4.9, 0.5, 1, 2]
    entries = [dataclasses.replace(entry(n, title=f"Python {n}"),
                                   published=base + dt.timedelta(days=off))
               for n, off in enumerate(offsets)]
    entries.append(dataclasses.replace(entry(50, title="Python 1969"),
                                       published=dt.datetime(1969, 12, 31, 23, 59, 59, 500000,
                                                             tzinfo=UTC)))
    entries.append(dataclasses.replace(entry(51, title="Python 9999"),
                                       published=dt.datetime(9999, 1, 1, tzinfo=UTC)))
    store.record_fetch(FetchRecord("https://blog/", "ok", 200), entries)
    store.set_state(["id7"], "dismissed")
    by_date = sorted(entries, key=lambda e: e.published, reverse=True)  # type: ignore[arg-type, return-value]
    expected = [e.title for e in by_date if e.id != "id7"]
    since = base - dt.timedelta(days=3)
    until = base + dt.timedelta(days=7)
    for flt in (EntryFilter(), EntryFilter(text="python"), EntryFilter(text="p"),
                EntryFilter(text="python", since=since, until=until),
                EntryFilter(since=since), EntryFilter(text="py", hide_dismissed=False)):
        whole = list(store.entry_rowids(flt))
        for limit in range(1, len(whole) + 2):  # a page ending in every week
            assert [r.rowid for r in store.list_entries(flt, limit=limit)] == whole[:limit]
        assert [r.rowid for r in store.list_entries(flt, limit=3, offset=2)] == whole[2:5]
    titles = [r.title for r in store.list_entries(EntryFilter(text="python"), limit=100)]
    assert titles == expected
    dated = store.list_entries(EntryFilter(text="python", since=since, until=until), limit=100)
    assert [r.title for r in dated] == [
        e.title for e in by_date
        if e.id != "id7" and since <= e.published < until]  # type: ignore[operator]


def in_thread(work: Callable[[], object]) -> object:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]


def test_the_inbox_order_is_read_once_for_all_threads_and_follows_other_writers(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.db")
    store.record_fetch(FetchRecord("https://blog/", "ok", 200), [entry(1), entry(2)])
    first = in_thread(lambda: store._ordered(EntryFilter()))
    assert in_thread(lambda: store._ordered(EntryFilter())) is first  # not read again
    other = Store(tmp_path / "cache.db")  # a `digest fetch` from cron
    other.record_fetch(FetchRecord("https://blog/", "ok", 200), [entry(3)])
    other.close()
    assert len(in_thread(lambda: store.entry_rowids())) == 3  # type: ignore[arg-type]
    assert [r.id for r in store.rows(store.entry_rowids())] == ["id3", "id2", "id1"]
    store.close()


def test_garbage_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="delete it"):
        Store(path)


def test_dedupe_across_feeds_lists_both_sources(store: Store) -> None:
    assert store.record_fetch(FetchRecord("https://planet/", "ok", 200),
                              [entry(1), entry(2)]) == 2
    assert store.record_fetch(FetchRecord("https://blog/", "ok", 200), [entry(2)]) == 0
    assert store.count_entries() == 2
    assert set(store.entry("id2").feeds) == {"https://planet/", "https://blog/"}  # type: ignore[union-attr]
    counts = {f.url: f.entry_count for f in store.feeds()}
    assert counts == {"https://planet/": 2, "https://blog/": 1}


def test_validators_only_stored_with_a_body(store: Store) -> None:
    store.record_fetch(FetchRecord("u", "ok", 200, etag='"v1"', last_modified="lm",
                                   body_hash="h"), [entry(1)])
    store.record_fetch(FetchRecord("u", "error", None, "timed out"))
    feed = store.feed("u")
    assert feed is not None
    assert (feed.etag, feed.last_modified, feed.body_hash) == ('"v1"', "lm", "h")
    assert (feed.status, feed.error) == ("error", "timed out")


def test_permanent_redirect_renames_feed(store: Store) -> None:
    store.record_fetch(FetchRecord("http://old/", "ok", 200), [entry(1)])
    store.record_fetch(FetchRecord("http://old/", "ok", 200, new_url="https://new/"), [entry(2)])
    assert [f.url for f in store.feeds()] == ["https://new/"]
    assert store.count_entries() == 2


def test_order_filter_and_states(store: Store) -> None:
    store.record_fetch(FetchRecord("f", "ok"), [entry(n) for n in range(1, 6)])
    rows = store.rows(store.entry_rowids())
    assert [r.id for r in rows] == ["id5", "id4", "id3", "id2", "id1"]
    store.set_state(["id4"], "dismissed")
    store.set_state(["id3"], "seen")
    assert "id4" not in [r.id for r in store.list_entries()]
    assert [r.id for r in store.list_entries(EntryFilter(only_new=True))] == ["id5", "id2", "id1"]
    assert "id4" in [r.id for r in store.list_entries(EntryFilter(hide_dismissed=False))]
    since = EntryFilter(since=dt.datetime(2026, 1, 4, tzinfo=UTC), hide_dismissed=False)
    assert [r.id for r in store.list_entries(since)] == ["id5", "id4", "id3"]


def test_filter_is_prefix_fts_and_never_a_syntax_error(store: Store) -> None:
    store.record_fetch(FetchRecord("f", "ok"), [
        entry(1, title="Django security releases", text="five CVEs"),
        entry(2, title="uv is fantastic", text="package management"),
    ])
    assert [r.id for r in store.list_entries(EntryFilter("secur"))] == ["id1"]
    assert [r.id for r in store.list_entries(EntryFilter("packag"))] == ["id2"]
    for nasty in ['"', "*", "NEAR(", "-x", "a OR", "[bold]", ")", "^"]:
        store.list_entries(EntryFilter(nasty))
    assert fts_query('say "hi" -x') == '"say"* "hi"*'
    assert fts_query("p") == '"p"*'


def test_search_ranks_issues_and_entries(store: Store) -> None:
    store.record_fetch(FetchRecord("f", "ok"), [
        entry(1, title="Notes on asyncio", text="asyncio asyncio"),
        entry(2, title="Cooking", text="a passing mention of asyncio"),
    ])
    issue = Issue(1, dt.date(2026, 1, 2), "One", "published", sections=[
        Section("news", "News", items=[
            Item("asyncio deep dive", "https://a/", "All about asyncio.", "a"),
            Item("Other", "https://b/", "Nothing here.", "b"),
        ])])
    store.index_issues([issue])
    results = store.search("asyncio")
    assert [h.title for h in results.issues] == ["asyncio deep dive"]
    assert [r.id for r in results.entries] == ["id1", "id2"]
    assert "\x02asyncio\x03" in results.entry_snippets["id2"]


def test_search_gives_a_snippet_for_each_ranked_entry_and_no_other(store: Store) -> None:
    store.record_fetch(FetchRecord("f", "ok"), [
        entry(n, title=f"Post {n}", text=("wagtail " * (n % 7 + 1)) + f"filler {n}")
        for n in range(40)])
    found = store.search("wagtail", limit=6)
    ids = [r.id for r in found.entries]
    assert len(ids) == 6
    assert set(found.entry_snippets) == set(ids)
    assert all("\x02wagtail\x03" in found.entry_snippets[i] for i in ids)


def test_featured_only_counts_published(store: Store) -> None:
    published = Issue(5, dt.date(2026, 1, 2), status="published", sections=[
        Section("news", "News", items=[Item("A", "https://a/")])])
    draft = Issue(6, dt.date(2026, 1, 9), sections=[
        Section("news", "News", items=[Item("B", "https://b/")])])
    store.index_issues([published, draft])
    assert store.featured() == {"https://a/": 5}


def test_indexing_an_unchanged_archive_writes_nothing(store: Store, tmp_path: Path) -> None:
    issue = Issue(5, dt.date(2026, 1, 2), status="published", sections=[
        Section("news", "News", notes="Hello", items=[Item("A", "https://a/", "Blurb.", "a")])])
    store.index_issues([issue])
    watcher = sqlite3.connect(tmp_path / "cache.db")
    version = watcher.execute("PRAGMA data_version").fetchone()[0]
    store.index_issues([issue])  # as the TUI does at every start
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
    renamed = dataclasses.replace(issue.sections[0].items[0], title="A, renamed")
    store.index_issues([dataclasses.replace(issue, sections=[
        dataclasses.replace(issue.sections[0], items=[renamed])])])
    assert watcher.execute("PRAGMA data_version").fetchone()[0] != version
    assert [h.title for h in store.search("renamed").issues] == ["A, renamed"]
    watcher.close()


def _writer(path: str, start: int) -> None:
    s = Store(path)
    for n in range(start, start + 200):
        s.record_fetch(FetchRecord(f"feed{start}", "ok"), [entry(n)])
    s.close()


def test_two_processes_write_without_lock_errors(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, k * 1000)) for k in range(2)]
    for p in procs:
        p.start()
    reader = Store(path)
    while any(p.is_alive() for p in procs):
        assert reader.count_entries() <= 400  # reads go on while both write
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert reader.count_entries() == 400
    reader.close()


def test_featured_compares_canonical_links(store: Store) -> None:
    """An issue that kept tracking parameters still marks the stored entry."""
    issue = Issue(7, dt.date(2026, 1, 2), status="published", sections=[
        Section("news", "News", items=[Item("A", "https://A.example/post?utm_source=nl#top")])])
    store.index_issues([issue])
    assert store.featured(["https://a.example/post"]) == {"https://a.example/post": 7}


def test_the_whole_order_of_a_filter_can_be_given_up_once_its_matches_are_read(
        store: Store) -> None:
    store.record_fetch(FetchRecord("https://blog/", "ok", 200),
                       [entry(n, title=f"Python {n}") for n in range(9000)])
    asked: list[int] = []

    def typed_past() -> bool:
        asked.append(1)
        return len(asked) == 1

    assert store.entry_rowids(EntryFilter(text="python"), stop=typed_past) is None
    whole = store.entry_rowids(EntryFilter(text="python"), stop=lambda: False)
    assert whole == store.entry_rowids(EntryFilter(text="python"))
    assert whole is not None and len(whole) == 9000


def test_matches_read_ahead_give_the_same_whole_order(store: Store) -> None:
    store.record_fetch(FetchRecord("https://blog/", "ok", 200),
                       [entry(n, title=f"Python {n}" if n % 3 else f"Rust {n}")
                        for n in range(300)])
    flt = EntryFilter(text="python")
    ahead = str(in_thread(lambda: store.matching("python")))  # read elsewhere, as the TUI does
    assert len(json.loads(ahead)) == 200
    assert store.entry_rowids(flt, matches=ahead) == store.entry_rowids(flt)
    assert store.entry_rowids(flt, matches="[]") == ()


def test_the_date_order_is_at_hand_until_another_connection_commits(store: Store) -> None:
    store.record_fetch(FetchRecord("https://blog/", "ok", 200),
                       [entry(n, title=f"Python {n}") for n in range(1, 10)])
    words = EntryFilter(text="python")
    assert store.order_at_hand(words) is None
    store.entry_rowids(EntryFilter())  # the date order its words are matched against
    assert store.order_at_hand(words) == 9
    assert store.order_at_hand(EntryFilter(text="rust")) == 9
    assert store.order_at_hand(EntryFilter(text="python", hide_dismissed=False)) is None
    other = Store(store.path)
    other.record_fetch(FetchRecord("https://blog/", "ok", 200), [entry(10, title="Python 10")])
    other.close()
    assert store.order_at_hand(words) is None
    assert len(store.entry_rowids(words)) == 10
    assert store.order_at_hand(words) == 10


def test_the_inbox_order_is_walked_by_the_collector_once_at_most(store: Store) -> None:
    # The TUI keeps this order for as long as it is shown; a list would be
    # walked by every collector pass (about 9 ms at 100,000 entries).
    store.record_fetch(FetchRecord("https://blog/", "ok", 200),
                       [entry(n, title=f"Python {n}") for n in range(1, 40)])
    for flt in (EntryFilter(), EntryFilter(text="python")):
        ids = store.entry_rowids(flt)
        assert len(ids) == 39
        gc.collect()
        assert not gc.is_tracked(ids)
    assert store.matching("") == "[]"


def test_a_batch_goes_in_week_by_week_and_its_first_copy_wins(store: Store) -> None:
    day = dt.datetime(2026, 5, 1, tzinfo=UTC)
    dated = [dataclasses.replace(entry(n), published=day + dt.timedelta(days=off))
             for n, off in enumerate([30, -400, 2, 2.5, -1, 90])]
    later_copy = dataclasses.replace(entry(3, title="A later copy"),
                                     published=day - dt.timedelta(days=900))
    store.record_fetches([(FetchRecord("https://a/", "ok", 200), dated[:4]),
                          (FetchRecord("https://b/", "ok", 200), [later_copy, *dated[4:]])])
    keys = [k for (k,) in store.db.execute("SELECT order_key FROM entries ORDER BY rowid")]
    assert keys == sorted(keys)  # the full-text rowids rose through the insert
    assert store.entry("id3").title == "Post 3"  # type: ignore[union-attr]
    assert {r.rowid for r in store.list_entries(EntryFilter(text="post"), limit=100)} == set(
        store.entry_rowids(EntryFilter()))


def _bodied(n: int, html: str, updated: dt.datetime | None = None) -> Entry:
    """An entry as a parser hands it over: a body, and no words of its own."""
    return dataclasses.replace(entry(n), text="", content_html=html, updated=updated)


def test_a_post_written_without_its_words_is_found_by_a_word_of_its_body(
        store: Store) -> None:
    store.record_fetch(FetchRecord("f", "ok"), [
        _bodied(1, "<p>The <b>cryptography</b> release</p><script>evilword()</script>"),
        dataclasses.replace(entry(2), text="", content_html="",
                            summary_html="<p>a summary about <i>sqlite</i></p>"),
        entry(3, text="words given by the feed"),
    ])
    assert [r.id for r in store.list_entries(EntryFilter("cryptograph"))] == ["id1"]
    assert [r.id for r in store.list_entries(EntryFilter("sqlite"))] == ["id2"]
    assert [r.id for r in store.list_entries(EntryFilter("given"))] == ["id3"]
    assert store.list_entries(EntryFilter("evilword")) == []
    assert store.entry("id1").text == "The cryptography release"  # type: ignore[union-attr]


def test_words_are_made_only_for_the_posts_written(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A weekly fetch parses feeds of posts mostly stored already: their words are not
    made again, unless a fuller, newer copy replaces the body."""
    made: list[str] = []

    def counting(html: str) -> str:
        made.append(html)
        return search_text(html)

    monkeypatch.setattr(store_module, "search_text", counting)
    day = dt.datetime(2026, 5, 1, tzinfo=UTC)
    posts = [_bodied(n, f"<p>post {n}</p>", updated=day) for n in range(3)]
    store.record_fetch(FetchRecord("f", "ok"), posts)
    assert sorted(made) == ["<p>post 0</p>", "<p>post 1</p>", "<p>post 2</p>"]
    made.clear()
    store.record_fetch(FetchRecord("f", "ok"), posts)
    assert made == []
    newer = _bodied(1, "<p>post 1, now longer</p>", updated=day + dt.timedelta(days=1))
    store.record_fetch(FetchRecord("f", "ok"), [*posts[:1], newer, *posts[2:]])
    assert made == ["<p>post 1, now longer</p>"]
    assert [r.id for r in store.list_entries(EntryFilter("longer"))] == ["id1"]


def test_a_post_whose_words_cannot_be_made_is_stored_without_them(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The words are made inside the write of a whole batch: a failure there must not
    lose the batch."""
    def failing(html: str) -> str:
        raise ValueError("cannot read this body")

    monkeypatch.setattr(store_module, "search_text", failing)
    assert store.record_fetch(FetchRecord("f", "ok"), [
        _bodied(1, "<p>odd body</p>"), _bodied(2, "<p>another</p>")]) == 2
    assert store.entry("id1").text == ""  # type: ignore[union-attr]
    assert {r.id for r in store.list_entries(EntryFilter("post"))} == {"id1", "id2"}  # titles


def test_the_python_week_is_the_sql_week() -> None:
    db = sqlite3.connect(":memory:")
    for value in (0.0, 0.5, -0.5, 604799.9, 604800.0, -604800.5, -1.0, 1.7e9, -2.2e9,
                  2.5e11, -9e18, 1e300, -1e300):
        (sql,), = db.execute(f"SELECT {WEEK_OF} FROM (SELECT ? AS sort_time)", (value,))
        assert _week(value) == sql, value
