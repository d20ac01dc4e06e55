"""Pieces the gallery dialogs share: the favourites of the service's data folder, a group of
filter check boxes, and the search line."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.galleries import Favourites

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

_STORES: weakref.WeakKeyDictionary[StudioService, FavouritesKeeper] = (
    weakref.WeakKeyDictionary())
_SAVER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="favourites")


class FavouritesKeeper:
    """One :class:`Favourites` per service (every gallery of a window shares it), saved in a
    worker thread after each change (the write fsyncs)."""

    def __init__(self, store: Favourites) -> None:
        self.store = store
        self.last_save: Future[None] | None = None

    def toggle(self, kind: str, item_id: str) -> bool:
        now = self.store.toggle(kind, item_id)
        self.last_save = _SAVER.submit(self._save)
        return now

    def _save(self) -> None:
        try:
            self.store.save()
        except OSError as exc:
            log.warning("favourites not saved: %s", exc)

    @property
    def saved(self) -> bool:
        return self.last_save is None or self.last_save.done()


def favourites_for(service: StudioService) -> FavouritesKeeper:
    """The favourites of ``service``'s data folder (read once per service: a small file)."""
    keeper = _STORES.get(service)
    if keeper is None:
        keeper = FavouritesKeeper(Favourites.in_folder(service.data_dir))
        _STORES[service] = keeper
    return keeper


class FacetChecks(QWidget):
    """A titled group of check boxes; none checked means any. ``changed`` on each click."""

    changed = Signal()

    def __init__(self, name: str, title: str, values: Sequence[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"facet_{name}")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 6)
        column.setSpacing(2)
        heading = QLabel(f"<b>{title}</b>")
        heading.setObjectName(f"facet_{name}_title")
        column.addWidget(heading)
        self.boxes: dict[str, QCheckBox] = {}
        for value, word in values:
            box = QCheckBox(word, self)
            box.setObjectName(f"facet_{name}_{value}")
            box.setAccessibleName(f"{title}: {word}")
            box.toggled.connect(self.changed)
            column.addWidget(box)
            self.boxes[value] = box

    def chosen(self) -> frozenset[str]:
        return frozenset(v for v, b in self.boxes.items() if b.isChecked())

    def clear(self) -> bool:
        """Uncheck every box without a ``changed`` per box; whether any was checked."""
        had = bool(self.chosen())
        for box in self.boxes.values():
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        return had

    def set_values(self, values: Sequence[tuple[str, str]]) -> None:
        """Replace the boxes (a list known only once the catalogue arrives), keeping what
        was checked."""
        keep = self.chosen()
        layout = self.layout()
        assert layout is not None
        for box in self.boxes.values():
            layout.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        for value, word in values:
            box = QCheckBox(word, self)
            box.setObjectName(f"{self.objectName()}_{value}")
            box.setAccessibleName(word)
            box.setChecked(value in keep)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self.boxes[value] = box


def clear_filters_button(parent: QWidget, groups: Sequence[FacetChecks],
                         changed: Callable[[], object]) -> QPushButton:
    """"Clear filters": every group unchecked, then one ``changed()``."""
    button = QPushButton("Clear filters", parent)
    button.setObjectName("gallery_clear_filters")
    button.setAccessibleName("Clear the filters")

    def clear() -> None:
        if any([group.clear() for group in groups]):
            changed()
    button.clicked.connect(clear)
    return button


def search_line(noun: str, parent: QWidget) -> QLineEdit:
    line = QLineEdit(parent)
    line.setObjectName("gallery_search")
    line.setAccessibleName(f"Search {noun} by name")
    line.setPlaceholderText("Search by name…")
    line.setClearButtonEnabled(True)
    return line


__all__ = ["FacetChecks", "FavouritesKeeper", "clear_filters_button", "favourites_for",
           "search_line"]
