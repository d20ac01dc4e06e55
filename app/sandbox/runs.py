"""Jobs on the clock: starting a run, advancing it, charging, finishing.

A create (or a preview, a render, a product video step) starts a :class:`~app.sandbox.jobs.Run`
— a schedule fixed at once of (clock time → status) steps, an outcome (success, ``failed`` or
``rejected``, drawn from the faults) and an end time, all divided by the speed. Nothing ticks:
before each request the world calls :func:`advance`, which pops the due entries of the
account's heap of "next event" times (status changes, Ad Clone's gradual charges, ends), so
thousands of finished jobs cost nothing and reads compute ``progress`` on the fly.

Charging: at the end by default; up front for Aurora (refunded in full on failure); block by
block as it progresses for Ad Clone. A failed or rejected run gives back what it took.
"""

from __future__ import annotations

import heapq
import json
from decimal import Decimal
from typing import Any

from app.api.resources import Resource
from app.sandbox import media
from app.sandbox.account import Account
from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.behaviours import DEFAULT_FAILED_REASON, FAILED_REASONS, REJECTED_REASON
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.jobs import (
    ASSETS_OUTPUT,
    BANNERS_OUTPUT,
    FAILED_AT,
    INSPIRATION_OUTPUT,
    REJECTED_AT,
    TEXT_OUTPUT,
    Charge,
    Job,
    Run,
    Stage,
    Steps,
)

__all__ = ["advance", "settle_now", "start_run"]


def start_run(a: Account, job: Job, stage: Stage, now: float, *, cost: Decimal,
              base_time: float | None = None, steps: Steps | None = None,
              success: str | None = None, blocks: int = 1) -> None:
    """Start a processing pass on ``job``: its schedule, outcome and charging are fixed
    now (``base_time``/``steps``/``success`` default to the behaviour's)."""
    b = job.behaviour
    length = (b.run_time if base_time is None else base_time) / a.speed
    success = success or b.success
    outcome, reason, end_share = _roll_outcome(a, job.resource, success)
    run = Run(stage=stage,
              steps=tuple((now + share * length, status) for share, status in
                          (steps or b.steps)),
              planned_end=now + length, end=now + end_share * length, outcome=outcome,
              reason=reason, cost=cost, charge=b.charge, blocks=blocks)
    if run.charge is Charge.AT_START:
        a.spend(cost)
        run.charged = cost
    a.reserved += cost - run.charged
    job.run = run
    job.awaiting_render = False
    job.fields["failed_reason"] = b.no_reason
    _set_status(job, run.steps[0][1], now)
    _sync(a, job, now)


def advance(a: Account, now: float) -> None:
    """Bring every run whose next event is due up to ``now``."""
    events = a.events
    while events and events[0][0] <= now:
        _, _, job, run = heapq.heappop(events)
        if job.run is run:
            _sync(a, job, now)


def settle_now(a: Account, job: Job, now: float) -> None:
    """Finish ``job``'s run at once (sync and streamed generations); the HTTP layer
    spends the run time waiting instead."""
    run = job.run
    if run is not None:
        run.end = min(run.end, now)
        _sync(a, job, now)


def _set_status(job: Job, status: str, at: float) -> None:
    if status == job.status:
        return
    job.status = status
    job.updated = at


def _roll_outcome(a: Account, resource: Resource, success: str
                  ) -> tuple[str, str | None, float]:
    """(outcome status, failed_reason, end as a fraction of the planned run)."""
    f = a.faults
    if a.roll(f.reject_rate):
        if "rejected" in resource.statuses:
            return "rejected", REJECTED_REASON, REJECTED_AT
        return "failed", REJECTED_REASON, REJECTED_AT
    if a.roll(f.fail_rate):
        return ("failed", FAILED_REASONS.get(resource.key, DEFAULT_FAILED_REASON),
                FAILED_AT)
    return success, None, 1.0


def _sync(a: Account, job: Job, now: float) -> None:
    """Bring ``job``'s running pass up to ``now``; schedule its next event."""
    run = job.run
    assert run is not None
    at, status = run.step_at(min(now, run.end))
    _set_status(job, status, at)
    if run.charge is Charge.GRADUAL:
        due = run.blocks_due(min(now, run.end))
        part = run.cost / run.blocks
        while run.charged < part * due:
            _charge(a, job, run, part)
    if now >= run.end:
        _finish(a, job, run)
    else:
        heapq.heappush(a.events, (run.next_event(now), next(a.sequence), job, run))


