"""The Asset Generator's models as the picker shows them: grouped by family and by generation
type, labelled, searchable.

Creatify's catalogue (``GET /api/asset_generator/schemas/``) names each model and its
generation type only; the family and the title come from the asset price file
(``app.pricing``'s ``AssetPrices.info``), which knows the docs' families. A model the price
file does not know (Creatify adds models faster than we vendor prices) still gets a family,
from its name's prefix (``kling-video/…`` → Kling, ``bytedance/seedance…`` → Seedance), so
the picker never shows a model outside any group.

The price file is reached through :class:`PriceInfo`, a protocol, so this module needs none of
the pricing code and the tests can hand it any table of facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from app.api._values import decimal_or_none

TYPE_LABELS: dict[str, str] = {
    "text_to_video": "Text → video",
    "image_to_video": "Image → video",
    "video_to_video": "Video → video",
    "text_to_image": "Text → image",
    "image_to_image": "Image edit",
    "text_to_audio": "Audio",
    "audio_to_audio": "Audio → audio",
    "text_to_music": "Music",
    "text_to_text": "Text",
}
"""Creatify's ``generation_type`` values (the contract's known values) → the picker's words;
their order is the order of the type groups."""

_FAMILIES: dict[str, str] = {
    "boreal": "Creatify",
    "gemini-omni-flash": "Gemini Omni Flash",
    "seedance": "Seedance",
    "seedream": "Seedream",
    "nano-banana": "Nano Banana",
    "gpt-image": "GPT",
    "kling-video": "Kling",
    "kling": "Kling",
    "veo": "Veo",
    "flux": "Flux",
    "flux-pro": "Flux",
    "recraft": "Recraft",
    "wan": "Wan",
    "minimax": "MiniMax",
    "grok-imagine-image": "Grok Image",
    "grok-imagine-video": "Grok Video",
}
"""Name stems → the docs' family names, for models the price file does not know."""

_VENDORS = frozenset({"bytedance", "fal-ai", "google", "openai", "black-forest-labs"})
"""Leading name segments that name a vendor, not a family (``bytedance/seedance-2.0/…``)."""

_STEM = re.compile(r"^([a-z]+(?:-[a-z]+)*?)(?:[-_.]?v?\d.*)?$")


