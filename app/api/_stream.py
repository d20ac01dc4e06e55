"""The streamed Text Generator answer: server-sent events read as :class:`StreamEvent` values.

The stream is paid and sent once, like every POST; it waits for the client-wide pause and
counts as a request like the others.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import httpx

from app.api import resources as R
from app.api._transport import NOT_SENT, BaseClient
from app.api._values import decimal_or_none
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    ServerError,
    error_from_response,
)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the streamed Text Generator answer.

    ``done`` with a ``job_id`` is the final chunk naming the job (its ``creatify`` object). A
    stream that ends without such an event did not tell us its job: the caller looks it up.
    An event naming the job carries the whole answer in ``response_text`` (the job's own, or
    else every delta of the stream so far).
    """

    delta: str = ""
    done: bool = False
    job_id: str | None = None
    credits_used: Decimal | None = None
    response_text: str | None = None
    status: str | None = None


class StreamEndpoints(BaseClient):
    """``POST /sse/text_generator/stream/``."""

    async def text_generate_stream(self, body: Mapping[str, Any]) -> AsyncIterator[StreamEvent]:
        """Stream an answer from ``/sse/text_generator/stream/``; paid, sent once."""
        path = R.TEXT_GENERATOR_STREAM_PATH
        await self._wait_if_paused()
        self.requests_sent += 1
        received_any = False
        try:
            async with self._http.stream("POST", path, json=dict(body),
                                         headers={"Accept": "text/event-stream"}) as response:
                self._note_response(response)
                if not response.is_success:
                    await response.aread()
                    error = error_from_response(response.status_code, response.text,
                                                response.headers)
                    if isinstance(error, ServerError):
                        raise AmbiguousCreateError(
                            f"POST {path}: {error.message} It may or may not have been billed.",
                            cause=error, status_code=response.status_code)
                    raise error
                answer: list[str] = []
                async for data in sse_data(response.aiter_lines()):
                    received_any = True
                    event = stream_event(data)
                    if event is None:
                        continue
                    answer.append(event.delta)
                    if event.job_id and event.response_text is None:
                        # The final chunk's ``creatify`` object names the job but need not
                        # repeat the text: the answer is what the chunks carried.
                        event = replace(event, response_text="".join(answer))
                    yield event
        except NOT_SENT as exc:
            raise ConnectionFailedError(
                f"Could not reach Creatify ({type(exc).__name__}); nothing was sent.") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise AmbiguousCreateError(
                f"POST {path}: the stream broke ({type(exc).__name__})"
                + (" after part of the answer arrived." if received_any else "."),
                cause=exc) from exc


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The ``data:`` payload of each server-sent event."""
    buffer: list[str] = []
    async for line in lines:
        if line == "":
            if buffer:
                yield "\n".join(buffer)
                buffer = []
        elif line.startswith("data:"):
            buffer.append(line[5:].removeprefix(" "))
    if buffer:
        yield "\n".join(buffer)


def _job_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        return None
    return str(value)


def _gemini_text(obj: Mapping[str, Any]) -> str:
    """The text of a Gemini chunk: ``candidates[0].content.parts[].text`` joined."""
    candidates = obj.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        return ""
    first = candidates[0]
    content = first.get("content") if isinstance(first, Mapping) else None
    parts = content.get("parts") if isinstance(content, Mapping) else None
    if not isinstance(parts, list):
        return ""
    return "".join(p["text"] for p in parts
                   if isinstance(p, Mapping) and isinstance(p.get("text"), str)
                   and not p.get("thought"))


def stream_event(data: str) -> StreamEvent | None:
    """One SSE ``data:`` payload. The documented shape is a Gemini chunk
    ``{"candidates": [{"content": {"parts": [{"text": …}]}}]}``, the last one also carrying
    ``"creatify": {"id", "status", "credits_used", …}``; the older ``{"delta": …}`` /
    ``{"done": true, "id", …}`` events and ``[DONE]`` are still read."""
    if data.strip() == "[DONE]":
        return StreamEvent(done=True)
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return StreamEvent(delta=data)
    if not isinstance(obj, Mapping):
        return StreamEvent(delta=str(obj))
    delta = _gemini_text(obj) or next(
        (obj[k] for k in ("delta", "text", "content") if isinstance(obj.get(k), str)), "")
    creatify = obj.get("creatify")
    if isinstance(creatify, Mapping):
        job_id = _job_id(creatify.get("id"))
        status = creatify.get("status")
        text = creatify.get("response_text")
        return StreamEvent(
            delta=delta,
            done=job_id is not None,
            job_id=job_id,
            credits_used=decimal_or_none(creatify.get("credits_used")),
            response_text=text if isinstance(text, str) else None,
            status=status if isinstance(status, str) else None)
    status = obj.get("status")
    text = obj.get("response_text")
    return StreamEvent(
        delta=delta,
        done=bool(obj.get("done")) or status == "done",
        job_id=_job_id(obj.get("id")),
        credits_used=decimal_or_none(obj.get("credits_used")),
        response_text=text if isinstance(text, str) else None,
        status=status if isinstance(status, str) else None,
    )


__all__ = ["StreamEndpoints", "StreamEvent", "sse_data", "stream_event"]
