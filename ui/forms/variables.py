"""The Custom Template variables: a small table of name | type | value.

With a template chosen (``set_template``, called by the form when the template picker
changes), the rows come from the template's detail (``GET /api/custom_templates/{id}/``,
through the service, cached for the session): one row per variable, its name and type fixed
by the template. Values typed are kept by name when another template (or the same one again)
brings the same names back. A template row left empty is not sent: the template keeps its own
content there. Rows can still be added by hand, and without a template the table is free.

Reading the template's detail (names, types, the template's own values, which are required)
is Qt-free, in :mod:`app.template_variables`; ``template_variables`` and
``required_variables`` keep their names here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.catalogue import TEMPLATE_VARIABLE_TYPES
from app.template_variables import (
    duplicate_names,
    required_variables,
    template_uuid,
    template_variables,
    variable_entries,
)
from ui.forms.base import FieldEditor
from ui.forms.controls import Combo
from ui.forms.pickers import NOT_CONNECTED, StatusRow

if TYPE_CHECKING:
    from ui.service import StudioService

COL_NAME, COL_TYPE, COL_VALUE = range(3)
_HEADERS = ("Name", "Type", "Value")
_VALUE_HINTS = {"content": "the text", "url": "an https:// URL", "avatar_id": "an avatar id",
                "voice_id": "a voice (accent) id"}
FROM_TEMPLATE = Qt.ItemDataRole.UserRole + 7
"""Set on a row's name item when the row is one of the chosen template's variables."""
DEFAULT_ROLE = Qt.ItemDataRole.UserRole + 8
"""The template's own value of a variable (shown as a hint), on the name item."""
REQUIRED_ROLE = Qt.ItemDataRole.UserRole + 9
"""Set on a template row's name item when the template says the variable must be given."""


