"""What the inbox leaves to Python's garbage collector, whose full passes stall the UI."""

from __future__ import annotations

import gc
import threading
import types
import weakref

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from digest.config import Project
from digest.store import Store
from digest.tui.app import make_app
from digest.tui.collector import collection_paused
from digest.tui.widgets.entry_list import RowStrip
from tests.tui.conftest import TODAY
from tests.tui.helpers import (
    before_whole_order,
    entry_list,
    listed_ids,
    settle,
    store_digest_notes,
)


async def test_a_new_filter_frees_the_rows_it_replaced_without_the_collector(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = entry_list(app).row_at(3)
        assert row is not None and row.id == "e004"
        gone = weakref.ref(row)
        del row
        gc.disable()  # only reference counting frees anything from here on
        try:
            await pilot.press("slash", *"wagt")
            await settle(pilot)
            assert listed_ids(app) == ["e002"]
            # A cache built of reference cycles would keep the row until a collection.
            assert gone() is None
        finally:
            gc.enable()


async def test_the_start_up_heap_is_frozen_while_the_app_runs(app) -> None:
    assert gc.get_freeze_count() == 0
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app._indexed  # the archive is indexed, so start-up is over
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0  # and given back when the app ends


async def test_the_inbox_order_is_left_out_of_the_collectors_passes(
        project: Project, store: Store) -> None:
    # A list of 100,000 ints is walked by every pass for as long as it lives
    # (about 9 ms each); a tuple of ints is walked once, then left out.
    store_digest_notes(store)  # more than the first page: the whole order is read
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(entry_list(app).ids) == 268
        gc.collect()
        assert not gc.is_tracked(entry_list(app).ids)
        await pilot.press("d")  # the order with the entry taken out, shown at once
        await settle(pilot)
        assert len(entry_list(app).ids) == 267
        gc.collect()
        assert not gc.is_tracked(entry_list(app).ids)
        await pilot.press("slash", *"digest")
        await settle(pilot)
        assert len(entry_list(app).ids) == 260
        gc.collect()
        assert not gc.is_tracked(entry_list(app).ids)
        await pilot.press(*"wag")  # "digestwag": nothing, the first page is all
        await settle(pilot)
        assert entry_list(app).ids == ()


async def test_the_whole_order_is_filtered_with_the_collector_paused(
        project: Project, store: Store, monkeypatch) -> None:
    # Its set and list of up to 100,000 ints live only during the filter; a
    # pass started by the UI thread meanwhile walked them for 20-45 ms.
    store_digest_notes(store)
    enabled_while_filtering: list[bool] = []
    before_whole_order(monkeypatch, store, "digest",
                       lambda: enabled_while_filtering.append(gc.isenabled()))
    app = make_app(project, store, today=TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"digest")
        await settle(pilot)
        assert len(entry_list(app).ids) == 260
    assert enabled_while_filtering == [False]
    assert gc.isenabled()


def test_a_collection_pause_ends_with_the_last_thread_in_it() -> None:
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collection_paused():
            entered.set()
            assert leave.wait(10)

    thread = threading.Thread(target=other)
    with collection_paused():
        thread.start()
        assert entered.wait(10)
    assert not gc.isenabled()  # the other thread is still in its pause
    leave.set()
    thread.join(10)
    assert gc.isenabled()
    gc.disable()  # paused by someone else first: left as found
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def reaches_itself(start: object) -> bool:
    """Whether ``start`` is in a reference cycle (types and modules aside)."""
    seen: set[int] = set()
    todo = list(gc.get_referents(start))
    while todo:
        obj = todo.pop()
        if obj is start:
            return True
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType)):
            continue
        seen.add(id(obj))
        todo.extend(gc.get_referents(obj))
    return False


def test_a_row_strip_divided_at_its_width_is_left_out_of_any_cycle() -> None:
    # The compositor divides every line at the screen's width; a plain Strip
    # then keeps itself in its own cache, a cycle only the collector frees.
    plain = Strip([Segment("a row", Style())])
    assert not reaches_itself(plain)
    plain.divide([5])
    assert reaches_itself(plain)  # what RowStrip is for
    row = RowStrip([Segment("a row", Style())])
    assert list(row.divide([5])) == [row]
    assert list(row.divide([5, 9])) == [row]  # cuts past its end are dropped
    assert not reaches_itself(row)
    pieces = row.divide([2, 5])
    assert [piece.text for piece in pieces] == ["a ", "row"]
