"""Visual-style cards for URL to Video (no Qt).

Creatify publishes no example picture of its visual styles: the docs and the OpenAPI give
their names only (``AvatarBubbleTemplate``, …), and a compare-styles preview is a player page
(``url``), not an image. So a style's picture here is the creator's own: the thumbnail
(``video_thumbnail``) of their latest finished URL to Video job made in that style, or the
thumbnail a compare-styles preview carried; a style never made shows none and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class _Preview(Protocol):
    @property
    def visual_style(self) -> str: ...
    @property
    def thumbnail_url(self) -> str | None: ...


class _Job(Protocol):
    """What :func:`style_cards` reads of a ledger job (``app.jobs.ledger.JobRecord``)."""

    @property
    def generator(self) -> str: ...
    @property
    def request(self) -> Mapping[str, Any]: ...
    @property
    def state(self) -> str: ...
    @property
    def thumbnails(self) -> tuple[str, ...]: ...
    @property
    def title(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def previews(self) -> Sequence[_Preview]: ...


STYLE_GENERATORS = ("url_to_video",)
NO_EXAMPLE = ("No example yet: Creatify publishes no pictures of its styles. Your first "
              "video in this style (or a compare-styles preview) gives one.")


@dataclass(frozen=True, slots=True)
class StyleCard:
    id: str                 # the name sent as visual_style
    name: str               # its readable name
    image: str | None = None
    example: str = NO_EXAMPLE  # where the picture comes from

    @property
    def label(self) -> str:
        return self.name


def _http(url: Any) -> str | None:
    text = str(url or "").strip()
    return text if text.startswith(("http://", "https://")) else None


def style_examples(jobs: Iterable[_Job]) -> dict[str, tuple[str, str]]:
    """Style → (thumbnail URL, where it comes from), the newest job first."""
    found: dict[str, tuple[str, str, datetime]] = {}
    for job in jobs:
        if job.generator not in STYLE_GENERATORS:
            continue
        when = job.created_at
        day = f"{when:%Y-%m-%d}"
        style = str(job.request.get("visual_style") or "").strip()
        thumb = next((u for u in map(_http, job.thumbnails) if u), None)
        if style and thumb and str(job.state) == "done":
            _keep(found, style, thumb, f"From your video “{job.title}” ({day})", when)
        for preview in job.previews:
            url = _http(preview.thumbnail_url)
            if url:
                _keep(found, preview.visual_style, url,
                      f"From your style preview of “{job.title}” ({day})", when)
    return {style: (url, note) for style, (url, note, _) in found.items()}


def _keep(found: dict[str, tuple[str, str, datetime]], style: str, url: str, note: str,
          when: datetime) -> None:
    if style not in found or found[style][2] < when:
        found[style] = (url, note, when)


def style_cards(choices: Iterable[tuple[str, str]], jobs: Iterable[_Job] = ()
                ) -> list[StyleCard]:
    """A card per documented style (``(value, label)`` pairs, in their order), then any
    other style the creator's jobs used, each with its example when there is one."""
    examples = style_examples(jobs)
    cards = []
    seen = set()
    for value, label in choices:
        seen.add(value)
        url, note = examples.get(value, (None, NO_EXAMPLE))
        cards.append(StyleCard(value, label, url, note))
    for value in sorted(set(examples) - seen):
        url, note = examples[value]
        cards.append(StyleCard(value, value, url, note))
    return cards


__all__ = ["NO_EXAMPLE", "STYLE_GENERATORS", "StyleCard", "style_cards", "style_examples"]
