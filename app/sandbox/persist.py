"""The sandbox's state file: read at start, written atomically after changes, set aside when
damaged.

:class:`StateFile` reads and writes one JSON document (``app.atomic``: a crash leaves the
old version or the new one, never half of each). A file that cannot be read back — not
JSON, another format, a value out of place — is renamed ``<name>.bad-<UTC time>`` with a
warning in the log, and the simulator starts afresh: nothing is lost (the bad file stays for
a person to look at) and nothing half-read is served.

:class:`StateSaver` decides when to write: at once after a request that may have changed the
account (a POST, PUT or DELETE: a create is on disk before its answer leaves), within
``delay`` seconds after reads (which move jobs along the clock), and at stop.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically

__all__ = ["SAVE_DELAY", "StateFile", "StateSaver"]

log = logging.getLogger("app.sandbox.state")

SAVE_DELAY = 0.5
"""Seconds a change seen by a read waits before it is written (changes in between join it)."""


class StateFile:
    """One state document on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> Any | None:
        """The document, or ``None`` when there is none (or it was damaged and set aside)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.set_aside(f"it cannot be read ({exc})")
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            self.set_aside(f"it is not JSON ({exc})")
            return None

    def write(self, data: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.path, json.dumps(data, separators=(",", ":")))

    def set_aside(self, reason: str) -> Path | None:
        """Rename the damaged file ``<name>.bad-<UTC time>`` and say so in the log."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
        try:
            self.path.rename(target)
        except OSError as exc:
            log.warning("The sandbox state %s is damaged (%s) and could not be set aside "
                        "(%s); the sandbox starts afresh and will write over it.",
                        self.path, reason, exc)
            return None
        log.warning("The sandbox state %s is damaged (%s): kept as %s; the sandbox starts "
                    "afresh.", self.path, reason, target.name)
        return target


class StateSaver:
    """Writes ``snapshot()`` to ``file``: :meth:`save_now` at once, :meth:`soon` within
    ``delay`` seconds (from a background thread), :meth:`close` a last time."""

    def __init__(self, file: StateFile, snapshot: Callable[[], Any], *,
                 delay: float = SAVE_DELAY) -> None:
        self._file = file
        self._snapshot = snapshot
        self._delay = delay
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="creatify-sandbox-state",
                                        daemon=True)
        self._thread.start()

    def save_now(self) -> None:
        """Write the current state (the snapshot is taken inside the write lock, so a later
        write never carries an older state). A failure is logged, once, and not raised."""
        with self._write_lock:
            self._wake.clear()
            try:
                self._file.write(self._snapshot())
            except (OSError, TypeError, ValueError) as exc:
                if not self._failed:
                    log.error("The sandbox state could not be written to %s: %s",
                              self._file.path, exc)
                self._failed = True
            else:
                self._failed = False

    def soon(self) -> None:
        self._wake.set()

    def close(self) -> None:
        """Stop the background thread and write a last time."""
        self._closing.set()
        self._wake.set()
        self._thread.join()
        self.save_now()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # Let the changes of the next moment join this write (close cuts the wait short).
            if self._closing.is_set() or self._closing.wait(self._delay):
                return
            if self._wake.is_set():
                self.save_now()
