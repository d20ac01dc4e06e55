"""Pickers for fields that take an id: your Links (``GET /api/links/``) and your finished
Product Video images (step one's jobs in the ledger), instead of pasting a UUID.

Both are an editable combo over a :class:`CatalogueModel` with a search box: choosing a row
puts its id in the form; an id typed or pasted is taken as it is (a Link made elsewhere, a job
of another machine). The Links come through the service's catalogue mechanism (kind
``list_links``, the client's method of that name: free, read once per connection, Retry
after a failure); the product images are read from the ledger in a worker thread and follow
the jobs as they finish. :func:`id_editor` is the factory for ``FieldKind.UUID``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app.catalogue_rows import Row
from app.generators import Field, FieldKind
from app.generators.spec import is_empty
from app.jobs.ledger import JobRecord, JobState
from ui.forms.base import FieldEditor
from ui.forms.controls import pick_or_type
from ui.forms.editors import PLAIN_EDITORS
from ui.forms.pickers._base import CatalogueEditor, StatusRow
from ui.forms.pickers._model import CatalogueModel, editable_value, filter_rows

if TYPE_CHECKING:
    from ui.service import StudioService

LINKS_KIND = "list_links"
"""The catalogue kind of the Links list (the client's ``list_links``)."""
LINKS_GENERATOR = "links"
"""The generator whose jobs make Links."""
PRODUCT_IMAGE = "product_image"
"""The generator whose finished jobs are the product images Product Video starts from."""
LEDGER_JOBS = 5000


def _field(item: Any, name: str) -> Any:
    """``name`` of a Link, as the client's object or a plain mapping."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def link_rows(items: Iterable[Any]) -> list[Row]:
    """One row per Link: its product's title (else its page's address), the page's host."""
    rows = []
    for item in items:
        link_id = _field(item, "id")
        if not isinstance(link_id, str) or not link_id.strip():
            continue
        url = _field(item, "url") if isinstance(_field(item, "url"), str) else ""
        title = _field(item, "title") if isinstance(_field(item, "title"), str) else ""
        host = urlsplit(url).hostname or "" if url else ""
        label = f"{title.strip()} — {host}" if title.strip() and host else title.strip() \
            or url or link_id
        images = _field(item, "image_urls")
        thumb = next((u for u in images if isinstance(u, str)), None) \
            if isinstance(images, list | tuple) else None
        rows.append(Row(label, link_id, f"{title} {url} {link_id}".casefold(),
                        thumbnail=thumb, detail=url))
    return rows


def is_product_image(record: JobRecord) -> bool:
    return record.generator == PRODUCT_IMAGE and bool(record.server_id) \
        and record.state in (JobState.DONE, JobState.IMAGE_DONE)


def product_image_rows(records: Iterable[JobRecord]) -> list[Row]:
    """One row per finished product image job, newest first: what was asked and when."""
    rows = []
    for record in sorted(records, key=lambda r: r.created_at, reverse=True):
        if not is_product_image(record) or record.server_id is None:
            continue
        when = record.created_at.astimezone().strftime("%d %b %H:%M") \
            if isinstance(record.created_at, datetime) else ""
        label = f"{record.title} · {when}" if when else record.title
        thumb = (record.thumbnails or record.result_urls or (None,))[0]
        rows.append(Row(label, record.server_id,
                        f"{record.title} {record.server_id} {when}".casefold(),
                        thumbnail=thumb, detail=record.server_id))
    return rows


class IdCombo(FieldEditor):
    """An editable combo of rows whose value is the chosen row's id, or the text typed."""

    noun = "items"
    placeholder = "Pick one or paste its id"

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        name = field.name
        self.model = CatalogueModel(None, self)
        self.combo = pick_or_type(self, name, field.label, self.model)
        edit = self.combo.lineEdit()
        assert edit is not None
        edit.setObjectName(f"{name}_edit")
        edit.setPlaceholderText(self.placeholder)
        edit.setClearButtonEnabled(True)
        self.combo.setEditText("")
        self.combo.currentIndexChanged.connect(self._edited)
        self.combo.editTextChanged.connect(self._edited)
        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"{name}_filter")
        self.filter.setAccessibleName(f"Search {self.noun}")
        self.filter.setPlaceholderText("Search…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(140)
        self.filter.textChanged.connect(lambda text: filter_rows(self.combo, self.model, text))
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.combo, 1)
        self.row.addWidget(self.filter)
        QVBoxLayout(self).addLayout(self.row)
        layout = self.layout()
        assert layout is not None
        layout.setContentsMargins(0, 0, 0, 0)
        self.setFocusProxy(self.combo)
        self._last: Any = None

    def value(self) -> str | None:
        return editable_value(self.combo, self.model)

    def set_value(self, value: Any) -> None:
        self._select(None if is_empty(value) else str(value).strip())
        self._edited()

    def _select(self, value: str | None) -> None:
        self.combo.blockSignals(True)
        try:
            index = self.model.find(value) if value is not None else -1
            self.combo.setCurrentIndex(index)
            self.combo.setEditText(self.combo.itemText(index) if index >= 0 else value or "")
        finally:
            self.combo.blockSignals(False)

    def set_rows(self, rows: list[Row]) -> None:
        keep = self.value()
        self.combo.blockSignals(True)
        try:
            self.model.set_rows(rows)
        finally:
            self.combo.blockSignals(False)
        self._select(keep)
        filter_rows(self.combo, self.model, self.filter.text())

    def _edited(self, *_args: Any) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


