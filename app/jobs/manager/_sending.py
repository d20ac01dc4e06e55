"""Sending a paid request once: the budget guard before it, the answer recorded after it
(created, refused or ambiguous — then looked up in the list, never re-sent)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from app.api.errors import AmbiguousCreateError, CreatifyError
from app.api.snapshot import JobSnapshot
from app.generators import SpecError
from app.jobs.budget import (
    BudgetError,
    BudgetFigures,
    check_budget,
    counted_cost,
    day_start,
    month_start,
)
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.manager._downloads import Downloads
from app.pricing import Bound

log = logging.getLogger(__package__)


class Sending(Downloads):
    """The budget guard, one paid send and what follows an ambiguous answer."""

    async def check_budget(self, estimate: Decimal | None, *,
                           bound: Bound = Bound.EXACT) -> tuple[Decimal, Decimal | None]:
        """Read the balance (a free call) and check it and the user's limits against
        ``estimate`` (``bound``: exact, a minimum, or unknown) plus what is committed in
        flight. Returns the balance and what the guard counted for the job (the estimate, a
        minimum's per-job ceiling, an unknown price's ceiling; ``None`` for tokens) — recorded
        with the job as what it holds in flight; raises :class:`BudgetError` (nothing sent, nothing
        recorded) when a limit would be crossed, when an unknown price has no per-job ceiling
        to count, or when the balance cannot be read."""
        try:
            balance = await self.client.remaining_credits()
        except CreatifyError as exc:
            raise BudgetError([], message=f"Could not read your balance before sending, so "
                                          f"nothing was sent: {exc.message}") from exc
        self._on_balance(balance)
        now = self._now()

        def sums(ledger: Ledger) -> tuple[Decimal, Decimal, Decimal]:
            # In the writer's thread: after every write asked for before (the rows of the
            # jobs just sent), and off the loop (a sum over every job in flight).
            ledger.record_balance(balance)
            return (ledger.committed(), ledger.spent(day_start(now)),
                    ledger.spent(month_start(now)))
        committed, today, month = await self.writer.run(sums)
        figures = BudgetFigures(estimate=estimate, balance=balance, committed=committed,
                                spent_today=today, spent_month=month, bound=bound)
        limits = self.budget()
        refusals = check_budget(limits, figures)
        if refusals:
            log.info("budget guard refused a job: %s", "; ".join(r.limit for r in refusals))
            raise BudgetError(refusals, figures)
        held, _ = counted_cost(limits, figures)
        return balance, held

    async def _send(self, record: JobRecord,
                    call: Callable[[], Coroutine[Any, Any, JobSnapshot]]) -> JobRecord:
        self._in_flight.add(record.key)
        try:
            return await self._send_once(record, call)
        finally:
            self._in_flight.discard(record.key)

    async def _send_once(self, record: JobRecord,
                         call: Callable[[], Coroutine[Any, Any, JobSnapshot]]) -> JobRecord:
        try:
            snapshot = await call()
        except AmbiguousCreateError as exc:
            record = await self.writer.mark_ambiguous(record.key, exc.message)
            self._on_change(record)
            self.tasks.spawn(self._reconcile_soon(record.key), "reconcile")
            return record
        except (CreatifyError, SpecError) as exc:
            message = exc.message if isinstance(exc, CreatifyError) else str(exc)
            record = await self.writer.mark_not_created(record.key, message)
            self._on_change(record)
            raise
        record = await self.writer.mark_created(record.key, snapshot)
        self._changed(record)
        if record.state.is_active:
            self.scheduler.watch(record.key)
        return record

    async def _reconcile_soon(self, key: str) -> None:
        """Look for an ambiguous create a few times (the list itself may be failing)."""
        scale = self.scheduler.policy.slowest / 30.0  # the sandbox's clock runs faster
        for delay in (2.0, 10.0, 30.0, 120.0):
            await asyncio.sleep(delay * scale)
            record = await self.look_again(key)
            if record.state is not JobState.UNKNOWN:
                return

    async def look_again(self, key: str) -> JobRecord:
        """Look for an ``unknown`` job in Creatify's list again (never re-sends it)."""
        return await self.scheduler.reconcile(key)

    async def _refresh(self, record: JobRecord) -> JobRecord:
        """Read a finished job once more (free); a failed read keeps what we have."""
        if record.server_id is None:
            return record
        try:
            snapshot = await self.client.get_job(record.resource, record.server_id)
        except CreatifyError as exc:
            log.info("could not read %s %s again: %s", record.resource, record.server_id,
                     exc.message)
            return record
        if snapshot.id != record.server_id:
            return record
        record = await self.writer.apply_snapshot(record.key, snapshot)
        self._on_change(record)
        return record
