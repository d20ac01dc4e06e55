"""In-app preview of a result: a player for video and audio, an image view, or the text.

A job with several results (an Image Ad's sizes, an asset model's outputs, a template's
assets) shows them as a strip under the view, each with its real pixel size ("300×250"),
each opened or saved on its own; the Jobs panel says how many there are ("4 images").
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.jobs.ledger import JobRecord
from app.platform import LaunchError, open_path
from ui.common.players import stop_player
from ui.jobs.results import (
    media_kind,
    media_sources,
    size_text,
)

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

STRIP_ICON = 120
"""The side of a result's thumbnail in the strip."""


class PreviewDialog(QDialog):
    """Plays a video or an audio result, shows an image or text; never blocks the loop.

    ``service`` (optional) reads an image that is not downloaded yet from its URL. Without a
    job, ``sources`` and ``title`` say what to play (a template's preview video).
    """

    def __init__(self, record: JobRecord | None, parent: QWidget | None = None, *,
                 service: StudioService | None = None, title: str = "",
                 sources: list[QUrl] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview_dialog")
        self.record = record
        self.title = title or (record.title if record is not None else "")
        self.setWindowTitle(f"Preview — {self.title}")
        self.resize(800, 600)
        self.service = service
        self.player: Any = None
        self.duration_ms = 0
        self.problem = ""
        self.sources = list(sources) if sources is not None else \
            media_sources(record) if record is not None else []
        self.source: QUrl | None = self.sources[0] if self.sources else None
        self.pixmaps: dict[int, QPixmap] = {}
        self.current = 0
        layout = QVBoxLayout(self)
        self.caption = QLabel(self.title)
        self.caption.setObjectName("preview_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.kind = "text" if self.source is None else media_kind(self.source)
        if self.source is None:
            text = QPlainTextEdit(record.response_text if record is not None
                                  and record.response_text else "Nothing to preview yet.")
            text.setObjectName("preview_text")
            text.setAccessibleName("Result text")
            text.setReadOnly(True)
            layout.addWidget(text)
        kinds = {media_kind(s) for s in self.sources}
        if "image" in kinds:
            self._image(layout)
        if kinds - {"image"}:
            self._player(layout)
        self.strip = QListWidget()
        self.strip.setObjectName("preview_strip")
        self.strip.setAccessibleName("Results")
        self._strip(layout)
        buttons = QHBoxLayout()
        external = QPushButton("Open in the system player" if self.kind != "image"
                               else "Open in the image viewer")
        external.setObjectName("preview_external")
        external.setAccessibleName(external.text())
        external.clicked.connect(self.open_external)
        external.setEnabled(self.source is not None)
        self.external = external
        self.save_button = QPushButton("Save as…")
        self.save_button.setObjectName("preview_save")
        self.save_button.setAccessibleName("Save this result as")
        self.save_button.setToolTip("Save a copy of the result shown (downloaded first)")
        self.save_button.clicked.connect(self.save_as)
        self.save_button.setVisible(service is not None)
        self.saving: asyncio.Task[bool] | None = None
        buttons.addWidget(external)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        if service is not None:
            service.imageLoaded.connect(self._image_arrived)
        for index, source in enumerate(self.sources):
            if media_kind(source) == "image":
                self._load_image(index)
        if self.sources:
            self.show_result(0)
        else:
            self.save_button.setEnabled(False)

    # ------------------------------------------------------------------ building

    def _image(self, layout: QVBoxLayout) -> None:
        label = QLabel()
        label.setObjectName("preview_image")
        label.setAccessibleName("Result image")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setObjectName("preview_image_area")
        scroll.setWidgetResizable(True)
        scroll.setWidget(label)
        layout.addWidget(scroll, 1)
        self.image = label
        self.image_area = scroll

    def _strip(self, layout: QVBoxLayout) -> None:
        strip = self.strip
        strip.setViewMode(QListView.ViewMode.IconMode)
        strip.setFlow(QListView.Flow.LeftToRight)
        strip.setWrapping(False)
        strip.setMovement(QListView.Movement.Static)
        strip.setIconSize(QSize(STRIP_ICON, STRIP_ICON))
        strip.setGridSize(QSize(STRIP_ICON + 28, STRIP_ICON + 44))
        strip.setFixedHeight(STRIP_ICON + 64)
        strip.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        for index, source in enumerate(self.sources):
            item = QListWidgetItem(self._label(index, None))
            item.setToolTip(source.fileName() or source.toString())
            item.setData(Qt.ItemDataRole.UserRole, index)
            strip.addItem(item)
        strip.currentRowChanged.connect(self.show_result)
        strip.setVisible(len(self.sources) > 1)
        layout.addWidget(strip)

    def _label(self, index: int, pixmap: QPixmap | None) -> str:
        source = self.sources[index]
        if media_kind(source) != "image":
            return f"{index + 1} · {media_kind(source)}"
        return f"{index + 1} · {size_text(pixmap)}"

    def _player(self, layout: QVBoxLayout) -> None:
        self.player_box = QWidget()
        self.player_box.setObjectName("preview_player")
        box = QVBoxLayout(self.player_box)
        box.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.player_box, 1)
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError as exc:
            self.problem = (f"The built-in player is not available ({exc}). Use “Open in the "
                            "system player”.")
            note = QLabel(self.problem)
            note.setObjectName("preview_problem")
            note.setWordWrap(True)
            box.addWidget(note, 1)
            return
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget()
        self.video.setObjectName("preview_video")
        self.video.setAccessibleName("Video")
        self.player.setVideoOutput(self.video)
        box.addWidget(self.video, 1)
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
        self.full_button = QPushButton("Full screen")
        self.full_button.setObjectName("preview_fullscreen")
        self.full_button.setAccessibleName("Full screen")
        self.full_button.clicked.connect(self.toggle_full_screen)
        controls.addWidget(self.full_button)
        box.addLayout(controls)
        self.player.durationChanged.connect(self._duration)
        self.player.positionChanged.connect(self._position)
        self.player.errorOccurred.connect(self._error)

    # ------------------------------------------------------------------ images

    def _load_image(self, index: int) -> None:
        """A saved image is read from its file; one not saved yet through the service's
        image loading (cached; ``imageLoaded`` follows)."""
        source = self.sources[index]
        if source.isLocalFile():
            pixmap = QPixmap(source.toLocalFile())
            if not pixmap.isNull():
                self._take(index, pixmap)
        elif self.service is not None:
            data = self.service.image(source.toString())
            if data is not None:
                self._image_arrived(source.toString(), data)

    def _image_arrived(self, url: str, data: bytes) -> None:
        for index, source in enumerate(self.sources):
            if not source.isLocalFile() and source.toString() == url \
                    and index not in self.pixmaps:
                pixmap = QPixmap()
                if pixmap.loadFromData(data):
                    self._take(index, pixmap)

    def _take(self, index: int, pixmap: QPixmap) -> None:
        self.pixmaps[index] = pixmap
        item = self.strip.item(index)
        if item is not None:
            item.setIcon(QIcon(pixmap.scaled(
                STRIP_ICON, STRIP_ICON, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation)))
            item.setText(self._label(index, pixmap))
        if index == self.current and media_kind(self.sources[index]) == "image":
            self.image.setPixmap(pixmap)
            self.image.setToolTip(size_text(pixmap))

    def sizes(self) -> list[str]:
        """Each result's pixel size as shown ("300×250"; "…" while it loads)."""
        return [size_text(self.pixmaps.get(i)) for i in range(len(self.sources))]

    # ------------------------------------------------------------------ showing one result

    def show_result(self, index: int) -> None:
        """Show result ``index`` in the view (image) or the player (video, audio)."""
        if not 0 <= index < len(self.sources):
            return
        self.current = index
        self.source = self.sources[index]
        self.kind = media_kind(self.source)
        if self.strip.currentRow() != index:
            self.strip.setCurrentRow(index)
        image = self.kind == "image"
        if hasattr(self, "image_area"):
            self.image_area.setVisible(image)
        if hasattr(self, "player_box"):
            self.player_box.setVisible(not image)
        if image:
            if self.player is not None:
                stop_player(self.player)
            pixmap = self.pixmaps.get(index)
            if pixmap is None:
                self.image.clear()
                self.image.setText("Loading the image…" if self.service is not None
                                   else "Download the image to preview it here.")
            else:
                self.image.setPixmap(pixmap)
                self.image.setToolTip(size_text(pixmap))
        elif self.player is not None:
            self.duration_ms = 0
            self.video.setVisible(self.kind == "video")
            self.full_button.setVisible(self.kind == "video")
            self.player.setSource(self.source)
        # (a web address that is not an image is opened, not saved: nothing here holds it)
        self.save_button.setEnabled(self.source.isLocalFile() or image)
        count = f" — result {index + 1} of {len(self.sources)}" if len(self.sources) > 1 else ""
        self.caption.setText(f"{self.title}{count}")

    # ------------------------------------------------------------------ the player

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
        self.caption.setText(f"{self.title} — {self.problem}")
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

    # ------------------------------------------------------------------ open, save

    def open_external(self) -> None:
        """A saved file opens in its default app (app.platform, which says when the file or
        the launcher is missing); a web address opens in the browser."""
        if self.source is None:
            return
        if not self.source.isLocalFile():
            QDesktopServices.openUrl(self.source)
            return
        try:
            open_path(self.source.toLocalFile())
        except LaunchError as exc:
            self.problem = str(exc)
            self.caption.setText(f"{self.title} — {self.problem}")

    def save_as(self) -> QFileDialog | None:
        """Ask where to save a copy of the result shown (a saved file is copied; an image
        not saved yet is written from what the view holds). Returns the dialog (opened with
        ``open()``: no nested loop)."""
        if self.source is None:
            return None
        name = self.source.fileName() or f"result-{self.current + 1}"
        dialog = QFileDialog(self, "Save the result as", name)
        dialog.setObjectName("preview_save_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path, index=self.current: self._save(index, path))
        dialog.open()
        return dialog

    def _save(self, index: int, target: str) -> None:
        if self.service is not None:
            self.saving = self.service.tasks.spawn(self.save_to(index, target), "save a result")

    async def save_to(self, index: int, target: str) -> bool:
        """Save result ``index`` to ``target`` (a saved file is copied in a worker thread: a
        video may be large); says in the caption what was done or what went wrong."""
        source = self.sources[index]
        try:
            if source.isLocalFile():
                await asyncio.to_thread(shutil.copyfile, source.toLocalFile(), target)
            elif index in self.pixmaps:
                if not self.pixmaps[index].save(target):
                    raise OSError("the image could not be written in that format")
            else:
                self.caption.setText(f"{self.title} — not downloaded yet: use “Open” "
                                     "to fetch it, or wait for the download.")
                return False
        except OSError as exc:
            self.caption.setText(f"{self.title} — not saved: {exc}")
            return False
        self.caption.setText(f"{self.title} — saved as {target}")
        return True

    def done(self, result: int) -> None:
        if self.player is not None:
            stop_player(self.player, unload=True)
        super().done(result)
