"""The Creatify REST client: one object owning one ``httpx.AsyncClient``.

Rules it keeps:

* Every POST spends credits (creates, previews, renders, generations) and is sent **once**.
  If it may have reached the server and the answer was lost, :class:`AmbiguousCreateError`
  is raised and nothing is retried: the caller reconciles through the list endpoint.
* GET and PUT are free and idempotent: they retry with exponential backoff and full jitter,
  honouring ``Retry-After``.
* The API key lives in the client's headers and nowhere else; it is never logged.

The code lives in small private modules, each holding one thing; every name is imported from
here:

* ``_addresses`` — the base URL check (HTTPS unless loopback) and ids made path-safe;
* ``_transport`` — :class:`RetryPolicy`, the client-wide ``Retry-After`` pause, send-once for
  paid POSTs, retried free reads, the one decoding of answers into typed errors;
* ``_jobs`` — creates, previews, renders and job reads;
* ``_links`` — :class:`Link`, :func:`link_from` and the link endpoints;
* ``_stream`` — the streamed Text Generator answer and :class:`StreamEvent`;
* ``_catalogues`` — the balance, personas, voices, :class:`MusicPage`, templates, schemas.
"""

from __future__ import annotations

from app.api._addresses import (
    DEFAULT_BASE_URL,
    InsecureBaseURLError,
    is_loopback_host,
    validate_base_url,
)
from app.api._catalogues import (
    MAX_MUSIC_PAGE_SIZE,
    PERSONA_FILTERS,
    CatalogueEndpoints,
    MusicPage,
    music_page_from,
)
from app.api._jobs import JobEndpoints
from app.api._links import Link, LinkEndpoints, link_from
from app.api._stream import StreamEndpoints, StreamEvent
from app.api._transport import RetryPolicy
from app.api.errors import AmbiguousCreateError, RateLimitedError


class CreatifyClient(JobEndpoints, StreamEndpoints, LinkEndpoints, CatalogueEndpoints):
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

    def __repr__(self) -> str:
        return f"CreatifyClient(base_url={self.base_url!r})"


__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_MUSIC_PAGE_SIZE",
    "PERSONA_FILTERS",
    "AmbiguousCreateError",
    "CreatifyClient",
    "InsecureBaseURLError",
    "Link",
    "MusicPage",
    "RateLimitedError",
    "RetryPolicy",
    "StreamEvent",
    "is_loopback_host",
    "link_from",
    "music_page_from",
    "validate_base_url",
]
