"""The music picker: Creatify's paged music library (search, categories, more pages) or any
pasted http(s) URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalogue_rows import category_names, merge_tracks, music_rows_keeping, tracks_listed
from app.generators import Field
from app.generators.spec import is_empty
from ui.forms.base import FieldEditor
from ui.forms.controls import Combo, pick_or_type
from ui.forms.pickers._base import StatusRow
from ui.forms.pickers._model import CatalogueModel, editable_value
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher

if TYPE_CHECKING:
    from ui.service import StudioService


class MusicPicker(FieldEditor):
    """Background music: a track from Creatify's library or any pasted http(s) URL.

    The library is paged (``service.music_page``): a search (debounced), a category (from
    ``music_categories``) and "More tracks" for the next page. The value is the URL string
    (``None`` when empty); a track chosen before a new search stays chosen.
    """

    noun = "music tracks"
    page_size = 20
    search_delay_ms = 350

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        name = field.name
        self.model = CatalogueModel("", self)
        self.combo = pick_or_type(self, name, field.label, self.model, width=24)
        self.combo.setToolTip(field.help or "Pick a track from Creatify's library or paste "
                                            "an http(s) URL of your own")
        edit = self.combo.lineEdit()
        assert edit is not None  # the combo is editable
        edit.setObjectName(f"{name}_edit")
        edit.setAccessibleName(f"{field.label} URL")
        edit.setPlaceholderText("None — pick a track or paste an https:// URL")
        edit.setClearButtonEnabled(True)
        self.combo.setEditText("")
        self.combo.currentIndexChanged.connect(self._on_edit)
        self.combo.editTextChanged.connect(self._on_edit)

        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}_search")
        self.search.setAccessibleName("Search music")
        self.search.setPlaceholderText("Search music…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Ask Creatify's library for tracks by name or category")
        self.search.textChanged.connect(self._on_search_typed)
        self.category = Combo(self)
        self.category.setObjectName(f"{name}_category")
        self.category.setAccessibleName("Music category")
        self.category.addItem("All categories", "")
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.currentIndexChanged.connect(self._on_category)
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"{name}_count")
        self.count_label.setAccessibleName(f"{field.label} tracks shown")
        self.more_button = QPushButton("More tracks", self)
        self.more_button.setObjectName(f"{name}_more")
        self.more_button.setAccessibleName("Load more music tracks")
        self.more_button.setToolTip("Ask Creatify for the next page of tracks")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)
        self._status_box = StatusRow(field, f"Retry loading {self.noun}", self.retry, self,
                                     retry_tip=f"Ask Creatify for the {self.noun} again")
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.search_delay_ms)
        self._debounce.timeout.connect(self._apply_query)

        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(
            self.search.placeholderText()) + 40)
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.category)
        paging = QHBoxLayout()
        paging.setContentsMargins(0, 0, 0, 0)
        paging.addWidget(self.count_label, 1)
        paging.addWidget(self.more_button)
        self.main = QVBoxLayout(self)
        self.main.setContentsMargins(0, 0, 0, 0)
        self.main.addWidget(self.combo)
        self.main.addLayout(tools)
        self.main.addLayout(paging)
        self.main.addWidget(self._status_box)
        self.setFocusProxy(self.combo)

        self.categories = CatalogueWatcher(service, "music_categories", self)
        self.categories.loaded.connect(self._on_categories)
        self.categories.failed.connect(self._on_categories_failed)
        service.musicPageLoaded.connect(self._on_page)
        service.musicPageFailed.connect(self._on_page_failed)
        service.modeChanged.connect(self._on_mode)

        self.requested = False
        self.items: list[dict[str, Any]] = []   # the tracks of the pages shown, in order
        self.pages = 0                           # pages of the current query shown
        self.count: int | None = None            # tracks matching, when Creatify says
        self.has_more = False
        self._query: tuple[str, str] = ("", "")  # search, category
        self._waiting: Any = None                # the MusicQuery asked and not answered
        self._failed: Any = None                 # the MusicQuery that failed (Retry)
        self._labels: dict[str, str] = {}        # URL -> label of every track seen
        self._last: Any = self.value()

    # -- loading

    @property
    def loaded(self) -> bool:
        return self.pages > 0

    @property
    def busy(self) -> bool:
        """A page has been asked for and not answered yet."""
        return self._waiting is not None

    @property
    def query(self) -> tuple[str, str]:
        """The search and the category the tracks shown answer."""
        return self._query

    def ensure_loaded(self) -> None:
        if self.requested:
            return
        self.requested = True
        self.categories.request()
        self._ask(1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def retry(self) -> None:
        self.requested = True
        if self.categories.error and not self.categories.items:
            self.categories.retry()
        failed = self._failed
        self._ask(failed.page if failed is not None and
                  (failed.search, failed.category) == self._query else 1)

    def load_more(self) -> None:
        if self.has_more and self._waiting is None:
            self._ask(self.pages + 1)

    def _ask(self, page: int) -> None:
        from ui.service import MusicQuery  # (the service imports the forms' modules late)
        if not self.service.connected:
            self._waiting = None
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
            self._update_controls()
            return
        search, category = self._query
        query = MusicQuery(search=search, category=category, page=page,
                           page_size=self.page_size)
        self._waiting = query
        self._failed = None
        page_obj = self.service.music_page(query)
        if page_obj is not None:
            self._take(query, page_obj)
        elif self._waiting == query:
            self._set_status(f"Loading {self.noun}…" if page == 1 else
                             f"Loading more {self.noun}…")
            self._update_controls()

    def _on_page(self, query: Any, page: Any) -> None:
        if query == self._waiting:
            self._take(query, page)

    def _on_page_failed(self, query: Any, message: str) -> None:
        if query != self._waiting:
            return
        self._waiting = None
        self._failed = query
        if message.startswith(NOT_CONNECTED.split(":")[0]):
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
        else:
            self._set_status(f"Could not load {self.noun}: {message}", retry=True)
        self._update_controls()

    def _take(self, query: Any, page: Any) -> None:
        self._waiting = None
        self.items = merge_tracks(self.items, getattr(page, "items", ()), query.page == 1)
        self.pages = query.page
        count = getattr(page, "count", None)
        self.count = count if isinstance(count, int) else None
        self.has_more = bool(getattr(page, "has_more", False))
        self._set_status(None)
        self._repopulate()
        self._update_controls()
        self._notify()

    def _on_mode(self, _mode: str) -> None:
        """A new connection: its library from the first page."""
        self._waiting = None
        self.items, self.pages, self.count, self.has_more = [], 0, None, False
        if self.requested:
            self._ask(1)

    # -- query

    def _on_search_typed(self, _text: str) -> None:
        self._debounce.start()

    def _on_category(self, _index: int) -> None:
        self._debounce.stop()
        self._apply_query()

    def _apply_query(self) -> None:
        query = (self.search.text().strip(), str(self.category.currentData() or ""))
        if query == self._query and (self.loaded or self._waiting is not None):
            return
        self._query = query
        self.requested = True
        self._ask(1)

    def _on_categories(self, items: list[Any]) -> None:
        current = self.category.currentData()
        self.category.blockSignals(True)
        try:
            self.category.clear()
            self.category.addItem("All categories", "")
            for name in category_names(items):
                self.category.addItem(name, name)
            index = self.category.findData(current)
            self.category.setCurrentIndex(max(index, 0))
        finally:
            self.category.blockSignals(False)
        self.category.setToolTip("Show only the tracks of one category")

    def _on_categories_failed(self, message: str, _retry: bool) -> None:
        self.category.setToolTip(f"Categories not loaded: {message}")

    # -- showing

    def _set_status(self, text: str | None, retry: bool = False) -> None:
        self._status_box.setVisible(bool(text))
        self.status.setText(text or "")
        self.retry_button.setVisible(retry)

    def _update_controls(self) -> None:
        self.count_label.setText(tracks_listed(len(self.items), self.count)
                                 if self.loaded else "")
        self.count_label.setToolTip("“More tracks” asks Creatify for the next page"
                                    if self.has_more else "")
        self.more_button.setEnabled(self.has_more and self._waiting is None)
        self.more_button.setVisible(self.loaded and (self.has_more or self.pages > 1))

    def _repopulate(self) -> None:
        keep = self.value()
        rows = music_rows_keeping(self.items, self._labels, keep)
        self.combo.blockSignals(True)
        try:
            self.model.set_rows(rows)
            self._select(keep)
        finally:
            self.combo.blockSignals(False)

    # -- value

    def value(self) -> str | None:
        return editable_value(self.combo, self.model)

    def set_value(self, value: Any) -> None:
        text = None if is_empty(value) else str(value).strip()
        self._select(text)
        self._notify()

    def _select(self, url: str | None) -> None:
        if url is None:
            self.combo.setCurrentIndex(self.model.none_row)
            self.combo.setEditText("")
            return
        index = self.model.find(url) if self.model.loaded else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self.combo.setEditText(self.combo.itemText(index))
        else:
            self.combo.setCurrentIndex(-1)
            self.combo.setEditText(url)

    def _on_edit(self, *_args: Any) -> None:
        self._notify()

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = ["MusicPicker"]
