"""The dry run of a batch: what its sendable rows would cost and how long they would take."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.batch._rows import BatchRow
from app.generators import BY_KEY, GeneratorSpec
from app.generators.quote import Quote, quote
from app.generators.spec import DurationKind
from app.pricing import Plan


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The dry run: what the sendable rows would cost and take."""

    rows: int
    sendable: int
    refused: int
    duplicates: int
    credits: Decimal | None
    dollars: Decimal | None
    per_row: tuple[Quote | None, ...]  # None for rows that will not be sent
    expected_seconds: float  # wall time with the concurrency limit
    errors: tuple[str, ...]  # rows that cannot be priced (with their row)


def row_values(target: str, shared: Mapping[str, Any], row: BatchRow) -> dict[str, Any]:
    """The form values of one row: the shared settings, the row's overrides, its URL."""
    return BY_KEY[target].with_page({**shared, **row.overrides}, row.url, row.link_id)


def row_seconds(gen: GeneratorSpec, values: Mapping[str, Any],
                media_seconds: float | None) -> float | None:
    """A row's billed length: the media length the user gave where the generator bills by
    one, else what the spec derives from the values."""
    if gen.duration.kind is DurationKind.MEDIA:
        return media_seconds
    return gen.derive_seconds(values)


def plan_batch(target: str, shared: Mapping[str, Any], rows: Sequence[BatchRow], *,
               concurrency: int = 3, plan: Plan | None = None,
               media_seconds: float | None = None) -> BatchPlan:
    """Price every sendable row (a Link for each, then its job) and the wall time."""
    gen = BY_KEY[target]
    quotes: list[Quote | None] = []
    errors: list[str] = []
    total = Decimal(0)
    cache: dict[tuple[Any, ...], Quote] = {}
    for row in rows:
        if not row.sendable:
            quotes.append(None)
            continue
        values = row_values(target, shared, row)
        key = tuple(sorted((k, repr(v)) for k, v in row.overrides.items()))
        q = cache.get(key)
        if q is None:
            q = quote(gen, values, row_seconds(gen, values, media_seconds), plan=plan)
            cache[key] = q
        quotes.append(q)
        if q.credits is None:
            errors.append(f"{row.where}: {q.error or 'cannot be priced'}")
        else:
            total += q.credits
    sendable = sum(1 for r in rows if r.sendable)
    rounds = math.ceil(sendable / max(1, concurrency)) if sendable else 0
    return BatchPlan(
        rows=len(rows), sendable=sendable,
        refused=sum(1 for r in rows if r.problem is not None),
        duplicates=sum(1 for r in rows if r.problem is None and r.duplicate_of is not None),
        credits=None if errors else total,
        dollars=(total * plan.price_per_credit).quantize(Decimal("0.01"))
        if plan and not errors else None,
        per_row=tuple(quotes), expected_seconds=rounds * gen.expected_seconds,
        errors=tuple(errors))


def format_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60:02d} min"

