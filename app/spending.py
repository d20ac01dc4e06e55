"""Spending: what every paid job was estimated at and what it cost, refunds, credits per day,
the month against the plan's allowance, and the ledger as CSV.

How a job's cost is read (:func:`spending_row`):

* ``credits_used`` reported by Creatify wins — for a finished job it *is* the charge.
* A finished job (``done``, ``image_done``, ``preview_ready``) that reported nothing (Product
  Video has no ``credits_used`` field) costs its estimate, marked :attr:`ActualKind.ESTIMATED`.
* ``not_created`` costs nothing. A failed or rejected job costs nothing, unless Creatify
  reported a charge for it (then that figure stands, as it is what the server says).
* Aurora-priced jobs — those whose spec says so (``GeneratorSpec.refunded_on_failure``: the
  Aurora and Aurora Fast generators) or whose request asks for a model the spec refunds
  (``refund_models``: an Aurora ``model_version`` such as ``aurora_v1``, ``aurora_v2`` …) —
  are charged up front and refunded in full when they fail or are rejected: their actual cost
  is 0 and the refund is the amount charged (``credits_used`` when the server reported one
  before the refund, else the estimate).
* A job still in flight has no actual cost yet (:attr:`ActualKind.PENDING`); its estimate is
  what it has committed.
* ``credits_used`` belongs to the *server* job. A render (and any later local job on the same
  server job) reports the server job's running total, so its own charge is its
  ``credits_used`` less the largest figure an earlier local job on that server job reported
  (or, when the earlier ones reported nothing, less their estimates).
  A render carries no ``model_version`` of its own: it is Aurora-priced when the job it
  renders was.

Days and months are local calendar days of a job's ``created_at`` (the day it was asked for,
as :meth:`Ledger.spent` counts), in the time zone given (the system's when ``None``).

The CSV export (:func:`export_csv`) is UTF-8 **with a byte-order mark** — so spreadsheet
programs that would otherwise guess a legacy code page (Excel) read non-ASCII titles right;
Python reads it with ``encoding="utf-8-sig"`` — with CRLF line ends (RFC 4180), times in
ISO 8601 UTC and credits as plain decimals. A text cell that a spreadsheet could take for a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a
plain number) is written with a leading ``'``. The file is written atomically
(:mod:`app.atomic`): an error leaves the old file, or none, never half of one.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path

from app.atomic import write_text_atomically
from app.generators import BY_KEY, SPECS, refunds_on_failure
from app.generators.quote import format_credits
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.pricing.engine import Plan

AURORA_GENERATORS = frozenset(s.key for s in SPECS if s.refunded_on_failure)
"""Generators billed as Aurora (charged up front, refunded in full on failure), from their
specs."""

# Finished with something made: a ready preview was charged too (its render is another row).
_SUCCESS = frozenset({JobState.DONE, JobState.IMAGE_DONE, JobState.PREVIEW_READY})
_UNSUCCESSFUL = frozenset({JobState.FAILED, JobState.REJECTED})
_ZERO = Decimal(0)


class ActualKind(StrEnum):
    """Where a row's actual cost comes from."""

    REPORTED = "reported"    # credits_used reported by Creatify
    ESTIMATED = "estimated"  # finished, nothing reported: the estimate stands in
    REFUNDED = "refunded"    # Aurora-priced, failed or rejected: charged up front, refunded
    FREE = "free"            # not created, or failed/rejected: nothing charged
    PENDING = "pending"      # still in flight: not known yet
    UNKNOWN = "unknown"      # finished with neither a report nor an estimate


def is_aurora_priced(record: JobRecord) -> bool:
    """An Aurora generator, or a request asking for an Aurora model (as the spec says)."""
    return refunds_on_failure(record.generator, record.request)


