"""Curation steps and the editing session: undo, redo, saving, no lost items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest import archive, curate
from digest.config import Project, load_project
from digest.curate import CurateError
from digest.model import Entry, Issue, Item, Section
from digest.session import HISTORY, EditSession
from digest.store import FetchRecord, Store

DAY = dt.date(2026, 6, 5)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    archive.init_project(tmp_path / "proj", "T")
    return load_project(tmp_path / "proj")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "cache.sqlite")
    yield s
    s.close()


def entry(n: int, text: str = "") -> Entry:
    return Entry(id=f"e{n}", link=f"https://www.blog{n}.org/post/{n}", title=f"Post {n}",
                 text=text, source_url="")


def issue() -> Issue:
    return Issue(number=5, date=DAY, sections=[
        Section("news", "News", items=[Item("A", "https://a.org/"), Item("B", "https://b.org/"),
                                       Item("C", "https://c.org/")]),
        Section("releases", "Releases", items=[Item("R", "https://r.org/")]),
        Section("articles", "Articles"),
    ])


def titles(iss: Issue, sid: str) -> list[str]:
    section = iss.section(sid)
    assert section is not None
    return [i.title for i in section.items]


# --- curate ------------------------------------------------------------------


def test_first_blurb_takes_two_sentences_when_they_fit() -> None:
    assert curate.first_blurb("One.  Two!\nThree.") == "One. Two!"
    long = "Word " * 100
    blurb = curate.first_blurb(long, limit=50)
    assert blurb.endswith("…") and len(blurb) <= 51
    assert curate.first_blurb("   ") == ""


def test_item_from_entry_keeps_id_and_bare_domain() -> None:
    item = curate.item_from_entry(entry(1, "Hello there. More."))
    assert (item.title, item.source, item.entry_id) == ("Post 1", "blog1.org", "e1")
    assert item.blurb == "Hello there. More."


def test_pick_files_in_config_order_and_moves_existing(project: Project) -> None:
    iss = Issue(number=1, date=DAY)
    curate.pick(iss, project, entry(1), "articles")
    curate.pick(iss, project, entry(2), "news")
    assert [s.id for s in iss.sections] == ["news", "articles"]
    curate.pick(iss, project, entry(1), "news")
    assert titles(iss, "news") == ["Post 2", "Post 1"] and titles(iss, "articles") == []
    with pytest.raises(CurateError, match="no section 'nope'"):
        curate.pick(iss, project, entry(3), "nope")


def test_pick_again_into_same_section_does_not_reorder(project: Project) -> None:
    iss = Issue(number=1, date=DAY)
    for n in (1, 2, 3):
        curate.pick(iss, project, entry(n), "news")
    curate.pick(iss, project, entry(1), "news")
    assert titles(iss, "news") == ["Post 1", "Post 2", "Post 3"]


def test_shift_item_clamps_and_rejects_bad_index() -> None:
    iss = issue()
    assert curate.shift_item(iss, "news", 0, -1) == 0
    assert curate.shift_item(iss, "news", 0, +1) == 1
    assert titles(iss, "news") == ["B", "A", "C"]
    assert curate.shift_item(iss, "news", 2, +1) == 2
    for bad in (3, -1):
        with pytest.raises(CurateError):
            curate.shift_item(iss, "news", bad, -1)
    with pytest.raises(CurateError):
        curate.shift_item(iss, "articles", 0, 1)
    assert titles(iss, "news") == ["B", "A", "C"]


def test_shift_section_and_unknown_section() -> None:
    iss = issue()
    assert curate.shift_section(iss, "releases", -1) == 0
    assert curate.shift_section(iss, "releases", -1) == 0
    assert curate.shift_section(iss, "articles", 5) == 2
    assert [s.id for s in iss.sections] == ["releases", "news", "articles"]
    with pytest.raises(CurateError, match="no section 'gone'"):
        curate.shift_section(iss, "gone", 1)


def test_move_item_checks_everything_before_changing(project: Project) -> None:
    iss = issue()
    with pytest.raises(CurateError):
        curate.move_item(iss, project, "news", 0, "no-such-section")
    assert titles(iss, "news") == ["A", "B", "C"]
    with pytest.raises(CurateError):
        curate.move_item(iss, project, "news", 9, "articles")
    assert [s.id for s in iss.sections] == ["news", "releases", "articles"]
    curate.move_item(iss, project, "news", 1, "news")
    assert titles(iss, "news") == ["A", "B", "C"]
    curate.move_item(iss, project, "news", 1, "projects")
    assert titles(iss, "news") == ["A", "C"] and titles(iss, "projects") == ["B"]


def test_place_item_within_and_across_sections() -> None:
    iss = issue()
    assert curate.place_item(iss, "news", 0, "news", 2) == 2
    assert titles(iss, "news") == ["B", "C", "A"]
    assert curate.place_item(iss, "news", 2, "releases", 0) == 0
    assert titles(iss, "releases") == ["A", "R"]
    assert curate.place_item(iss, "news", 0, "articles", 99) == 0
    assert titles(iss, "news") == ["C"] and titles(iss, "articles") == ["B"]
    with pytest.raises(CurateError):
        curate.place_item(iss, "news", 0, "nope", 0)
    assert titles(iss, "news") == ["C"]


def test_remove_item() -> None:
    iss = issue()
    assert curate.remove_item(iss, "news", 1).title == "B"
    with pytest.raises(CurateError, match="no item 3"):
        curate.remove_item(iss, "news", 2)


# --- session -----------------------------------------------------------------


def test_apply_undo_redo_and_save(project: Project) -> None:
    session = EditSession(project, issue())
    assert not session.can_undo and session.undo() is None and session.redo() is None
    session.apply("Move down", lambda i: curate.shift_item(i, "news", 0, 1))
    session.apply("Remove", lambda i: curate.remove_item(i, "releases", 0))
    assert session.dirty and session.version == 2
    path = session.save()
    assert path == archive.issue_path(project, 5) and not session.dirty
    assert titles(archive.load_issue(path), "news") == ["B", "A", "C"]
    assert session.undo() == "Remove"
    assert titles(session.issue, "releases") == ["R"] and session.dirty
    assert session.undo() == "Move down"
    assert titles(session.issue, "news") == ["A", "B", "C"]
    assert session.redo() == "Move down"
    assert titles(session.issue, "news") == ["B", "A", "C"]
    session.save()
    saved = archive.load_issue(path)
    assert titles(saved, "news") == ["B", "A", "C"] and titles(saved, "releases") == ["R"]
    # A new step forgets what could be redone.
    session.apply("Edit", lambda i: setattr(i, "title", "Hello"))
    assert not session.can_redo


def test_undo_restores_a_copy_not_the_recorded_state(project: Project) -> None:
    session = EditSession(project, issue())
    session.apply("Title", lambda i: setattr(i, "title", "One"))
    session.undo()
    session.issue.title = "mutated in place"
    session.redo()
    assert session.issue.title == "One"
    session.undo()
    assert session.issue.title == ""


def test_noop_change_records_no_step(project: Project) -> None:
    session = EditSession(project, issue())
    assert session.apply("Move up", lambda i: curate.shift_item(i, "news", 0, -1)) == 0
    assert not session.can_undo and not session.dirty and session.version == 0
    assert session.save() is None


def test_failed_change_leaves_issue_untouched(project: Project) -> None:
    session = EditSession(project, issue())

    def half_done(i: Issue) -> None:
        i.sections[0].items.clear()
        raise CurateError("nope")

    with pytest.raises(CurateError):
        session.apply("Broken", half_done)
    assert titles(session.issue, "news") == ["A", "B", "C"]
    assert not session.can_undo and not session.dirty


def test_history_keeps_at_least_fifty_steps(project: Project) -> None:
    assert HISTORY >= 50
    session = EditSession(project, issue())
    for n in range(HISTORY + 10):
        title = f"T{n}"

        def retitle(i: Issue, title: str = title) -> None:
            i.title = title

        session.apply(f"t{n}", retitle)
    undone = 0
    while session.undo() is not None:
        undone += 1
    assert undone == HISTORY
    assert session.issue.title == "T9"


def test_failed_save_keeps_change_and_retries(project: Project) -> None:
    session = EditSession(project, issue())
    session.apply("Title", lambda i: setattr(i, "title", "Kept"))
    project.issues_dir.rmdir()
    project.issues_dir.write_text("not a folder")
    with pytest.raises(archive.ArchiveError):
        session.save()
    assert session.dirty and session.save_error
    project.issues_dir.unlink()
    path = session.save()
    assert path is not None and archive.load_issue(path).title == "Kept"
    assert not session.dirty and session.save_error == ""


def test_hostile_text_round_trips_through_save(project: Project) -> None:
    hostile = '[bold red]x[/] [@click=app.quit]q[/] """ \\ end'
    session = EditSession(project, issue())
    session.apply("Edit", lambda i: setattr(i.sections[0].items[0], "blurb", hostile))
    path = session.save()
    assert path is not None
    assert archive.load_issue(path).sections[0].items[0].blurb == hostile


