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
* **Durable where the money is.** ``journal_mode=WAL`` with ``synchronous=NORMAL`` for
  ordinary writes: a committed change survives the app crashing or being killed (only a
  power cut can lose the last ones); the writes that must precede the network
  (:meth:`~Ledger.begin_submit`, :meth:`~Ledger.mark_ambiguous`) commit with
  ``synchronous=FULL`` (fsynced, and every earlier commit with them). A transaction cut
  short by a crash leaves no trace.
* **Versioned.** ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` is the
  ordered list of upgrade steps (each in its own transaction). An older file is upgraded on
  open; a newer one, a foreign SQLite file or a damaged one raises :class:`LedgerError`
  naming the file — nothing is ever deleted or rewritten to "fix" it.
* **No secrets.** A request body (or title, or name tag) holding a secret registered with
  :mod:`app.logsafe` is refused; free text (event details, errors, failure reasons) is
  stored redacted.

Storage: Decimals as TEXT, datetimes as fixed-width ISO-8601 UTC TEXT (so they sort as
text), tuples and request bodies as JSON TEXT. A :class:`Ledger` is used from the thread that
opened it. The job manager reads through one on the asyncio (GUI) thread and writes through a
:class:`LedgerWriter`: a second connection in one worker thread, so no fsync, lock wait or row
building runs on the window's thread; a whole poll answer is one transaction
(:meth:`~Ledger.apply_answer`).

The package: :mod:`._states` (job and download states, :func:`state_for`), :mod:`._records`
(:class:`JobRecord`, :class:`JobEvent`, how a row is written and read), :mod:`._schema` (the
tables, :data:`MIGRATIONS`, :data:`SCHEMA_VERSION`, the version check), :mod:`._snapshots`
(what a poll changes in a row), :mod:`._store` (:class:`Ledger`: the connection and the
writes), :mod:`._polls` (the polling writes), :mod:`._writer` (:class:`LedgerWriter`) and
:mod:`._queries` (its reads: pages, :meth:`~Ledger.spent`,
:meth:`~Ledger.committed`, :meth:`~Ledger.paid_jobs`, balance readings …).
"""

from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._records import JobEvent, JobRecord
from app.jobs.ledger._schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from app.jobs.ledger._states import (
    PREVIEW_FLOWS,
    DownloadState,
    JobState,
    is_preview_step,
    state_for,
)
from app.jobs.ledger._store import BUSY_TIMEOUT_SECONDS, Ledger
from app.jobs.ledger._writer import LedgerWriter

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_SECONDS",
    "MIGRATIONS",
    "PREVIEW_FLOWS",
    "SCHEMA_VERSION",
    "DownloadState",
    "JobEvent",
    "JobRecord",
    "JobState",
    "Ledger",
    "LedgerError",
    "LedgerWriter",
    "is_preview_step",
    "state_for",
]
