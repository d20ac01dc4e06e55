"""Jobs from submit to saved file: the ledger, the poll scheduler and the downloads together.

Qt-free: the window's service wraps it in signals; tests and benchmarks drive it directly.

* Submitting writes the ledger row *before* the paid request leaves, and records the answer —
  created, refused, or ambiguous (then reconciled through the list, never re-sent).
* One :class:`PollScheduler` task follows every job.
* Finished results are downloaded (a concurrency limit, resumable ``.part`` files, a sidecar
  JSON beside each file, a fresh URL fetched when the old one expired).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from app.api.client import CreatifyClient, StreamEvent
from app.api.errors import AmbiguousCreateError, CreatifyError
from app.api.resources import TEXT_GENERATOR
from app.api.snapshot import JobSnapshot, JobStatus, normalize_status
from app.downloads import (
    DEFAULT_TEMPLATE,
    DownloadError,
    DownloadQueue,
    ExpiredURLError,
    fetch_resumable,
    render_name,
    suffix_for,
    target_in,
    write_sidecar,
)
from app.generators import BY_KEY, Flow, GeneratorSpec, SpecError
from app.generators.submit import render, render_style, request_body, submit
from app.jobs.budget import (
    BudgetError,
    BudgetFigures,
    BudgetLimits,
    check_budget,
    day_start,
    month_start,
)
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger
from app.jobs.scheduler import PollPolicy, PollScheduler
from app.pricing import PriceRequest, estimate

log = logging.getLogger(__name__)

PLACEHOLDER_LINK = "00000000-0000-4000-8000-000000000000"  # to validate a form before its Link


def describe_request(spec: GeneratorSpec, values: Mapping[str, Any]) -> str:
    """What was asked, in a few words, for the queue ("script start…", the product URL): the
    spec's :meth:`~app.generators.GeneratorSpec.describe`."""
    return spec.describe(values)


