"""How a library card is painted: the poster (or the result's kind on a plain ground), the
name, "generator · date · length", and the tags as small chips — all in palette colours, so
both themes read well; long text is elided, whole in the tooltip."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.library import LibraryItem
from ui.library.model import Role

CARD = QSize(228, 214)
MARGIN = 8
POSTER = QSize(CARD.width() - 2 * MARGIN, 117)

Index = QModelIndex | QPersistentModelIndex


def length_text(seconds: float | None) -> str:
    if not seconds:
        return ""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def date_text(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M")


def short_date(moment: datetime) -> str:
    """The card's date: the day (the time is in the details and the tooltip)."""
    return moment.astimezone().strftime("%d %b %Y")


def meta_line(item: LibraryItem, generator: str) -> str:
    return f"{generator} · {short_date(item.created_at)}"


class CardDelegate(QStyledItemDelegate):
    """Paints one card per item; the poster comes from ``poster(item)`` (None: not yet)."""

    def __init__(self, poster: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.poster = poster
        self._font_key = ""
        self._font_set: tuple[QFont, QFont, QFontMetrics, QFontMetrics] | None = None

    def _fonts(self, font: QFont) -> tuple[QFont, QFont, QFontMetrics, QFontMetrics]:
        """The plain and bold fonts and their metrics, made once per view font (a card is
        painted on every scroll step: no font objects made per paint)."""
        key = font.key()
        if self._font_set is None or key != self._font_key:
            bold = QFont(font)
            bold.setBold(True)
            self._font_key = key
            self._font_set = (QFont(font), bold, QFontMetrics(font), QFontMetrics(bold))
        return self._font_set

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return CARD

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(Role.ITEM)
        if not isinstance(item, LibraryItem):
            return
        palette: QPalette = option.palette
        rect: QRect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = rect.adjusted(3, 3, -3, -3)
        ground = palette.color(QPalette.ColorRole.Highlight if selected
                               else QPalette.ColorRole.Base)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(ground)
        painter.drawRoundedRect(card, 6, 6)
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected
                                    else QPalette.ColorRole.Text)

        area = QRect(rect.left() + MARGIN, rect.top() + MARGIN, POSTER.width(), POSTER.height())
        painter.fillRect(area, palette.color(QPalette.ColorRole.Shadow)
                         if palette.color(QPalette.ColorRole.Window).lightness() < 128
                         else palette.color(QPalette.ColorRole.Dark))
        pixmap = self.poster(item) if callable(self.poster) else None
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            size = pixmap.deviceIndependentSize().toSize()
            if size.width() > area.width() or size.height() > area.height():
                size = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            # (already the poster area's size: painted as it is, no scaling per paint)
            painter.drawPixmap(QRect(area.left() + (area.width() - size.width()) // 2,
                                     area.top() + (area.height() - size.height()) // 2,
                                     size.width(), size.height()), pixmap)
        else:
            painter.setPen(palette.color(QPalette.ColorRole.BrightText)
                           if palette.color(QPalette.ColorRole.Window).lightness() < 128
                           else palette.color(QPalette.ColorRole.Light))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter,
                             {"audio": "♪ Sound", "image": "Image",
                              "page": "Preview page"}.get(item.kind, "Video"))
        if item.style:
            self._badge(painter, area, "Style preview", palette)
        length = length_text(item.duration)
        if length:
            self._badge(painter, area, length, palette, right=True)

        x = rect.left() + MARGIN
        width = POSTER.width()
        y = area.bottom() + 6
        plain, bold, small, metrics = self._fonts(option.font)
        painter.setFont(bold)
        painter.setPen(text_colour)
        name = str(index.data(Role.NAME) or "")
        painter.drawText(QRect(x, y, width, metrics.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(name, Qt.TextElideMode.ElideRight, width))
        y += metrics.height() + 2
        painter.setFont(plain)
        muted = text_colour if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        line = meta_line(item, str(index.data(Role.GENERATOR) or item.generator))
        painter.drawText(QRect(x, y, width, small.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         small.elidedText(line, Qt.TextElideMode.ElideRight, width))
        y += small.height() + 4
        tags = index.data(Role.TAGS) or ()
        self._tags(painter, QRect(x, y, width, small.height() + 4), tuple(tags), palette,
                   selected)
        painter.restore()

    def _badge(self, painter: QPainter, area: QRect, text: str, palette: QPalette, *,
               right: bool = False) -> None:
        """A small label on the poster: top left, or (``right``) bottom right."""
        metrics = painter.fontMetrics()
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
        box = QRect(area.right() - 4 - width, area.bottom() - 4 - height, width, height) \
            if right else QRect(area.left() + 4, area.top() + 4, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.ToolTipBase))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(palette.color(QPalette.ColorRole.ToolTipText))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _tags(self, painter: QPainter, line: QRect, tags: tuple[str, ...], palette: QPalette,
              selected: bool) -> None:
        metrics = painter.fontMetrics()
        x = line.left()
        for number, tag in enumerate(tags):
            rest = len(tags) - number
            width = metrics.horizontalAdvance(tag) + 12
            more = f"+{rest}"
            if x + width > line.right() - (metrics.horizontalAdvance(more) + 12 if rest > 1
                                           else 0):
                painter.setPen(palette.color(QPalette.ColorRole.Text))
                painter.drawText(QRect(x, line.top(), line.right() - x, line.height()),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 more)
                return
            chip = QRect(x, line.top(), width, line.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase if not selected
                                           else QPalette.ColorRole.Base))
            painter.drawRoundedRect(chip, line.height() / 2, line.height() / 2)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, tag)
            x += width + 4


__all__ = ["CARD", "POSTER", "CardDelegate", "date_text", "length_text", "meta_line", "short_date"]
