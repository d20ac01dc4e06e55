"""The avatar gallery's detail pane: the chosen card's face large, its preview video played in
place (QtMultimedia, driven through :mod:`ui.common.players`), its facets and the favourite
switch. A missing multimedia backend leaves the picture and says why the video cannot play."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app.galleries import AvatarCard
from ui.common.players import load_player, play_player, stop_player
from ui.galleries._images import IMAGE_SIZE, GalleryImages

log = logging.getLogger(__name__)


class AvatarDetail(QWidget):
    """One avatar, large; ``favouriteClicked`` when its star button is pressed."""

    favouriteClicked = Signal(str)

    def __init__(self, images: GalleryImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("avatar_detail")
        self.images = images
        self.card: AvatarCard | None = None
        self.player: Any = None
        self._audio: Any = None
        self.video: Any = None
        self.problem: str | None = None
        self.playing = False
        self.stage = QStackedWidget(self)
        self.stage.setFixedSize(IMAGE_SIZE, IMAGE_SIZE)
        self.picture = QLabel("Choose an avatar", self.stage)
        self.picture.setObjectName("avatar_detail_picture")
        self.picture.setAccessibleName("Avatar picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        self.stage.addWidget(self.picture)
        self.name = QLabel(self)
        self.name.setObjectName("avatar_detail_name")
        self.name.setWordWrap(True)
        self.facts = QLabel(self)
        self.facts.setObjectName("avatar_detail_facts")
        self.facts.setWordWrap(True)
        self.play_button = QPushButton("▶ Play preview", self)
        self.play_button.setObjectName("avatar_play")
        self.play_button.setAccessibleName("Play the avatar's preview video")
        self.play_button.clicked.connect(self.toggle_video)
        self.favourite_button = QPushButton("☆ Add to favourites", self)
        self.favourite_button.setObjectName("avatar_favourite")
        self.favourite_button.clicked.connect(
            lambda: self.card is not None and self.favouriteClicked.emit(self.card.id))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stage, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.name)
        column.addWidget(self.facts)
        column.addWidget(self.play_button)
        column.addWidget(self.favourite_button)
        column.addStretch(1)
        self.setFixedWidth(IMAGE_SIZE + 8)
        images.ready.connect(self._image_ready)
        self.show_card(None, False)

    # -- what is shown

    def show_card(self, card: AvatarCard | None, favourite: bool) -> None:
        if card is None or self.card is None or card.id != self.card.id:
            self.stop()
        self.card = card
        self.name.setText(f"<b>{card.name}</b>" if card else "")
        facts = []
        if card is not None:
            if card.custom:
                facts.append("Your own avatar")
            if card.status:
                facts.append(card.status + " — it can be chosen once Creatify approves it")
            facts.append(card.details)
        self.facts.setText("<br>".join(f for f in facts if f))
        self.set_favourite(favourite)
        self.favourite_button.setEnabled(card is not None)
        self._show_picture()
        self._refresh_play()

    def set_favourite(self, favourite: bool) -> None:
        self.favourite_button.setText("★ Favourite" if favourite else "☆ Add to favourites")
        self.favourite_button.setAccessibleName(
            "Remove from favourites" if favourite else "Add to favourites")

    def _show_picture(self) -> None:
        self.stage.setCurrentWidget(self.picture)
        card = self.card
        if card is None:
            self.picture.clear()
            self.picture.setText("Choose an avatar")
            return
        pixmap = self.images.pixmap(card.image)
        if pixmap is None:
            self.picture.clear()
            self.picture.setText("Loading the picture…" if card.image else "No picture")
        else:
            self.picture.setPixmap(pixmap)

    def _image_ready(self, url: str) -> None:
        if self.card is not None and self.card.image == url and not self.playing:
            self._show_picture()

    # -- the preview video

    def toggle_video(self) -> None:
        if self.playing:
            self.stop()
            return
        card = self.card
        if card is None or not card.video or not self._ensure_player():
            self._refresh_play()
            return
        self.stage.setCurrentWidget(self.video)
        load_player(self.player, QUrl(card.video))
        play_player(self.player)
        self.playing = True
        self._refresh_play()

    def _ensure_player(self) -> bool:
        if self.player is not None:
            return True
        if self.problem:
            return False
        try:
            multimedia = importlib.import_module("PySide6.QtMultimedia")
            widgets = importlib.import_module("PySide6.QtMultimediaWidgets")
            player = multimedia.QMediaPlayer(self)
            audio = multimedia.QAudioOutput(self)
            player.setAudioOutput(audio)
            if not player.isAvailable():
                raise RuntimeError("no multimedia backend is available")
            video = widgets.QVideoWidget(self.stage)
        except Exception as exc:  # ImportError (no QtMultimedia/libpulse), backend errors
            log.info("preview video unavailable: %s", exc)
            self.problem = f"Previews cannot be played here: {exc}"
            return False
        video.setObjectName("avatar_detail_video")
        video.setAccessibleName("Avatar preview video")
        self.stage.addWidget(video)
        player.setVideoOutput(video)
        player.playbackStateChanged.connect(self._on_state)
        player.errorOccurred.connect(self._on_error)
        self.player, self._audio, self.video = player, audio, video
        return True

    def _on_state(self, state: Any) -> None:
        if getattr(state, "name", str(state)) == "StoppedState" and self.playing:
            self.playing = False
            self._show_picture()
            self._refresh_play()

    def _on_error(self, _error: Any, message: str) -> None:
        self.playing = False
        self.problem = None
        self.play_button.setToolTip(f"Could not play the preview: {message}")
        self._show_picture()
        self._refresh_play()

    def stop(self) -> None:
        if self.player is not None and self.playing:
            stop_player(self.player)
        self.playing = False
        if hasattr(self, "picture"):
            self._show_picture()
            self._refresh_play()

    def release(self) -> None:
        """Stop and unload: the reader thread ends before the dialog goes away."""
        self.playing = False
        if self.player is not None:
            stop_player(self.player, unload=True)

    def hideEvent(self, event: QHideEvent) -> None:
        self.release()
        super().hideEvent(event)

    def _refresh_play(self) -> None:
        card = self.card
        self.play_button.setText("■ Stop" if self.playing else "▶ Play preview")
        if self.problem:
            self.play_button.setEnabled(False)
            self.play_button.setToolTip(self.problem)
        elif card is None or not card.video:
            self.play_button.setEnabled(False)
            self.play_button.setToolTip("This avatar has no preview video" if card else "")
        else:
            self.play_button.setEnabled(True)
            self.play_button.setToolTip(f"Play {card.name}'s preview video here")


__all__ = ["AvatarDetail"]
