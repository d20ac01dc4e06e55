"""Following jobs with another process on the same ledger: which process polls Creatify (the
follower lease of :mod:`app.jobs.lease`), and waiting for jobs to end in either role.

The window and the command line may both have the data folder open. Only the follower polls;
the other sees every change through the ledger (``job_changed`` fires for rows another process
changed, too) and takes over within a second or so when the follower exits or dies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from app.jobs.lease import COMMAND_LINE, WINDOW, Holder
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.manager import JobManager
from app.session._events import SessionEvents


class Following:
    """The follower side of :class:`~app.session.Session` (``role``: ``"window"`` or
    ``"command line"``, what the other process's status says)."""

    jobs: JobManager | None
    ledger: Ledger | None
    events: SessionEvents
    role: str

    @property
    def is_follower(self) -> bool:
        """Whether this process polls Creatify for the ledger's active jobs (``False`` when
        not connected, or while another Creatify Studio does)."""
        return self.jobs is not None and self.jobs.is_follower

    def follower(self) -> Holder | None:
        """The other process that follows the jobs (its role and pid), when it said so;
        ``None`` when this one does, nobody does, or not connected."""
        return self.jobs.follower() if self.jobs is not None else None

    def _role_changed(self, follower: bool) -> None:
        holder = None if follower else self.follower()
        self.events.follower_changed(follower, holder.role if holder else None)

    async def wait_ended(self, key: str) -> JobRecord:
        """Job ``key``'s record once it is terminal or ``unknown`` — polled here, or followed
        by another process and seen in the ledger (``RuntimeError`` when not connected)."""
        if self.jobs is None:
            raise RuntimeError("not connected")
        return await self.jobs.wait_ended(key)

    async def follow(self, keys: Iterable[str] | None = None) -> list[JobRecord]:
        """Wait until every job of ``keys`` has ended, in either role: their final records in
        the order asked. Without ``keys``, until no job of the ledger is active any more —
        jobs sent meanwhile (here or by another process) included; an ``unknown`` create
        counts as ended (nothing more to wait for)."""
        jobs, ledger = self.jobs, self.ledger
        if jobs is None or ledger is None:
            raise RuntimeError("not connected")
        if keys is not None:
            return list(await asyncio.gather(*(jobs.wait_ended(key) for key in keys)))
        since = ledger.clock()
        ended: dict[str, JobRecord] = {}
        while pending := [r.key for r in ledger.active()
                          if r.state is not JobState.UNKNOWN and r.key not in ended]:
            for record in await asyncio.gather(*(jobs.wait_ended(key) for key in pending)):
                ended[record.key] = record
        # A job sent meanwhile may have ended in the very answer that ended the last one
        # waited for: never seen active, yet followed.
        for record in _created_since(ledger, since):
            if record.key not in ended and (record.state.is_terminal
                                            or record.state is JobState.UNKNOWN):
                ended[record.key] = record
        return list(ended.values())


def _created_since(ledger: Ledger, since: datetime, page: int = 200) -> list[JobRecord]:
    """The jobs created at or after ``since``, newest first."""
    found: list[JobRecord] = []
    offset = 0
    while records := ledger.page(offset=offset, limit=page, include_hidden=True):
        for record in records:
            if record.created_at < since:
                return found
            found.append(record)
        offset += page
    return found


__all__ = ["COMMAND_LINE", "WINDOW", "Following"]
