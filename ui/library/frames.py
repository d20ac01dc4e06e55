"""A frame taken from a saved video, for a poster: one file at a time, never waited for.

One hidden ``QMediaPlayer`` with a ``QVideoSink`` (no window, no sound): a file is loaded,
paused once loaded (a paused player decodes its first frame, which the sink hands over), the
frame is kept and the player unloaded, then the next file. Every call that changes what the
player does is queued through :mod:`ui.common.players` (never a blocking call from Python). A
file that gives no frame within :data:`FRAME_TIMEOUT_MS` (no video track, unreadable) gives
``None``. Nothing waits on the GUI thread: the answers come as :attr:`FrameGrabber.grabbed`.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QImage

from ui.common.players import load_player, pause_player, stop_player

log = logging.getLogger(__name__)

FRAME_TIMEOUT_MS = 8000


class FrameGrabber(QObject):
    """``grab(key, source)`` queues a file (a path) or a video's URL (a style preview that
    is not saved); ``grabbed(key, QImage | None)`` answers."""

    grabbed = Signal(str, object)  # key, QImage (None: no frame)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[tuple[str, str]] = deque()
        self._current: tuple[str, str] | None = None
        self._player: Any = None
        self._sink: Any = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FRAME_TIMEOUT_MS)
        self._timer.timeout.connect(lambda: self._finish(None))
        self.available = True

    def _ensure_player(self) -> bool:
        if self._player is not None:
            return True
        try:
            from PySide6.QtMultimedia import QMediaPlayer, QVideoSink
        except ImportError as exc:  # (no multimedia: no frames, placeholders instead)
            log.info("no frames from files: %s", exc)
            self.available = False
            return False
        self._player = QMediaPlayer(self)
        self._sink = QVideoSink(self)
        self._player.setVideoSink(self._sink)
        self._player.mediaStatusChanged.connect(self._status)
        self._player.errorOccurred.connect(lambda *_args: self._finish(None))
        self._sink.videoFrameChanged.connect(self._frame)
        return True

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue)

    def grab(self, key: str, path: str) -> None:
        if not self._ensure_player():
            self.grabbed.emit(key, None)
            return
        self._queue.append((key, path))
        if self._current is None:
            self._next()

    def clear(self) -> None:
        """Forget the files not started yet (the one in progress ends as usual)."""
        self._queue.clear()

    def shutdown(self) -> None:
        """Stop and unload the player; nothing more is answered."""
        self._queue.clear()
        self._current = None
        self._timer.stop()
        if self._player is not None:
            stop_player(self._player, unload=True)

    def _next(self) -> None:
        if not self._queue:
            return
        self._current = self._queue.popleft()
        self._timer.start()
        source = self._current[1]
        load_player(self._player, QUrl(source) if "://" in source
                    else QUrl.fromLocalFile(source))

    def _status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._current is None:
            return
        if status == QMediaPlayer.MediaStatus.LoadedMedia:
            pause_player(self._player)  # decodes the first frame
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._finish(None)

    def _frame(self, frame: Any) -> None:
        if self._current is None or not frame.isValid():
            return
        image = frame.toImage()
        if not image.isNull():
            self._finish(image)

    def _finish(self, image: QImage | None) -> None:
        current, self._current = self._current, None
        self._timer.stop()
        if current is None:
            return
        stop_player(self._player, unload=True)
        self.grabbed.emit(current[0], image)
        QTimer.singleShot(0, self, self._next)


__all__ = ["FRAME_TIMEOUT_MS", "FrameGrabber"]
