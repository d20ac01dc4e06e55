"""Handlers of the job resources: list, read, create, preview and render.

Most resources share these (bound to their :class:`~app.sandbox.jobs.Behaviour` in
``routes``). A preview runs a short pass; when it is ready ``preview`` (or ``previews[]``)
is filled and, with the ``preview_pending`` quirk on, the status reads ``pending`` again; the
render is a second pass on the same job id. URL to Video's preview list makes one preview per
(style, ratio) and renders one of them; AI Scripts answer at once.
"""

from __future__ import annotations

from app.api import resources as res
from app.sandbox.account import Account
from app.sandbox.behaviours import BEHAVIOURS, PREVIEW_LIST_FIELDS, TEMPLATE_RENDER_FIELDS
from app.sandbox.billing import billed_blocks, length_of, preview_price, render_price
from app.sandbox.catalogue import generated_scripts
from app.sandbox.jobs import PREVIEW_TIME_SHARE, Behaviour, Charge, Job, Stage
from app.sandbox.objects import find, new_job, object_body, register, validate, wire
from app.sandbox.routing import Call
from app.sandbox.runs import settle_now, start_run
from app.sandbox.validation import check_template, validate_fields
from app.sandbox.wire import (
    PREVIEW_NOT_READY,
    REQUIRED,
    Response,
    field_errors,
    general_error,
)

__all__ = ["create", "create_ai_scripts", "get_job", "list_jobs", "preview", "preview_async",
           "preview_list", "render", "render_single_preview"]


def list_jobs(a: Account, b: Behaviour, call: Call) -> Response:
    """Newest first (oldest first with ``ordering``); ``ids`` picks some."""
    jobs = a.jobs[b.resource.key]
    raw_ids = call.param("ids")
    # Neither the Ad Clone nor the Image Ad list documents a query: Image Ads answer every
    # job always, Ad Clone while its quirk is on.
    ignores_ids = (b.resource is res.IAB_IMAGES
                   or (b.resource.key == "ads_clone" and a.quirks.ads_clone_ignores_ids))
    if raw_ids is not None and not ignores_ids:
        ids = [i for i in (part.strip() for part in raw_ids.split(",")) if i]
        if len(ids) > res.MAX_IDS_PER_LIST:
            raise general_error(f"Too many ids: at most {res.MAX_IDS_PER_LIST}.")
        chosen = sorted((jobs[i] for i in set(ids) if i in jobs), key=lambda j: j.number)
    else:
        chosen = list(jobs.values())
    if call.param("ordering") not in ("created_at", "updated_at"):
        chosen.reverse()
    return Response(200, [wire(a, job, call.now, read=True) for job in chosen])


def get_job(a: Account, b: Behaviour, call: Call) -> Response:
    return Response(200, wire(a, find(a, b, call.args[0]), call.now, read=True))


def create(a: Account, b: Behaviour, call: Call) -> Response:
    body = validate(a, b, call)
    job = new_job(a, b, body, call.now, call.body)
    cost = b.price(job)
    a.ensure_credits(cost)
    register(a, job)
    blocks = billed_blocks(length_of(job), 5) if b.charge is Charge.GRADUAL else 1
    start_run(a, job, Stage.CREATE, call.now, cost=cost, blocks=blocks)
    return Response(201, wire(a, job, call.now))


def preview(a: Account, b: Behaviour, call: Call) -> Response:
    """``POST .../preview/``: 200 with the job; ``preview`` is filled when it is ready
    (custom_template_jobs' and the legacy templates' preview is synchronous)."""
    job = _start_preview(a, b, call)
    if b.resource.key in ("custom_template_jobs", "custom_templates"):
        settle_now(a, job, call.now)
        return Response(200, wire(a, job, call.now),
                        delay=b.run_time * PREVIEW_TIME_SHARE / a.speed)
    return Response(200, wire(a, job, call.now))


def preview_async(a: Account, b: Behaviour, call: Call) -> Response:
    """``POST /api/custom_template_jobs/preview_async/``: 201, poll until ``preview``."""
    return Response(201, wire(a, _start_preview(a, b, call), call.now))


