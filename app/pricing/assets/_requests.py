"""From a model's ``input_params`` to what the estimator prices, and the learned-price key.

The price cell is chosen by mapping each input to the table's labels for that model, never
by string equality: the docs' tables say "768P", "2K", "5s" where a schema may send "768p",
"2k", 5 or "5". A value with no cell is refused with the values the table knows, except in a
table the docs cut off, where a missing row costs at least the largest known row below it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from app.pricing.assets._entries import (
    REFERENCES,
    REFERENCES_AT_LEAST,
    RULE,
    UNLISTED,
    cell_variant,
    columns,
    over_variant,
    under_variant,
)
from app.pricing.assets._file import AssetModel, AssetPrices, duration_of
from app.pricing.engine import PriceRequest
from app.pricing.money import credit_figure
from app.pricing.table import PricingError, clip_value

OUTPUT_COUNT_KEYS = ("num_outputs", "num_images", "num_videos", "number_of_images",
                     "num_samples", "n")
"""Inputs that ask for several outputs (each output is charged: prices are per output)."""
SCALARS = ("number", "integer", "boolean")


def asset_price_requests(model_name: str, params: Mapping[str, Any],
                         schema: Mapping[str, Any] | None = None,
                         prices: AssetPrices | None = None) -> list[PriceRequest]:
    """What one Asset Generator task costs: the model's cell for these inputs × the number
    of outputs, then the reference-input surcharge where the docs give amounts. Each request
    carries ``key=price_key(...)``. ``prices``: the active price file when None.

    Raises `PricingError` (fit for the form) for no model, a value the table has no cell for
    (naming the values it knows), a missing price input with no default, or a bad count.
    """
    if prices is None:
        from app.pricing._registry import asset_prices
        prices = asset_prices()
    name = model_name.strip() if isinstance(model_name, str) else ""
    if not name:
        raise PricingError("Choose a model to see the price.")
    params = params if isinstance(params, Mapping) else {}
    key = price_key(name, params, schema)
    count = output_count(params, schema)
    model = prices.model(name)
    if model is None:
        return [PriceRequest(RULE, model=UNLISTED, count=count, key=key,
                             detail=f"{clip_value(name)} is not in the price file of "
                                    f"{prices.checked.day} {prices.checked:%b %Y}")]
    variant = _variant(model, params, schema) if model.kind == "table" else None
    requests = [PriceRequest(RULE, model=name, variant=variant, count=count, key=key)]
    requests.extend(_references(model, params, schema, count, key))
    return requests


def output_count(params: Mapping[str, Any], schema: Mapping[str, Any] | None) -> int:
    """The number of outputs asked for (``num_images``, ``num_outputs``, …), default 1."""
    for name in OUTPUT_COUNT_KEYS:
        value = _value(params, schema, name)
        if value is None:
            continue
        number = _number(value)
        if number is None or number != number.to_integral_value() or not 1 <= number <= 100:
            raise PricingError(f"The number of outputs ({name}) must be a whole number from 1 "
                               f"to 100, not {clip_value(value)!r}.")
        return int(number)
    return 1


def _variant(model: AssetModel, params: Mapping[str, Any],
             schema: Mapping[str, Any] | None) -> str | None:
    labels: list[str] = []
    for at, dim in enumerate(model.dims):
        known = list(dict.fromkeys(cell[at] for cell in model.cells))
        value = _dimension_value(params, schema, dim)
        if value is None:
            raise PricingError(f"Choose the {dim} of {model.info.name} to see the price "
                               f"(the price table knows {', '.join(known)}).")
        label = _match(dim, value, known)
        if label is None and dim == "duration" and model.partial:
            asked = _number(_normal(dim, value))
            if asked is not None and asked == asked.to_integral_value() and asked > 0:
                label = str(int(asked))
        if label is None:
            shown = ", ".join(f"{k} s" if dim == "duration" else k for k in known)
            raise PricingError(f"{model.info.name} has no price for {dim} "
                               f"{clip_value(value)!r}. Known values: {shown}.")
        labels.append(label)
    cell = tuple(labels)
    if cell in model.cells or not model.partial:
        return cell_variant(model.dims, cell)
    at = model.dims.index("duration")
    seconds = sorted({s for col in columns(model).values() for s in col})
    wanted = duration_of(cell[at])
    if wanted > seconds[-1]:
        return over_variant(model.dims, cell, seconds[-1])
    if wanted < seconds[0]:
        return under_variant(model.dims, cell, seconds[0])
    if wanted not in seconds:
        raise PricingError(f"{model.info.name} has no price for {wanted} s. Known values: "
                           f"{', '.join(f'{s} s' for s in seconds)}.")
    return cell_variant(model.dims, cell)


def _match(dim: str, value: Any, known: Sequence[str]) -> str | None:
    wanted = _normal(dim, value)
    if wanted is None:
        return None
    for label in known:
        have = _normal(dim, label)
        if have == wanted or (dim == "resolution" and have == f"{wanted}p"):
            return label
    return None


def _normal(dim: str, value: Any) -> str | None:
    """A value as the price tables compare it: lower case; durations as whole seconds
    ("5", 5, "5s", "5.0" → "5")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = _number(value)
        text = "" if number is None else format(number.normalize(), "f")
    elif isinstance(value, str):
        text = value.strip().lower()
    else:
        return None
    if dim == "duration":
        for suffix in ("seconds", "second", "sec", "s"):
            text = text.removesuffix(suffix).strip()
        number = _number(text)
        if number is not None:
            text = format(number.normalize(), "f")
    return text or None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and abs(number) < 10**9 else None


