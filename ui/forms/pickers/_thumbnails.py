"""Thumbnails for catalogue rows: pixmaps fetched through the service a few at a time."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from ui.service import StudioService

THUMBNAILS_IN_FLIGHT = 6
"""At most this many thumbnails are asked from the service at once (long avatar lists)."""
THUMBNAIL_TIMEOUT_MS = 20_000
"""A thumbnail not arrived by then is given up (the service reports no image failures)."""
THUMBNAIL_SIZE = 32
CLOSED_AVATAR_SIZE = 24
"""The chosen avatar's icon in the closed combo (its face shows in the preview beside it)."""
ROW_THUMBNAIL_SIZE = 72
"""Each avatar's face in the open list: large enough to recognise someone."""
PREVIEW_SIZE = 128


def show_scaled(label: QLabel, pixmap: QPixmap | None, size: int) -> None:
    """``pixmap`` in ``label`` fitted in a ``size`` square, or "…" while none has arrived."""
    if pixmap is None:
        label.clear()
        label.setText("…")
    else:
        label.setPixmap(pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))


class ThumbnailLoader(QObject):
    """Pixmaps for image URLs, fetched through the service a few at a time."""

    ready = Signal(str, QPixmap)

    def __init__(self, service: StudioService, parent: QObject | None = None,
                 in_flight: int = THUMBNAILS_IN_FLIGHT,
                 timeout_ms: int = THUMBNAIL_TIMEOUT_MS) -> None:
        super().__init__(parent)
        self.service = service
        self._limit = max(1, in_flight)
        self._timeout = timeout_ms
        self._pixmaps: dict[str, QPixmap] = {}
        self._queue: deque[str] = deque()
        self._flying: set[str] = set()
        self._failed: set[str] = set()
        service.imageLoaded.connect(self._on_image)
        service.imageFailed.connect(lambda url, _message: self._give_up(url))

    def pixmap(self, url: str | None) -> QPixmap | None:
        return self._pixmaps.get(url) if url else None

    def want(self, urls: Iterable[str | None], urgent: bool = False) -> None:
        """Fetch ``urls`` (``urgent``: before the ones already queued)."""
        fresh = [u for u in urls if u and u not in self._pixmaps and u not in self._flying
                 and u not in self._failed]
        if urgent:
            for url in reversed(fresh):
                if url in self._queue:
                    self._queue.remove(url)
                self._queue.appendleft(url)
        else:
            queued = set(self._queue)
            self._queue.extend(u for u in dict.fromkeys(fresh) if u not in queued)
        self._pump()

    def _pump(self) -> None:
        while self._queue and len(self._flying) < self._limit:
            url = self._queue.popleft()
            data = self.service.image(url)
            if data is not None:
                self._take(url, data)
                continue
            self._flying.add(url)
            QTimer.singleShot(self._timeout, self, lambda u=url: self._give_up(u))

    def _take(self, url: str, data: bytes) -> None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self._failed.add(url)
            return
        self._pixmaps[url] = pixmap
        self.ready.emit(url, pixmap)

    def _on_image(self, url: str, data: bytes) -> None:
        wanted = url in self._flying or url in self._queue
        self._flying.discard(url)
        if url in self._queue:
            self._queue.remove(url)
        if wanted:
            self._take(url, data)
        self._pump()

    def _give_up(self, url: str) -> None:
        if url in self._flying:
            self._flying.discard(url)
            self._failed.add(url)
            self._pump()


__all__ = ["CLOSED_AVATAR_SIZE", "PREVIEW_SIZE", "ROW_THUMBNAIL_SIZE", "THUMBNAILS_IN_FLIGHT",
           "THUMBNAIL_SIZE", "THUMBNAIL_TIMEOUT_MS", "ThumbnailLoader", "show_scaled"]
