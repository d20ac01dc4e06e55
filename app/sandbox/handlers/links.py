"""Handlers of ``/api/links/``: a Link from a product URL (scraped) or from given details.

Both creates cost one credit, charged at once. The scrape invents a title, a description,
three images and a logo from the URL; ``link_with_params`` stores what it is given.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from app.api import resources as res
from app.sandbox import media
from app.sandbox.account import Account
from app.sandbox.behaviours import LINK_FIELDS, LINK_PARAM_FIELDS
from app.sandbox.catalogue import title_from_url
from app.sandbox.objects import object_body
from app.sandbox.routing import Call
from app.sandbox.validation import check_link_media, check_scrape, validate_fields
from app.sandbox.wire import ApiError, Response

__all__ = ["create_link", "get_link", "link_with_params", "list_links", "put_link"]


def _find_link(a: Account, link_id: str) -> dict[str, Any]:
    link = a.links.get(link_id)
    if link is None:
        raise ApiError(404, {"detail": f"No {res.LINKS.model_label} matches the given query."})
    return link


def _charge_link(a: Account, text_errors: bool = False) -> None:
    a.ensure_credits(Decimal(1), text_errors)
    a.spend(Decimal(1))


def _store_link(a: Account, url: str | None, details: Mapping[str, Any]) -> dict[str, Any]:
    link: dict[str, Any] = {"id": a.new_id(), "url": url,
            "link": {"id": a.new_id(), "url": url, "title": None, "description": None,
                     "image_urls": [], "video_urls": [], "reviews": None, "logo_url": None,
                     **details},
            "credits_used": 1}
    a.links[link["id"]] = link
    return link


def create_link(a: Account, call: Call) -> Response:
    body = validate_fields(LINK_FIELDS, object_body(call))
    url = body["url"]
    check_scrape(url)
    _charge_link(a)
    title = title_from_url(url)
    host = urlsplit(url).hostname or "the shop"
    images = [media.media_url(a.base_url, "links", f"{title.lower().replace(' ', '-')}"
                              f"-{n}.png") for n in range(1, 4)]
    link = _store_link(a, url, {
        "title": title,
        "description": f"{title}, as described on {host}: simple, sturdy and loved by "
                       "its buyers.",
        "image_urls": images, "video_urls": [],
        "reviews": "4.6 out of 5 stars (128 reviews)",
        "logo_url": media.media_url(a.base_url, "links", "logo.png")})
    return Response(201, copy.deepcopy(link))


def link_with_params(a: Account, call: Call) -> Response:
    details = validate_fields(LINK_PARAM_FIELDS, object_body(call))
    check_link_media(details)
    _charge_link(a)
    link = _store_link(a, None, details)
    # The docs show both a Link and the flat fields: answer both (the top-level id is
    # the Link id).
    flat = {k: link["link"][k] for k in ("title", "description", "image_urls",
                                         "video_urls", "reviews", "logo_url")}
    return Response(200, copy.deepcopy({**link, **flat}))


def get_link(a: Account, call: Call) -> Response:
    return Response(200, copy.deepcopy(_find_link(a, call.args[0])))


def put_link(a: Account, call: Call) -> Response:
    link = _find_link(a, call.args[0])
    changes = validate_fields(LINK_PARAM_FIELDS, object_body(call))
    details = {**link["link"], **changes}
    check_link_media(details)
    link["link"] = details
    return Response(200, copy.deepcopy(link))


def list_links(a: Account, call: Call) -> Response:
    return Response(200, copy.deepcopy(list(reversed(a.links.values()))))
