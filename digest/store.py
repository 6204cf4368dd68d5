"""The entry cache: the only module that speaks SQL.

A SQLite file in WAL mode with a busy timeout, so a ``digest fetch`` from cron
and an open TUI share it without "database is locked". It is a rebuildable
cache: every piece of the editor's work lives in ``issues/*.toml``; losing this
file loses fetched posts and read states, nothing else.

Each thread gets its own connection (sqlite3 connections are not shared
across threads), so TUI workers can query while the event loop stays free.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload

from digest.feeds.urls import canonical_url
from digest.model import Entry, EntryState, Feed, FeedStatus, Issue
from digest.textclean import search_text

SCHEMA_VERSION = 5

#: The full-text index's rowid for an entry: the week of its date above its
#: rowid. FTS5 yields matches in rowid order, so the newest weeks come first
#: and the first screenful of a filter is read without touching older weeks
#: (see ``list_entries``). Weeks, not seconds: the index stores rowid gaps,
#: and a gap of a second per key doubled its size, where weeks cost 6 %.
#: Rowids must stay below 2**31 for keys to be unique.
_KEY_ROWID_BITS = 31
_ROWID_MASK = (1 << _KEY_ROWID_BITS) - 1
_WEEK = 7 * 86400
_WEEKS = 1 << 30  # clamp: a feed's year 9999 still makes a valid key
WEEK_OF = f"MIN(MAX(CAST(sort_time AS INTEGER) / {_WEEK}, -{_WEEKS}), {_WEEKS - 1})"
ORDER_KEY = f"(({WEEK_OF} + {_WEEKS}) << {_KEY_ROWID_BITS}) | (rowid & {_ROWID_MASK})"


#: Bytes per database page for a new cache. Posts are a few kilobytes of HTML
#: and text, and the full-text index writes long segments: with 16 KB pages a
#: cold fetch of 1,000 farm feeds took 6.3-6.5 s against 6.9 s with SQLite's
#: 4 KB (three rounds), the filter and paging unchanged at 100,000 entries.
PAGE_SIZE = 16384


def _index_text(html: str | None) -> str:
    """The words of a post's body for the index, made where a post is written.

    A parser hands its entries over without them: a weekly fetch parses
    feeds mostly of posts already stored, and only the new (or updated) ones
    need their words. Called by SQLite inside the write of a whole batch, so
    it never raises: a post whose words cannot be made is stored without them
    (its title, author and source are still indexed) rather than lost.
    """
    if not isinstance(html, str):
        return ""
    try:
        return search_text(html)
    except Exception:  # noqa: BLE001 - one odd body must not fail the batch
        return ""


def _fts_table(key: str, prefix: str) -> str:
    """The full-text index over entries, its rowid taken from column ``key``."""
    return f"""
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, author, source_title, text,
        content='entries', content_rowid='{key}',
        tokenize='unicode61 remove_diacritics 2', prefix='{prefix}'
    );"""


def _fts_triggers(key: str) -> str:
    """What keeps the full-text index in step with the entries table."""
    cols = "title, author, source_title, text"
    new = f"new.{key}, new.title, new.author, new.source_title, new.text"
    old = f"'delete', old.{key}, old.title, old.author, old.source_title, old.text"
    return f"""
    CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts(rowid, {cols}) VALUES ({new});
    END;
    CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, {cols}) VALUES ({old});
    END;
    CREATE TRIGGER entries_au AFTER UPDATE OF {cols} ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, {cols}) VALUES ({old});
        INSERT INTO entries_fts(rowid, {cols}) VALUES ({new});
    END;"""


_MIGRATIONS: dict[int, str] = {
    1: f"""
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        body_hash TEXT NOT NULL DEFAULT '',
        last_fetch REAL,
        http_status INTEGER,
        status TEXT NOT NULL DEFAULT 'new',
        error TEXT NOT NULL DEFAULT '',
        retry_after REAL
    );
    CREATE TABLE entries (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        feed_id INTEGER NOT NULL REFERENCES feeds(id),
        guid TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        source_title TEXT NOT NULL DEFAULT '',
        source_url TEXT NOT NULL DEFAULT '',
        published REAL,
        updated REAL,
        sort_time REAL NOT NULL,
        summary_html TEXT NOT NULL DEFAULT '',
        content_html TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '[]',
        first_seen REAL NOT NULL,
        state TEXT NOT NULL DEFAULT 'new'
    );
    CREATE INDEX entries_sort ON entries(sort_time DESC, rowid DESC);
    CREATE INDEX entries_link ON entries(link);
    CREATE INDEX entries_feed ON entries(feed_id);
    CREATE TABLE entry_feeds (
        entry_rowid INTEGER NOT NULL,
        feed_id INTEGER NOT NULL,
        PRIMARY KEY (entry_rowid, feed_id)
    ) WITHOUT ROWID;
    CREATE INDEX entry_feeds_feed ON entry_feeds(feed_id);
    {_fts_table("rowid", "2 3")}
    {_fts_triggers("rowid")}
    """,
    2: """
    CREATE TABLE issue_items (
        rowid INTEGER PRIMARY KEY,
        number INTEGER NOT NULL,
        status TEXT NOT NULL,
        date TEXT NOT NULL,
        issue_title TEXT NOT NULL,
        section TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        blurb TEXT NOT NULL,
        source TEXT NOT NULL
    );
    CREATE INDEX issue_items_url ON issue_items(url);
    CREATE VIRTUAL TABLE issue_items_fts USING fts5(
        title, blurb, section, issue_title,
        content='issue_items', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    );
    """,
    3: """
    DROP INDEX entries_sort;
    CREATE INDEX entries_order ON entries(sort_time DESC, state, feed_id);
    """,
    # A one-letter prefix index: the first letter typed in the inbox filter
    # matches most entries, and without it FTS5 merges the list of every word
    # that starts with that letter (90 ms at 100,000 entries; 45 ms with it).
    4: f"""
    DROP TABLE entries_fts;
    {_fts_table("rowid", "1 2 3")}
    INSERT INTO entries_fts(entries_fts) VALUES ('rebuild');
    """,
    # The full-text index is keyed by week (see ORDER_KEY). It is filled in
    # key order: FTS5 flushes its pending data whenever a rowid goes down, and
    # a 'rebuild' (rowid order) took four times as long.
    5: f"""
    DROP TRIGGER entries_ai;
    DROP TRIGGER entries_ad;
    DROP TRIGGER entries_au;
    DROP TABLE entries_fts;
    ALTER TABLE entries ADD COLUMN order_key INTEGER GENERATED ALWAYS AS ({ORDER_KEY}) VIRTUAL;
    CREATE UNIQUE INDEX entries_key ON entries(order_key);
    {_fts_table("order_key", "1 2 3")}
    {_fts_triggers("order_key")}
    INSERT INTO entries_fts(rowid, title, author, source_title, text)
    SELECT order_key, title, author, source_title, text FROM entries ORDER BY order_key;
    """,
}


#: How many of the newest matching entries a search ranks.
RANK_WINDOW = 2000


class StoreError(Exception):
    """The cache file cannot be opened or used; the message names it."""


@dataclass(frozen=True)
class EntryRow:
    """What one inbox row needs: small, so a page of them is cheap."""

    rowid: int
    id: str
    title: str
    author: str
    feed_title: str
    link: str
    published: dt.datetime | None
    state: EntryState


@dataclass(frozen=True)
class EntryFilter:
    """An inbox filter. Immutable: the TUI swaps whole filters, never mutates one."""

    text: str = ""
    only_new: bool = False
    hide_dismissed: bool = True
    feed_url: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def containing(self, text: str) -> EntryFilter:
        return EntryFilter(text, self.only_new, self.hide_dismissed, self.feed_url,
                           self.since, self.until)


@dataclass(frozen=True)
class FetchRecord:
    """What one fetch of one feed learned, to be stored in one go."""

    url: str
    status: FeedStatus
    http_status: int | None = None
    error: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    retry_after: dt.datetime | None = None
    title: str = ""
    site_url: str = ""
    new_url: str = ""
    when: dt.datetime | None = None


@dataclass(frozen=True)
class IssueHit:
    number: int
    date: str
    issue_title: str
    section: str
    title: str
    url: str
    blurb: str
    snippet: str
    rank: float


@dataclass(frozen=True)
class SearchResults:
    issues: tuple[IssueHit, ...] = ()
    entries: tuple[EntryRow, ...] = ()
    entry_snippets: dict[str, str] = field(default_factory=dict)


def _ts(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value else None


def _dt(value: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(value, dt.UTC) if value is not None else None


_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn what the editor typed into an FTS5 query: every word, as a prefix.

    User text never reaches FTS5 syntax directly, so `"`, `*`, `NEAR` or `-`
    cannot make the query fail.
    """
    tokens = _TOKEN.findall(text)
    if any(len(t) > 1 for t in tokens):
        # A lone letter as a prefix matches nearly every word, and costs as much;
        # "python a" is the editor half-way through typing "python asyncio".
        tokens = [t for t in tokens if len(t) > 1]
    return " ".join(f'"{t}"*' for t in tokens)