def _properties(schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _value(params: Mapping[str, Any], schema: Mapping[str, Any] | None, name: str) -> Any:
    """The input's value, or its schema default (what the server will use)."""
    value = params.get(name)
    if value is None or value == "":
        prop = _properties(schema).get(name)
        value = prop.get("default") if isinstance(prop, Mapping) else None
    return value


def _dimension_value(params: Mapping[str, Any], schema: Mapping[str, Any] | None,
                     dim: str) -> Any:
    """The input that drives a price axis: named as the axis, else an input whose name
    contains it (``video_duration``; never a reference input's length), from the params or
    the schema's default."""
    names = [dim, *sorted(k for k in {*params, *_properties(schema)}
                          if dim in str(k).lower() and k != dim
                          and "reference" not in str(k).lower())]
    for name in names:
        value = _value(params, schema, name)
        if value is not None and value != "":
            return value
    return None


def _references(model: AssetModel, params: Mapping[str, Any],
                schema: Mapping[str, Any] | None, count: int,
                key: str) -> list[PriceRequest]:
    """The reference-input surcharge (per output) where the docs give amounts; an unknown
    extra where they only say there is one."""
    images, videos, lengths = _reference_inputs(params)
    name = model.info.name
    if model.unpriced_references:
        return [PriceRequest(RULE, model=name, variant=REFERENCES, key=key)] \
            if images or videos else []
    extra = model.surcharge
    if extra is None or not (images or videos):
        return []
    beyond = max(0, images - extra.free_images)
    resolution = _normal("resolution", _dimension_value(params, schema, "resolution"))
    rate = extra.video_rates.get(resolution or "") or max(extra.video_rates.values())
    seconds = min(sum(lengths, Decimal(0)), extra.video_cap)
    total = beyond * extra.per_image + seconds * rate
    steps = int((total / extra.step).to_integral_value(rounding=ROUND_CEILING))
    at_least = len(lengths) < videos and seconds < extra.video_cap
    if at_least:
        steps = max(steps, 1)  # any second of reference video costs something
    if steps == 0:
        return []
    parts = []
    if beyond:
        parts.append(f"{beyond} reference {_plural(beyond, 'image')} beyond the "
                     f"{extra.free_images} free × {credit_figure(extra.per_image)}")
    if seconds:
        parts.append(f"{credit_figure(seconds)} s of reference video × {credit_figure(rate)}")
    if at_least:
        missing = videos - len(lengths)
        parts.append(f"{missing} reference {_plural(missing, 'video')} of unknown length")
    detail = " + ".join(parts) + f", rounded up to the next {credit_figure(extra.step)}"
    if count > 1:
        detail += f", × {count} outputs"
    return [PriceRequest(RULE, model=name, count=steps * count, key=key, detail=detail,
                         variant=REFERENCES_AT_LEAST if at_least else REFERENCES)]


def _reference_inputs(params: Mapping[str, Any]) -> tuple[int, int, list[Decimal]]:
    """(reference images, reference videos, the known video lengths in seconds): lists of
    URLs under names with "reference" and "image"/"video"; lengths from a
    ``reference_video_seconds``/``…_durations`` input or ``duration`` on video objects."""
    images = videos = 0
    lengths: list[Decimal] = []
    for name, value in params.items():
        lower = str(name).lower()
        if "reference" not in lower:
            continue
        timing = any(w in lower for w in ("second", "duration", "length"))
        if "video" in lower and timing:
            for item in value if isinstance(value, list) else [value]:
                if (number := _number(item)) is not None and number > 0:
                    lengths.append(number)
            continue
        if not isinstance(value, list):
            value = [value] if isinstance(value, str) and value.strip() else []
        if "image" in lower:
            images += len(value)
        elif "video" in lower:
            videos += len(value)
            for item in value:
                if isinstance(item, Mapping):
                    seconds = _number(item.get("duration", item.get("seconds")))
                    if seconds is not None and seconds > 0:
                        lengths.append(seconds)
    return images, videos, lengths[:videos] if videos else []


def price_key(model_name: str, params: Mapping[str, Any],
              schema: Mapping[str, Any] | None = None) -> str:
    """The canonical text of the model and its price-driving inputs: every enum, number,
    integer and boolean (schema defaults filled in) and the count of each array; free text
    and URLs left out. Without a schema, short single-word text counts as a choice.

    ``price_key("veo3.1/fast", {"prompt": "a cat", "duration": 8})`` →
    ``"veo3.1/fast?duration=8"``.
    """
    items: dict[str, str] = {}
    _collect(params if isinstance(params, Mapping) else {}, _properties(schema), "", items)
    name = model_name.strip() if isinstance(model_name, str) else ""
    if not items:
        return name
    return name + "?" + "&".join(f"{k}={v}" for k, v in sorted(items.items()))


def _collect(params: Mapping[str, Any], props: Mapping[str, Any], prefix: str,
             out: dict[str, str]) -> None:
    names = [*props, *(k for k in params if k not in props)]
    for name in names:
        prop = props.get(name)
        prop = prop if isinstance(prop, Mapping) else {}
        value = params.get(name)
        if value is None:
            value = prop.get("default")
        if value is None:
            continue
        path = f"{prefix}{name}"
        if isinstance(value, list | tuple):
            out[path] = f"#{len(value)}"
        elif isinstance(value, Mapping):
            _collect(value, _properties(prop), f"{path}.", out)
        elif _price_driving(prop, value):
            out[path] = _canonical(value)


def _price_driving(prop: Mapping[str, Any], value: Any) -> bool:
    """An enum, number, integer or boolean input; without a schema, anything but prose."""
    if not prop:
        return not isinstance(value, str) or _is_token(value)
    kind = prop.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return "enum" in prop or bool(kinds & set(SCALARS))


def _canonical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    number = _number(value) if isinstance(value, int | float | Decimal | str) else None
    if number is not None:
        return format(number.normalize(), "f")
    return clip_value(value).strip().lower()


def _is_token(text: str) -> bool:
    """Short text with no spaces and no scheme: a choice such as "768p", not a prompt."""
    text = text.strip()
    return 0 < len(text) <= 24 and not any(c.isspace() for c in text) and "://" not in text


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"
