"""Which process follows the jobs: the follower (the lease's holder) polls, reconciles and
downloads; any other process sending on the same ledger watches the file for what the
follower (or a third process) changed, and takes the lease over when it is free.

Either way the caller sees every change through the same ``on_change`` (and
:meth:`~app.jobs.manager.JobManager.wait_ended` wakes), so a command line waiting for a job
works the same whether it polls Creatify itself or the window does.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from app.jobs.lease import Holder, LedgerWatch
from app.jobs.ledger import DownloadState, JobRecord, JobState, LedgerError
from app.jobs.manager._downloads import Downloads

log = logging.getLogger(__package__)

WATCH_INTERVAL = 0.5
"""Seconds between two looks at the ledger file (``PRAGMA data_version``: one integer)."""
ORPHAN_AFTER = 900.0
"""A ``submitting`` row of another process unchanged this long (seconds) lost its sender
(killed mid-send): the follower looks it up in Creatify's list, never re-sends it."""
ORPHAN_CHECK = 30.0
"""Seconds between two looks for such rows."""


class Following(Downloads):
    """The follower's duties (:meth:`_lead`), the ledger watch and the takeover."""

    def follower(self) -> Holder | None:
        """Who else follows the jobs (as it said), ``None`` when we do or nobody said."""
        return None if self.lease is None else self.lease.holder()

    async def start(self) -> None:
        """Follow the ledger's jobs if no other process does (reconcile what a previous run
        left unfinished, poll, download); look at the file for other processes' changes.
        One long-lived task either way (the scheduler's loop, polling only as the
        follower)."""
        if self.lease is None or self.lease.try_acquire():
            await self._lead()
        else:
            holder = self.lease.holder()
            log.info("jobs followed by another Creatify Studio (%s)",
                     holder.role if holder else "unknown")
            self._on_role(False)
        if self._watch is None:
            self.tasks.spawn(self.scheduler.run(), "poll scheduler")
        else:
            self.tasks.spawn(self.scheduler.run(polling=lambda: self.is_follower,
                                                between=self._look,
                                                every=self._watch_interval),
                             "poll scheduler")

    async def _lead(self) -> None:
        """Become the follower: reconcile (skipping what this process is sending right now),
        poll every active job, resume unfinished downloads."""
        await self.scheduler.start(skip=frozenset(self._in_flight))
        for record in self.ledger.needing_download():
            self._maybe_download(record, resume=True)
        self._on_role(True)

    async def _look(self) -> None:
        """What other processes changed; the lease taken over when its holder has gone."""
        watch = self._watch
        if watch is None:
            return
        for key in watch.changed():
            try:
                record = self.ledger.get(key)
            except KeyError:
                continue
            except LedgerError as exc:  # busy past its timeout: looked at again next time
                log.warning("could not read job %s another process changed: %s", key, exc)
                continue
            self._elsewhere(record)
        if not self.is_follower and self.lease is not None and self.lease.try_acquire():
            log.info("the follower left: this process follows the jobs now")
            await self._lead()
        if self.is_follower and time.monotonic() >= self._next_orphan_check:
            self._next_orphan_check = time.monotonic() + min(ORPHAN_CHECK, self.orphan_after)
            await self._reconcile_orphans(watch)

    async def _reconcile_orphans(self, watch: LedgerWatch) -> None:
        """Look up the creates another process began and never finished recording."""
        before = datetime.now(UTC) - timedelta(seconds=self.orphan_after)
        for key in watch.stale_submits(before):
            if key not in self._in_flight:
                log.info("job %s was being sent by a process that has gone: looking it up", key)
                await self.scheduler.reconcile(key)

    def _elsewhere(self, record: JobRecord) -> None:
        """A row another process changed: tell the caller; the follower watches a job another
        process created and saves a result nobody is saving."""
        self._on_change(record)
        if not self.is_follower:
            return
        if record.server_id and record.state.is_active and record.watching \
                and record.state not in (JobState.SUBMITTING, JobState.UNKNOWN) \
                and record.key not in self.scheduler.watched:
            self.scheduler.watch(record.key)
        if record.download_state is DownloadState.NONE:
            self._maybe_download(record)

    def _release(self) -> None:
        if self._watch is not None:
            self._watch.close()
        if self.lease is not None:
            self.lease.release()


__all__ = ["WATCH_INTERVAL", "Following"]
