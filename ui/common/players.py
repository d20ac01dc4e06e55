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

from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QUrl

__all__ = ["load_player", "pause_player", "play_player", "seek_player", "stop_player"]

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
