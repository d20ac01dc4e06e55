"""The shared base of the catalogue pickers: a status line with Retry, the lazily loaded
catalogue editor, and the filter-and-combo picker the avatar and voice pickers build on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.catalogue_rows import Row, persona_rows
from app.generators import Field
from app.generators.spec import is_empty
from ui.forms.base import FieldEditor
from ui.forms.pickers._model import CatalogueCombo, CatalogueModel
from ui.forms.pickers._watcher import NOT_CONNECTED, CatalogueWatcher

if TYPE_CHECKING:
    from ui.service import StudioService


class StatusRow(QWidget):
    """A status line with a Retry button, hidden until there is something to say."""

    def __init__(self, field: Field, retry_name: str, on_retry: Callable[[], object],
                 parent: QWidget | None = None, *, retry_tip: str = "") -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName(f"{field.name}_status")
        self.label.setAccessibleName(f"{field.label} status")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName(f"{field.name}_retry")
        self.retry_button.setAccessibleName(retry_name)
        self.retry_button.setToolTip(retry_tip)
        self.retry_button.clicked.connect(on_retry)
        self.retry_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.retry_button)
        self.hide()


class CatalogueEditor(FieldEditor):
    """A field editor fed by one catalogue: lazy loading, a status line and a Retry button."""

    kind = ""
    noun = "items"

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.watcher = CatalogueWatcher(service, self.kind, self)
        self.watcher.loading.connect(self._on_loading)
        self.watcher.loaded.connect(self._on_loaded)
        self.watcher.failed.connect(self._on_failed)

        self._status_box = StatusRow(field, f"Retry loading {self.noun}", self.retry, self,
                                     retry_tip=f"Ask Creatify for the {self.noun} again")
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        self.main = QVBoxLayout(self)
        self.main.setContentsMargins(0, 0, 0, 0)
        self._last: Any = None

    # -- loading

    def ensure_loaded(self) -> None:
        self.watcher.request()

    def retry(self) -> None:
        self.watcher.retry()

    @property
    def loaded(self) -> bool:
        return self.watcher.items is not None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def _set_status(self, text: str | None, retry: bool = False) -> None:
        self._status_box.setVisible(bool(text))
        self.status.setText(text or "")
        self.retry_button.setVisible(retry)

    def _on_loading(self) -> None:
        self._set_status(f"Loading {self.noun}…")

    def _on_failed(self, message: str, retry: bool) -> None:
        if message.startswith(NOT_CONNECTED):
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
        else:
            self._set_status(f"Could not load {self.noun}: {message}", retry)

    def _on_loaded(self, items: list[Any]) -> None:
        self._set_status(None)
        self.populate(items)
        self._refresh()
        self._notify()

    # -- to implement

    def populate(self, items: list[Any]) -> None:
        raise NotImplementedError

    def _refresh(self) -> None:
        """Update what depends on the current choice (preview, buttons)."""

    # -- value bookkeeping

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


class ComboPicker(CatalogueEditor):
    """A filter line and a combo over the catalogue's rows; the value is the row's id."""

    none_label = "(none — Creatify chooses)"
    choose = "Choose…"
    row_builder: Callable[[Iterable[Any]], list[Row]] = staticmethod(persona_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        name = field.name
        self.model = CatalogueModel(None if field.required else self.none_label, self)
        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"{name}_filter")
        self.filter.setAccessibleName(f"Filter {self.noun}")
        self.filter.setPlaceholderText("Filter…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(f"Show only the {self.noun} whose description has these words")
        self.filter.setMaximumWidth(160)
        self.filter.setMinimumWidth(self.filter.fontMetrics().horizontalAdvance("Filter…") + 24)
        self.filter.textChanged.connect(self._on_filter)
        self.combo = CatalogueCombo(self.model, self.choose, self)
        self.combo.setObjectName(f"{name}_combo")
        self.combo.setAccessibleName(field.label)
        if field.help:
            self.combo.setToolTip(field.help)
        self.combo.currentIndexChanged.connect(self._on_current)

        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.combo, 1)
        self.row.addWidget(self.filter)
        self.main.addLayout(self.row)
        self.main.addWidget(self._status_box)
        self.setFocusProxy(self.combo)
        self._last = self.value()

    def value(self) -> str | None:
        return self.combo.value()

    def set_value(self, value: Any) -> None:
        self.combo.set_value(value)
        if not self.loaded and not is_empty(value):
            self.ensure_loaded()
        self._refresh()
        self._notify()

    def populate(self, items: list[Any]) -> None:
        self.model.set_rows(type(self).row_builder(items))
        self.combo.setPlaceholderText(self.choose)
        self._on_filter(self.filter.text())

    def _on_loading(self) -> None:
        super()._on_loading()
        if not self.loaded:
            self.combo.setPlaceholderText(f"Loading {self.noun}…")

    def _on_failed(self, message: str, retry: bool) -> None:
        super()._on_failed(message, retry)
        if not self.loaded:
            self.combo.setPlaceholderText(f"No {self.noun} (see below)")

    def _on_filter(self, text: str) -> None:
        shown = self.combo.apply_filter(text)
        if text.strip():
            self.filter.setToolTip(f"{shown} matching {self.noun}")

    def _on_current(self, _index: int) -> None:
        self._refresh()
        self._notify()


__all__ = ["CatalogueEditor", "ComboPicker", "StatusRow"]
