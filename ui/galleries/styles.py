"""The visual-style gallery (URL to Video's ``visual_style``): a card per style with its
readable name, the name Creatify takes, and a picture when the creator has one.

Creatify publishes no example pictures of its styles (see :mod:`app.galleries.styles`): a
card's picture is the thumbnail of the creator's own latest video in that style (read from
the ledger in a worker thread), else the card says there is none yet. Choosing emits
:attr:`StyleGallery.chosen` with the style's API name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.galleries.styles import StyleCard, style_cards
from app.jobs.ledger import JobRecord
from ui.galleries._cards import (
    CARD_ROLE,
    IMAGE_ROLE,
    CardChoice,
    CardDelegate,
    CardModel,
    card_list,
    draw_picture,
    muted,
    use_buttons,
)
from ui.galleries._images import GalleryImages

if TYPE_CHECKING:
    from ui.service import StudioService

PICTURE_W, PICTURE_H = 224, 126
PAD = 8
JOBS_READ = 2000
"""The newest jobs searched for examples."""
INTRO = ("Creatify publishes no example pictures of its visual styles, only their names. "
         "A picture here is the thumbnail of your own latest video in that style; "
         "“Compare styles” on URL to Video previews any of them on your product.")


class StyleDelegate(CardDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(PICTURE_W + 2 * PAD + 6, PICTURE_H + 2 * PAD + 2 * line + 12)

    def star_rect(self, rect: QRect) -> QRect:
        return QRect()  # styles have no favourites

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: StyleCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        palette: QPalette = option.palette
        rect = self.paint_frame(painter, option, index)
        picture = QRect(rect.left() + PAD, rect.top() + PAD, rect.width() - 2 * PAD, PICTURE_H)
        draw_picture(painter, picture, index.data(IMAGE_ROLE), palette,
                     "…" if card.image else "No example picture yet")
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        bold = QFont(font)
        bold.setBold(True)
        line = QRect(picture.left(), picture.bottom() + 4, picture.width(), metrics.height())
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(card.name, Qt.TextElideMode.ElideRight,
                                                       line.width()))
        painter.setFont(font)
        painter.setPen(muted(palette))
        line = line.translated(0, metrics.height() + 1)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(card.id, Qt.TextElideMode.ElideRight, line.width()))
        painter.restore()


class StyleGallery(CardChoice, QDialog):
    """Browse and choose a visual style; :attr:`chosen` carries its API name."""

    chosen = Signal(str)

    def __init__(self, service: StudioService, choices: Sequence[tuple[str, str]],
                 current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.choices = list(choices)
        self.current = current
        self.setObjectName("style_gallery")
        self.setWindowTitle("Visual styles")
        self.setAccessibleName("Visual style gallery")
        intro = QLabel(INTRO, self)
        intro.setObjectName("style_gallery_intro")
        intro.setWordWrap(True)
        self.images = GalleryImages(service, parent=self, card=QSize(PICTURE_W, PICTURE_H))
        self.model = CardModel(self.images, lambda c: f"{c.name} ({c.id}) — {c.example}", self)
        self.view = card_list(self, "style_cards", "Visual styles")
        self.view.setItemDelegate(StyleDelegate(self.view))
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._activated)
        self.example = QLabel(self)
        self.example.setObjectName("style_gallery_example")
        self.example.setWordWrap(True)
        self.buttons, self.use_button = use_buttons(self, "Use this style", self.choose_current)
        bottom = QHBoxLayout()
        bottom.addWidget(self.example, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.setMinimumSize(640, 480)
        self.resize(1000, 680)
        self.show_cards(style_cards(self.choices))
        self.examples_read = not service.jobs_page_in_thread(self, JOBS_READ, self._jobs_read)

    def show_cards(self, cards: list[StyleCard]) -> None:
        keep = self.current_card()
        self.model.set_cards(cards)
        wanted = keep.id if keep is not None else self.current
        if wanted is not None:
            self.select(wanted)
        self._current_changed()

    def _jobs_read(self, jobs: list[JobRecord] | None, _error: str | None) -> None:
        self.examples_read = True
        if jobs:
            self.show_cards(style_cards(self.choices, jobs))

    def current_card(self) -> StyleCard | None:
        card: StyleCard | None = self.current_data()
        return card

    def _current_changed(self, *_args: object) -> None:
        card = self.current_card()
        self.use_button.setEnabled(card is not None)
        self.example.setText("" if card is None else
                             f"<b>{card.name}</b> — sent as {card.id}.<br>{card.example}")

    def _activated(self, index: QModelIndex) -> None:
        self.view.setCurrentIndex(index)
        self.choose_current()

    def choose_current(self) -> None:
        card = self.current_card()
        if card is not None:
            self.chosen.emit(card.id)
            self.accept()


__all__ = ["StyleDelegate", "StyleGallery"]
