"""Controls of the schema form that are more than one Qt widget: a list of strings (image
addresses) with a row per string; the combos and spin boxes that ignore the mouse wheel until
focused are :mod:`ui.forms.controls` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.json_schema import SchemaProperty, list_problem
from app.urls import url_problem
from ui.common.theme import ERROR, set_tone
from ui.forms.controls import Combo, DoubleSpinBox, Slider, SpinBox

Changed = Callable[..., None]


class StringList(QWidget):
    """A list of strings: one line per string, a remove button on each, "Add" below, and
    the first problem (a row that is not a web address, too few, too many) under them."""

    def __init__(self, prop: SchemaProperty, name: str, changed: Changed,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prop = prop
        self.name = name
        self._changed = changed
        self.lines: list[QLineEdit] = []
        self._rows = QVBoxLayout()
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(2)
        noun = "address" if prop.is_url else "item"
        self.add_button = QPushButton(f"Add an {noun}", self)
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.setAccessibleName(f"Add a row to {prop.title}")
        self.add_button.clicked.connect(self._add_clicked)
        self.problem = QLabel("", self)
        self.problem.setObjectName(f"{name}_problem")
        self.problem.setWordWrap(True)
        set_tone(self.problem, ERROR)
        self.problem.hide()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(self._rows)
        column.addLayout(buttons)
        column.addWidget(self.problem)
        start = list(prop.default or ())
        self.set_values(start or ([""] if prop.required else []))

    def _add_clicked(self) -> None:
        self.add_line("").setFocus()
        self._edited()

    def add_line(self, text: str) -> QLineEdit:
        row = QWidget(self)
        line = QLineEdit(text, row)
        number = len(self.lines) + 1
        line.setObjectName(f"{self.name}_{number}")
        line.setAccessibleName(f"{self.prop.title}, row {number}")
        line.setPlaceholderText("https://…" if self.prop.is_url else "")
        line.setClearButtonEnabled(True)
        line.textChanged.connect(self._edited)
        remove = QToolButton(row)
        remove.setText("−")
        remove.setObjectName(f"{self.name}_remove_{number}")
        remove.setAccessibleName(f"Remove row {number} of {self.prop.title}")
        remove.setToolTip("Remove this row")
        remove.clicked.connect(lambda: self._remove(line))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(line, 1)
        layout.addWidget(remove)
        self._rows.addWidget(row)
        self.lines.append(line)
        self._show_limits()
        return line

    def _remove(self, line: QLineEdit) -> None:
        values = [x.text() for x in self.lines if x is not line]
        self.set_values(values)
        self._edited()

    def set_values(self, values: list[str]) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.lines = []
        for value in values:
            self.add_line(value)
        self._check()

    def values(self) -> list[str]:
        return [line.text().strip() for line in self.lines if line.text().strip()]

    def _show_limits(self) -> None:
        full = self.prop.max_items is not None and len(self.lines) >= self.prop.max_items
        self.add_button.setEnabled(not full)

    def _check(self) -> None:
        problem = list_problem(self.prop, self.values(),
                               lambda url: url_problem(url, public=False))
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))

    def _edited(self, *_args: Any) -> None:
        self._show_limits()
        self._check()
        self._changed()


__all__ = ["Combo", "DoubleSpinBox", "Slider", "SpinBox", "StringList"]