def test_dismiss_states_undo_and_redo(project: Project, store: Store) -> None:
    store.record_fetch(FetchRecord("https://f/", "ok", 200), [entry(1), entry(2)])
    session = EditSession(project, issue(), store)
    session.set_states("Dismiss", ["e1", "e2", "missing"], "dismissed")
    assert {store.entry(f"e{n}").state for n in (1, 2)} == {"dismissed"}  # type: ignore[union-attr]
    assert not session.dirty
    assert session.undo() == "Dismiss"
    assert {store.entry(f"e{n}").state for n in (1, 2)} == {"new"}  # type: ignore[union-attr]
    assert session.redo() == "Dismiss"
    assert store.entry("e1").state == "dismissed"  # type: ignore[union-attr]
    # Dismissing what is already dismissed is no step at all.
    session.undo()
    session.redo()
    before = session.can_redo
    session.set_states("Dismiss again", ["e1"], "dismissed")
    assert session.can_redo == before


def test_mixed_history_of_picks_and_dismissals(project: Project, store: Store) -> None:
    store.record_fetch(FetchRecord("https://f/", "ok", 200), [entry(1), entry(2)])
    session = EditSession(project, Issue(number=1, date=DAY), store)
    session.apply("Pick", lambda i: curate.pick(i, project, entry(1), "news"))
    session.set_states("Dismiss", ["e2"], "dismissed")
    session.apply("Pick", lambda i: curate.pick(i, project, entry(2), "articles"))
    assert session.undo() == "Pick" and session.issue.item_count() == 1
    assert session.undo() == "Dismiss"
    assert store.entry("e2").state == "new"  # type: ignore[union-attr]
    assert session.issue.item_count() == 1
    assert session.undo() == "Pick" and session.issue.item_count() == 0
    assert [session.redo() for _ in range(3)] == ["Pick", "Dismiss", "Pick"]
    assert session.issue.item_count() == 2
    assert store.entry("e2").state == "dismissed"  # type: ignore[union-attr]


