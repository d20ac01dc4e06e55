"""The :class:`CreatifyClient` class itself; import it from :mod:`app.api.client`."""

from __future__ import annotations

from app.api._catalogues import CatalogueEndpoints
from app.api._jobs import JobEndpoints
from app.api._links import LinkEndpoints
from app.api._own_media import OwnMediaEndpoints
from app.api._stream import StreamEndpoints


class CreatifyClient(JobEndpoints, StreamEndpoints, LinkEndpoints, CatalogueEndpoints,
                     OwnMediaEndpoints):
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


__all__ = ["CreatifyClient"]
