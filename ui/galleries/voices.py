"""The voice gallery: every accent of every voice as a row with its sample played in place
(▶ on the row), filtered by gender, accent and language, searched by name, favourites
starred. A ``QListView`` over :class:`CardModel` and :class:`VoiceDelegate` (no widget per
row). Choosing emits :attr:`VoiceGallery.chosen` with the accent id (what the forms send).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.galleries import VoiceCard, VoiceFilter, filter_voices, voice_cards
from app.galleries.voices import VOICE_GENDERS
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher
from ui.galleries._cards import (
    CARD_ROLE,
    FAVOURITE_ROLE,
    CardChoice,
    CardDelegate,
    CardModel,
    card_list,
    muted,
    use_buttons,
)
from ui.galleries._chrome import (
    FacetChecks,
    clear_filters_button,
    favourites_for,
    search_line,
)
from ui.galleries._sample import SamplePlayer

if TYPE_CHECKING:
    from ui.service import StudioService

ROW_PAD = 8
PLAY = 34


class VoiceDelegate(CardDelegate):
    """A row: a play button, the voice and accent, gender and language, a star."""

    def __init__(self, player: SamplePlayer, parent: Any = None) -> None:
        super().__init__(parent)
        self.player = player

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(320, max(PLAY, 2 * line + 4) + 2 * ROW_PAD + 6)

    def play_rect(self, rect: QRect) -> QRect | None:
        return QRect(rect.left() + ROW_PAD, rect.center().y() - PLAY // 2, PLAY, PLAY)

    def star_rect(self, rect: QRect) -> QRect:
        return QRect(rect.right() - ROW_PAD - 28, rect.center().y() - 14, 28, 28)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: VoiceCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        palette: QPalette = option.palette
        rect = self.paint_frame(painter, option, index)
        play = self.play_rect(rect)
        assert play is not None
        playing = self.player.playing == card.id
        can_play = bool(card.sample) and not self.player.problem
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight) if can_play
                         else palette.color(QPalette.ColorRole.Mid))
        painter.drawEllipse(play)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(play, Qt.AlignmentFlag.AlignCenter, "■" if playing else "▶")
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        left = play.right() + 12
        width = self.star_rect(rect).left() - 8 - left
        top = rect.center().y() - metrics.height() - 1
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = QRect(left, top, width, metrics.height())
        painter.drawText(name, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(card.label, Qt.TextElideMode.ElideRight,
                                                       width))
        painter.setFont(font)
        painter.setPen(muted(palette))
        details = name.translated(0, metrics.height() + 2)
        painter.drawText(details, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(card.details, Qt.TextElideMode.ElideRight, width))
        self.paint_star(painter, option, rect, bool(index.data(FAVOURITE_ROLE)))
        painter.restore()


class VoiceGallery(CardChoice, QDialog):
    """Browse, hear and choose a voice; :attr:`chosen` carries the accent id."""

    chosen = Signal(str)

    def __init__(self, service: StudioService, current: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.current = current
        self.setObjectName("voice_gallery")
        self.setWindowTitle("Voices")
        self.setAccessibleName("Voice gallery")
        self.setModal(False)
        self.favourites = favourites_for(service)
        self.player = SamplePlayer(self)
        self.player.changed.connect(self._player_changed)
        self.all_cards: list[VoiceCard] = []

        self.search = search_line("voices", self)
        self.search.textChanged.connect(self.refilter)
        self.favourites_only = QCheckBox("Favourites only", self)
        self.favourites_only.setObjectName("gallery_favourites_only")
        self.favourites_only.toggled.connect(self.refilter)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.favourites_only)

        facet_box = QWidget()
        facet_column = QVBoxLayout(facet_box)
        facet_column.setContentsMargins(0, 0, 6, 0)
        self.genders = FacetChecks("gender", "Gender", VOICE_GENDERS, facet_box)
        self.languages = FacetChecks("language", "Language", (), facet_box)
        self.accents = FacetChecks("accent", "Accent", (), facet_box)
        for group in (self.genders, self.languages, self.accents):
            group.changed.connect(self.refilter)
            facet_column.addWidget(group)
        self.clear_filters = clear_filters_button(
            facet_box, [self.genders, self.languages, self.accents], self.refilter)
        facet_column.addWidget(self.clear_filters)
        facet_column.addStretch(1)
        self.facet_scroll = QScrollArea(self)
        self.facet_scroll.setObjectName("gallery_facets")
        self.facet_scroll.setWidget(facet_box)
        self.facet_scroll.setWidgetResizable(True)
        self.facet_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.facet_scroll.setFixedWidth(190)

        self.model = CardModel(None, self._describe, self)
        self.view = card_list(self, "voice_cards", "Voices", grid=False)
        self.delegate = VoiceDelegate(self.player, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._activated)
        self.view.installEventFilter(self)
        self.view.setToolTip("Space plays the sample, Enter chooses the voice")
        self.delegate.starClicked.connect(
            lambda index: self.toggle_favourite(self.model.data(index, CARD_ROLE).id))
        self.delegate.playClicked.connect(
            lambda index: self.play(self.model.data(index, CARD_ROLE)))

        self.count = QLabel(self)
        self.count.setObjectName("gallery_count")
        self.count.setWordWrap(True)
        self.play_button = QPushButton("▶ Play sample", self)
        self.play_button.setObjectName("voice_play")
        self.play_button.clicked.connect(lambda: self.play(self.current_card()))
        self.buttons, self.use_button = use_buttons(self, "Use this voice", self.choose_current)

        middle = QHBoxLayout()
        middle.addWidget(self.facet_scroll)
        middle.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.play_button)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.setMinimumSize(640, 480)
        self.resize(900, 640)

        self.watcher = CatalogueWatcher(service, "voices", self)
        self.watcher.loading.connect(lambda: self.count.setText("Loading voices…"))
        self.watcher.failed.connect(self._failed)
        self.watcher.loaded.connect(self._loaded)
        self._refresh_buttons()
        self.watcher.request()

    # -- the catalogue and filters

    def _loaded(self, items: list[Any]) -> None:
        self.all_cards = voice_cards(items)
        languages = sorted({c.language for c in self.all_cards}, key=str.casefold)
        accents = sorted({c.accent for c in self.all_cards if c.accent}, key=str.casefold)
        self.languages.set_values([(x, x) for x in languages])
        self.accents.set_values([(x, x) for x in accents])
        self.refilter()
        if self.current is not None and self.view.currentIndex().row() < 0:
            self.select(self.current)

    def _failed(self, message: str, _retry: bool) -> None:
        self.count.setText(f"{NOT_CONNECTED} to list voices." if message.startswith(
            NOT_CONNECTED) else f"Could not load voices: {message}")

    def wanted(self) -> VoiceFilter:
        return VoiceFilter(self.genders.chosen(), self.accents.chosen(),
                           self.languages.chosen(), self.search.text(),
                           self.favourites_only.isChecked())

    def refilter(self) -> None:
        keep = self.current_card()
        favourites = self.favourites.store.ids("voices")
        shown = filter_voices(self.all_cards, self.wanted(), favourites)
        self.model.set_favourites(favourites)
        self.model.set_cards(shown)
        if keep is not None:
            self.select(keep.id)
        self.count.setText(f"{len(shown):,} of {len(self.all_cards):,} voices")
        self._refresh_buttons()

    # -- playing and choosing

    def play(self, card: VoiceCard | None) -> None:
        if card is None or not card.sample:
            return
        self.player.toggle(card.id, card.sample)

    def _player_changed(self) -> None:
        self.view.viewport().update()
        self._refresh_buttons()

    def current_card(self) -> VoiceCard | None:
        card: VoiceCard | None = self.current_data()
        return card

    def _current_changed(self, *_args: object) -> None:
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        card = self.current_card()
        self.use_button.setEnabled(card is not None)
        playing = card is not None and self.player.playing == card.id
        self.play_button.setText("■ Stop" if playing else "▶ Play sample")
        problem = self.player.problem or self.player.error
        self.play_button.setEnabled(card is not None and bool(card.sample)
                                    and not self.player.problem)
        self.play_button.setToolTip(problem or ("" if card is None else
                                                f"Play a sample of {card.label}"))

    def _activated(self, index: QModelIndex) -> None:
        self.view.setCurrentIndex(index)
        self.choose_current()

    def choose_current(self) -> None:
        card = self.current_card()
        if card is None:
            return
        self.chosen.emit(card.id)
        self.accept()

    def toggle_favourite(self, card_id: str) -> None:
        self.favourites.toggle("voices", card_id)
        self.model.set_favourites(self.favourites.store.ids("voices"))
        if self.favourites_only.isChecked():
            self.refilter()

    @staticmethod
    def _describe(card: VoiceCard) -> str:
        return " — ".join(p for p in (card.label, card.details) if p)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.view and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space):
            self.play(self.current_card())
            return True
        return super().eventFilter(watched, event)

    def done(self, result: int) -> None:
        self.player.release()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.player.release()
        super().closeEvent(event)


__all__ = ["VoiceDelegate", "VoiceGallery"]
