"""How an avatar card is painted: the face, the name, the facets on two lines, a star, and
a badge on the creator's own ("Yours", "in review")."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem

from app.galleries import AvatarCard
from ui.galleries._cards import (
    CARD_ROLE,
    FAVOURITE_ROLE,
    IMAGE_ROLE,
    CardDelegate,
    draw_picture,
    muted,
)

PICTURE = 150
PAD = 8


class AvatarDelegate(CardDelegate):
    """A card: the face, the name, the facets, a star; "Yours" on the creator's own."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(PICTURE + 2 * PAD + 6, PICTURE + 2 * PAD + 3 * line + 12)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: AvatarCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        palette: QPalette = option.palette
        rect = self.paint_frame(painter, option, index)
        picture = QRect(rect.left() + PAD, rect.top() + PAD, rect.width() - 2 * PAD, PICTURE)
        draw_picture(painter, picture, index.data(IMAGE_ROLE), palette,
                     "…" if card.image else "No picture")
        if card.custom or card.status:
            badge = "Yours" if card.custom else ""
            if card.status:
                badge = f"{badge} · {card.status.lower()}" if badge else card.status
            self._badge(painter, picture, palette, badge)
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        text = QRect(picture.left(), picture.bottom() + 4, picture.width(), metrics.height())
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(card.name, Qt.TextElideMode.ElideRight,
                                                       text.width() - 26))
        painter.setFont(font)
        painter.setPen(muted(palette))
        details = text
        for words in card.detail_lines:
            details = details.translated(0, metrics.height() + 1)
            painter.drawText(details, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(words, Qt.TextElideMode.ElideRight,
                                                details.width()))
        self.paint_star(painter, option, rect, bool(index.data(FAVOURITE_ROLE)))
        painter.restore()

    def star_rect(self, rect: QRect) -> QRect:
        # beside the name, under the picture
        return QRect(rect.right() - PAD - 24, rect.top() + PAD + PICTURE + 2, 24, 24)

    @staticmethod
    def _badge(painter: QPainter, picture: QRect, palette: QPalette, text: str) -> None:
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        badge = QRect(picture.left() + 6, picture.top() + 6,
                      metrics.horizontalAdvance(text) + 12, metrics.height() + 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)


__all__ = ["PAD", "PICTURE", "AvatarDelegate"]
