"""The Asset Generator's model picker: the live catalogue grouped by family or by generation
type, searchable, each row with the model's title, exact name, type and price hint.

The catalogue is ``service.catalogue("asset_schemas")``: the session answers at once from its
disk cache (offline too) and refreshes it in the background, so the picker shows the cached
list with "catalogue from <date>" and a refresh button. Grouping, labels and search are
Qt-free (``app.assets.AssetCatalogue``); the price hints come from the asset price file in
force (``app.pricing.asset_prices()``, bundled or imported). Keyboard: type to search, the
arrows move through the models (from the search box too), Enter or a click chooses one; a
model named before the catalogue arrives (a saved form) is kept and shown by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.assets import AssetCatalogue, CatalogueModel
from app.generators import Field, FieldKind
from app.pricing import asset_prices
from app.pricing.assets import AssetPrices
from app.pricing.money import credits_text
from ui.forms.base import FieldEditor
from ui.forms.pickers._base import StatusRow
from ui.forms.pickers._model_tree import ModelTree
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher

if TYPE_CHECKING:
    from ui.service import StudioService

KIND = "asset_schemas"
NAME_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Model", "Name", "Type", "Price")
LIST_HEIGHT = 230
"""The list's height in pixels: about nine rows, so the form below stays in view."""

Grouping = Literal["family", "type"]


class CachedCatalogueWatcher(CatalogueWatcher):
    """A catalogue watcher that takes a cached catalogue even while not connected: the
    session answers the asset schemas and the AI Ad Templates from its disk cache."""

    def _ask(self) -> None:
        items = self.service.catalogue(self.kind)
        if items is not None:
            self._take(items)
            return
        if not self._connected():
            if self.items is None:
                self._report(NOT_CONNECTED + ".", retry=False)
            return
        if self.items is None:
            self.error = None
            self.loading.emit()


def price_hint(model: CatalogueModel, prices: AssetPrices | None) -> str:
    """The row's price words: ``0.5 credits`` for a flat price, ``from 2 credits`` where
    the price file has a table (its lowest cell) or only a minimum, ``price unknown``."""
    known = prices.model(model.name) if prices is not None else None
    if known is not None and known.kind == "flat" and len(known.cells) == 1:
        return credits_text(next(iter(known.cells.values())))
    lowest: Decimal | None = model.from_credits
    if known is not None and known.kind == "table" and known.cells:
        lowest = min(known.cells.values())
    elif known is not None and known.minimum is not None:
        lowest = known.minimum
    if lowest is not None:
        return f"from {credits_text(lowest)}"
    return "price unknown"


def short_title(model: CatalogueModel) -> str:
    """The model's title without the price file's " · Text to video" tail (the type has its
    own column) and any note after it."""
    return model.title.split(" · ")[0].strip() or model.name


def catalogue_date_text(when: Any) -> str:
    """``catalogue from 6 Dec 2026 20:15`` (``when`` a datetime or date; "" when None)."""
    if when is None:
        return ""
    if hasattr(when, "hour"):
        if getattr(when, "tzinfo", None) is not None:
            when = when.astimezone()  # the session's UTC, in the user's own time
        return f"catalogue from {when:%-d %b %Y %H:%M}"
    return f"catalogue from {when:%-d %b %Y}"


