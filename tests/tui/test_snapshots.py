"""Snapshots of the inbox and feeds screens at two terminal sizes.

Deterministic: fixed entry dates and fetch times, ``today`` frozen, TZ=UTC,
notifications off, the focus on the list (no blinking cursor). The fixtures
carry markup-like and control-character titles, so the pictures also show
that they are drawn literally.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import select, settle

SIZES = [(120, 40), (80, 24)]


async def _inbox_with_a_pick(pilot) -> None:
    await settle(pilot)
    select(pilot.app, "e002")
    await pilot.press("n")
    await settle(pilot)
    select(pilot.app, "e005")  # the hostile title
    await settle(pilot)


async def _feeds(pilot) -> None:
    await settle(pilot)
    await pilot.press("F")
    await settle(pilot)


async def _help(pilot) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_inbox(snap_compare, app, size) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_inbox_with_a_pick)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feeds(snap_compare, app, size) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_feeds)


def test_help(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=_help)
