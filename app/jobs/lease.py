"""One ledger, several processes: the follower lease, the send lock and the ledger watch.

The window and the command line may open the same ledger file at once. SQLite (WAL, a busy
timeout) keeps the file whole; what it cannot decide is *who polls Creatify*. So:

* :class:`FollowerLease` — an OS file lock (the maintained ``filelock`` package: ``flock`` on
  POSIX, ``LockFileEx`` on Windows) on ``<ledger>.follower.lock``. Its holder is the one
  process that polls, reconciles and downloads the active jobs. The operating system drops the
  lock when the holder exits or is killed, so another process takes over on its next try — no
  heartbeat to tune, no stale lease to expire. Who holds it (its role and pid) is written
  beside it, ``<ledger>.follower.json``, for the other process to say so.
* :class:`SendLock` — the budget guard's check and the ``submitting`` row are one step across
  processes too (``<ledger>.send.lock``): two paid sends at the same moment each see the
  other's committed credits.
* :class:`LedgerWatch` — how a process sees the rows another process changed: ``PRAGMA
  data_version`` on a connection of its own (it changes when any *other* connection commits),
  then the events added since (indexed by id) and the active rows whose ``updated_at`` moved.
  A cheap poll of an integer, never a busy loop.

A lock file on an SQLite ledger rather than a lease row in it: a row needs a heartbeat and an
expiry (a killed follower would hold it until then), and every renewal is a write competing
with the jobs' own; the OS lock is released the instant its process dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from app.atomic import write_text_atomically
from app.jobs.ledger import JobState, LedgerError

log = logging.getLogger(__name__)

WINDOW = "window"
COMMAND_LINE = "command line"
SEND_LOCK_TIMEOUT = 60.0
"""How long a paid send waits for another process's check-and-record step (a balance read)."""


