"""Avatar cards and their filters (no Qt).

A card is one persona as the gallery shows it: name, the docs' four filter facets (gender,
age range, location, style), its face (``preview_image_1_1``, else another ratio) and its
preview video, and whether it is the creator's own (``type`` ``custom``: made by this account;
the stock ones read ``public``). A custom avatar still in review (``is_active`` false, the BYOA
guide's meaning) is listed but cannot be chosen.

The same filter runs on the server (``GET /api/personas_v2/`` takes each facet as a
comma-separated list, :func:`server_filters`) and on the list in hand
(:func:`filter_avatars`), with the name search and "favourites only" on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AVATAR_FACETS: dict[str, tuple[tuple[str, str], ...]] = {
    "gender": (("f", "Female"), ("m", "Male"), ("nb", "Non-binary")),
    "age_range": (("child", "Child"), ("teen", "Teen"), ("adult", "Adult"),
                  ("senior", "Senior")),
    "location": (("indoor", "Indoor"), ("outdoor", "Outdoor"), ("fantasy", "Fantasy"),
                 ("other", "Other")),
    "style": (("selfie", "Selfie"), ("presenter", "Presenter"), ("other", "Other")),
}
"""Each facet ``GET /api/personas_v2/`` filters on, with the docs' values and their words."""
FACET_TITLES = {"gender": "Gender", "age_range": "Age", "location": "Location",
                "style": "Style"}
_IMAGE_KEYS = ("preview_image_1_1", "preview_image_9_16", "preview_image_16_9")
_VIDEO_KEYS = ("preview_video_1_1", "squared_preview_video", "preview_video_9_16",
               "portrait_preview_video", "preview_video_16_9", "landscape_preview_video")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _first(item: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = _text(item.get(key))
        if value.startswith(("http://", "https://")):
            return value
    return None


def _active(item: Mapping[str, Any]) -> bool:
    flag = item.get("is_active", True)
    if isinstance(flag, str):
        return flag.strip().lower() not in ("false", "0", "no", "")
    return bool(flag)


def facet_word(facet: str, value: str) -> str:
    return dict(AVATAR_FACETS.get(facet, ())).get(value, value.replace("_", " "))


@dataclass(frozen=True, slots=True)
class AvatarCard:
    """One persona in the gallery."""

    id: str
    name: str
    gender: str = ""
    age_range: str = ""
    location: str = ""
    style: str = ""
    image: str | None = None
    video: str | None = None
    custom: bool = False
    usable: bool = True
    status: str = ""          # "In review" for a custom avatar not active yet
    search: str = ""          # casefolded text the name search matches

    @property
    def details(self) -> str:
        """"Female · adult · indoor · selfie" (what is known)."""
        return " · ".join(facet_word(f, v) for f, v in (
            ("gender", self.gender), ("age_range", self.age_range),
            ("location", self.location), ("style", self.style)) if v)

    @property
    def detail_lines(self) -> tuple[str, str]:
        """The details on two short lines: "Female · adult" and "Indoor · selfie"."""
        first = " · ".join(facet_word(f, v) for f, v in (
            ("gender", self.gender), ("age_range", self.age_range)) if v)
        second = " · ".join(facet_word(f, v) for f, v in (
            ("location", self.location), ("style", self.style)) if v)
        return first, second

    def facet(self, name: str) -> str:
        value: str = getattr(self, name)
        return value


def avatar_cards(items: Iterable[Any]) -> list[AvatarCard]:
    """Cards for every persona with an id: the creator's own first, then by name."""
    cards = []
    for item in items:
        if not isinstance(item, Mapping) or not _text(item.get("id")):
            continue
        name = _text(item.get("creator_name")) or "Unnamed avatar"
        custom = _text(item.get("type")).lower() == "custom"
        usable = _active(item)
        status = "" if usable else ("In review" if custom else "Not available")
        keywords = _text(item.get("keywords"))
        card = AvatarCard(
            id=_text(item["id"]), name=name,
            gender=_text(item.get("gender")).lower(),
            age_range=_text(item.get("age_range")).lower(),
            location=_text(item.get("location")).lower(),
            style=_text(item.get("style")).lower(),
            image=_first(item, _IMAGE_KEYS), video=_first(item, _VIDEO_KEYS),
            custom=custom, usable=usable, status=status,
            search=f"{name} {keywords} {_text(item.get('video_scene'))}".casefold())
        cards.append(card)
    cards.sort(key=lambda c: (not c.custom, c.name.casefold(), c.id))
    return cards


@dataclass(frozen=True, slots=True)
class AvatarFilter:
    """What the gallery shows: chosen values per facet (none chosen: any), words of the name
    search, and favourites only."""

    facets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    text: str = ""
    favourites_only: bool = False

    def chosen(self, facet: str) -> frozenset[str]:
        return self.facets.get(facet, frozenset())

    @property
    def has_facets(self) -> bool:
        return any(self.facets.values())


def server_filters(wanted: AvatarFilter) -> dict[str, list[str]]:
    """The query ``GET /api/personas_v2/`` takes for ``wanted``'s facets (in the docs'
    order, each list sorted); empty when no facet is chosen."""
    return {facet: sorted(wanted.chosen(facet)) for facet in AVATAR_FACETS
            if wanted.chosen(facet)}


def filter_avatars(cards: Iterable[AvatarCard], wanted: AvatarFilter,
                   favourites: frozenset[str] = frozenset()) -> list[AvatarCard]:
    """The cards ``wanted`` lets through, in their order."""
    words = wanted.text.casefold().split()
    out = []
    for card in cards:
        if wanted.favourites_only and card.id not in favourites:
            continue
        if any(wanted.chosen(f) and card.facet(f) not in wanted.chosen(f)
               for f in AVATAR_FACETS):
            continue
        if not all(w in card.search for w in words):
            continue
        out.append(card)
    return out


__all__ = ["AVATAR_FACETS", "FACET_TITLES", "AvatarCard", "AvatarFilter", "avatar_cards",
           "facet_word", "filter_avatars", "server_filters"]