class LinkPicker(CatalogueEditor):
    """Your Links (``GET /api/links/``, free): the value is the chosen Link's id."""

    kind = LINKS_KIND
    noun = "Links"

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        self.ids = IdCombo(field, self)
        self.ids.noun = "Links"
        self.ids.combo.lineEdit().setPlaceholderText(  # type: ignore[union-attr]
            "Pick one of your Links or paste its id")
        self.ids.changed.connect(self._notify)
        self.main.addWidget(self.ids)
        self.main.addWidget(self._status_box)
        self.setFocusProxy(self.ids)
        self._last = self.value()
        service.jobsChanged.connect(self._jobs_changed)

    def value(self) -> str | None:
        return self.ids.value()

    def set_value(self, value: Any) -> None:
        self.ids.set_value(value)
        self._notify()

    def _jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        """A Link made since the list was read (on the Links page, or for a video from a
        product page): read the list again (free)."""
        made = [r for r in batch.values() if r.generator == LINKS_GENERATOR
                and r.state is JobState.DONE and r.server_id
                and self.ids.model.find(r.server_id) < 0]
        if made and self.watcher.requested:
            self.retry()

    def populate(self, items: list[Any]) -> None:
        rows = link_rows(items)
        self.ids.set_rows(rows)
        if not rows:
            self._set_status("No Links yet: the Links page makes one from a product page "
                             "(Retry reads the list again).", retry=True)


class ProductImagePicker(FieldEditor):
    """Your finished Product Video images (step one): the value is the job's id."""

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.ids = IdCombo(field, self)
        self.ids.noun = "product images"
        self.ids.combo.lineEdit().setPlaceholderText(  # type: ignore[union-attr]
            "Pick a finished product image or paste its job id")
        self.ids.changed.connect(self.changed)
        self.status = StatusRow(field, "Read the product images again", self.reload, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ids)
        layout.addWidget(self.status)
        self.setFocusProxy(self.ids)
        self.records: dict[str, JobRecord] = {}
        service.jobsChanged.connect(self._jobs_changed)
        service.jobsReloaded.connect(self.reload)
        self.reload()

    def value(self) -> str | None:
        return self.ids.value()

    def set_value(self, value: Any) -> None:
        self.ids.set_value(value)

    def reload(self) -> None:
        """Read the finished product images from the ledger, in a worker thread."""
        self.records = {}
        if not self.service.jobs_page_in_thread(self, LEDGER_JOBS, self._read):
            self._show()

    def _read(self, records: list[JobRecord] | None, error: str | None) -> None:
        if records is None:
            self.status.label.setText(f"Your product images could not be read: {error}")
            self.status.retry_button.show()
            self.status.show()
            return
        self.records.update({r.key: r for r in records if is_product_image(r)})
        self._show()

    def _jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        found = {k: r for k, r in batch.items() if is_product_image(r)}
        if found:
            self.records.update(found)
            self._show()

    def _show(self) -> None:
        rows = product_image_rows(self.records.values())
        self.ids.set_rows(rows)
        self.status.retry_button.hide()
        self.status.label.setText("" if rows else "No finished product image yet: make one "
                                                  "with Product Video (image), or paste a "
                                                  "job id.")
        self.status.setVisible(not rows)


ID_PICKERS = {"link": LinkPicker, "source_job": ProductImagePicker}
"""The id fields that get a picker, by field name (any other id is a plain line)."""


def id_editor(field: Field, service: StudioService) -> FieldEditor:
    """The editor of a ``FieldKind.UUID`` field: a picker where one lists its ids."""
    picker = ID_PICKERS.get(field.name)
    if picker is not None and field.kind is FieldKind.UUID:
        return picker(field, service)
    return PLAIN_EDITORS[field.kind](field)


__all__ = ["ID_PICKERS", "LINKS_KIND", "IdCombo", "LinkPicker", "ProductImagePicker",
           "id_editor", "is_product_image", "link_rows", "product_image_rows"]
