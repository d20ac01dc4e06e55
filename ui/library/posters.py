"""The posters of the library's cards: loaded when a card is painted, never on the GUI
thread's critical path.

For each item, in this order: the poster kept on disk (:class:`app.library.PosterCache`);
else the job's thumbnail, fetched through the service (``StudioService.image``); else, for a
saved image, the image itself; else, for a saved video, a frame taken from the file
(:class:`~ui.library.frames.FrameGrabber`, one file at a time) — or, for a style preview that
is not saved, a frame of its video at its URL. Disk reads, decoding, scaling
and JPEG writes happen in one worker thread, which also scales each poster to the size the
card paints it (:attr:`PosterLoader.display`, in device pixels): the GUI thread only turns that
small image into a pixmap and paints it unscaled. An item with none of these (a sound, a file
gone) has no poster: the card paints its kind instead. :attr:`PosterLoader.ready` says which
item's poster changed.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from app.library import LibraryItem, PosterCache, file_identity, url_identity
from ui.library.frames import FrameGrabber

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

POSTER_SIZE = QSize(416, 234)
"""Posters are kept at twice the card's poster area (sharp on a 2× screen)."""
MEMORY = 400
"""Posters held in memory (the rest are read again from disk when scrolled back to)."""

NONE = "none"

WORK_PAUSE_S = 0.002
"""The worker's pause after each poster. Qt's image calls (decode, scale, JPEG) keep the
interpreter lock while they run, and the GUI thread needs it for every card it paints: back to
back, a screenful of posters kept the window's first paint waiting (a 50–90 ms stall)."""


