"""Which watched job is due when: intervals growing with age (with jitter), pauses for
everyone after a 429 or network trouble, and "stalled" past a generator's expected time."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime

from app.api.client import CreatifyClient
from app.jobs.ledger import JobRecord, Ledger
from app.jobs.scheduler._policy import PollPolicy

log = logging.getLogger(__package__)


class Timing:
    """The due times of a :class:`~app.jobs.scheduler.PollScheduler` (its state is set by
    ``PollScheduler.__init__`` and declared here for its parts)."""

    client: CreatifyClient
    ledger: Ledger
    policy: PollPolicy
    requests: int
    paused_reason: str | None
    _on_change: Callable[[JobRecord], None]
    _expected: Callable[[str], float]
    _clock: Callable[[], float]
    _rng: random.Random
    _due: dict[str, float]
    _started: dict[str, float]
    _wake: asyncio.Event
    _paused_until: float
    _network_failures: int
    _reconciling: set[str]

    # ------------------------------------------------------------------ what to watch

    def watch(self, key: str, *, now: bool = True) -> None:
        """Poll job ``key`` from now on (it must have a server id)."""
        at = self._clock()
        self._started.setdefault(key, at)
        self._due[key] = at if now else at + self._next_interval(key)
        self._wake.set()

    def forget(self, key: str) -> None:
        self._due.pop(key, None)
        self._started.pop(key, None)

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._due)

    def _is_stalled(self, record: JobRecord) -> bool:
        started = record.submitted_at or record.created_at
        age = (datetime.now(UTC) - started).total_seconds()
        return age > self._expected(record.generator) * self.policy.stalled_after

    def _next_interval(self, key: str) -> float:
        age = self._clock() - self._started.get(key, self._clock())
        base = self.policy.interval(age)
        spread = self.policy.jitter
        return base * self._rng.uniform(1 - spread, 1 + spread)

    def _reschedule(self, key: str) -> None:
        if key in self._due:
            self._due[key] = self._clock() + self._next_interval(key)

    def _pause(self, seconds: float, reason: str) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self.paused_reason = reason
        log.info("polling paused: %s", reason)

    def _until_next(self) -> float:
        if not self._due:
            return 3600.0
        return max(min(self._due.values()) - self._clock(), 0.0)
