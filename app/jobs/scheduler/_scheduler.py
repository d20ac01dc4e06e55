"""The :class:`PollScheduler`: one loop for every watched job, started after reconciling
what a previous run left unfinished."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Collection

from app.api.client import CreatifyClient
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerWriter
from app.jobs.scheduler._policy import PollPolicy
from app.jobs.scheduler._reads import Reads
from app.jobs.scheduler._reconcile import Reconciling


class PollScheduler(Reads, Reconciling):
    """Polls every watched job of a ledger through one client.

    Parameters
    ----------
    client, ledger
        Where to read jobs and where to write what was read.
    writer
        Who writes to ``ledger``'s file (the job manager's, off the event-loop thread);
        without one the writes run inline through ``ledger`` itself.
    queue_downloads
        Whether a job a poll finishes with results is marked queued for download in the
        same commit (the job manager's automatic downloads).
    on_change
        Called with each record the scheduler changed (the UI's table model listens).
    expected_seconds
        A generator key -> how long its jobs usually take, in Creatify seconds (where the
        first reads go until run times are learned; "stalled").
    """

    def __init__(self, client: CreatifyClient, ledger: Ledger, *,
                 on_change: Callable[[JobRecord], None] | None = None,
                 expected_seconds: Callable[[str], float] | None = None,
                 policy: PollPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None,
                 writer: LedgerWriter | None = None,
                 queue_downloads: Callable[[], bool] | None = None) -> None:
        self.client = client
        self.ledger = ledger
        self.writer = writer or LedgerWriter(ledger, thread=False)
        self._queue_downloads = queue_downloads or (lambda: False)
        self.policy = policy or PollPolicy()
        self._on_change = on_change or (lambda _record: None)
        self._expected = expected_seconds or (lambda _generator: 600.0)
        self._clock = clock
        self._rng = rng or random.Random()
        self._due: dict[str, float] = {}
        self._started: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._network_failures = 0
        self._reconciling: set[str] = set()
        self.requests = 0
        self.paused_reason: str | None = None

    async def start(self, skip: Collection[str] = ()) -> None:
        """At start-up (or on taking over from another process): reconcile every unfinished
        create — but those in ``skip``, which this process is sending right now — then watch
        every active job."""
        for record in self.ledger.active():
            if record.key in skip:
                continue
            if record.state in (JobState.SUBMITTING, JobState.UNKNOWN):
                await self.reconcile(record.key)
            elif record.server_id:
                self.watch(record.key)

    # ------------------------------------------------------------------ the loop

    async def run(self, *, polling: Callable[[], bool] | None = None,
                  between: Callable[[], Awaitable[None]] | None = None,
                  every: float | None = None) -> None:
        """Poll until cancelled — while ``polling()`` says so (this process follows the
        ledger's jobs); ``between()`` runs after each wait, which lasts ``every`` seconds at
        most (the look at the ledger file for other processes' changes, in this one task)."""
        while True:
            if polling is None or polling():
                delay = await self.poll_once()
            else:
                delay = every if every is not None else 3600.0
            if every is not None:
                delay = min(delay, every)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            if between is not None:
                await between()
