"""The cost estimator: credits and dollars for a Creatify request, from a dated price table.

Pure and Qt-free; the only I/O is reading the bundled ``resources/prices.json`` once. Modules:
``table`` (the dated table, its checks and the loader), ``engine`` (estimates and plans),
``money`` (the one credits/dollars formatter) and ``_registry`` (entries added at run time
for a registered generator: :func:`register_prices`, read through :func:`price_table`).
"""

from app.pricing._registry import price_table, register_prices, unregister_prices
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
from app.pricing.table import PriceEntry, PriceTable, PricingError, load_price_table

__all__ = [
    "PLANS",
    "Estimate",
    "Plan",
    "PriceEntry",
    "PriceRequest",
    "PriceTable",
    "PricingError",
    "enterprise_plan",
    "estimate",
    "load_price_table",
    "plan_by_key",
    "price_table",
    "register_prices",
    "total_credits",
    "unregister_prices",
]
