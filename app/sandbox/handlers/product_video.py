"""Handlers of Product Video's later steps: the video from a generated image, and the two
regenerations (each a NEW record from the source's inputs).

The create itself (``gen_image``) is the generic job create; its record stops at
``image_generated`` until ``gen_video`` runs the video step on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.sandbox.account import Account
from app.sandbox.behaviours import (
    BEHAVIOURS,
    PRODUCT_IMAGE_FIELDS,
    PRODUCT_VIDEO_FIELDS,
    REGEN_IMAGE_FIELDS,
)
from app.sandbox.billing import REGEN_IMAGE_PRICE, REGEN_VIDEO_PRICE, product_video_price
from app.sandbox.jobs import PRODUCT_VIDEO_RUN_TIME, VIDEO_STEPS, Job, Stage
from app.sandbox.objects import find, new_job, object_body, register, wire
from app.sandbox.routing import Call
from app.sandbox.runs import start_run
from app.sandbox.validation import validate_fields
from app.sandbox.wire import Response, general_error

__all__ = ["gen_video", "regen_image", "regen_video"]


def gen_video(a: Account, call: Call) -> Response:
    b = BEHAVIOURS["product_to_videos"]
    job = find(a, b, call.args[0])
    body = validate_fields(PRODUCT_VIDEO_FIELDS, object_body(call))
    if job.status != "image_generated" or job.run is not None:
        raise general_error("A video can only be generated from an image_generated "
                            f"record (this one is {job.status}).")
    return _start_video(a, job, body, call.now, cost=product_video_price())


def _start_video(a: Account, job: Job, body: Mapping[str, Any], now: float, *,
                 cost: Decimal, new: bool = False) -> Response:
    """Run the video step on ``job`` (gen_video) or on a new record (regen_video)."""
    a.ensure_credits(cost)
    if new:
        register(a, job)
    job.body.update(body)
    job.fields.update(body)
    start_run(a, job, Stage.VIDEO, now, cost=cost, base_time=PRODUCT_VIDEO_RUN_TIME,
              steps=VIDEO_STEPS, success="video_generated")
    return Response(200, wire(a, job, now))


def regen_image(a: Account, call: Call) -> Response:
    """A NEW record from the source's inputs with another image (200, like the docs)."""
    b = BEHAVIOURS["product_to_videos"]
    source = find(a, b, call.args[0])
    image_inputs = {f.name for f in PRODUCT_IMAGE_FIELDS}
    body = {k: v for k, v in source.body.items() if k in image_inputs}
    body.update(validate_fields(REGEN_IMAGE_FIELDS, object_body(call)))
    job = new_job(a, b, body, call.now, source.fields)
    job.fields.update({"regen_type": "image", "regen_source_id": source.id})
    cost = REGEN_IMAGE_PRICE
    a.ensure_credits(cost)
    register(a, job)
    start_run(a, job, Stage.CREATE, call.now, cost=cost)
    return Response(200, wire(a, job, call.now))


def regen_video(a: Account, call: Call) -> Response:
    """A NEW record with the source's image and a new video: 1 credit (200)."""
    b = BEHAVIOURS["product_to_videos"]
    source = find(a, b, call.args[0])
    if not source.fields.get("generated_photo_url"):
        raise general_error("The image of this record is not ready.")
    overrides = object_body(call)
    merged: dict[str, Any] = {k: source.body[k] for k in
                              ("motion_style", "video_prompt", "webhook_url")
                              if k in source.body}
    merged.update(overrides)
    video = validate_fields(PRODUCT_VIDEO_FIELDS, merged)
    job = new_job(a, b, dict(source.body), call.now, source.fields)
    job.fields.update({"generated_photo_url": source.fields["generated_photo_url"],
                       "regen_type": "video", "regen_source_id": source.id})
    return _start_video(a, job, video, call.now, cost=REGEN_VIDEO_PRICE, new=True)
