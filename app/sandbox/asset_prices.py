"""The simulator's own reading of the Asset Generator's price file
(``resources/asset-models.json``).

The file holds what Creatify's model pages show: a full table per model (by duration,
resolution or quality), a flat price, a per-second rule (Boreal-H3 text-to-video), a "from
N" minimum, or nothing; and the Boreal-H3 reference surcharges. This module reads it with
its own small parser — it never imports ``app.pricing`` — so the end-to-end tests compare two
independent readings of the same docs: the client's estimate against what the sandbox charges.

Labels are the docs' (``"768P"``, ``"1k"``, ``"5"``); :func:`label_key` is how the simulator,
playing the server, matches its own schema values to them (case-insensitive, ``"5s"`` = ``"5"``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["PRICE_FILE", "PriceRule", "Surcharge", "label_key", "price_rules", "round_up"]

PRICE_FILE = Path(__file__).resolve().parents[2] / "resources" / "asset-models.json"
"""The bundled price file (a vendored copy of the docs' models and price tables)."""


def label_key(value: Any) -> str:
    """A table label or a schema value reduced to what the docs' spellings share: ``"768P"``,
    ``"768p"`` → ``768p``; ``5``, ``"5"``, ``"5s"`` → ``5``."""
    text = str(value).strip().lower()
    return text[:-1] if text.endswith("s") and text[:-1].isdigit() else text


def round_up(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded up to a multiple of ``step``."""
    return Decimal(math.ceil(value / step)) * step


@dataclass(frozen=True, slots=True)
class Surcharge:
    """Reference inputs billed on top of the table (the Boreal-H3 amounts)."""

    video_per_second: Mapping[str, Decimal]
    """By resolution label key (``768p``, ``1088p``, ``2k``)."""
    video_seconds_cap: Decimal
    free_images: int
    per_extra_image: Decimal


@dataclass(frozen=True, slots=True)
class PriceRule:
    """One model's price, per output, as the file gives it.

    ``kind``: ``table`` (``by`` names the inputs, ``cells`` maps their label keys to credits),
    ``flat``, ``per_second`` (``rates`` by resolution label key, over ``duration_range``,
    rounded up to half a credit), ``from`` (only the minimum ``minimum`` is known) or
    ``unknown``."""

    kind: str
    by: tuple[str, ...] = ()
    cells: Mapping[tuple[str, ...], Decimal] = field(default_factory=dict)
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per input of ``by``: its labels in the file's order."""
    flat: Decimal | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    duration_range: tuple[int, int] | None = None
    minimum: Decimal | None = None
    surcharge: Surcharge | None = None

    def complete_values(self, name: str) -> tuple[str, ...]:
        """The labels of input ``name`` the simulator offers: a partial table leaves some
        rows out (Kling 4.0 and Wan 3.0 stop at different lengths per resolution), so only
        the durations priced at every resolution are offered, and every other label."""
        if name != "duration" or "duration" not in self.by:
            return self.labels[name]
        index = self.by.index("duration")
        needed = math.prod(len(self.labels[o]) for o in self.by if o != "duration")
        return tuple(label for label in self.labels[name]
                     if sum(key[index] == label_key(label) for key in self.cells) == needed)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a price: {value!r}")
    return Decimal(str(value))


def _surcharge(price: Mapping[str, Any]) -> Surcharge | None:
    surcharges = price.get("surcharges")
    amounts = (surcharges.get("amounts_from_boreal_endpoint_page")
               if isinstance(surcharges, Mapping) else None)
    if not amounts:  # MiniMax's page says reference inputs cost extra, with no amounts
        return None
    return Surcharge(
        {label_key(k): _decimal(v) for k, v in amounts["reference_video_per_second"].items()},
        _decimal(amounts["reference_video_seconds_cap"]), int(amounts["free_reference_images"]),
        _decimal(amounts["per_extra_reference_image"]))


def _rule(model: Mapping[str, Any]) -> PriceRule:
    price = model.get("price") or {"kind": "unknown"}
    kind = price["kind"]
    if kind == "table":
        by = tuple(price["by"])
        labels: dict[str, list[str]] = {name: [] for name in by}
        cells = {}
        for row in price["rows"]:
            for name in by:
                if row[name] not in labels[name]:
                    labels[name].append(row[name])
            cells[tuple(label_key(row[name]) for name in by)] = _decimal(row["credits"])
        return PriceRule("table", by, cells, {k: tuple(v) for k, v in labels.items()},
                         surcharge=_surcharge(price))
    if kind == "flat":
        return PriceRule("flat", flat=_decimal(price["credits"]))
    if kind == "per_second":
        low, high = price["duration_range"]
        return PriceRule("per_second", ("duration", "resolution"),
                         labels={"resolution": tuple(price["rate"])},
                         rates={label_key(k): _decimal(v) for k, v in price["rate"].items()},
                         duration_range=(int(low), int(high)))
    if kind == "varies":
        return PriceRule("from", minimum=_decimal(price["min_credits"]))
    return PriceRule("unknown")


@functools.cache
def price_rules(path: Path = PRICE_FILE) -> dict[str, PriceRule]:
    """Each model of the price file by its exact ``model_name``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {model["model_name"]: _rule(model) for model in data["models"]}
