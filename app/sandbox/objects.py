"""Jobs as wire objects: making one from a validated body, finding it, reading it out.

A :class:`~app.sandbox.jobs.Job` keeps the fields fixed at creation; :func:`wire` adds the
live ones (``status``, ``progress`` computed from the clock, ``credits_used``,
``updated_at``) and the docs quirks that change a read (the Asset Generator's string
``credits_used``, AI Scripts' paragraphs as one string).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from app.api import resources as res
from app.api.resources import ProgressForm
from app.sandbox.account import Account
from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.jobs import Behaviour, Job
from app.sandbox.routing import Call
from app.sandbox.validation import F, validate_fields
from app.sandbox.wire import UNDOCUMENTED_STATUS, ApiError, general_error, json_number

__all__ = ["find", "new_job", "object_body", "register", "validate", "wire"]


def new_job(a: Account, b: Behaviour, body: dict[str, Any], now: float,
            raw: Mapping[str, Any]) -> Job:
    """A job of ``b``'s resource from a validated ``body`` (``raw``: as sent), not yet
    registered or running."""
    job_id = a.new_id()
    fields_: dict[str, Any] = {"id": job_id}
    name = body.get("name", raw.get("name"))
    if b.resource.has_name or isinstance(name, str):
        fields_["name"] = name if isinstance(name, str) else None
    fields_.update({k: v for k, v in body.items() if k != "name"})
    fields_["status"] = b.steps[0][1]
    if b.resource.progress is not ProgressForm.NONE:
        fields_["progress"] = None
    fields_.update(b.output.placeholders())
    fields_["failed_reason"] = b.no_reason
    fields_.update(copy.deepcopy(dict(b.extra)))
    if "media_job" in fields_:
        fields_["media_job"] = a.new_id()
    length = b.length(a, body) if b.length is not None else None
    if b.resource.has_credits_used:
        fields_["credits_used"] = 0
        if length is not None:
            fields_["duration"] = math.ceil(length)
    if b.resource is res.ASSET_GENERATOR:
        model = ASSET_MODELS[body["model_name"]]
        fields_["gen_type"] = model.generation_type
        fields_["output_nums"] = model.outputs(body["input_params"])
        fields_["duration"] = int(body["input_params"].get("duration", 0))  # whole seconds
    if b.resource is res.INSPIRATION_JOBS:  # the docs type input_params a string
        fields_["gen_type"] = INSPIRATIONS[body["inspiration_id"]].gen_type
        fields_["input_params"] = json.dumps(body["input_params"])
    fields_["created_at"] = a.wall(now)
    fields_["updated_at"] = fields_["created_at"]
    return Job(job_id, next(a.sequence), b, body, fields_, length, now,
               fields_["status"], now)


def register(a: Account, job: Job) -> None:
    a.jobs[job.resource.key][job.id] = job
    a.by_id[job.id] = job


def wire(a: Account, job: Job, now: float, *, read: bool = False) -> dict[str, Any]:
    """``job``'s wire object at ``now``. ``read``: a GET (which may show the undocumented
    status fault)."""
    out = dict(job.fields)
    status = job.status
    if read and job.run is not None and a.roll(a.faults.unknown_status_rate):
        status = UNDOCUMENTED_STATUS
    out["status"] = status
    form = job.resource.progress
    if form is not ProgressForm.NONE:
        progress = job.run.progress_at(now) if job.run is not None else job.progress
        out["progress"] = _format_progress(form, job.behaviour.progress_scale, progress)
    if job.resource.has_credits_used:
        out["credits_used"] = json_number(job.credits)
        if job.resource is res.ASSET_GENERATOR and a.quirks.asset_credits_string:
            out["credits_used"] = str(out["credits_used"])
    if job.resource is res.INSPIRATION_JOBS and not a.quirks.inspiration_strings:
        out["input_params"] = json.loads(out["input_params"])
        out["output"] = json.loads(out["output"] or "[]")
    if job.resource is res.AI_SCRIPTS and not a.quirks.scripts_as_string:
        out["generated_scripts"] = [
            {**script, "paragraphs": script["paragraphs"].split("\n\n")}
            for script in out.get("generated_scripts") or []]
    out["updated_at"] = a.wall(job.updated)
    return out


def find(a: Account, b: Behaviour, job_id: str) -> Job:
    """The job ``job_id`` of ``b``'s resource, or 404."""
    job = a.jobs[b.resource.key].get(job_id)
    if job is None:
        raise ApiError(404, {"detail": f"No {b.resource.model_label} matches the given "
                                       "query."})
    return job


def object_body(call: Call) -> dict[str, Any]:
    """The request's body, which must be a JSON object (DRF's message otherwise)."""
    if not isinstance(call.body, dict):
        raise general_error("Invalid data. Expected a dictionary, but got "
                            f"{type(call.body).__name__}.")
    return call.body


def validate(a: Account, b: Behaviour, call: Call, specs: Sequence[F] | None = None
             ) -> dict[str, Any]:
    """The body checked against ``specs`` (default: ``b``'s fields), then ``b``'s
    cross-field check."""
    body = validate_fields(b.fields if specs is None else specs, object_body(call),
                           b.defaults)
    if b.check is not None:
        b.check(a, body)
    return body


def _format_progress(form: ProgressForm, scale: int, progress: float) -> str | int | float:
    if scale == 100:
        value: int | float = int(progress * 100)
    else:
        value = round(progress, 2)
    if form is ProgressForm.STRING:
        return format(value, "g")
    return value
