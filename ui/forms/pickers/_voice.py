"""The voice picker: a voice accent, with its sample played through QtMultimedia when it
can be (a broken or missing multimedia backend disables the button, never the app)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QPushButton, QWidget

from app.catalogue_rows import accent_rows
from app.generators import Field
from ui.common.players import SoundUnavailable, sound_player, stop_player
from ui.forms.pickers._base import ComboPicker
from ui.galleries import browse_button, open_gallery

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__package__)


class AccentPicker(ComboPicker):
    """Choose a voice accent; the value is the accent ``id`` (or ``None``)."""

    kind = "voices"
    noun = "voices"
    choose = "Choose a voice…"
    row_builder = staticmethod(accent_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        self.player: Any = None
        self._audio_output: Any = None
        self._audio_problem: str | None = None   # playback impossible here (permanent)
        self._sample_problem: str | None = None  # this sample failed (until the choice changes)
        self._playing = False
        self.play_button = QPushButton("▶ Play sample", self)
        self.play_button.setObjectName(f"{field.name}_play")
        self.play_button.setAccessibleName("Play voice sample")
        self.play_button.clicked.connect(self.toggle_sample)
        self.row.insertWidget(1, self.play_button)
        self.browse_button = browse_button(self, field.name, "voices")
        self.browse_button.clicked.connect(self.browse)
        # Under the combo, not beside it: the row stays as narrow as before.
        self.main.insertWidget(1, self.browse_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.gallery: QWidget | None = None
        self._refresh()

    def browse(self) -> None:
        """Open the voice gallery (samples, filters, favourites); the voice chosen there
        becomes the value."""
        self.release_player()
        self.gallery = open_gallery("voices", self, self.service, self.value(), self.set_value)

    # -- playback

    def toggle_sample(self) -> None:
        if self._playing and self.player is not None:
            stop_player(self.player)
            return
        current = self.combo.current_row()
        if current is None or not current.sample:
            return
        player = self._ensure_player()
        if player is None:
            return
        try:
            player.setSource(QUrl(current.sample))
            player.play()
        except Exception as exc:  # a broken multimedia backend must not take the app down
            log.warning("voice sample failed: %s", exc)
            self._sample_failed(f"{type(exc).__name__}: {exc}")

    def _ensure_player(self) -> Any:
        if self.player is not None:
            return self.player
        if self._audio_problem:
            return None
        try:
            player, output = sound_player(self)
        except SoundUnavailable as exc:
            log.info("audio playback unavailable: %s", exc.__cause__)
            self._audio_problem = str(exc)
            self._refresh()
            return None
        player.errorOccurred.connect(self._on_player_error)
        player.playbackStateChanged.connect(self._on_playback_state)
        self.player, self._audio_output = player, output
        return player

    def _on_player_error(self, _error: Any, message: str) -> None:
        self._sample_failed(message or "the sample could not be played")

    def _sample_failed(self, message: str) -> None:
        self._sample_problem = f"Could not play this sample: {message}"
        self._playing = False
        self._refresh()

    def _on_playback_state(self, state: Any) -> None:
        name = getattr(state, "name", str(state))
        self._playing = name == "PlayingState"
        self._refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self.release_player()
        super().hideEvent(event)

    def release_player(self) -> None:
        """Stop and unload the sample: FFmpeg's reader thread must end before the widget (or
        the server it streams from) goes away."""
        if self.player is not None:
            stop_player(self.player, unload=True)

    def _on_current(self, index: int) -> None:
        self._sample_problem = None
        if self.player is not None and self._playing:
            stop_player(self.player)
        super()._on_current(index)

    def _refresh(self) -> None:
        button = getattr(self, "play_button", None)
        if button is None:
            return
        current = self.combo.current_row()
        problem = self._audio_problem or self._sample_problem
        if self._playing:
            button.setText("■ Stop")
            button.setAccessibleName("Stop voice sample")
            button.setToolTip("Stop the sample")
            button.setEnabled(True)
            return
        button.setText("▶ Play sample")
        button.setAccessibleName("Play voice sample")
        if problem:
            button.setEnabled(False)
            button.setToolTip(problem)
        elif current is None or not current.sample:
            button.setEnabled(False)
            button.setToolTip("Choose a voice to hear a sample")
        else:
            button.setEnabled(True)
            button.setToolTip(f"Play a sample of {current.label}")


__all__ = ["AccentPicker"]

