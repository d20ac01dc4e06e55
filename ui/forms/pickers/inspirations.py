"""The AI Ad Template browser: Creatify's templates (``GET /api/inspirations/``) as cards.

Each card shows the template's preview image, name, generation type, categories and credit
cost; a search line and a category filter narrow them; the chosen template's preview video
plays in the app's player. The value is the template's id (``inspiration_id``); the
``input_params`` form beside it follows the chosen template's ``input_params_schema``.

Why cards and not a combo: a template is chosen by its look, and its price (``credit_cost``)
is the job's whole price, so both are on the card. The catalogue comes from the service,
which answers at once from the list saved on disk (offline too) and refreshes it in the
background; the browser says how old the list is. Preview images are read through the
service's image loading (cached, a few at a time), only when the cards are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.spec import is_empty
from ui.forms.base import FieldEditor
from ui.forms.controls import Combo
from ui.forms.pickers._base import CatalogueEditor
from ui.forms.pickers._template_cards import (
    TemplateCard,
    categories_of,
    tag_name,
    template_cards,
)
from ui.forms.pickers._thumbnails import ThumbnailLoader
from ui.forms.pickers._watcher import NOT_CONNECTED
from ui.forms.pickers.asset_models import CachedCatalogueWatcher
from ui.jobs.preview import PreviewDialog

if TYPE_CHECKING:
    from ui.service import StudioService

CARD_ICON = QSize(176, 99)
"""A card's preview image (16:9, the templates' usual shape)."""
CARD_GRID = QSize(196, 178)
ALL_CATEGORIES = "All categories"
ID_ROLE = Qt.ItemDataRole.UserRole


# ---------------------------------------------------------------------------- the browser


class InspirationPicker(CatalogueEditor):
    """Choose an AI Ad Template; the value is its id (``None`` until one is chosen)."""

    kind = "inspirations"
    noun = "AI Ad Templates"

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        self.watcher.deleteLater()  # the list saved on disk answers offline too
        self.watcher = CachedCatalogueWatcher(service, self.kind, self)
        self.watcher.loading.connect(self._on_loading)
        self.watcher.loaded.connect(self._on_loaded)
        self.watcher.failed.connect(self._on_failed)
        name = field.name
        self.cards: list[TemplateCard] = []
        self._value: str | None = None
        self.player: PreviewDialog | None = None
        self.thumbnails = ThumbnailLoader(service, self)
        self.thumbnails.ready.connect(self._on_thumbnail)

        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}_filter")
        self.search.setAccessibleName("Search the AI Ad Templates")
        self.search.setPlaceholderText("Search templates…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.category = Combo(self)
        self.category.setObjectName(f"{name}_category")
        self.category.setAccessibleName("Show the templates of one category")
        self.category.addItem(ALL_CATEGORIES, None)
        self.category.currentIndexChanged.connect(self._apply_filter)
        self.date = QLabel(self)
        self.date.setObjectName(f"{name}_date")
        self.date.setAccessibleName("How old the list of templates is")
        self.date.setEnabled(False)  # a quiet, secondary line
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName(f"{name}_refresh")
        self.refresh_button.setAccessibleName("Read the AI Ad Templates again")
        self.refresh_button.clicked.connect(self.retry)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.category)
        bar.addWidget(self.refresh_button)

        self.list = QListWidget(self)
        self.list.setObjectName(f"{name}_cards")
        self.list.setAccessibleName(field.label)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(False)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(CARD_ICON)
        self.list.setGridSize(CARD_GRID)
        self.list.setSpacing(4)
        self.list.setMinimumHeight(CARD_GRID.height() + 16)
        self.list.setMaximumHeight(2 * CARD_GRID.height() + 24)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.currentItemChanged.connect(self._on_current)
        self.empty = QLabel(self)
        self.empty.setObjectName(f"{name}_empty")
        self.empty.setWordWrap(True)
        self.empty.hide()

        self.chosen = self._chosen_panel(name)
        self.main.addLayout(bar)
        self.main.addWidget(self.date)
        self.main.addWidget(self.list)
        self.main.addWidget(self.empty)
        self.main.addWidget(self._status_box)
        self.main.addWidget(self.chosen)
        self.setFocusProxy(self.search)
        service.modeChanged.connect(lambda _mode: self._show_date())
        service.catalogueLoaded.connect(
            lambda kind, _items: self._show_date() if kind == self.kind else None)
        self._show_date()

    def _chosen_panel(self, name: str) -> QFrame:
        panel = QFrame(self)
        panel.setObjectName(f"{name}_chosen")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.chosen_image = QLabel(panel)
        self.chosen_image.setObjectName(f"{name}_preview")
        self.chosen_image.setAccessibleName("The chosen template's preview")
        self.chosen_image.setFixedSize(CARD_ICON)
        self.chosen_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chosen_text = QLabel(panel)
        self.chosen_text.setObjectName(f"{name}_about")
        self.chosen_text.setWordWrap(True)
        self.chosen_text.setTextFormat(Qt.TextFormat.RichText)
        self.chosen_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.play_button = QPushButton("Play the preview video", panel)
        self.play_button.setObjectName(f"{name}_play")
        self.play_button.setAccessibleName("Play the chosen template's preview video")
        self.play_button.clicked.connect(self.play_preview)
        column = QVBoxLayout()
        column.addWidget(self.chosen_text, 1)
        column.addWidget(self.play_button, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout(panel)
        row.addWidget(self.chosen_image)
        row.addLayout(column, 1)
        panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        panel.hide()
        return panel

    # ------------------------------------------------------------------ the catalogue

    def populate(self, items: list[Any]) -> None:
        self.cards = template_cards(items)
        chosen = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(ALL_CATEGORIES, None)
        for category in categories_of(self.cards):
            self.category.addItem(category, category)
        self.category.setCurrentIndex(max(self.category.findData(chosen), 0))
        self.category.blockSignals(False)
        self.list.blockSignals(True)
        self.list.clear()
        metrics = self.list.fontMetrics()
        width = CARD_GRID.width() - 30
        for card in self.cards:
            lines = (metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
                     for line in card.text.split("\n"))
            item = QListWidgetItem("\n".join(lines))
            item.setData(ID_ROLE, card.id)
            item.setToolTip(self._tooltip(card))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            pixmap = self.thumbnails.pixmap(card.preview_image)
            if pixmap is not None:
                item.setIcon(self._icon(pixmap))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._select(self._value)
        self._apply_filter()
        self._show_date()

    @staticmethod
    def _tooltip(card: TemplateCard) -> str:
        lines = [card.name, f"{card.gen_type} — {card.cost_text} a job" if card.gen_type
                 else f"{card.cost_text} a job"]
        if card.categories:
            lines.append("Categories: " + ", ".join(card.categories))
        if card.description:
            lines.append(card.description)
        return "\n".join(lines)

    def card(self, template_id: str | None) -> TemplateCard | None:
        return next((c for c in self.cards if c.id == template_id), None)

    def _show_date(self) -> None:
        connected = self.service.connected
        self.refresh_button.setEnabled(connected)
        self.refresh_button.setToolTip("Ask Creatify for its templates again (free)" if connected
                                       else "Connect to Creatify (or start the sandbox) first")
        when = self.service.catalogue_date(self.kind)
        if when is None:
            self.date.setText("")
            self.date.setVisible(False)
            return
        day = f"{when.astimezone():%d %b %Y, %H:%M}".lstrip("0")
        text = f"{len(self.cards)} templates, list of {day}"
        if not connected:
            text += " — offline: the list saved on this computer"
        self.date.setText(text)
        self.date.setVisible(True)

    def _on_failed(self, message: str, retry: bool) -> None:
        if self.loaded and message.startswith(NOT_CONNECTED):
            self._set_status(None)  # the saved list stays; the date line says "offline"
            self._show_date()
            return
        super()._on_failed(message, retry)

    # ------------------------------------------------------------------ filtering, images

    def visible_cards(self) -> list[TemplateCard]:
        return [card for row, card in enumerate(self.cards) if not self.list.isRowHidden(row)]

    def _apply_filter(self, *_args: object) -> None:
        words = self.search.text().casefold().split()
        category = self.category.currentData()
        for row, card in enumerate(self.cards):
            self.list.setRowHidden(row, not card.matches(words, category))
        shown = self.visible_cards()
        self.empty.setVisible(self.loaded and not shown)
        self.empty.setText("No template matches: clear the search or choose "
                           f"“{ALL_CATEGORIES}”." if self.cards
                           else "Creatify lists no AI Ad Templates for this account.")
        self.thumbnails.want((c.preview_image for c in shown[:24]), urgent=True)
        self.thumbnails.want(c.preview_image for c in shown)

    @staticmethod
    def _icon(pixmap: QPixmap) -> QIcon:
        return QIcon(pixmap.scaled(CARD_ICON, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation))

    def _on_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        icon: QIcon | None = None
        for row, card in enumerate(self.cards):
            if card.preview_image == url:
                icon = icon or self._icon(pixmap)
                self.list.item(row).setIcon(icon)
        self._refresh()

    # ------------------------------------------------------------------ the choice

    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        self._value = str(current.data(ID_ROLE))
        self._refresh()
        self._notify()

    def _select(self, template_id: str | None) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        for row, card in enumerate(self.cards):
            if card.id == template_id:
                self.list.setCurrentRow(row)
                self.list.scrollToItem(self.list.item(row))
        self.list.blockSignals(False)

    def _refresh(self) -> None:
        card = self.card(self._value)
        if self._value is None:
            self.chosen.hide()
            return
        self.chosen.show()
        if card is None:
            self.chosen_image.clear()
            self.chosen_text.setText(
                f"<b>Template {escape(self._value)}</b><br>Not in the list of templates"
                + (" yet." if not self.loaded else ": it may have been withdrawn; choose "
                   "another, or refresh the list."))
            self.play_button.setEnabled(False)
            return
        lines = [f"<b>{escape(card.name)}</b>", escape(" · ".join(
            p for p in (card.gen_type, f"{card.cost_text} a job") if p))]
        if card.categories:
            lines.append(escape(", ".join(card.categories)))
        if card.description:
            lines.append(f"<i>{escape(card.description)}</i>")
        self.chosen_text.setText("<br>".join(lines))
        pixmap = self.thumbnails.pixmap(card.preview_image)
        if pixmap is not None:
            self.chosen_image.setPixmap(pixmap.scaled(
                CARD_ICON, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.chosen_image.setText("no preview" if not card.preview_image else "…")
            self.thumbnails.want([card.preview_image], urgent=True)
        self.play_button.setEnabled(bool(card.preview_video))
        self.play_button.setToolTip("" if card.preview_video
                                    else "This template has no preview video")

    def play_preview(self) -> PreviewDialog | None:
        """The chosen template's preview video in the app's player."""
        card = self.card(self._value)
        if card is None or not card.preview_video:
            return None
        if self.player is not None:
            self.player.close()
        self.player = PreviewDialog(None, self.window(), service=self.service,
                                    title=f"AI Ad Template — {card.name}",
                                    sources=[QUrl(card.preview_video)])
        self.player.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.player.destroyed.connect(lambda _obj=None: setattr(self, "player", None))
        self.player.show()
        return self.player

    def choose(self, template_id: str) -> None:
        """Choose a template as a click on its card would."""
        self.set_value(template_id)
        self._notify()

    def schema(self) -> Mapping[str, Any] | None:
        """The chosen template's ``input_params_schema`` as the catalogue gives it."""
        for item in self.watcher.items or ():
            if isinstance(item, Mapping) and str(item.get("id")) == self._value:
                schema = item.get("input_params_schema")
                return schema if isinstance(schema, Mapping) else None
        return None

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = None if is_empty(value) else str(value).strip()
        self._select(self._value)
        if not self.loaded and self._value is not None:
            self.ensure_loaded()
        self._refresh()
        self._notify()


def follow_template(picker: FieldEditor, params: FieldEditor) -> None:
    """Make the ``input_params`` schema form follow the template chosen in ``picker``: its
    schemas come from the templates' catalogue (not the asset models') and the form is
    rebuilt for each template chosen."""
    from ui.forms.schema_form import INSPIRATION_SCHEMAS, SchemaForm  # (it imports pickers)

    if not isinstance(params, SchemaForm):
        return
    params.set_source(INSPIRATION_SCHEMAS)
    picker.changed.connect(lambda: params.set_model(picker.value()))
    params.set_model(picker.value())


__all__ = ["ALL_CATEGORIES", "InspirationPicker", "TemplateCard",
           "categories_of", "follow_template", "tag_name", "template_cards"]
