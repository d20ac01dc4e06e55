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

from app.spending._export import (
    BALANCE_COLUMNS,
    CSV_COLUMNS,
    all_jobs,
    csv_record,
    export_balance_csv,
    export_csv,
    safe_cell,
)
from app.spending._periods import (
    EstimateAccuracy,
    MonthSummary,
    cumulative,
    daily_totals,
    local_day,
    local_midnight,
    month_bounds,
    month_summary,
    summary_lines,
)
from app.spending._rows import (
    RENDER_LOOKBACK,
    ActualKind,
    SpendingRow,
    is_aurora_priced,
    rows_for,
    spending_row,
    spending_rows,
)

__all__ = [
    "BALANCE_COLUMNS",
    "CSV_COLUMNS",
    "RENDER_LOOKBACK",
    "ActualKind",
    "EstimateAccuracy",
    "MonthSummary",
    "SpendingRow",
    "all_jobs",
    "csv_record",
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

