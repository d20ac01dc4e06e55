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
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from app import __version__
from app.api import resources as R
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    CreatifyError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TimeoutFailedError,
    error_from_response,
    parse_retry_after,
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
    """A product page scraped by Creatify. ``id`` is the top-level id (use it for ``link``).

    ``credits_used`` is what making it cost (``POST /api/links/`` reports it; ``None`` when the
    answer does not say, as the flat ``link_with_params`` answer)."""

    id: str
    url: str
    title: str = ""
    description: str = ""
    image_urls: tuple[str, ...] = ()
    video_urls: tuple[str, ...] = ()
    logo_url: str | None = None
    credits_used: Decimal | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def link_from(body: object) -> Link:
    """A Link from either documented answer: ``{id, url, link: {…}, credits_used}`` or the flat
    ``{id, title, description, image_urls, video_urls, reviews, logo_url}`` of
    ``link_with_params``."""
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str) \
            or not body["id"].strip():
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
        credits_used=_decimal_or_none(body.get("credits_used")),
        raw=dict(body),
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


@dataclass(frozen=True, slots=True)
class MusicPage:
    """One page of ``GET /api/musics/`` (the docs show an object or a plain array)."""

    items: list[dict[str, Any]]
    count: int | None
    page: int
    page_size: int
    has_more: bool


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
        Awaited between retries and during a rate-limit pause (tests pass a recorder).
    clock
        Monotonic seconds, for the rate-limit pause (tests may pass a fake).
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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not api_id or not api_key:
            raise ValueError("Both X-API-ID and X-API-KEY are needed.")
        self.base_url = validate_base_url(base_url)
        register_secret(api_key)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        # A 429 with Retry-After on any request holds every later request (GET, PUT, POST)
        # until then: ``_paused_until`` on ``clock``; ``_pause_served`` is the latest deadline
        # a wait has already run to (so a test's instant ``sleep`` does not wait twice).
        self._paused_until = 0.0
        self._pause_served = 0.0
        # The Text Generator's jobs are read at /sse/…/{id}/ unless that answered 404 and the
        # /api/ path did not: then /api/ is asked first (and /sse/ is still the fallback).
        self._text_generator_legacy_first = False
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

    @property
    def paused_for(self) -> float:
        """Seconds every request still waits because of a ``Retry-After`` (0 when none)."""
        if self._paused_until <= self._pause_served:
            return 0.0
        return max(self._paused_until - self._clock(), 0.0)

    def _note_response(self, response: httpx.Response) -> None:
        """A 429 with ``Retry-After`` pauses the whole client (capped like the retries)."""
        if response.status_code != 429:
            return
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None or retry_after <= 0:
            return
        until = self._clock() + min(retry_after, self._retry.max_retry_after)
        if until > self._paused_until:
            self._paused_until = until
            log.info("Creatify asked to slow down: every request waits %.1f s",
                     min(retry_after, self._retry.max_retry_after))

    async def _wait_if_paused(self) -> None:
        while True:
            until = self._paused_until
            if until <= self._pause_served:
                return
            wait = until - self._clock()
            if wait > 0:
                await self._sleep(wait)
            self._pause_served = max(self._pause_served, until)

    async def _send_once(self, method: str, path: str, *, params: Mapping[str, str] | None,
                         body: Any) -> httpx.Response:
        await self._wait_if_paused()
        self.requests_sent += 1
        started = time.monotonic()
        response = await self._http.request(method, path, params=params, json=body)
        log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code,
                  (time.monotonic() - started) * 1000)
        self._note_response(response)
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
                # A Retry-After on a 429 is already the client-wide pause the next send
                # waits for; sleep here only for what the backoff adds beyond it.
                if isinstance(exc, RateLimitedError) and retry_after and self.paused_for > 0:
                    wait -= min(retry_after, self._retry.max_retry_after)
                if wait > 0:
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

    async def preview_async(self, body: Mapping[str, Any]) -> JobSnapshot:
        """``POST /api/custom_template_jobs/preview_async/`` — the template preview the docs
        recommend (answers at once, 201; poll until ``preview`` is set). Paid, sent once."""
        res = R.CUSTOM_TEMPLATE_JOBS
        return await self._paid(_job(res), res.action_path("preview_async"), dict(body))

    async def render(self, resource_key: str, job_id: str) -> JobSnapshot:
        """``POST /api/<resource>/<id>/render/`` — paid (render rate), sent once."""
        res = R.resource(resource_key)
        path = res.action_path("render", _path_segment(job_id, "job id"))
        return await self._paid(_job(res), path, None)

    async def get_job(self, resource_key: str, job_id: str) -> JobSnapshot:
        """``GET <resource>/<id>/``. The Text Generator is read at ``/sse/text_generator/{id}/``
        and, only when that answers 404, at ``/api/text_generator/{id}/`` (the docs give both)."""
        res = R.resource(resource_key)
        segment = _path_segment(job_id, "job id")
        if res is not R.TEXT_GENERATOR:
            return snapshot_from(res, await self._free("GET", res.item_path(segment)))
        paths = [res.item_path(segment), f"{R.TEXT_GENERATOR_LEGACY_PATH}{segment}/"]
        if self._text_generator_legacy_first:
            paths.reverse()
        try:
            body = await self._free("GET", paths[0])
        except NotFoundError:
            log.info("%s answered 404; trying %s", paths[0], paths[1])
            body = await self._free("GET", paths[1])
            # The other path answered: ask it first from now on (one request a poll, not two).
            self._text_generator_legacy_first = not self._text_generator_legacy_first
        return snapshot_from(res, body)

    async def list_jobs(self, resource_key: str,
                        ids: Iterable[str] | None = None) -> list[JobSnapshot]:
        """``GET <resource>/`` — with ``ids``, batched at most 100 per request.

        A resource whose list documents no ``ids`` filter (``supports_ids`` false: Ad Clone,
        the Text Generator) is never asked with ids: poll its jobs one by one with
        :meth:`get_job`. Asking raises ``ValueError``."""
        res = R.resource(resource_key)
        if ids is None:
            return self._snapshots(res, await self._free("GET", res.path))
        if not res.supports_ids:
            raise ValueError(
                f"The {res.key} list ({res.path}) takes no ids filter; "
                f"read each job with get_job({res.key!r}, id) instead.")
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
        path = R.LINK_TO_VIDEOS.action_path("render_single_preview",
                                            _path_segment(job_id, "job id"))
        return await self._paid(_job(R.LINK_TO_VIDEOS), path, {"media_job": media_job})

    # ------------------------------------------------------------------ Product Video

    async def gen_image(self, body: Mapping[str, Any]) -> JobSnapshot:
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_image")
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def gen_video(self, job_id: str, body: Mapping[str, Any]) -> JobSnapshot:
        """Animate the image of job ``job_id`` (same id)."""
        path = R.PRODUCT_TO_VIDEOS.action_path("gen_video", _path_segment(job_id, "job id"))
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body))

    async def regen(self, job_id: str, step: str,
                    body: Mapping[str, Any] | None = None) -> JobSnapshot:
        """``regen_image`` / ``regen_video``: a new job (new id)."""
        if step not in ("image", "video"):
            raise ValueError("step must be 'image' or 'video'")
        path = R.PRODUCT_TO_VIDEOS.action_path(f"regen_{step}", _path_segment(job_id, "job id"))
        return await self._paid(_job(R.PRODUCT_TO_VIDEOS), path, dict(body or {}))

    # ------------------------------------------------------------------ Text Generator

    async def text_generate(self, body: Mapping[str, Any], *, sync: bool = False) -> JobSnapshot:
        """``POST /sse/text_generator/`` — async (poll it) or ``sync`` (finished object)."""
        payload = {**body, "sync": sync}
        return await self._paid(_job(R.TEXT_GENERATOR), R.TEXT_GENERATOR_CREATE_PATH, payload)

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
                async for data in _sse_data(response.aiter_lines()):
                    received_any = True
                    event = _stream_event(data)
                    if event is None:
                        continue
                    answer.append(event.delta)
                    if event.job_id and event.response_text is None:
                        # The final chunk's ``creatify`` object names the job but need not
                        # repeat the text: the answer is what the chunks carried.
                        event = replace(event, response_text="".join(answer))
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
        return link_from(await self._free(
            "PUT", R.LINKS.item_path(_path_segment(link_id, "Link id")), body=dict(fields)))

    async def get_link(self, link_id: str) -> Link:
        path = R.LINKS.item_path(_path_segment(link_id, "Link id"))
        return link_from(await self._free("GET", path))

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

    async def personas_v2(self, **filters: str | Sequence[str] | None) -> list[dict[str, Any]]:
        """``GET /api/personas_v2/`` filtered by ``age_range``, ``gender`` (``m``, ``f``, ``nb``;
        ``male``/``female``/``non_binary`` are translated), ``location`` and ``style``; each a
        value or several (sent comma-separated). Another filter name raises ``ValueError``."""
        params: dict[str, str] = {}
        for name, value in filters.items():
            if name not in PERSONA_FILTERS:
                raise ValueError(f"personas_v2 has no filter {name!r} "
                                 f"(it takes {', '.join(PERSONA_FILTERS)}).")
            values = [value] if isinstance(value, str) else list(value or ())
            cleaned = [str(v).strip() for v in values if str(v).strip()]
            if name == "gender":
                cleaned = [_PERSONA_GENDER.get(v.lower(), v) for v in cleaned]
            if cleaned:
                params[name] = ",".join(dict.fromkeys(cleaned))
        return await self._catalogue(R.PERSONAS_V2.path, params or None)

    async def voices(self) -> list[dict[str, Any]]:
        return await self._catalogue(R.VOICES.path)

    async def music_page(self, *, page: int = 1, page_size: int = 20, search: str | None = None,
                         category: str | None = None) -> MusicPage:
        """One page of ``GET /api/musics/`` (free). The docs show both an object
        ``{count, results, page, page_size}`` and a plain array: both are read."""
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValueError(f"The music page must be a whole number from 1 (got {page!r}).")
        if isinstance(page_size, bool) or not isinstance(page_size, int) \
                or not 1 <= page_size <= MAX_MUSIC_PAGE_SIZE:
            raise ValueError(f"The music page size must be a whole number from 1 to "
                             f"{MAX_MUSIC_PAGE_SIZE} (got {page_size!r}).")
        params = {"page": str(page), "page_size": str(page_size)}
        if search and search.strip():
            params["search"] = search.strip()
        if category and category.strip():
            params["category"] = category.strip()
        body = await self._free("GET", R.MUSICS.path, params=params)
        return music_page_from(body, page=page, page_size=page_size)

    async def musics(self, *, max_pages: int = 10, page_size: int = 100) -> list[dict[str, Any]]:
        """The music catalogue: pages read until the last one (at most ``max_pages``)."""
        tracks: list[dict[str, Any]] = []
        for number in range(1, max_pages + 1):
            page = await self.music_page(page=number, page_size=page_size)
            tracks.extend(page.items)
            if not page.has_more or not page.items:
                break
        return tracks

    async def music_categories(self) -> list[dict[str, Any]]:
        """``GET /api/music_categories/`` → ``[{name}, …]`` (free)."""
        return _items(await self._free("GET", R.MUSIC_CATEGORIES_PATH), R.MUSIC_CATEGORIES_PATH)

    async def custom_templates(self) -> list[dict[str, Any]]:
        """The workspace's templates, ``GET /api/custom_templates/`` (free):
        ``[{template_id, name, preview, aspect_ratio, …}]``."""
        return _items(await self._free("GET", R.CUSTOM_TEMPLATES_PATH), R.CUSTOM_TEMPLATES_PATH)

    async def custom_template(self, template_id: str) -> dict[str, Any]:
        """One template with its ``variables`` map, ``GET /api/custom_templates/{id}/``."""
        segment = _path_segment(template_id, "template id")
        body = await self._free("GET", f"{R.CUSTOM_TEMPLATES_PATH}{segment}/")
        if not isinstance(body, Mapping):
            raise MalformedResponseError("expected a custom template object")
        template = dict(body)
        variables = template.get("variables")
        if variables is None:
            template["variables"] = {}
        elif not isinstance(variables, Mapping):
            raise MalformedResponseError("the custom template's variables are not an object")
        return template

    async def asset_schemas(self, model_names: Sequence[str] = ()) -> list[dict[str, Any]]:
        params = {"model_name": ",".join(model_names)} if model_names else None
        return await self._catalogue(R.ASSET_SCHEMAS_PATH, params)


