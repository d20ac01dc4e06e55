"""The rows of a batch as a table: one row per URL, its overrides, its status and its price."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QWidget,
)

from app.batch import (
    BATCH_FIELDS,
    BatchPlan,
    BatchRow,
    RowState,
    convert_cell,
)
from app.generators import BY_KEY
from app.generators.quote import format_credits
from ui.common.table_model import RowTableModel

COL_ROW, COL_URL, COL_STATE, COL_LENGTH, COL_ASPECT, COL_STYLE, COL_CREDITS = range(7)
_HEADERS = ("#", "URL", "Status", "Length", "Aspect", "Style", "Credits")
# The columns a row may override; the style column names the target spec's ``style_field``.
_OVERRIDE_COLUMNS: dict[int, str | None] = {COL_LENGTH: "video_length",
                                            COL_ASPECT: "aspect_ratio", COL_STYLE: None}
_STATE_COLOURS = {RowState.REFUSED: "#b91c1c", RowState.DUPLICATE: "#b45309",
                  RowState.FAILED: "#b91c1c", RowState.SKIPPED: "#b45309",
                  RowState.DONE: "#15803d"}


class BatchModel(RowTableModel[BatchRow]):
    """The rows of a batch (thousands are fine: nothing per row but the row itself)."""

    HEADERS = _HEADERS
    edited = Signal()  # a cell was edited: the batch is priced again

    def __init__(self, target: str, rows: list[BatchRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self._rows = rows
        self.plan: BatchPlan | None = None
        self.shared: dict[str, Any] = {}
        self.on_override: Callable[[str], None] = lambda _message: None

    @property
    def rows(self) -> list[BatchRow]:
        """The batch's rows (the sheet's own list: a run updates them in place)."""
        return self._rows

    def reset(self, target: str, rows: list[BatchRow]) -> None:
        self.beginResetModel()
        self.target, self._rows, self.plan = target, rows, None
        self.endResetModel()

    def set_plan(self, plan: BatchPlan, shared: dict[str, Any]) -> None:
        self.plan, self.shared = plan, shared
        if self._rows:
            self.refresh_rows(0, len(self._rows) - 1, COL_LENGTH, COL_CREDITS)

    def row_changed(self, index: int) -> None:
        self.refresh_row(index, COL_STATE, COL_CREDITS)

    def override_field(self, column: int) -> str | None:
        """The field a column overrides per row (None: the column is no override)."""
        if column == COL_STYLE:
            return BY_KEY[self.target].style_field
        return _OVERRIDE_COLUMNS.get(column)

    def status_text(self, row: BatchRow) -> str:
        if row.problem:
            return f"Refused: {row.problem}"
        if row.duplicate_of is not None:
            return f"Duplicate of row {row.duplicate_of + 1}: skipped"
        if row.message:
            return row.message
        return "Ready"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        field = self.override_field(index.column())
        if field and field in BATCH_FIELDS.get(self.target, ()) \
                and self._rows[index.row()].state in (RowState.READY, RowState.REFUSED):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == COL_ROW:  # the cells that show the row's number or plan
                return str(index.row() + 1)
            if index.column() == COL_CREDITS:
                return self._credits_text(index.row())
        return super().data(index, role)

    def _credits_text(self, row: int) -> str:
        q = self.plan.per_row[row] if self.plan and row < len(self.plan.per_row) else None
        if q is None:
            return "—"
        return format_credits(q.credits) if q.credits is not None else "?"

    def display(self, item: BatchRow, column: int, *, editing: bool = False) -> Any:
        if column == COL_URL:
            return item.url
        if column == COL_STATE:
            return self.status_text(item)
        if column in _OVERRIDE_COLUMNS:
            name = self.override_field(column)
            if name is None or name not in BATCH_FIELDS.get(self.target, ()):
                return ""
            value = item.overrides.get(name, self.shared.get(name, ""))
            text = "" if value is None else str(value)
            if not editing:  # a choice reads as the form shows it ("Avatar bubble", "9:16 …")
                field = BY_KEY[self.target].field(name)
                text = next((c.label for c in field.choices if c.value == value), text)
            return text + (" *" if name in item.overrides and not editing else "")
        return None

    def role_data(self, item: BatchRow, index: QModelIndex | QPersistentModelIndex,
                  role: int) -> Any:
        if role == Qt.ItemDataRole.EditRole:
            return self.display(item, index.column(), editing=True)
        return None

    def colour(self, item: BatchRow, column: int) -> str | None:
        return _STATE_COLOURS.get(item.state) if column == COL_STATE else None

    def tooltip(self, item: BatchRow, column: int) -> str | None:
        if column in (COL_URL, COL_STATE):
            return f"{item.where}: {self.status_text(item)}"
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        name = self.override_field(index.column())
        if role != Qt.ItemDataRole.EditRole or not name:
            return False
        row = self._rows[index.row()]
        text = str(value).strip().removesuffix("*").strip()
        if not text:
            row.overrides.pop(name, None)
        else:
            try:  # the same conversion as a CSV cell
                row.overrides[name] = convert_cell(BY_KEY[self.target], name, text)
            except ValueError as exc:
                self.on_override(f"Row {index.row() + 1}: {exc}")
                return False
        self.dataChanged.emit(index, index)
        self.on_override("")
        self.edited.emit()
        return True