@dataclass(frozen=True, slots=True)
class SpendingRow:
    """One paid job as the spending view shows it."""

    key: str
    created_at: datetime          # UTC aware
    finished_at: datetime | None
    generator: str                # spec key
    generator_title: str          # the spec's title (the key for an unknown generator)
    title: str
    flow: str
    state: JobState
    server_id: str | None
    estimate: Decimal | None
    credits_used: Decimal | None  # as reported (for a render: the server job's total)
    actual: Decimal | None        # this job's own cost; None while unknown
    actual_kind: ActualKind
    refund: Decimal               # credits returned (failed/rejected Aurora-priced jobs)
    aurora_priced: bool
    hidden: bool

    @property
    def difference(self) -> Decimal | None:
        """Actual − estimate for a finished job whose charge Creatify reported (positive: it
        cost more than estimated); None where there is nothing to compare."""
        if (self.actual_kind is ActualKind.REPORTED and self.state in _SUCCESS
                and self.actual is not None and self.estimate is not None):
            return self.actual - self.estimate
        return None

    @property
    def charged(self) -> Decimal:
        """What left the balance at some point: the actual cost plus what was refunded."""
        return (self.actual or _ZERO) + self.refund


def spending_row(record: JobRecord, *, earlier_charge: Decimal | None = None,
                 aurora_priced: bool | None = None) -> SpendingRow:
    """The spending view of one job.

    ``earlier_charge``: the largest ``credits_used`` an earlier local job on the same server
    job reported (subtracted from this one's, which is the server job's running total).
    ``aurora_priced``: overrides :func:`is_aurora_priced` (a render inherits its preview's).
    """
    aurora = is_aurora_priced(record) if aurora_priced is None else aurora_priced
    reported = record.credits_used
    own = None if reported is None else max(reported - (earlier_charge or _ZERO), _ZERO)
    actual: Decimal | None
    refund = _ZERO
    state = record.state
    if state in _UNSUCCESSFUL and aurora:
        kind, actual = ActualKind.REFUNDED, _ZERO
        refund = own if own else (record.estimate or _ZERO)
    elif state.is_active:
        kind, actual = ActualKind.PENDING, None
    elif own is not None:
        kind, actual = ActualKind.REPORTED, own
    elif state in _SUCCESS:
        if record.estimate is not None:
            kind, actual = ActualKind.ESTIMATED, record.estimate
        else:
            kind, actual = ActualKind.UNKNOWN, None
    else:  # not created, failed or rejected with no reported charge
        kind, actual = ActualKind.FREE, _ZERO
    spec = BY_KEY.get(record.generator)
    return SpendingRow(
        key=record.key, created_at=record.created_at, finished_at=record.finished_at,
        generator=record.generator, generator_title=spec.title if spec else record.generator,
        title=record.title, flow=record.flow, state=state, server_id=record.server_id,
        estimate=record.estimate, credits_used=reported, actual=actual, actual_kind=kind,
        refund=refund, aurora_priced=aurora, hidden=record.hidden)


def rows_for(records: Iterable[JobRecord]) -> list[SpendingRow]:
    """Spending rows for ``records`` (oldest first), with renders charged only their share
    of the server job's total and Aurora pricing inherited from the job they render."""
    ordered = sorted(records, key=lambda r: r.created_at)
    seen: dict[tuple[str, str], tuple[Decimal | None, bool]] = {}
    rows = []
    for record in ordered:
        server = (record.resource, record.server_id) if record.server_id else None
        earlier, inherited = seen.get(server, (None, False)) if server else (None, False)
        aurora = is_aurora_priced(record) or inherited
        row = spending_row(record, earlier_charge=earlier, aurora_priced=aurora)
        rows.append(row)
        if server is not None:
            charge = earlier
            if record.credits_used is not None:
                charge = record.credits_used if charge is None else max(charge,
                                                                        record.credits_used)
            elif row.actual_kind is ActualKind.ESTIMATED and row.actual is not None:
                # A preview that reported nothing stands in with its estimate: the render's
                # total includes it, so it is not counted twice.
                charge = (charge or _ZERO) + row.actual
            seen[server] = (charge, aurora)
    return rows


RENDER_LOOKBACK = timedelta(days=7)
"""How far before ``since`` :func:`spending_rows` looks for the job a render belongs to."""


