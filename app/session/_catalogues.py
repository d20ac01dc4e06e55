"""The catalogues a session keeps on disk: the Asset Generator's model schemas and the AI Ad
Templates (``inspirations``).

Why not like the other catalogues (read once per connection): the Asset Generator's form and
price and the template browser need them at once, and the window must work with no
connection. So :class:`CachedCatalogues` answers from the copy in the cache folder
(``app.assets.SchemaCache``; one folder per mode, since the simulator's catalogue is not
Creatify's) and refreshes it in the background — on connect, and when the copy is older than
12 hours — one request at a time. Every copy it answers with is installed where the specs
read it (``app.assets.install``); the templates' ``credit_cost`` becomes the price of rule
``ai_ad_template`` (``app.pricing.set_catalogue_prices``).

Reports through the session's ``catalogue_loaded`` / ``catalogue_failed`` (a failed refresh
with a copy in hand is only logged: the window keeps working on the copy).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app import assets
from app.api._values import decimal_or_none
from app.api.client import CreatifyClient
from app.assets import KINDS, CachedCatalogue, SchemaCache
from app.jobs.manager import TaskGroup
from app.pricing import PricingError, set_catalogue_prices
from app.session._events import NOT_CONNECTED, Mode, SessionEvents, describe

log = logging.getLogger("app.session")

CACHED_KINDS = KINDS
"""The catalogue kinds kept on disk (``asset_schemas``, ``inspirations``)."""

TEMPLATE_RULE = "ai_ad_template"
"""The price rule whose entries are the templates' ``credit_cost`` (model = template id)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _folder(mode: str) -> str:
    """The cache folder of a connected mode: the simulator's catalogue apart from Creatify's."""
    return "sandbox" if mode == Mode.SANDBOX else "live"