class Store:
    """The SQLite entry cache of one machine (shared by all processes on it)."""

    def __init__(self, path: Path | str,
                 on_upgrade: Callable[[str], None] | None = None) -> None:
        """Open (and create or upgrade) the cache; ``on_upgrade`` hears of a long upgrade."""
        self.path = Path(path)
        self._on_upgrade = on_upgrade
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        # The inbox's date order, shared by every thread (see _ordered).
        self._order_lock = threading.Lock()
        self._order_watch: sqlite3.Connection | None = None
        self._order: tuple[object, tuple[int, ...]] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot open the entry cache: {exc}. It holds only fetched "
                "posts; delete it (and its -wal/-shm files) to rebuild it with `digest fetch`."
            ) from None

    # --- connections ---------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        # Only a cache being created takes it; an existing one keeps its size.
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-32000")
        conn.create_function("digest_search_text", 1, _index_text, deterministic=True)
        with self._lock:
            self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()
        with self._order_lock:
            self._order_watch = None
            self._order = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front, so writers queue instead of deadlocking."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self) -> None:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer digest (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade digest or use another --db"
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version and self._on_upgrade is not None:
                # Rebuilding the full-text index reads every entry again.
                count = db.execute("SELECT count(*) FROM entries").fetchone()[0]
                noun = "entry" if count == 1 else "entries"
                self._on_upgrade(f"Upgrading the entry cache {self.path} ({count:,} {noun}, "
                                 "once; about a minute per million entries)…")
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _split_sql(_MIGRATIONS[v]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # --- feeds ---------------------------------------------------------------

    def ensure_feeds(self, feeds: Iterable[tuple[str, str]]) -> None:
        """Make sure each (url, title) subscription has a row."""
        with self.transaction() as db:
            for url, title in feeds:
                db.execute(
                    "INSERT INTO feeds(url, title) VALUES (?, ?) ON CONFLICT(url) DO UPDATE "
                    "SET title = CASE WHEN feeds.title = '' THEN excluded.title "
                    "ELSE feeds.title END",
                    (url, title),
                )

    _FEED_COLS = (
        "f.url, f.title, f.site_url, f.etag, f.last_modified, f.body_hash, f.last_fetch, "
        "f.http_status, f.status, f.error, f.retry_after"
    )

    def _feed(self, row: Sequence[object], count: int) -> Feed:
        (url, title, site_url, etag, lm, body_hash, last_fetch, http_status, status, error,
         retry_after) = row
        return Feed(
            url=str(url), title=str(title), site_url=str(site_url), etag=str(etag),
            last_modified=str(lm), body_hash=str(body_hash),
            last_fetch=_dt(last_fetch),  # type: ignore[arg-type]
            http_status=http_status,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            error=str(error),
            retry_after=_dt(retry_after),  # type: ignore[arg-type]
            entry_count=count,
        )

    def feeds(self, urls: Iterable[str] | None = None) -> list[Feed]:
        """Feeds with their entry counts (entries reached through them, deduplicated)."""
        rows = self.db.execute(
            f"SELECT {self._FEED_COLS}, "
            "(SELECT count(*) FROM entry_feeds ef WHERE ef.feed_id = f.id) "
            "FROM feeds f ORDER BY lower(f.title), f.url"
        ).fetchall()
        feeds = [self._feed(r[:-1], r[-1]) for r in rows]
        if urls is not None:
            wanted = list(urls)
            by_url = {f.url: f for f in feeds}
            return [by_url.get(u) or Feed(url=u) for u in wanted]
        return feeds

    def feed(self, url: str) -> Feed | None:
        row = self.db.execute(
            f"SELECT {self._FEED_COLS}, "
            "(SELECT count(*) FROM entry_feeds ef WHERE ef.feed_id = f.id) "
            "FROM feeds f WHERE f.url = ?",
            (url,),
        ).fetchone()
        return self._feed(row[:-1], row[-1]) if row else None

    def record_fetch(self, rec: FetchRecord, entries: Sequence[Entry] = ()) -> int:
        """Store one feed's fetch outcome and its entries in one transaction.

        Validators (ETag, Last-Modified, body hash) are written only together
        with the entries of a body that parsed, so a failed download is never
        answered "not modified" later. Returns how many entries were new.
        """
        return self.record_fetches([(rec, entries)])[0]

    def use_small_cache(self) -> None:
        """Keep at most 8 MB of pages for the calling thread's connection.

        A fetch's writer adds rows and reads almost nothing back, so the 32 MB
        that keep the TUI's queries fast would only fill with index pages it
        already wrote: a quarter of a cold fetch's memory, for no speed.
        """
        self.db.execute("PRAGMA cache_size=-8000")

    def close_thread_connection(self) -> None:
        """Close the calling thread's connection; for a writer thread about to end.

        Connections are per thread and kept until ``close``, so a thread that
        writes once per fetch run would otherwise leave one open per run.
        """
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        conn.close()

    def record_fetches(self, batch: Sequence[tuple[FetchRecord, Sequence[Entry]]]) -> list[int]:
        """Several feeds' outcomes in one transaction, each as ``record_fetch`` would.

        A fetch run stores hundreds of feeds; a transaction per feed would
        make FTS5 write (and later merge) an index segment per feed.
        """
        with self.transaction() as db:
            staged = [self._record_feed(db, rec) for rec, _ in batch]
            return self._insert_entries(
                db, [(feed_id, entries, when)
                     for (feed_id, when), (_, entries) in zip(staged, batch, strict=True)])

    def _record_feed(self, db: sqlite3.Connection, rec: FetchRecord) -> tuple[int, float]:
        """Update the feed's row; (its id, the fetch time as a timestamp)."""
        when = (rec.when or dt.datetime.now(dt.UTC)).timestamp()
        db.execute("INSERT INTO feeds(url) VALUES (?) ON CONFLICT(url) DO NOTHING", (rec.url,))
        sets = ["last_fetch = ?", "http_status = ?", "status = ?", "error = ?",
                "retry_after = ?"]
        args: list[object] = [when, rec.http_status, rec.status, rec.error,
                              _ts(rec.retry_after)]
        for col, value in (("etag", rec.etag), ("last_modified", rec.last_modified),
                           ("body_hash", rec.body_hash)):
            if value is not None:
                sets.append(f"{col} = ?")
                args.append(value)
        if rec.title:
            sets.append("title = ?")
            args.append(rec.title)
        if rec.site_url:
            sets.append("site_url = ?")
            args.append(rec.site_url)
        db.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE url = ?", (*args, rec.url))
        feed_id: int = db.execute("SELECT id FROM feeds WHERE url = ?", (rec.url,)).fetchone()[0]
        if rec.new_url and rec.new_url != rec.url:
            self._rename(db, rec.url, rec.new_url)  # the id stays, so entries still find it
        return feed_id, when

    _ENTRY_COLS = ("id, feed_id, guid, link, title, author, source_title, source_url, "
                   "published, updated, sort_time, summary_html, content_html, text, "
                   "categories, first_seen")
    #: The columns read from the staging table: an entry that comes without its
    #: search text (a parsed one) gets it here, and only if it is written.
    _STAGED_COLS = _ENTRY_COLS.replace(
        " text,", " CASE WHEN text <> '' THEN text ELSE digest_search_text("
        "CASE WHEN content_html <> '' THEN content_html ELSE summary_html END) END,")

    def _insert_entries(self, db: sqlite3.Connection,
                        feeds: Sequence[tuple[int, Sequence[Entry], float]]) -> list[int]:
        """Insert the entries of several feeds; how many of each feed's were new.

        The rows go in with one ``INSERT ... SELECT`` from a staging table
        rather than a statement per entry: the FTS5 trigger flushes its pending
        index data at every statement, so per-entry statements left one tiny
        index segment per entry to write and merge (twice the CPU time of the
        whole insert). Rows go in week by week (their rowids follow, see
        ``_staged``), and within a week in the order given; the first copy of a duplicate
        winning and the update of a known entry by a later, fuller copy are as
        they were when each entry was inserted on its own.
        """
        new = [0] * len(feeds)
        rows: list[tuple[Any, ...]] = []
        for part, (feed_id, entries, when) in enumerate(feeds):
            for e in entries:
                published = _ts(e.published)
                updated = _ts(e.updated)
                rows.append((len(rows), part, e.id, feed_id, e.guid, e.link, e.title, e.author,
                             e.source_title, e.source_url, published, updated,
                             published or updated or when, e.summary_html, e.content_html,
                             e.text, json.dumps(list(e.categories)), when))
        if not rows:
            return new
        db.execute("CREATE TEMP TABLE IF NOT EXISTS entries_batch("
                   f"seq INTEGER PRIMARY KEY, part INTEGER, {self._ENTRY_COLS})")
        db.execute("DELETE FROM temp.entries_batch")
        db.executemany(f"INSERT INTO temp.entries_batch VALUES ({','.join('?' * 18)})",
                       _staged(rows))
        seen = {eid for (eid,) in db.execute(
            "SELECT id FROM entries WHERE id IN (SELECT id FROM temp.entries_batch)")}
        db.execute(f"INSERT INTO entries({self._ENTRY_COLS}) SELECT {self._STAGED_COLS} "
                   "FROM temp.entries_batch b WHERE NOT EXISTS "
                   "(SELECT 1 FROM main.entries e WHERE e.id = b.id) "
                   "ORDER BY seq ON CONFLICT(id) DO NOTHING")
        for row in rows:
            part, eid, updated, content_html, text = row[1], row[2], row[11], row[14], row[15]
            if eid not in seen:
                seen.add(eid)
                new[part] += 1
            elif updated and content_html:
                # A later copy may know more (the original blog has the full text).
                db.execute(
                    "UPDATE entries SET content_html = ?1, updated = ?3, text = CASE "
                    "WHEN ?2 <> '' THEN ?2 ELSE digest_search_text(?1) END "
                    "WHERE id = ?4 AND (updated IS NULL OR updated < ?3)",
                    (content_html, text, updated, eid),
                )
        db.execute("INSERT OR IGNORE INTO entry_feeds(entry_rowid, feed_id) "
                   "SELECT e.rowid, b.feed_id FROM temp.entries_batch b "
                   "JOIN entries e ON e.id = b.id ORDER BY b.seq")
        db.execute("DELETE FROM temp.entries_batch")
        return new

    def _rename(self, db: sqlite3.Connection, old: str, new: str) -> None:
        exists = db.execute("SELECT id FROM feeds WHERE url = ?", (new,)).fetchone()
        if exists:
            return
        db.execute("UPDATE feeds SET url = ? WHERE url = ?", (new, old))

    # --- entries -------------------------------------------------------------

    _ROW_COLS = (
        "e.rowid, e.id, e.title, e.author, "
        "COALESCE(NULLIF(f.title, ''), f.url), e.link, e.published, e.state"
    )

    def _where(self, flt: EntryFilter) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        query = fts_query(flt.text)
        if query:
            clauses.append(
                "e.order_key IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
            args.append(query)
        if flt.only_new:
            clauses.append("e.state = 'new'")
        elif flt.hide_dismissed:
            clauses.append("e.state != 'dismissed'")
        if flt.feed_url:
            clauses.append(
                "e.rowid IN (SELECT entry_rowid FROM entry_feeds WHERE feed_id = "
                "(SELECT id FROM feeds WHERE url = ?))"
            )
            args.append(flt.feed_url)
        if flt.since:
            clauses.append("e.sort_time >= ?")
            args.append(flt.since.timestamp())
        if flt.until:
            clauses.append("e.sort_time < ?")
            args.append(flt.until.timestamp())
        where = " AND ".join(clauses) if clauses else "1"
        return where, args

    @overload
    def entry_rowids(self, flt: EntryFilter = ..., stop: None = None,
                     matches: str | None = None) -> tuple[int, ...]: ...
    @overload
    def entry_rowids(self, flt: EntryFilter, stop: Callable[[], bool],
                     matches: str | None = None) -> tuple[int, ...] | None: ...

    def entry_rowids(self, flt: EntryFilter = EntryFilter(),
                     stop: Callable[[], bool] | None = None,
                     matches: str | None = None) -> tuple[int, ...] | None:
        """The rowids of every matching entry, newest first: the inbox's whole order.

        A tuple of ints is cheap even at 100,000 entries; rows are then paged in
        by ``rows()`` for what is on screen. The date-ordered list for the
        filter without its words is cached until the data changes, so a
        keystroke costs one full-text match and a pass over ints. ``stop`` is
        asked once the matches are read: the TUI gives up on a list the
        editor has already typed past (None is returned). ``matches`` is what
        ``matching(flt.text)`` gave, when it was read ahead.

        A tuple, not a list: the garbage collector stops looking into a tuple
        of ints after its first pass, and walks a list in every pass for as
        long as it lives. A pass over a 100,000-int list costs about 9 ms, and
        the TUI keeps several, so every older-generation pass paused a
        keystroke or a scroll by tens of milliseconds.
        """
        base = self._ordered(replace(flt, text=""))
        if not fts_query(flt.text):
            return base
        found = self.matching(flt.text) if matches is None else matches
        if stop is not None and stop():
            return None
        return tuple(filter(set(json.loads(found)).__contains__, base))

    def matching(self, text: str) -> str:
        """The rowids of the entries that match ``text``, as a JSON array.

        One step of SQLite, which holds no GIL while it works: the TUI reads
        it on another thread while the first screenful is read and drawn.
        Row by row, the step gave up the GIL 100,000 times and waited its
        turn each time the UI thread was drawing.
        """
        query = fts_query(text)
        if not query:
            return "[]"
        (found,), = self.db.execute(
            "SELECT json_group_array(rowid & ?) FROM entries_fts WHERE entries_fts MATCH ?",
            (_ROWID_MASK, query))
        return str(found)

    def _ordered(self, flt: EntryFilter) -> tuple[int, ...]:
        """The date order for ``flt``, one copy for every thread until the data changes.

        The TUI's queries run on whichever pool thread is free; with a copy per
        thread, a keystroke that landed on a new thread paid 100-250 ms to read
        the order again. ``PRAGMA data_version`` only compares within one
        connection, so one connection that never writes watches for commits.
        """
        with self._order_lock:
            key = self._order_key(flt)
            if self._order is not None and self._order[0] == key:
                return self._order[1]
        # Read after the key: the order is at least as new as what the key says.
        where, args = self._where(flt)
        sql = f"SELECT e.rowid FROM entries e WHERE {where} ORDER BY e.sort_time DESC, e.rowid DESC"
        ordered = tuple(r[0] for r in self.db.execute(sql, args))
        with self._order_lock:
            self._order = (key, ordered)
        return ordered

    def _order_key(self, flt: EntryFilter) -> tuple[EntryFilter, int]:
        """What the cached order must have been read for; under ``_order_lock``."""
        if self._order_watch is None:
            self._order_watch = self._connect()
        version = self._order_watch.execute("PRAGMA data_version").fetchone()[0]
        return (flt, version)  # every write is another connection's to this one

    def order_at_hand(self, flt: EntryFilter) -> int | None:
        """How many entries the date order of ``flt`` (its words aside) holds, if
        ``entry_rowids(flt)`` would find it read already; None if not.

        Then a filter's words cost one full-text match and a pass over that many
        ints; otherwise the order is read first (50-100 ms at 100,000 entries).
        """
        with self._order_lock:
            if self._order is not None \
                    and self._order[0] == self._order_key(replace(flt, text="")):
                return len(self._order[1])
            return None

    def rows(self, rowids: Sequence[int]) -> list[EntryRow]:
        """Inbox rows for these rowids, in the order given."""
        if not rowids:
            return []
        found: dict[int, EntryRow] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT {self._ROW_COLS} FROM entries e JOIN feeds f ON f.id = e.feed_id "
                f"WHERE e.rowid IN ({marks})",
                chunk,
            ):
                found[r[0]] = _entry_row(r)
        return [found[i] for i in rowids if i in found]

    def list_entries(self, flt: EntryFilter = EntryFilter(), limit: int = 100,
                     offset: int = 0) -> list[EntryRow]:
        """A page of the inbox order.

        With words, the full-text index leads. Its rowids put the newest weeks
        first, so the page is among the matches of the few newest weeks that
        hold enough of them: those are read until the week after the page's
        last match begins, then sorted by date. 2-4 ms for a word in most of
        100,000 entries, where sorting every match first took 50-100 ms.
        """
        query = fts_query(flt.text)
        where, args = self._where(replace(flt, text=""))
        if not query:
            sql = (f"SELECT {self._ROW_COLS} FROM entries e JOIN feeds f ON f.id = e.feed_id "
                   f"WHERE {where} ORDER BY e.sort_time DESC, e.rowid DESC LIMIT ? OFFSET ?")
            return [_entry_row(r) for r in self.db.execute(sql, [*args, limit, offset])]
        cursor = self.db.execute(
            f"SELECT e.sort_time, e.rowid, entries_fts.rowid >> {_KEY_ROWID_BITS} "
            "FROM entries_fts CROSS JOIN entries e ON e.order_key = entries_fts.rowid "
            f"WHERE entries_fts MATCH ? AND {where} ORDER BY entries_fts.rowid DESC",
            [query, *args])
        found: list[tuple[float, int]] = []
        last_week = None
        for sort_time, rowid, week in cursor:
            if week != last_week and len(found) >= offset + limit:
                break  # nothing from an older week can be on the page
            found.append((sort_time, rowid))
            last_week = week
        cursor.close()
        found.sort(reverse=True)
        return self.rows([rowid for _, rowid in found[offset:offset + limit]])

    def count_entries(self, flt: EntryFilter = EntryFilter()) -> int:
        where, args = self._where(flt)
        return int(self.db.execute(f"SELECT count(*) FROM entries e WHERE {where}",
                                   args).fetchone()[0])

    def entry(self, entry_id: str) -> Entry | None:
        """The whole entry (content included), with every feed it was seen in."""
        row = self.db.execute(
            "SELECT e.rowid, e.id, e.link, e.title, f.url, e.guid, e.author, e.source_title, "
            "e.source_url, e.published, e.updated, e.summary_html, e.content_html, e.text, "
            "e.categories, e.state, COALESCE(NULLIF(f.title, ''), f.url) "
            "FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            return None
        feeds = tuple(
            r[0] for r in self.db.execute(
                "SELECT f.url FROM entry_feeds ef JOIN feeds f ON f.id = ef.feed_id "
                "WHERE ef.entry_rowid = ? ORDER BY f.id", (row[0],)
            )
        )
        return Entry(
            id=row[1], link=row[2], title=row[3], feed_url=row[4], guid=row[5], author=row[6],
            source_title=row[7], source_url=row[8], published=_dt(row[9]),
            updated=_dt(row[10]), summary_html=row[11], content_html=row[12], text=row[13],
            categories=tuple(json.loads(row[14] or "[]")), state=row[15], feeds=feeds,
            feed_title=row[16],
        )

    def entry_by_link(self, link: str) -> Entry | None:
        row = self.db.execute("SELECT id FROM entries WHERE link = ? LIMIT 1",
                              (link,)).fetchone()
        return self.entry(row[0]) if row else None

    def set_state(self, entry_ids: Iterable[str], state: EntryState) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE entries SET state = ? WHERE id = ?",
                           [(state, i) for i in entry_ids])

    # --- past issues ---------------------------------------------------------

    def index_issues(self, issues: Iterable[Issue]) -> None:
        """Replace the search index of issues with these (the files are the truth)."""
        rows = []
        for issue in issues:
            for section in issue.sections:
                if section.notes:
                    rows.append((issue.number, issue.status, issue.date.isoformat(),
                                 issue.title, section.title, section.title, "",
                                 section.notes, ""))
                for item in section.items:
                    # Entries are stored under canonical links; compare like with like.
                    url = canonical_url(item.url) or item.url if item.url else ""
                    rows.append((issue.number, issue.status, issue.date.isoformat(),
                                 issue.title, section.title, item.title, url,
                                 item.blurb, item.source))
        indexed = self.db.execute(
            "SELECT number, status, date, issue_title, section, title, url, blurb, source "
            "FROM issue_items ORDER BY rowid").fetchall()
        if indexed == rows:
            # The TUI indexes the archive at every start: an unchanged archive
            # writes nothing, so the inbox's cached order stays valid and a
            # running `digest fetch` is not made to wait.
            return
        with self.transaction() as db:
            db.execute("DELETE FROM issue_items")
            db.executemany(
                "INSERT INTO issue_items(number, status, date, issue_title, section, title, "
                "url, blurb, source) VALUES (?,?,?,?,?,?,?,?,?)",
                rows,
            )
            db.execute("INSERT INTO issue_items_fts(issue_items_fts) VALUES ('rebuild')")

    def featured(self, links: Iterable[str] | None = None) -> dict[str, int]:
        """Canonical link → number of the latest published issue that featured it."""
        sql = ("SELECT url, max(number) FROM issue_items WHERE status = 'published' "
               "AND url != '' GROUP BY url")
        found = {r[0]: r[1] for r in self.db.execute(sql)}
        if links is None:
            return found
        return {u: found[u] for u in links if u in found}

    def search(self, text: str, limit: int = 50) -> SearchResults:
        """One query over past issues and stored entries, each ranked by bm25."""
        query = fts_query(text)
        if not query:
            return SearchResults()
        hits = tuple(
            IssueHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])
            for r in self.db.execute(
                "SELECT i.number, i.date, i.issue_title, i.section, i.title, i.url, i.blurb, "
                "snippet(issue_items_fts, 1, '\x02', '\x03', '…', 12), "
                "bm25(issue_items_fts, 8.0, 2.0, 1.0, 1.0) AS rank "
                "FROM issue_items_fts JOIN issue_items i ON i.rowid = issue_items_fts.rowid "
                "WHERE issue_items_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit),
            )
        )
        # Rank only the newest matches: a common word matches tens of thousands
        # of entries, and bm25 over all of them costs more than the answer is worth.
        keys = [key for (key,) in self.db.execute(
            "SELECT rowid FROM ("
            " SELECT rowid, bm25(entries_fts, 8.0, 3.0, 2.0, 1.0) AS rank "
            " FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
            ") ORDER BY rank LIMIT ?",
            (query, RANK_WINDOW, limit),
        )]
        rows = self.rows([key & _ROWID_MASK for key in keys])
        return SearchResults(hits, tuple(rows), self._snippets(query, keys, rows))

    def _snippets(self, query: str, keys: Sequence[int],
                  rows: Sequence[EntryRow]) -> dict[str, str]:
        """Snippets of the ranked entries only, by entry id.

        A snippet reads and tokenizes the entry's text; made in the ranking
        query, it was made for the whole window of 2,000 (half of a search's
        time). Here the window is walked again between the keys' bounds, and
        the CASE makes a snippet only for the keys that made the list (a
        ``rowid IN`` in the WHERE would make FTS5 look up every key alone,
        100 times slower for a whole word).
        """
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        made = dict(self.db.execute(
            f"SELECT rowid, CASE WHEN rowid IN ({marks}) THEN "
            "snippet(entries_fts, 3, '\x02', '\x03', '…', 12) END "
            "FROM entries_fts WHERE entries_fts MATCH ? AND rowid BETWEEN ? AND ?",
            (*keys, query, min(keys), max(keys))))
        by_rowid = {row.rowid: row.id for row in rows}
        return {by_rowid[key & _ROWID_MASK]: made[key] for key in keys
                if key & _ROWID_MASK in by_rowid and made.get(key) is not None}

    def stats(self) -> dict[str, int]:
        db = self.db
        return {
            "feeds": db.execute("SELECT count(*) FROM feeds").fetchone()[0],
            "entries": db.execute("SELECT count(*) FROM entries").fetchone()[0],
            "new": db.execute("SELECT count(*) FROM entries WHERE state='new'").fetchone()[0],
        }

    def data_version(self) -> int:
        """Changes when another connection commits: the TUI polls it to pick up fetches."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])



def _entry_row(r: Sequence[Any]) -> EntryRow:
    """An inbox row from a row of ``Store._ROW_COLS``."""
    return EntryRow(r[0], r[1], r[2], r[3], r[4], r[5], _dt(r[6]), r[7])


def _week(sort_time: float) -> int:
    """``WEEK_OF`` in Python: SQLite's CAST and integer division truncate toward zero."""
    seconds = int(sort_time)
    week = abs(seconds) // _WEEK * (1 if seconds >= 0 else -1)
    return min(max(week, -_WEEKS), _WEEKS - 1)


def _staged(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The batch renumbered for insertion: first copies week by week, then the rest.

    The full-text rowids (ORDER_KEY) then rise through the insert, as FTS5
    needs to keep its pending data in one piece, and the first copy of an
    entry in the batch still wins. Sorted here, not by an ORDER BY in the
    insert: SQLite's sorter held every row, text and all (15 MB more at the
    peak of a 1,000-feed fetch).
    """
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        first.setdefault(row[2], index)
    order = sorted(first.values(), key=lambda index: _week(rows[index][12]))
    firsts = set(order)
    order += [index for index in range(len(rows)) if index not in firsts]
    return [(seq, *rows[index][1:]) for seq, index in enumerate(order)]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN…END)."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements
