"""The job ledger: every paid job, its charge and its file, in one SQLite file.

Creatify jobs take minutes, cost money, cannot be cancelled and have no idempotency key. The
ledger is what lets the app be killed at any moment and still find every job again:

* **Write before the network acts.** :meth:`Ledger.begin_submit` commits a ``submitting`` row
  (local key, generator, request body, estimate, balance seen) *before* the create request
  leaves. After a crash that row says "a create may have reached Creatify": the scheduler
  reconciles it through the list endpoint and never sends it again.
* **One transaction per change.** Every method that changes a job runs one ``BEGIN
  IMMEDIATE … COMMIT`` and appends its row to ``events`` in the same transaction, so the
  history can never disagree with the job. Progress-only updates (a poll that moved the bar,
  a download that wrote more bytes) change the row without an event: they are data, not
  history. A call that changes nothing writes nothing.
* **Durable.** ``journal_mode=WAL`` and ``synchronous=FULL``: a committed change survives a
  power cut; a transaction cut short by a crash leaves no trace.
* **Versioned.** ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` is the
  ordered list of upgrade steps (each in its own transaction). An older file is upgraded on
  open; a newer one, a foreign SQLite file or a damaged one raises :class:`LedgerError`
  naming the file — nothing is ever deleted or rewritten to "fix" it.
* **No secrets.** A request body (or title, or name tag) holding a secret registered with
  :mod:`app.logsafe` is refused; free text (event details, errors, failure reasons) is
  stored redacted.

Storage: Decimals as TEXT, datetimes as fixed-width ISO-8601 UTC TEXT (so they sort as
text), tuples and request bodies as JSON TEXT. The ledger is used from one thread (the
asyncio thread); each call is a few milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from app.api.snapshot import JobSnapshot, JobStatus, StylePreview, parse_previews
from app.logsafe import redact

log = logging.getLogger(__name__)

APPLICATION_ID = 0x43525354  # "CRST": marks the file as a Creatify Studio ledger
BUSY_TIMEOUT_SECONDS = 2.0
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class LedgerError(Exception):
    """The ledger cannot do what was asked: damaged or foreign file, newer schema, a secret in
    a request body, an impossible state change, a locked or unwritable file."""


class JobState(StrEnum):
    """The ledger's own job states: the server's, plus what only the app can know."""

    SUBMITTING = "submitting"  # row committed, create request about to leave / in flight
    UNKNOWN = "unknown"  # create outcome ambiguous (sent, no answer); never retried
    NOT_CREATED = "not_created"  # the create certainly did not create a job
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    STALLED = "stalled"  # past the generator's expected time: still running, still polled
    IMAGE_DONE = "image_done"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    # A preview step (preview_render / compare_styles) whose preview is there, whatever the
    # status says (Creatify may put it back to ``pending``): no longer polled, ready to render
    # (or to choose a style). The render is its own row on the same server id.
    PREVIEW_READY = "preview_ready"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_STATES

    @property
    def is_active(self) -> bool:
        """Needs polling or reconciling."""
        return self in _ACTIVE_STATES


_TERMINAL_STATES = frozenset({JobState.NOT_CREATED, JobState.IMAGE_DONE, JobState.DONE,
                              JobState.FAILED, JobState.REJECTED, JobState.PREVIEW_READY})
_ACTIVE_STATES = frozenset({JobState.SUBMITTING, JobState.UNKNOWN, JobState.PENDING,
                            JobState.QUEUED, JobState.RUNNING, JobState.STALLED})
_RUNNING_STATES = frozenset({JobState.PENDING, JobState.QUEUED, JobState.RUNNING,
                             JobState.STALLED})
_SUCCESS_STATES = (JobState.DONE, JobState.IMAGE_DONE)
# Finished with something made, so charged: a ready preview too (its result is not downloaded).
_CHARGED_STATES = (*_SUCCESS_STATES, JobState.PREVIEW_READY)
_UNCREATED_STATES = frozenset({JobState.SUBMITTING, JobState.UNKNOWN})

_STATUS_TO_STATE: dict[JobStatus, JobState] = {
    JobStatus.PENDING: JobState.PENDING,
    JobStatus.QUEUED: JobState.QUEUED,
    JobStatus.RUNNING: JobState.RUNNING,
    JobStatus.IMAGE_DONE: JobState.IMAGE_DONE,
    JobStatus.DONE: JobState.DONE,
    JobStatus.FAILED: JobState.FAILED,
    JobStatus.REJECTED: JobState.REJECTED,
}


class DownloadState(StrEnum):
    """Where the local copy of a job's result stands."""

    NONE = "none"
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"


