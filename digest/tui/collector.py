"""Keeping the garbage collector's passes off big short-lived containers.

A pass of Python's collector walks every container of the generations it
looks at, and the UI thread starts one wherever its allocations pass the
threshold, whatever the other threads hold at that moment.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pause_lock = threading.Lock()
_paused = 0
_enabled_before = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """No collector pass, on any thread, while big short-lived containers exist.

    The inbox's whole order is filtered on a worker thread through a set and
    a list of up to 100,000 ints; a young pass started by the UI thread in
    the meantime walked them and took 20-45 ms in the middle of a draw.
    They are freed by reference counting as the block ends.
    """
    global _paused, _enabled_before
    with _pause_lock:
        if _paused == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0 and _enabled_before:
                gc.enable()
