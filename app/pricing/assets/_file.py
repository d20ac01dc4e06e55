"""The asset price file (``resources/asset-models.json`` format): read, check, and hold.

The file is what the docs show for each Asset Generator model: a full price table (by
duration, resolution, quality or two of them), a flat price, a per-second rule, only a "from
N" minimum (``varies``), or nothing (``unknown``), plus reference-input surcharges on some
reference-to-video models and the older, superseded listing. Everything is checked before
anything is used: a bad file raises `PricingError` with the reason, never half a price list.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.pricing.table import PricingError, clip_value

DEFAULT_ASSET_PATH = Path(__file__).resolve().parents[3] / "resources" / "asset-models.json"
MAX_FILE_BYTES = 5 * 1024 * 1024
HALF = Decimal("0.5")
DIMENSIONS = ("duration", "resolution", "quality")
"""The price-table axes the file uses; a table by anything else is refused."""
KINDS = ("table", "flat", "per_second", "varies", "unknown")


@dataclass(frozen=True, slots=True)
class AssetModelInfo:
    """What the picker and the labels need about a model (``verified``: the docs' full
    table or flat price was read; otherwise only a minimum or nothing)."""

    name: str
    family: str
    title: str
    generation_type: str
    from_credits: Decimal | None
    verified: bool
    source: str


@dataclass(frozen=True, slots=True)
class Surcharge:
    """Reference inputs priced on top of the table (the Boreal-H3 amounts): ``video_rates``
    per second of reference video by resolution label (lower case), up to ``video_cap`` s;
    ``free_images`` reference images free, then ``per_image`` each; the surcharge rounded up
    to the next ``step`` credits."""

    video_rates: Mapping[str, Decimal]
    video_cap: Decimal
    free_images: int
    per_image: Decimal
    step: Decimal = HALF


@dataclass(frozen=True, slots=True)
class AssetModel:
    """One model's price: ``cells`` maps a tuple of labels (one per ``dims``) to the
    per-output credits. ``kind`` is ``table`` (a per-second rule is expanded into one at
    load), ``flat`` (dims empty), ``varies`` (``minimum`` only) or ``unknown``."""

    info: AssetModelInfo
    kind: str
    dims: tuple[str, ...] = ()
    cells: Mapping[tuple[str, ...], Decimal] = field(default_factory=dict)
    partial: bool = False
    minimum: Decimal | None = None
    surcharge: Surcharge | None = None
    unpriced_references: bool = False
    """The page says reference inputs cost extra but gives no amounts: a request with any
    reference input costs at least the table price."""


@dataclass(frozen=True, slots=True)
class AssetPrices:
    """The whole file: ``models`` by name, the date it was checked, where it came from, and
    the names of the superseded listing (kept for the record, never used for a price)."""

    checked: datetime.date
    source: str
    models: Mapping[str, AssetModel]
    superseded: tuple[str, ...] = ()

    def info(self, model_name: str) -> AssetModelInfo | None:
        """The model's name, family, title, type, "from" price and source, or None."""
        model = self.models.get(model_name)
        return None if model is None else model.info

    def model(self, model_name: str) -> AssetModel | None:
        return self.models.get(model_name)


def load_asset_prices(path: str | os.PathLike[str] | None = None) -> AssetPrices:
    """Read and check an asset price file; the bundled one (cached) when ``path`` is None."""
    if path is None:
        return _load_default()
    return parse_asset_prices(_read(Path(path)), str(path))


@functools.cache
def _load_default() -> AssetPrices:
    return parse_asset_prices(_read(DEFAULT_ASSET_PATH), str(DEFAULT_ASSET_PATH))


