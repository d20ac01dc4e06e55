"""The content hash of local files, remembered so a big file is not read again each time.

A small JSON file in the data folder maps ``path`` → ``size``, ``mtime_ns``, ``sha256``; an
entry counts only while the file's size and modification time are unchanged. It is written
with :func:`app.atomic.write_text_atomically` (a crash leaves the old or the new index), holds
at most :data:`MAX_ENTRIES` files (the oldest used are dropped) and is only a cache: a
damaged one is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically

log = logging.getLogger(__name__)

MAX_ENTRIES = 2000
CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256 in hex, read in 1 MiB chunks (hashlib releases the GIL on them)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class HashIndex:
    """``sha256(path)`` with a remembered answer; thread-safe (uploads hash in workers)."""

    def __init__(self, file: Path | None) -> None:
        self._file = file
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            self._entries = {}
            if self._file is not None:
                try:
                    data = json.loads(self._file.read_text(encoding="utf-8"))
                    files = data.get("files", {}) if data.get("version") == 1 else {}
                    self._entries = {k: v for k, v in files.items() if isinstance(v, dict)}
                except FileNotFoundError:
                    pass
                except (OSError, ValueError, AttributeError) as exc:
                    log.warning("Ignoring the upload hash index (%s)", type(exc).__name__)
        return self._entries

    def sha256(self, path: Path) -> str:
        """The SHA-256 of ``path``: remembered when the size and mtime match, else read."""
        key = str(path.resolve())
        stat = path.stat()
        with self._lock:
            entry = self._load().get(key)
            if (entry is not None and entry.get("size") == stat.st_size
                    and entry.get("mtime_ns") == stat.st_mtime_ns
                    and isinstance(entry.get("sha256"), str)):
                entry["used"] = time.time()
                return str(entry["sha256"])
        digest = sha256_file(path)
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            return digest  # changed while read: use this digest once, remember nothing
        with self._lock:
            entries = self._load()
            entries[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                            "sha256": digest, "used": time.time()}
            if len(entries) > MAX_ENTRIES:
                oldest = sorted(entries, key=lambda k: entries[k].get("used", 0))
                for stale in oldest[:len(entries) - MAX_ENTRIES]:
                    del entries[stale]
            self._save(entries)
        return digest

    def _save(self, entries: dict[str, dict[str, Any]]) -> None:
        if self._file is None:
            return
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(self._file, json.dumps({"version": 1, "files": entries}))
        except OSError as exc:  # only a cache: the upload goes on
            log.warning("Could not save the upload hash index (%s)", type(exc).__name__)
