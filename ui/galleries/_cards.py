"""The model and the painting shared by the galleries: one list model over plain card
objects (no widget per card), and a delegate base that paints a card and reports clicks on
its star (and, for voices, its play button)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.galleries._images import GalleryImages

CARD_ROLE = Qt.ItemDataRole.UserRole + 1
IMAGE_ROLE = Qt.ItemDataRole.UserRole + 2
FAVOURITE_ROLE = Qt.ItemDataRole.UserRole + 3
ID_ROLE = Qt.ItemDataRole.UserRole + 4
STAR_GOLD = QColor("#d99a00")

Index = QModelIndex | QPersistentModelIndex


class CardModel(QAbstractListModel):
    """Cards (any objects with ``id``, ``label`` or ``name``, optionally ``image``) and
    which are favourites. Pictures come from ``images`` only when a card is painted."""

    def __init__(self, images: GalleryImages | None = None,
                 describe: Callable[[Any], str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cards: list[Any] = []
        self.favourites: frozenset[str] = frozenset()
        self.images = images
        self._describe = describe or (lambda card: str(getattr(card, "name", card)))
        self._rows_of_image: dict[str, list[int]] = {}
        if images is not None:
            images.ready.connect(self._image_ready)

    def set_cards(self, cards: Sequence[Any]) -> None:
        self.beginResetModel()
        self.cards = list(cards)
        self._rows_of_image = {}
        for row, card in enumerate(self.cards):
            url = getattr(card, "image", None)
            if url:
                self._rows_of_image.setdefault(url, []).append(row)
        self.endResetModel()

    def set_favourites(self, favourites: frozenset[str]) -> None:
        changed = favourites ^ self.favourites
        self.favourites = favourites
        for row, card in enumerate(self.cards):
            if card.id in changed:
                index = self.index(row)
                self.dataChanged.emit(index, index, [FAVOURITE_ROLE])

    def row_of(self, card_id: str) -> int | None:
        return next((r for r, c in enumerate(self.cards) if c.id == card_id), None)

    def card(self, row: int) -> Any:
        return self.cards[row] if 0 <= row < len(self.cards) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        card = self.card(index.row()) if index.isValid() else None
        if card is None:
            return None
        if role == CARD_ROLE:
            return card
        if role == ID_ROLE:
            return card.id
        if role == FAVOURITE_ROLE:
            return card.id in self.favourites
        if role == IMAGE_ROLE:
            url = getattr(card, "image", None)
            return self.images.card_pixmap(url) if self.images is not None and url else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return str(getattr(card, "label", None) or card.name)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return self._describe(card)
        return None

    def _image_ready(self, url: str) -> None:
        for row in self._rows_of_image.get(url, ()):
            index = self.index(row)
            self.dataChanged.emit(index, index, [IMAGE_ROLE])


class CardDelegate(QStyledItemDelegate):
    """Paints the frame of a card and reports a click on its star (``starClicked``) or its
    play button (``playClicked``); subclasses paint the content and give the rects."""

    starClicked = Signal(QModelIndex)
    playClicked = Signal(QModelIndex)

    def star_rect(self, rect: QRect) -> QRect:
        return QRect(rect.right() - 30, rect.top() + 4, 26, 26)

    def play_rect(self, rect: QRect) -> QRect | None:
        return None

    def paint_frame(self, painter: QPainter, option: QStyleOptionViewItem,
                    index: Index) -> QRect:
        """The card's rounded frame (highlighted when selected); its inner rect."""
        palette: QPalette = option.palette
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = palette.color(QPalette.ColorRole.Base)
        if selected:
            fill = _mix(fill, palette.color(QPalette.ColorRole.Highlight), 0.18)
        elif hovered:
            fill = _mix(fill, palette.color(QPalette.ColorRole.Highlight), 0.07)
        border = (palette.color(QPalette.ColorRole.Highlight) if selected
                  else palette.color(QPalette.ColorRole.Mid))
        pen = painter.pen()
        pen.setColor(border)
        pen.setWidthF(2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        if state & QStyle.StateFlag.State_HasFocus:
            pen.setStyle(Qt.PenStyle.DotLine)
            pen.setWidthF(1.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(3, 3, -3, -3), 6, 6)
        return rect

    def paint_star(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect,
                   favourite: bool) -> None:
        palette: QPalette = option.palette
        star = self.star_rect(rect)
        font = QFont(painter.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.5)
        painter.setFont(font)
        painter.setPen(STAR_GOLD if favourite else palette.color(QPalette.ColorRole.Mid))
        painter.drawText(star, Qt.AlignmentFlag.AlignCenter, "★" if favourite else "☆")

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: Index) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton):
            rect: QRect = option.rect.adjusted(3, 3, -3, -3)
            point = event.position().toPoint()
            if self.star_rect(rect).contains(point):
                self.starClicked.emit(_plain(index))
                return True
            play = self.play_rect(rect)
            if play is not None and play.contains(point):
                self.playClicked.emit(_plain(index))
                return True
        return super().editorEvent(event, model, option, index)


