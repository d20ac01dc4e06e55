"""The Jobs table's progress column: a bar painted in the cell (no widget per row).

A failed job's bar is not left where the job stopped (blue at 52 %, as if it were still
going): it is drawn empty with "Failed" in the theme's error colour.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from ui.common.table_model import FIRST_FREE_ROLE
from ui.common.theme import ERROR, tone_colour

ProgressRole = FIRST_FREE_ROLE
"""The job's progress, 0..1 (None: no bar)."""
FailedRole = FIRST_FREE_ROLE + 1
"""For a failed, rejected or refused job the word its bar shows ("Failed"); else None."""


class ProgressDelegate(QStyledItemDelegate):
    """Paints a progress bar in the cell (no widget per row); "Failed" in red, empty, for a
    job that failed."""

    def paint(self, painter: Any, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        progress = index.data(ProgressRole)
        failed = index.data(FailedRole)
        if progress is None and not failed:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 2, -2, -2)
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = 0 if failed else round(progress * 100)
        bar.text = str(failed) if failed else f"{progress:.0%}"
        bar.textVisible = True
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        widget = option.widget
        bar.palette = QPalette(widget.palette() if widget else QApplication.palette())
        style = widget.style() if widget else QApplication.style()
        if not failed:
            style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
            return
        red = tone_colour(ERROR)  # an empty groove, the word in red: nothing is going on
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
            bar.palette.setColor(role, red)
        style.drawControl(QStyle.ControlElement.CE_ProgressBarGroove, bar, painter)
        style.drawControl(QStyle.ControlElement.CE_ProgressBarLabel, bar, painter)