def spending_rows(ledger: Ledger, since: datetime | None = None) -> list[SpendingRow]:
    """Every paid job in the ledger (hidden ones included), oldest first; only those created
    at or after ``since`` when given (a render's preview is looked for up to
    :data:`RENDER_LOOKBACK` earlier, so one period's query stays small)."""
    if since is None:
        return rows_for(ledger.paid_jobs())
    rows = rows_for(ledger.paid_jobs(since - RENDER_LOOKBACK))
    return [row for row in rows if row.created_at >= since]


# ---------------------------------------------------------------------------- days and months

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


# ---------------------------------------------------------------------------- CSV export

CSV_COLUMNS: tuple[str, ...] = (
    "key", "created_at_utc", "submitted_at_utc", "finished_at_utc", "generator",
    "generator_title", "flow", "title", "state", "server_status", "server_id", "estimate",
    "credits_used", "actual", "actual_basis", "refund", "difference", "balance_before",
    "duration_s", "failed_reason", "download_state", "download_path", "result_url", "hidden",
    "watching",
)
"""The columns of :func:`export_csv`, in order."""

BALANCE_COLUMNS: tuple[str, ...] = ("read_at_utc", "credits")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will not run it: a leading ``'`` when it starts like a
    formula (``= + - @``, tab, carriage return) and is not a plain number."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def _num(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return repr(value)


def csv_record(record: JobRecord, row: SpendingRow) -> list[str]:
    """One job's CSV cells (``CSV_COLUMNS`` order), before injection escaping."""
    difference = row.difference
    return [
        record.key, _time(record.created_at), _time(record.submitted_at),
        _time(record.finished_at), record.generator, row.generator_title, record.flow,
        record.title, record.state.value, record.raw_status, record.server_id or "",
        _num(record.estimate), _num(record.credits_used), _num(row.actual),
        row.actual_kind.value, _num(row.refund), _num(difference),
        _num(record.balance_before), _num(record.duration), record.failed_reason or "",
        record.download_state.value, record.download_path or "",
        record.result_urls[0] if record.result_urls else "",
        "yes" if record.hidden else "no", "yes" if record.watching else "no",
    ]


def all_jobs(ledger: Ledger, chunk: int = 1000) -> list[JobRecord]:
    """Every job in the ledger, hidden ones included, oldest first."""
    records: list[JobRecord] = []
    while True:
        page = ledger.page(offset=len(records), limit=chunk, include_hidden=True)
        records.extend(page)
        if len(page) < chunk:
            break
    records.reverse()
    return records


def _csv_text(header: Sequence[str], lines: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in line] for line in lines)
    return BOM + buffer.getvalue()


def export_csv(ledger: Ledger, path: str | Path) -> int:
    """Write every job of the ledger (oldest first, hidden ones included) to ``path`` as CSV
    (see the module notes for the format); returns the number of jobs written. Raises
    ``OSError`` (nothing written) or :class:`~app.jobs.ledger.LedgerError`."""
    records = all_jobs(ledger)
    rows = rows_for(records)
    by_key = {record.key: record for record in records}
    text = _csv_text(CSV_COLUMNS, (csv_record(by_key[row.key], row) for row in rows))
    write_text_atomically(Path(path), text)
    return len(rows)


def export_balance_csv(ledger: Ledger, path: str | Path) -> int:
    """Write every balance reading (oldest first) to ``path`` as CSV, in the same format as
    :func:`export_csv`; returns the number of readings."""
    readings = ledger.balance_readings()
    text = _csv_text(BALANCE_COLUMNS, ([_time(at), _num(credits)] for at, credits in readings))
    write_text_atomically(Path(path), text)
    return len(readings)


__all__ = [
    "AURORA_GENERATORS",
    "BALANCE_COLUMNS",
    "CSV_COLUMNS",
    "RENDER_LOOKBACK",
    "ActualKind",
    "EstimateAccuracy",
    "MonthSummary",
    "SpendingRow",
    "all_jobs",
    "cumulative",
    "daily_totals",
    "export_balance_csv",
    "export_csv",
    "is_aurora_priced",
    "local_day",
    "local_midnight",
    "month_bounds",
    "month_summary",
    "rows_for",
    "safe_cell",
    "spending_row",
    "spending_rows",
    "summary_lines",
]
