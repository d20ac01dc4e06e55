"""The learned-price key a job is recorded with: which price it paid, so that a later estimate
of the same model with the same price-driving parameters can show what it really cost.

The key is the one the spec's price requests carry (``PriceRequest.key``, made by the pricing
code from the model and its price-driving parameters); the first request that has one names
the job. A preview step's row is left without a key: its ``credits_used`` is the server job's
running total, shared with its render, so it says nothing about one price.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app.generators import Flow, GeneratorSpec, SpecError
from app.jobs.ledger import PREVIEW_FLOWS
from app.pricing import PricingError

log = logging.getLogger(__package__)


def price_key_of(spec: GeneratorSpec, values: Mapping[str, Any], flow: Flow) -> str | None:
    """The key of the first of the spec's price requests that has one, or ``None``.

    A form the spec cannot price gives ``None`` (logged): the key only teaches later
    estimates, it must never stop a send the user confirmed."""
    if flow.value in PREVIEW_FLOWS:
        return None
    try:
        requests = spec.price_requests(values, None, flow)
    except (SpecError, PricingError, ValueError, TypeError, KeyError) as exc:
        log.info("%s: no learned-price key (%s)", spec.key, exc)
        return None
    return next((r.key for r in requests if r.key), None)


__all__ = ["price_key_of"]
