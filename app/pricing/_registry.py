"""Price entries added at run time: the table every estimate reads when it is given none.

A generator registered with ``app.generators.register`` brings its price entry here
(:func:`register_prices`); estimates made without a ``table`` (the form's quote, a batch's
dry run, the job manager's Link price) then price it like a bundled rule. The bundled
``resources/prices.json`` itself is never changed: :func:`price_table` is a new, checked
table (`PriceTable.with_entries`).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.pricing.table import PriceEntry, PriceTable, load_price_table

__all__ = ["price_table", "register_prices", "unregister_prices"]

_extended: PriceTable | None = None
"""The bundled table with every registered entry (``None``: none registered)."""


def price_table() -> PriceTable:
    """The table estimates read by default: the bundled one plus any registered entries."""
    return _extended if _extended is not None else load_price_table()


def register_prices(*entries: PriceEntry,
                    default_models: Mapping[str, str] | None = None) -> PriceTable:
    """Add ``entries`` (and rules' default models) to :func:`price_table`; returns it.

    They are checked as the bundled file's entries are: a bad entry, or one whose rule,
    phase, model and variant are already priced, raises `PricingError` and adds nothing.
    """
    global _extended
    _extended = price_table().with_entries(*entries, default_models=default_models)
    return _extended


def unregister_prices(rule: str) -> None:
    """Remove the entries (and default model) :func:`register_prices` added for ``rule``;
    a bundled rule raises ``ValueError``."""
    global _extended
    bundled = load_price_table()
    if any(e.rule == rule for e in bundled.entries):
        raise ValueError(f"{rule!r} is a bundled price rule")
    if _extended is None:
        return
    kept = tuple(e for e in _extended.entries[len(bundled.entries):] if e.rule != rule)
    defaults = {k: v for k, v in _extended.default_models if k != rule}
    _extended = bundled.with_entries(*kept, default_models=defaults) if kept else None
