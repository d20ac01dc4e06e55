"""The Jobs table as a keyboard reaches it: one tab stop, arrows between rows, and the
context-menu key acting on the selected job.

Tab and Shift+Tab move to the next and previous widget (never cell by cell through the
table); Up, Down, Page Up/Down, Home and End move between jobs. The menu key and Shift+F10
(and a context-menu event the keyboard caused, wherever the pointer is) open the menu of the
SELECTED job, at its row — so "Remove" never hits the job that happens to be under the
pointer. A right click first selects the row it is on, so the menu and the selection always
agree. Enter opens the selected job (as a double click does); Delete removes it from the list
(undoable).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

MENU_KEYS = ((Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
             (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier))
"""The keys that open the selected row's context menu."""


class JobsTableView(QTableView):
    """A QTableView that is one tab stop and opens its menu for the selection."""

    menuRequested = Signal(QModelIndex, QPoint)  # a cell of the row, where (global)
    openRequested = Signal(QModelIndex)            # Enter on the selected row
    removeRequested = Signal(QModelIndex)          # Delete on the selected row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def selected_index(self) -> QModelIndex:
        """The first cell of the selected row (invalid when none is selected)."""
        model = self.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return rows[0] if rows else QModelIndex()

    def open_menu_for_selection(self) -> bool:
        """Ask for the selected row's menu, just below the row's visible part."""
        index = self.selected_index()
        if not index.isValid():
            return False
        self.scrollTo(index)
        current = self.currentIndex()
        cell = current if current.isValid() and current.row() == index.row() else index
        rect = self.visualRect(cell)
        if not rect.intersects(self.viewport().rect()):
            rect = self.visualRect(index)
        where = QPoint(max(rect.left(), 0) + 8, rect.bottom())
        self.menuRequested.emit(index, self.viewport().mapToGlobal(where))
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        pressed = (event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if any(pressed == (key, mods) for key, mods in MENU_KEYS):
            self.open_menu_for_selection()
            event.accept()
            return
        signal = {Qt.Key.Key_Return: self.openRequested, Qt.Key.Key_Enter: self.openRequested,
                  Qt.Key.Key_Delete: self.removeRequested}.get(Qt.Key(event.key()))
        index = self.selected_index()
        if signal is not None and pressed[1] == Qt.KeyboardModifier.NoModifier \
                and index.isValid():
            signal.emit(index)
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() != QContextMenuEvent.Reason.Mouse:
            self.open_menu_for_selection()  # the keyboard: the selection, not the pointer
            event.accept()
            return
        index = self.indexAt(event.pos())
        if not index.isValid():
            event.ignore()
            return
        self.selectRow(index.row())
        self.menuRequested.emit(index.siblingAtColumn(0), event.globalPos())
        event.accept()
