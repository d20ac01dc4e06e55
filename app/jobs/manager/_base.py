"""What every part of the job manager shares: the caller's :class:`Pricing`, the words a job
is listed under, and the attributes the manager's parts read (set by
:class:`~app.jobs.manager.JobManager`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.api.client import CreatifyClient
from app.downloads import DownloadQueue, FileFetcher
from app.generators import GeneratorSpec
from app.jobs.budget import BudgetLimits
from app.jobs.lease import FollowerLease, LedgerWatch, SendLock
from app.jobs.ledger import JobRecord, Ledger, LedgerWriter
from app.jobs.manager._tasks import TaskGroup
from app.jobs.scheduler import PollScheduler
from app.pricing import Bound

log = logging.getLogger(__package__)

PLACEHOLDER_LINK = "00000000-0000-4000-8000-000000000000"  # to validate a form before its Link


def describe_request(spec: GeneratorSpec, values: Mapping[str, Any]) -> str:
    """What was asked, in a few words, for the queue ("script start…", the product URL): the
    spec's :meth:`~app.generators.GeneratorSpec.describe`."""
    return spec.describe(values)


@dataclass
class Pricing:
    """What the caller estimated, recorded with the job before it is sent. (``balance`` is
    what the caller last saw; the budget guard reads the balance afresh and records that.)"""

    estimate: Decimal | None
    balance: Decimal | None = None
    bound: Bound = Bound.EXACT
    """``estimate`` is exact, a minimum (``at_least``) or ``unknown`` (the estimate None):
    the budget guard counts a minimum or an unknown price as more, never as less."""


class ManagerBase:
    """The state a :class:`~app.jobs.manager.JobManager` holds for one connection, declared
    once for its parts (submitting, streaming, downloads); ``JobManager.__init__`` sets it."""

    client: CreatifyClient
    ledger: Ledger
    writer: LedgerWriter
    """Every write the manager and its scheduler make, off the event-loop thread."""
    budget: Callable[[], BudgetLimits]
    output_dir: Path
    auto_download: bool
    name_template: str
    scheduler: PollScheduler
    tasks: TaskGroup
    downloads: DownloadQueue
    _on_change: Callable[[JobRecord], None]
    _on_balance: Callable[[Decimal], None]
    _now: Callable[[], datetime]
    _guard_lock: SendLock
    lease: FollowerLease | None
    """``None``: this manager follows its ledger alone (no other process opens it)."""
    _watch: LedgerWatch | None
    _watch_interval: float
    _in_flight: set[str]
    """Keys this process is sending now: a takeover never reconciles them meanwhile."""
    _on_role: Callable[[bool], None]
    orphan_after: float
    """Seconds after which another process's unanswered ``submitting`` row is looked up."""
    _next_orphan_check: float

    @property
    def is_follower(self) -> bool:
        """Whether this process polls, reconciles and downloads the ledger's active jobs."""
        return self.lease is None or self.lease.held
    _downloading: set[str]
    _web: FileFetcher
