"""The :class:`JobManager`: one client, one ledger, one poll scheduler and the downloads of a
connection, started and closed together; what a previous run left is picked up on start by
the process that follows the ledger (the lease's holder, :mod:`._follow`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from app.api.client import CreatifyClient
from app.downloads import DEFAULT_TEMPLATE, DownloadQueue, FileFetcher
from app.generators import BY_KEY
from app.jobs.budget import BudgetLimits
from app.jobs.lease import FollowerLease, LedgerWatch, SendLock
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerWriter
from app.jobs.manager._follow import ORPHAN_AFTER, WATCH_INTERVAL, Following
from app.jobs.manager._stream import Streaming
from app.jobs.manager._submit import Submitting
from app.jobs.manager._tasks import TaskGroup
from app.jobs.scheduler import PollPolicy, PollScheduler


def _local_now() -> datetime:
    return datetime.now().astimezone()


class JobManager(Submitting, Streaming, Following):
    """Submits, follows and saves jobs for one connection (one client, one ledger).

    ``lease`` shares the ledger file with other processes: only its holder polls, reconciles
    and downloads, the others watch the file (every ``watch_interval`` seconds) and take over
    when it is free; ``on_role(is_follower)`` says which this process is. Without a lease the
    manager follows its ledger alone (tests, benchmarks)."""

    def __init__(self, client: CreatifyClient, ledger: Ledger, output_dir: Path, *,
                 on_change: Callable[[JobRecord], None] | None = None,
                 policy: PollPolicy | None = None, auto_download: bool = True,
                 download_limit: int = 3, name_template: str = DEFAULT_TEMPLATE,
                 on_error: Callable[[str, BaseException], None] | None = None,
                 budget: Callable[[], BudgetLimits] | None = None,
                 on_balance: Callable[[Decimal], None] | None = None,
                 now: Callable[[], datetime] = _local_now,
                 lease: FollowerLease | None = None,
                 on_role: Callable[[bool], None] | None = None,
                 watch_interval: float = WATCH_INTERVAL) -> None:
        self.client = client
        self.budget = budget or BudgetLimits
        self._waiters: dict[str, list[asyncio.Future[JobRecord]]] = {}
        self._on_balance = on_balance or (lambda _credits: None)
        self._now = now
        # Checking the budget and recording the job is one step: two submits at once (in this
        # process or another on the same ledger) must each see the other's estimate as committed.
        self._guard_lock = SendLock(ledger.path)
        self.lease = lease
        self._watch = LedgerWatch(ledger.path) if lease is not None else None
        self._watch_interval = watch_interval
        self._in_flight = set()
        self._on_role = on_role or (lambda _follower: None)
        self.orphan_after = ORPHAN_AFTER
        self._next_orphan_check = 0.0
        self.ledger = ledger
        self.writer = LedgerWriter(ledger)  # its own connection, in its own thread
        self.output_dir = output_dir
        self.auto_download = auto_download
        self.name_template = name_template
        notify = on_change or (lambda _record: None)

        def on_change_then_wake(record: JobRecord) -> None:
            if self._watch is not None:
                self._watch.saw(record.key, record.updated_at)
            notify(record)
            if record.key in self._waiters and (record.state.is_terminal
                                                or record.state is JobState.UNKNOWN):
                for future in self._waiters.pop(record.key):
                    if not future.done():
                        future.set_result(record)
        self._on_change = on_change_then_wake
        self.tasks = TaskGroup(on_error)
        self.scheduler = PollScheduler(
            client, ledger, on_change=self._changed, policy=policy, writer=self.writer,
            queue_downloads=lambda: self.auto_download and self.is_follower,
            expected_seconds=lambda key: BY_KEY[key].expected_seconds if key in BY_KEY
            else 600.0)
        self.downloads = DownloadQueue(download_limit)
        self._downloading: set[str] = set()
        # Results are fetched in a worker thread (app.downloads.FileFetcher): at curl's speed,
        # and no byte read or written on the event loop's (the GUI's) thread.
        self._web = FileFetcher(connect_timeout=10.0, read_timeout=120.0)

    # ------------------------------------------------------------------ life cycle

    async def aclose(self) -> None:
        await self.tasks.aclose()
        await self._web.aclose()
        self.writer.close()  # the queued writes finish first
        self._release()

    async def wait_ended(self, key: str) -> JobRecord:
        """The job's record once it is terminal, or ``unknown`` (its create answer lost)."""
        record = self.ledger.get(key)
        if record.state.is_terminal or record.state is JobState.UNKNOWN:
            return record
        future: asyncio.Future[JobRecord] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(future)
        return await future

    # ------------------------------------------------------------------ local actions

    def stop_watching(self, key: str) -> JobRecord:
        """Stop following a job here. Creatify keeps working (and may bill) on its side."""
        self.scheduler.forget(key)
        record = self.ledger.set_watching(key, False)
        self._on_change(record)
        return record

    def set_hidden(self, key: str, hidden: bool) -> JobRecord:
        record = self.ledger.set_hidden(key, hidden)
        self._on_change(record)
        return record
