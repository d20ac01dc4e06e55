"""The free reads a session caches: catalogues, look-ups (template details, music pages)
and picker images. Each is read once per connection (images once per session); an answer
that arrives after the connection changed is dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import httpx

from app.api.client import CreatifyClient
from app.jobs.manager import TaskGroup
from app.media import MediaFetcher
from app.session._events import NOT_CONNECTED, MusicQuery, SessionEvents, describe

log = logging.getLogger("app.session")

MAX_CACHED_LOOKUPS = 500
"""Template details and music pages kept for the session (the oldest dropped beyond)."""


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class FreeReads:
    """Catalogues, look-ups and images over the session's current client.

    ``client()`` names the current client (``None`` when not connected); reads run in
    ``tasks`` and report through ``events``.
    """

    def __init__(self, client: Callable[[], CreatifyClient | None], tasks: TaskGroup,
                 events: Callable[[], SessionEvents]) -> None:
        self._client = client
        self._tasks = tasks
        self._events = events
        self._catalogues: dict[str, list[dict[str, Any]]] = {}
        self._loading: set[str] = set()           # catalogue kinds being fetched
        self._lookups: dict[Hashable, Any] = {}   # template details, music pages (session)
        self._lookups_loading: set[Hashable] = set()
        self.media = MediaFetcher()
        self._images: dict[str, bytes] = {}
        self._images_loading: set[str] = set()

    def forget(self) -> None:
        """A new connection: catalogues and look-ups are read again (images are kept)."""
        self._catalogues.clear()
        self._loading.clear()
        self._lookups.clear()
        self._lookups_loading.clear()

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        if kind in self._catalogues:
            return self._catalogues[kind]
        self.load_catalogue(kind)
        return None

    def load_catalogue(self, kind: str) -> None:
        client = self._client()
        if client is None:
            self._events().catalogue_failed(kind, NOT_CONNECTED)
            return
        if kind in self._loading:
            return
        self._loading.add(kind)

        async def run() -> None:
            try:
                items: list[dict[str, Any]] = await getattr(client, kind)()
            except Exception as exc:
                if self._client() is client:
                    self._loading.discard(kind)
                    self._events().catalogue_failed(kind, describe(exc))
                return
            if self._client() is not client:  # the connection changed meanwhile: stale
                return
            self._loading.discard(kind)
            self._catalogues[kind] = items
            self._events().catalogue_loaded(kind, items)
        self._tasks.spawn(run(), f"load {kind}")

    def template_detail(self, template_id: str) -> dict[str, Any] | None:
        template_id = template_id.strip()

        async def fetch(client: CreatifyClient) -> Any:
            return await client.custom_template(template_id)
        detail: dict[str, Any] | None = self._lookup(
            ("custom_template", template_id), fetch,
            lambda detail: self._events().template_loaded(template_id, detail),
            lambda message: self._events().template_failed(template_id, message))
        return detail

    def music_page(self, query: MusicQuery) -> Any:
        async def fetch(client: CreatifyClient) -> Any:
            return await client.music_page(page=query.page, page_size=query.page_size,
                                           search=query.search or None,
                                           category=query.category or None)
        return self._lookup(("music_page", query), fetch,
                            lambda page: self._events().music_page_loaded(query, page),
                            lambda message: self._events().music_page_failed(query, message))

    def _lookup(self, key: Hashable, fetch: Callable[[CreatifyClient], Awaitable[Any]],
                loaded: Callable[[Any], None], failed: Callable[[str], None]) -> Any:
        """A cached free read, or ``None`` and a task that fetches it (one at a time per key;
        a failure is not cached, so asking again retries)."""
        if key in self._lookups:
            return self._lookups[key]
        client = self._client()
        if client is None:
            failed(NOT_CONNECTED)
            return None
        if key in self._lookups_loading or not _loop_running():
            return None
        self._lookups_loading.add(key)

        async def run() -> None:
            try:
                result = await fetch(client)
            except Exception as exc:
                if self._client() is client:
                    self._lookups_loading.discard(key)
                    failed(describe(exc))
                return
            if self._client() is not client:  # the connection changed meanwhile: stale
                return
            self._lookups_loading.discard(key)
            if len(self._lookups) >= MAX_CACHED_LOOKUPS:
                self._lookups.pop(next(iter(self._lookups)))
            self._lookups[key] = result
            loaded(result)
        self._tasks.spawn(run(), f"load {key[0] if isinstance(key, tuple) else key}")
        return None

    def image(self, url: str) -> bytes | None:
        if url in self._images:
            return self._images[url]
        if url in self._images_loading or not _loop_running():
            return None  # (a timer may ask while the app is shutting down)
        self._images_loading.add(url)

        async def run() -> None:
            try:
                data = await self.media.image(url)
            except httpx.HTTPError as exc:
                log.info("thumbnail %s not loaded: %s", url, type(exc).__name__)
                self._events().image_failed(url, f"Image not loaded ({type(exc).__name__}).")
                return
            finally:
                self._images_loading.discard(url)
            self._images[url] = data
            self._events().image_loaded(url, data)
        self._tasks.spawn(run(), "load image")
        return None


__all__ = ["MAX_CACHED_LOOKUPS", "FreeReads"]
