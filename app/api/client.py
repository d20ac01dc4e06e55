"""The Creatify REST client: one object owning one ``httpx.AsyncClient``.

Rules it keeps:

* Every POST spends credits (creates, previews, renders, generations) and is sent **once**.
  If it may have reached the server and the answer was lost, :class:`AmbiguousCreateError`
  is raised and nothing is retried: the caller reconciles through the list endpoint.
* GET and PUT are free and idempotent: they retry with exponential backoff and full jitter,
  honouring ``Retry-After``.
* The API key lives in the client's headers and nowhere else; it is never logged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from app import __version__
from app.api import resources as R
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    CreatifyError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    TimeoutFailedError,
    error_from_response,
)
from app.api.snapshot import JobSnapshot, snapshot_from
from app.logsafe import register_secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.creatify.ai"


class InsecureBaseURLError(ValueError):
    """The API base URL is not HTTPS and not on this machine."""


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """The base URL without a trailing slash; HTTPS required unless the host is loopback."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InsecureBaseURLError(f"Not a valid API address: {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureBaseURLError(f"Not a valid API address: {url!r}")
    if parts.scheme != "https" and not is_loopback_host(parts.hostname):
        raise InsecureBaseURLError(
            f"Refusing to send credentials over plain HTTP to {parts.hostname}: "
            "use https:// (plain http is allowed only for this machine, e.g. the sandbox).")
    if parts.query or parts.fragment:
        raise InsecureBaseURLError(f"The API address must not carry a query: {url!r}")
    return url.strip().rstrip("/")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for free requests: full jitter, ``Retry-After`` honoured (capped)."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        wait = rng.uniform(0, backoff)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


@dataclass(frozen=True, slots=True)
class Link:
    """A product page scraped by Creatify. ``id`` is the top-level id (use it for ``link``)."""

    id: str
    url: str
    title: str = ""
    description: str = ""
    image_urls: tuple[str, ...] = ()
    video_urls: tuple[str, ...] = ()
    logo_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def link_from(body: object) -> Link:
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
        raise MalformedResponseError("expected a Link object with an id")
    inner = body.get("link") if isinstance(body.get("link"), Mapping) else body
    assert isinstance(inner, Mapping)

    def strs(value: object) -> tuple[str, ...]:
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    return Link(
        id=body["id"],
        url=text(body.get("url")) or text(inner.get("url")),
        title=text(inner.get("title")),
        description=text(inner.get("description")),
        image_urls=strs(inner.get("image_urls")),
        video_urls=strs(inner.get("video_urls")),
        logo_url=inner.get("logo_url") if isinstance(inner.get("logo_url"), str) else None,
        raw=dict(body),
    )


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the streamed Text Generator answer."""

    delta: str = ""
    done: bool = False
    job_id: str | None = None
    credits_used: Decimal | None = None
    response_text: str | None = None


# Transport failures that happen before a request can have left this machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class CreatifyClient:
    """Async client for every Creatify endpoint the app uses.

    Parameters
    ----------
    api_id, api_key
        The ``X-API-ID`` / ``X-API-KEY`` pair.
    base_url
        ``https://api.creatify.ai`` by default; plain HTTP only for loopback hosts.
    transport
        An ``httpx`` transport for tests (``httpx.MockTransport``); real network otherwise.
    sleep
        Awaited between retries (tests pass a recorder).
    """

    def __init__(
        self,
        api_id: str,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not api_id or not api_key:
            raise ValueError("Both X-API-ID and X-API-KEY are needed.")
        self.base_url = validate_base_url(base_url)
        register_secret(api_key)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.requests_sent = 0
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "X-API-ID": api_id,
                "X-API-KEY": api_key,
                "Accept": "application/json",
                "User-Agent": f"CreatifyStudio/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"CreatifyClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> CreatifyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ transport core

    async def _send_once(self, method: str, path: str, *, params: Mapping[str, str] | None,
                         body: Any) -> httpx.Response:
        self.requests_sent += 1
        started = time.monotonic()
        response = await self._http.request(method, path, params=params, json=body)
        log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code,
                  (time.monotonic() - started) * 1000)
        return response

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if not response.is_success:
            raise error_from_response(response.status_code, response.text, response.headers)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedResponseError(
                f"Creatify answered HTTP {response.status_code} with a body that is not JSON."
            ) from exc

    async def _paid[T](self, parse: Callable[[Any], T], path: str, body: Any) -> T:
        """One paid POST, sent exactly once; ``parse`` turns the answer into a result."""
        what = f"POST {path}"
        try:
            response = await self._send_once("POST", path, params=None, body=body)
        except _NOT_SENT as exc:
            raise ConnectionFailedError(
                f"Could not reach Creatify ({type(exc).__name__}); nothing was sent or charged."
            ) from exc
        except httpx.TransportError as exc:
            raise AmbiguousCreateError(
                f"{what}: the connection failed after the request was sent "
                f"({type(exc).__name__}). It may or may not have been created and billed.",
                cause=exc) from exc
        except httpx.DecodingError as exc:  # it answered, in a form we cannot read
            raise AmbiguousCreateError(
                f"{what}: Creatify's answer could not be decoded. It may or may not have been "
                f"created and billed.", cause=exc) from exc
        try:
            return parse(self._decode(response))
        except (ServerError, MalformedResponseError) as exc:
            raise AmbiguousCreateError(
                f"{what}: {exc.message} It may or may not have been created and billed.",
                cause=exc, status_code=response.status_code) from exc

    async def _free(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    body: Any = None) -> Any:
        """A free, idempotent request (GET/PUT), retried with backoff."""
        attempt = 0
        while True:
            attempt += 1
            try:
                try:
                    response = await self._send_once(method, path, params=params, body=body)
                except httpx.TimeoutException as exc:
                    raise TimeoutFailedError(
                        f"Creatify did not answer in time ({method} {path}).") from exc
                except httpx.TransportError as exc:
                    raise ConnectionFailedError(
                        f"Could not reach Creatify ({type(exc).__name__}).") from exc
                except httpx.DecodingError as exc:
                    raise MalformedResponseError(
                        f"Creatify's answer to {method} {path} could not be decoded.") from exc
                return self._decode(response)
            except CreatifyError as exc:
                if not exc.retryable or attempt >= self._retry.attempts:
                    raise
                retry_after = getattr(exc, "retry_after", None)
                wait = self._retry.delay(attempt, retry_after, self._rng)
                log.info("%s %s failed (%s); retry %d/%d in %.2f s", method, path,
                         type(exc).__name__, attempt, self._retry.attempts - 1, wait)
                await self._sleep(wait)

    # ------------------------------------------------------------------ jobs, generic

    async def create(self, resource_key: str, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/<resource>/`` — paid, sent once."""
        res = R.resource(resource_key)
        return await self._paid(_job(res), res.path, dict(body))

    async def preview(self, resource_key: str, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/<resource>/preview/`` — paid (preview rate), sent once."""
        res = R.resource(resource_key)
        return await self._paid(_job(res), res.action_path("preview"), dict(body))

    async def render(self, resource_key: str, job_id: str) -> JobSnapshot:
        """``POST /api/<resource>/<id>/render/`` — paid (render rate), sent once."""
        res = R.resource(resource_key)
        return await self._paid(_job(res), res.action_path("render", job_id), None)

    async def get_job(self, resource_key: str, job_id: str) -> JobSnapshot:
        res = R.resource(resource_key)
        return snapshot_from(res, await self._free("GET", res.item_path(job_id)))

    async def list_jobs(self, resource_key: str,
                        ids: Iterable[str] | None = None) -> list[JobSnapshot]:
        """``GET /api/<resource>/`` — with ``ids``, batched at most 100 per request."""
        res = R.resource(resource_key)
        if ids is None:
            return self._snapshots(res, await self._free("GET", res.path))
        wanted = list(dict.fromkeys(ids))
        out: list[JobSnapshot] = []
        for start in range(0, len(wanted), R.MAX_IDS_PER_LIST):
            chunk = wanted[start:start + R.MAX_IDS_PER_LIST]
            body = await self._free("GET", res.path, params={"ids": ",".join(chunk)})
            out.extend(self._snapshots(res, body))
        return out

    @staticmethod
    def _snapshots(res: R.Resource, body: object) -> list[JobSnapshot]:
        if not isinstance(body, list):
            raise MalformedResponseError(f"expected a JSON array from {res.path}")
        out = []
        for item in body:
            try:
                out.append(snapshot_from(res, item))
            except MalformedResponseError as exc:
                log.warning("skipping a malformed %s item: %s", res.key, exc.message)
        return out

    # ------------------------------------------------------------------ URL to Video extras

    async def preview_list_async(self, body: Mapping[str, Any]) -> JobSnapshot:
        """Previews of several ``visual_styles`` in one job — paid per preview."""
        path = R.LINK_TO_VIDEOS.action_path("preview_list_async")
        return await self._paid(_job(R.LINK_TO_VIDEOS), path, dict(body))

    async def render_single_preview(self, job_id: str, media_job: str) -> JobSnapshot:
        """Render one of the previews made by :meth:`preview_list_async` — paid."""
        path = R.LINK_TO_VIDEOS.action_path("render_single_preview", job_id)
        return await self._paid(_job(R.LINK_TO_VIDEOS), path, {"media_job": media_job})

    # ------------------------------------------------------------------ Product Video

    async def gen_image(self, body: Mapping[str, Any]) -> JobSnapshot:
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_image")
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def gen_video(self, job_id: str, body: Mapping[str, Any]) -> JobSnapshot:
        """Animate the image of job ``job_id`` (same id)."""
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_video", job_id)
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def regen(self, job_id: str, step: str,
                    body: Mapping[str, Any] | None = None) -> JobSnapshot:
        """``regen_image`` / ``regen_video``: a new job (new id)."""
        if step not in ("image", "video"):
            raise ValueError("step must be 'image' or 'video'")
        path = R.PRODUCT_TO_VIDEOS.action_path(f"regen_{step}", job_id)
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body or {}))

    # ------------------------------------------------------------------ Text Generator

    async def text_generate(self, body: Mapping[str, Any], *, sync: bool = False) -> JobSnapshot:
        """``POST /sse/text_generator/`` — async (poll it) or ``sync`` (finished object)."""
        payload = {**body, "sync": sync}
        return await self._paid(_job(R.TEXT_GENERATOR), R.TEXT_GENERATOR_CREATE_PATH, payload)

    async def text_generate_stream(self, body: Mapping[str, Any]) -> AsyncIterator[StreamEvent]:
        """Stream an answer from ``/sse/text_generator/stream/``; paid, sent once."""
        path = R.TEXT_GENERATOR_STREAM_PATH
        self.requests_sent += 1
        received_any = False
        try:
            async with self._http.stream("POST", path, json=dict(body),
                                         headers={"Accept": "text/event-stream"}) as response:
                if not response.is_success:
                    await response.aread()
                    error = error_from_response(response.status_code, response.text,
                                                response.headers)
                    if isinstance(error, ServerError):
                        raise AmbiguousCreateError(
                            f"POST {path}: {error.message} It may or may not have been billed.",
                            cause=error, status_code=response.status_code)
                    raise error
                async for data in _sse_data(response.aiter_lines()):
                    received_any = True
                    event = _stream_event(data)
                    if event is not None:
                        yield event
        except _NOT_SENT as exc:
            raise ConnectionFailedError(
                f"Could not reach Creatify ({type(exc).__name__}); nothing was sent.") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise AmbiguousCreateError(
                f"POST {path}: the stream broke ({type(exc).__name__})"
                + (" after part of the answer arrived." if received_any else "."),
                cause=exc) from exc

    # ------------------------------------------------------------------ other paid creates

    async def create_link(self, url: str) -> Link:
        """``POST /api/links/`` — 1 credit."""
        return await self._paid(link_from, R.LINKS.path, {"url": url})

    async def create_link_with_params(self, fields: Mapping[str, Any]) -> Link:
        """``POST /api/links/link_with_params/`` — 1 credit."""
        return await self._paid(link_from, R.LINK_WITH_PARAMS_PATH, dict(fields))

    async def asset_generate(self, model_name: str, input_params: Mapping[str, Any]) -> JobSnapshot:
        return await self.create("asset_generator",
                                 {"model_name": model_name, "input_params": dict(input_params)})

    # ------------------------------------------------------------------ free reads

    async def update_link(self, link_id: str, fields: Mapping[str, Any]) -> Link:
        return link_from(await self._free("PUT", R.LINKS.item_path(link_id), body=dict(fields)))

    async def get_link(self, link_id: str) -> Link:
        return link_from(await self._free("GET", R.LINKS.item_path(link_id)))

    async def list_links(self) -> list[Link]:
        body = await self._free("GET", R.LINKS.path)
        if not isinstance(body, list):
            raise MalformedResponseError("expected a JSON array of links")
        return [link_from(item) for item in body]

    async def remaining_credits(self) -> Decimal:
        """The workspace balance (free)."""
        body = await self._free("GET", R.REMAINING_CREDITS_PATH)
        value = body.get("remaining_credits") if isinstance(body, Mapping) else None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise MalformedResponseError("remaining_credits missing from the answer")
        try:
            credits = Decimal(str(value))
        except ArithmeticError as exc:
            raise MalformedResponseError(f"remaining_credits is not a number: {value!r}") from exc
        if not credits.is_finite():
            raise MalformedResponseError("remaining_credits is not a finite number")
        return credits

    async def _catalogue(self, path: str, params: Mapping[str, str] | None = None,
                         ) -> list[dict[str, Any]]:
        body = await self._free("GET", path, params=params)
        if not isinstance(body, list):
            raise MalformedResponseError(f"expected a JSON array from {path}")
        return [dict(item) for item in body if isinstance(item, Mapping)]

    async def personas(self) -> list[dict[str, Any]]:
        return await self._catalogue(R.PERSONAS.path)

    async def personas_v2(self, **filters: str) -> list[dict[str, Any]]:
        return await self._catalogue(R.PERSONAS_V2.path, {k: v for k, v in filters.items() if v})

    async def voices(self) -> list[dict[str, Any]]:
        return await self._catalogue(R.VOICES.path)

    async def musics(self) -> list[dict[str, Any]]:
        return await self._catalogue(R.MUSICS.path)

    async def asset_schemas(self, model_names: Sequence[str] = ()) -> list[dict[str, Any]]:
        params = {"model_name": ",".join(model_names)} if model_names else None
        return await self._catalogue(R.ASSET_SCHEMAS_PATH, params)


def _job(res: R.Resource) -> Callable[[Any], JobSnapshot]:
    def parse(body: Any) -> JobSnapshot:
        return snapshot_from(res, body)
    return parse


async def _sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
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


def _decimal_or_none(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _stream_event(data: str) -> StreamEvent | None:
    if data.strip() == "[DONE]":
        return StreamEvent(done=True)
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return StreamEvent(delta=data)
    if not isinstance(obj, Mapping):
        return StreamEvent(delta=str(obj))
    delta = next((obj[k] for k in ("delta", "text", "content") if isinstance(obj.get(k), str)), "")
    done = bool(obj.get("done")) or obj.get("status") == "done"
    credits = obj.get("credits_used")
    job_id = obj.get("id")
    text = obj.get("response_text")
    return StreamEvent(
        delta=delta,
        done=done,
        job_id=str(job_id) if isinstance(job_id, str | int) and not isinstance(job_id, bool)
        else None,
        credits_used=_decimal_or_none(credits),
        response_text=text if isinstance(text, str) else None,
    )


__all__ = [
    "DEFAULT_BASE_URL",
    "CreatifyClient",
    "InsecureBaseURLError",
    "Link",
    "RateLimitedError",
    "RetryPolicy",
    "StreamEvent",
    "is_loopback_host",
    "validate_base_url",
]