class ModelFacts(Protocol):
    """What the price file says about one model (``app.pricing``'s ``AssetModelInfo``)."""

    @property
    def family(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def generation_type(self) -> str: ...
    @property
    def from_credits(self) -> Decimal | None: ...


class PriceInfo(Protocol):
    """The asset price file, as far as grouping needs it (``app.pricing``'s ``AssetPrices``)."""

    def info(self, model_name: str) -> ModelFacts | None: ...


def family_from_name(model_name: str) -> str:
    """The family a model name's prefix names: ``kling-video/o3/pro/…`` → ``Kling``,
    ``veo3.1/fast`` → ``Veo``, ``bytedance/seedance-2.0/…`` → ``Seedance``; an unknown stem
    is title-cased (``hailuo-02/…`` → ``Hailuo``)."""
    segments = [s for s in model_name.strip().lower().split("/") if s]
    if not segments:
        return "Other"
    first = segments[1] if segments[0] in _VENDORS and len(segments) > 1 else segments[0]
    match = _STEM.match(first)
    stem = match.group(1) if match else first
    parts = stem.split("-")
    for candidate in (first, *("-".join(parts[:n]) for n in range(len(parts), 0, -1))):
        if candidate in _FAMILIES:  # the longest known prefix: "boreal-h3" → "boreal"
            return _FAMILIES[candidate]
    words = [w for w in re.split(r"[-_.]+", stem) if w]
    return " ".join(w.capitalize() for w in words) or "Other"


def type_label(generation_type: str) -> str:
    """The picker's words for a generation type; an unknown ``a_to_b`` reads ``A → b``."""
    if generation_type in TYPE_LABELS:
        return TYPE_LABELS[generation_type]
    source, sep, target = generation_type.partition("_to_")
    if sep:
        return f"{source.replace('_', ' ').capitalize()} → {target.replace('_', ' ')}"
    return generation_type.replace("_", " ").capitalize() or "Other"


def _type_order(generation_type: str) -> int:
    order = list(TYPE_LABELS)
    return order.index(generation_type) if generation_type in order else len(order)


@dataclass(frozen=True, slots=True)
class CatalogueModel:
    """One model of the live catalogue, as the picker shows it."""

    name: str  # the model_name sent to Creatify
    title: str
    family: str
    generation_type: str  # Creatify's value, e.g. "text_to_video"
    type_label: str  # "Text → video"
    schema: Mapping[str, Any] | None = field(compare=False)  # its input_params_schema
    from_credits: Decimal | None = None  # the price file's lowest price, if it knows one

    def words(self) -> str:
        """What search looks in, lower case."""
        return " ".join((self.name, self.title, self.family, self.type_label,
                         self.generation_type.replace("_", " "))).lower()


class AssetCatalogue:
    """The catalogue's models with their families and labels, grouped and searchable."""

    def __init__(self, models: Iterable[CatalogueModel]) -> None:
        self.models: list[CatalogueModel] = list(models)

    @classmethod
    def from_entries(cls, entries: Iterable[Any], prices: PriceInfo | None = None
                     ) -> AssetCatalogue:
        """Models from the catalogue's entries (``{model_name, generation_type,
        input_params_schema}``; anything else skipped, a repeated name kept once). Family,
        title and "from" price come from ``prices`` where it knows the model."""
        models: dict[str, CatalogueModel] = {}
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            name = entry.get("model_name")
            if not isinstance(name, str) or not name.strip() or name in models:
                continue
            facts = prices.info(name) if prices is not None else None
            kind = entry.get("generation_type")
            if not isinstance(kind, str) or not kind:
                kind = facts.generation_type if facts is not None else ""
            schema = entry.get("input_params_schema")
            models[name] = CatalogueModel(
                name=name,
                title=facts.title if facts is not None and facts.title else name,
                family=facts.family if facts is not None and facts.family
                else family_from_name(name),
                generation_type=kind, type_label=type_label(kind),
                schema=schema if isinstance(schema, Mapping) else None,
                from_credits=decimal_or_none(facts.from_credits) if facts is not None
                else None)
        return cls(models.values())

    def __len__(self) -> int:
        return len(self.models)

    def model(self, name: str) -> CatalogueModel | None:
        return next((m for m in self.models if m.name == name), None)

    def groups(self, by: Literal["family", "type"] = "family"
               ) -> list[tuple[str, list[CatalogueModel]]]:
        """``(family, models)`` in family order (alphabetical), or with ``by="type"``
        ``(type label, models)`` in :data:`TYPE_LABELS` order; models sorted by type, then
        title, inside a group."""
        groups: dict[str, list[CatalogueModel]] = {}
        if by == "type":
            ordered = sorted(self.models, key=lambda m: (_type_order(m.generation_type),
                                                         m.type_label, m.family.lower(),
                                                         m.title.lower()))
            for model in ordered:
                groups.setdefault(model.type_label, []).append(model)
        else:
            ordered = sorted(self.models, key=lambda m: (m.family.lower(),
                                                         _type_order(m.generation_type),
                                                         m.title.lower()))
            for model in ordered:
                groups.setdefault(model.family, []).append(model)
        return list(groups.items())

    def search(self, text: str) -> list[CatalogueModel]:
        """The models whose name, title, family or type contain every word of ``text``
        (case-insensitive), in catalogue order; all of them for empty text."""
        words = text.lower().split()
        return [m for m in self.models if all(w in m.words() for w in words)]

    def filtered(self, text: str) -> AssetCatalogue:
        """A catalogue of :meth:`search`'s answer (to group what a search found)."""
        return AssetCatalogue(self.search(text))


__all__ = ["TYPE_LABELS", "AssetCatalogue", "CatalogueModel", "ModelFacts", "PriceInfo",
           "family_from_name", "type_label"]