MAX_MUSIC_PAGE_SIZE = 100
PERSONA_FILTERS = ("age_range", "gender", "location", "style")
# Voices write gender male/female/non_binary; persona filters take m/f/nb.
_PERSONA_GENDER = {"male": "m", "female": "f", "non_binary": "nb", "non-binary": "nb"}


def _path_segment(value: str, what: str) -> str:
    """An id as one URL path segment: non-empty, without slashes, percent-encoded."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError(f"A {what} is needed (got {value!r}).")
    value = value.strip()
    if "/" in value or "\\" in value or value in (".", ".."):
        raise ValueError(f"Not a valid {what}: {value!r}.")
    return quote(value, safe="")


def _items(body: object, path: str) -> list[dict[str, Any]]:
    """A catalogue answer: a plain array, or a page object with ``results``."""
    if isinstance(body, Mapping) and isinstance(body.get("results"), list):
        body = body["results"]
    if not isinstance(body, list):
        raise MalformedResponseError(f"expected a JSON array from {path}")
    return [dict(item) for item in body if isinstance(item, Mapping)]


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def music_page_from(body: object, *, page: int, page_size: int) -> MusicPage:
    """Read a musics answer: ``{count, results, page, page_size}`` (``next`` too, DRF style),
    a plain array of tracks, or an array of such page objects (the YAML's reading)."""
    if isinstance(body, list) and body and all(
            isinstance(item, Mapping) and isinstance(item.get("results"), list)
            for item in body):
        pages = [music_page_from(item, page=page, page_size=page_size) for item in body]
        counts = [p.count for p in pages if p.count is not None]
        return MusicPage(items=[t for p in pages for t in p.items],
                         count=max(counts) if counts else None, page=page,
                         page_size=page_size, has_more=any(p.has_more for p in pages))
    if isinstance(body, list):
        items = [dict(item) for item in body if isinstance(item, Mapping)]
        return MusicPage(items=items, count=None, page=page, page_size=page_size,
                         has_more=False)
    if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
        raise MalformedResponseError("expected the musics page {count, results} or an array")
    items = [dict(item) for item in body["results"] if isinstance(item, Mapping)]
    count = _count(body.get("count"))
    got_page = _count(body.get("page")) or page
    got_size = _count(body.get("page_size")) or page_size
    if "next" in body:
        has_more = bool(body.get("next"))
    elif count is not None:
        has_more = got_page * got_size < count and bool(items)
    else:
        has_more = False
    return MusicPage(items=items, count=count, page=got_page, page_size=got_size,
                     has_more=has_more)


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


def _stream_event(data: str) -> StreamEvent | None:
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
            credits_used=_decimal_or_none(creatify.get("credits_used")),
            response_text=text if isinstance(text, str) else None,
            status=status if isinstance(status, str) else None)
    status = obj.get("status")
    text = obj.get("response_text")
    return StreamEvent(
        delta=delta,
        done=bool(obj.get("done")) or status == "done",
        job_id=_job_id(obj.get("id")),
        credits_used=_decimal_or_none(obj.get("credits_used")),
        response_text=text if isinstance(text, str) else None,
        status=status if isinstance(status, str) else None,
    )


__all__ = [
    "DEFAULT_BASE_URL",
    "CreatifyClient",
    "InsecureBaseURLError",
    "Link",
    "MusicPage",
    "RateLimitedError",
    "RetryPolicy",
    "StreamEvent",
    "is_loopback_host",
    "validate_base_url",
]
