"""Small pieces several features share: naming a widget for tests and screen readers, the
confirmation before anything paid is sent."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)


def ask_to_send(parent: QWidget, *, name: str, title: str, question: str, details: str,
                send_text: str, send_name: str, on_send: Callable[[], None],
                send_is_default: bool = True) -> QMessageBox:
    """The confirmation before anything paid is sent: opened with ``open()`` (no nested
    loop); ``on_send`` runs only if the user chose the send button."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName(name)
    box.setInformativeText(details)
    box.setDefaultButton(QMessageBox.StandardButton.Yes if send_is_default
                         else QMessageBox.StandardButton.Cancel)
    send = box.button(QMessageBox.StandardButton.Yes)
    send.setText(send_text)
    send.setObjectName(send_name)

    def done(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            on_send()
    box.finished.connect(done)
    box.open()
    return box


def _named(widget: QWidget, name: str, accessible: str) -> QWidget:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def named[W: QWidget](widget: W, name: str, accessible: str) -> W:
    """``widget`` with its object name (for tests) and accessible name (for screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget
