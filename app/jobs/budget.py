"""The budget guard: every paid call is checked against the balance and the user's limits.

Before a paid request leaves, the job manager reads the free remaining-credits figure and
calls :func:`check_budget` with it, the job's estimate, the credits already committed to jobs
in flight and what was spent today and this month. Any limit that would be crossed refuses
the job with a message that names the limit and says by how much.

The limits (all in credits, each optional):

* ``per_job`` — the most one job may be estimated to cost;
* ``daily`` / ``monthly`` — spent (charged, or estimated for finished jobs) since the start of
  the local day / month, plus what is committed in flight, plus this job;
* ``low_balance`` — the balance this job may not take the account below (after what is
  committed in flight).

The balance itself is always a limit: this job plus what is committed in flight must fit in it.

A price that is not exact counts as more, never as less: an unknown price (an Asset
Generator model the docs give no price for) counts as the per-job ceiling, and with no
ceiling set the job is refused with a sentence saying to set one; an "at least N" price
counts as the larger of N and the per-job ceiling (N when none is set). A job priced by
tokens after the run (estimate ``None`` with an exact bound: the Text Generator) only needs
some credits left, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from app.pricing.money import credit_figure
from app.pricing.table import Bound

MAX_LIMIT = Decimal(10) ** 9


class Limit(StrEnum):
    BALANCE = "balance"
    PER_JOB = "per_job"
    DAILY = "daily"
    MONTHLY = "monthly"
    LOW_BALANCE = "low_balance"


LIMIT_TITLES = {
    Limit.BALANCE: "remaining credits",
    Limit.PER_JOB: "per-job ceiling",
    Limit.DAILY: "daily cap",
    Limit.MONTHLY: "monthly cap",
    Limit.LOW_BALANCE: "low-balance threshold",
}


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """The user's limits in credits; ``None`` is "no limit"."""

    per_job: Decimal | None = None
    daily: Decimal | None = None
    monthly: Decimal | None = None
    low_balance: Decimal | None = None

    @classmethod
    def from_text(cls, per_job: str = "", daily: str = "", monthly: str = "",
                  low_balance: str = "") -> BudgetLimits:
        """From settings text: empty means no limit; anything else must be a number ≥ 0."""
        return cls(parse_limit(per_job, "per-job ceiling"), parse_limit(daily, "daily cap"),
                   parse_limit(monthly, "monthly cap"),
                   parse_limit(low_balance, "low-balance threshold"))

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.per_job, self.daily, self.monthly,
                                            self.low_balance))


