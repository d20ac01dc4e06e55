"""The poll policy: how often a job is read by its age, how long to back off after trouble,
and the figures reconciliation and the "stalled" state use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often a job is read, by age; how long to back off after trouble."""

    steps: tuple[tuple[float, float], ...] = ((30, 2.0), (120, 5.0), (600, 15.0))
    slowest: float = 30.0
    jitter: float = 0.2
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

    def interval(self, age: float) -> float:
        for limit, seconds in self.steps:
            if age < limit:
                return seconds
        return self.slowest

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy ``factor`` times faster (the sandbox's clock runs fast)."""
        return PollPolicy(
            steps=tuple((limit / factor, seconds / factor) for limit, seconds in self.steps),
            slowest=self.slowest / factor, jitter=self.jitter,
            network_backoff=(self.network_backoff[0] / factor, self.network_backoff[1] / factor),
            rate_limit_default=self.rate_limit_default / factor,
            coalesce=self.coalesce / factor,
            stalled_after=self.stalled_after, match_window=self.match_window,
            max_single_reads=self.max_single_reads)
