"""The cost estimator: credits and dollars for a Creatify request, from a dated price table.

Pure and Qt-free; the only I/O is reading the bundled ``resources/prices.json`` once. Modules:
``table`` (the dated table, its checks and the loader), ``engine`` (estimates and plans),
``money`` (the one credits/dollars formatter), ``assets`` (the Asset Generator's price file),
``learned`` (a real charge remembered), ``updates`` (price files imported at run time) and
``_registry`` (the table estimates read, :func:`price_table`, composed from the general
table, the asset price file, catalogue prices and registered generators' entries).

Every name is loaded when first used (PEP 562): a light module (``money``, ``table``) is
imported without the estimator and the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import lazy_names

if TYPE_CHECKING:
    from app.pricing._registry import (
        activate_prices,
        asset_prices,
        general_table,
        price_table,
        register_prices,
        set_catalogue_prices,
        unregister_prices,
    )
    from app.pricing.engine import (
        PLANS,
        Estimate,
        Plan,
        PriceRequest,
        enterprise_plan,
        estimate,
        plan_by_key,
        total_credits,
    )
    from app.pricing.learned import LearnedCharge
    from app.pricing.table import Bound, PriceEntry, PriceTable, PricingError, load_price_table

_LAZY = {
    "activate_prices": "_registry",
    "asset_prices": "_registry",
    "general_table": "_registry",
    "price_table": "_registry",
    "register_prices": "_registry",
    "set_catalogue_prices": "_registry",
    "unregister_prices": "_registry",
    "PLANS": "engine",
    "Estimate": "engine",
    "Plan": "engine",
    "PriceRequest": "engine",
    "enterprise_plan": "engine",
    "estimate": "engine",
    "plan_by_key": "engine",
    "total_credits": "engine",
    "LearnedCharge": "learned",
    "Bound": "table",
    "PriceEntry": "table",
    "PriceTable": "table",
    "PricingError": "table",
    "load_price_table": "table",
}
"""Each name's module."""

__all__ = [
    "PLANS",
    "Bound",
    "Estimate",
    "LearnedCharge",
    "Plan",
    "PriceEntry",
    "PriceRequest",
    "PriceTable",
    "PricingError",
    "activate_prices",
    "asset_prices",
    "enterprise_plan",
    "estimate",
    "general_table",
    "load_price_table",
    "plan_by_key",
    "price_table",
    "register_prices",
    "set_catalogue_prices",
    "total_credits",
    "unregister_prices",
]


__getattr__ = lazy_names(globals(), 'app.pricing', _LAZY)
