"""Free catalogue reads: the balance, personas, voices, music, custom templates, asset schemas.

Each answer is shaped here into plain lists of dicts (or a :class:`MusicPage`); an answer of
the wrong shape raises :class:`MalformedResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.api import resources as R
from app.api._addresses import path_segment
from app.api._transport import BaseClient
from app.api.errors import MalformedResponseError

MAX_MUSIC_PAGE_SIZE = 100
PERSONA_FILTERS = ("age_range", "gender", "location", "style")
# Voices write gender male/female/non_binary; persona filters take m/f/nb.
_PERSONA_GENDER = {"male": "m", "female": "f", "non_binary": "nb", "non-binary": "nb"}


@dataclass(frozen=True, slots=True)
class MusicPage:
    """One page of ``GET /api/musics/`` (the docs show an object or a plain array)."""

    items: list[dict[str, Any]]
    count: int | None
    page: int
    page_size: int
    has_more: bool


class CatalogueEndpoints(BaseClient):
    """The free reads behind the pickers and the balance."""

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
        segment = path_segment(template_id, "template id")
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
        """``GET /api/asset_generator/schemas/`` → ``[{model_name, generation_type,
        input_params_schema}, …]`` (free), every model or those named."""
        params = {"model_name": ",".join(model_names)} if model_names else None
        return await self._catalogue(R.ASSET_SCHEMAS_PATH, params)

    async def inspirations(self) -> list[dict[str, Any]]:
        """The AI Ad Templates, ``GET /api/inspirations/`` (free): ``[{id, name, gen_type,
        input_params_schema, credit_cost, preview_image, preview_video, …}]``. An item without
        an id is dropped; a missing or odd ``input_params_schema`` reads as an empty one."""
        items = _items(await self._free("GET", R.INSPIRATIONS_PATH), R.INSPIRATIONS_PATH)
        return [_inspiration(item) for item in items
                if isinstance(item.get("id"), str) and item["id"].strip()]

    async def inspiration(self, inspiration_id: str) -> dict[str, Any]:
        """One AI Ad Template, ``GET /api/inspirations/{id}/`` (free)."""
        segment = path_segment(inspiration_id, "template id")
        body = await self._free("GET", f"{R.INSPIRATIONS_PATH}{segment}/")
        if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
            raise MalformedResponseError("expected an inspiration object with an id")
        return _inspiration(dict(body))


def _inspiration(item: dict[str, Any]) -> dict[str, Any]:
    """An inspiration with an object ``input_params_schema`` (``{}`` when missing or odd)."""
    schema = item.get("input_params_schema")
    if not isinstance(schema, Mapping):
        item["input_params_schema"] = {}
    return item


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


__all__ = ["MAX_MUSIC_PAGE_SIZE", "PERSONA_FILTERS", "CatalogueEndpoints", "MusicPage",
           "music_page_from"]
