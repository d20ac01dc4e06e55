"""What polling writes to the ledger: one snapshot (:meth:`~PollWrites.apply_snapshot`), a whole
list answer in one transaction (:meth:`~PollWrites.apply_answer`), "stalled", and when jobs
were last read. :class:`~app.jobs.ledger.Ledger` supplies the connection and the writes."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

from app.api.snapshot import JobSnapshot, JobStatus
from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._queries import LedgerQueries
from app.jobs.ledger._records import JobRecord, ts
from app.jobs.ledger._snapshots import check_resource, snapshot_changes, state_after, status_text
from app.jobs.ledger._states import RUNNING_STATES, SUCCESS_STATES, DownloadState, JobState

log = logging.getLogger("app.jobs.ledger")  # one logger for the whole ledger

_NEWS = frozenset({"result_urls", "preview_url", "response_text", "previews", "credits_used",
                   "duration", "failed_reason"})


class Change(NamedTuple):
    """Columns to write to one row and the event (if any) that goes with them."""

    changes: dict[str, Any]
    kind: str | None
    detail: str


_QUEUED = Change({"download_state": DownloadState.QUEUED.value}, "download",
                 f"{DownloadState.NONE} → {DownloadState.QUEUED}")


def snapshot_change(record: JobRecord, snapshot: JobSnapshot, now: datetime) -> Change | None:
    """What a poll's ``snapshot`` changes in ``record`` (None: nothing). One event per status
    change (or when results, credits or a reason arrive); progress alone changes the row only.
    Raises :class:`LedgerError` when the snapshot is not this job's."""
    check_resource(record, snapshot)
    if record.server_id is None:
        raise LedgerError(f"job {record.key} has no server id yet: use mark_created or "
                          f"set_server_id first")
    if record.server_id != snapshot.id:
        raise LedgerError(f"a snapshot of {snapshot.id} cannot update job {record.key} "
                          f"(server id {record.server_id})")
    state = state_after(record, snapshot)
    changes = snapshot_changes(record, snapshot, state, now)
    if not changes:
        return None
    if "state" in changes or "raw_status" in changes:
        if snapshot.status is JobStatus.UNKNOWN:
            return Change(changes, "unknown status",
                          f"Creatify said {snapshot.raw_status!r}: treated as still running "
                          f"({state})")
        return Change(changes, "status", f"{record.state} → {status_text(state, snapshot)}")
    news = sorted(set(changes) & _NEWS)
    return Change(changes, "updated" if news else None, ", ".join(news))


def stall_change(record: JobRecord) -> Change | None:
    """Past its generator's expected time: "still running — check later" (still polled)."""
    if record.state is JobState.STALLED:
        return None
    if record.state not in RUNNING_STATES:
        raise LedgerError(f"job {record.key} is {record.state}: only a running job can stall")
    return Change({"state": JobState.STALLED.value}, "stalled",
                  f"{record.state} for longer than expected: still running")


class PollWrites(LedgerQueries):
    """The polling half of the ledger's writes."""

    path: str
    _clock: Callable[[], datetime]

    def _write(self, *, durable: bool = False) -> contextlib.AbstractContextManager[
            sqlite3.Connection]:
        raise NotImplementedError

    def _update_in(self, conn: sqlite3.Connection, key: str, change: Change, now: str) -> None:
        raise NotImplementedError

    def _update(self, key: str, changes: Mapping[str, Any], kind: str | None,
                detail: str = "", *, durable: bool = False) -> JobRecord:
        raise NotImplementedError

    def apply_snapshot(self, key: str, snapshot: JobSnapshot) -> JobRecord:
        """What a poll said about the job. Nothing written when nothing changed; one event
        per status change (or when results, credits or a reason arrive); progress alone
        changes the row only."""
        record = self.get(key)
        change = snapshot_change(record, snapshot, self._clock())
        if change is None:
            return record
        return self._update(key, *change)

    def mark_stalled(self, key: str) -> JobRecord:
        """Past its generator's expected time: "still running — check later" (still polled)."""
        record = self.get(key)
        change = stall_change(record)
        return record if change is None else self._update(key, *change)

    def mark_polled(self, keys: Iterable[str], at: datetime | None = None) -> None:
        """When these jobs were last read from Creatify (one transaction; no events)."""
        stamp = ts(at or self._clock())
        rows = [(stamp, key) for key in dict.fromkeys(keys)]
        if not rows:
            return
        with self._write() as conn:
            conn.executemany("UPDATE jobs SET last_polled_at = ? WHERE key = ?", rows)

    def apply_answer(self, polled: Iterable[str], answers: Sequence[tuple[str, JobSnapshot]],
                     *, stalled: Callable[[JobRecord], bool] | None = None,
                     queue_downloads: bool = False,
                     at: datetime | None = None) -> list[JobRecord]:
        """One list answer in **one transaction**: every key of ``polled`` stamped as read
        (:meth:`mark_polled`), each ``(key, snapshot)`` applied as :meth:`apply_snapshot`
        does, and a running job that ``stalled(record)`` says is past its time marked as
        :meth:`mark_stalled` does — the same rows and events as those calls one by one.
        ``queue_downloads``: a job this answer finishes with results, not downloaded yet, is
        marked ``queued`` for download in the same commit (as ``set_download`` would): no
        other process sees it finished and unclaimed.

        Returns the records that changed (beyond the read stamp), in answer order, as
        committed. Nothing but the stamps is written when nothing changed. A snapshot that
        cannot update its job (another resource or server id, no server id yet, the job
        gone) is logged and skipped; the rest of the answer still applies."""
        now = at or self._clock()
        stamp = ts(now)
        rows = [(stamp, key) for key in dict.fromkeys(polled)]
        changed: list[str] = []
        with self._write() as conn:
            if rows:
                conn.executemany("UPDATE jobs SET last_polled_at = ? WHERE key = ?", rows)
            known = self.records(key for key, _snapshot in answers)
            for key, snapshot in answers:
                # A key answered twice reads its first change back.
                record = self.get(key) if key in changed else known.get(key)
                if record is None:
                    log.warning("job %s: a poll answer was not applied: it is gone", key)
                    continue
                try:
                    change = snapshot_change(record, snapshot, now)
                except LedgerError as exc:
                    log.warning("job %s: a poll answer was not applied: %s", key, exc)
                    continue
                if change is not None:
                    self._update_in(conn, key, change, stamp)
                    if "state" in change.changes:
                        record = replace(record, state=JobState(change.changes["state"]))
                stall = None
                if stalled is not None and record.state in RUNNING_STATES \
                        and record.state is not JobState.STALLED and stalled(record):
                    stall = stall_change(record)
                if stall is not None:
                    self._update_in(conn, key, stall, stamp)
                if queue_downloads and change is not None and "state" in change.changes \
                        and record.state in SUCCESS_STATES \
                        and record.download_state is DownloadState.NONE \
                        and ("result_urls" in change.changes or record.result_urls):
                    self._update_in(conn, key, _QUEUED, stamp)
                if change is not None or stall is not None:
                    if key in changed:
                        changed.remove(key)
                    changed.append(key)
            final = self.records(changed)  # as they will be committed
        return [final[key] for key in changed]