def test_states_queued_behind_a_held_write_lock_keep_their_order(
        project: Project, store: Store) -> None:
    """A fetch holding the store's write lock must not hold up the session's caller.

    While another connection holds the lock, dismiss, undo and redo all
    return, the session sees its own changes at once (a second dismiss is no
    step), and once the lock is gone the store ends as the last change says.
    """
    import sqlite3
    import threading

    from digest.state_writes import StateWrites

    store.record_fetch(FetchRecord("https://f/", "ok", 200), [entry(1), entry(2)])
    session = EditSession(project, issue(), store)
    written: list[BaseException | None] = []
    session.writes = StateWrites(store, written.append)
    fetch = sqlite3.connect(store.path, isolation_level=None)
    fetch.execute("BEGIN IMMEDIATE")  # as a fetch's writer storing a batch
    returned = threading.Event()

    def edit() -> None:
        session.set_states("Dismiss", ["e1", "e2"], "dismissed")
        session.set_states("Dismiss again", ["e1"], "dismissed")
        session.undo()
        session.redo()
        returned.set()

    editor = threading.Thread(target=edit)
    editor.start()
    try:
        assert returned.wait(10), "the session waited for the store's write lock"
        assert {store.entry(f"e{n}").state for n in (1, 2)} == {"new"}  # type: ignore[union-attr]
        assert session.writes.state("e1", "new") == "dismissed"
        assert session.undo() == "Dismiss" and not session.can_undo  # one step, not two
        session.redo()
    finally:
        fetch.execute("ROLLBACK")
        fetch.close()
        editor.join()
    assert session.writes.flush(10)
    assert {store.entry(f"e{n}").state for n in (1, 2)} == {"dismissed"}  # type: ignore[union-attr]
    assert written == [None] * 5  # dismiss, undo, redo, undo, redo
    session.writes.close()


def test_a_state_the_store_refuses_is_reported_and_not_kept(project: Project,
                                                            store: Store) -> None:
    import sqlite3

    from digest.state_writes import StateWrites

    store.record_fetch(FetchRecord("https://f/", "ok", 200), [entry(1)])
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("CREATE TRIGGER refuse BEFORE UPDATE OF state ON entries "
                  "BEGIN SELECT RAISE(ABORT, 'the store refuses'); END")
    other.close()
    session = EditSession(project, issue(), store)
    written: list[BaseException | None] = []
    session.writes = StateWrites(store, written.append)
    session.set_states("Dismiss", ["e1"], "dismissed")
    assert session.writes.flush(10)
    assert [str(e) for e in written] == ["the store refuses"]
    assert store.entry("e1").state == "new"  # type: ignore[union-attr]
    assert session.writes.state("e1", "new") == "new"
    session.writes.close()


def test_first_draft_blurb_skips_a_repeated_title() -> None:
    entry = Entry(id="e", link="https://406.ch/writing/anything-new/", title="Anything new?",
                  text="Anything new?\n\nA lot of time has passed. I want to step down.")
    item = curate.item_from_entry(entry)
    assert item.blurb == "A lot of time has passed. I want to step down."
    only_title = Entry(id="f", link="https://x.example/", title="Short", text="Short")
    assert curate.item_from_entry(only_title).blurb == "Short"