class VariablesEditor(FieldEditor):
    """Value: ``{name: {"type": t, "value": v}}``; rows without a name are left out."""

    def __init__(self, field: Field, service: StudioService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        name = field.name
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setObjectName(f"{name}_table")
        self.table.setAccessibleName(f"{field.label} table")
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TYPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(True)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(self._on_item)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("Add variable", self)
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.setAccessibleName("Add variable")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName(f"{name}_remove")
        self.remove_button.setAccessibleName("Remove selected variables")
        self.remove_button.setToolTip("Remove the selected rows")
        self.remove_button.clicked.connect(self._on_remove)
        self.note = QLabel(self)
        self.note.setObjectName(f"{name}_note")
        self.note.setAccessibleName(f"{field.label} note")
        self.note.setWordWrap(True)
        self.note.hide()
        self._status_box = StatusRow(
            field, "Retry loading the template's variables", self._retry_template, self,
            retry_tip="Ask Creatify for the template's variables again")
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._status_box)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.setFocusProxy(self.table)

        self._loading = False
        self._last: Any = {}
        self.template_id: str | None = None       # the template being shown (or fetched)
        self.detail: Mapping[str, Any] | None = None  # its detail, once arrived
        self._typed: dict[str, str] = {}          # values typed, by name, across templates
        if service is not None:
            service.templateLoaded.connect(self._on_template)
            service.templateFailed.connect(self._on_template_failed)
            service.modeChanged.connect(self._on_mode)
        self.add_row()
        self._last = self.value()

    # -- rows

    def add_row(self, name: str = "", kind: str = "text", value: str = "",
                from_template: bool = False, template_value: str = "",
                required: bool = False) -> int:
        """Add a row; a template's row has its name (and known type) fixed."""
        self._loading = True
        try:
            row = self.table.rowCount()
            self.table.insertRow(row)
            name_item = QTableWidgetItem(name)
            name_item.setData(FROM_TEMPLATE, from_template)
            name_item.setData(DEFAULT_ROLE, template_value)
            name_item.setData(REQUIRED_ROLE, required)
            if from_template:
                name_item.setFlags(name_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                name_item.setToolTip("A variable of the chosen template"
                                     + (" (required: give a value)" if required else ""))
                if required:
                    font = name_item.font()
                    font.setBold(True)
                    name_item.setFont(font)
            self.table.setItem(row, COL_NAME, name_item)
            self.table.setItem(row, COL_VALUE, QTableWidgetItem(value))
            combo = Combo(self.table)
            for key in TEMPLATE_VARIABLE_TYPES:
                combo.addItem(key, key)
            index = combo.findData(kind)
            if index < 0:  # an unknown type (saved form, template): keep it visible
                combo.addItem(f"{kind} (unknown)", kind)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
            combo.setEnabled(not from_template or kind not in TEMPLATE_VARIABLE_TYPES)
            combo.currentIndexChanged.connect(self._on_type)
            self.table.setCellWidget(row, COL_TYPE, combo)
        finally:
            self._loading = False
        self._rename_rows()
        self._notify()
        return row

    def _type_combo(self, row: int) -> QComboBox | None:
        widget = self.table.cellWidget(row, COL_TYPE)
        return widget if isinstance(widget, QComboBox) else None

    def _rename_rows(self) -> None:
        loading, self._loading = self._loading, True  # tooltips below fire itemChanged
        try:
            self._name_rows()
        finally:
            self._loading = loading
        self._update_buttons()

    def _name_rows(self) -> None:
        for row in range(self.table.rowCount()):
            combo = self._type_combo(row)
            if combo is not None:
                combo.setObjectName(f"{self.field.name}_type{row + 1}")
                combo.setAccessibleName(f"Type of variable {row + 1}")
                kind = combo.currentData()
                prop = TEMPLATE_VARIABLE_TYPES.get(str(kind))
                hint = _VALUE_HINTS.get(prop or "", "the value")
                item = self.table.item(row, COL_VALUE)
                if item is not None:
                    tip = f"{kind}: {hint}"
                    name_item = self.table.item(row, COL_NAME)
                    if name_item is not None and name_item.data(FROM_TEMPLATE):
                        own = str(name_item.data(DEFAULT_ROLE) or "")
                        tip += ("; empty keeps the template's own"
                                + (f" ({own})" if own else ""))
                    item.setToolTip(tip)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.table.rowCount() > 0)

    def _selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectedIndexes()})

    def _on_add(self) -> None:
        row = self.add_row()
        self.table.setCurrentCell(row, COL_NAME)
        item = self.table.item(row, COL_NAME)
        if item is not None:
            self.table.editItem(item)
        self._notify()

    def _on_remove(self) -> None:
        rows = self._selected_rows()
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        for row in reversed(rows):
            self.table.removeRow(row)
        self._rename_rows()
        self._notify()

    def _on_item(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self._notify()

    def _on_type(self, _index: int) -> None:
        self._rename_rows()
        self._notify()

    # -- value

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, type, value) of every row, as typed (names and values stripped)."""
        out = []
        for row in range(self.table.rowCount()):
            name_item = self.table.item(row, COL_NAME)
            value_item = self.table.item(row, COL_VALUE)
            combo = self._type_combo(row)
            out.append(((name_item.text() if name_item else "").strip(),
                        str(combo.currentData()) if combo else "text",
                        (value_item.text() if value_item else "").strip()))
        return out

    def _from_template(self, row: int) -> bool:
        item = self.table.item(row, COL_NAME)
        return bool(item is not None and item.data(FROM_TEMPLATE))

    def value(self) -> dict[str, dict[str, str]]:
        """Every named row, except a template's row left empty (the template keeps its own)."""
        return {name: {"type": kind, "value": value}
                for row, (name, kind, value) in enumerate(self.rows())
                if name and (value or not self._from_template(row))}

    def set_value(self, value: Any) -> None:
        entries = variable_entries(value)
        self._typed = {name: content for name, _kind, content in entries if content}
        self._build(entries)

    def _build(self, extras: Iterable[tuple[str, str, str]]) -> None:
        """The template's rows (values from what was typed), then ``extras`` not among them."""
        self._loading = True
        try:
            self.table.setRowCount(0)
        finally:
            self._loading = False
        names = set()
        if self.detail is not None:
            required = required_variables(self.detail)
            for name, kind, own in template_variables(self.detail):
                names.add(name)
                self.add_row(name, kind, self._typed.get(name, ""), from_template=True,
                             template_value=own, required=name in required)
        for name, kind, content in extras:
            if name not in names:
                self.add_row(name, kind, content)
        if self.table.rowCount() == 0:
            self.add_row()
        if names:
            self.table.resizeColumnToContents(COL_NAME)
        self._notify()

    # -- the chosen template

    def set_template(self, template_id: Any) -> None:
        """Show the variables of ``template_id`` (fetched if needed); an empty or malformed
        id leaves the rows as they are, no longer tied to a template."""
        wanted = template_uuid(template_id)
        if wanted == self.template_id:
            return
        self.template_id = wanted
        if wanted is None:
            if self.detail is not None:
                self.detail = None
                self._release_rows()
            self._set_status(None)
            return
        if self.service is None:
            return
        self._set_status("Loading the template's variables…")  # (a failure may replace it)
        detail = self.service.template_detail(wanted)
        if detail is not None:
            self._apply(wanted, detail)

    def _on_mode(self, _mode: str) -> None:
        """A new connection: a template not loaded yet is asked for again."""
        if self.template_id is not None and self.detail is None:
            self._retry_template()

    def _retry_template(self) -> None:
        wanted, self.template_id = self.template_id, None
        self.set_template(wanted)

    def _on_template(self, template_id: str, detail: dict[str, Any]) -> None:
        if template_id == self.template_id:
            self._apply(template_id, detail)

    def _on_template_failed(self, template_id: str, message: str) -> None:
        if template_id != self.template_id:
            return
        if message.startswith(NOT_CONNECTED.split(":")[0]):
            self._set_status("Not connected: the template's variables load once connected; "
                             "you can add them by hand.")
        else:
            self._set_status(f"Could not load the template's variables: {message} "
                             "You can add them by hand.", retry=True)

    def _apply(self, template_id: str, detail: Mapping[str, Any]) -> None:
        for name, _kind, content in self.rows():
            if name and content:
                self._typed[name] = content
            elif name:
                self._typed.pop(name, None)
        self.detail = detail
        self._build(())
        count = len(template_variables(detail))
        title = str(detail.get("name") or "").strip() or template_id
        if count:
            plural = "variable" if count == 1 else "variables"
            required = (" (required ones in bold)" if required_variables(detail) else "")
            self._set_status(f"{count} {plural} from the template “{title}”{required}. A "
                             "value left empty keeps the template's own.")
        else:
            self._set_status(f"The template “{title}” has no variables to fill.")

    def _release_rows(self) -> None:
        """The template is gone: its filled rows become ordinary rows (kept, editable), its
        empty ones go."""
        loading, self._loading = self._loading, True
        try:
            for row in reversed(range(self.table.rowCount())):
                value_item = self.table.item(row, COL_VALUE)
                if self._from_template(row) and not (value_item and value_item.text().strip()):
                    self.table.removeRow(row)
            if self.table.rowCount() == 0:
                self._loading = loading
                self.add_row()
                self._loading = True
            for row in range(self.table.rowCount()):
                item = self.table.item(row, COL_NAME)
                if item is not None:
                    item.setData(FROM_TEMPLATE, False)
                    item.setData(REQUIRED_ROLE, False)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                    item.setToolTip("")
                    font = item.font()
                    font.setBold(False)
                    item.setFont(font)
                combo = self._type_combo(row)
                if combo is not None:
                    combo.setEnabled(True)
        finally:
            self._loading = loading
        self._rename_rows()
        self._notify()

    def _set_status(self, text: str | None, retry: bool = False) -> None:
        self._status_box.setVisible(bool(text))
        self.status.setText(text or "")
        self.retry_button.setVisible(retry)

    def missing_required(self) -> list[str]:
        """The template's required variables still without a value."""
        missing = []
        for row, (name, _kind, value) in enumerate(self.rows()):
            item = self.table.item(row, COL_NAME)
            if item is not None and item.data(REQUIRED_ROLE) and not value:
                missing.append(name)
        return missing

    def _notify(self) -> None:
        duplicates = duplicate_names(name for name, _kind, _value in self.rows() if name)
        notes = []
        if duplicates:
            notes.append("Each name can be used once; the last row wins for: "
                         + ", ".join(duplicates))
        missing = self.missing_required()
        if missing:
            notes.append("The template needs a value for: " + ", ".join(missing))
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = ["VariablesEditor", "required_variables", "template_variables"]
