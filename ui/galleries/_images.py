"""Gallery pictures: fetched only when a card is painted, kept on disk, decoded off the GUI
thread.

:meth:`GalleryImages.pixmap` answers from memory or returns ``None`` and starts loading —
a model calls it from ``data()``, so only the cards a view paints (the visible ones) ever ask.
Loading reads the disk cache (:class:`app.galleries.ImageCache`, under the app's cache
folder) in a worker thread; a miss asks the service (``StudioService.image``: one HTTP read,
on the event loop), and the bytes it brings are written to the cache and decoded in a worker
thread too. The GUI thread only turns a decoded, already scaled ``QImage`` into a pixmap.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from app.galleries import ImageCache

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

IMAGE_SIZE = 240
"""Pictures are kept at most this large (the detail pane's size); a card gets its own crop."""
MEMORY_PICTURES = 300
IN_FLIGHT = 6
"""At most this many pictures are fetched at once; the latest wanted go first (after a fast
scroll, the cards now on screen before the ones scrolled past)."""
ANSWER_TIMEOUT_MS = 20_000
"""A fetch not answered by then frees its place (the service reports HTTP failures only)."""
"""Decoded pictures kept in memory (the least recently used dropped beyond)."""
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="gallery images")


def image_cache_for(service: StudioService) -> ImageCache:
    """The disk cache of gallery pictures: ``<cache folder>/images``."""
    folder: Path = service.cache_dir / "images"
    return ImageCache(folder)


def _decode(data: bytes, size: int, card: QSize | None) -> tuple[QImage, QImage | None] | None:
    """The picture fitted in ``size`` and, when ``card`` is given, cropped to fill a card's
    picture (both made here, in a worker thread: painting a card scales nothing)."""
    image = QImage()
    if not image.loadFromData(data):
        return None
    if image.width() > size or image.height() > size:
        image = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    if card is None or card.isEmpty():
        return image, None
    filled = image.scaled(card, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                          Qt.TransformationMode.SmoothTransformation)
    x = (filled.width() - card.width()) // 2
    y = (filled.height() - card.height()) // 2
    return image, filled.copy(x, y, card.width(), card.height())


class GalleryImages(QObject):
    """Pictures by URL for one gallery; ``ready(url)`` when one arrives."""

    ready = Signal(str)
    failed = Signal(str)
    _decoded = Signal(str, object)  # url, QImage | None (from a worker thread)
    _missing = Signal(str)          # not on disk: ask the service (from a worker thread)

    def __init__(self, service: StudioService, cache: ImageCache | None = None,
                 parent: QObject | None = None, size: int = IMAGE_SIZE,
                 card: QSize | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.cache = cache if cache is not None else image_cache_for(service)
        self.size = size
        self.card = card
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._cards: dict[str, QPixmap] = {}  # the card-sized crops (same keys)
        self._pending: set[str] = set()
        self._waiting: list[str] = []   # not on disk, waiting for a place (newest last)
        self._asked: set[str] = set()   # asked of the service (network)
        self._fetched: set[str] = set()  # brought by the service, being decoded
        self._failed: set[str] = set()
        self.from_disk = 0              # pictures the disk cache answered
        self.from_network = 0           # pictures the service fetched
        self.source: dict[str, str] = {}  # url -> "disk" or "network" (where it came from)
        self._decoded.connect(self._on_decoded)
        self._missing.connect(self._on_missing)
        service.imageLoaded.connect(self._on_loaded)
        service.imageFailed.connect(self._on_failed)

    # -- asking

    def pixmap(self, url: str | None) -> QPixmap | None:
        """The picture of ``url`` if it is in memory; else ``None``, and loading starts."""
        if not url:
            return None
        pixmap = self._pixmaps.get(url)
        if pixmap is not None:
            self._pixmaps.move_to_end(url)
            return pixmap
        self.want(url)
        return None

    def card_pixmap(self, url: str | None) -> QPixmap | None:
        """The picture cropped to the card's size (the whole one without a card size); like
        :meth:`pixmap`, ``None`` starts loading."""
        full = self.pixmap(url)
        if full is None or url is None:
            return None
        return self._cards.get(url, full)

    def want(self, url: str) -> None:
        if url in self._waiting:  # wanted again (painted again): fetched next
            self._waiting.remove(url)
            self._waiting.append(url)
            return
        if url in self._pending or url in self._failed or url in self._pixmaps:
            return
        self._pending.add(url)
        _WORKERS.submit(self._read_disk, url)

    @property
    def loading(self) -> int:
        return len(self._pending)

    # -- worker threads

    def _emit(self, name: str, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the gallery closed meanwhile
            getattr(self, name).emit(*args)

    def _read_disk(self, url: str) -> None:
        data = self.cache.get(url)
        if data is None:
            self._emit("_missing", url)
            return
        self._emit("_decoded", url, _decode(data, self.size, self.card))

    def _store_and_decode(self, url: str, data: bytes) -> None:
        image = _decode(data, self.size, self.card)
        if image is not None:
            self.cache.put(url, data)
        self._emit("_decoded", url, image)

    # -- GUI thread

    def _on_missing(self, url: str) -> None:
        if url in self._pending:
            self._waiting.append(url)
            self._pump()

    def _pump(self) -> None:
        while self._waiting and len(self._asked) < IN_FLIGHT:
            url = self._waiting.pop()
            self._asked.add(url)
            QTimer.singleShot(ANSWER_TIMEOUT_MS, self,
                              lambda u=url: self._on_failed(u, "no answer"))
            data = self.service.image(url)  # bytes the session holds, or imageLoaded follows
            if data is not None:
                self._on_loaded(url, data)

    def _on_loaded(self, url: str, data: bytes) -> None:
        if url not in self._asked:
            return
        self._asked.discard(url)
        self._fetched.add(url)
        self.from_network += 1
        _WORKERS.submit(self._store_and_decode, url, data)
        self._pump()

    def _on_failed(self, url: str, _message: str) -> None:
        if url in self._asked:
            self._asked.discard(url)
            self._pending.discard(url)
            self._failed.add(url)
            self.failed.emit(url)
            self._pump()

    def _on_decoded(self, url: str, decoded: object) -> None:
        if url not in self._pending:
            return
        self._pending.discard(url)
        image, crop = decoded if isinstance(decoded, tuple) else (None, None)
        if not isinstance(image, QImage) or image.isNull():
            self._failed.add(url)
            self.failed.emit(url)
            return
        if url in self._fetched:
            self._fetched.discard(url)
            self.source[url] = "network"
        else:
            self.from_disk += 1
            self.source[url] = "disk"
        self._pixmaps[url] = QPixmap.fromImage(image)
        if isinstance(crop, QImage):
            self._cards[url] = QPixmap.fromImage(crop)
        while len(self._pixmaps) > MEMORY_PICTURES:
            dropped, _ = self._pixmaps.popitem(last=False)
            self._cards.pop(dropped, None)
        self.ready.emit(url)


__all__ = ["ANSWER_TIMEOUT_MS", "IMAGE_SIZE", "IN_FLIGHT", "GalleryImages", "image_cache_for"]
