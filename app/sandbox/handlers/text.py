"""Handlers of the Text Generator: a generation (polled, or ``sync``) and its stream.

Its errors have their own shape (``{"error": ...}``), checked here rather than by the DRF
field checks. A ``sync`` generation and the stream finish at once; the HTTP layer spends
the run time waiting (``delay``) or between the chunks (``event_interval``).
"""

from __future__ import annotations

import math
from typing import Any

from app.sandbox.account import Account
from app.sandbox.behaviours import BEHAVIOURS, TEXT_GENERATOR_FIELDS
from app.sandbox.catalogue import TEXT_MODELS, reply_text, stream_chunks
from app.sandbox.jobs import Job, Stage
from app.sandbox.objects import new_job, register, wire
from app.sandbox.routing import Call
from app.sandbox.runs import settle_now, start_run
from app.sandbox.wire import Response, text_error

__all__ = ["text_generate", "text_stream"]


def _text_body(call: Call) -> dict[str, Any]:
    body = call.body
    if not isinstance(body, dict):
        raise text_error("Request body must be a JSON object.")
    model = body.get("model_name")
    if not isinstance(model, str) or not model:
        raise text_error("model_name is required.")
    if model not in TEXT_MODELS:
        raise text_error(f"Unsupported model: {model}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise text_error("messages is required: a non-empty list of {role, content}.")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "model"):
            raise text_error(f'messages[{index}].role must be "user" or "model".')
        if not isinstance(message.get("content"), str):
            raise text_error(f"messages[{index}].content must be a string.")
    if not isinstance(body.get("system_instruction", ""), str | None):
        raise text_error("system_instruction must be a string.")
    if not isinstance(body.get("config", {}), dict | None):
        raise text_error("config must be an object.")
    if not isinstance(body.get("sync", False), bool):
        raise text_error("sync must be true or false.")
    out = {k: body[k] for k in TEXT_GENERATOR_FIELDS if body.get(k) is not None}
    out["messages"] = [{"role": m["role"], "content": m["content"]} for m in messages]
    out.setdefault("config", {})
    return out


def _start_text(a: Account, call: Call) -> Job:
    b = BEHAVIOURS["text_generator"]
    body = _text_body(call)
    job = new_job(a, b, body, call.now, call.body)
    job.answer = reply_text(body["messages"])
    cost = b.price(job)
    a.ensure_credits(cost, text_errors=True)
    register(a, job)
    start_run(a, job, Stage.CREATE, call.now, cost=cost)
    return job


def text_generate(a: Account, call: Call) -> Response:
    """``POST /sse/text_generator/``: 201; with ``sync`` the answer is in it."""
    job = _start_text(a, call)
    if call.body.get("sync") is True:
        settle_now(a, job, call.now)
        return Response(201, wire(a, job, call.now),
                        delay=job.behaviour.run_time / a.speed)
    return Response(201, wire(a, job, call.now))


def text_stream(a: Account, call: Call) -> Response:
    """Gemini-style chunks ``{"candidates": [{"content": {"parts": [{"text"}]}}]}``; the
    last also carries ``"creatify": {"id", "status", "credits_used", ...}``."""
    job = _start_text(a, call)
    settle_now(a, job, call.now)
    out = wire(a, job, call.now)
    creatify = {k: out.get(k) for k in ("id", "status", "credits_used", "model_name",
                                        "failed_reason", "response_text",
                                        "created_at", "updated_at")}
    events: list[dict[str, Any]]
    if job.status == "done":
        events = [_gemini_chunk(chunk) for chunk in stream_chunks(job.answer)]
        last = _gemini_chunk("", finish=True)
        last["usageMetadata"] = {"totalTokenCount": _tokens(job)}
        last["creatify"] = creatify
        events.append(last)
    else:
        events = [{"creatify": creatify, "error": job.fields["failed_reason"]}]
    return Response(200, events=events,
                    event_interval=job.behaviour.run_time / a.speed / len(events))


def _gemini_chunk(text: str, *, finish: bool = False) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}}
    if finish:
        candidate["finishReason"] = "STOP"
    return {"candidates": [candidate]}


def _tokens(job: Job) -> int:
    return math.ceil(len(job.answer.split()) * 1.3)
