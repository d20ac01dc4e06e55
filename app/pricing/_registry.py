"""The table every estimate reads when it is given none, composed from its sources.

``price_table()`` is, in order: the general table (the bundled ``resources/prices.json``, or
an imported one), without the rules the sources below replace; the active asset price
file's entries (rule ``asset_generator``; the general table's own rows of that rule are
replaced, never added to, so the two can never clash); the catalogue prices
(:func:`set_catalogue_prices`, e.g. each AI Ad Template's ``credit_cost``); and the entries
a registered generator brought (:func:`register_prices`). The bundled files are never
changed: every change builds a new, checked table (`PriceTable.with_entries`) and swaps it
in only when it is whole, so a bad addition changes nothing. Changes are made under one lock
(a price file is imported on a worker thread while the GUI thread sets catalogue prices:
neither may lose the other's change); reading the table in force takes no lock.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from app.pricing.table import Bound, PriceEntry, PriceTable, PricingError, load_price_table

if TYPE_CHECKING:
    from app.pricing.assets import AssetPrices

__all__ = ["activate_prices", "asset_prices", "composed_with", "general_table", "price_table",
           "register_prices", "set_catalogue_prices", "unregister_prices"]

log = logging.getLogger(__name__)
ASSET_RULE = "asset_generator"

_general: PriceTable | None = None
"""An imported general table in force (``None``: the bundled ``prices.json``)."""
_assets: AssetPrices | None = None
"""An imported asset price file in force (``None``: the bundled ``asset-models.json``)."""
_catalogue: dict[str, tuple[PriceEntry, ...]] = {}
_registered: tuple[PriceEntry, ...] = ()
_registered_defaults: dict[str, str] = {}
_composed: PriceTable | None = None
_lock = threading.RLock()
"""Held while a source changes and the table is composed from the sources."""


def general_table() -> PriceTable:
    """The general price table in force (bundled or imported), before composition."""
    return _general if _general is not None else load_price_table()


def asset_prices() -> AssetPrices:
    """The asset price file in force (bundled or imported)."""
    if _assets is not None:
        return _assets
    from app.pricing.assets import load_asset_prices
    return load_asset_prices()


def price_table() -> PriceTable:
    """The table estimates read by default (see the module's docstring)."""
    global _composed
    table = _composed
    if table is not None:
        return table
    with _lock:
        if _composed is None:
            _composed = _compose(_general, _assets, _catalogue, _registered,
                                 _registered_defaults)
        return _composed


def _compose(general: PriceTable | None, assets: AssetPrices | None,
             catalogue: Mapping[str, tuple[PriceEntry, ...]],
             registered: tuple[PriceEntry, ...], defaults: Mapping[str, str]) -> PriceTable:
    from app.pricing.assets import asset_entries, load_asset_prices
    base = general if general is not None else load_price_table()
    replaced = {ASSET_RULE, *catalogue}
    kept = tuple(e for e in base.entries if e.rule not in replaced)
    table = PriceTable(as_of=min((e.as_of for e in kept), default=base.as_of),
                       source=base.source, entries=kept,
                       default_models=tuple((k, v) for k, v in base.default_models
                                            if k not in replaced))
    added = (*asset_entries(assets if assets is not None else load_asset_prices()),
             *(e for entries in catalogue.values() for e in entries), *registered)
    return table.with_entries(*added, default_models=defaults)


def composed_with(*, general: PriceTable | None = None, assets: AssetPrices | None = None,
                  keep_general: bool = False, keep_assets: bool = False) -> PriceTable:
    """The table :func:`activate_prices` with the same arguments would put in force, without
    putting it in force (`PricingError` when it cannot be composed)."""
    with _lock:
        return _compose(_general if keep_general else general,
                        _assets if keep_assets else assets,
                        _catalogue, _registered, _registered_defaults)


def activate_prices(*, general: PriceTable | None = None,
                    assets: AssetPrices | None = None, keep_general: bool = False,
                    keep_assets: bool = False) -> PriceTable:
    """Put a general table and/or an asset price file in force (``None``: the bundled one;
    ``keep_…``: leave that source as it is). The new table is composed and checked first:
    on `PricingError` nothing changes. Returns the new ``price_table()``."""
    global _general, _assets, _composed
    with _lock:
        new_general = _general if keep_general else general
        new_assets = _assets if keep_assets else assets
        table = _compose(new_general, new_assets, _catalogue, _registered, _registered_defaults)
        _general, _assets, _composed = new_general, new_assets, table
        return table


def set_catalogue_prices(rule: str, rates: Mapping[str, Decimal], *, as_of: datetime.date,
                         source: str) -> PriceTable:
    """Replace ``rule``'s entries with one per catalogue item (model = the item id, unit
    "request"), e.g. each AI Ad Template's ``credit_cost``. A cost that is missing, zero or
    not a number is priced as unknown (known after the run), never as free."""
    global _catalogue, _composed
    if not isinstance(rule, str) or not rule or rule == ASSET_RULE:
        raise PricingError(f"{rule!r} cannot hold catalogue prices.")
    entries = []
    for item, rate in rates.items():
        good = isinstance(rate, Decimal | int) and not isinstance(rate, bool) \
            and Decimal(rate).is_finite() and Decimal(rate) > 0
        if not good:
            log.info("catalogue price of %s/%s is not a positive number: unknown", rule, item)
        entries.append(PriceEntry(
            rule=rule, phase="create", model=str(item), variant=None, unit="request",
            increment=Decimal(1), rate=Decimal(rate) if good else None, as_of=as_of,
            source=source, note="From the catalogue's credit cost.",
            bound=Bound.EXACT if good else Bound.UNKNOWN))
    with _lock:
        catalogue = {**_catalogue, rule: tuple(entries)}
        table = _compose(_general, _assets, catalogue, _registered, _registered_defaults)
        _catalogue, _composed = catalogue, table
        return table


def register_prices(*entries: PriceEntry,
                    default_models: Mapping[str, str] | None = None) -> PriceTable:
    """Add ``entries`` (and rules' default models) to :func:`price_table`; returns it.

    They are checked as the bundled file's entries are: a bad entry, or one whose rule,
    phase, model and variant are already priced, raises `PricingError` and adds nothing.
    """
    global _registered, _registered_defaults, _composed
    with _lock:
        registered = (*_registered, *entries)
        defaults = {**_registered_defaults, **(default_models or {})}
        table = _compose(_general, _assets, _catalogue, registered, defaults)
        _registered, _registered_defaults, _composed = registered, defaults, table
        return table


def unregister_prices(rule: str) -> None:
    """Remove the entries (and default model) :func:`register_prices` added for ``rule``;
    a bundled rule raises ``ValueError``."""
    global _registered, _registered_defaults, _composed
    if rule == ASSET_RULE or any(e.rule == rule for e in general_table().entries):
        raise ValueError(f"{rule!r} is a bundled price rule")
    with _lock:
        _registered = tuple(e for e in _registered if e.rule != rule)
        _registered_defaults = {k: v for k, v in _registered_defaults.items() if k != rule}
        _composed = None
