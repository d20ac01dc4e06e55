"""The avatar gallery: every avatar as a large card, filtered by gender, age, location and
style (on Creatify's side when connected, ``GET /api/personas_v2/``, and on the list in hand
at once), searched by name, favourites marked with a star, the creator's own avatars first.

A ``QListView`` in icon mode over :class:`CardModel` and :class:`AvatarDelegate`: one model
row per avatar, painted, never a widget per card, so a thousand avatars scroll smoothly; a
card's picture is fetched only when it is painted. Choosing (double-click, Enter or "Use this
avatar") emits :attr:`AvatarGallery.chosen` with the persona id. Non-modal: open it with
``open()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.galleries import (
    AVATAR_FACETS,
    AvatarCard,
    AvatarFilter,
    avatar_cards,
    filter_avatars,
    server_filters,
)
from app.galleries.avatars import FACET_TITLES
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher
from ui.galleries._avatar_delegate import PICTURE, AvatarDelegate
from ui.galleries._cards import (
    CARD_ROLE,
    CardChoice,
    CardModel,
    card_list,
    use_buttons,
)
from ui.galleries._chrome import (
    FacetChecks,
    clear_filters_button,
    favourites_for,
    search_line,
)
from ui.galleries._images import GalleryImages
from ui.galleries._preview import AvatarDetail
from ui.galleries._reads import read_filtered_avatars

if TYPE_CHECKING:
    from ui.service import StudioService

SERVER_DELAY_MS = 250
"""Filters settle this long before Creatify is asked (a few clicks make one request)."""


class AvatarGallery(CardChoice, QDialog):
    """Browse and choose an avatar; :attr:`chosen` carries the persona id."""

    chosen = Signal(str)

    def __init__(self, service: StudioService, current: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.current = current
        self.setObjectName("avatar_gallery")
        self.setWindowTitle("Avatars")
        self.setAccessibleName("Avatar gallery")
        self.setModal(False)
        self.favourites = favourites_for(service)
        self.images = GalleryImages(service, parent=self, card=QSize(PICTURE, PICTURE))
        self.all_cards: list[AvatarCard] = []
        self.server_cards: list[AvatarCard] | None = None  # Creatify's answer to the facets
        self.server_query: dict[str, list[str]] = {}
        self.server_error: str | None = None
        self._asked = 0
        self._closed = False

        self.search = search_line("avatars", self)
        self.search.textChanged.connect(self.refilter)
        self.favourites_only = QCheckBox("Favourites only", self)
        self.favourites_only.setObjectName("gallery_favourites_only")
        self.favourites_only.toggled.connect(self.refilter)
        self.count = QLabel(self)
        self.count.setObjectName("gallery_count")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.favourites_only)

        self.facets: dict[str, FacetChecks] = {}
        facet_box = QWidget()
        facet_column = QVBoxLayout(facet_box)
        facet_column.setContentsMargins(0, 0, 6, 0)
        for name, values in AVATAR_FACETS.items():
            group = FacetChecks(name, FACET_TITLES[name], values, facet_box)
            group.changed.connect(self._facets_changed)
            facet_column.addWidget(group)
            self.facets[name] = group
        self.clear_filters = clear_filters_button(facet_box, list(self.facets.values()),
                                                  self._facets_changed)
        facet_column.addWidget(self.clear_filters)
        facet_column.addStretch(1)
        facet_scroll = QScrollArea(self)
        facet_scroll.setObjectName("gallery_facets")
        facet_scroll.setWidget(facet_box)
        facet_scroll.setWidgetResizable(True)
        facet_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        facet_scroll.setFixedWidth(facet_box.sizeHint().width() + 18)

        self.model = CardModel(self.images, self._describe, self)
        self.view = card_list(self, "avatar_cards", "Avatars")
        self.delegate = AvatarDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._activated)
        self.view.installEventFilter(self)
        self.view.setToolTip("Space plays the preview video, Enter chooses the avatar")
        self.delegate.starClicked.connect(lambda index: self.toggle_favourite(
            self.model.data(index, CARD_ROLE).id))

        self.detail = AvatarDetail(self.images, self)
        self.detail.favouriteClicked.connect(self.toggle_favourite)

        self.buttons, self.use_button = use_buttons(self, "Use this avatar", self.choose_current)

        middle = QHBoxLayout()
        middle.addWidget(facet_scroll)
        middle.addWidget(self.view, 1)
        middle.addWidget(self.detail)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.setMinimumSize(860, 560)
        self.resize(1120, 720)

        self._server_timer = QTimer(self)
        self._server_timer.setSingleShot(True)
        self._server_timer.setInterval(SERVER_DELAY_MS)
        self._server_timer.timeout.connect(self._ask_server)
        self.watcher = CatalogueWatcher(service, "personas", self)
        self.watcher.loading.connect(lambda: self._say("Loading avatars…"))
        self.watcher.failed.connect(self._failed)
        self.watcher.loaded.connect(self._loaded)
        self._refresh_use()
        self.watcher.request()  # the list in hand at once, if the session holds one …
        if service.connected and self.watcher.items is not None:
            service.load_catalogue("personas")  # … and read again: a new own avatar shows

    # -- the catalogue

    def _loaded(self, items: list[Any]) -> None:
        self.all_cards = avatar_cards(items)
        self.refilter()
        if self.current is not None and self.view.currentIndex().row() < 0:
            self.select(self.current)

    def _failed(self, message: str, _retry: bool) -> None:
        if message.startswith(NOT_CONNECTED):
            self._say(f"{NOT_CONNECTED} to list avatars.")
        else:
            self._say(f"Could not load avatars: {message}")

    def _say(self, text: str) -> None:
        self.count.setText(text)

    # -- filtering

    def wanted(self) -> AvatarFilter:
        return AvatarFilter({name: group.chosen() for name, group in self.facets.items()},
                            self.search.text(), self.favourites_only.isChecked())

    def _facets_changed(self) -> None:
        self.refilter()
        self._server_timer.start()

    def _ask_server(self) -> None:
        query = server_filters(self.wanted())
        self._asked += 1
        asked = self._asked
        if not query:
            self.server_cards, self.server_query, self.server_error = None, {}, None
            self.refilter()
            return

        def done(items: list[dict[str, Any]] | None, error: str | None) -> None:
            if self._closed or asked != self._asked:
                return  # closed, or the filters changed again meanwhile
            self.server_error = error
            if items is not None:
                self.server_cards, self.server_query = avatar_cards(items), query
            self.refilter()
        if not read_filtered_avatars(self.service, query, done):
            self.server_cards, self.server_query = None, {}

    def refilter(self) -> None:
        wanted = self.wanted()
        query = server_filters(wanted)
        from_server = self.server_cards is not None and query == self.server_query
        base = self.server_cards if from_server and self.server_cards is not None \
            else self.all_cards
        keep = self.view.currentIndex().data(CARD_ROLE)
        shown = filter_avatars(base, wanted, self.favourites.store.ids("personas"))
        self.model.set_favourites(self.favourites.store.ids("personas"))
        self.model.set_cards(shown)
        if keep is not None:
            self.select(keep.id)
        self._current_changed()
        total = len(self.all_cards)
        how = ""
        if query:
            how = (" · filtered by Creatify" if from_server else
                   f" · filtered here ({self.server_error})" if self.server_error else
                   " · filtered here")
        self._say(f"{len(shown):,} of {total:,} avatars{how}" if total or shown else
                  "No avatars")
        self._refresh_use()

    # -- choosing

    def current_card(self) -> AvatarCard | None:
        card: AvatarCard | None = self.current_data()
        return card

    def _current_changed(self, *_args: object) -> None:
        card = self.current_card()
        self.detail.show_card(card, card is not None and card.id in self.model.favourites)
        self._refresh_use()

    def _refresh_use(self) -> None:
        card = self.current_card()
        self.use_button.setEnabled(card is not None and card.usable)
        self.use_button.setToolTip("" if card is None or card.usable else
                                   f"{card.name} is {card.status.lower()}")

    def _activated(self, index: QModelIndex) -> None:
        self.view.setCurrentIndex(index)
        self.choose_current()

    def choose_current(self) -> None:
        card = self.current_card()
        if card is None or not card.usable:
            return
        self.chosen.emit(card.id)
        self.accept()

    def toggle_favourite(self, card_id: str) -> None:
        now = self.favourites.toggle("personas", card_id)
        self.model.set_favourites(self.favourites.store.ids("personas"))
        card = self.current_card()
        if card is not None and card.id == card_id:
            self.detail.set_favourite(now)
        if self.favourites_only.isChecked():
            self.refilter()

    @staticmethod
    def _describe(card: AvatarCard) -> str:
        parts = [card.name, card.details]
        if card.custom:
            parts.append("your own avatar")
        if card.status:
            parts.append(card.status)
        return " — ".join(p for p in parts if p)

    # -- closing

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.view and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space):
            self.detail.toggle_video()
            return True
        return super().eventFilter(watched, event)

    def done(self, result: int) -> None:
        self._closed = True
        self._server_timer.stop()
        self.detail.release()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self.detail.release()
        super().closeEvent(event)


__all__ = ["AvatarDelegate", "AvatarGallery"]
