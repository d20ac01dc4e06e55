"""Spending rows: how one paid job's cost is read (reported, estimated, refunded, free,
pending), and a render's share of the server job's running total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from app.generators import BY_KEY, refunds_on_failure
from app.jobs.ledger import JobRecord, JobState, Ledger

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