def _shared(ledger_path: str) -> bool:
    """Whether the ledger is a file other processes can open (not ``:memory:``)."""
    return ledger_path != ":memory:" and not ledger_path.startswith("file::memory:")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who follows the jobs of a ledger: its role (``window``, ``command line``) and pid."""

    role: str
    pid: int


class FollowerLease:
    """The right to poll, reconcile and download a ledger's active jobs, held by one process
    at a time. :meth:`try_acquire` never waits; the lock goes when the process does."""

    def __init__(self, ledger_path: str | os.PathLike[str], role: str = WINDOW) -> None:
        path = os.fspath(ledger_path)
        self.role = role
        self._shared = _shared(path)
        self._lock = FileLock(f"{path}.follower.lock", thread_local=False) \
            if self._shared else None
        self._info = Path(f"{path}.follower.json")
        self._held = not self._shared  # an in-memory ledger has no other process

    @property
    def held(self) -> bool:
        return self._held

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it (at once, never waiting); whether we hold it."""
        if self._held or self._lock is None:
            return self._held
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        except OSError as exc:  # a folder we cannot write: follow nothing, say why
            log.warning("cannot take the follower lease %s: %s", self._lock.lock_file, exc)
            return False
        self._held = True
        try:
            write_text_atomically(self._info, json.dumps({"role": self.role,
                                                          "pid": os.getpid()}))
        except OSError as exc:
            log.info("could not note the follower in %s: %s", self._info, exc)
        log.info("this process (%s, pid %d) follows the jobs of %s", self.role, os.getpid(),
                 self._info.name.removesuffix(".follower.json"))
        return True

    def release(self) -> None:
        """Give the lease up (idempotent): another process may take it at once."""
        if not self._held or self._lock is None:
            return
        self._held = False
        with contextlib.suppress(OSError):
            self._info.unlink(missing_ok=True)
        self._lock.release(force=True)

    def holder(self) -> Holder | None:
        """Who holds the lease, as far as it said (``None`` when we do or nobody said)."""
        if self._held:
            return None
        try:
            data = json.loads(self._info.read_text(encoding="utf-8"))
            return Holder(str(data["role"]), int(data["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


class SendLock:
    """The budget check and the ``submitting`` row as one step: an ``asyncio.Lock`` in this
    process, and a file lock across processes (waited for without blocking the loop)."""

    def __init__(self, ledger_path: str | os.PathLike[str], *,
                 timeout: float = SEND_LOCK_TIMEOUT) -> None:
        path = os.fspath(ledger_path)
        self._local = asyncio.Lock()
        self._file = FileLock(f"{path}.send.lock", thread_local=False) \
            if _shared(path) else None
        self._timeout = timeout

    async def __aenter__(self) -> None:
        await self._local.acquire()
        if self._file is None:
            return
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                self._file.acquire(timeout=0)
                return
            except Timeout:
                if time.monotonic() > deadline:
                    self._local.release()
                    raise LedgerError("another Creatify Studio is still sending a paid "
                                      "request on this ledger; nothing was sent") from None
                await asyncio.sleep(0.02)
            except BaseException:
                self._local.release()
                raise

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if self._file is not None:
                self._file.release()
        finally:
            self._local.release()


_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in JobState if s.is_active)


class LedgerWatch:
    """Which rows of a ledger file other connections changed since the last look.

    Its own read connection: ``PRAGMA data_version`` moves only for commits made elsewhere
    (another process, or this process's writing connection — the caller skips what it wrote
    itself by :meth:`saw`). A changed row is one with a new event, or an active row whose
    ``updated_at`` moved (progress alone writes no event)."""

    def __init__(self, ledger_path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(ledger_path)
        self._conn: sqlite3.Connection | None = None
        self._version = -1
        self._last_event = 0
        self._stamps: dict[str, datetime] = {}
        if not _shared(self.path):
            return
        try:
            self._conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None,
                                         check_same_thread=True)
            self._last_event = self._conn.execute(
                "SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
            self._version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            for key, stamp in self._conn.execute(
                    f"SELECT key, updated_at FROM jobs WHERE state IN ({_ACTIVE_SQL})"):
                self._stamps[key] = datetime.fromisoformat(stamp)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot watch the job ledger {self.path}: {exc}") from exc

    def saw(self, key: str, updated_at: datetime) -> None:
        """This process wrote (or already reported) ``key`` as of ``updated_at``."""
        self._stamps[key] = updated_at

    def changed(self) -> list[str]:
        """Keys whose rows changed elsewhere since the last call, oldest change first."""
        conn = self._conn
        if conn is None:
            return []
        try:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return []
            self._version = version
            conn.execute("BEGIN")  # one snapshot for both reads
            try:
                events = conn.execute("SELECT id, key FROM events WHERE id > ? ORDER BY id",
                                      (self._last_event,)).fetchall()
                keys = list(dict.fromkeys(key for _id, key in events))
                if events:
                    self._last_event = events[-1][0]
                rows = conn.execute("SELECT key, updated_at FROM jobs WHERE key IN "
                                    f"(SELECT key FROM jobs WHERE state IN ({_ACTIVE_SQL})) "
                                    "OR key IN (SELECT value FROM json_each(?))",
                                    (json.dumps(keys),)).fetchall()
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("cannot read the job ledger %s for changes: %s", self.path, exc)
            return []
        stamps = [(key, datetime.fromisoformat(stamp)) for key, stamp in rows]
        moved = [key for key, stamp in stamps if self._stamps.get(key) != stamp]
        self._stamps.update(stamps)
        order = {key: index for index, key in enumerate(keys)}
        return sorted(moved, key=lambda key: order.get(key, -1))

    def stale_submits(self, before: datetime) -> list[str]:
        """``submitting`` rows last changed before ``before``: a sender that wrote one and
        had no answer by then has died (a send ends, one way or the other, well before)."""
        if self._conn is None:
            return []
        stamp = before.astimezone(UTC).isoformat(timespec="microseconds")  # the ledger's form
        try:
            rows = self._conn.execute(
                "SELECT key FROM jobs WHERE state = ? AND updated_at < ? ORDER BY created_at",
                (JobState.SUBMITTING.value, stamp)).fetchall()
        except sqlite3.Error as exc:
            log.warning("cannot read the job ledger %s: %s", self.path, exc)
            return []
        return [key for (key,) in rows]

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()


__all__ = ["COMMAND_LINE", "WINDOW", "FollowerLease", "Holder", "LedgerWatch", "SendLock"]
