"""The simulated account's state: balance, faults, quirks, jobs, links, clock and logs.

:class:`Account` is the plain state :class:`~app.sandbox.world.World` guards with its lock,
plus the small rules every handler shares: ids, wall-clock times, the random draws, and the
money (a cost is refused when the balance, less what running jobs will still charge, is
short). It holds no locks and answers no requests: ``runs`` moves its jobs along the clock,
``objects`` turns them into wire objects, the ``handlers`` answer the routes.
"""

from __future__ import annotations

import copy
import itertools
import random
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.sandbox import media
from app.sandbox.behaviours import BEHAVIOURS
from app.sandbox.jobs import Behaviour, Job, Run
from app.sandbox.wire import (
    INSUFFICIENT_CREDITS,
    ApiError,
    CreateRecord,
    DocsQuirks,
    Faults,
    general_error,
    iso,
    text_error,
)

__all__ = ["Account", "insufficient"]


class Account:
    """The state of one simulated Creatify account (not thread-safe: the world locks)."""

    def __init__(self, *, api_id: str, api_key: str, balance: Decimal | int, speed: float,
                 faults: Faults | None, quirks: DocsQuirks | None, seed: int | None,
                 clock: Callable[[], float], wall_clock: Callable[[], float],
                 behaviours: Mapping[str, Behaviour] = BEHAVIOURS) -> None:
        self.api_id = api_id
        self.api_key = api_key
        self.speed = float(speed)
        self.base_url = ""
        self.balance = Decimal(balance)
        self.reserved = Decimal(0)
        """What running jobs will still charge (a new cost must fit beside it)."""
        self.faults = copy.copy(faults) if faults is not None else Faults()
        self.quirks = quirks if quirks is not None else DocsQuirks()
        self.personas: dict[str, dict[str, Any]] = {}
        """Custom avatars, by id (the built-in ones come from ``catalogue``)."""
        self.voices: list[dict[str, Any]] = []
        """Cloned voices (the built-in ones come from ``catalogue``)."""
        self.rng = random.Random(seed)
        self.clock = clock
        self.epoch = wall_clock() - clock()
        self.behaviours = dict(behaviours)
        """Every job resource's behaviour, by key: the built-in ones and any added."""
        self.jobs: dict[str, dict[str, Job]] = {key: {} for key in self.behaviours}
        """Per resource key, by id, oldest first."""
        self.by_id: dict[str, Job] = {}
        self.media_jobs: dict[str, Job] = {}
        """A preview list's ``media_job`` ids → their job."""
        self.links: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[float, int, Job, Run]] = []
        """A heap of (clock time, sequence, job, run): when a run next changes."""
        self.sequence = itertools.count()
        self.create_log: list[CreateRecord] = []
        self.request_log: list[tuple[str, str]] = []

    # ---- draws, ids and times ------------------------------------------------------------

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def wall(self, clock_time: float) -> str:
        return iso(self.epoch + clock_time)

    # ---- what billing and validation ask -------------------------------------------------

    def owner_length(self, owner: str) -> Decimal | None:
        job = self.by_id.get(owner) or self.media_jobs.get(owner)
        return job.length if job is not None else None

    def media_length(self, url: str) -> Decimal:
        """The length the sandbox assumes for the media at ``url`` (see media.url_length)."""
        return media.url_length(url, self.base_url, self.owner_length)

    def has_link(self, link_id: str) -> bool:
        return link_id in self.links

    # ---- money -----------------------------------------------------------------------------

    def ensure_credits(self, cost: Decimal, text_errors: bool = False) -> None:
        """Refuse when the balance, less what running jobs will still charge, is short."""
        if self.balance - self.reserved < cost:
            raise insufficient(text_errors)

    def spend(self, amount: Decimal) -> None:
        self.balance -= amount


def insufficient(text_errors: bool = False) -> ApiError:
    """The insufficient-credits error, in the general or the text generator's shape."""
    return (text_error(INSUFFICIENT_CREDITS) if text_errors
            else general_error(INSUFFICIENT_CREDITS))
