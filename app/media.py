"""Public media over plain HTTP(S): the bytes of picker thumbnails.

The fetcher holds its own ``httpx.AsyncClient`` — no API credentials on it — made on first
use (TLS set-up is slow). It knows nothing of Qt nor of caching: :class:`app.session.Session`
keeps what it read and reports it.
"""

from __future__ import annotations

import httpx

MAX_IMAGE_BYTES = 8 << 20
"""An image is cut at this size (a thumbnail never needs more)."""


class MediaFetcher:
    """Reads public media by URL over one credential-free HTTP client."""

    def __init__(self) -> None:
        self._web: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        """The client for public media (thumbnails, results): no API credentials on it."""
        if self._web is None:
            self._web = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        return self._web

    async def image(self, url: str) -> bytes:
        """The first :data:`MAX_IMAGE_BYTES` of ``url`` (redirects followed); raises
        ``httpx.HTTPError`` when it cannot be read or the answer is an HTTP error."""
        response = await self._http().get(url, follow_redirects=True)
        response.raise_for_status()
        return response.content[:MAX_IMAGE_BYTES]

    async def aclose(self) -> None:
        if self._web is not None:
            await self._web.aclose()


__all__ = ["MAX_IMAGE_BYTES", "MediaFetcher"]
