"""The reads of a poll round: the due jobs grouped by resource and read with ``?ids=`` (at
most 100 a request), or one by one with ``GET {id}/`` where the list documents no ``ids``;
what a read changed applied to the ledger: a whole answer in one transaction, written by the
:class:`~app.jobs.ledger.LedgerWriter` off the event-loop thread; ``on_change`` fires on the
loop thread once it committed."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from app.api.errors import (
    ConnectionFailedError,
    CreatifyError,
    RateLimitedError,
    TimeoutFailedError,
)
from app.api.resources import MAX_IDS_PER_LIST, resource
from app.api.snapshot import JobSnapshot
from app.jobs.ledger import LedgerError, LedgerWriter
from app.jobs.scheduler._timing import Timing

log = logging.getLogger(__package__)


def _lists_by_ids(resource_key: str) -> bool:
    """Whether the resource's list can be asked for given jobs (``?ids=``)."""
    try:
        return resource(resource_key).supports_ids
    except (KeyError, ValueError):
        return True


class Reads(Timing):
    """:meth:`poll_once`: one round of batched (or one-by-one) reads."""

    writer: LedgerWriter
    _queue_downloads: Callable[[], bool]

    async def poll_once(self) -> float:
        """Read every job that is due; return the seconds until the next one is."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        if min(self._due.values(), default=now + 1) > now:
            return self._until_next()
        # Everything due now, plus what falls due shortly: fewer, fuller requests.
        due = [key for key, at in self._due.items() if at <= now + self.policy.coalesce]
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        records = await self.writer.records(due)  # read off the loop thread, a few queries
        for key in due:
            record = records.get(key)
            if record is None:
                self.forget(key)
                continue
            if not record.server_id or not record.state.is_active or not record.watching:
                self.forget(key)
                continue
            groups[record.resource].append((key, record.server_id))
        for resource_key, jobs in groups.items():
            if _lists_by_ids(resource_key):
                for start in range(0, len(jobs), MAX_IDS_PER_LIST):
                    chunk = jobs[start:start + MAX_IDS_PER_LIST]
                    if not await self._read(resource_key, chunk):
                        return max(self._paused_until - self._clock(), 0.0)
            elif not await self._read_each(resource_key, jobs):
                return max(self._paused_until - self._clock(), 0.0)
        return self._until_next()

    async def _read(self, resource_key: str, chunk: list[tuple[str, str]]) -> bool:
        """One list request for up to 100 jobs; False when polling must pause."""
        by_id: dict[str, list[str]] = defaultdict(list)  # a preview and its render share one
        for key, server_id in chunk:
            by_id[server_id].append(key)
        self.requests += 1
        try:
            snapshots = await self.client.list_jobs(resource_key, list(by_id))
        except CreatifyError as exc:
            return self._failed(resource_key, [key for key, _id in chunk], exc)
        self._network_failures = 0
        self.paused_reason = None
        answers: dict[str, JobSnapshot] = {}
        for snapshot in snapshots:
            for found in by_id.get(snapshot.id, ()):
                answers.setdefault(found, snapshot)  # a repeated job: the first answer counts
        await self._apply([key for key, _id in chunk], answers)
        for key, server_id in chunk:
            if key not in answers:
                log.warning("%s %s was not in the list answer; asking again later",
                            resource_key, server_id)
                self._reschedule(key)
        return True

    async def _read_each(self, resource_key: str, jobs: list[tuple[str, str]]) -> bool:
        """Jobs of a resource whose list takes no ``ids`` (Ad Clone): ``GET {id}/`` each, at
        most ``policy.max_single_reads`` a round (the rest stay due for the next round), with
        the same pauses as a list read. False when polling must pause."""
        by_id: dict[str, list[str]] = defaultdict(list)
        for key, server_id in jobs:
            by_id[server_id].append(key)
        for server_id in list(by_id)[:self.policy.max_single_reads]:
            keys = by_id[server_id]
            self.requests += 1
            try:
                snapshot = await self.client.get_job(resource_key, server_id)
            except CreatifyError as exc:
                if not self._failed(resource_key, keys, exc):
                    return False
                continue
            self._network_failures = 0
            self.paused_reason = None
            if snapshot.id == server_id:
                await self._apply(keys, dict.fromkeys(keys, snapshot))
                continue
            await self._apply(keys, {})
            for key in keys:
                log.warning("%s %s answered as %s; asking again later", resource_key,
                            server_id, snapshot.id)
                self._reschedule(key)
        return True

    def _failed(self, resource_key: str, keys: list[str], exc: CreatifyError) -> bool:
        """A read failed: pause everyone on 429 / network trouble (False), else try these
        jobs again later (True)."""
        if isinstance(exc, RateLimitedError):
            wait = exc.retry_after or self.policy.rate_limit_default
            self._pause(wait, f"Creatify asked us to slow down ({wait:.0f} s)")
            return False
        if isinstance(exc, ConnectionFailedError | TimeoutFailedError):
            self._network_failures += 1
            low, high = self.policy.network_backoff
            wait = min(high, low * 2 ** (self._network_failures - 1))
            self._pause(wait, f"Network trouble ({exc.message}); retrying in {wait:.0f} s")
            return False
        log.warning("reading %s failed: %s; trying again later", resource_key, exc.message)
        for key in keys:
            self._reschedule(key)
        return True

    async def _apply(self, polled: list[str], answers: dict[str, JobSnapshot]) -> None:
        """Stamp ``polled`` as read and apply ``answers`` (key -> snapshot) in one transaction
        (with "stalled" for jobs past their time); tell ``on_change`` what changed, once
        committed; forget the finished jobs, reschedule the others."""
        try:
            changed = await self.writer.apply_answer(
                polled, list(answers.items()), stalled=self._is_stalled,
                queue_downloads=self._queue_downloads())
        except LedgerError as exc:  # busy past its timeout, a full disk: asked again later
            log.warning("could not record a poll answer: %s; asking again later", exc)
            for key in answers:
                self._reschedule(key)
            return
        finished: set[str] = set()
        for record in changed:
            self._on_change(record)
            if record.state.is_terminal:
                finished.add(record.key)
        for key in answers:
            if key in finished:
                self.forget(key)
            else:
                self._reschedule(key)
