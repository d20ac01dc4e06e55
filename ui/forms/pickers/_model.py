"""One catalogue's rows as a Qt model, and the combo over it that keeps an early value.

What a row shows and how it is searched is :mod:`app.catalogue_rows`; this module only puts
the rows into Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QListView, QSizePolicy, QWidget

from app.catalogue_rows import Row, matches, search_words
from app.generators.spec import is_empty
from ui.forms.controls import NoWheel

VALUE_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class CatalogueModel(QStandardItemModel):
    """The rows of one catalogue (plus an optional "none" entry and kept unknown values)."""

    aboutToRepopulate = Signal()
    repopulated = Signal()

    def __init__(self, none_label: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.none_label = none_label
        self.loaded = False
        self._thumb_rows: dict[str, list[int]] = defaultdict(list)

    @property
    def none_row(self) -> int:
        return 0 if self.none_label is not None and self.loaded else -1

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.aboutToRepopulate.emit()
        self.clear()
        self._thumb_rows = defaultdict(list)
        items = []
        if self.none_label is not None:
            none = QStandardItem(self.none_label)
            none.setData(None, VALUE_ROLE)
            items.append(none)
        for row in rows:
            item = QStandardItem(row.label)
            item.setData(row.value, VALUE_ROLE)
            item.setData(row, ROW_ROLE)
            item.setToolTip(row.label)
            if row.thumbnail:
                self._thumb_rows[row.thumbnail].append(len(items))
            items.append(item)
        if items:
            self.invisibleRootItem().appendRows(items)
        self.loaded = True
        self.repopulated.emit()

    def value_at(self, row: int) -> str | None:
        if row < 0 or row >= self.rowCount():
            return None
        value = self.item(row).data(VALUE_ROLE)
        return None if value is None else str(value)

    def row_info(self, row: int) -> Row | None:
        if row < 0 or row >= self.rowCount():
            return None
        info = self.item(row).data(ROW_ROLE)
        return info if isinstance(info, Row) else None

    def find(self, value: str) -> int:
        for row in range(self.rowCount()):
            if self.item(row).data(VALUE_ROLE) == value:
                return row
        return -1

    def ensure(self, value: str) -> int:
        """The row of ``value``, added as "not in the list" when the catalogue lacks it."""
        row = self.find(value)
        if row >= 0:
            return row
        label = f"{value} (not in the list)"
        item = QStandardItem(label)
        item.setData(value, VALUE_ROLE)
        item.setData(Row(label, value, label.casefold()), ROW_ROLE)
        item.setToolTip("Kept from the saved form; the catalogue does not list it.")
        self.appendRow(item)
        return self.rowCount() - 1

    def set_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        rows = self._thumb_rows.get(url)
        if not rows:
            return
        icon = QIcon(pixmap)
        for row in rows:
            self.item(row).setIcon(icon)


def filter_rows(combo: QComboBox, model: CatalogueModel, text: str) -> int:
    """Hide ``combo``'s rows not matching every word of ``text``; returns how many match."""
    words = search_words(text)
    view = combo.view()
    shown = 0
    for row in range(model.rowCount()):
        info = model.row_info(row)
        hide = bool(words) and info is not None and not matches(info, words)
        if isinstance(view, QListView):
            view.setRowHidden(row, hide)
        shown += 0 if hide or info is None else 1
    return shown


def editable_value(combo: QComboBox, model: CatalogueModel) -> str | None:
    """The value of an editable combo over ``model``: the row whose label is the text, else
    the text itself (an id or URL typed or pasted); ``None`` when empty."""
    text = combo.currentText()
    if not text.strip():
        return None
    index = combo.currentIndex()
    if index < 0 or combo.itemText(index) != text:
        index = combo.findText(text, Qt.MatchFlag.MatchExactly)
    if index >= 0:
        value = model.value_at(index)
        if value is not None:
            return value
    return text.strip()


class CatalogueCombo(NoWheel, QComboBox):
    """A combo over a :class:`CatalogueModel` keeping a value set before the rows arrive
    (the wheel changes it only once focused)."""

    def __init__(self, model: CatalogueModel, placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._pending: str | None = None
        self._saved: str | None = None
        self.setPlaceholderText(placeholder)
        self.setModel(model)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMaxVisibleItems(15)
        model.aboutToRepopulate.connect(self._before_repopulate)
        model.repopulated.connect(self._after_repopulate)
        self.setCurrentIndex(model.none_row)
        self._no_wheel_setup()

    @property
    def catalogue_model(self) -> CatalogueModel:
        return self._model

    def value(self) -> str | None:
        if not self._model.loaded:
            return self._pending
        return self._model.value_at(self.currentIndex())

    def set_value(self, value: Any) -> None:
        text = None if is_empty(value) else str(value).strip()
        if not self._model.loaded:
            self._pending = text
            return
        self.setCurrentIndex(self._model.none_row if text is None else self._model.ensure(text))

    def current_row(self) -> Row | None:
        return self._model.row_info(self.currentIndex())

    def apply_filter(self, text: str) -> int:
        """Hide the rows not matching every word of ``text``; returns how many match."""
        return filter_rows(self, self._model, text)

    def _before_repopulate(self) -> None:
        self._saved = self.value()
        self.blockSignals(True)

    def _after_repopulate(self) -> None:
        try:
            self.set_value(self._saved)
        finally:
            self.blockSignals(False)


__all__ = ["ROW_ROLE", "VALUE_ROLE", "CatalogueCombo", "CatalogueModel", "editable_value",
           "filter_rows"]
