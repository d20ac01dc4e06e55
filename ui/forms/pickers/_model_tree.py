"""The Asset Generator's model list widget: Enter chooses, and a narrow list leaves out the
exact-name column."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QTreeWidget

NAME_COLUMN_MIN = 560
"""Narrower than this (pixels), the list shows no exact-name column (each row's tooltip has it),
so the models' titles read whole."""


class ModelTree(QTreeWidget):
    """The list; Enter chooses the highlighted model (a click does too). Narrower than
    :data:`NAME_COLUMN_MIN` it leaves out the exact-name column (in each row's tooltip), so
    the titles read whole."""

    entered = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setColumnHidden(1, event.size().width() < NAME_COLUMN_MIN)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.entered.emit()
            return
        super().keyPressEvent(event)