_PENDING_DOWNLOADS = (DownloadState.NONE, DownloadState.QUEUED, DownloadState.DOWNLOADING)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as the ledger knows it (a row of ``jobs``)."""

    key: str  # local key: uuid4 hex (short form key[:8] used in names/tags)
    generator: str  # spec key, e.g. "url_to_video"
    resource: str  # resource key, e.g. "link_to_videos"
    flow: str  # "create" | "preview_render" | ... (free text from the caller)
    title: str  # what was asked, short (product, script start…)
    request: Mapping[str, Any]  # the body sent (no secrets); read-only
    name_tag: str | None  # tag added to the job's ``name`` to find it in lists
    estimate: Decimal | None  # credits estimated before sending
    balance_before: Decimal | None
    state: JobState
    raw_status: str
    server_id: str | None
    progress: float | None
    result_urls: tuple[str, ...]
    preview_url: str | None
    thumbnails: tuple[str, ...]
    response_text: str | None
    credits_used: Decimal | None
    duration: float | None
    failed_reason: str | None
    created_at: datetime  # local, UTC aware
    submitted_at: datetime | None  # when the create answered
    updated_at: datetime
    finished_at: datetime | None
    last_polled_at: datetime | None
    download_state: DownloadState
    download_path: str | None
    download_bytes: int
    download_error: str | None
    hidden: bool  # removed from the list by the user (local only, undoable)
    watching: bool  # False after "stop watching"
    previews: tuple[StylePreview, ...] = ()  # URL to Video's "compare styles" previews

    @property
    def short_key(self) -> str:
        return self.key[:8]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One line of a job's history."""

    key: str
    at: datetime
    kind: str
    detail: str


# ---------------------------------------------------------------------------- schema

_COLUMNS: tuple[str, ...] = (
    "key", "generator", "resource", "flow", "title", "request", "name_tag", "estimate",
    "balance_before", "state", "raw_status", "server_id", "progress", "result_urls",
    "preview_url", "thumbnails", "response_text", "credits_used", "duration", "failed_reason",
    "created_at", "submitted_at", "updated_at", "finished_at", "last_polled_at",
    "download_state", "download_path", "download_bytes", "download_error", "hidden", "watching",
    "previews",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM jobs"

_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in sorted(_ACTIVE_STATES))
_SUCCESS_SQL = ", ".join(f"'{s.value}'" for s in _SUCCESS_STATES)
_CHARGED_SQL = ", ".join(f"'{s.value}'" for s in _CHARGED_STATES)
_PENDING_DOWNLOADS_SQL = ", ".join(f"'{s.value}'" for s in _PENDING_DOWNLOADS)

