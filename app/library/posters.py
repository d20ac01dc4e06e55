"""Poster frames kept on disk: one small JPEG per source, so the library's grid shows them
again at once after a restart without fetching a thumbnail or decoding a video again.

A poster's identity is where it came from: ``url:<thumbnail URL>`` for a job's thumbnail, or
``file:<path>:<mtime_ns>:<size>`` for a frame taken from a saved file (a file replaced by a new
download gets a new poster). The file name is a hash of the identity. Everything here does
file I/O: call it from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.atomic import write_bytes_atomically

FOLDER = "posters"
MAX_POSTERS = 5000
"""Posters kept; :meth:`PosterCache.prune` removes the least recently written beyond this."""


def url_identity(url: str) -> str:
    return f"url:{url}"


def file_identity(path: str) -> str | None:
    """The identity of a frame of the file at ``path`` (``None`` when it is not there)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"file:{path}:{stat.st_mtime_ns}:{stat.st_size}"


class PosterCache:
    """Poster bytes (JPEG: quick to write and to read back) by identity, under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def in_cache(cls, cache_dir: Path) -> PosterCache:
        return cls(cache_dir / FOLDER)

    def path(self, identity: str) -> Path:
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{digest}.jpg"

    def read(self, identity: str) -> bytes | None:
        try:
            return self.path(identity).read_bytes()
        except OSError:
            return None

    def write(self, identity: str, data: bytes) -> Path:
        """Keep ``data`` for ``identity`` (written beside and renamed: a reader never sees
        half a file; no fsync, a cache lost in a crash is made again)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(identity)
        write_bytes_atomically(target, data, durable=False)
        return target

    def prune(self, keep: int = MAX_POSTERS) -> int:
        """Remove the oldest posters beyond ``keep``; how many were removed."""
        try:
            files = sorted(self.folder.glob("*.jpg"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return 0
        removed = 0
        for old in files[:max(0, len(files) - keep)]:
            try:
                old.unlink()
                removed += 1
            except OSError:
                pass
        return removed


__all__ = ["FOLDER", "MAX_POSTERS", "PosterCache", "file_identity", "url_identity"]
