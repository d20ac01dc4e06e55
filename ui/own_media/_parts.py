"""The small widgets of "My avatars and voices": a file row with its non-blocking chooser,
a progress-and-status line, and the lists' tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.theme.tones import ERROR, OK, set_tone
from ui.common.widgets import named


def wrapped(text: str, parent: QWidget, name: str) -> QLabel:
    label = named(QLabel(text, parent), name, text)
    label.setWordWrap(True)
    return label


def table(parent: QWidget, name: str, headers: tuple[str, ...], stretch: int) -> QTableWidget:
    """A read-only list; column ``stretch`` takes the room left and wraps its text (rows as
    tall as their text), the others fit their contents."""
    table = named(QTableWidget(0, len(headers), parent), name, name.replace("_", " "))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table


def cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


class FileRow(QWidget):
    """A chosen file's name and a Choose… button (a non-blocking file dialog)."""

    def __init__(self, name: str, what: str, filters: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._filters = filters
        self._what = what
        self.shown = named(QLineEdit(self), f"{name}_file", f"{what} file")
        self.shown.setReadOnly(True)
        self.shown.setPlaceholderText("No file chosen")
        self.choose = named(QPushButton("Choose…", self), f"{name}_choose", f"Choose the {what}")
        self.choose.clicked.connect(self._open)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.shown, 1)
        row.addWidget(self.choose)
        self.on_chosen: list[Callable[[], None]] = []

    def _open(self) -> None:
        dialog = QFileDialog(self, f"Choose the {self._what}", "", self._filters)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda chosen: self.set_path(Path(chosen)))
        dialog.open()

    def set_path(self, path: Path | None) -> None:
        self.path = path
        self.shown.setText("" if path is None else path.name)
        self.shown.setToolTip("" if path is None else str(path))
        for callback in self.on_chosen:
            callback()


class Status(QWidget):
    """A progress bar (while sending) and a line saying how it went."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.bar = named(QProgressBar(self), f"{name}_progress", "Upload progress")
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.doing = ""
        self.label = named(QLabel(self), f"{name}_status", "Status")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.bar)
        column.addWidget(self.label)

    def progress(self, sent: int, total: int) -> None:
        """The bar, and the figures on the line under it (never drawn over the bar)."""
        percent = 100 if total <= 0 else round(100 * sent / total)
        self.bar.show()
        self.bar.setValue(percent)
        self.label.setText(f"{self.doing} {percent} % of {total / 1_048_576:.1f} MB")

    def say(self, text: str, tone: str | None = None) -> None:
        self.label.setText(text)
        set_tone(self.label, tone)

    def start(self, doing: str, tone: str | None = None) -> None:
        """Say what is being sent; :meth:`progress` adds the figures to it."""
        self.doing = doing
        self.say(doing, tone)

    def done(self, ok: bool, text: str) -> None:
        self.bar.hide()
        self.say(text, OK if ok else ERROR)


__all__ = ["FileRow", "Status", "cell", "table", "wrapped"]
