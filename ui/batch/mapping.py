"""The column mapping of a CSV batch: one menu per column saying what it holds (the URL, a
shared setting, or nothing)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from app.batch import BATCH_FIELDS, Table, guess_mapping
from app.generators import BY_KEY

IGNORE = "(ignore)"


class ColumnMapping(QWidget):
    """What each column of ``table`` holds for a target; hidden when there is no table."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.combos: list[QComboBox] = []

    def build(self, table: Table | None, target: str) -> None:
        """One menu per column of ``table``, each set to the guessed meaning."""
        for combo in self.combos:
            combo.deleteLater()
        self.combos.clear()
        self.setVisible(table is not None)
        if table is None:
            return
        guessed = guess_mapping(table, target)
        options = [IGNORE, "url", *BATCH_FIELDS[target]]
        gen = BY_KEY[target]
        for column in range(table.width):
            title = table.column_title(column)
            combo = QComboBox()
            combo.setObjectName(f"batch_column_{column}")
            combo.setAccessibleName(f"What {title} holds")
            combo.setToolTip(title)
            for option in options:
                label = {"url": "URL", IGNORE: IGNORE}.get(option) or gen.field(option).label
                combo.addItem(f"{title} → {label}", option)
            combo.setCurrentIndex(options.index(guessed.get(column, IGNORE)))
            combo.currentIndexChanged.connect(self.changed)
            self.combos.append(combo)
            self.layout_.addWidget(combo)

    def mapping(self) -> dict[int, str]:
        """Column → what it holds (ignored columns left out)."""
        return {i: str(c.currentData()) for i, c in enumerate(self.combos)
                if c.currentData() != IGNORE}

    def set_enabled(self, enabled: bool) -> None:
        for combo in self.combos:
            combo.setEnabled(enabled)
