"""What the inbox leaves to Python's garbage collector, whose full passes stall the UI."""

from __future__ import annotations

import gc
import weakref

from tests.tui.helpers import entry_list, listed_ids, settle


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
