"""The cost estimator: credits and dollars for a Creatify request, from a dated price table.

Pure and Qt-free; the only I/O is reading the bundled ``resources/prices.json`` once.
"""

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
    "total_credits",
]
