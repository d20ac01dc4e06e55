"""The dated price table: its types, lookup and the loader for ``resources/prices.json``."""

from __future__ import annotations

import datetime
import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

PHASES = ("create", "preview", "render")
UNITS = ("second", "request", "link", "image", "asset", "token", "credit")
"""``credit``: a surcharge counted in steps of ``rate`` credits (the Boreal-H3 reference
inputs, rounded up to the next half credit): the request's ``count`` is the number of steps."""
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "prices.json"
STANDARD_MODEL = "standard"  # the API's default model_version; priced by the model-less entry


class PricingError(ValueError):
    """A price cannot be given: bad input or a bad price table. The message is fit for a user."""


class Bound(StrEnum):
    """How far a price is known: ``exact`` (a table cell), ``at_least`` (only the docs'
    "from N" minimum, or the largest known cell below a cut-off row) or ``unknown`` (no
    price seen: the charge is known only after the run). Never zero for the unknown."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """One billing row: ``rate`` credits per ``increment`` (per unit for counted units)."""

    rule: str
    phase: str
    model: str | None
    variant: str | None
    unit: str
    increment: Decimal
    rate: Decimal | None
    as_of: datetime.date
    source: str
    note: str = ""
    bound: Bound = Bound.EXACT
    """``rate`` is the price (exact), a minimum (at_least) or ``None`` (unknown)."""


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Every billing row; ``as_of`` is the date of the oldest row the table relies on."""

    as_of: datetime.date
    source: str
    entries: tuple[PriceEntry, ...]
    default_models: tuple[tuple[str, str], ...] = ()  # (rule, model used when none is given)

    def find(self, rule: str, phase: str = "create", model: str | None = None,
             variant: str | None = None) -> PriceEntry:
        """Return the entry for this rule, phase, model and variant.

        A missing model means the rule's default model (or the model-less, standard entry);
        ``"standard"`` means the model-less entry. A missing variant is accepted when the
        model has exactly one. Raises `PricingError` naming what is known otherwise.
        """
        rows = [e for e in self.entries if e.rule == rule]
        if not rows:
            raise PricingError(f"Unknown billing rule {clip_value(rule)!r}. Known rules: "
                               f"{_names(e.rule for e in self.entries)}.")
        rows = [e for e in rows if e.phase == phase]
        if not rows:
            raise PricingError(f"{rule} has no {phase!r} price. Known phases: "
                               f"{_names(e.phase for e in self.entries if e.rule == rule)}.")
        label = f"{rule} ({phase})"
        key = dict(self.default_models).get(rule) if model is None else model
        by_model = [e for e in rows if e.model == (None if key == STANDARD_MODEL else key)]
        if not by_model:
            known = _names(e.model or STANDARD_MODEL for e in rows)
            if key is None:
                raise PricingError(f"{label} needs a model. Known models: {known}.")
            where = rule if phase == "create" else label
            raise PricingError(f"No price known for {where} model {clip_value(key)!r}. "
                               f"Known models: {known}.")
        if key not in (None, STANDARD_MODEL):
            label = f"{rule} {key} ({phase})"
        by_variant = [e for e in by_model if e.variant == variant]
        if not by_variant and variant is None and len(by_model) == 1:
            by_variant = by_model
        if not by_variant and all(e.variant is None for e in by_model):
            raise PricingError(f"{label} takes no option, not {clip_value(variant)!r}.")
        if not by_variant:
            wanted = ("needs an option" if variant is None
                      else f"has no option {clip_value(variant)!r}")
            raise PricingError(f"{label} {wanted}. Known options: "
                               f"{_names(str(e.variant) for e in by_model)}.")
        return by_variant[0]

    def with_entries(self, *entries: PriceEntry,
                     default_models: Mapping[str, str] | None = None) -> PriceTable:
        """A new table: this one's entries, then ``entries`` (this table is left as it is).

        Each added entry is checked as an entry of ``resources/prices.json`` is, with the same
        messages (numbered after this table's entries); a rule, phase, model and variant
        listed twice and a default model that is not priced raise `PricingError` too.
        ``default_models`` adds (rule, model used when none is given) pairs. The new table's
        ``as_of`` is the oldest of its own and the added entries' dates.
        """
        start = len(self.entries)
        added = tuple(_entry(_as_item(e), start + i) for i, e in enumerate(entries))
        combined = (*self.entries, *added)
        defaults = _checked(combined, {**dict(self.default_models), **(default_models or {})})
        return PriceTable(as_of=min((self.as_of, *(e.as_of for e in added))),
                          source=self.source, entries=combined, default_models=defaults)

    def is_stale(self, today: datetime.date, max_age_days: int = 90) -> bool:
        """True when ``as_of`` is more than ``max_age_days`` days before ``today``."""
        return (today - self.as_of).days > max_age_days


def clip_value(value: object, limit: int = 60) -> str:
    """An echoed input, cut (a huge value is not repeated back in a message)."""
    try:
        text = str(value)
    except ValueError:  # an integer too long to print
        text = "a number too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(values: Iterable[str]) -> str:
    """The distinct values, in table order."""
    return ", ".join(dict.fromkeys(values))


