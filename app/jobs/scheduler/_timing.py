"""Which watched job is due when: first reads placed from the generator's expected run time
(learned from the jobs seen to end, else the published figure), denser around the expected
end, backing off past it; due times on a shared grid so a round reads a resource's due jobs
in one list request; pauses for everyone after a 429 or network trouble; "stalled" past a
generator's expected time."""

from __future__ import annotations

import asyncio
import logging
import random
import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.api.client import CreatifyClient
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.scheduler._policy import PollPolicy

log = logging.getLogger(__package__)

Group = tuple[str, str]
"""Jobs that take about as long: (generator, flow)."""

LEARNED_FROM = (JobState.DONE, JobState.PREVIEW_READY)
"""Ends a run time is learned from (a failure may come early)."""

KEEP = 9
"""Run times kept per group; the median of these is the group's expected time."""

RELEARN = 0.1
"""A learned time this much shorter than before brings the group's due reads forward."""


@dataclass(slots=True)
class Plan:
    """One watched job's timing: its group, when it started, when it was last read."""

    group: Group
    started: float
    last: float | None = None


@dataclass(slots=True)
class RunTimes:
    """Run times of the jobs seen to end, by group, in the scheduler's clock."""

    seen: dict[Group, deque[float]] = field(default_factory=dict)
    typical: dict[Group, float] = field(default_factory=dict)
    soonest: dict[Group, float] = field(default_factory=dict)
    lows: dict[Group, deque[float]] = field(default_factory=dict)

    def add(self, group: Group, seconds: float, running: float | None) -> float | None:
        """Record one run (``seconds``; ``running``: the last age it was read still
        running, if it was); the group's new typical time when it dropped by more than
        :data:`RELEARN` (reads already planned should come sooner), else ``None``."""
        runs = self.seen.setdefault(group, deque(maxlen=KEEP))
        runs.append(seconds)
        lows = self.lows.setdefault(group, deque(maxlen=KEEP))
        if running is not None:
            lows.append(running)
        before = self.typical.get(group)
        now = statistics.median(runs)
        self.typical[group] = now
        # The soonest end: never above an age a job was still running at, so the dense reads
        # start before the quickest runs end (a figure from when a job was seen done could
        # only drift later, with our own lateness).
        self.soonest[group] = min(min(lows, default=now), now)
        if before is None or now < before * (1 - RELEARN):
            return now
        return None


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

    @property
    def _timing(self) -> tuple[dict[str, Plan], RunTimes]:
        """The plans of watched jobs and the learned run times (made on first use)."""
        state: tuple[dict[str, Plan], RunTimes] | None = self.__dict__.get("_timing_state")
        if state is None:
            state = ({}, RunTimes())
            self.__dict__["_timing_state"] = state
        return state

    # ------------------------------------------------------------------ what to watch

    def watch(self, key: str, *, now: bool = False) -> None:
        """Poll job ``key`` from now on (it must have a server id): first when its expected
        run time says it may be done (at once when it is already that old), or at once with
        ``now``."""
        at = self._clock()
        plans, _runs = self._timing
        plan = plans.get(key)
        if plan is None:
            record = self._record(key)
            group: Group = (record.generator, record.flow) if record else ("", "")
            started = self._started.setdefault(key, at - self._age(record))
            plan = plans[key] = Plan(group, started)
        if now:
            self._due[key] = at
        else:
            first = plan.started + self.policy.first(*self._expected_time(plan.group))
            self._due[key] = at if first <= at else self.policy.slot(first)
        self._wake.set()

    def forget(self, key: str) -> None:
        due = self._due.pop(key, None)
        started = self._started.pop(key, None)
        plans, runs = self._timing
        plan = plans.pop(key, None)
        if plan is None or started is None:
            return
        record = self._record(key)
        if record is None or record.state not in LEARNED_FROM:
            return
        # Ended between the last read and this one: the middle. Each read counts from when
        # it fell due, not from when its answer was written down (a busy round would feed
        # our own lateness back into the plan).
        at = self._clock()
        seen = min(at, due if due is not None else at) - plan.started
        running = None if plan.last is None else plan.last - plan.started
        typical = runs.add(plan.group, ((running or 0.0) + seen) / 2, running)
        if typical is not None:
            self._bring_forward(plan.group, typical, at)

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._due)

    def next_due(self) -> float | None:
        """When the next watched job falls due (the scheduler's clock), ``None`` when none."""
        return min(self._due.values(), default=None)

    def _is_stalled(self, record: JobRecord) -> bool:
        started = record.submitted_at or record.created_at
        age = (datetime.now(UTC) - started).total_seconds()
        return age > self._expected(record.generator) * self.policy.stalled_after

    # ------------------------------------------------------------------ when

    def _record(self, key: str) -> JobRecord | None:
        try:
            return self.ledger.get(key)
        except KeyError:
            return None

    def _age(self, record: JobRecord | None) -> float:
        """How long ago the job was sent, by the clock the ledger stamps rows with (0 when
        unknown)."""
        if record is None:
            return 0.0
        started = record.submitted_at or record.created_at
        return max(0.0, (self.ledger.clock() - started).total_seconds())

    def _expected_time(self, group: Group) -> tuple[float, float | None]:
        """The group's expected run time in the scheduler's clock and the shortest seen,
        learned from jobs seen to end; else the generator's published figure and ``None``."""
        _plans, runs = self._timing
        typical = runs.typical.get(group)
        if typical is not None:
            return typical, runs.soonest[group]
        return self._expected(group[0]) / self.policy.speed, None

    def _next_due(self, plan: Plan, at: float) -> float:
        wait = self.policy.wait(at - plan.started, *self._expected_time(plan.group))
        if self.policy.jitter > 0:
            spread = self.policy.jitter
            wait *= self._rng.uniform(1 - spread, 1 + spread)
        return self.policy.slot(at + wait)

    def _reschedule(self, key: str) -> None:
        if key not in self._due:
            return
        at = self._clock()
        plans, _runs = self._timing
        plan = plans.get(key)
        if plan is None:  # watched before plans existed
            plan = plans[key] = Plan(("", ""), self._started.get(key, at))
        plan.last = min(at, self._due[key])  # read no sooner than it fell due
        self._due[key] = self._next_due(plan, at)

    def _bring_forward(self, group: Group, typical: float, at: float) -> None:
        """The group turned out quicker than planned: reads planned on the old figure
        come as the new one says."""
        log.debug("%s/%s: run time now about %.1f s", group[0], group[1], typical)
        plans, _runs = self._timing
        for key, plan in plans.items():
            if plan.group != group or key not in self._due:
                continue
            since = plan.last if plan.last is not None else plan.started
            sooner = max(at, self._next_due(plan, since))
            if sooner < self._due[key]:
                self._due[key] = sooner
        self._wake.set()

    def _pause(self, seconds: float, reason: str) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self.paused_reason = reason
        log.info("polling paused: %s", reason)

    def _until_next(self) -> float:
        if not self._due:
            return 3600.0
        return max(min(self._due.values()) - self._clock(), 0.0)
