"""The :class:`LedgerWriter`: the ledger's hot writes, off the event-loop thread.

The app's asyncio loop is the Qt GUI thread (qasync): every millisecond a write spends there
(building rows, SQLite's locking, an fsync) is a millisecond the window is frozen. The writer
owns a second :class:`~app.jobs.ledger.Ledger` on the same file, opened and used only in one
dedicated worker thread (a single-thread executor); its async methods are awaited through
``loop.run_in_executor``. The loop-thread ledger keeps serving the reads (WAL lets them read
while the writer writes) and the rare writes the user makes by hand.

* **Order.** One thread, one queue: the writes reach the file in the order they were asked
  for, so one job's changes always apply in order. A caller that needs a write committed
  before it acts awaits it: a create request never leaves before its ``submitting`` row is
  committed (and fsynced: :meth:`begin_submit` is a ``synchronous=FULL`` write).
* **Durability.** The rule of :mod:`app.jobs.ledger._store`: ``synchronous=NORMAL`` for
  ordinary writes (they survive the app being killed; only a power cut can lose the last
  ones), ``FULL`` exactly for the writes that must precede the network
  (:meth:`begin_submit`, :meth:`mark_ambiguous`) — which also makes every earlier commit
  durable.
* **One transaction per poll answer.** :meth:`apply_answer` stamps, applies and marks
  stalled a whole list answer (up to 100 jobs) in one commit.
* Callers fire their ``on_change`` callbacks on the loop thread once the awaited write
  returns: after it committed.

A ledger that is not a plain file (``:memory:``, a ``file:`` URI) cannot be opened twice:
its writer runs the writes inline on the caller's thread, as the ledger always did.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from app.api.snapshot import JobSnapshot
from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._records import JobRecord
from app.jobs.ledger._states import DownloadState
from app.jobs.ledger._store import Ledger

T = TypeVar("T")


class LedgerWriter:
    """Writes to ``ledger``'s file from one worker thread (``thread=False``: inline, on the
    caller's thread, through ``ledger`` itself). :meth:`close` waits for the queued writes."""

    def __init__(self, ledger: Ledger, *, thread: bool = True) -> None:
        self.ledger = ledger
        self.path = ledger.path
        inline = not thread or self.path == ":memory:" or self.path.startswith("file:")
        self._own: Ledger | None = ledger if inline else None
        self._executor: ThreadPoolExecutor | None = None if inline else ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="ledger-writer")
        self._closed = False
        self.thread_id: int | None = threading.get_ident() if inline else None
        """The thread the writes run on (known once the first one ran)."""

    @property
    def threaded(self) -> bool:
        return self._executor is not None

    def _in_thread(self, fn: Callable[[Ledger], T]) -> T:
        if self._own is None:  # opened in the worker thread, used only there
            self._own = Ledger(self.path, clock=self.ledger.clock)
            self.thread_id = threading.get_ident()
        return fn(self._own)

    async def run(self, fn: Callable[[Ledger], T]) -> T:
        """``fn(ledger)`` on the writer's own ledger, in its thread; its result once done."""
        if self._closed:
            raise LedgerError(f"the job ledger {self.path} is closed")
        if self._executor is None:
            assert self._own is not None
            return fn(self._own)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._in_thread, fn)

    def close(self) -> None:
        """Finish the queued writes and close the writer's connection (idempotent). The
        loop-thread ledger stays open (its owner closes it)."""
        if self._closed:
            return
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is None:
            return

        def shut() -> None:
            if self._own is not None:
                self._own.close()
        executor.submit(shut)
        executor.shutdown(wait=True)

    # ------------------------------------------------------------------ the writes

    async def begin_submit(self, **fields: Any) -> JobRecord:
        """:meth:`Ledger.begin_submit` (committed and fsynced when this returns)."""
        return await self.run(lambda ledger: ledger.begin_submit(**fields))

    async def mark_created(self, key: str, snapshot: JobSnapshot) -> JobRecord:
        return await self.run(lambda ledger: ledger.mark_created(key, snapshot))

    async def mark_ambiguous(self, key: str, detail: str) -> JobRecord:
        """:meth:`Ledger.mark_ambiguous` (committed and fsynced when this returns)."""
        return await self.run(lambda ledger: ledger.mark_ambiguous(key, detail))

    async def mark_not_created(self, key: str, detail: str) -> JobRecord:
        return await self.run(lambda ledger: ledger.mark_not_created(key, detail))

    async def set_server_id(self, key: str, server_id: str, detail: str) -> JobRecord:
        return await self.run(lambda ledger: ledger.set_server_id(key, server_id, detail))

    async def apply_snapshot(self, key: str, snapshot: JobSnapshot) -> JobRecord:
        return await self.run(lambda ledger: ledger.apply_snapshot(key, snapshot))

    async def apply_answer(self, polled: Iterable[str],
                           answers: Sequence[tuple[str, JobSnapshot]], *,
                           stalled: Callable[[JobRecord], bool] | None = None,
                           queue_downloads: bool = False,
                           at: datetime | None = None) -> list[JobRecord]:
        """:meth:`Ledger.apply_answer`: a whole poll answer, one transaction."""
        keys = list(polled)
        return await self.run(lambda ledger: ledger.apply_answer(
            keys, answers, stalled=stalled, queue_downloads=queue_downloads, at=at))

    async def mark_polled(self, keys: Iterable[str]) -> None:
        polled = list(keys)
        await self.run(lambda ledger: ledger.mark_polled(polled))

    async def set_download(self, key: str, state: DownloadState, *, path: str | None = None,
                           bytes_done: int | None = None,
                           error: str | None = None) -> JobRecord:
        return await self.run(lambda ledger: ledger.set_download(
            key, state, path=path, bytes_done=bytes_done, error=error))

    async def record_balance(self, credits: Decimal) -> None:
        await self.run(lambda ledger: ledger.record_balance(credits))

    async def records(self, keys: Iterable[str]) -> dict[str, JobRecord]:
        """:meth:`Ledger.records`, read on the writer's connection (off the loop thread)."""
        wanted = list(keys)
        return await self.run(lambda ledger: ledger.records(wanted))