def _charge(a: Account, job: Job, run: Run, amount: Decimal) -> None:
    amount = min(amount, run.cost - run.charged)
    a.spend(amount)
    a.reserved -= amount
    run.charged += amount
    if run.charge is Charge.GRADUAL:
        job.credits += amount


def _finish(a: Account, job: Job, run: Run) -> None:
    job.run = None
    outcome = run.outcome
    if run.reason is None:
        if run.charge is not Charge.GRADUAL:
            job.credits += run.cost
        _charge(a, job, run, run.cost - run.charged)
        job.progress = 1.0
        _complete(a, job, run.stage)
        if run.stage in (Stage.PREVIEW, Stage.PREVIEW_LIST) and a.quirks.preview_pending:
            outcome = "pending"  # the docs: a ready preview reads "pending" again
    else:
        job.progress = run.progress_at(run.end)
        a.reserved -= run.cost - run.charged
        a.balance += run.charged  # refund (Aurora's up-front charge, Ad Clone's parts)
        if run.charge is Charge.GRADUAL:
            job.credits -= run.charged
        job.fields["failed_reason"] = run.reason
    _set_status(job, outcome, run.end)


def _complete(a: Account, job: Job, stage: Stage) -> None:
    """A successful run's effect on the wire object."""
    url = a.base_url
    match stage:
        case Stage.PREVIEW:
            job.fields["preview"] = f"{url}/preview/{job.id}/"
            if "editor_url" in job.fields:
                job.fields["editor_url"] = f"{url}/preview/{job.id}/?editor=1"
            job.awaiting_render = True
        case Stage.PREVIEW_LIST:
            job.fields["previews"] = [
                {**p, "url": f"{url}/preview/{p['media_job']}/",
                 "editor_url": f"{url}/preview/{p['media_job']}/?editor=1",
                 "duration": job.fields["duration"]}
                for p in job.previews]
            job.awaiting_render = True
        case Stage.VIDEO:
            job.fields["generated_video_url"] = media.media_url(url, job.id, "output.mp4")
        case _:
            job.fields.update(_result(a, job))


def _result(a: Account, job: Job) -> dict[str, Any]:
    out = job.behaviour.output
    if out is ASSETS_OUTPUT:
        return {"assets": _assets(a, job)}
    if out is TEXT_OUTPUT:
        return {"response_text": job.answer}
    if out is INSPIRATION_OUTPUT:
        return {"output": json.dumps(_inspiration_assets(a, job))}
    if out is BANNERS_OUTPUT:
        return {"output": [{"name": name, "size": f"{w}x{h}", "type": "image/png",
                            "url": media.media_url(a.base_url, job.id, media.banner_file(w, h))}
                           for name, w, h in media.BANNERS]}
    result: dict[str, Any] = {}
    if out.file is not None:
        result[out.field] = media.media_url(a.base_url, job.id, out.file)
    if out.thumbnail:
        result["video_thumbnail"] = media.media_url(a.base_url, job.id, "thumb.png")
    return result


def _inspiration_assets(a: Account, job: Job) -> list[str]:
    """The URLs an AI Ad Template job lists (the docs: "List of generated assets")."""
    template = INSPIRATIONS[job.body["inspiration_id"]]
    suffix = "mp4" if template.output_type == "video" else "png"
    return [media.media_url(a.base_url, job.id, f"output_{n}.{suffix}")
            for n in range(1, template.outputs + 1)]


def _assets(a: Account, job: Job) -> list[dict[str, Any]]:
    model = ASSET_MODELS[job.body["model_name"]]
    thumb = media.media_url(a.base_url, job.id, "thumb.png")
    count = model.outputs(job.body["input_params"])
    if model.output_type == "video":
        names = ["output.mp4"] if count == 1 else [f"output_{n}.mp4" for n in range(1, count + 1)]
    else:
        names = [f"image_{n}.png" for n in range(1, count + 1)]
    return [{"id": a.new_id(), "type": model.output_type,
             "url": media.media_url(a.base_url, job.id, name),
             "thumbnail_url": thumb, "name": name} for name in names]
