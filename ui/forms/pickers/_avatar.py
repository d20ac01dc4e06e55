"""The avatar picker: a persona with its thumbnail and a larger preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.catalogue_rows import persona_rows
from app.generators import Field
from ui.forms.pickers._base import ComboPicker
from ui.forms.pickers._thumbnails import (
    CLOSED_AVATAR_SIZE,
    PREVIEW_SIZE,
    ROW_THUMBNAIL_SIZE,
    ThumbnailLoader,
    show_scaled,
)
from ui.galleries import browse_button, open_gallery

if TYPE_CHECKING:
    from ui.service import StudioService


class _FaceRows(QStyledItemDelegate):
    """Rows as tall as a face whether its thumbnail has arrived yet or not."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), ROW_THUMBNAIL_SIZE + 6))


def large_faces(combo: QComboBox, name: str) -> None:
    """``combo``'s open list shows each avatar's face large (:data:`ROW_THUMBNAIL_SIZE`);
    the closed combo keeps a small icon (the preview beside it shows the chosen one).
    Thumbnails still arrive a few at a time, as before."""
    combo.setIconSize(QSize(CLOSED_AVATAR_SIZE, CLOSED_AVATAR_SIZE))
    rows = QListView(combo)
    rows.setObjectName(f"{name}_rows")
    rows.setIconSize(QSize(ROW_THUMBNAIL_SIZE, ROW_THUMBNAIL_SIZE))
    rows.setUniformItemSizes(True)  # every row the height of a face, loaded or not
    rows.setSpacing(2)
    rows.setMinimumWidth(ROW_THUMBNAIL_SIZE + 320)  # room for the description beside the face
    combo.setView(rows)
    combo.setItemDelegate(_FaceRows(combo))
    combo.setMaxVisibleItems(7)


class PersonaPicker(ComboPicker):
    """Choose an avatar; the value is the persona ``id`` (or ``None``)."""

    kind = "personas"
    noun = "avatars"
    choose = "Choose an avatar…"
    row_builder = staticmethod(persona_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        large_faces(self.combo, field.name)
        self.thumbnails = ThumbnailLoader(service, self)
        self.thumbnails.ready.connect(self._on_thumbnail)
        self.preview = QLabel(self)
        self.preview.setObjectName(f"{field.name}_preview")
        self.preview.setAccessibleName(f"{field.label} preview")
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.hide()
        self.main.addWidget(self.preview)
        self.browse_button = browse_button(self, field.name, "avatars")
        self.browse_button.clicked.connect(self.browse)
        # Under the combo, not beside it: the row stays as narrow as before.
        self.main.insertWidget(1, self.browse_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.gallery: QWidget | None = None

    def browse(self) -> None:
        """Open the avatar gallery; the card chosen there becomes the value."""
        self.gallery = open_gallery("avatars", self, self.service, self.value(), self.set_value)

    def populate(self, items: list[Any]) -> None:
        super().populate(items)
        rows = (self.model.row_info(r) for r in range(self.model.rowCount()))
        urls = list(dict.fromkeys(r.thumbnail for r in rows if r is not None and r.thumbnail))
        current = self.combo.current_row()
        if current is not None and current.thumbnail:
            self.thumbnails.want([current.thumbnail], urgent=True)
        self.thumbnails.want(urls)
        for url in urls:
            pixmap = self.thumbnails.pixmap(url)
            if pixmap is not None:
                self.model.set_thumbnail(url, pixmap)

    def _on_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        self.model.set_thumbnail(url, pixmap)
        current = self.combo.current_row()
        if current is not None and current.thumbnail == url:
            self._show_preview(pixmap)

    def _show_preview(self, pixmap: QPixmap | None) -> None:
        show_scaled(self.preview, pixmap, PREVIEW_SIZE)

    def _refresh(self) -> None:
        current = self.combo.current_row()
        if current is None or not current.thumbnail:
            self.preview.hide()
            self.preview.clear()
            return
        self.preview.show()
        self.preview.setToolTip(current.label)
        pixmap = self.thumbnails.pixmap(current.thumbnail)
        self._show_preview(pixmap)
        if pixmap is None:
            self.thumbnails.want([current.thumbnail], urgent=True)


__all__ = ["PersonaPicker", "large_faces"]
