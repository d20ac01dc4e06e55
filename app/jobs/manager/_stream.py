"""The streamed Text Generator, recorded like any job: the text put together from the chunks,
the chunk naming the job giving its id, status and credits; an unfinished stream is followed
by id or looked up in the list — never re-sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from app.api.client import StreamEvent
from app.api.errors import AmbiguousCreateError, CreatifyError
from app.api.resources import TEXT_GENERATOR
from app.api.snapshot import JobSnapshot, JobStatus, normalize_status
from app.generators import GeneratorSpec
from app.generators.submit import request_body
from app.jobs.ledger import JobRecord
from app.jobs.manager._base import Pricing, describe_request
from app.jobs.manager._sending import Sending


class Streaming(Sending):
    """:meth:`stream_text`: a Text Generator answer streamed into its ledger row."""

    async def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any], *,
                          on_delta: Callable[[str], None],
                          pricing: Pricing | None = None) -> JobRecord:
        """Stream a Text Generator answer; the generation is recorded like any job."""
        pricing = pricing or Pricing(None)
        body = request_body(spec, values)
        async with self._guard_lock:
            balance, held = await self.check_budget(pricing.estimate, bound=pricing.bound)
            record = await self.writer.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="stream",
                title=describe_request(spec, values), request=body, estimate=pricing.estimate,
                balance_before=balance, held=held)
        self._on_change(record)
        self._in_flight.add(record.key)
        try:
            return await self._follow_stream(record, self.client.text_generate_stream(body),
                                             on_delta)
        finally:
            self._in_flight.discard(record.key)

    async def _follow_stream(self, record: JobRecord, events: AsyncIterator[StreamEvent],
                             on_delta: Callable[[str], None]) -> JobRecord:
        """Read the streamed answer into the ledger row. The text is the deltas put together
        (or the final chunk's ``response_text``); the chunk whose ``creatify`` object names the
        job gives its id, status and credits. A stream that ends or breaks before naming its job
        is looked up like any ambiguous create (the list, never a re-send)."""
        parts: list[str] = []
        final: StreamEvent | None = None
        named: str | None = None  # a job id seen on any event (an error event may carry one)
        try:
            async for event in events:
                if event.delta:
                    parts.append(event.delta)
                    on_delta(event.delta)
                if event.job_id:
                    named = event.job_id
                    if event.done:
                        final = event
        except AmbiguousCreateError as exc:
            return await self._stream_unfinished(record, named, exc.message)
        except CreatifyError as exc:
            record = await self.writer.mark_not_created(record.key, exc.message)
            self._on_change(record)
            raise
        if final is None or not final.job_id:
            return await self._stream_unfinished(record, named,
                                                 "The answer ended without naming its job.")
        status = normalize_status(final.status, TEXT_GENERATOR.key) if final.status \
            else JobStatus.DONE
        text = final.response_text or "".join(parts) or None
        snapshot = JobSnapshot(resource=record.resource, id=final.job_id, status=status,
                               raw_status=final.status or "done",
                               progress=1.0 if status is JobStatus.DONE else None,
                               response_text=text, credits_used=final.credits_used)
        record = await self.writer.mark_created(record.key, snapshot)
        self._on_change(record)
        if record.state.is_active:
            self.scheduler.watch(record.key)
        elif final.credits_used is None:
            record = await self._refresh(record)  # the charge, from a free read
        return record

    async def _stream_unfinished(self, record: JobRecord, job_id: str | None,
                                 why: str) -> JobRecord:
        """The stream stopped before its final chunk. A job id already seen is followed (read
        by id); otherwise the row is ``unknown`` and looked up in the list (never re-sent)."""
        if job_id:
            record = await self.writer.set_server_id(record.key, job_id,
                                                     f"{why} Named by the stream.")
            self._on_change(record)
            self.scheduler.watch(record.key)
            return record
        record = await self.writer.mark_ambiguous(
            record.key, f"{why} Looking for it in Creatify's list; it is never sent again.")
        self._on_change(record)
        self.tasks.spawn(self._reconcile_soon(record.key), "reconcile")
        return record
