"""Driving a QtMultimedia player without freezing the window.

FFmpeg's audio thread may need the GIL (a Python-made ``QAudioOutput`` or ``QMediaPlayer``
asks shiboken for overrides) while it holds the lock that ``QMediaPlayer.stop()`` waits for.
Called from Python, which holds the GIL, the two would wait for each other forever. Queued,
the call runs from Qt's event loop, which runs with the GIL released. Every call that changes
what a player does (play, pause, stop, seek, a new source) goes through here; the window
follows the player's own ``playbackStateChanged`` / ``mediaStatusChanged`` to know what
happened.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QUrl

__all__ = ["SoundUnavailable", "load_player", "pause_player", "play_player", "seek_player",
           "sound_player", "stop_player"]

_QUEUED = Qt.ConnectionType.QueuedConnection


def stop_player(player: Any, *, unload: bool = False) -> None:
    """Stop ``player`` (and unload its source) from the event loop, not from Python code."""
    QMetaObject.invokeMethod(player, "stop", _QUEUED)
    if unload:
        QMetaObject.invokeMethod(player, "setSource", _QUEUED, Q_ARG(QUrl, QUrl()))


def play_player(player: Any) -> None:
    """Play (or, at the end of the media, play again from the start) from the event loop."""
    QMetaObject.invokeMethod(player, "play", _QUEUED)


def pause_player(player: Any) -> None:
    """Pause from the event loop (a stopped player that is paused shows its first frame)."""
    QMetaObject.invokeMethod(player, "pause", _QUEUED)


def seek_player(player: Any, ms: int) -> None:
    """Move to ``ms`` milliseconds from the event loop."""
    QMetaObject.invokeMethod(player, "setPosition", _QUEUED, Q_ARG("qint64", int(ms)))


def load_player(player: Any, source: QUrl) -> None:
    """Stop whatever plays and load ``source`` from the event loop."""
    QMetaObject.invokeMethod(player, "stop", _QUEUED)
    QMetaObject.invokeMethod(player, "setSource", _QUEUED, Q_ARG(QUrl, source))


class SoundUnavailable(Exception):
    """No sound can be played here; ``str()`` says so in words a creator can act on."""


def sound_player(parent: QObject) -> tuple[Any, Any]:
    """A ``QMediaPlayer`` with its ``QAudioOutput`` (both kept alive by ``parent``), QtMultimedia
    loaded on first use; :class:`SoundUnavailable` when it cannot be (no module, no libpulse,
    no backend)."""
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")
        output = multimedia.QAudioOutput(parent)
        player = multimedia.QMediaPlayer(parent)
        player.setAudioOutput(output)
        if not player.isAvailable():
            raise RuntimeError("no multimedia backend is available")
    except Exception as exc:  # ImportError (no QtMultimedia/libpulse), backend errors
        raise SoundUnavailable(f"Samples cannot be played here: {exc}. (QtMultimedia needs "
                               "the PySide6-Addons package and libpulse0.)") from exc
    return player, output

