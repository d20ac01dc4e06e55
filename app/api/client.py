"""The Creatify REST client: one object owning one ``httpx.AsyncClient``.

Rules it keeps:

* Every POST spends credits (creates, previews, renders, generations) and is sent **once**.
  If it may have reached the server and the answer was lost, :class:`AmbiguousCreateError`
  is raised and nothing is retried: the caller reconciles through the list endpoint.
* GET and PUT are free and idempotent: they retry with exponential backoff and full jitter,
  honouring ``Retry-After``.
* The API key lives in the client's headers and nowhere else; it is never logged.

The code lives in small private modules, each holding one thing; every name is imported from
here. The address check and the errors are loaded with this module; the client and what needs
``httpx`` (about 0.1 s to import) only when first asked for, so the settings and the window can
check an address without loading the HTTP stack:

* ``_addresses`` — the base URL check (HTTPS unless loopback) and ids made path-safe;
* ``_transport`` — :class:`RetryPolicy`, the client-wide ``Retry-After`` pause, send-once for
  paid POSTs, retried free reads, the one decoding of answers into typed errors;
* ``_jobs`` — creates, previews, renders and job reads;
* ``_links`` — :class:`Link`, :func:`link_from` and the link endpoints;
* ``_stream`` — the streamed Text Generator answer and :class:`StreamEvent`;
* ``_catalogues`` — the balance, personas, voices, :class:`MusicPage`, templates, schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.api._addresses import (
    DEFAULT_BASE_URL,
    InsecureBaseURLError,
    is_loopback_host,
    validate_base_url,
)
from app.api.errors import AmbiguousCreateError, RateLimitedError
from app.lazy import lazy_names

if TYPE_CHECKING:
    from app.api._catalogues import (
        MAX_MUSIC_PAGE_SIZE,
        PERSONA_FILTERS,
        MusicPage,
        music_page_from,
    )
    from app.api._client import CreatifyClient
    from app.api._links import Link, link_from
    from app.api._stream import StreamEvent
    from app.api._transport import RetryPolicy

_LAZY = {
    "MAX_MUSIC_PAGE_SIZE": "_catalogues", "PERSONA_FILTERS": "_catalogues",
    "MusicPage": "_catalogues", "music_page_from": "_catalogues",
    "CreatifyClient": "_client", "Link": "_links", "link_from": "_links",
    "StreamEvent": "_stream", "RetryPolicy": "_transport",
}
"""The names whose modules load ``httpx``: imported on first use (PEP 562)."""


__getattr__ = lazy_names(globals(), 'app.api', _LAZY)


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
