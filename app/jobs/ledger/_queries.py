"""The ledger's reads: single jobs, the lists the scheduler, the downloader and the Jobs panel
walk, and the sums the budget guard and the spending view are made of."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.jobs.ledger._records import (
    SELECT,
    JobEvent,
    JobRecord,
    parse_dec,
    parse_ts,
    record_from_row,
    ts,
)
from app.jobs.ledger._states import (
    ACTIVE_STATES,
    CHARGED_STATES,
    PENDING_DOWNLOADS,
    SUCCESS_STATES,
    JobState,
)

_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE_STATES))
_SUCCESS_SQL = ", ".join(f"'{s.value}'" for s in SUCCESS_STATES)
_CHARGED_SQL = ", ".join(f"'{s.value}'" for s in CHARGED_STATES)
_PENDING_DOWNLOADS_SQL = ", ".join(f"'{s.value}'" for s in PENDING_DOWNLOADS)


class LedgerQueries:
    """The reading half of :class:`~app.jobs.ledger.Ledger`, which supplies the connection."""

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def get(self, key: str) -> JobRecord:
        """The job with local key ``key``; ``KeyError`` if there is none."""
        rows = self._read(f"{SELECT} WHERE key = ?", (key,))
        if not rows:
            raise KeyError(key)
        return record_from_row(rows[0])

    def records(self, keys: Iterable[str]) -> dict[str, JobRecord]:
        """The jobs of ``keys`` that exist, by key (a few queries however many keys)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, JobRecord] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self._read(f"{SELECT} WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
            for row in rows:
                record = record_from_row(row)
                found[record.key] = record
        return found

    def find(self, resource: str, server_id: str) -> JobRecord | None:
        """The (newest) local job for a server job, or None."""
        rows = self._read(f"{SELECT} WHERE resource = ? AND server_id = ? "
                          f"ORDER BY created_at DESC, rowid DESC LIMIT 1", (resource, server_id))
        return record_from_row(rows[0]) if rows else None

    def on_server_job(self, resource: str, server_id: str) -> list[JobRecord]:
        """Every local job on one server job (a preview and its renders), oldest first."""
        rows = self._read(f"{SELECT} WHERE resource = ? AND server_id = ? "
                          f"ORDER BY created_at, rowid", (resource, server_id))
        return [record_from_row(row) for row in rows]

    def renders_of(self, preview: JobRecord) -> list[JobRecord]:
        """The renders sent for a preview's server job, oldest first (refused, failed and
        rejected ones left out: those may be sent again)."""
        if preview.server_id is None:
            return []
        over = (JobState.NOT_CREATED, JobState.FAILED, JobState.REJECTED)
        return [r for r in self.on_server_job(preview.resource, preview.server_id)
                if r.key != preview.key and r.flow == "render" and r.state not in over]

    def active(self) -> list[JobRecord]:
        """Jobs that need polling or reconciling and are watched, oldest first."""
        # (``+created_at``: SQLite takes the state index, not a walk of every job by date)
        rows = self._read(f"{SELECT} WHERE state IN ({_ACTIVE_SQL}) AND watching = 1 "
                          f"ORDER BY +created_at, rowid")
        return [record_from_row(row) for row in rows]

    def needing_download(self) -> list[JobRecord]:
        """Finished jobs with results whose download is not done nor failed, oldest first
        (through the download-state index of v5)."""
        rows = self._read(f"{SELECT} WHERE state IN ({_SUCCESS_SQL}) "
                          f"AND download_state IN ({_PENDING_DOWNLOADS_SQL}) "
                          f"AND result_urls != '[]' ORDER BY +created_at, rowid")
        return [record_from_row(row) for row in rows]

    def page(self, *, offset: int = 0, limit: int = 500,
             include_hidden: bool = False) -> list[JobRecord]:
        """Up to ``limit`` jobs, newest first, skipping ``offset``."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        where = "" if include_hidden else " WHERE hidden = 0"
        rows = self._read(f"{SELECT}{where} ORDER BY created_at DESC, rowid DESC "
                          f"LIMIT ? OFFSET ?", (limit, offset))
        return [record_from_row(row) for row in rows]

    def count(self, *, include_hidden: bool = False) -> int:
        where = "" if include_hidden else " WHERE hidden = 0"
        return int(self._read(f"SELECT count(*) FROM jobs{where}")[0][0])

    def events(self, key: str) -> list[JobEvent]:
        """The job's history, oldest first; ``KeyError`` for an unknown job."""
        rows = self._read("SELECT key, at, kind, detail FROM events WHERE key = ? ORDER BY id",
                          (key,))
        if not rows:
            self.get(key)  # KeyError when there is no such job
        return [JobEvent(k, datetime.fromisoformat(at), kind, detail)
                for k, at, kind, detail in rows]

    def spent(self, since: datetime | None = None) -> Decimal:
        """Credits spent by jobs created at or after ``since`` (all jobs when None):
        ``credits_used`` where known, else the estimate of a finished (done, image done,
        preview ready) job. ``credits_used`` is the server job's running total, so local jobs
        on one server job (a preview and its render) count it once: the largest figure any of
        them reported, or, when none reported, the estimates of its finished ones."""
        sql = (f"SELECT resource, server_id, credits_used, estimate, state IN ({_CHARGED_SQL}) "
               f"FROM jobs WHERE (credits_used IS NOT NULL OR (state IN ({_CHARGED_SQL}) AND "
               f"estimate IS NOT NULL))")
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " AND created_at >= ?"
            params = (ts(since),)
        reported: dict[tuple[str, str], Decimal] = {}
        estimated: dict[tuple[str, str], Decimal] = {}
        total = Decimal(0)
        for resource, server_id, credits_used, estimate, charged in self._read(sql, params):
            used = parse_dec(credits_used)
            guess = parse_dec(estimate) if charged else None
            if server_id:
                key = (resource, server_id)
                if used is not None:
                    reported[key] = max(reported.get(key, used), used)
                elif guess is not None:
                    estimated[key] = estimated.get(key, Decimal(0)) + guess
            else:
                total += used if used is not None else guess or Decimal(0)
        total += sum(reported.values(), Decimal(0))
        return total + sum((v for k, v in estimated.items() if k not in reported), Decimal(0))

    def committed(self) -> Decimal:
        """Credits promised to jobs in flight (submitting, unknown, pending … stalled): each
        one's estimate (or what the budget guard held for it, when more: a minimum or an
        unknown price) less what it has reported using so far (a running job may report
        ``credits_used: 0`` until it is charged; :meth:`spent` counts what it reported).
        ``credits_used`` is the server job's running total, so a render counts as used only
        what goes beyond the largest figure an earlier job on its server job reported."""
        rows = self._read(f"SELECT key, resource, server_id, COALESCE(held, estimate), "
                          f"credits_used, created_at FROM jobs WHERE state IN ({_ACTIVE_SQL}) "
                          f"AND COALESCE(held, estimate) IS NOT NULL")
        total = Decimal(0)
        for key, resource, server_id, estimate, credits_used, created_at in rows:
            used = parse_dec(credits_used) or Decimal(0)
            if used and server_id:
                earlier = [parse_dec(v) for (v,) in self._read(
                    "SELECT credits_used FROM jobs WHERE resource = ? AND server_id = ? AND "
                    "key != ? AND created_at <= ? AND credits_used IS NOT NULL",
                    (resource, server_id, key, created_at))]
                used -= max((v for v in earlier if v is not None), default=Decimal(0))
            left = (parse_dec(estimate) or Decimal(0)) - max(used, Decimal(0))
            total += max(left, Decimal(0))
        return total


    def balance_readings(self, since: datetime | None = None) -> list[tuple[datetime, Decimal]]:
        """(time, credits) readings, oldest first; all of them when ``since`` is None."""
        sql = "SELECT at, credits FROM balance_readings"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " WHERE at >= ?"
            params = (ts(since),)
        readings = []
        for at, credits in self._read(sql + " ORDER BY at, id", params):
            when, value = parse_ts(at), parse_dec(credits)
            if when is not None and value is not None:
                readings.append((when, value))
        return readings

    def last_charges(self) -> dict[str, JobRecord]:
        """For each price key, the job that last finished ``done`` with a charge above zero
        (its ``credits_used``): what that model with those parameters really cost. Other
        states, and jobs that reported no charge or ``0``, teach nothing."""
        # "+state": walk the (partial) price-key index, not every done job of the state one.
        rows = self._read(f"{SELECT} WHERE price_key IS NOT NULL AND +state = ? "
                          f"AND credits_used IS NOT NULL ORDER BY finished_at, rowid",
                          (JobState.DONE.value,))
        latest: dict[str, JobRecord] = {}
        for row in rows:
            record = record_from_row(row)
            if record.price_key and record.credits_used and record.credits_used > 0:
                latest[record.price_key] = record
        return latest

    def paid_jobs(self, since: datetime | None = None) -> list[JobRecord]:
        """Every job that asked for credits (it has an estimate or reported a charge), hidden
        ones included, oldest first."""
        sql = f"{SELECT} WHERE (estimate IS NOT NULL OR credits_used IS NOT NULL)"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " AND created_at >= ?"
            params = (ts(since),)
        rows = self._read(sql + " ORDER BY created_at, rowid", params)
        return [record_from_row(row) for row in rows]