def _read(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PricingError(f"The price file {path.name} is {size / 1e6:.1f} MB: a price "
                               f"file is at most {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PricingError(f"Cannot read the price file {path}: {exc.strerror}.") from exc
    except UnicodeDecodeError:
        raise PricingError(f"The price file {path.name} is not text (UTF-8).") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise PricingError(f"The price file {path.name} is not valid JSON: {exc}.") from exc


def parse_asset_prices(raw: Any, where: str = "the asset price file",
                       today: datetime.date | None = None) -> AssetPrices:
    """Check ``raw`` (the parsed JSON) and build `AssetPrices`; `PricingError` says why not.

    ``today`` (when given) refuses a ``checked`` date after it: a price list from the future
    is a typo, not news.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("models"), list):
        raise PricingError(f"{where} needs an object with a 'models' list (the "
                           "asset-models.json format).")
    checked = _date(raw.get("checked"), f"{where}: 'checked'")
    if today is not None and checked > today:
        raise PricingError(f"{where} says it was checked on {checked}, after today ({today}).")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise PricingError(f"{where} is missing its 'source'.")
    models: dict[str, AssetModel] = {}
    for index, item in enumerate(raw["models"]):
        model = _model(item, index)
        if model.info.name in models:
            raise PricingError(f"{where} lists the model {model.info.name!r} twice.")
        models[model.info.name] = model
    if not models:
        raise PricingError(f"{where} lists no models.")
    legacy = raw.get("legacy_listing_superseded")
    superseded: tuple[str, ...] = ()
    if isinstance(legacy, Mapping) and isinstance(legacy.get("models"), list):
        superseded = tuple(str(m.get("model_name")) for m in legacy["models"]
                           if isinstance(m, Mapping) and m.get("model_name"))
    return AssetPrices(checked=checked, source=source, models=models, superseded=superseded)


def _model(item: Any, index: int) -> AssetModel:
    if not isinstance(item, dict):
        raise PricingError(f"Model #{index} of the price file is not an object.")
    name = item.get("model_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise PricingError(f"Model #{index} of the price file has no model_name.")
    label = f"The price of {clip_value(name)}"
    price = item.get("price")
    if not isinstance(price, dict) or price.get("kind") not in KINDS:
        raise PricingError(f"{label} needs a 'price' whose kind is one of {', '.join(KINDS)}.")
    source = item.get("source")
    if not isinstance(source, str) or not source.strip():
        raise PricingError(f"{label} has no source.")
    from_credits = item.get("from_credits")
    info = AssetModelInfo(
        name=name, family=_plain(item.get("family")) or "Other",
        title=_plain(item.get("title")) or name,
        generation_type=_plain(item.get("generation_type")) or "",
        from_credits=None if from_credits is None else _credits(from_credits, label),
        verified=item.get("verified") is True, source=source)
    kind = price["kind"]
    if kind == "flat":
        return AssetModel(info, "flat", (), {(): _credits(price.get("credits"), label)})
    if kind == "varies":
        return AssetModel(info, "varies", minimum=_credits(price.get("min_credits"), label))
    if kind == "unknown":
        return AssetModel(info, "unknown")
    dims, cells = _per_second(price, label) if kind == "per_second" else _table(price, label)
    surcharge, unpriced = _surcharge(price.get("surcharges"), label)
    return AssetModel(info, "table", dims, cells, partial=price.get("partial") is True,
                      surcharge=surcharge, unpriced_references=unpriced)


def _table(price: Mapping[str, Any],
           label: str) -> tuple[tuple[str, ...], dict[tuple[str, ...], Decimal]]:
    dims = price.get("by")
    if not isinstance(dims, list) or not dims or any(d not in DIMENSIONS for d in dims) \
            or len(set(dims)) != len(dims):
        raise PricingError(f"{label}: a table must be 'by' some of {', '.join(DIMENSIONS)}.")
    rows = price.get("rows")
    if not isinstance(rows, list) or not rows:
        raise PricingError(f"{label}: the table has no rows.")
    cells: dict[tuple[str, ...], Decimal] = {}
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            raise PricingError(f"{label}: row {n + 1} is not an object.")
        labels = tuple(_label(row.get(d), f"{label}: row {n + 1}'s {d}") for d in dims)
        if "duration" in dims:
            _duration(labels[dims.index("duration")], f"{label}: row {n + 1}")
        if labels in cells:
            raise PricingError(f"{label}: the table lists {' × '.join(labels)} twice.")
        cells[labels] = _credits(row.get("credits"), f"{label}: row {n + 1}")
    return tuple(dims), cells


def _per_second(price: Mapping[str, Any],
                label: str) -> tuple[tuple[str, ...], dict[tuple[str, ...], Decimal]]:
    """A per-second rule expanded to whole seconds over its range: ``rate × seconds``, the
    total rounded up to the next half credit when the rule says so (Boreal-H3's does)."""
    rates = price.get("rate")
    span = price.get("duration_range")
    if not isinstance(rates, dict) or not rates:
        raise PricingError(f"{label}: a per-second price needs a rate per resolution.")
    if not (isinstance(span, list) and len(span) == 2 and all(
            isinstance(s, int) and not isinstance(s, bool) for s in span)
            and 1 <= span[0] <= span[1] <= 3600):
        raise PricingError(f"{label}: a per-second price needs a duration_range of two whole "
                           "numbers of seconds.")
    rounding = str(price.get("rounding") or "")
    halves = "0.5" in rounding or "half" in rounding
    cells: dict[tuple[str, ...], Decimal] = {}
    for seconds in range(span[0], span[1] + 1):
        for resolution, rate in rates.items():
            total = _credits(rate, f"{label} at {resolution}") * seconds
            if halves:
                total = (total * 2).to_integral_value(rounding=ROUND_CEILING) / 2
            cells[(str(seconds), _label(resolution, f"{label}: a resolution"))] = total
    return ("duration", "resolution"), cells


def _surcharge(value: Any, label: str) -> tuple[Surcharge | None, bool]:
    """The reference-input amounts when the file gives them; (None, True) when it only says
    that reference inputs cost extra; (None, False) when it says nothing."""
    if value is None:
        return None, False
    amounts = value.get("amounts_from_boreal_endpoint_page") if isinstance(value, dict) \
        else None
    if amounts is None:
        return None, True
    where = f"{label}: the reference surcharge"
    if not isinstance(amounts, dict) or not isinstance(
            amounts.get("reference_video_per_second"), dict):
        raise PricingError(f"{where} needs reference_video_per_second by resolution.")
    free = amounts.get("free_reference_images")
    if isinstance(free, bool) or not isinstance(free, int) or free < 0:
        raise PricingError(f"{where} needs a whole number of free reference images.")
    return Surcharge(
        video_rates={str(k).strip().lower(): _credits(v, where)
                     for k, v in amounts["reference_video_per_second"].items()},
        video_cap=_credits(amounts.get("reference_video_seconds_cap"), where),
        free_images=free, per_image=_credits(amounts.get("per_extra_reference_image"), where),
    ), False


def _credits(value: Any, label: str) -> Decimal:
    """A positive, finite price in credits (at most a million: anything more is a typo)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise PricingError(f"{label} has a price that is not a number: "
                           f"{clip_value(value)!r}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise PricingError(f"{label} has a price that is not a finite number: {value}.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise PricingError(f"{label} has a price that is not a number: "
                           f"{clip_value(value)!r}.") from None
    if not number.is_finite() or number <= 0 or number > 10**6:
        raise PricingError(f"{label} needs a price above 0 credits, not {clip_value(value)}.")
    return number


def _label(value: Any, label: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise PricingError(f"{label} is missing.")
    return str(value).strip()


def _duration(text: str, label: str) -> int:
    """A table's duration label as whole seconds ("5", "5s")."""
    digits = text.lower().removesuffix("s")
    if not digits.isdigit() or not 0 < int(digits) <= 3600:
        raise PricingError(f"{label}: {clip_value(text)!r} is not a duration in seconds.")
    return int(digits)


def duration_of(text: str) -> int:
    """A checked duration label's seconds."""
    return int(text.lower().removesuffix("s"))


def _plain(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PricingError(f"{label} is not a date (YYYY-MM-DD): {clip_value(value)!r}.") \
            from None
