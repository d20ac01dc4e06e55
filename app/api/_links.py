"""Links: product pages Creatify scrapes (``/api/links/``), and how their answers are read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.api import resources as R
from app.api._addresses import path_segment
from app.api._transport import BaseClient
from app.api._values import decimal_or_none
from app.api.errors import MalformedResponseError


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
        credits_used=decimal_or_none(body.get("credits_used")),
        raw=dict(body),
    )


class LinkEndpoints(BaseClient):
    """Making links is paid (sent once); reading and updating them is free."""

    async def create_link(self, url: str) -> Link:
        """``POST /api/links/`` — 1 credit."""
        return await self._paid(link_from, R.LINKS.path, {"url": url})

    async def create_link_with_params(self, fields: Mapping[str, Any]) -> Link:
        """``POST /api/links/link_with_params/`` — 1 credit."""
        return await self._paid(link_from, R.LINK_WITH_PARAMS_PATH, dict(fields))

    async def update_link(self, link_id: str, fields: Mapping[str, Any]) -> Link:
        return link_from(await self._free(
            "PUT", R.LINKS.item_path(path_segment(link_id, "Link id")), body=dict(fields)))

    async def get_link(self, link_id: str) -> Link:
        path = R.LINKS.item_path(path_segment(link_id, "Link id"))
        return link_from(await self._free("GET", path))

    async def list_links(self) -> list[Link]:
        body = await self._free("GET", R.LINKS.path)
        if not isinstance(body, list):
            raise MalformedResponseError("expected a JSON array of links")
        return [link_from(item) for item in body]


__all__ = ["Link", "LinkEndpoints", "link_from"]