class _ArrowsToList(QObject):
    """Up/Down/Page keys typed in the search box move through the list; Enter chooses."""

    def __init__(self, picker: AssetModelPicker) -> None:
        super().__init__(picker)
        self.picker = picker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
                       Qt.Key.Key_PageDown):
                self.picker.move_highlight(key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.picker.choose_highlighted()
                return True
        return super().eventFilter(watched, event)


class AssetModelPicker(FieldEditor):
    """``model_name`` of the Asset Generator, chosen from the live catalogue."""

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.catalogue = AssetCatalogue([])
        self.grouping: Grouping = "family"
        self._value: str | None = None
        self.prices: AssetPrices | None = None
        name = field.name

        self.watcher = CachedCatalogueWatcher(service, KIND, self)
        self.watcher.loading.connect(self._show_status)
        self.watcher.failed.connect(self._show_status)
        self.watcher.loaded.connect(self._on_loaded)
        self._status_box = StatusRow(field, "Retry loading the models", self.refresh, self,
                                     retry_tip="Ask Creatify for the model catalogue again")
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        self.chosen = QLabel(self)
        self.chosen.setObjectName(f"{name}_chosen")
        self.chosen.setAccessibleName("Chosen model")
        self.chosen.setWordWrap(True)
        self.chosen.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.chosen.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.chosen.setFont(bold)

        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}_search")
        self.search.setAccessibleName("Search the models")
        self.search.setPlaceholderText("Search models: name, family, type…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._populate)
        self.search.installEventFilter(_ArrowsToList(self))

        self.by_family = QRadioButton("By family", self)
        self.by_family.setObjectName(f"{name}_by_family")
        self.by_family.setAccessibleName("Group the models by family")
        self.by_type = QRadioButton("By type", self)
        self.by_type.setObjectName(f"{name}_by_type")
        self.by_type.setAccessibleName("Group the models by generation type")
        self.by_family.setChecked(True)
        switch = QButtonGroup(self)
        switch.addButton(self.by_family)
        switch.addButton(self.by_type)
        self.by_type.toggled.connect(self._regroup)

        self.refresh_button = QToolButton(self)
        self.refresh_button.setText("↻")
        self.refresh_button.setObjectName(f"{name}_refresh")
        self.refresh_button.setAccessibleName("Refresh the model catalogue")
        self.refresh_button.setToolTip("Ask Creatify for the model catalogue again")
        self.refresh_button.clicked.connect(self.refresh)
        self.date = QLabel(self)
        self.date.setObjectName(f"{name}_catalogue_date")
        self.date.setAccessibleName("Catalogue date")
        self.date.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.tree = ModelTree(self)
        self.tree.setObjectName(f"{name}_list")
        self.tree.setAccessibleName("Models")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setFixedHeight(LIST_HEIGHT)
        # Type and price keep their width; title and exact name share the rest, a long one
        # elided in the middle (whole in the row's tooltip and, once chosen, above the list).
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(lambda item, _col: self._choose_item(item))
        self.tree.entered.connect(self.choose_highlighted)

        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.by_family)
        tools.addWidget(self.by_type)
        dated = QHBoxLayout()
        dated.setContentsMargins(0, 0, 0, 0)
        dated.addWidget(self.chosen, 1)
        dated.addWidget(self.date)
        dated.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(dated)
        layout.addLayout(tools)
        layout.addWidget(self.tree)
        layout.addWidget(self._status_box)
        self.setFocusProxy(self.search)
        self.set_value(field.default)
        self.watcher.request()  # a cached catalogue shows at once; nothing is fetched here

    # -- loading

    @property
    def loaded(self) -> bool:
        return self.watcher.items is not None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.request()
        self.refresh_prices()

    def refresh_prices(self) -> None:
        """Show the price hints of the price file in force now (File → Update prices…
        replaces it; the window calls this, and each showing checks it)."""
        if self.watcher.items is not None and asset_prices() is not self.prices:
            self._on_loaded(self.watcher.items)

    def refresh(self) -> None:
        """Ask Creatify for the catalogue again (the cached one stays until it arrives)."""
        self.watcher.retry()
        self._show_status()

    def _on_loaded(self, items: list[Any]) -> None:
        self.prices = asset_prices()  # the price file in force (bundled or imported)
        self.catalogue = AssetCatalogue.from_entries(items, self.prices)
        self._populate()
        self._show_chosen()
        self._show_status()

    def _show_status(self, *_args: Any) -> None:
        watcher = self.watcher
        self.date.setText(catalogue_date_text(self.service.catalogue_date(KIND)))
        text, retry = "", False
        if watcher.items is None:
            if watcher.error:
                text, retry = watcher.error, not watcher.error.startswith(NOT_CONNECTED)
            else:
                text = "Loading the model catalogue…"
        elif watcher.error:
            text = f"Showing the saved catalogue: {watcher.error}"
            retry = not watcher.error.startswith(NOT_CONNECTED)
        elif not self.catalogue.models:
            text = "Creatify lists no models."
        self.status.setText(text)
        self._status_box.setVisible(bool(text))
        self.retry_button.setVisible(retry)

    # -- the list

    def _regroup(self) -> None:
        self.grouping = "type" if self.by_type.isChecked() else "family"
        self._populate()

    def _populate(self, *_args: Any) -> None:
        """Fill the list with the models matching the search, under their group headings."""
        found = AssetCatalogue(self.catalogue.search(self.search.text()))
        self.tree.clear()
        heading_font = QFont(self.tree.font())
        heading_font.setWeight(QFont.Weight.DemiBold)
        current: QTreeWidgetItem | None = None
        for group, models in found.groups(self.grouping):
            heading = QTreeWidgetItem([f"{group} ({len(models)})"])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setFont(0, heading_font)
            self.tree.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for model in models:
                row = QTreeWidgetItem(["    " + short_title(model), model.name,
                                       model.type_label,
                                       price_hint(model, self.prices)])
                row.setData(0, NAME_ROLE, model.name)
                for column in range(len(COLUMNS)):
                    row.setToolTip(column, f"{model.title}\n{model.name}")
                self.tree.addTopLevelItem(row)
                if model.name == self._value:
                    current = row
        if current is not None:
            self.tree.setCurrentItem(current)
            self.tree.scrollToItem(current)

    def _rows(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None and item.data(0, NAME_ROLE)]

    def move_highlight(self, key: int) -> None:
        """Move the highlighted model (from the search box's arrow keys)."""
        rows = self._rows()
        if not rows:
            return
        current = self.tree.currentItem()
        index = rows.index(current) if current in rows else -1
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8,
                Qt.Key.Key_PageDown: 8}[Qt.Key(key)]
        index = max(0, min(len(rows) - 1, index + step if index >= 0 else 0))
        self.tree.setCurrentItem(rows[index])
        self.tree.scrollToItem(rows[index])

    def choose_highlighted(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            rows = self._rows()
            item = rows[0] if len(rows) == 1 else None  # one match: Enter takes it
        if item is not None:
            self._choose_item(item)

    def _choose_item(self, item: QTreeWidgetItem) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self._set(str(name), emit=True)

    # -- value

    def _set(self, name: str | None, *, emit: bool) -> None:
        changed = name != self._value
        self._value = name
        self._show_chosen()
        if changed and emit:
            self.changed.emit()

    def _show_chosen(self) -> None:
        name = self._value
        if not name:
            self.chosen.setText("No model chosen")
            return
        model = self.catalogue.model(name)
        if model is None:
            self.chosen.setText(name if not self.loaded else f"{name} (not in the catalogue)")
            return
        self.chosen.setText(f"{short_title(model)} ({name}) · {model.type_label} · "
                            f"{price_hint(model, self.prices)}")
        for row in self._rows():
            if row.data(0, NAME_ROLE) == name:
                self.tree.setCurrentItem(row)
                break

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a saved form, a retried job); ``changed`` follows when it differs,
        as with any editor, so the schema form follows the model."""
        text = str(value).strip() if value is not None else ""
        self._set(text or None, emit=True)

    def choose(self, name: str) -> None:
        """Choose ``name`` as if the user picked it (emits ``changed``)."""
        self._set(name.strip() or None, emit=True)


def is_asset_model_field(fields: Any, field: Field) -> bool:
    """Whether ``field`` is a model choice that a schema form follows (the Asset Generator's
    ``model_name`` beside its ``input_params``): it gets this picker."""
    return field.name == "model_name" and any(
        f.kind is FieldKind.SCHEMA_FORM for f in fields)


__all__ = ["AssetModelPicker", "CachedCatalogueWatcher", "catalogue_date_text",
           "is_asset_model_field", "price_hint", "short_title"]
