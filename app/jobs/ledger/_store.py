"""The :class:`Ledger`: the connection to the SQLite file and every write.

* **Write before the network acts.** :meth:`Ledger.begin_submit` commits a ``submitting`` row
  *before* the create request leaves.
* **One transaction per change.** Every method that changes a job runs one ``BEGIN
  IMMEDIATE … COMMIT`` and appends its row to ``events`` in the same transaction. Progress-only
  updates change the row without an event; a call that changes nothing writes nothing.
* **Durable where the money is.** ``journal_mode=WAL`` with ``synchronous=NORMAL`` for
  ordinary writes: a commit survives the app crashing or being killed (it is in the WAL, which
  the OS holds); only a power cut or an OS crash can lose the last few. The writes that must
  precede the network — :meth:`Ledger.begin_submit` (the ``submitting`` row before a create
  leaves) and :meth:`Ledger.mark_ambiguous` — commit with ``synchronous=FULL``: the WAL is
  fsynced before they return, and with it everything committed before them.

The reads are :class:`~app.jobs.ledger._queries.LedgerQueries` and the polling writes
:class:`~app.jobs.ledger._polls.PollWrites`, which the ledger extends.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from filelock import FileLock, Timeout

from app.api.snapshot import JobSnapshot
from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._polls import Change, PollWrites
from app.jobs.ledger._records import (
    JobRecord,
    check_no_secret,
    clean,
    dec,
    encode_request,
    now_utc,
    ts,
)
from app.jobs.ledger._schema import check_version, upgrade
from app.jobs.ledger._snapshots import check_resource, snapshot_changes, state_after, status_text
from app.jobs.ledger._states import UNCREATED_STATES, DownloadState, JobState

log = logging.getLogger("app.jobs.ledger")  # one logger for the whole ledger

BUSY_TIMEOUT_SECONDS = 5.0
OPEN_LOCK_SECONDS = 30.0
"""How long an opening waits for another process that is opening (or migrating) the same
ledger file."""
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Ledger(PollWrites):
    """The job ledger over one SQLite file (created when missing).

    Raises :class:`LedgerError` naming the file when it is damaged, not a ledger, or from a
    newer version of the app. Not thread-safe: use it from the thread that opened it.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.path = os.fspath(path)
        self._clock = clock or now_utc
        self._conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                   isolation_level=None, check_same_thread=True)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the job ledger {self.path}: {exc}") from exc
        try:
            self._open(conn)
        except LedgerError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise LedgerError(
                f"cannot use the job ledger {self.path}: {exc} (a damaged file, not a "
                f"Creatify Studio ledger, or not writable); it was left untouched") from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    # ------------------------------------------------------------------ opening

    def _open(self, conn: sqlite3.Connection) -> None:
        if self.path == ":memory:" or self.path.startswith("file:"):
            self._prepare(conn)
            return
        # Two processes opening one file at once (the window and the command line, two
        # commands of a script) take turns: switching a new file to WAL and migrating it
        # want it to themselves, and SQLite may answer "locked" at once rather than wait.
        lock = FileLock(self.path + ".open.lock", timeout=OPEN_LOCK_SECONDS)
        try:
            lock.acquire()
        except Timeout as exc:
            raise LedgerError(f"cannot open the job ledger {self.path}: another Creatify "
                              f"Studio has been opening it for {OPEN_LOCK_SECONDS:g} s; "
                              f"it was left untouched") from exc
        except OSError:  # a folder we cannot write in: no other writer to take turns with
            self._prepare(conn)
            return
        try:
            self._prepare(conn)
        finally:
            lock.release()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # Read before anything writes: a garbage file fails here, a newer one is refused
        # before journal_mode=WAL rewrites its header.
        version = check_version(conn, self.path)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal" and self.path != ":memory:":
            log.warning("job ledger %s: journal mode is %s, not WAL", self.path, mode)
        conn.execute("PRAGMA synchronous=NORMAL")  # FULL for the writes before the network
        conn.execute("PRAGMA foreign_keys=ON")
        upgrade(conn, self.path, version)

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """Close the file (idempotent). Every change is already committed."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")
            conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def clock(self) -> Callable[[], datetime]:
        """What the ledger stamps its rows with (another connection on the file uses it too)."""
        return self._clock

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError(f"the job ledger {self.path} is closed")
        return self._conn

    @contextlib.contextmanager
    def _write(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One committed transaction (rolled back on any error). ``durable``: the commit
        fsyncs the WAL (``synchronous=FULL``) before it returns — for the writes that must
        precede the network; it also makes every earlier commit durable."""
        conn = self._db
        try:
            if durable:
                conn.execute("PRAGMA synchronous=FULL")
            try:
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    yield conn
            finally:
                if durable:
                    conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot write to the job ledger {self.path}: {exc}") from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the job ledger {self.path}: {exc}") from exc

    @staticmethod
    def _event(conn: sqlite3.Connection, key: str, at: str, kind: str, detail: str) -> None:
        conn.execute("INSERT INTO events (key, at, kind, detail) VALUES (?, ?, ?, ?)",
                     (key, at, kind, clean(detail) or ""))

    def _update_in(self, conn: sqlite3.Connection, key: str, change: Change, now: str) -> None:
        """Write a change (plus ``updated_at``) and its event inside an open transaction."""
        columns = {**change.changes, "updated_at": now}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        cursor = conn.execute(f"UPDATE jobs SET {assignments} WHERE key = ?",
                              (*columns.values(), key))
        if cursor.rowcount != 1:
            raise KeyError(key)
        if change.kind is not None:
            self._event(conn, key, now, change.kind, change.detail)

    def _update(self, key: str, changes: Mapping[str, Any], kind: str | None,
                detail: str = "", *, durable: bool = False) -> JobRecord:
        """Write ``changes`` (plus ``updated_at``) and at most one event, in one transaction."""
        now = ts(self._clock())
        with self._write(durable=durable) as conn:
            self._update_in(conn, key, Change(dict(changes), kind, detail), now)
        return self.get(key)

    # ------------------------------------------------------------------ creating

    def begin_submit(self, *, generator: str, resource: str, flow: str, title: str,
                     request: Mapping[str, Any], estimate: Decimal | None,
                     balance_before: Decimal | None, name_tag: str | None = None,
                     key: str | None = None, price_key: str | None = None,
                     held: Decimal | None = None) -> JobRecord:
        """Commit a ``submitting`` row: call it *before* the create request leaves.
        ``price_key`` names its price for the learned prices (:meth:`last_charges`);
        ``held`` is what the budget guard counted when that is more than ``estimate`` (a
        minimum or an unknown price): :meth:`committed` counts it while the job runs."""
        key = uuid.uuid4().hex if key is None else key
        if not _KEY_PATTERN.fullmatch(key):
            raise ValueError(f"a job key is 1-64 letters, digits, '-' or '_', not {key!r}")
        body = encode_request(request)
        check_no_secret(title, "the title")
        if name_tag is not None:
            check_no_secret(name_tag, "the name tag")
        if price_key is not None:
            check_no_secret(price_key, "the price key")
        now = ts(self._clock())
        values: dict[str, Any] = {
            "key": key, "generator": generator, "resource": resource, "flow": flow,
            "title": title, "request": body, "name_tag": name_tag,
            "estimate": dec(estimate, "estimate"),
            "balance_before": dec(balance_before, "balance_before"),
            "state": JobState.SUBMITTING.value, "created_at": now, "updated_at": now,
            "price_key": price_key or None,
            "held": dec(held, "held") if held is not None and held != estimate else None,
        }
        try:
            with self._write(durable=True) as conn:  # before the network: fsynced
                conn.execute(f"INSERT INTO jobs ({', '.join(values)}) "
                             f"VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
                estimate_text = "unknown" if estimate is None else f"{estimate} credits"
                self._event(conn, key, now, "submitting",
                            f"{generator} ({flow}) to {resource}; estimate {estimate_text}")
        except LedgerError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise LedgerError(f"a job with key {key!r} already exists") from exc
            raise
        return self.get(key)

    def mark_created(self, key: str, snapshot: JobSnapshot) -> JobRecord:
        """The create answered: record the server id and the first snapshot."""
        record = self.get(key)
        check_resource(record, snapshot)
        if record.server_id == snapshot.id:
            return self.apply_snapshot(key, snapshot)  # told twice: just news
        if record.state not in UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked created")
        now = self._clock()
        state = state_after(record, snapshot)
        changes = snapshot_changes(record, snapshot, state, now)
        changes.update(server_id=snapshot.id, submitted_at=ts(now))
        return self._update(key, changes, "created",
                            f"server id {snapshot.id}; {status_text(state, snapshot)}")

    def mark_ambiguous(self, key: str, detail: str) -> JobRecord:
        """The create may have reached Creatify but no answer came: ``unknown``, never retried.
        On an ``unknown`` job this records one more attempt to find it."""
        record = self.get(key)
        if record.state not in UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked unknown")
        return self._update(key, {"state": JobState.UNKNOWN.value}, "ambiguous", detail,
                            durable=True)

    def mark_not_created(self, key: str, detail: str) -> JobRecord:
        """The create certainly created nothing (refused, never sent, reconciled as absent)."""
        record = self.get(key)
        if record.state not in UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked not created")
        now = ts(self._clock())
        # The reason stays on the row (Creatify's refusal, "never sent", …) for the jobs list.
        return self._update(key, {"state": JobState.NOT_CREATED.value, "finished_at": now,
                                  "failed_reason": clean(detail) or None},
                            "not_created", detail)

    def set_server_id(self, key: str, server_id: str, detail: str) -> JobRecord:
        """Reconciliation found the job on Creatify: it is ``pending`` until next polled."""
        if not server_id:
            raise ValueError("a server id must not be empty")
        record = self.get(key)
        if record.server_id == server_id:
            return record
        if record.server_id is not None:
            raise LedgerError(f"job {key} already has server id {record.server_id}, "
                              f"not {server_id}")
        if record.state not in (*UNCREATED_STATES, JobState.NOT_CREATED):
            raise LedgerError(f"job {key} is {record.state}: it cannot be given a server id")
        return self._update(key, {"server_id": server_id, "state": JobState.PENDING.value,
                                  "finished_at": None},
                            "found", f"server id {server_id}: {detail}")

    # ------------------------------------------------------------------ local state

    def set_download(self, key: str, state: DownloadState, *, path: str | None = None,
                     bytes_done: int | None = None, error: str | None = None) -> JobRecord:
        """Where the local copy stands. ``path``/``bytes_done`` left None keep their value;
        the error is kept only while the state is ``failed``. An event per state change."""
        state = DownloadState(state)
        if bytes_done is not None and bytes_done < 0:
            raise ValueError("bytes_done must not be negative")
        record = self.get(key)
        changes: dict[str, Any] = {}
        if state is not record.download_state:
            changes["download_state"] = state.value
        if path is not None and path != record.download_path:
            changes["download_path"] = path
        if bytes_done is not None and bytes_done != record.download_bytes:
            changes["download_bytes"] = bytes_done
        new_error = clean(error) if state is DownloadState.FAILED else None
        if new_error != record.download_error:
            changes["download_error"] = new_error
        if not changes:
            return record
        kind: str | None = None
        detail = ""
        if "download_state" in changes:
            kind = "download"
            detail = f"{record.download_state} → {state}"
            if path is not None:
                detail += f": {path}"
            if new_error:
                detail += f": {new_error}"
        return self._update(key, changes, kind, detail)

    def set_hidden(self, key: str, hidden: bool) -> JobRecord:
        """Remove from (or put back in) the list; local only, the job is untouched."""
        record = self.get(key)
        if record.hidden == hidden:
            return record
        return self._update(key, {"hidden": int(hidden)}, "hidden" if hidden else "shown",
                            "removed from the list" if hidden else "back in the list")

    def set_watching(self, key: str, watching: bool) -> JobRecord:
        """Stop (or resume) following the job. Creatify keeps working, and may bill."""
        record = self.get(key)
        if record.watching == watching:
            return record
        return self._update(key, {"watching": int(watching)},
                            "watching" if watching else "stopped watching",
                            "following again" if watching
                            else "no longer followed; Creatify keeps working on it")

    # ------------------------------------------------------------------ balance readings

    def record_balance(self, credits: Decimal, at: datetime | None = None) -> None:
        """Remember one remaining-credits figure read from Creatify (for the spending view)."""
        stamp = ts(at or self._clock())
        with self._write() as conn:
            conn.execute("INSERT INTO balance_readings (at, credits) VALUES (?, ?)",
                         (stamp, dec(credits, "credits")))
