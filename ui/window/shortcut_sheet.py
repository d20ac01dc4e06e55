"""Help → Keyboard shortcuts (F1, Ctrl+/): every entry of the shortcut table, by section."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.window.shortcuts import sections


class ShortcutSheet(QDialog):
    """The list, read from :data:`ui.window.shortcuts.SHORTCUTS` (nothing written twice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcut_sheet")
        self.setWindowTitle("Keyboard shortcuts")
        intro = QLabel("Everything in the window can be done from the keyboard. Tab moves "
                       "between fields; these keys do the rest.")
        intro.setWordWrap(True)
        intro.setObjectName("shortcut_intro")
        self.table = QTreeWidget()
        self.table.setObjectName("shortcut_table")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHeaderLabels(["Keys", "What it does"])
        self.table.setRootIsDecorated(False)
        self.table.setItemsExpandable(False)
        self.table.setIndentation(0)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(False)
        bold = QFont(self.font())
        bold.setBold(True)
        keys_font = QFont(self.font())
        keys_font.setWeight(QFont.Weight.DemiBold)
        line = self.fontMetrics().height()
        for section, entries in sections():
            heading = QTreeWidgetItem(self.table, [section])
            heading.setFirstColumnSpanned(True)
            heading.setFont(0, bold)
            heading.setSizeHint(0, QSize(0, line + 12))
            for shortcut in entries:
                row = QTreeWidgetItem(heading, [shortcut.key_text, shortcut.what])
                row.setFont(0, keys_font)
                row.setToolTip(1, shortcut.what)
                row.setSizeHint(0, QSize(0, line + 4))
            heading.setExpanded(True)
        header = self.table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        keys_width = max(QFontMetrics(keys_font).horizontalAdvance(s.key_text)
                         for _section, entries in sections() for s in entries)
        self.table.setColumnWidth(0, keys_width + 32)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("shortcut_buttons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("shortcut_close")
        close.setAccessibleName("Close the shortcut list")
        buttons.rejected.connect(self.reject)
        close.setDefault(True)
        self.close_button = close
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 640)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.close_button.setFocus()  # Enter or Escape closes; Tab reaches the list

    def rows(self) -> list[tuple[str, str]]:
        """The (keys, what it does) rows listed, top to bottom."""
        rows = []
        for top in range(self.table.topLevelItemCount()):
            heading = self.table.topLevelItem(top)
            if heading is None:
                continue
            for child in range(heading.childCount()):
                item = heading.child(child)
                if item is not None:
                    rows.append((item.text(0), item.text(1)))
        return rows
