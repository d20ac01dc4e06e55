"""Links added to a batch by hand: the paste box of an empty sheet (and Ctrl+V), read with
the same reader as a drop (:func:`app.batch.urls_in_text`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.batch import BatchRow, rows_from_urls, urls_in_text
from ui.batch.wording import PASTE_HINT
from ui.common.widgets import named


def with_pasted(rows: list[BatchRow], text: str) -> tuple[list[BatchRow], int]:
    """``rows`` then the links found in ``text``, checked again as one list (a pasted repeat
    of a row is flagged as its duplicate), and how many links ``text`` held. Raises
    :class:`app.batch.BatchError` for more links than a batch takes."""
    found = urls_in_text(text)
    items = [(r.url, r.where) for r in rows] + [(url, f"pasted {where}") for url, where in found]
    overrides = [r.overrides for r in rows] + [{} for _ in found]
    return rows_from_urls(items, overrides), len(found)


class PasteBox(QWidget):
    """A box to paste product page links into (one per line, or any text holding them) and
    an Add button; ``added`` carries the text."""

    added = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch_paste_box")
        self.edit = named(QPlainTextEdit(), "batch_paste", "Product page links to add")
        self.edit.setPlaceholderText(PASTE_HINT)
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(80)
        self.add_button = named(QPushButton("Add"), "batch_add",
                                "Add the pasted links to the batch")
        self.add_button.setEnabled(False)
        self.edit.textChanged.connect(
            lambda: self.add_button.setEnabled(bool(self.edit.toPlainText().strip())))
        self.add_button.clicked.connect(self._add)
        side = QVBoxLayout()
        side.addWidget(self.add_button)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addLayout(side)

    def _add(self) -> None:
        text = self.edit.toPlainText()
        if text.strip():
            self.added.emit(text)