def scaled_jpeg(image: QImage) -> tuple[QImage, bytes]:
    """``image`` scaled down to fit :data:`POSTER_SIZE` (a smaller one kept as it is: the
    card scales it), and its JPEG bytes (any thread)."""
    small = image if image.width() <= POSTER_SIZE.width() and \
        image.height() <= POSTER_SIZE.height() else image.scaled(
            POSTER_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    small.save(buffer, "JPG", 85)  # type: ignore[call-overload]  # (str at run time)
    buffer.close()
    return small, bytes(data.data())


class PosterLoader(QObject):
    """Posters by item key: :meth:`poster` answers at once (or ``None`` and starts loading)."""

    ready = Signal(str)               # item key: its poster is there (or known to be none)
    _loaded = Signal(str, object)     # item key, QImage | str ("none") | tuple (fetch URL)

    def __init__(self, service: StudioService, cache: PosterCache,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.cache = cache
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._none: set[str] = set()
        self._pending: set[str] = set()
        self._items: dict[str, LibraryItem] = {}
        self._by_url: dict[str, set[str]] = {}
        self._frame_ids: dict[str, str] = {}  # item key: the identity of its file's frame
        self._pool: ThreadPoolExecutor | None = None  # made on first use, again after close
        self.frames = FrameGrabber(self)
        self.frames.grabbed.connect(self._grabbed)
        self._loaded.connect(self._arrived)
        service.imageLoaded.connect(self._image_loaded)
        service.imageFailed.connect(self._image_failed)
        self.closed = False
        self.display = QSize(POSTER_SIZE.width() // 2, POSTER_SIZE.height() // 2)
        """The card's poster area, device pixels (the window sets it from its screen)."""
        self.ratio = 1.0
        """The screen's device pixel ratio."""

    # ------------------------------------------------------------------ asking

    def poster(self, item: LibraryItem) -> QPixmap | None:
        pixmap = self._pixmaps.get(item.key)
        if pixmap is not None:
            self._pixmaps.move_to_end(item.key)
            return pixmap
        if item.key not in self._none and item.key not in self._pending:
            self._pending.add(item.key)
            self._items[item.key] = item
            self._submit(item.key, lambda: self._from_disk(item))
        return None

    def has_none(self, key: str) -> bool:
        """Known to have no poster."""
        return key in self._none

    def loading(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        """Stop (the window closed): the worker ends after the file in hand, the player
        unloads; what was being loaded is asked again when next painted."""
        self.closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self.frames.shutdown()
        self._pending.clear()
        self._by_url.clear()
        self._frame_ids.clear()

    # ------------------------------------------------------------------ the worker's part

    def _submit(self, key: str, work: Callable[[], object]) -> None:
        self.closed = False
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posters")
        pool = self._pool

        display = QSize(self.display)

        def run() -> None:
            try:
                result = work()
                if isinstance(result, QImage):  # the size it is painted at, here
                    result = result.scaled(display, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
            except Exception:  # a poster is never worth a crash: log it, show none
                log.exception("poster of %s", key)
                result = NONE
            if pool is self._pool:  # (not closed meanwhile)
                self._loaded.emit(key, result)
            time.sleep(WORK_PAUSE_S)  # (the lock let go: the GUI thread paints meanwhile)
        try:
            pool.submit(run)
        except RuntimeError:  # (shut down)
            self._pending.discard(key)

    def _from_disk(self, item: LibraryItem) -> object:
        """Worker: the kept poster, else the image file, else what to do next."""
        if item.thumbnail_url:
            identity = url_identity(item.thumbnail_url)
        elif item.path:
            found = file_identity(item.path)
            if found is None:
                return NONE
            identity = found
        elif item.url and item.kind == "video":  # not saved (a style preview): its URL's frame
            identity = url_identity(f"frame:{item.url}")
            data = self.cache.read(identity)
            image = QImage.fromData(data) if data is not None else QImage()
            return image if not image.isNull() else ("frame", item.url, identity)
        else:
            return NONE
        data = self.cache.read(identity)
        if data is not None:
            image = QImage.fromData(data)
            if not image.isNull():
                return image
        if item.thumbnail_url:
            return ("fetch", item.thumbnail_url)
        assert item.path is not None
        if item.kind == "image":
            image = QImage(item.path)
            if image.isNull():
                return NONE
            small, jpeg = scaled_jpeg(image)
            self.cache.write(identity, jpeg)
            return small
        if item.kind == "video":
            return ("frame", item.path, identity)
        return NONE

    def _store(self, identity: str, image: QImage) -> QImage:
        """Worker: scale ``image``, keep it on disk."""
        small, jpeg = scaled_jpeg(image)
        self.cache.write(identity, jpeg)
        return small

    # ------------------------------------------------------------------ the GUI thread's part

    def _arrived(self, key: str, result: object) -> None:
        if self.closed:
            return
        if isinstance(result, QImage):
            pixmap = QPixmap.fromImage(result)
            pixmap.setDevicePixelRatio(self.ratio)
            self._keep(key, pixmap)
        elif isinstance(result, tuple) and result[0] == "fetch":
            url = str(result[1])
            self._by_url.setdefault(url, set()).add(key)
            data = self.service.image(url)  # cached bytes, or imageLoaded follows
            if data is not None:
                self._image_loaded(url, data)
        elif isinstance(result, tuple) and result[0] == "frame":
            self._frame_ids[key] = str(result[2])
            self.frames.grab(key, str(result[1]))
        else:
            self._give_up(key)

    def _keep(self, key: str, pixmap: QPixmap) -> None:
        self._pending.discard(key)
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > MEMORY:
            self._pixmaps.popitem(last=False)
        self.ready.emit(key)

    def _give_up(self, key: str) -> None:
        self._pending.discard(key)
        self._none.add(key)
        self.ready.emit(key)

    def _image_loaded(self, url: str, data: bytes) -> None:
        keys = self._by_url.pop(url, set())
        if not keys or self.closed:
            return
        identity = url_identity(url)

        def work() -> object:
            image = QImage.fromData(data)
            return NONE if image.isNull() else self._store(identity, image)
        for key in keys:
            self._submit(key, work)

    def _image_failed(self, url: str, _message: str) -> None:
        """No thumbnail: a frame from the saved file instead, if there is one."""
        for key in self._by_url.pop(url, set()):
            item = self._items.get(key)
            if item is not None and item.path and item.kind in ("video", "image"):
                self._submit(key, partial(self._from_file, item))
            else:
                self._give_up(key)

    def _from_file(self, item: LibraryItem) -> object:
        assert item.path is not None
        identity = file_identity(item.path)
        if identity is None:
            return NONE
        if item.kind == "image":
            image = QImage(item.path)
            return NONE if image.isNull() else self._store(identity, image)
        data = self.cache.read(identity)
        if data is not None:
            image = QImage.fromData(data)
            if not image.isNull():
                return image
        return ("frame", item.path, identity)

    def _grabbed(self, key: str, image: object) -> None:
        if self.closed:
            return
        identity = self._frame_ids.pop(key, None)
        if not isinstance(image, QImage) or image.isNull() or identity is None:
            self._give_up(key)
            return
        self._submit(key, lambda: self._store(identity, image))


__all__ = ["MEMORY", "POSTER_SIZE", "PosterLoader", "scaled_jpeg"]
