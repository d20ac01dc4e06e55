"""The Custom Template variables: a small table of name | type | value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.catalogue import TEMPLATE_VARIABLE_TYPES
from ui.forms.base import FieldEditor

if TYPE_CHECKING:
    from ui.service import StudioService

COL_NAME, COL_TYPE, COL_VALUE = range(3)
_HEADERS = ("Name", "Type", "Value")
_VALUE_HINTS = {"content": "the text", "url": "an https:// URL", "avatar_id": "an avatar id",
                "voice_id": "a voice (accent) id"}


class VariablesEditor(FieldEditor):
    """Value: ``{name: {"type": t, "value": v}}``; rows without a name are left out."""

    def __init__(self, field: Field, service: StudioService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        name = field.name
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setObjectName(f"{name}_table")
        self.table.setAccessibleName(f"{field.label} table")
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TYPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(True)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(self._on_item)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("Add variable", self)
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.setAccessibleName("Add variable")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName(f"{name}_remove")
        self.remove_button.setAccessibleName("Remove selected variables")
        self.remove_button.setToolTip("Remove the selected rows")
        self.remove_button.clicked.connect(self._on_remove)
        self.note = QLabel(self)
        self.note.setObjectName(f"{name}_note")
        self.note.setAccessibleName(f"{field.label} note")
        self.note.setWordWrap(True)
        self.note.hide()

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.setFocusProxy(self.table)

        self._loading = False
        self._last: Any = {}
        self.add_row()
        self._last = self.value()

    # -- rows

    def add_row(self, name: str = "", kind: str = "text", value: str = "") -> int:
        self._loading = True
        try:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, COL_NAME, QTableWidgetItem(name))
            self.table.setItem(row, COL_VALUE, QTableWidgetItem(value))
            combo = QComboBox(self.table)
            for key in TEMPLATE_VARIABLE_TYPES:
                combo.addItem(key, key)
            index = combo.findData(kind)
            if index < 0:  # an unknown type from a saved form: keep it visible
                combo.addItem(f"{kind} (unknown)", kind)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
            combo.currentIndexChanged.connect(self._on_type)
            self.table.setCellWidget(row, COL_TYPE, combo)
        finally:
            self._loading = False
        self._rename_rows()
        self._notify()
        return row

    def _type_combo(self, row: int) -> QComboBox | None:
        widget = self.table.cellWidget(row, COL_TYPE)
        return widget if isinstance(widget, QComboBox) else None

    def _rename_rows(self) -> None:
        loading, self._loading = self._loading, True  # tooltips below fire itemChanged
        try:
            self._name_rows()
        finally:
            self._loading = loading
        self._update_buttons()

    def _name_rows(self) -> None:
        for row in range(self.table.rowCount()):
            combo = self._type_combo(row)
            if combo is not None:
                combo.setObjectName(f"{self.field.name}_type{row + 1}")
                combo.setAccessibleName(f"Type of variable {row + 1}")
                kind = combo.currentData()
                prop = TEMPLATE_VARIABLE_TYPES.get(str(kind))
                hint = _VALUE_HINTS.get(prop or "", "the value")
                item = self.table.item(row, COL_VALUE)
                if item is not None:
                    item.setToolTip(f"{kind}: {hint}")

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.table.rowCount() > 0)

    def _selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectedIndexes()})

    def _on_add(self) -> None:
        row = self.add_row()
        self.table.setCurrentCell(row, COL_NAME)
        self.table.editItem(self.table.item(row, COL_NAME))
        self._notify()

    def _on_remove(self) -> None:
        rows = self._selected_rows()
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        for row in reversed(rows):
            self.table.removeRow(row)
        self._rename_rows()
        self._notify()

    def _on_item(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self._notify()

    def _on_type(self, _index: int) -> None:
        self._rename_rows()
        self._notify()

    # -- value

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, type, value) of every row, as typed (names and values stripped)."""
        out = []
        for row in range(self.table.rowCount()):
            name_item = self.table.item(row, COL_NAME)
            value_item = self.table.item(row, COL_VALUE)
            combo = self._type_combo(row)
            out.append(((name_item.text() if name_item else "").strip(),
                        str(combo.currentData()) if combo else "text",
                        (value_item.text() if value_item else "").strip()))
        return out

    def value(self) -> dict[str, dict[str, str]]:
        return {name: {"type": kind, "value": value}
                for name, kind, value in self.rows() if name}

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self.table.setRowCount(0)
        finally:
            self._loading = False
        entries = value.items() if isinstance(value, Mapping) else ()
        for name, spec in entries:
            spec = spec if isinstance(spec, Mapping) else {"value": spec}
            kind = str(spec.get("type") or "text")
            content = spec.get("value")
            properties = spec.get("properties")
            if content is None and isinstance(properties, Mapping):
                content = properties.get(TEMPLATE_VARIABLE_TYPES.get(kind, ""))
            self.add_row(str(name), kind, "" if content is None else str(content))
        if self.table.rowCount() == 0:
            self.add_row()
        self._notify()

    def _notify(self) -> None:
        names = [name for name, _kind, _value in self.rows() if name]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            self.note.setText("Each name can be used once; the last row wins for: "
                              + ", ".join(duplicates))
        self.note.setVisible(bool(duplicates))
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = ["VariablesEditor"]
