"""Catalogue images kept on disk: avatars' faces and other gallery pictures.

One file per image under the cache folder, named by the SHA-256 of its URL (never the URL
itself), written to a temporary name and renamed (a reader never sees half a file). The
folder is bounded: after a write pushes it past ``max_bytes`` the least recently used files
(by modification time, which :meth:`ImageCache.get` refreshes) are removed until it is back
under 90 % of the bound. Every method does file I/O: call them off the GUI thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path

from app.atomic import write_bytes_atomically

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 << 20
"""64 MiB: a few thousand avatar faces."""
MAX_IMAGE_BYTES = 8 << 20
"""A single image larger than this is not kept."""
_SUFFIX = ".img"


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class ImageCache:
    """Image bytes by URL in ``folder``, at most about ``max_bytes`` in all."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes <= 0:
            raise ValueError("the image cache needs a positive size bound")
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # bytes on disk, counted on first need

    def path(self, url: str) -> Path:
        key = url_key(url)
        return self.folder / key[:2] / f"{key}{_SUFFIX}"

    def get(self, url: str) -> bytes | None:
        """The cached bytes of ``url`` (marked as just used), or ``None``."""
        path = self.path(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def put(self, url: str, data: bytes) -> bool:
        """Keep ``data`` for ``url``; whether it was kept (too large or a disk error: not)."""
        if not data or len(data) > min(MAX_IMAGE_BYTES, self.max_bytes):
            return False
        path = self.path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                old = path.stat().st_size
            except OSError:
                old = 0
            write_bytes_atomically(path, data, durable=False)
        except OSError as exc:
            log.info("image not cached (%s)", exc)
            return False
        with self._lock:
            if self._total is not None:
                self._total += len(data) - old
            over = self._size_locked() > self.max_bytes
        if over:
            self.trim()
        return True

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return [p for p in self.folder.glob(f"*/*{_SUFFIX}") if p.is_file()]

    def _size_locked(self) -> int:
        if self._total is None:
            total = 0
            for p in self._files():
                with contextlib.suppress(OSError):
                    total += p.stat().st_size
            self._total = total
        return self._total

    def size(self) -> int:
        """The bytes the cache holds on disk."""
        with self._lock:
            return self._size_locked()

    def trim(self, target: int | None = None) -> int:
        """Remove the least recently used files until at most ``target`` bytes (90 % of the
        bound by default) remain; the number of files removed."""
        goal = int(self.max_bytes * 0.9) if target is None else target
        with self._lock:
            entries: list[tuple[float, int, Path]] = []
            for p in self._files():
                try:
                    st = p.stat()
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, p))
            total = sum(size for _, size, _ in entries)
            removed = 0
            for _mtime, size, p in sorted(entries, key=lambda e: e[0]):
                if total <= goal:
                    break
                try:
                    p.unlink()
                except OSError:
                    continue
                total -= size
                removed += 1
            self._total = total
            return removed

    def clear(self) -> None:
        self.trim(0)


__all__ = ["DEFAULT_MAX_BYTES", "MAX_IMAGE_BYTES", "ImageCache", "url_key"]
