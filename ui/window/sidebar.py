"""The sidebar: the generators grouped by what a creator makes (``app.generators.groups``),
each with its icon, its title and one short line (the full description in its tooltip).

One tab stop: the arrows move (the page shows at once), Enter opens the page with the cursor
in its form, and the Deprecated group folds (Left/Right, Enter or a click on its heading); it
starts folded. Group headings are not stops of their own, except that folding one.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QMainWindow,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.generators import GeneratorSpec
from app.generators.groups import Group, entry_of, grouped
from ui.window.icons import generator_icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
"""An entry's generator key (a heading has none)."""
LINE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The short line under an entry's title (for a foldable heading: how many it holds)."""
HEADING_ROLE = Qt.ItemDataRole.UserRole + 3
"""True on a group's heading."""
FOLDABLE_ROLE = Qt.ItemDataRole.UserRole + 4

ICON = 24
PAD = 8


def small_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() - 1))
    return small


class TwoLineDelegate(QStyledItemDelegate):
    """An icon, a title and a muted line under it; a heading in small capitals. Shared by the
    sidebar and the quick switcher."""

    def entry_height(self, font: QFont) -> int:
        return QFontMetrics(font).height() + QFontMetrics(small_font(font)).height() + 4

    def heading_height(self, font: QFont) -> int:
        return QFontMetrics(small_font(font)).height() + 7

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        if index.data(HEADING_ROLE):
            return QSize(0, self.heading_height(option.font))
        return QSize(0, self.entry_height(option.font))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state = option.state
        font: QFont = option.font
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        if index.data(HEADING_ROLE):
            self._heading(painter, rect, palette, state, font, index, muted)
            painter.restore()
            return
        selected = bool(state & QStyle.StateFlag.State_Selected)
        box = rect.adjusted(4, 0, -4, 0)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(box, 6, 6)
        elif state & QStyle.StateFlag.State_MouseOver:
            hover = QColor(palette.color(QPalette.ColorRole.Highlight))
            hover.setAlpha(40)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hover)
            painter.drawRoundedRect(box, 6, 6)
        if state & QStyle.StateFlag.State_HasFocus and not selected:
            focus = QColor(palette.color(QPalette.ColorRole.Highlight))
            painter.setPen(focus)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(0, 0, -1, -1), 6, 6)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        left = box.left() + PAD
        if icon is not None:
            top = box.top() + (box.height() - ICON) // 2
            icon.paint(painter, QRect(left, top, ICON, ICON))
            left += ICON + PAD
        width = box.right() - PAD - left
        title_font = QFont(font)
        title_font.setWeight(QFont.Weight.DemiBold)
        small = small_font(font)
        title_metrics, small_metrics = QFontMetrics(title_font), QFontMetrics(small)
        top = box.top() + (box.height() - title_metrics.height() - small_metrics.height()) // 2
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected
                                    else QPalette.ColorRole.Text)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(QRect(left, top, width, title_metrics.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, width))
        line = str(index.data(LINE_ROLE) or "")
        if selected:
            text_colour.setAlpha(215)
            painter.setPen(text_colour)
        else:
            painter.setPen(muted)
        painter.setFont(small)
        painter.drawText(QRect(left, top + title_metrics.height(), width,
                               small_metrics.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         small_metrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
        painter.restore()

    def _heading(self, painter: QPainter, rect: QRect, palette: QPalette,
                 state: QStyle.StateFlag,
                 font: QFont, index: QModelIndex | QPersistentModelIndex,
                 muted: QColor) -> None:
        small = small_font(font)
        small.setWeight(QFont.Weight.Bold)
        small.setCapitalization(QFont.Capitalization.AllUppercase)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 105)
        metrics = QFontMetrics(small)
        text_rect = QRect(rect.left() + PAD + 4, rect.bottom() - metrics.height(),
                          rect.width() - 2 * PAD - 8, metrics.height())
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(FOLDABLE_ROLE):
            arrow = "▾ " if index.data(Qt.ItemDataRole.UserRole) else "▸ "
            title = f"{arrow}{title}  ({index.data(LINE_ROLE)})"
            if state & QStyle.StateFlag.State_HasFocus:
                focus = QColor(palette.color(QPalette.ColorRole.Highlight))
                painter.setPen(focus)
                painter.drawRoundedRect(text_rect.adjusted(-4, -2, 4, 1), 4, 4)
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(title, Qt.TextElideMode.ElideRight,
                                            text_rect.width()))


