"""One base for the window's table models (the Jobs panel, the spending table, a batch).

Each model declares its columns once — ``COL_*`` constants, ``HEADERS`` and optional
``HEADER_TIPS`` — and says what a cell shows through a few hooks (``display``, ``sort_key``,
``tooltip``, ``colour``, ``role_data``). The base holds the rows and the Qt plumbing:
``rowCount``/``columnCount``/``headerData``/``data``, a whole reload and row-level updates
(``refresh_row``), so a change to one job repaints one row, never the whole table.

A ``colour`` is written as it reads on a light background; the cell gets the current theme's
shade of it (:func:`ui.common.theme.themed_colour`: a red row stays red, and legible, in the
dark theme too), read afresh at each paint so a theme switch recolours every table.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ui.common.theme import themed_colour

ROOT = QModelIndex()
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's object itself (a ledger record, a spending row, a batch row)."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""The cell's natural sort key (numbers as numbers, times as times): a sort proxy's role."""
FIRST_FREE_ROLE = Qt.ItemDataRole.UserRole + 3
"""The first role a model may define for itself."""

_DISPLAY = Qt.ItemDataRole.DisplayRole


class RowTableModel[R](QAbstractTableModel):
    """Rows of ``R`` shown in the columns ``HEADERS`` names (a flat table: no children)."""

    HEADERS: ClassVar[tuple[str, ...]] = ()
    HEADER_TIPS: ClassVar[dict[int, str]] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    # ------------------------------------------------------------------ updates

    def load(self, rows: list[R]) -> None:
        """Replace every row (a copy of ``rows`` is kept)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._loaded()
        self.endResetModel()

    def _loaded(self) -> None:
        """Called inside a reload, after the rows changed (e.g. to rebuild an index)."""

    def refresh_row(self, row: int, first: int = 0, last: int | None = None,
                    roles: list[int] | None = None) -> None:
        """Repaint the cells ``first``..``last`` (default: all) of one row."""
        last = len(self.HEADERS) - 1 if last is None else last
        if roles is None:
            self.dataChanged.emit(self.index(row, first), self.index(row, last))
        else:
            self.dataChanged.emit(self.index(row, first), self.index(row, last), roles)

    def refresh_rows(self, first_row: int, last_row: int, first: int = 0,
                     last: int | None = None, roles: list[int] | None = None) -> None:
        """Repaint the cells ``first``..``last`` of the rows ``first_row``..``last_row``."""
        last = len(self.HEADERS) - 1 if last is None else last
        top, bottom = self.index(first_row, first), self.index(last_row, last)
        if roles is None:
            self.dataChanged.emit(top, bottom)
        else:
            self.dataChanged.emit(top, bottom, roles)

    # ------------------------------------------------------------------ hooks

    def display(self, item: R, column: int) -> Any:
        """What the cell shows."""
        raise NotImplementedError

    def sort_key(self, item: R, column: int) -> Any:
        """How the cell sorts (default: its text)."""
        return str(self.display(item, column) or "")

    def tooltip(self, item: R, column: int) -> str | None:
        return None

    def colour(self, item: R, column: int) -> str | None:
        """The cell's text colour (``#rrggbb``), or None for the palette's."""
        return None

    def role_data(self, item: R, index: QModelIndex | QPersistentModelIndex,
                  role: int) -> Any:
        """Any other role (alignment, font, decoration, a model's own roles)."""
        return None

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _DISPLAY:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS.get(section)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self.display(item, column)
        if role == ROW_ROLE:
            return item
        if role == SORT_ROLE:
            return self.sort_key(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.colour(item, column)
            return themed_colour(colour) if colour else None
        return self.role_data(item, index, role)
