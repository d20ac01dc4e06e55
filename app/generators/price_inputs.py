"""Which inputs of a form set its price: the fields a creator must always see next to the
estimate (never under "advanced options", and named by the estimator panel).

Read from the spec itself rather than declared a second time: the field a chosen length comes
from (``DurationKind.CHOICE``), and every plain choice, switch or number whose other values
change what the estimator is asked to price (``spec.price_requests``) — a model, a resolution,
a count. A new generator's price fields are found without naming them anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.generators._vocab import DurationKind, FieldKind, Flow
from app.generators.spec import Field, GeneratorSpec, SpecError
from app.pricing import PriceRequest, PricingError

PROBED_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE, FieldKind.BOOL, FieldKind.INT,
                FieldKind.FLOAT)
"""Field kinds tried with their other values (text, pickers and lists are not prices)."""


def _alternatives(f: Field) -> Iterator[Any]:
    if f.kind is FieldKind.CHOICE:
        yield from (c.value for c in f.choices)
    elif f.kind is FieldKind.MULTI_CHOICE:
        every = [c.value for c in f.choices]
        yield from (every[:n] for n in range(min(len(every), f.max_items or len(every)) + 1))
    elif f.kind is FieldKind.BOOL:
        yield from (False, True)
    else:
        low = f.minimum if f.minimum is not None else 0
        high = f.maximum if f.maximum is not None else low + 100
        for number in (low, (low + high) / 2, high):
            yield int(number) if f.kind is FieldKind.INT else float(number)
    yield None


def _priced(spec: GeneratorSpec, values: Mapping[str, Any], flow: Flow,
            seconds: float) -> list[PriceRequest] | None:
    try:
        return spec.price_requests(values, seconds, flow)
    except (SpecError, PricingError, ValueError, TypeError, KeyError):
        return None


def price_fields(spec: GeneratorSpec, values: Mapping[str, Any] | None = None,
                 flow: Flow = Flow.CREATE) -> tuple[str, ...]:
    """The names of ``spec``'s fields that set its price in ``flow`` (form order), read
    around ``values`` (the spec's defaults when not given)."""
    base = {**spec.defaults(), **(values or {})}
    probed = [f for f in spec.fields if f.applies_to(flow) and f.kind in PROBED_KINDS]
    direct = [f for f in probed if _changes_price(spec, base, f, flow)]
    # Then around each other value of those (Aurora's resolution sets the price only once
    # the model is Aurora 2.0).
    contexts = [{**base, g.name: value} for g in direct for value in _alternatives(g)]
    found: list[str] = []
    for f in spec.fields:
        if not f.applies_to(flow):
            continue
        chosen_length = spec.duration.kind is DurationKind.CHOICE \
            and f.name == spec.duration.field
        if chosen_length or f in direct or (
                f in probed and any(_changes_price(spec, c, f, flow) for c in contexts)):
            found.append(f.name)
    return tuple(found)


def sets_price_now(spec: GeneratorSpec, values: Mapping[str, Any], flow: Flow,
                   names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``names`` (found by :func:`price_fields`) whose other values would change
    this form's price as it stands: Aurora's resolution only while the model is Aurora 2.0.
    Cheap enough to ask on every edit (a few fields, a few values each)."""
    base = {**spec.defaults(), **values}
    found = []
    for name in names:
        f = spec.field(name)
        chosen_length = spec.duration.kind is DurationKind.CHOICE and name == spec.duration.field
        if chosen_length or _changes_price(spec, base, f, flow):
            found.append(name)
    return tuple(found)


def _changes_price(spec: GeneratorSpec, context: Mapping[str, Any], f: Field,
                   flow: Flow) -> bool:
    seconds = 30.0
    reference = _priced(spec, context, flow, seconds)
    return any(_priced(spec, {**context, f.name: value}, flow, seconds) != reference
               for value in _alternatives(f))


__all__ = ["PROBED_KINDS", "price_fields", "sets_price_now"]
