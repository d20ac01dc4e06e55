"""Unfinished forms: one draft per generator, written a moment after the last change, in a
writer thread (never on the caller's), so a restart finds the form as it was left."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.presets._file import now_text, plain_values, read_store, write_store

log = logging.getLogger("app.presets")

DRAFTS_FILE = "drafts.json"
DRAFT_DELAY = 1.0
"""Seconds after the last change before the drafts are written."""


class DraftStore:
    """The drafts of every generator, in ``<data dir>/drafts.json``.

    :meth:`put` and :meth:`clear` change memory at once and move the moment of writing to
    :attr:`delay` seconds later; then one writer thread (started on the first change) writes
    the file atomically. :meth:`flush` writes now, :meth:`close` stops the writer and writes
    what is pending. A write that fails is logged and
    reported through ``on_error`` (the drafts stay in memory and the next change tries
    again)."""

    def __init__(self, data_dir: Path, delay: float = DRAFT_DELAY,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.path = data_dir / DRAFTS_FILE
        self.delay = delay
        self.on_error = on_error
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._writer: threading.Thread | None = None
        self._due: float | None = None  # (monotonic) when the pending change is written
        self._closed = False
        self._dirty = False
        self.writes = 0
        loaded = read_store(self.path, "drafts", "drafts")
        self.problem = loaded.problem
        self.read_only = loaded.read_only
        self._drafts: dict[str, dict[str, Any]] = {
            str(g): dict(d["values"]) for g, d in loaded.entries.items()
            if isinstance(d, Mapping) and isinstance(d.get("values"), Mapping)}
        self._saved_at: dict[str, str] = {
            str(g): str(d.get("saved_at", "")) for g, d in loaded.entries.items()
            if isinstance(d, Mapping)}

    def get(self, generator: str) -> dict[str, Any] | None:
        with self._lock:
            draft = self._drafts.get(generator)
            return dict(draft) if draft is not None else None

    def put(self, generator: str, values: Mapping[str, Any]) -> None:
        """Keep ``values`` as ``generator``'s draft (written :attr:`delay` seconds after the
        last change); a value a file cannot hold raises ``TypeError``."""
        kept = plain_values(values)
        with self._lock:
            if self._drafts.get(generator) == kept:
                return
            self._drafts[generator] = kept
            self._saved_at[generator] = now_text()
            self._schedule()

    def clear(self, generator: str) -> None:
        with self._lock:
            if self._drafts.pop(generator, None) is None:
                return
            self._saved_at.pop(generator, None)
            self._schedule()

    def _schedule(self) -> None:  # (the lock is held)
        self._dirty = True
        if self.read_only or self._closed:
            return
        self._due = time.monotonic() + self.delay
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_when_due, name="draft writer",
                                            daemon=True)
            self._writer.start()
        else:
            self._wake.notify()

    def _write_when_due(self) -> None:
        """The writer thread: waits for a change, then for :attr:`delay` seconds of quiet
        (each change moves the moment on), then writes."""
        while True:
            with self._wake:
                while not self._closed and (self._due is None
                                            or time.monotonic() < self._due):
                    wait = None if self._due is None else self._due - time.monotonic()
                    self._wake.wait(wait)
                if self._closed:
                    return
                self._due = None
            self.flush()

    @property
    def pending(self) -> bool:
        """Changes not written yet."""
        with self._lock:
            return self._dirty

    def flush(self) -> None:
        """Write the drafts now if anything changed since the last write."""
        if self.read_only:
            return
        with self._write_lock:
            with self._lock:
                if not self._dirty:
                    return
                self._dirty = False
                entries = {g: {"values": v, "saved_at": self._saved_at.get(g, "")}
                           for g, v in self._drafts.items()}
            try:
                write_store(self.path, "drafts", entries)
                self.writes += 1
            except OSError as exc:
                with self._lock:
                    self._dirty = True
                log.warning("could not write the drafts to %s: %s", self.path, exc)
                if self.on_error is not None:
                    self.on_error(f"The unfinished forms could not be saved: {exc}")

    def close(self) -> None:
        """Stop the writer thread and write what is pending (here, now)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self.flush()


__all__ = ["DRAFTS_FILE", "DRAFT_DELAY", "DraftStore"]