def _start_preview(a: Account, b: Behaviour, call: Call) -> Job:
    body = validate(a, b, call)
    job = new_job(a, b, body, call.now, call.body)
    job.fields["preview"] = None
    cost = preview_price(job)
    a.ensure_credits(cost)
    register(a, job)
    start_run(a, job, Stage.PREVIEW, call.now, cost=cost,
              base_time=b.run_time * PREVIEW_TIME_SHARE)
    return job


def render(a: Account, b: Behaviour, call: Call) -> Response:
    job = find(a, b, call.args[0])
    body = object_body(call)
    if b.resource.key == "custom_template_jobs":
        # The docs' example repeats the job's fields: check them, keep the job's template.
        changes = validate_fields(TEMPLATE_RENDER_FIELDS, body)
        if changes.get("template_id") not in (None, job.body["template_id"]):
            raise field_errors({"template_id": ["Does not match this job's template."]})
        if changes.get("variables") is not None:
            check_template(a, {"template_id": job.body["template_id"],
                               "variables": changes["variables"]})
        # The price was fixed by the preview: the template, its length and the model stay.
        kept = {k: v for k, v in changes.items()
                if k in ("variables", "name", "webhook_url", "is_hidden")}
        job.body.update(kept)
        job.fields.update(kept)
    # A preview list has no single "preview": it renders through render_single_preview.
    if not job.awaiting_render or job.previews:
        raise general_error(PREVIEW_NOT_READY)
    return _start_render(a, job, call.now)


def _start_render(a: Account, job: Job, now: float) -> Response:
    cost = render_price(job)
    a.ensure_credits(cost)
    start_run(a, job, Stage.RENDER, now, cost=cost)  # back to the first step
    return Response(200, wire(a, job, now))


def preview_list(a: Account, call: Call) -> Response:
    """``POST /api/link_to_videos/preview_list_async/``: a preview per (style, ratio)."""
    b = BEHAVIOURS["link_to_videos"]
    body = validate(a, b, call, PREVIEW_LIST_FIELDS)
    styles = body.pop("visual_styles")
    ratios = body.pop("aspect_ratios", None) or [body["aspect_ratio"]]
    job = new_job(a, b, body, call.now, call.body)
    job.previews = [{"media_job": a.new_id(), "visual_style": style,
                     "aspect_ratio": ratio}
                    for style in styles for ratio in ratios]
    cost = preview_price(job) * len(job.previews)
    a.ensure_credits(cost)
    register(a, job)
    for one in job.previews:
        a.media_jobs[one["media_job"]] = job
    start_run(a, job, Stage.PREVIEW_LIST, call.now, cost=cost,
              base_time=b.run_time * PREVIEW_TIME_SHARE)
    return Response(200, wire(a, job, call.now))


def render_single_preview(a: Account, call: Call) -> Response:
    """``POST /api/link_to_videos/{id}/render_single_preview/``: render the chosen one."""
    b = BEHAVIOURS["link_to_videos"]
    job = find(a, b, call.args[0])
    body = object_body(call)
    media_job = body.get("media_job")
    if not media_job:
        raise field_errors({"media_job": [REQUIRED]})
    chosen = next((p for p in job.previews if p["media_job"] == media_job), None)
    if chosen is None:
        raise field_errors({"media_job": [f'Invalid media job "{media_job}".']})
    if not job.awaiting_render:
        raise general_error(PREVIEW_NOT_READY)
    response = _start_render(a, job, call.now)
    job.fields["visual_style"] = chosen["visual_style"]
    job.fields["aspect_ratio"] = chosen["aspect_ratio"]
    job.fields["media_job"] = media_job
    response.body = wire(a, job, call.now)
    return response


def create_ai_scripts(a: Account, call: Call) -> Response:
    """AI Scripts: written, charged and ``done`` at create."""
    b = BEHAVIOURS["ai_scripts"]
    body = validate(a, b, call)
    job = new_job(a, b, body, call.now, call.body)
    cost = b.price(job)
    a.ensure_credits(cost)
    register(a, job)
    a.spend(cost)
    job.credits = cost
    job.status = "done"
    job.progress = 1.0
    job.fields["generated_scripts"] = [
        {**script, "paragraphs": "\n\n".join(script["paragraphs"])}
        for script in generated_scripts(body)]
    return Response(201, wire(a, job, call.now))