def parse_limit(text: str, what: str) -> Decimal | None:
    """``""`` → no limit; a non-negative finite number of credits; else ``ValueError``."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"The {what} must be a number of credits (or empty for none), "
                         f"not {text[:40]!r}.") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"The {what} must be zero or more credits.")
    if value > MAX_LIMIT:
        raise ValueError(f"The {what} must be at most {MAX_LIMIT:,} credits.")
    return value


@dataclass(frozen=True, slots=True)
class BudgetFigures:
    """What a check looked at."""

    estimate: Decimal | None  # None: priced after the run (Text Generator), or unknown
    balance: Decimal
    committed: Decimal  # estimates of jobs in flight not yet charged
    spent_today: Decimal
    spent_month: Decimal
    bound: Bound = Bound.EXACT  # the estimate is exact, a minimum, or unknown (None)

    @property
    def available(self) -> Decimal:
        """The balance not already promised to jobs in flight."""
        return self.balance - self.committed


@dataclass(frozen=True, slots=True)
class Refusal:
    limit: Limit
    over_by: Decimal
    message: str


credits = credit_figure
"""``12`` / ``12.5`` / ``1,200``: a credit figure as the app writes it everywhere."""


def counted_cost(limits: BudgetLimits, figures: BudgetFigures) -> tuple[Decimal | None, str]:
    """What the guard counts for this job, and why when that is not the estimate itself:
    ``(None, "")`` for a price given by tokens after the run, ``(None, reason)`` for an
    unknown price with no per-job ceiling to count instead."""
    c = credits
    if figures.bound is Bound.UNKNOWN or (figures.bound is Bound.AT_LEAST
                                          and figures.estimate is None):
        if limits.per_job is None:
            return None, ("This job's price is unknown until it has run, and no per-job "
                          "ceiling is set to count in its place: set a per-job ceiling in "
                          "Settings → Budget to send it.")
        return limits.per_job, (f" (its price is unknown until the run, so your per-job "
                                f"ceiling of {c(limits.per_job)} is counted)")
    if figures.bound is Bound.AT_LEAST and figures.estimate is not None:
        if limits.per_job is not None and limits.per_job > figures.estimate:
            return limits.per_job, (f" (its price is at least {c(figures.estimate)}, so your "
                                    f"per-job ceiling of {c(limits.per_job)} is counted)")
        return figures.estimate, f" (its price is at least {c(figures.estimate)})"
    return figures.estimate, ""


def check_budget(limits: BudgetLimits, figures: BudgetFigures) -> list[Refusal]:
    """Every limit this job would cross (empty: go ahead)."""
    refusals: list[Refusal] = []
    counted, why = counted_cost(limits, figures)
    if counted is None and why:
        return [Refusal(Limit.PER_JOB, Decimal(0), why)]
    cost = counted if counted is not None else Decimal(0)
    c = credits
    committed_note = (f" ({c(figures.committed)} committed to jobs in flight)"
                      if figures.committed else "")
    if counted is None:
        if figures.available <= 0:
            refusals.append(Refusal(
                Limit.BALANCE, -figures.available,
                f"No credits left to spend: {c(figures.balance)} remaining{committed_note}."))
    elif cost > figures.available:
        short = cost - figures.available
        refusals.append(Refusal(
            Limit.BALANCE, short,
            f"Not enough credits: this job needs {c(cost)}{why}, {c(figures.available)} are "
            f"available of {c(figures.balance)} remaining{committed_note} — short by "
            f"{c(short)}."))
    if limits.per_job is not None and cost > limits.per_job:
        least = "at least " if figures.bound is Bound.AT_LEAST else ""
        refusals.append(Refusal(
            Limit.PER_JOB, cost - limits.per_job,
            f"This job's estimate of {least}{c(cost)} credits is over your per-job ceiling of "
            f"{c(limits.per_job)} by {c(cost - limits.per_job)}."))
    for limit, cap, spent, period in ((Limit.DAILY, limits.daily, figures.spent_today, "today"),
                                      (Limit.MONTHLY, limits.monthly, figures.spent_month,
                                       "this month")):
        if cap is None:
            continue
        total = spent + figures.committed + cost
        if total > cap:
            in_flight = f" + {c(figures.committed)} in flight" if figures.committed else ""
            refusals.append(Refusal(
                limit, total - cap,
                f"Over your {LIMIT_TITLES[limit]} of {c(cap)} credits by {c(total - cap)}: "
                f"{c(spent)} spent {period}{in_flight} + {c(cost)} for this job{why} = "
                f"{c(total)}."))
    if limits.low_balance is not None:
        after = figures.available - cost
        if after < limits.low_balance:
            refusals.append(Refusal(
                Limit.LOW_BALANCE, limits.low_balance - after,
                f"This job would leave {c(after)} credits{committed_note}{why}, below your "
                f"low-balance threshold of {c(limits.low_balance)} by "
                f"{c(limits.low_balance - after)}."))
    return refusals


class BudgetError(Exception):
    """A paid call refused by the budget guard before anything was sent."""

    def __init__(self, refusals: list[Refusal], figures: BudgetFigures | None = None,
                 message: str | None = None) -> None:
        self.refusals = refusals
        self.figures = figures
        self.message = message or " ".join(r.message for r in refusals) + \
            " Nothing was sent."
        super().__init__(self.message)


def day_start(now: datetime) -> datetime:
    """Local midnight of ``now``'s day (``now`` aware, in the local zone)."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime) -> datetime:
    return day_start(now).replace(day=1)


__all__ = ["LIMIT_TITLES", "BudgetError", "BudgetFigures", "BudgetLimits", "Limit", "Refusal",
           "check_budget", "counted_cost", "credits", "day_start", "month_start",
           "parse_limit"]