class CachedCatalogues:
    """The disk-cached catalogues of one session.

    ``client()`` names the current client (``None`` when not connected); refreshes run in
    ``tasks`` and report through ``events()``; ``now()`` is the UTC clock (replaceable: tests
    move it).
    """

    def __init__(self, cache_dir: Path, client: Callable[[], CreatifyClient | None],
                 tasks: TaskGroup, events: Callable[[], SessionEvents],
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.cache_dir = cache_dir
        self._client = client
        self._tasks = tasks
        self._events = events
        self.now = now
        self._cache = SchemaCache(cache_dir / "catalogues" / "live")
        self._last_connected: str | None = None  # the folder of this run's last connection
        self._copies: dict[str, CachedCatalogue | None] = {}  # read from disk or fetched
        self._refreshing: set[str] = set()
        self._one_at_a_time: asyncio.Lock | None = None

    # ------------------------------------------------------------------ connection

    def use(self, mode: str) -> None:
        """A new connection (or none): read that mode's copies, install them, and refresh
        each kind in the background when connected. With no connection the copies are the
        last connection's of this run — at start Creatify's, or the simulator's when no
        Creatify catalogue was ever kept."""
        self._cache = SchemaCache(self.cache_dir / "catalogues" / self._folder_for(mode))
        self._copies.clear()
        self._refreshing.clear()
        for kind in CACHED_KINDS:
            self._install(kind, self._copy(kind))
        if self._client() is not None:
            for kind in CACHED_KINDS:
                self.refresh(kind)

    def _folder_for(self, mode: str) -> str:
        if mode != Mode.NONE:
            self._last_connected = _folder(mode)
            return self._last_connected
        if self._last_connected is not None:
            return self._last_connected
        root = self.cache_dir / "catalogues"
        kept = [folder for folder in ("live", "sandbox")
                if any(SchemaCache(root / folder).path(kind).exists() for kind in CACHED_KINDS)]
        return kept[0] if kept else "live"

    def _copy(self, kind: str) -> CachedCatalogue | None:
        if kind not in self._copies:
            self._copies[kind] = self._cache.load(kind)
        return self._copies[kind]

    # ------------------------------------------------------------------ answers

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        """The copy in hand at once (refreshed in the background when older than 12 hours),
        or ``None`` — then a fetch starts and ``catalogue_loaded`` follows (or
        ``catalogue_failed``: not connected, or the fetch failed)."""
        copy = self._copy(kind)
        if copy is None:
            if self._client() is None:
                self._events().catalogue_failed(kind, NOT_CONNECTED)
            else:
                self.refresh(kind)
            return None
        if copy.stale(self.now()):
            self.refresh(kind)
        return copy.items

    def date(self, kind: str) -> datetime | None:
        """When the copy in hand was fetched (UTC), or ``None`` without a copy."""
        if kind not in CACHED_KINDS:
            raise ValueError(f"{kind!r} is not kept on disk")
        copy = self._copy(kind)
        return copy.fetched_at if copy is not None else None

    # ------------------------------------------------------------------ refreshing

    def refresh(self, kind: str) -> None:
        """Fetch ``kind`` again in the background (nothing when not connected, or when that
        fetch is already on its way); requests go one at a time."""
        client = self._client()
        if client is None or kind in self._refreshing or not _loop_running():
            return
        self._refreshing.add(kind)
        cache = self._cache
        self._tasks.spawn(self._fetch(kind, client, cache), f"refresh {kind}")

    async def _fetch(self, kind: str, client: CreatifyClient, cache: SchemaCache) -> None:
        if self._one_at_a_time is None:
            self._one_at_a_time = asyncio.Lock()
        try:
            async with self._one_at_a_time:
                if self._client() is not client:
                    return
                items: list[dict[str, Any]] = await getattr(client, kind)()
        except Exception as exc:  # any failure: the copy in hand (if any) stays in use
            if self._client() is client and cache is self._cache:
                self._refreshing.discard(kind)
                if self._copy(kind) is None:
                    self._events().catalogue_failed(kind, describe(exc))
                else:
                    log.info("%s not refreshed (%s): the copy of %s stays in use", kind,
                             describe(exc), self.date(kind))
            return
        if self._client() is not client or cache is not self._cache:
            return  # the connection changed meanwhile: stale
        self._refreshing.discard(kind)
        fetched_at = self.now()
        copy = CachedCatalogue(kind, items, fetched_at)
        try:
            copy = await asyncio.to_thread(cache.save, kind, items, fetched_at)
        except (OSError, ValueError) as exc:
            log.warning("%s not kept on disk (%s): used for this session only", kind, exc)
        if cache is not self._cache:
            return
        self._copies[kind] = copy
        self._install(kind, copy)
        self._events().catalogue_loaded(kind, copy.items)

    # ------------------------------------------------------------------ installing

    def _install(self, kind: str, copy: CachedCatalogue | None) -> None:
        """Make ``copy`` the catalogue the specs read (none: an empty one), and the
        templates' costs the prices of their rule."""
        items = copy.items if copy is not None else []
        assets.install(kind, items, copy.fetched_at if copy is not None else None)
        if kind != "inspirations":
            return
        fetched = copy.fetched_at if copy is not None else self.now()
        rates: dict[str, Decimal] = {}
        for item in items:
            item_id = item.get("id")
            if isinstance(item_id, str) and item_id:
                # A missing or unreadable cost is passed as 0: priced "unknown", never free.
                rates[item_id] = decimal_or_none(item.get("credit_cost")) or Decimal(0)
        source = (f"GET /api/inspirations/ credit_cost "
                  f"({'simulator' if self._cache.folder.name == 'sandbox' else 'Creatify'}), "
                  f"fetched {fetched:%Y-%m-%d %H:%M} UTC")
        try:
            set_catalogue_prices(TEMPLATE_RULE, rates, as_of=fetched.date(), source=source)
        except PricingError as exc:
            log.warning("AI Ad Template prices not set: %s", exc)


__all__ = ["CACHED_KINDS", "TEMPLATE_RULE", "CachedCatalogues"]
