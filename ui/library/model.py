"""The library's list model: the items shown (filtered by generator and words, sorted by
date), each with its display name, tags and poster for the card delegate.

All items are kept (:meth:`LibraryModel.set_items`, :meth:`LibraryModel.update_jobs`); the
rows are the ones the filters let through, in date order. Filtering a thousand items is a
few string searches each: it is done in place, without a proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.generators import BY_KEY
from app.jobs.ledger import JobRecord
from app.library import LibraryItem, LibraryStore, library_items, matches, search_words

Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1
    NAME = Qt.ItemDataRole.UserRole + 2
    TAGS = Qt.ItemDataRole.UserRole + 3
    GENERATOR = Qt.ItemDataRole.UserRole + 4


def generator_title(key: str) -> str:
    spec = BY_KEY.get(key)
    return spec.title if spec is not None else key


def style_label(generator: str, style: str) -> str:
    """A visual style as the form names it ("Avatar bubble"), else as Creatify does."""
    spec = BY_KEY.get(generator)
    fields = (spec.style_field, spec.styles_field) if spec is not None else ()
    for name in fields:
        if spec is not None and name:
            for choice in spec.field(name).choices:
                if choice.value == style:
                    return choice.label
    return style


def display_name(item: LibraryItem, name: str) -> str:
    """The creator's name, else the title (a style preview: its style first)."""
    if name:
        return name
    title = item.title or generator_title(item.generator)
    return f"{style_label(item.generator, item.style)} · {title}" if item.style else title


class LibraryModel(QAbstractListModel):
    """Rows of :class:`LibraryItem`, filtered and sorted."""

    def __init__(self, store: LibraryStore, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self._all: dict[str, LibraryItem] = {}
        self._rows: list[LibraryItem] = []
        self._row_of: dict[str, int] = {}
        self.generator: str | None = None
        self.words: list[str] = []
        self.newest_first = True
        self.poster: Callable[[LibraryItem], object] = lambda _item: None

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Role.NAME):
            return display_name(item, self.store.name(item.key))
        if role == Role.ITEM:
            return item
        if role == Role.TAGS:
            return self.store.tags(item.key)
        if role == Role.GENERATOR:
            return generator_title(item.generator)
        if role == Qt.ItemDataRole.ToolTipRole:
            name = display_name(item, self.store.name(item.key))
            lines = [name]
            if name != item.title and item.title:
                lines.append(f"Asked: {item.title}")
            lines.append(generator_title(item.generator))
            if item.path:
                lines.append(item.path)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{display_name(item, self.store.name(item.key))}, " \
                   f"{generator_title(item.generator)}"
        return None

    # ------------------------------------------------------------------ contents

    def item(self, row: int) -> LibraryItem:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        return self._row_of.get(key)

    def items(self) -> list[LibraryItem]:
        """The rows, in order."""
        return list(self._rows)

    @property
    def total(self) -> int:
        return len(self._all)

    def set_items(self, items: Iterable[LibraryItem]) -> None:
        self._all = {item.key: item for item in items}
        self._refilter()

    def update_jobs(self, records: Iterable[JobRecord]) -> bool:
        """Changed jobs: their items replaced (added, gone); whether the library changed."""
        changed = False
        for record in records:
            old = [key for key, item in self._all.items() if item.job_key == record.key]
            new = library_items([record])
            if [self._all[k] for k in old] == new:
                continue
            for key in old:
                del self._all[key]
            for item in new:
                self._all[item.key] = item
            changed = True
        if changed:
            self._refilter()
        return changed

    def set_filters(self, *, generator: str | bool | None = False,
                    text: str | None = None, newest_first: bool | None = None) -> None:
        """Change some filters (``generator=None``: every generator)."""
        if generator is not False:
            self.generator = generator if isinstance(generator, str) else None
        if text is not None:
            self.words = search_words(text)
        if newest_first is not None:
            self.newest_first = newest_first
        self._refilter()

    def _keep(self, item: LibraryItem) -> bool:
        if self.generator is not None and item.generator != self.generator:
            return False
        meta = self.store.meta(item.key)
        return matches(item, self.words, name=meta.name, tags=meta.tags,
                       generator_title=generator_title(item.generator))

    def _refilter(self) -> None:
        rows = [item for item in self._all.values() if self._keep(item)]
        rows.sort(key=lambda item: (item.created_at, item.key), reverse=self.newest_first)
        self.beginResetModel()
        self._rows = rows
        self._row_of = {item.key: row for row, item in enumerate(rows)}
        self.endResetModel()

    def item_changed(self, key: str) -> None:
        """Item ``key``'s name, tags or poster changed: its card is painted again."""
        row = self._row_of.get(key)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)


__all__ = ["LibraryModel", "Role", "display_name", "generator_title", "style_label"]
