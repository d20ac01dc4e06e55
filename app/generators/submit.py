"""Send a generator's paid request: the one place that maps a spec's action to a client call.

The service behind the window (and the job ledger) call :func:`submit`; nothing else
decides which endpoint a generator uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.api import resources as R
from app.api.client import CreatifyClient, Link
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators.spec import Action, Flow, GeneratorSpec, SpecError


def link_snapshot(link: Link) -> JobSnapshot:
    """A Link is made synchronously: show it as a finished job whose results are its images."""
    return JobSnapshot(resource=R.LINKS.key, id=link.id, status=JobStatus.DONE,
                       raw_status="done", progress=1.0, result_urls=link.image_urls,
                       response_text=link.title or link.url, thumbnails=link.image_urls[:1],
                       name=link.title or None, credits_used=link.credits_used, raw=link.raw)


def request_body(spec: GeneratorSpec, values: Mapping[str, Any],
                 name_tag: str | None = None, flow: Flow = Flow.CREATE) -> dict[str, Any]:
    """The body :func:`submit` will send (validated); ``name_tag`` marks the job's ``name``."""
    body = spec.build_body(values, flow)
    if flow is Flow.COMPARE_STYLES and spec.styles_field:
        # One preview per style: the list of styles replaces the single style.
        if spec.style_field:
            body.pop(spec.field(spec.style_field).wire_name, None)
        body[spec.styles_field] = [str(s) for s in values.get(spec.styles_field) or ()]
    if name_tag and spec.resource.has_name:
        base = str(body.get("name") or spec.title)
        body["name"] = f"{base[: 200 - len(name_tag) - 3]} [{name_tag}]"
    return body


async def submit(client: CreatifyClient, spec: GeneratorSpec, values: Mapping[str, Any], *,
                 flow: Flow = Flow.CREATE, name_tag: str | None = None) -> JobSnapshot:
    """Validate, build and send the paid request for ``spec`` (sent once, never retried)."""
    if flow not in spec.flows:
        raise SpecError({"": f"{spec.title} has no {flow.value} flow."})
    body = request_body(spec, values, name_tag, flow)
    if spec.action is Action.CREATE:
        return await _create(client, spec, body, flow)
    match spec.action:
        case Action.GEN_IMAGE | Action.GEN_VIDEO if flow is Flow.REGENERATE:
            # regen_image / regen_video: a NEW server job made from a finished one.
            step = "image" if spec.action is Action.GEN_IMAGE else "video"
            return await client.regen(spec.source_job(values), step, body)
        case Action.GEN_IMAGE:
            return await client.gen_image(body)
        case Action.GEN_VIDEO:
            return await client.gen_video(spec.source_job(values), body)
        case Action.TEXT_GENERATE:
            return await client.text_generate(body)
        case Action.CREATE_LINK:
            return link_snapshot(await client.create_link(body["url"]))
    raise AssertionError(f"unhandled action {spec.action}")  # pragma: no cover


async def _create(client: CreatifyClient, spec: GeneratorSpec, body: dict[str, Any],
                  flow: Flow) -> JobSnapshot:
    """The create-action calls: compared styles, a preview (asynchronous where the spec says),
    or the job itself."""
    if flow is Flow.COMPARE_STYLES:
        return await client.preview_list_async(body)
    if flow is Flow.PREVIEW_RENDER and spec.preview_async:
        return await client.preview_async(body)
    if flow is Flow.PREVIEW_RENDER:
        return await client.preview(spec.resource.key, body)
    return await client.create(spec.resource.key, body)


async def render_style(client: CreatifyClient, spec: GeneratorSpec, job_id: str,
                       media_job: str) -> JobSnapshot:
    """Render the chosen style of a compare-styles job (``render_single_preview``)."""
    if Flow.COMPARE_STYLES not in spec.flows:
        raise SpecError({"": f"{spec.title} has no styles to compare."})
    return await client.render_single_preview(job_id, media_job)


async def render(client: CreatifyClient, spec: GeneratorSpec, job_id: str) -> JobSnapshot:
    """Render a finished preview (the second paid step of the preview flow)."""
    if Flow.PREVIEW_RENDER not in spec.flows:
        raise SpecError({"": f"{spec.title} has no preview to render."})
    return await client.render(spec.resource.key, job_id)
