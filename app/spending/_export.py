"""The ledger as CSV: every job with its cost, and the balance readings; spreadsheet-safe
cells, UTF-8 with a byte-order mark, CRLF, written atomically."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.atomic import write_text_atomically
from app.jobs.ledger import JobRecord, Ledger
from app.spending._rows import SpendingRow, rows_for

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

