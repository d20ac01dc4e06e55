"""The player of the preview: a poster before Play, the video while it plays, the last frame
and "Replay" at the end; for a sound, only the controls (no empty picture area).

The poster is the job's thumbnail when there is one, else the video's first frame (the
player is paused right after loading: a paused player decodes its first frame, which the
video widget's sink hands over). The last frame shown is kept, so the end of the video shows
it instead of the black the video widget is left with. Every call that changes what the
player does goes through :mod:`ui.common.players` (queued to the event loop); the button's
words follow the player's own state signals, so they are always true to it.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common.players import load_player, pause_player, play_player, stop_player

log = logging.getLogger(__name__)

POSTER, VIDEO = 0, 1
"""The pages of the picture area."""


def clock(ms: int) -> str:
    """``m:ss`` of a time in milliseconds."""
    ms = max(0, ms)
    return f"{ms // 60000}:{ms // 1000 % 60:02d}"


class PosterView(QWidget):
    """A still picture scaled to fit on a dark ground (the poster, or the last frame)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview_poster")
        self.setAccessibleName("Poster")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pixmap: QPixmap | None = None
        self.note = ""

    def show_still(self, pixmap: QPixmap | None, note: str = "") -> None:
        self.pixmap = pixmap if pixmap is not None and not pixmap.isNull() else None
        self.note = note
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 270)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.pixmap is not None:
            scaled = self.pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
            x = (self.width() - scaled.width()) // 2
            y = (self.height() - scaled.height()) // 2
            painter.drawPixmap(x, y, scaled)
        if self.note or self.pixmap is None:
            painter.setPen(Qt.GlobalColor.lightGray)
            painter.drawText(QRect(12, 12, self.width() - 24, self.height() - 24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.note or "Loading the first frame…")
        painter.end()


class MediaStage(QWidget):
    """Plays one video or sound at a time (:meth:`load`); ``problem`` says why it cannot."""

    problemFound = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview_player")
        self.player: Any = None
        self.problem = ""
        self.kind = "video"
        self.duration_ms = 0
        self.thumbnail: QPixmap | None = None
        self.first_frame: QPixmap | None = None
        self._last_frame: Any = None
        self._started = False
        self._ended = False
        self._want_first = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError as exc:
            self.problem = (f"The built-in player is not available ({exc}). Use “Open file” "
                            "to play it in the system player.")
            note = QLabel(self.problem)
            note.setObjectName("preview_problem")
            note.setWordWrap(True)
            box.addWidget(note, 1)
            return
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.picture = QStackedWidget()
        self.picture.setObjectName("preview_picture")
        self.poster = PosterView()
        self.video = QVideoWidget()
        self.video.setObjectName("preview_video")
        self.video.setAccessibleName("Video")
        self.picture.addWidget(self.poster)
        self.picture.addWidget(self.video)
        self.player.setVideoOutput(self.video)
        box.addWidget(self.picture, 1)
        box.addLayout(self._controls())
        self.player.durationChanged.connect(self._duration)
        self.player.positionChanged.connect(self._position)
        self.player.errorOccurred.connect(self._error)
        self.player.playbackStateChanged.connect(self._sync)
        self.player.mediaStatusChanged.connect(self._status)
        # The sink lives in the player's threads: connected to a method of this widget, each
        # frame reaches the window as a queued call in the GUI thread.
        self.video.videoSink().videoFrameChanged.connect(self._frame)

    def _controls(self) -> QHBoxLayout:
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("preview_play")
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.clicked.connect(self.toggle)
        widest = max(self.play_button.fontMetrics().horizontalAdvance(word)
                     for word in ("Play", "Pause", "Replay"))
        self.play_button.setMinimumWidth(widest + 32)  # the slider does not jump
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setObjectName("preview_position")
        self.position.setAccessibleName("Position")
        self.position.sliderMoved.connect(self.player.setPosition)
        self.time = QLabel(f"{clock(0)} / {clock(0)}")
        self.time.setObjectName("preview_time")
        self.time.setAccessibleName("Time")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("preview_volume")
        self.volume.setAccessibleName("Volume")
        self.volume.setToolTip("Volume")
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMaximumWidth(90)
        self.volume.valueChanged.connect(self._volume)
        self.audio.setVolume(0.8)
        self.full_button = QPushButton("Full screen")
        self.full_button.setObjectName("preview_fullscreen")
        self.full_button.setAccessibleName("Full screen")
        self.full_button.clicked.connect(self.toggle_full_screen)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position, 1)
        controls.addWidget(self.time)
        controls.addWidget(QLabel("Volume"))
        controls.addWidget(self.volume)
        controls.addWidget(self.full_button)
        self._sync()
        return controls

    # ------------------------------------------------------------------ loading

    def load(self, source: QUrl, kind: str, thumbnail: QPixmap | None = None) -> None:
        """Load ``source`` (``video`` or ``audio``), stopped, with its poster shown."""
        if self.player is None:
            return
        self.kind = kind
        self.duration_ms = 0
        self.thumbnail = thumbnail if thumbnail is not None and not thumbnail.isNull() \
            else None
        self.first_frame = None
        self._last_frame = None
        self._started = self._ended = self._want_first = False
        self.problem = ""
        video = kind == "video"
        self.picture.setVisible(video)
        self.full_button.setVisible(video)
        self.picture.setCurrentIndex(POSTER)
        self.poster.show_still(self.thumbnail)
        self._position(0)
        load_player(self.player, source)
        self.play_button.setText("Play")

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        """The job's thumbnail arrived: it is the poster (unless the video already plays)."""
        if pixmap.isNull():
            return
        self.thumbnail = pixmap
        if self.player is not None and not self._started:
            self.poster.show_still(pixmap)

    def poster_pixmap(self) -> QPixmap | None:
        """The picture shown while the video does not play: the thumbnail, else the first
        frame (``None`` until one of them is there)."""
        return self.thumbnail or self.first_frame

    # ------------------------------------------------------------------ playing

    def playing(self) -> bool:
        from PySide6.QtMultimedia import QMediaPlayer

        return self.player is not None and \
            self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def toggle(self) -> None:
        """Play, pause, or play again from the start at the end."""
        if self.player is None:
            return
        if self.playing():
            pause_player(self.player)
        else:
            play_player(self.player)

    def stop(self, *, unload: bool = False) -> None:
        if self.player is not None:
            stop_player(self.player, unload=unload)

    def toggle_full_screen(self) -> None:
        self.video.setFullScreen(not self.video.isFullScreen())

    def button_text(self) -> str:
        return self.play_button.text()

    # ------------------------------------------------------------------ the player's news

    def _status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        state = QMediaPlayer.PlaybackState
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self.kind == "video" \
                and not self._started \
                and self.player.playbackState() == state.StoppedState:
            self._want_first = True  # (frames of the previous source may still come)
            pause_player(self.player)  # decodes the first frame: the poster without a thumbnail
        self._ended = status == QMediaPlayer.MediaStatus.EndOfMedia
        if self._ended:
            self._show_end()
        self._sync()

    def _sync(self, *_args: object) -> None:
        """The button says what a press will do, from the player's own state (words only:
        the style's media icons are dark on a dark theme)."""
        if self.player is None:
            return
        if self.playing():
            self._started = True
            self._want_first = False
            text = "Pause"
            if self.kind == "video":
                self.picture.setCurrentIndex(VIDEO)
        else:
            text = "Replay" if self._ended else "Play"
        self.play_button.setText(text)

    def _show_end(self) -> None:
        """At the end the last frame stays (the video widget would go black)."""
        still = self.poster_pixmap()
        frame = self._last_frame
        if frame is not None and frame.isValid():
            image = frame.toImage()
            if not image.isNull():
                still = QPixmap.fromImage(image)
        self._position(self.duration_ms)
        if self.kind == "video":
            if self.video.isFullScreen():  # back to the window, where Replay is
                self.video.setFullScreen(False)
            self.poster.show_still(still)
            self.picture.setCurrentIndex(POSTER)

    def _frame(self, frame: Any) -> None:
        if not frame.isValid():
            return
        self._last_frame = frame
        if self._want_first:
            self._want_first = False
            image = frame.toImage()
            if not image.isNull():
                self.first_frame = QPixmap.fromImage(image)
                if self.thumbnail is None:
                    self.poster.show_still(self.first_frame)

    def _duration(self, ms: int) -> None:
        self.duration_ms = ms
        self.position.setRange(0, ms)
        self._position(self.player.position())

    def _position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(ms)
        self.time.setText(f"{clock(ms)} / {clock(self.duration_ms)}")

    def _volume(self, value: int) -> None:
        self.audio.setVolume(value / 100)

    def _error(self, _error: Any, text: str) -> None:
        self.problem = text or "The player could not open this file."
        self.poster.show_still(self.poster_pixmap(), self.problem)
        log.info("preview failed: %s", self.problem)
        self.problemFound.emit(self.problem)
