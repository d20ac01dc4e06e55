"""In-app preview of a result: a player for video and audio, an image view, or the text."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.jobs.ledger import JobRecord

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg"}


def media_source(record: JobRecord) -> QUrl | None:
    """The downloaded file if there is one, else the result (or preview) URL."""
    if record.download_path and Path(record.download_path).exists():
        return QUrl.fromLocalFile(record.download_path)
    if record.result_urls:
        return QUrl(record.result_urls[0])
    if record.preview_url:
        return QUrl(record.preview_url)
    styles = [p.preview_url for p in record.previews if p.preview_url]
    if styles:  # a compare-styles job: the first style's preview
        return QUrl(styles[0])
    return None


def _kind(source: QUrl) -> str:
    suffix = Path(source.path()).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return "video"


class PreviewDialog(QDialog):
    """Plays a video or an audio result, shows an image or text; never blocks the loop."""

    def __init__(self, record: JobRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview_dialog")
        self.setWindowTitle(f"Preview — {record.title}")
        self.resize(800, 560)
        self.record = record
        self.player: Any = None
        self.duration_ms = 0
        self.problem = ""
        self.source = media_source(record)
        layout = QVBoxLayout(self)
        self.caption = QLabel(record.title)
        self.caption.setObjectName("preview_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        if self.source is None:
            text = QPlainTextEdit(record.response_text or "Nothing to preview yet.")
            text.setObjectName("preview_text")
            text.setAccessibleName("Result text")
            text.setReadOnly(True)
            layout.addWidget(text)
            self.kind = "text"
        else:
            self.kind = _kind(self.source)
            if self.kind == "image":
                self._image(layout)
            else:
                self._player(layout)
        external = QPushButton("Open in the system player")
        external.setObjectName("preview_external")
        external.setAccessibleName("Open in the system player")
        external.clicked.connect(self.open_external)
        external.setEnabled(self.source is not None)
        layout.addWidget(external)

    def _image(self, layout: QVBoxLayout) -> None:
        label = QLabel()
        label.setObjectName("preview_image")
        label.setAccessibleName("Result image")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(self.source.toLocalFile()) if self.source and \
            self.source.isLocalFile() else QPixmap()
        if pixmap.isNull():
            label.setText("Download the image to preview it here.")
        else:
            label.setPixmap(pixmap)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(label)
        layout.addWidget(scroll, 1)
        self.image = label

    def _player(self, layout: QVBoxLayout) -> None:
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError as exc:
            self.problem = (f"The built-in player is not available ({exc}). Use “Open in the "
                            "system player”.")
            note = QLabel(self.problem)
            note.setObjectName("preview_problem")
            note.setWordWrap(True)
            layout.addWidget(note, 1)
            return
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        if self.kind == "video":
            self.video = QVideoWidget()
            self.video.setObjectName("preview_video")
            self.video.setAccessibleName("Video")
            self.player.setVideoOutput(self.video)
            layout.addWidget(self.video, 1)
        else:
            layout.addStretch(1)
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("preview_play")
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.clicked.connect(self.toggle)
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setObjectName("preview_position")
        self.position.setAccessibleName("Position")
        self.position.sliderMoved.connect(self.player.setPosition)
        self.time = QLabel("0:00 / 0:00")
        self.time.setObjectName("preview_time")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("preview_volume")
        self.volume.setAccessibleName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMaximumWidth(120)
        self.volume.valueChanged.connect(lambda v: self.audio.setVolume(v / 100))
        self.audio.setVolume(0.8)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position, 1)
        controls.addWidget(self.time)
        controls.addWidget(QLabel("Volume"))
        controls.addWidget(self.volume)
        if self.kind == "video":
            self.full_button = QPushButton("Full screen")
            self.full_button.setObjectName("preview_fullscreen")
            self.full_button.setAccessibleName("Full screen")
            self.full_button.clicked.connect(self.toggle_full_screen)
            controls.addWidget(self.full_button)
        layout.addLayout(controls)
        self.player.durationChanged.connect(self._duration)
        self.player.positionChanged.connect(self._position)
        self.player.errorOccurred.connect(self._error)
        self.player.setSource(self.source)

    def _duration(self, ms: int) -> None:
        self.duration_ms = ms
        self.position.setRange(0, ms)
        self._position(self.player.position())

    def _position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(ms)

        def clock(value: int) -> str:
            return f"{value // 60000}:{value // 1000 % 60:02d}"
        self.time.setText(f"{clock(ms)} / {clock(self.duration_ms)}")

    def _error(self, _error: Any, text: str) -> None:
        self.problem = text or "The player could not open this file."
        self.caption.setText(f"{self.record.title} — {self.problem}")
        log.info("preview failed: %s", self.problem)

    def toggle(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
            self.play_button.setText("Play")
        else:
            self.player.play()
            self.play_button.setText("Pause")

    def toggle_full_screen(self) -> None:
        self.video.setFullScreen(not self.video.isFullScreen())

    def open_external(self) -> None:
        if self.source is not None:
            QDesktopServices.openUrl(self.source)

    def done(self, result: int) -> None:
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl())
        super().done(result)
