"""Custom Template: choose one of the workspace's templates, or paste a template id.

The list is ``GET /api/custom_templates/`` (``service.catalogue("custom_templates")``): each
template's name, aspect ratio and preview (a thumbnail when it is an image, a link otherwise).
The value is the template id; text typed or pasted into the combo that is not a listed
template's label is taken as an id as it is. The form connects this picker to the variables
editor, which builds its rows from the chosen template's detail.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.catalogue_rows import template_rows
from app.generators import Field
from app.generators.spec import is_empty
from ui.forms.controls import pick_or_type
from ui.forms.pickers import (
    THUMBNAIL_SIZE,
    CatalogueEditor,
    CatalogueModel,
    Row,
    ThumbnailLoader,
    editable_value,
    filter_rows,
    show_scaled,
)

if TYPE_CHECKING:
    from ui.service import StudioService

TEMPLATE_PREVIEW_SIZE = 96


class TemplatePicker(CatalogueEditor):
    """Choose a Custom Template; the value is its ``template_id`` (or ``None``)."""

    kind = "custom_templates"
    noun = "templates"

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        name = field.name
        self.model = CatalogueModel(None, self)
        self.combo = pick_or_type(self, name, field.label, self.model)
        self.combo.setToolTip(field.help or "Pick one of your workspace's templates, or "
                                            "paste a template id")
        edit = self._edit()
        edit.setObjectName(f"{name}_edit")
        edit.setAccessibleName(f"{field.label} (id)")
        edit.setPlaceholderText("Pick a template or paste its id")
        edit.setClearButtonEnabled(True)
        self.combo.setEditText("")
        self.combo.currentIndexChanged.connect(self._on_edit)
        self.combo.editTextChanged.connect(self._on_edit)

        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"{name}_filter")
        self.filter.setAccessibleName("Search templates")
        self.filter.setPlaceholderText("Search…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only the templates whose name, aspect ratio or id has "
                               "these words")
        self.filter.setMaximumWidth(160)
        self.filter.textChanged.connect(self._on_filter)

        self.thumbnails = ThumbnailLoader(service, self)
        self.thumbnails.ready.connect(self._on_thumbnail)
        self.preview = QLabel(self)
        self.preview.setObjectName(f"{name}_preview")
        self.preview.setAccessibleName(f"{field.label} preview")
        self.preview.setFixedSize(TEMPLATE_PREVIEW_SIZE, TEMPLATE_PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.info = QLabel(self)
        self.info.setObjectName(f"{name}_info")
        self.info.setAccessibleName(f"{field.label} details")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setOpenExternalLinks(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details = QWidget(self)
        self.details.setObjectName(f"{name}_details")
        details = QHBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        details.addWidget(self.info, 1)
        self.details.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.filter)
        self.main.addLayout(row)
        self.main.addWidget(self._status_box)
        self.main.addWidget(self.details)
        self.setFocusProxy(self.combo)
        self._last = self.value()

    def _edit(self) -> QLineEdit:
        edit = self.combo.lineEdit()
        assert edit is not None  # the combo is editable
        return edit

    # -- value

    def value(self) -> str | None:
        return editable_value(self.combo, self.model)

    def set_value(self, value: Any) -> None:
        text = None if is_empty(value) else str(value).strip()
        self._select(text)
        if text is not None and not self.loaded:
            self.ensure_loaded()
        self._refresh()
        self._notify()

    def _select(self, template_id: str | None) -> None:
        if template_id is None:
            self.combo.setCurrentIndex(-1)
            self.combo.setEditText("")
            return
        index = self.model.find(template_id) if self.model.loaded else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self.combo.setEditText(self.combo.itemText(index))
        else:
            self.combo.setCurrentIndex(-1)
            self.combo.setEditText(template_id)

    def current_row(self) -> Row | None:
        value = self.value()
        index = self.model.find(value) if value is not None else -1
        return self.model.row_info(index)

    # -- catalogue

    def populate(self, items: list[Any]) -> None:
        keep = self.value()
        self.combo.blockSignals(True)
        try:
            self.model.set_rows(template_rows(items))
            self._select(keep)
        finally:
            self.combo.blockSignals(False)
        self._on_filter(self.filter.text())
        rows = (self.model.row_info(r) for r in range(self.model.rowCount()))
        urls = list(dict.fromkeys(r.thumbnail for r in rows if r is not None and r.thumbnail))
        if urls:  # room for thumbnails only when some template has an image preview
            self.combo.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        current = self.current_row()
        if current is not None and current.thumbnail:
            self.thumbnails.want([current.thumbnail], urgent=True)
        self.thumbnails.want(urls)
        for url in urls:
            pixmap = self.thumbnails.pixmap(url)
            if pixmap is not None:
                self.model.set_thumbnail(url, pixmap)

    def _on_loading(self) -> None:
        super()._on_loading()
        if not self.loaded:
            self._edit().setPlaceholderText("Loading templates… (or paste an id)")

    def _on_failed(self, message: str, retry: bool) -> None:
        super()._on_failed(message, retry)
        if not self.loaded:
            self._edit().setPlaceholderText("Paste a template id")

    def _on_loaded(self, items: list[Any]) -> None:
        super()._on_loaded(items)
        edit = self._edit()
        if self.model.rowCount():
            edit.setPlaceholderText("Pick a template or paste its id")
        else:
            edit.setPlaceholderText("No templates yet: paste a template id")
            self._set_status("Your workspace has no templates yet: make one in Creatify's "
                             "editor, or paste a template id.")

    def _on_filter(self, text: str) -> None:
        shown = filter_rows(self.combo, self.model, text)
        self.filter.setToolTip(f"{shown} matching templates" if text.strip() else
                               "Show only the templates whose name, aspect ratio or id has "
                               "these words")

    def _on_edit(self, *_args: Any) -> None:
        self._refresh()
        self._notify()

    # -- details

    def _on_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        self.model.set_thumbnail(url, pixmap)
        current = self.current_row()
        if current is not None and current.thumbnail == url:
            self._show_thumbnail(pixmap)

    def _show_thumbnail(self, pixmap: QPixmap | None) -> None:
        show_scaled(self.preview, pixmap, TEMPLATE_PREVIEW_SIZE)

    def _refresh(self) -> None:
        current = self.current_row()
        if current is None:
            self.details.hide()
            return
        lines = [f"<b>{html.escape(current.label)}</b>"]
        if current.detail:
            lines.append(f"Aspect ratio {html.escape(current.detail)}")
        if current.link:
            lines.append(f'<a href="{html.escape(current.link, quote=True)}">Open the '
                         "preview</a>")
        lines.append(f"Id {html.escape(current.value)}")
        self.info.setText("<br>".join(lines))
        self.preview.setVisible(bool(current.thumbnail))
        if current.thumbnail:
            pixmap = self.thumbnails.pixmap(current.thumbnail)
            self._show_thumbnail(pixmap)
            if pixmap is None:
                self.thumbnails.want([current.thumbnail], urgent=True)
        self.details.show()


__all__ = ["TemplatePicker", "template_rows"]
