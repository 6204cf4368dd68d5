"""Entry states (dismissed, restored) written in order on a thread of their own.

A UI must not wait for the store: while a fetch is storing entries (the TUI's
own, or a `digest fetch` from cron) the write lock can be held for half a
second at a time, and a dismiss waiting for it froze every key. The changes
are queued, written one transaction each in the order they were made, and
until one is written ``state`` answers from the queue, so the session that
made it sees it at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

from digest.model import EntryState
from digest.store import Store

#: Called on the writing thread after each change: None, or why it failed.
Written = Callable[[BaseException | None], object]
#: Called on the caller's thread as a change is queued: entry ids and their new state.
Queued = Callable[[list[str], EntryState], object]


class StateWrites:
    def __init__(self, store: Store, written: Written, queued: Queued | None = None) -> None:
        self._store = store
        self._written = written
        self._queued = queued
        self._queue: queue.SimpleQueue[tuple[int, list[str], EntryState] | None] = \
            queue.SimpleQueue()
        #: Guards what follows; notified whenever a change has been written.
        self._lock = threading.Condition()
        #: Entry id → (number of the change, state) for changes not yet written.
        self._pending: dict[str, tuple[int, EntryState]] = {}
        self._count = 0
        self._thread: threading.Thread | None = None

    def put(self, entry_ids: Iterable[str], state: EntryState) -> None:
        ids = list(entry_ids)
        with self._lock:
            self._count += 1
            number = self._count
            for entry_id in ids:
                self._pending[entry_id] = (number, state)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="digest-states",
                                                daemon=True)
                self._thread.start()
        self._queue.put((number, ids, state))
        if self._queued is not None:
            self._queued(ids, state)

    def state(self, entry_id: str, stored: EntryState) -> EntryState:
        """The entry's state once every queued change is written."""
        with self._lock:
            pending = self._pending.get(entry_id)
        return pending[1] if pending else stored

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued change is written (or failed); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            number, ids, state = item
            error: BaseException | None = None
            try:
                self._store.set_state(ids, state)
            except Exception as exc:  # noqa: BLE001 - said to the UI, which names it
                error = exc
            with self._lock:
                for entry_id in ids:
                    if self._pending.get(entry_id, (0, state))[0] == number:
                        del self._pending[entry_id]
                self._lock.notify_all()
            self._written(error)
