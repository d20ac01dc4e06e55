"""The poll policy: when a job is read, from its generator's expected run time; how long to
back off after trouble; the figures reconciliation and the "stalled" state use.

A job is read little before it could be done, densely around its expected end and less often
as it ages past it (never less often than every ``slowest`` seconds, which bounds how late a
finished job is noticed). Every due time falls on a shared grid (``align``), so the jobs of a
resource due about the same time are read in one list request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """When a job is read; how long to back off after trouble. Times in Creatify seconds,
    divided by ``speed`` once :meth:`scaled` (the sandbox's clock runs fast)."""

    near: float = 2.0
    """The step around a job's expected end: the shortest wait between two reads."""
    far: float = 60.0
    """The longest wait before the expected end, once this generator's run time is learned."""
    unsure: float = 5.0
    """The longest wait before the expected end while the run time is only the generator's
    published figure (a job may well be done much sooner)."""
    slowest: float = 5.0
    """The longest wait past the expected end: with ``align``, a finished job is read within
    6 s of its end by the plan (what a busy machine adds comes on top)."""
    align: float = 1.0
    """Due times are rounded up to a multiple of this, shared by every job: one round reads
    every job due in it, one list request per resource (up to 100 ids)."""
    jitter: float = 0.0
    """A random share of each wait (±), before the rounding to ``align``."""
    network_backoff: tuple[float, float] = (2.0, 60.0)
    rate_limit_default: float = 10.0
    coalesce: float = 1.0
    """Jobs due within this many seconds ride along with a request going out now."""
    stalled_after: float = 2.0
    """A job is "stalled" past this many times its generator's expected time."""
    match_window: timedelta = timedelta(minutes=10)
    """How far from our submit time a job in the list may be created to match it."""
    max_single_reads: int = 20
    """At most this many ``GET {id}/`` a round for a resource whose list takes no ``ids``."""
    speed: float = 1.0
    """How many times faster than Creatify the clock runs (``expected_seconds`` are divided
    by it); set by :meth:`scaled`."""

    def wait(self, age: float, expected: float, soonest: float | None = None) -> float:
        """Seconds from a read at ``age`` to the next, for a job expected to take
        ``expected`` seconds; ``soonest``: the shortest run time seen (``None`` while the
        expected time is only the generator's published figure).

        Not learned: half the time left, between ``near`` and ``unsure``. Learned: half the
        time left to ``soonest`` (between ``near`` and ``far``), then ``near`` up to the
        expected end. Past it: from ``near`` up to ``slowest`` over one more expected time."""
        left = expected - age
        if soonest is None:
            if left > self.near:
                return max(self.near, min(left / 2, self.unsure))
        elif age + self.near < soonest:
            return max(self.near, min((soonest - age) / 2, self.far))
        elif left > 0:
            return self.near
        over = max(0.0, -left) / max(expected, self.near)
        return self.near + (self.slowest - self.near) * min(1.0, over)

    def first(self, expected: float, soonest: float | None = None) -> float:
        """Seconds from a job's start to its first read."""
        return self.wait(0.0, expected, soonest)

    def slot(self, at: float) -> float:
        """``at`` rounded up to the shared grid."""
        if self.align <= 0:
            return at
        return math.ceil(at / self.align - 1e-9) * self.align

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy ``factor`` times faster (the sandbox's clock runs fast)."""
        return PollPolicy(
            near=self.near / factor, far=self.far / factor, unsure=self.unsure / factor,
            slowest=self.slowest / factor, align=self.align / factor, jitter=self.jitter,
            network_backoff=(self.network_backoff[0] / factor, self.network_backoff[1] / factor),
            rate_limit_default=self.rate_limit_default / factor,
            coalesce=self.coalesce / factor,
            stalled_after=self.stalled_after, match_window=self.match_window,
            max_single_reads=self.max_single_reads, speed=self.speed * factor)
