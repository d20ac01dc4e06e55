"""A price learned from a real run: what Creatify charged (``credits_used``) for a model and
its price-driving inputs (``app.pricing.assets.price_key``), and when."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LearnedCharge:
    """The latest real charge of a task with the same price key."""

    credits: Decimal
    charged_on: datetime.date
    job_id: str


__all__ = ["LearnedCharge"]
