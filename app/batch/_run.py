"""Running a batch: its rows sent with a concurrency limit, each row's outcome on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.batch._plan import row_seconds, row_values
from app.batch._rows import BatchRow, RowState
from app.generators import BY_KEY, GeneratorSpec, SpecError
from app.generators.quote import quote
from app.jobs.budget import BudgetError
from app.jobs.ledger import JobRecord, JobState
from app.pricing import Plan

Submit = Callable[[GeneratorSpec, dict[str, Any], Decimal | None], Awaitable[JobRecord]]
"""``await submit(spec, values, estimate)`` → the job record (or raises)."""
Wait = Callable[[str], Awaitable[JobRecord]]
"""``await wait(job_key)`` → the job's record once it ended (or its create was lost)."""


class BatchRun:
    """Sends the sendable rows, at most ``concurrency`` jobs running at once.

    The user confirmed the whole batch; each row is still checked by the budget guard before
    its paid calls (a refused row is marked ``skipped`` and the batch goes on). A failure of
    one row never stops the others. :meth:`requeue_failed` runs the failed rows again (a new
    confirmation is the caller's job)."""

    def __init__(self, target: str, shared: Mapping[str, Any], rows: list[BatchRow], *,
                 submit: Submit, wait: Wait, concurrency: int = 3,
                 on_row: Callable[[int, BatchRow], None] | None = None,
                 media_seconds: float | None = None, plan: Plan | None = None) -> None:
        self.target = target
        self.gen = BY_KEY[target]
        self.shared = dict(shared)
        self.rows = rows
        self.concurrency = max(1, concurrency)
        self._submit = submit
        self._wait = wait
        self._on_row = on_row or (lambda _i, _row: None)
        self.media_seconds = media_seconds
        self.plan = plan
        self.cancelled = False

    def _set(self, index: int, state: RowState, message: str = "",
             job_key: str | None = None) -> None:
        row = self.rows[index]
        row.state, row.message = state, message
        if job_key is not None:
            row.job_key = job_key
        self._on_row(index, row)

    async def run(self, indexes: Sequence[int] | None = None) -> dict[RowState, int]:
        """Send the rows (all sendable ones by default); returns how many ended in each
        state."""
        chosen = [i for i in (indexes if indexes is not None else range(len(self.rows)))
                  if self.rows[i].sendable]
        slots = asyncio.Semaphore(self.concurrency)

        async def one(index: int) -> None:
            async with slots:
                if self.cancelled:
                    self._set(index, RowState.READY, "Not sent: the batch was stopped.")
                    return
                await self._one(index)
        await asyncio.gather(*(one(i) for i in chosen))
        counts: dict[RowState, int] = {}
        for i in chosen:
            counts[self.rows[i].state] = counts.get(self.rows[i].state, 0) + 1
        return counts

    async def _one(self, index: int) -> None:
        row = self.rows[index]
        values = row_values(self.target, self.shared, row)
        q = quote(self.gen, values, row_seconds(self.gen, values, self.media_seconds),
                  plan=self.plan)
        self._set(index, RowState.SENDING, "Sending…")
        try:
            record = await self._submit(self.gen, values, q.credits)
        except BudgetError as exc:
            self._set(index, RowState.SKIPPED, exc.message)
            return
        except SpecError as exc:
            self._set(index, RowState.FAILED, f"Not sent: {exc}")
            return
        except Exception as exc:  # a Creatify or ledger error: this row only
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self._set(index, RowState.FAILED, f"Not sent: {message}")
            return
        link = record.request.get(self.gen.link_field) if self.gen.link_field else None
        if isinstance(link, str) and link:
            row.link_id = link
        self._set(index, RowState.RUNNING, "Running…", record.key)
        final = await self._wait(record.key)
        if final.state in (JobState.DONE, JobState.IMAGE_DONE):
            self._set(index, RowState.DONE, "Done.")
        elif final.state is JobState.PREVIEW_READY:  # a preview step: render it from the list
            self._set(index, RowState.DONE, "Preview ready: render it from the Jobs panel.")
        elif final.state is JobState.UNKNOWN:
            self._set(index, RowState.RUNNING, "Creatify's answer was lost; it is being looked "
                                               "up (it will not be sent again).")
        else:
            reason = final.failed_reason or final.raw_status or final.state.value
            self._set(index, RowState.FAILED, f"Ended {final.state.value}: {reason}")

    def failed_indexes(self) -> list[int]:
        return [i for i, r in enumerate(self.rows)
                if r.state in (RowState.FAILED, RowState.SKIPPED) and r.sendable]

    async def requeue_failed(self) -> dict[RowState, int]:
        """Run the failed (and budget-skipped) rows again, as new jobs (a Link already made
        for a row is reused)."""
        indexes = self.failed_indexes()
        for i in indexes:
            self.rows[i] = replace(self.rows[i], state=RowState.READY, message="",
                                   job_key=None)
        return await self.run(indexes)

