"""One voice sample played at a time, through QtMultimedia (driven by
:mod:`ui.common.players`); a missing backend is reported once and never takes the app down."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal

from ui.common.players import SoundUnavailable, load_player, play_player, sound_player, stop_player

log = logging.getLogger(__name__)


class SamplePlayer(QObject):
    """``play(key, url)`` / ``stop()``; ``changed`` whenever what plays changes."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player: Any = None
        self._audio: Any = None
        self.playing: str | None = None   # the key of the card playing
        self.asked: str | None = None     # the URL last asked to play
        self.problem: str | None = None   # playback impossible here
        self.error: str | None = None     # the last sample failed

    def play(self, key: str, url: str) -> bool:
        if not self._ensure():
            self.changed.emit()
            return False
        self.error = None
        self.asked = url
        load_player(self.player, QUrl(url))
        play_player(self.player)
        self.playing = key
        self.changed.emit()
        return True

    def toggle(self, key: str, url: str | None) -> None:
        if self.playing == key:
            self.stop()
        elif url:
            self.play(key, url)

    def stop(self) -> None:
        if self.player is not None and self.playing is not None:
            stop_player(self.player)
        self.playing = None
        self.changed.emit()

    def release(self) -> None:
        """Stop and unload (the reader thread ends before the gallery goes away)."""
        self.playing = None
        if self.player is not None:
            stop_player(self.player, unload=True)

    def _ensure(self) -> bool:
        if self.player is not None:
            return True
        if self.problem:
            return False
        try:
            player, audio = sound_player(self)
        except SoundUnavailable as exc:
            log.info("audio playback unavailable: %s", exc.__cause__)
            self.problem = str(exc)
            return False
        player.playbackStateChanged.connect(self._on_state)
        player.errorOccurred.connect(self._on_error)
        self.player, self._audio = player, audio
        return True

    def _on_state(self, state: Any) -> None:
        # A stop queued before a new sample's source (see load_player) concerns the old one.
        if (getattr(state, "name", str(state)) == "StoppedState" and self.playing is not None
                and self.player.source().toString() == self.asked):
            self.playing = None
            self.changed.emit()

    def _on_error(self, _error: Any, message: str) -> None:
        self.error = f"Could not play this sample: {message or 'unknown error'}"
        self.playing = None
        self.changed.emit()


__all__ = ["SamplePlayer"]