class TaskGroup:
    """Owns background tasks: keeps references, logs and reports failures, cancels on close."""

    def __init__(self, on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error or (lambda _name, _exc: None)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("task %s failed", task.get_name(), exc_info=exc)
            self._on_error(task.get_name(), exc)

    def __len__(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@dataclass
class Pricing:
    """What the caller estimated, recorded with the job before it is sent. (``balance`` is
    what the caller last saw; the budget guard reads the balance afresh and records that.)"""

    estimate: Decimal | None
    balance: Decimal | None = None


def _local_now() -> datetime:
    return datetime.now().astimezone()


class JobManager:
    """Submits, follows and saves jobs for one connection (one client, one ledger)."""

    def __init__(self, client: CreatifyClient, ledger: Ledger, output_dir: Path, *,
                 on_change: Callable[[JobRecord], None] | None = None,
                 policy: PollPolicy | None = None, auto_download: bool = True,
                 download_limit: int = 3, name_template: str = DEFAULT_TEMPLATE,
                 on_error: Callable[[str, BaseException], None] | None = None,
                 budget: Callable[[], BudgetLimits] | None = None,
                 on_balance: Callable[[Decimal], None] | None = None,
                 now: Callable[[], datetime] = _local_now) -> None:
        self.client = client
        self.budget = budget or BudgetLimits
        self._waiters: dict[str, list[asyncio.Future[JobRecord]]] = {}
        self._on_balance = on_balance or (lambda _credits: None)
        self._now = now
        # Checking the budget and recording the job is one step: two submits at once must
        # each see the other's estimate as committed.
        self._guard_lock = asyncio.Lock()
        self.ledger = ledger
        self.output_dir = output_dir
        self.auto_download = auto_download
        self.name_template = name_template
        notify = on_change or (lambda _record: None)

        def on_change_then_wake(record: JobRecord) -> None:
            notify(record)
            if record.key in self._waiters and (record.state.is_terminal
                                                or record.state is JobState.UNKNOWN):
                for future in self._waiters.pop(record.key):
                    if not future.done():
                        future.set_result(record)
        self._on_change = on_change_then_wake
        self.tasks = TaskGroup(on_error)
        self.scheduler = PollScheduler(
            client, ledger, on_change=self._changed, policy=policy,
            expected_seconds=lambda key: BY_KEY[key].expected_seconds if key in BY_KEY
            else 600.0)
        self.downloads = DownloadQueue(download_limit)
        self._downloading: set[str] = set()
        self._web = httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=10.0))

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Reconcile what a previous run left unfinished, then follow and download."""
        await self.scheduler.start()
        self.tasks.spawn(self.scheduler.run(), "poll scheduler")
        for record in self.ledger.needing_download():
            self._maybe_download(record, resume=True)

    async def aclose(self) -> None:
        await self.tasks.aclose()
        await self._web.aclose()

    def _changed(self, record: JobRecord) -> None:
        self._on_change(record)
        self._maybe_download(record)

    # ------------------------------------------------------------------ submitting

    async def submit(self, spec: GeneratorSpec, values: Mapping[str, Any], *,
                     flow: Flow = Flow.CREATE, pricing: Pricing | None = None) -> JobRecord:
        """Record, then send the paid request (once); follow the job if it was created.

        A form with a product URL and no Link id makes its Link first (its own paid job,
        checked and recorded like any other), then sends the job with the new Link's id."""
        pricing = pricing or Pricing(None)
        if spec.needs_link(values):
            request_body(spec, spec.with_link(values, PLACEHOLDER_LINK), None, flow)  # first
            await self.check_budget(pricing.estimate)  # the Link and the job together
            values, pricing = await self._make_link(spec, values, pricing)
        tag = uuid.uuid4().hex[:8] if spec.resource.has_name else None
        body = request_body(spec, values, tag, flow)  # validated: SpecError before any row
        async with self._guard_lock:
            balance = await self.check_budget(pricing.estimate)
            record = self.ledger.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow=flow.value,
                title=describe_request(spec, values), request=body, estimate=pricing.estimate,
                balance_before=balance, name_tag=tag)
        self._on_change(record)
        return await self._send(record, lambda: submit(self.client, spec, values, flow=flow,
                                                       name_tag=tag))

    async def _make_link(self, spec: GeneratorSpec, values: Mapping[str, Any],
                         pricing: Pricing) -> tuple[dict[str, Any], Pricing]:
        maker = spec.link_maker
        if maker is None:
            raise SpecError({"": f"{spec.title} makes no Link."})
        link_price = estimate(PriceRequest(maker.price_rule)).credits or Decimal(1)
        record = await self.submit(maker, spec.link_values(values), pricing=Pricing(link_price))
        if record.state is not JobState.DONE or not record.server_id:
            reason = record.failed_reason or "no answer from Creatify"
            problem = (f"The Link for this product page was not made ({record.state}: "
                       f"{reason}); the video was not sent.")
            raise SpecError({spec.url_field or "": problem})
        rest = pricing.estimate - link_price if pricing.estimate is not None else None
        return spec.with_link(values, record.server_id), Pricing(rest, pricing.balance)

    async def render(self, spec: GeneratorSpec, preview: JobRecord, *,
                     pricing: Pricing | None = None) -> JobRecord:
        """Render a finished preview: a new paid request on the same server job."""
        pricing = pricing or Pricing(None)
        server_id = preview.server_id
        if server_id is None:
            raise SpecError({"": "This preview has no Creatify job to render."})
        async with self._guard_lock:
            balance = await self.check_budget(pricing.estimate)
            record = self.ledger.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="render",
                title=f"Render of {preview.title}", request={"render_of": server_id},
                estimate=pricing.estimate, balance_before=balance)
        self._on_change(record)
        return await self._send(record, lambda: render(self.client, spec, server_id))

    async def render_style(self, spec: GeneratorSpec, compared: JobRecord, media_job: str, *,
                           pricing: Pricing | None = None) -> JobRecord:
        """Render the chosen style of a finished compare-styles job (a new paid request on
        the same server job); only that style is rendered."""
        pricing = pricing or Pricing(None)
        server_id = compared.server_id
        chosen = next((p for p in compared.previews if p.media_job == media_job), None)
        if server_id is None or chosen is None:
            raise SpecError({"": "That style preview is not part of this job."})
        async with self._guard_lock:
            balance = await self.check_budget(pricing.estimate)
            record = self.ledger.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="render",
                title=f"{chosen.visual_style} of {compared.title}",
                request={"render_of": server_id, "media_job": media_job,
                         spec.style_field or "visual_style": chosen.visual_style},
                estimate=pricing.estimate, balance_before=balance)
        self._on_change(record)
        return await self._send(record,
                                lambda: render_style(self.client, spec, server_id, media_job))

    async def check_budget(self, estimate: Decimal | None) -> Decimal:
        """Read the balance (a free call) and check it and the user's limits against
        ``estimate`` plus what is committed in flight. Returns the balance; raises
        :class:`BudgetError` (nothing sent, nothing recorded) when a limit would be crossed
        or the balance cannot be read."""
        try:
            balance = await self.client.remaining_credits()
        except CreatifyError as exc:
            raise BudgetError([], message=f"Could not read your balance before sending, so "
                                          f"nothing was sent: {exc.message}") from exc
        self.ledger.record_balance(balance)
        self._on_balance(balance)
        now = self._now()
        figures = BudgetFigures(estimate=estimate, balance=balance,
                                committed=self.ledger.committed(),
                                spent_today=self.ledger.spent(day_start(now)),
                                spent_month=self.ledger.spent(month_start(now)))
        refusals = check_budget(self.budget(), figures)
        if refusals:
            log.info("budget guard refused a job: %s", "; ".join(r.limit for r in refusals))
            raise BudgetError(refusals, figures)
        return balance

    async def _send(self, record: JobRecord,
                    call: Callable[[], Coroutine[Any, Any, JobSnapshot]]) -> JobRecord:
        try:
            snapshot = await call()
        except AmbiguousCreateError as exc:
            record = self.ledger.mark_ambiguous(record.key, exc.message)
            self._on_change(record)
            self.tasks.spawn(self._reconcile_soon(record.key), "reconcile")
            return record
        except (CreatifyError, SpecError) as exc:
            message = exc.message if isinstance(exc, CreatifyError) else str(exc)
            record = self.ledger.mark_not_created(record.key, message)
            self._on_change(record)
            raise
        record = self.ledger.mark_created(record.key, snapshot)
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

    async def wait_ended(self, key: str) -> JobRecord:
        """The job's record once it is terminal, or ``unknown`` (its create answer lost)."""
        record = self.ledger.get(key)
        if record.state.is_terminal or record.state is JobState.UNKNOWN:
            return record
        future: asyncio.Future[JobRecord] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(future)
        return await future

    async def look_again(self, key: str) -> JobRecord:
        """Look for an ``unknown`` job in Creatify's list again (never re-sends it)."""
        return await self.scheduler.reconcile(key)

    async def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any], *,
                          on_delta: Callable[[str], None],
                          pricing: Pricing | None = None) -> JobRecord:
        """Stream a Text Generator answer; the generation is recorded like any job."""
        pricing = pricing or Pricing(None)
        body = request_body(spec, values)
        async with self._guard_lock:
            balance = await self.check_budget(pricing.estimate)
            record = self.ledger.begin_submit(
                generator=spec.key, resource=spec.resource.key, flow="stream",
                title=describe_request(spec, values), request=body, estimate=pricing.estimate,
                balance_before=balance)
        self._on_change(record)
        return await self._follow_stream(record, self.client.text_generate_stream(body),
                                         on_delta)

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
            record = self.ledger.mark_not_created(record.key, exc.message)
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
        record = self.ledger.mark_created(record.key, snapshot)
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
            record = self.ledger.set_server_id(record.key, job_id, f"{why} Named by the stream.")
            self._on_change(record)
            self.scheduler.watch(record.key)
            return record
        record = self.ledger.mark_ambiguous(
            record.key, f"{why} Looking for it in Creatify's list; it is never sent again.")
        self._on_change(record)
        self.tasks.spawn(self._reconcile_soon(record.key), "reconcile")
        return record

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
        record = self.ledger.apply_snapshot(record.key, snapshot)
        self._on_change(record)
        return record

    # ------------------------------------------------------------------ local actions

    def stop_watching(self, key: str) -> JobRecord:
        """Stop following a job here. Creatify keeps working (and may bill) on its side."""
        self.scheduler.forget(key)
        record = self.ledger.set_watching(key, False)
        self._on_change(record)
        return record

    def set_hidden(self, key: str, hidden: bool) -> JobRecord:
        record = self.ledger.set_hidden(key, hidden)
        self._on_change(record)
        return record

    # ------------------------------------------------------------------ downloads

    def _maybe_download(self, record: JobRecord, *, resume: bool = False) -> None:
        wanted = record.state in (JobState.DONE, JobState.IMAGE_DONE) and record.result_urls \
            and record.download_state in (DownloadState.NONE, DownloadState.QUEUED,
                                          DownloadState.DOWNLOADING)
        if wanted and (self.auto_download or resume) and record.key not in self._downloading:
            self.download(record.key)

    def download(self, key: str) -> asyncio.Task[Any]:
        """Save job ``key``'s result (again): queued behind the concurrency limit."""
        self._downloading.add(key)
        record = self.ledger.set_download(key, DownloadState.QUEUED)
        self._on_change(record)

        async def run() -> None:
            try:
                await self.downloads.run(lambda: self._download(key))
            finally:
                self._downloading.discard(key)
        return self.tasks.spawn(run(), f"download {key[:8]}")

    async def _download(self, key: str) -> None:
        record = self.ledger.get(key)
        url = record.result_urls[0]
        target = Path(record.download_path) if record.download_path else None
        if target is None or target.parent != self.output_dir:
            stem = render_name(self.name_template, generator=record.generator,
                               title=record.title, created=record.created_at,
                               job_id=record.server_id or record.key)
            target = target_in(self.output_dir, stem + suffix_for(url, None))
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._on_change(self.ledger.set_download(key, DownloadState.DOWNLOADING,
                                                 path=str(target)))

        def progress(done: int, _total: int | None) -> None:
            self._on_change(self.ledger.set_download(key, DownloadState.DOWNLOADING,
                                                     bytes_done=done))
        try:
            try:
                result = await fetch_resumable(self._web, url, target, progress=progress)
            except ExpiredURLError:
                # Result links expire: read the job again for a fresh one, then try once more.
                if record.server_id is None:
                    raise
                record = self.ledger.apply_snapshot(
                    key, await self.client.get_job(record.resource, record.server_id))
                if not record.result_urls:
                    raise
                url = record.result_urls[0]
                result = await fetch_resumable(self._web, url, target, progress=progress)
        except (DownloadError, CreatifyError) as exc:
            message = exc.message if isinstance(exc, CreatifyError) else str(exc)
            self._on_change(self.ledger.set_download(key, DownloadState.FAILED, error=message))
            return
        try:
            self._sidecar(record, result.path, url)
        except DownloadError as exc:
            log.warning("no sidecar for %s: %s", result.path.name, exc)
        self._on_change(self.ledger.set_download(key, DownloadState.DONE, path=str(result.path),
                                                 bytes_done=result.bytes))

    @staticmethod
    def _sidecar(record: JobRecord, media: Path, url: str) -> None:
        write_sidecar(media, {
            "job": {"local_key": record.key, "server_id": record.server_id,
                    "generator": record.generator, "resource": record.resource,
                    "flow": record.flow, "status": record.raw_status},
            "inputs": dict(record.request), "estimate_credits": record.estimate,
            "credits_used": record.credits_used, "duration": record.duration,
            "created_at": record.created_at, "finished_at": record.finished_at,
            "source_url": url,
        })