_V1: tuple[str, ...] = (
    """
    CREATE TABLE jobs (
        key            TEXT PRIMARY KEY NOT NULL,
        generator      TEXT NOT NULL,
        resource       TEXT NOT NULL,
        flow           TEXT NOT NULL,
        title          TEXT NOT NULL,
        request        TEXT NOT NULL,               -- JSON object
        name_tag       TEXT,
        estimate       TEXT,                        -- Decimal
        balance_before TEXT,                        -- Decimal
        state          TEXT NOT NULL,
        raw_status     TEXT NOT NULL DEFAULT '',
        server_id      TEXT,
        progress       REAL,
        result_urls    TEXT NOT NULL DEFAULT '[]',  -- JSON list
        preview_url    TEXT,
        thumbnails     TEXT NOT NULL DEFAULT '[]',  -- JSON list
        response_text  TEXT,
        credits_used   TEXT,                        -- Decimal
        duration       REAL,
        failed_reason  TEXT,
        created_at     TEXT NOT NULL,               -- ISO-8601 UTC, fixed width
        submitted_at   TEXT,
        updated_at     TEXT NOT NULL,
        finished_at    TEXT,
        last_polled_at TEXT,
        download_state TEXT NOT NULL DEFAULT 'none',
        download_path  TEXT,
        download_bytes INTEGER NOT NULL DEFAULT 0,
        download_error TEXT,
        hidden         INTEGER NOT NULL DEFAULT 0,
        watching       INTEGER NOT NULL DEFAULT 1
    )
    """,
    """
    CREATE TABLE events (
        id     INTEGER PRIMARY KEY,
        key    TEXT NOT NULL REFERENCES jobs(key) ON DELETE CASCADE,
        at     TEXT NOT NULL,
        kind   TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX events_by_job ON events(key, id)",
    # Not unique: a render or a gen_video is a new local job on the same server job.
    "CREATE INDEX jobs_by_server_id ON jobs(resource, server_id)",
    "CREATE INDEX jobs_by_state ON jobs(state)",
    "CREATE INDEX jobs_by_created ON jobs(created_at)",
    # page()/count() without hidden rows walk this one, newest first, and never skip rows.
    "CREATE INDEX jobs_visible_by_created ON jobs(created_at) WHERE hidden = 0",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


def _migrate_to_v1(conn: sqlite3.Connection) -> None:
    """v1: the ``jobs`` and ``events`` tables and their indexes."""
    for statement in _V1:
        conn.execute(statement)


_V2: tuple[str, ...] = (
    # URL to Video's "compare styles": the previews to choose from (JSON list).
    "ALTER TABLE jobs ADD COLUMN previews TEXT NOT NULL DEFAULT '[]'",
    # Every remaining-credits figure read from Creatify, for the spending view.
    """
    CREATE TABLE balance_readings (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,                      -- ISO-8601 UTC, fixed width
        credits TEXT NOT NULL                       -- Decimal
    )
    """,
    "CREATE INDEX balance_readings_by_time ON balance_readings(at)",
)


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """v2: style previews on jobs, and the balance readings."""
    for statement in _V2:
        conn.execute(statement)


def _migrate_to_v3(conn: sqlite3.Connection) -> None:
    """v3: the ``preview_ready`` state. A preview step an older version recorded as ``done``
    with its preview and no result is ``preview_ready`` (offered Render, never downloaded).
    Rows still running are left alone: their next poll decides."""
    conn.execute(
        "UPDATE jobs SET state = 'preview_ready' WHERE flow IN ('preview_render', "
        "'compare_styles') AND state = 'done' AND result_urls = '[]' "
        "AND (preview_url IS NOT NULL OR previews != '[]')")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_to_v1, _migrate_to_v2, _migrate_to_v3)
"""``MIGRATIONS[n]`` upgrades a version-``n`` file to version ``n + 1``."""
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------- encoding

def _now() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime) -> str:
    """Fixed-width UTC text. A naive datetime is local time (Python's own convention)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _opt_ts(value: datetime | None) -> str | None:
    return None if value is None else _ts(value)


def _parse_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _dec(value: Decimal | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
    return str(value)


def _parse_dec(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _urls(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def _parse_urls(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text != "[]" else ()


def _parse_previews(text: str | None) -> tuple[StylePreview, ...]:
    try:
        return parse_previews(json.loads(text or "[]"))
    except ValueError:
        return ()


def _clean(text: str | None, limit: int = 4000) -> str | None:
    """Free text as stored: secrets masked, bounded."""
    if text is None:
        return None
    return redact(text)[:limit]


def _secret_path(value: object, where: str) -> str | None:
    """The place in ``value`` of the first string holding a registered secret, else None."""
    if isinstance(value, str):
        return where if redact(value) != value else None
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and redact(k) != k:
                return f"{where} (a key)"
            found = _secret_path(v, f"{where}.{k}")
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _secret_path(item, f"{where}[{i}]")
            if found:
                return found
    return None


def _check_no_secret(value: object, what: str) -> None:
    where = _secret_path(value, what)
    if where is not None:
        raise LedgerError(f"refused to store the job: {where} contains a secret (an API key?)")


def _encode_request(request: Mapping[str, Any]) -> str:
    if not isinstance(request, Mapping):
        raise LedgerError(f"a request body must be a mapping, not {type(request).__name__}")
    _check_no_secret(request, "request")
    try:
        return json.dumps(dict(request), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"the request body cannot be stored as JSON: {exc}") from None


def _record(row: Sequence[Any]) -> JobRecord:
    (key, generator, resource, flow, title, request, name_tag, estimate, balance_before, state,
     raw_status, server_id, progress, result_urls, preview_url, thumbnails, response_text,
     credits_used, duration, failed_reason, created_at, submitted_at, updated_at, finished_at,
     last_polled_at, download_state, download_path, download_bytes, download_error, hidden,
     watching, previews) = row
    created = _parse_ts(created_at)
    updated = _parse_ts(updated_at)
    assert created is not None and updated is not None
    return JobRecord(
        key=key, generator=generator, resource=resource, flow=flow, title=title,
        request=MappingProxyType(json.loads(request)), name_tag=name_tag,
        estimate=_parse_dec(estimate), balance_before=_parse_dec(balance_before),
        state=JobState(state), raw_status=raw_status, server_id=server_id, progress=progress,
        result_urls=_parse_urls(result_urls), preview_url=preview_url,
        thumbnails=_parse_urls(thumbnails), response_text=response_text,
        credits_used=_parse_dec(credits_used), duration=duration, failed_reason=failed_reason,
        created_at=created, submitted_at=_parse_ts(submitted_at), updated_at=updated,
        finished_at=_parse_ts(finished_at), last_polled_at=_parse_ts(last_polled_at),
        download_state=DownloadState(download_state), download_path=download_path,
        download_bytes=download_bytes, download_error=download_error, hidden=bool(hidden),
        watching=bool(watching), previews=_parse_previews(previews),
    )


PREVIEW_FLOWS = frozenset({"preview_render", "compare_styles"})
"""Flows whose row is a preview step: it ends at ``preview_ready``; its render is another row."""


def is_preview_step(flow: str) -> bool:
    """Whether a row of this flow is a preview step (not a render, not a one-step create)."""
    return flow in PREVIEW_FLOWS


def state_for(status: JobStatus, previous: JobState, *, preview_ready: bool = False) -> JobState:
    """The ledger state a server status leads to from ``previous``.

    * ``preview_ready`` (only for a preview-step row whose snapshot carries its preview):
      ``preview_ready`` whatever the status says, unless the job failed or was rejected.
      Once there a row stays there (the server job's later statuses belong to its render).
    * ``UNKNOWN`` (a status we do not know) keeps a running state; from a state that says
      nothing about the server job (``submitting``, ``unknown``, …) it reads as ``running``.
    * ``stalled`` is sticky while the server still says pending/queued/running: the job is
      still past its expected time.
    * Otherwise the server wins (``image_done`` → ``running`` is a product video being made).
    """
    if previous is JobState.PREVIEW_READY:
        return previous
    if preview_ready and status not in (JobStatus.FAILED, JobStatus.REJECTED):
        return JobState.PREVIEW_READY
    if status is JobStatus.UNKNOWN:
        return previous if previous in _RUNNING_STATES else JobState.RUNNING
    state = _STATUS_TO_STATE[status]
    if previous is JobState.STALLED and state in _RUNNING_STATES:
        return JobState.STALLED
    return state


# ---------------------------------------------------------------------------- the ledger

class Ledger:
    """The job ledger over one SQLite file (created when missing).

    Raises :class:`LedgerError` naming the file when it is damaged, not a ledger, or from a
    newer version of the app. Not thread-safe: use it from the thread that opened it.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.path = os.fspath(path)
        self._clock = clock or _now
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
        # Read before anything writes: a garbage file fails here, a newer one is refused
        # before journal_mode=WAL rewrites its header.
        version = self._check_version(conn)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal" and self.path != ":memory:":
            log.warning("job ledger %s: journal mode is %s, not WAL", self.path, mode)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            self._migrate(conn)

    def _check_version(self, conn: sqlite3.Connection) -> int:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the job ledger {self.path} was written by a newer Creatify Studio (schema "
                f"version {version}; this version reads up to {SCHEMA_VERSION}). Update the "
                f"app; the file was left untouched")
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if version == 0:
            objects = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()
            if objects[0] or app_id not in (0, APPLICATION_ID):
                raise LedgerError(
                    f"{self.path} is an SQLite file but not a Creatify Studio job ledger; "
                    f"it was left untouched")
        elif app_id != APPLICATION_ID:
            raise LedgerError(f"{self.path} is not a Creatify Studio job ledger "
                              f"(application id {app_id:#x}); it was left untouched")
        return version

    def _migrate(self, conn: sqlite3.Connection) -> None:
        while True:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                # Read again under the write lock: another process may have migrated.
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version >= SCHEMA_VERSION:
                    return
                try:
                    MIGRATIONS[version](conn)
                except sqlite3.Error as exc:
                    raise LedgerError(
                        f"could not upgrade the job ledger {self.path} from schema version "
                        f"{version} to {version + 1} ({exc}); it was left as it was") from exc
                conn.execute(f"PRAGMA user_version = {version + 1}")
            log.info("job ledger %s: migrated to schema version %d", self.path, version + 1)

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
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError(f"the job ledger {self.path} is closed")
        return self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction (rolled back on any error)."""
        conn = self._db
        try:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
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
                     (key, at, kind, _clean(detail) or ""))

    def _update(self, key: str, changes: Mapping[str, Any], kind: str | None,
                detail: str = "") -> JobRecord:
        """Write ``changes`` (plus ``updated_at``) and at most one event, in one transaction."""
        now = _ts(self._clock())
        columns = {**changes, "updated_at": now}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._write() as conn:
            cursor = conn.execute(f"UPDATE jobs SET {assignments} WHERE key = ?",
                                  (*columns.values(), key))
            if cursor.rowcount != 1:
                raise KeyError(key)
            if kind is not None:
                self._event(conn, key, now, kind, detail)
        return self.get(key)

    # ------------------------------------------------------------------ creating

    def begin_submit(self, *, generator: str, resource: str, flow: str, title: str,
                     request: Mapping[str, Any], estimate: Decimal | None,
                     balance_before: Decimal | None, name_tag: str | None = None,
                     key: str | None = None) -> JobRecord:
        """Commit a ``submitting`` row: call it *before* the create request leaves."""
        key = uuid.uuid4().hex if key is None else key
        if not _KEY_PATTERN.fullmatch(key):
            raise ValueError(f"a job key is 1-64 letters, digits, '-' or '_', not {key!r}")
        body = _encode_request(request)
        _check_no_secret(title, "the title")
        if name_tag is not None:
            _check_no_secret(name_tag, "the name tag")
        now = _ts(self._clock())
        values: dict[str, Any] = {
            "key": key, "generator": generator, "resource": resource, "flow": flow,
            "title": title, "request": body, "name_tag": name_tag,
            "estimate": _dec(estimate, "estimate"),
            "balance_before": _dec(balance_before, "balance_before"),
            "state": JobState.SUBMITTING.value, "created_at": now, "updated_at": now,
        }
        try:
            with self._write() as conn:
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
        self._check_resource(record, snapshot)
        if record.server_id == snapshot.id:
            return self.apply_snapshot(key, snapshot)  # told twice: just news
        if record.state not in _UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked created")
        now = self._clock()
        state = self._state_after(record, snapshot)
        changes = self._snapshot_changes(record, snapshot, state, now)
        changes.update(server_id=snapshot.id, submitted_at=_ts(now))
        return self._update(key, changes, "created",
                            f"server id {snapshot.id}; {self._status_text(state, snapshot)}")

    def mark_ambiguous(self, key: str, detail: str) -> JobRecord:
        """The create may have reached Creatify but no answer came: ``unknown``, never retried.
        On an ``unknown`` job this records one more attempt to find it."""
        record = self.get(key)
        if record.state not in _UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked unknown")
        return self._update(key, {"state": JobState.UNKNOWN.value}, "ambiguous", detail)

    def mark_not_created(self, key: str, detail: str) -> JobRecord:
        """The create certainly created nothing (refused, never sent, reconciled as absent)."""
        record = self.get(key)
        if record.state not in _UNCREATED_STATES or record.server_id is not None:
            raise LedgerError(f"job {key} is {record.state}: it cannot be marked not created")
        now = _ts(self._clock())
        # The reason stays on the row (Creatify's refusal, "never sent", …) for the jobs list.
        return self._update(key, {"state": JobState.NOT_CREATED.value, "finished_at": now,
                                  "failed_reason": _clean(detail) or None},
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
        if record.state not in (*_UNCREATED_STATES, JobState.NOT_CREATED):
            raise LedgerError(f"job {key} is {record.state}: it cannot be given a server id")
        return self._update(key, {"server_id": server_id, "state": JobState.PENDING.value,
                                  "finished_at": None},
                            "found", f"server id {server_id}: {detail}")

    # ------------------------------------------------------------------ following

    def apply_snapshot(self, key: str, snapshot: JobSnapshot) -> JobRecord:
        """What a poll said about the job. Nothing written when nothing changed; one event
        per status change (or when results, credits or a reason arrive); progress alone
        changes the row only."""
        record = self.get(key)
        self._check_resource(record, snapshot)
        if record.server_id is None:
            raise LedgerError(f"job {key} has no server id yet: use mark_created or "
                              f"set_server_id first")
        if record.server_id != snapshot.id:
            raise LedgerError(f"a snapshot of {snapshot.id} cannot update job {key} "
                              f"(server id {record.server_id})")
        state = self._state_after(record, snapshot)
        changes = self._snapshot_changes(record, snapshot, state, self._clock())
        if not changes:
            return record
        kind: str | None
        if "state" in changes or "raw_status" in changes:
            if snapshot.status is JobStatus.UNKNOWN:
                kind = "unknown status"
                detail = (f"Creatify said {snapshot.raw_status!r}: treated as still running "
                          f"({state})")
            else:
                kind = "status"
                detail = f"{record.state} → {self._status_text(state, snapshot)}"
        else:
            news = sorted(set(changes) & {"result_urls", "preview_url", "response_text", "previews",
                                          "credits_used", "duration", "failed_reason"})
            kind = "updated" if news else None
            detail = ", ".join(news)
        return self._update(key, changes, kind, detail)

    def mark_stalled(self, key: str) -> JobRecord:
        """Past its generator's expected time: "still running — check later" (still polled)."""
        record = self.get(key)
        if record.state is JobState.STALLED:
            return record
        if record.state not in _RUNNING_STATES:
            raise LedgerError(f"job {key} is {record.state}: only a running job can stall")
        return self._update(key, {"state": JobState.STALLED.value}, "stalled",
                            f"{record.state} for longer than expected: still running")

    def mark_polled(self, keys: Iterable[str], at: datetime | None = None) -> None:
        """When these jobs were last read from Creatify (one transaction; no events)."""
        stamp = _ts(at or self._clock())
        rows = [(stamp, key) for key in dict.fromkeys(keys)]
        if not rows:
            return
        with self._write() as conn:
            conn.executemany("UPDATE jobs SET last_polled_at = ? WHERE key = ?", rows)

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
        new_error = _clean(error) if state is DownloadState.FAILED else None
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

    # ------------------------------------------------------------------ reading

    def get(self, key: str) -> JobRecord:
        """The job with local key ``key``; ``KeyError`` if there is none."""
        rows = self._read(f"{_SELECT} WHERE key = ?", (key,))
        if not rows:
            raise KeyError(key)
        return _record(rows[0])

    def find(self, resource: str, server_id: str) -> JobRecord | None:
        """The (newest) local job for a server job, or None."""
        rows = self._read(f"{_SELECT} WHERE resource = ? AND server_id = ? "
                          f"ORDER BY created_at DESC, rowid DESC LIMIT 1", (resource, server_id))
        return _record(rows[0]) if rows else None

    def on_server_job(self, resource: str, server_id: str) -> list[JobRecord]:
        """Every local job on one server job (a preview and its renders), oldest first."""
        rows = self._read(f"{_SELECT} WHERE resource = ? AND server_id = ? "
                          f"ORDER BY created_at, rowid", (resource, server_id))
        return [_record(row) for row in rows]

    def active(self) -> list[JobRecord]:
        """Jobs that need polling or reconciling and are watched, oldest first."""
        rows = self._read(f"{_SELECT} WHERE state IN ({_ACTIVE_SQL}) AND watching = 1 "
                          f"ORDER BY created_at, rowid")
        return [_record(row) for row in rows]

    def needing_download(self) -> list[JobRecord]:
        """Finished jobs with results whose download is not done nor failed, oldest first."""
        rows = self._read(f"{_SELECT} WHERE state IN ({_SUCCESS_SQL}) "
                          f"AND download_state IN ({_PENDING_DOWNLOADS_SQL}) "
                          f"AND result_urls != '[]' ORDER BY created_at, rowid")
        return [_record(row) for row in rows]

    def page(self, *, offset: int = 0, limit: int = 500,
             include_hidden: bool = False) -> list[JobRecord]:
        """Up to ``limit`` jobs, newest first, skipping ``offset``."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        where = "" if include_hidden else " WHERE hidden = 0"
        rows = self._read(f"{_SELECT}{where} ORDER BY created_at DESC, rowid DESC "
                          f"LIMIT ? OFFSET ?", (limit, offset))
        return [_record(row) for row in rows]

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
            params = (_ts(since),)
        reported: dict[tuple[str, str], Decimal] = {}
        estimated: dict[tuple[str, str], Decimal] = {}
        total = Decimal(0)
        for resource, server_id, credits_used, estimate, charged in self._read(sql, params):
            used = _parse_dec(credits_used)
            guess = _parse_dec(estimate) if charged else None
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
        one's estimate less what it has reported using so far (a running job may report
        ``credits_used: 0`` until it is charged; :meth:`spent` counts what it reported).
        ``credits_used`` is the server job's running total, so a render counts as used only
        what goes beyond the largest figure an earlier job on its server job reported."""
        rows = self._read(f"SELECT key, resource, server_id, estimate, credits_used, created_at "
                          f"FROM jobs WHERE state IN ({_ACTIVE_SQL}) AND estimate IS NOT NULL")
        total = Decimal(0)
        for key, resource, server_id, estimate, credits_used, created_at in rows:
            used = _parse_dec(credits_used) or Decimal(0)
            if used and server_id:
                earlier = [_parse_dec(v) for (v,) in self._read(
                    "SELECT credits_used FROM jobs WHERE resource = ? AND server_id = ? AND "
                    "key != ? AND created_at <= ? AND credits_used IS NOT NULL",
                    (resource, server_id, key, created_at))]
                used -= max((v for v in earlier if v is not None), default=Decimal(0))
            left = (_parse_dec(estimate) or Decimal(0)) - max(used, Decimal(0))
            total += max(left, Decimal(0))
        return total

    # ------------------------------------------------------------------ balance readings

    def record_balance(self, credits: Decimal, at: datetime | None = None) -> None:
        """Remember one remaining-credits figure read from Creatify (for the spending view)."""
        stamp = _ts(at or self._clock())
        with self._write() as conn:
            conn.execute("INSERT INTO balance_readings (at, credits) VALUES (?, ?)",
                         (stamp, _dec(credits, "credits")))

    def balance_readings(self, since: datetime | None = None) -> list[tuple[datetime, Decimal]]:
        """(time, credits) readings, oldest first; all of them when ``since`` is None."""
        sql = "SELECT at, credits FROM balance_readings"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " WHERE at >= ?"
            params = (_ts(since),)
        readings = []
        for at, credits in self._read(sql + " ORDER BY at, id", params):
            when, value = _parse_ts(at), _parse_dec(credits)
            if when is not None and value is not None:
                readings.append((when, value))
        return readings

    def paid_jobs(self, since: datetime | None = None) -> list[JobRecord]:
        """Every job that asked for credits (it has an estimate or reported a charge), hidden
        ones included, oldest first."""
        sql = f"{_SELECT} WHERE (estimate IS NOT NULL OR credits_used IS NOT NULL)"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " AND created_at >= ?"
            params = (_ts(since),)
        return [_record(row) for row in self._read(sql + " ORDER BY created_at, rowid", params)]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _check_resource(record: JobRecord, snapshot: JobSnapshot) -> None:
        if snapshot.resource != record.resource:
            raise LedgerError(f"a {snapshot.resource} snapshot cannot update job {record.key} "
                              f"({record.resource})")

    @staticmethod
    def _state_after(record: JobRecord, snapshot: JobSnapshot) -> JobState:
        """The row's state after ``snapshot``: a preview step reads the preview fields, any
        other row (a render, a one-step create) only the status."""
        ready = is_preview_step(record.flow) and snapshot.preview_ready
        return state_for(snapshot.status, record.state, preview_ready=ready)

    @staticmethod
    def _status_text(state: JobState, snapshot: JobSnapshot) -> str:
        raw = snapshot.raw_status
        return f"{state} ({raw})" if raw and raw != state.value else str(state)

    @staticmethod
    def _snapshot_changes(record: JobRecord, snapshot: JobSnapshot, state: JobState,
                          now: datetime) -> dict[str, Any]:
        """Columns the snapshot changes. Missing values (None, empty) keep what was known:
        a list answer may omit what an earlier answer carried.

        A row already ``preview_ready`` takes only fresh preview links: the server job's
        later status, results and credits belong to its render's row."""
        changes: dict[str, Any] = {}
        if record.state is JobState.PREVIEW_READY:
            if snapshot.preview_url is not None and snapshot.preview_url != record.preview_url:
                changes["preview_url"] = snapshot.preview_url
            if snapshot.previews and snapshot.previews != record.previews:
                changes["previews"] = json.dumps([p.to_json() for p in snapshot.previews],
                                                 ensure_ascii=False)
            return changes
        if state is not record.state:
            changes["state"] = state.value
            if state.is_terminal:
                changes["finished_at"] = _ts(now)
            elif record.finished_at is not None:
                changes["finished_at"] = None
        if snapshot.raw_status != record.raw_status:
            changes["raw_status"] = snapshot.raw_status
        if snapshot.progress is not None and snapshot.progress != record.progress:
            changes["progress"] = snapshot.progress
        if snapshot.result_urls and snapshot.result_urls != record.result_urls:
            changes["result_urls"] = _urls(snapshot.result_urls)
        if snapshot.thumbnails and snapshot.thumbnails != record.thumbnails:
            changes["thumbnails"] = _urls(snapshot.thumbnails)
        for name in ("preview_url", "response_text", "duration"):
            value = getattr(snapshot, name)
            if value is not None and value != getattr(record, name):
                changes[name] = value
        if snapshot.previews and snapshot.previews != record.previews:
            changes["previews"] = json.dumps([p.to_json() for p in snapshot.previews],
                                             ensure_ascii=False)
        if snapshot.credits_used is not None and snapshot.credits_used != record.credits_used:
            changes["credits_used"] = _dec(snapshot.credits_used, "credits_used")
        reason = _clean(snapshot.failed_reason)
        if reason is not None and reason != record.failed_reason:
            changes["failed_reason"] = reason
        return changes


__all__ = [
    "MIGRATIONS",
    "PREVIEW_FLOWS",
    "SCHEMA_VERSION",
    "DownloadState",
    "JobEvent",
    "JobRecord",
    "JobState",
    "Ledger",
    "LedgerError",
    "is_preview_step",
    "state_for",
]
