"""Cost estimates: billed blocks × rate from the price table, and dollars at a plan's rate."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.pricing._registry import price_table
from app.pricing.money import credits_text
from app.pricing.table import PHASES, Bound, PriceEntry, PriceTable, PricingError, clip_value

MAX_SECONDS = Decimal(14400)  # four hours: anything longer is a typo, not a video
MAX_COUNT = 10000
MAX_PRICE_PER_CREDIT = Decimal(10)  # dollars; self-serve plans charge about $0.20
STALE_AFTER_DAYS = 90
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Plan:
    """A subscription plan and the dollar value of one of its credits."""

    key: str
    name: str
    monthly_credits: int | None
    monthly_price: Decimal | None
    price_per_credit: Decimal


PLANS: tuple[Plan, ...] = (
    Plan("api_starter", "API Starter", 500, Decimal(99), Decimal(99) / Decimal(500)),
    Plan("api_pro", "API Pro", 2000, Decimal(299), Decimal(299) / Decimal(2000)),
)


@dataclass(frozen=True, slots=True)
class PriceRequest:
    """What to price: a billing rule, its phase, and the billed length or count."""

    rule: str
    phase: str = "create"
    seconds: Decimal | int | float | None = None
    count: int = 1
    model: str | None = None
    variant: str | None = None
    key: str | None = None
    """The learned-price key (``app.pricing.assets.price_key``): what a real charge of the
    same model and price-driving inputs is remembered under. The table lookup ignores it."""
    detail: str = ""
    """How the count was reached, appended to the breakdown (a surcharge's parts)."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """The priced request. ``credits`` is None when the cost is known only after the run."""

    request: PriceRequest
    entry: PriceEntry
    credits: Decimal | None
    blocks: int | None
    breakdown: str
    plan: Plan | None
    dollars: Decimal | None
    known_after_run: bool
    as_of: datetime.date
    stale: bool
    bound: Bound = Bound.EXACT
    """``exact``; ``at_least``: ``credits`` is a minimum; ``unknown``: ``credits`` is None."""


def plan_by_key(key: str) -> Plan:
    """Return the self-serve plan with this key (``api_starter`` or ``api_pro``)."""
    for plan in PLANS:
        if plan.key == key:
            return plan
    raise PricingError(f"Unknown plan {key!r}. Known plans: "
                       f"{', '.join(p.key for p in PLANS)}.")


def enterprise_plan(price_per_credit: Decimal | str) -> Plan:
    """An Enterprise plan at the user's negotiated dollar price per credit."""
    if isinstance(price_per_credit, str):
        text = price_per_credit.strip().removeprefix("$").strip()
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise PricingError(f"The price per credit {price_per_credit!r} is not a "
                               "number.") from None
    elif isinstance(price_per_credit, Decimal):
        rate = price_per_credit
    else:
        raise PricingError("The price per credit must be a decimal number such as 0.12.")
    if not rate.is_finite() or rate <= 0 or rate > MAX_PRICE_PER_CREDIT:
        raise PricingError(f"The price per credit must be more than $0 and at most "
                           f"${MAX_PRICE_PER_CREDIT}, not {price_per_credit}.")
    return Plan("api_enterprise", "API Enterprise", None, None, rate)


def total_credits(estimates: Iterable[Estimate]) -> Decimal | None:
    """Sum of the estimates' credits; None if any of them is known only after the run."""
    total = Decimal(0)
    for item in estimates:
        if item.credits is None:
            return None
        total += item.credits
    return total


def estimate(request: PriceRequest, table: PriceTable | None = None, plan: Plan | None = None,
             *, today: datetime.date | None = None) -> Estimate:
    """Price one request from the price table.

    Billing rounds up to the entry's increment: ``blocks = count × ceil(seconds / increment)``
    for per-second entries and ``blocks = count`` otherwise; ``credits = blocks × rate``.

    Parameters
    ----------
    request : PriceRequest
        The billing rule, phase, billed seconds (time rules), count, model and variant.
    table : PriceTable, optional
        The price table; when None, the bundled ``resources/prices.json`` with any entries
        added by ``register_prices`` (``price_table()``).
    plan : Plan, optional
        The plan whose price per credit turns credits into dollars; no dollars when None.
    today : datetime.date, optional
        The date the staleness of the entry is judged against; ``date.today()`` when None.

    Returns
    -------
    Estimate
        Credits, billed blocks, a human breakdown such as
        ``"31 s → 2 × 30 s blocks × 5 = 10 credits"``, dollars (to the cent, half up), and
        whether the entry is more than 90 days old. Token-charged rules and entries whose
        price is unknown have no credits, ``known_after_run`` set and ``bound`` unknown; a
        "from N" entry gives ``bound`` at_least and a breakdown that says "at least".

    Raises
    ------
    PricingError
        For an unknown rule, phase, model or variant, for missing, non-positive, non-finite
        or absurd seconds (over 4 hours), and for a count outside 1..10000.
    """
    if not isinstance(request.rule, str):
        raise PricingError("The billing rule must be a name such as 'url_to_video'.")
    if request.phase not in PHASES:
        raise PricingError(f"Unknown phase {request.phase!r}. Known phases: "
                           f"{', '.join(PHASES)}.")
    for field, value in (("model", request.model), ("variant", request.variant)):
        if value is not None and not isinstance(value, str):
            raise PricingError(f"The {field} must be a name, not {clip_value(value)!r}.")
    count = _count(request.count)
    seconds = None if request.seconds is None else _seconds(request.seconds)
    table = price_table() if table is None else table
    entry = table.find(request.rule, request.phase, request.model, request.variant)

    credits, blocks, body = _priced(request, entry, count, seconds)
    if request.detail:
        body = f"{body} ({request.detail})"
    prefix = "" if request.phase == "create" else f"{request.phase.capitalize()}: "

    dollars = None
    if plan is not None and credits is not None:
        dollars = (credits * plan.price_per_credit).quantize(CENT, rounding=ROUND_HALF_UP)
    today = datetime.date.today() if today is None else today
    return Estimate(request=request, entry=entry, credits=credits, blocks=blocks,
                    breakdown=prefix + body, plan=plan, dollars=dollars,
                    known_after_run=credits is None, as_of=entry.as_of,
                    stale=(today - entry.as_of).days > STALE_AFTER_DAYS,
                    bound=Bound.UNKNOWN if credits is None else entry.bound)


def _priced(request: PriceRequest, entry: PriceEntry, count: int,
            seconds: Decimal | None) -> tuple[Decimal | None, int | None, str]:
    """Credits, billed blocks and the breakdown's body for one entry."""
    name = " ".join(filter(None, (entry.model, entry.variant)))
    least = "at least " if entry.bound is Bound.AT_LEAST else ""
    if entry.rate is None and entry.bound is Bound.UNKNOWN:
        credits, blocks = None, None
        body = f"{name}: price unknown — known after the run"
    elif entry.rate is None:
        credits, blocks = None, None
        body = "Charged by tokens — the real figure is known after the run"
    elif entry.unit == "second":
        if seconds is None:
            raise PricingError(f"{request.rule} is billed by length: give the seconds.")
        whole, part = divmod(seconds, entry.increment)
        blocks = count * (int(whole) + (1 if part else 0))
        credits = blocks * entry.rate
        size = "1 s" if entry.increment == 1 else \
            f"{_num(entry.increment)} s {_plural(blocks, 'block')}"
        length = f"{_num(seconds)} s" if count == 1 else f"{count} × {_num(seconds)} s"
        body = (f"{length} → {blocks} × {size} × {least}{_num(entry.rate)} = "
                f"{least}{credits_text(credits)}")
    elif entry.unit == "credit":
        blocks = count
        credits = blocks * entry.rate
        body = f"{name}: {least}{credits_text(credits)}"
    else:
        blocks = count
        credits = blocks * entry.rate
        noun = "output" if entry.unit == "asset" else entry.unit
        body = (f"{count} {_plural(count, noun)} × {least}{_num(entry.rate)} = "
                f"{least}{credits_text(credits)}")
        if entry.unit == "asset":
            body = f"{name}: {body}"
    return credits, blocks, body


def _seconds(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PricingError(f"The length must be a number of seconds, not {value!r}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise PricingError(f"The length must be a finite number of seconds, not {value}.")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise PricingError(f"The length must be a finite number of seconds, not {value}.")
    if number <= 0:
        raise PricingError(f"The length must be more than 0 seconds, not {_num(number)}.")
    if number > MAX_SECONDS:
        raise PricingError(f"{_num(number)} s is longer than the 4-hour ({MAX_SECONDS} s) "
                           "limit of the estimator.")
    return number


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PricingError(f"The count must be a whole number, not {value!r}.")
    if not 1 <= value <= MAX_COUNT:
        raise PricingError(f"The count must be from 1 to {MAX_COUNT}, not {clip_value(value)}.")
    return value


def _num(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 10, 6.5, 0.4, 30.01."""
    return format(value.normalize(), "f")


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"