def _plain(index: Index) -> QModelIndex:
    if isinstance(index, QModelIndex):
        return index
    model = index.model()
    return model.index(index.row(), index.column()) if model is not None else QModelIndex()


def muted(palette: QPalette) -> QColor:
    return _mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base),
                0.38)


def _mix(a: QColor, b: QColor, share: float) -> QColor:
    return QColor(round(a.red() * (1 - share) + b.red() * share),
                  round(a.green() * (1 - share) + b.green() * share),
                  round(a.blue() * (1 - share) + b.blue() * share))


_SCALED: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()
SCALED_KEPT = 400
"""Pictures kept scaled to their card's size (scrolling repaints without scaling again)."""


def _scaled(pixmap: QPixmap, width: int, height: int) -> QPixmap:
    key = (pixmap.cacheKey(), width, height)
    scaled = _SCALED.get(key)
    if scaled is None:
        scaled = pixmap.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                               Qt.TransformationMode.SmoothTransformation)
        _SCALED[key] = scaled
        while len(_SCALED) > SCALED_KEPT:
            _SCALED.popitem(last=False)
    else:
        _SCALED.move_to_end(key)
    return scaled


def draw_picture(painter: QPainter, target: QRect, pixmap: QPixmap | None,
                 palette: QPalette, placeholder: str) -> None:
    """``pixmap`` cropped to fill ``target`` (rounded), or a quiet placeholder."""
    painter.save()
    path_rect = QRectF(target)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_mix(palette.color(QPalette.ColorRole.Base),
                          palette.color(QPalette.ColorRole.Text), 0.08))
    painter.drawRoundedRect(path_rect, 6, 6)
    if pixmap is not None and not pixmap.isNull():
        scaled = (pixmap if pixmap.size() == target.size()  # cropped to size in a worker
                  else _scaled(pixmap, target.width(), target.height()))
        sx = (scaled.width() - target.width()) // 2
        sy = (scaled.height() - target.height()) // 2
        painter.setClipRect(target)
        painter.drawPixmap(target.topLeft(), scaled,
                           QRect(sx, sy, target.width(), target.height()))
    else:
        painter.setPen(muted(palette))
        painter.drawText(target, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         placeholder)
    painter.restore()

def card_list(parent: QWidget, name: str, accessible: str, *, grid: bool = True) -> QListView:
    """The list every gallery shows its cards in: a grid of same-size cards (or, with
    ``grid`` false, one row each), scrolled by the pixel, hovering tracked for the delegate."""
    view = QListView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    if grid:
        view.setViewMode(QListView.ViewMode.IconMode)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setSpacing(4 if grid else 1)
    view.setMouseTracking(True)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view


def use_buttons(dialog: QDialog, label: str, use: Callable[[], object]
                ) -> tuple[QDialogButtonBox, QPushButton]:
    """A gallery's "Use this …" (``use``) and Cancel (closes ``dialog``)."""
    buttons = QDialogButtonBox(dialog)
    use_button = buttons.addButton(label, QDialogButtonBox.ButtonRole.AcceptRole)
    use_button.setObjectName("gallery_use")
    cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    cancel.setObjectName("gallery_cancel")
    buttons.accepted.connect(use)
    buttons.rejected.connect(dialog.reject)
    return buttons, use_button


class CardChoice:
    """What every gallery does with its list's current card (mixed into its dialog, which
    sets ``view`` and ``model``)."""

    view: QListView
    model: CardModel

    def shown_ids(self) -> list[str]:
        return [card.id for card in self.model.cards]

    def select(self, card_id: str) -> bool:
        """Make ``card_id``'s card the current one; False when it is not shown."""
        row = self.model.row_of(card_id)
        if row is None:
            return False
        self.view.setCurrentIndex(self.model.index(row))
        return True

    def current_data(self) -> Any:
        """The current card (typed by each gallery's ``current_card``), or None."""
        return self.view.currentIndex().data(CARD_ROLE)


__all__ = [
    "CARD_ROLE",
    "FAVOURITE_ROLE",
    "ID_ROLE",
    "IMAGE_ROLE",
    "CardChoice",
    "CardDelegate",
    "CardModel",
    "draw_picture",
    "muted",
]
