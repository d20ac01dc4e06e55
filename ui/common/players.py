"""Stopping a QtMultimedia player without freezing the window.

FFmpeg's audio thread may need the GIL (a Python-made ``QAudioOutput`` or ``QMediaPlayer``
asks shiboken for overrides) while it holds the lock that ``QMediaPlayer.stop()`` waits for.
Called from Python, which holds the GIL, the two would wait for each other forever. Queued,
the call runs from Qt's event loop, which runs with the GIL released.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QUrl

__all__ = ["stop_player"]


def stop_player(player: Any, *, unload: bool = False) -> None:
    """Stop ``player`` (and unload its source) from the event loop, not from Python code."""
    queued = Qt.ConnectionType.QueuedConnection
    QMetaObject.invokeMethod(player, "stop", queued)
    if unload:
        QMetaObject.invokeMethod(player, "setSource", queued, Q_ARG(QUrl, QUrl()))