def load_price_table(path: str | os.PathLike[str] | None = None) -> PriceTable:
    """Read and validate a price table; the bundled one (cached) when ``path`` is None."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> PriceTable:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> PriceTable:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise PricingError(f"Cannot read the price table {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise PricingError(f"The price table {path} is not valid JSON: {exc}.") from exc
    return parse_price_table(raw, f"The price table {path}")


def parse_price_table(raw: Any, where: str = "The price table") -> PriceTable:
    """Check a parsed ``prices.json``-format object and build its table (`PricingError` says
    what is wrong, naming the entry)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise PricingError(f"{where} needs an object with an 'entries' list.")
    entries = tuple(_entry(item, i) for i, item in enumerate(raw["entries"]))
    defaults = _checked(entries, raw.get("default_models", {}))
    return PriceTable(as_of=_date(raw.get("as_of"), "the table"),
                      source=_text(raw.get("source"), "the table", "source"),
                      entries=entries, default_models=defaults)


def _checked(entries: tuple[PriceEntry, ...], defaults: Any) -> tuple[tuple[str, str], ...]:
    """The table-wide checks: no entry listed twice, default models that are priced."""
    counts = Counter((e.rule, e.phase, e.model, e.variant) for e in entries)
    for key, seen in counts.items():
        if seen > 1:
            raise PricingError(f"The price table lists {'/'.join(map(str, key))} twice.")
    if not isinstance(defaults, dict) or not all(
            isinstance(v, str) and (k, v) in {(e.rule, e.model) for e in entries}
            for k, v in defaults.items()):
        raise PricingError("The price table's 'default_models' must map rules to priced models.")
    return tuple(sorted(defaults.items()))


def _as_item(entry: object) -> dict[str, Any] | None:
    """An entry as ``prices.json`` writes it, for the loader's checks (``None``, which they
    refuse, for anything but a `PriceEntry`)."""
    if not isinstance(entry, PriceEntry):
        return None
    item: dict[str, Any] = {
        "rule": entry.rule, "phase": entry.phase, "model": entry.model,
        "variant": entry.variant, "unit": entry.unit, "increment": entry.increment,
        "rate": entry.rate, "as_of": entry.as_of, "source": entry.source, "note": entry.note,
        "bound": entry.bound}
    if isinstance(entry.as_of, datetime.date) and not isinstance(entry.as_of, datetime.datetime):
        item["as_of"] = entry.as_of.isoformat()
    return item


def _entry(item: Any, index: int) -> PriceEntry:
    if not isinstance(item, dict):
        raise PricingError(f"Price table entry #{index} is not an object.")
    name = f"entry #{index} ({item.get('rule')}/{item.get('phase')}/{item.get('model')}" \
           f"/{item.get('variant')})"
    unit = item.get("unit")
    if unit not in UNITS:
        raise PricingError(f"Price table {name} has unknown unit {unit!r}.")
    phase = item.get("phase", "create")
    if phase not in PHASES:
        raise PricingError(f"Price table {name} has unknown phase {phase!r}.")
    increment = Decimal(1)
    if unit == "second":
        increment = _positive(item.get("increment"), name, "increment")
    elif item.get("increment", 1) != 1:
        raise PricingError(f"Price table {name} counts {unit}s and cannot have an increment.")
    try:
        bound = Bound(item.get("bound", Bound.EXACT))
    except ValueError:
        raise PricingError(f"Price table {name} has an unknown bound {item.get('bound')!r} "
                           f"(known: {_names(Bound)}).") from None
    if unit == "token":
        if item.get("rate") is not None:
            raise PricingError(f"Price table {name} is charged by tokens and cannot have a rate.")
        rate = None
    elif bound is Bound.UNKNOWN:
        if item.get("rate") is not None:
            raise PricingError(f"Price table {name} has an unknown price and cannot have a "
                               "rate.")
        rate = None
    else:
        rate = _positive(item.get("rate"), name, "rate")
    return PriceEntry(rule=_text(item.get("rule"), name, "rule"), phase=phase,
                      model=_optional_text(item.get("model"), name, "model"),
                      variant=_optional_text(item.get("variant"), name, "variant"),
                      unit=unit, increment=increment, rate=rate,
                      as_of=_date(item.get("as_of"), name),
                      source=_text(item.get("source"), name, "source"),
                      note=_optional_text(item.get("note"), name, "note") or "",
                      bound=bound)


def _positive(value: Any, name: str, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise PricingError(f"Price table {name} is missing a numeric {field}.")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PricingError(f"Price table {name} has a non-numeric {field} {value!r}.") from None
    if not number.is_finite() or number <= 0:
        raise PricingError(f"Price table {name} needs a positive {field}, not {value}.")
    return number


def _text(value: Any, name: str, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise PricingError(f"Price table {name} is missing its {field}.")
    return value


def _optional_text(value: Any, name: str, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise PricingError(f"Price table {name} has a non-text {field}.")
    return value


def _date(value: Any, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PricingError(f"Price table {name} has a bad as_of date {value!r}.") from None
