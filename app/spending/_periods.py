"""Days and months: credits per local day, the running total, the month against the plan's
allowance and the summary lines the spending window shows."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from app.generators.quote import format_credits
from app.pricing.engine import Plan
from app.spending._rows import _ZERO, ActualKind, SpendingRow


def local_day(moment: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day ``moment`` falls on in ``tz`` (the system's time zone when None)."""
    return moment.astimezone(tz).date()


def local_midnight(day: date, tz: tzinfo | None = None) -> datetime:
    """The start of ``day`` in ``tz`` (the system's time zone when None), time-zone aware."""
    if tz is None:
        return datetime.combine(day, time()).astimezone()
    return datetime.combine(day, time(), tzinfo=tz)


def month_bounds(day: date) -> tuple[date, date]:
    """The first and the last day of ``day``'s month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def daily_totals(rows: Iterable[SpendingRow], start: date, end: date,
                 tz: tzinfo | None = None) -> list[tuple[date, Decimal]]:
    """Actual credits per local calendar day from ``start`` to ``end`` (both included), days
    without spending as 0. Jobs still in flight count nothing yet."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    totals = {start + timedelta(days=n): _ZERO for n in range((end - start).days + 1)}
    for row in rows:
        if row.actual is None:
            continue
        day = local_day(row.created_at, tz)
        if day in totals:
            totals[day] += row.actual
    return list(totals.items())


def cumulative(totals: Sequence[tuple[date, Decimal]]) -> list[tuple[date, Decimal]]:
    """Running totals of :func:`daily_totals`."""
    running = _ZERO
    out = []
    for day, credits in totals:
        running += credits
        out.append((day, running))
    return out


@dataclass(frozen=True, slots=True)
class EstimateAccuracy:
    """Finished jobs with both an estimate and a reported charge, estimate against actual."""

    jobs: int = 0
    estimated: Decimal = _ZERO
    actual: Decimal = _ZERO

    @property
    def difference(self) -> Decimal:
        return self.actual - self.estimated

    @property
    def ratio(self) -> Decimal | None:
        """Actual / estimated (1 = spot on); None without anything to compare."""
        return self.actual / self.estimated if self.estimated else None


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """One calendar month of spending, against the plan's monthly allowance."""

    month: date                 # its first day
    days: int                   # days in the month
    elapsed_days: int           # days counted for the daily rate (today included)
    jobs: int                   # paid jobs asked for this month
    spent: Decimal              # actual credits (reported, or estimates standing in)
    estimated_part: Decimal     # the part of ``spent`` that is estimates standing in
    refunds: Decimal
    refunded_jobs: int
    in_flight: Decimal          # estimates of jobs not finished yet (committed)
    in_flight_jobs: int
    allowance: int | None       # the plan's monthly credits; None (Enterprise): no line
    accuracy: EstimateAccuracy = field(default_factory=EstimateAccuracy)

    @property
    def daily_rate(self) -> Decimal:
        return self.spent / self.elapsed_days if self.elapsed_days else _ZERO

    @property
    def projected(self) -> Decimal:
        """Spent by the month's end at the current daily rate (rounded to 0.1 credit)."""
        if self.elapsed_days >= self.days:
            return self.spent
        return (self.daily_rate * self.days).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def remaining(self) -> Decimal | None:
        """Allowance left this month (negative when over); None without an allowance."""
        return None if self.allowance is None else Decimal(self.allowance) - self.spent

    @property
    def over_allowance(self) -> bool:
        """On course to spend more than the allowance this month."""
        return self.allowance is not None and self.projected > self.allowance


def month_summary(rows: Iterable[SpendingRow], plan: Plan | None, today: date,
                  tz: tzinfo | None = None) -> MonthSummary:
    """The month ``today`` falls in, counted up to ``today`` (a past month's last day gives
    that whole month). ``plan`` None: no allowance."""
    first, last = month_bounds(today)
    spent = estimated_part = refunds = in_flight = _ZERO
    jobs = refunded = flying = 0
    accuracy = EstimateAccuracy()
    for row in rows:
        if not first <= local_day(row.created_at, tz) <= last:
            continue
        jobs += 1
        if row.actual is not None:
            spent += row.actual
            if row.actual_kind is ActualKind.ESTIMATED:
                estimated_part += row.actual
        if row.refund:
            refunds += row.refund
            refunded += 1
        if row.actual_kind is ActualKind.PENDING:
            flying += 1
            in_flight += row.estimate or _ZERO
        difference = row.difference
        if difference is not None:
            assert row.estimate is not None and row.actual is not None
            accuracy = EstimateAccuracy(accuracy.jobs + 1, accuracy.estimated + row.estimate,
                                        accuracy.actual + row.actual)
    return MonthSummary(
        month=first, days=last.day, elapsed_days=today.day, jobs=jobs, spent=spent,
        estimated_part=estimated_part, refunds=refunds, refunded_jobs=refunded,
        in_flight=in_flight, in_flight_jobs=flying,
        allowance=plan.monthly_credits if plan is not None else None, accuracy=accuracy)


def summary_lines(summary: MonthSummary) -> list[str]:
    """The summary in words, one line per fact, for the spending view."""
    month = summary.month.strftime("%B %Y")
    spent = format_credits(summary.spent)
    if summary.allowance is not None:
        left = summary.remaining
        assert left is not None
        head = (f"{month}: {spent} of {summary.allowance:,} spent"
                + (f" ({format_credits(left)} left)" if left >= 0
                   else f" — {format_credits(-left)} over the allowance"))
    else:
        head = f"{month}: {spent} spent (no monthly allowance on this plan)"
    lines = [head]
    if summary.estimated_part:
        lines.append(f"{format_credits(summary.estimated_part)} of it estimated "
                     f"(no charge reported)")
    if summary.elapsed_days < summary.days:
        projection = f"At {_short(summary.daily_rate)} a day: about " \
                     f"{format_credits(summary.projected)} by the month's end"
        if summary.over_allowance:
            projection += " — over the allowance"
        lines.append(projection)
    if summary.refunds:
        jobs = "job" if summary.refunded_jobs == 1 else "jobs"
        lines.append(f"Refunds: {format_credits(summary.refunds)} "
                     f"({summary.refunded_jobs} failed Aurora {jobs})")
    if summary.in_flight_jobs:
        jobs = "job" if summary.in_flight_jobs == 1 else "jobs"
        lines.append(f"In flight: {summary.in_flight_jobs} {jobs}, "
                     f"{format_credits(summary.in_flight)} estimated")
    accuracy = summary.accuracy
    if accuracy.jobs and accuracy.ratio is not None:
        jobs = "job" if accuracy.jobs == 1 else "jobs"
        share = (accuracy.ratio - 1) * 100
        if accuracy.difference == 0:
            verdict = "exactly as estimated"
        elif share > 0:
            verdict = f"{_short(share)}% more than estimated"
        else:
            verdict = f"{_short(-share)}% less than estimated"
        lines.append(f"Estimates: {accuracy.jobs} {jobs} cost {format_credits(accuracy.actual)} "
                     f"against {format_credits(accuracy.estimated)} estimated ({verdict})")
    return lines


def _short(value: Decimal) -> str:
    """At most one decimal, no trailing zeros."""
    rounded = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")

