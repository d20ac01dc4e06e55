"""The client's transport core: one ``httpx.AsyncClient`` and the rules every request keeps.

* Every POST spends credits and is sent **once** (:meth:`BaseClient._paid`): a failure after it
  may have left this machine is :class:`AmbiguousCreateError`, never a retry.
* GET and PUT are free and idempotent (:meth:`BaseClient._free`): retried by
  :class:`RetryPolicy`, with backoff and full jitter, honouring ``Retry-After``.
* A 429 with ``Retry-After`` on any request pauses the whole client until then.
* Answers are decoded in one place (:meth:`BaseClient._decode`); HTTP errors become the typed
  errors of :func:`app.api.errors.error_from_response`.

The endpoint groups (``_jobs``, ``_links``, ``_stream``, ``_catalogues``) build on
:class:`BaseClient`; :class:`app.api.client.CreatifyClient` joins them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import httpx

from app import __version__
from app.api._addresses import DEFAULT_BASE_URL, validate_base_url
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    CreatifyError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    TimeoutFailedError,
    error_from_response,
    parse_retry_after,
)
from app.logsafe import register_secret

# One logger for the whole client, named as before the client was split into modules.
log = logging.getLogger("app.api.client")


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


# Transport failures that happen before a request can have left this machine.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class BaseClient:
    """One ``httpx.AsyncClient`` with the credentials, the pause, and the send rules.

    The parameters are :class:`app.api.client.CreatifyClient`'s (documented there).
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

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

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
                         body: Any, files: Any = None, data: Any = None) -> httpx.Response:
        """One request; ``files``/``data`` make it multipart (``body`` then None)."""
        await self._wait_if_paused()
        self.requests_sent += 1
        started = time.monotonic()
        response = await self._http.request(method, path, params=params, json=body,
                                            files=files, data=data)
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
        except NOT_SENT as exc:
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


__all__ = ["NOT_SENT", "BaseClient", "RetryPolicy", "log"]
