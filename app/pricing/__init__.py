"""The cost estimator: credits and dollars for a Creatify request, from a dated price table.

Pure and Qt-free; the only I/O is reading the bundled ``resources/prices.json`` once. Modules:
``table`` (the dated table, its checks and the loader), ``engine`` (estimates and plans),
``money`` (the one credits/dollars formatter), ``assets`` (the Asset Generator's price file),
``learned`` (a real charge remembered), ``updates`` (price files imported at run time) and
``_registry`` (the table estimates read, :func:`price_table`, composed from the general
table, the asset price file, catalogue prices and registered generators' entries).
"""

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