class Sidebar(QTreeWidget):
    """The generators by group. ``chosen`` when an entry becomes the current one (arrows, a
    click), ``entered`` on Enter (open the page and go to its form)."""

    chosen = Signal(str)
    entered = Signal(str)

    def __init__(self, specs: Sequence[GeneratorSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAccessibleName("Generators")
        self.setAccessibleDescription("The generators by what they make. Arrows move, Enter "
                                      "opens the form.")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setItemsExpandable(False)
        self.setExpandsOnDoubleClick(False)
        self.setUniformRowHeights(False)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setViewportMargins(0, 4, 0, 0)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(ICON, ICON))
        self.setItemDelegate(TwoLineDelegate(self))
        self.items: dict[str, QTreeWidgetItem] = {}
        self.headings: dict[str, QTreeWidgetItem] = {}
        self.keys: list[str] = []
        """The entries top to bottom (Ctrl+1 is the first)."""
        for group, members in grouped(specs):
            self._add_group(group, members)
        for number, key in enumerate(self.keys[:9], start=1):
            item = self.items[key]
            item.setToolTip(0, f"{item.toolTip(0)}\nCtrl+{number}")
        self.currentItemChanged.connect(self._current_changed)
        self.itemClicked.connect(self._clicked)

    def _add_group(self, group: Group, members: list[GeneratorSpec]) -> None:
        heading = QTreeWidgetItem(self, [group.title])
        heading.setData(0, HEADING_ROLE, True)
        heading.setData(0, Qt.ItemDataRole.AccessibleTextRole, group.title)
        self.headings[group.key] = heading
        if group.collapsed:
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setData(0, FOLDABLE_ROLE, True)
            heading.setData(0, LINE_ROLE, str(len(members)))
            heading.setToolTip(0, f"{group.title}: still served and billed by Creatify, but "
                                  f"they may be withdrawn. Click, or press Enter, to show or "
                                  f"hide them.")
        else:
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # (a disabled item disables its own)
        for spec in members:
            entry = entry_of(spec)
            item = QTreeWidgetItem(heading, [spec.title])
            item.setData(0, KEY_ROLE, spec.key)
            item.setData(0, LINE_ROLE, entry.blurb)
            item.setIcon(0, generator_icon(entry.icon, group.key))
            note = "\nDeprecated by Creatify: still served and billed, but it may be withdrawn." \
                if spec.deprecated else ""
            item.setToolTip(0, f"{spec.title}\n{spec.description}{note}")
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, spec.title)
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, spec.description)
            self.items[spec.key] = item
            self.keys.append(spec.key)
        heading.setExpanded(True)
        self.set_folded(heading, group.collapsed)

    def sizeHint(self) -> QSize:
        """Wide enough for every title and line."""
        title = QFont(self.font())
        title.setWeight(QFont.Weight.DemiBold)
        widest = min(200, max([QFontMetrics(title).horizontalAdvance(str(item.text(0)))
                      for item in self.items.values()]
                     + [QFontMetrics(small_font(self.font())).horizontalAdvance(
                         str(item.data(0, LINE_ROLE))) for item in self.items.values()],
                     default=160))
        return QSize(widest + ICON + 3 * PAD + 8 + 6, 400)  # (a scroll bar, when needed,
        # takes its room from the lines' ends)

    # ------------------------------------------------------------------ folding

    def set_folded(self, heading: QTreeWidgetItem, folded: bool) -> None:
        heading.setExpanded(not folded)
        heading.setData(0, Qt.ItemDataRole.UserRole, not folded)  # the arrow

    def folded(self, group: str) -> bool:
        return not self.headings[group].isExpanded()

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, FOLDABLE_ROLE):
            self.set_folded(item, item.isExpanded())

    def _plain_heading(self, index: QModelIndex) -> bool:
        return bool(index.data(HEADING_ROLE)) and not index.data(FOLDABLE_ROLE)

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """The arrows skip the headings (only the foldable one is a stop)."""
        index = super().moveCursor(action, modifiers)
        if not self._plain_heading(index):
            return index
        move = QAbstractItemView.CursorAction
        down = action in (move.MoveDown, move.MoveNext, move.MovePageDown, move.MoveHome)
        for step in ((self.indexBelow, self.indexAbove) if down
                     else (self.indexAbove, self.indexBelow)):
            found = index
            while found.isValid() and self._plain_heading(found):
                found = step(found)
            if found.isValid():
                return found
        return self.currentIndex()

    def selectionCommand(self, index: QModelIndex | QPersistentModelIndex,
                         event: QEvent | None = None) -> QItemSelectionModel.SelectionFlag:
        """On a heading the selection stays on the page showing."""
        if index.isValid() and index.data(HEADING_ROLE):
            return QItemSelectionModel.SelectionFlag.NoUpdate
        return super().selectionCommand(index, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._plain_heading(self.indexAt(event.position().toPoint())):
            return  # a heading is not a page
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        key = event.key()
        if item is not None and item.data(0, FOLDABLE_ROLE) and (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
                or (key == Qt.Key.Key_Right and not item.isExpanded())
                or (key == Qt.Key.Key_Left and item.isExpanded())):
            self.set_folded(item, item.isExpanded())
            return
        if item is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            generator = item.data(0, KEY_ROLE)
            if generator:
                self.entered.emit(generator)
                return
        parent = item.parent() if item is not None else None
        if key == Qt.Key.Key_Left and parent is not None and parent.data(0, FOLDABLE_ROLE):
            self.setCurrentItem(parent)  # Left on a deprecated entry: its heading
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ the current entry

    def _current_changed(self, current: QTreeWidgetItem | None,
                         _previous: QTreeWidgetItem | None) -> None:
        generator = current.data(0, KEY_ROLE) if current is not None else None
        if generator:
            self.chosen.emit(generator)

    def select(self, key: str) -> None:
        """Show ``key`` as the current entry (unfolding its group), without ``chosen``."""
        item = self.items.get(key)
        if item is None:
            return
        parent = item.parent()
        if parent is not None and not parent.isExpanded():
            self.set_folded(parent, False)
        if self.currentItem() is not item:
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)
            self.viewport().update()
        self.scrollToItem(item)

    def current_key(self) -> str | None:
        item = self.currentItem()
        key = item.data(0, KEY_ROLE) if item is not None else None
        return str(key) if key else None


def sidebar_dock(window: QMainWindow, sidebar: Sidebar) -> QDockWidget:
    """The sidebar on the window's left, full height (beside the Jobs panel too), without a
    title bar; it cannot be closed or floated, only made wider or narrower."""
    dock = QDockWidget("Generators", window)
    dock.setObjectName("sidebar_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
    dock.setTitleBarWidget(QWidget(dock))
    dock.setWidget(sidebar)
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.resizeDocks([dock], [sidebar.sizeHint().width()], Qt.Orientation.Horizontal)
    return dock
