"""What an AI Ad Template's card shows and how the browser searches it (no Qt).

Creatify's ``GET /api/inspirations/`` lists each template with its ``name``, ``gen_type``,
``credit_cost``, ``categories`` and ``labels`` (objects whose keys the docs do not name),
``description`` and preview media. :func:`template_cards` turns them into
:class:`TemplateCard` objects, skipping entries without an id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.api._values import decimal_or_none
from app.generators.spec import is_empty
from app.pricing.money import credits_text as format_credits


def tag_name(tag: Any) -> str:
    """A category or label tag as words: the docs type them as objects without naming their
    keys, so ``name``/``title``/``label``/``slug`` are read, and a plain string is kept."""
    if isinstance(tag, Mapping):
        for key in ("name", "title", "label", "display_name", "slug"):
            value = tag.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().replace("_", " ")
        return ""
    return tag.strip().replace("_", " ") if isinstance(tag, str) else ""


def _words(value: Any) -> str:
    return str(value).strip().replace("_", " ") if value not in (None, "") else ""


@dataclass(frozen=True, slots=True)
class TemplateCard:
    """What one template's card shows and how it is searched."""

    id: str
    name: str
    gen_type: str
    categories: tuple[str, ...]
    labels: tuple[str, ...]
    credit_cost: Decimal | None
    description: str
    preview_image: str | None
    preview_video: str | None

    @property
    def cost_text(self) -> str:
        return "price not given" if self.credit_cost is None \
            else format_credits(self.credit_cost)

    @property
    def text(self) -> str:
        """The card's three lines: name, type and cost, categories."""
        second = " · ".join(part for part in (self.gen_type, self.cost_text) if part)
        return "\n".join((self.name, second, ", ".join(self.categories) or " "))

    def matches(self, words: Iterable[str], category: str | None) -> bool:
        """Every word somewhere in the card (any case), and in ``category`` if one is set."""
        if category and category not in self.categories:
            return False
        haystack = " ".join((self.name, self.gen_type, self.description, self.id,
                             *self.categories, *self.labels)).casefold()
        return all(word in haystack for word in words)


def template_cards(items: Iterable[Any]) -> list[TemplateCard]:
    """A card for every template with an id, in the catalogue's order."""
    cards = []
    for item in items:
        if not isinstance(item, Mapping) or is_empty(item.get("id")):
            continue
        cost = decimal_or_none(item.get("credit_cost"))
        cards.append(TemplateCard(
            id=str(item["id"]), name=_words(item.get("name")) or "Untitled template",
            gen_type=_words(item.get("gen_type")),
            categories=tuple(n for n in map(tag_name, item.get("categories") or ()) if n),
            labels=tuple(n for n in map(tag_name, item.get("labels") or ()) if n),
            credit_cost=cost if cost is not None and cost >= 0 else None,
            description=_words(item.get("description")),
            preview_image=str(item["preview_image"]) if item.get("preview_image") else None,
            preview_video=str(item["preview_video"]) if item.get("preview_video") else None))
    return cards


def categories_of(cards: Iterable[TemplateCard]) -> list[str]:
    """Every category once, sorted without regard to case."""
    return sorted({c for card in cards for c in card.categories}, key=str.casefold)


__all__ = ["TemplateCard", "categories_of", "tag_name", "template_cards"]
