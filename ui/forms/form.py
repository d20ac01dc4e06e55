"""A form built from a generator spec: one editor per field, inline errors, advanced toggle."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.generators import Field, FieldKind, Flow, GeneratorSpec
from ui.common.theme import ERROR, set_tone
from ui.forms.base import FieldEditor
from ui.forms.custom import CUSTOM_EDITORS
from ui.forms.editors import PLAIN_EDITORS
from ui.forms.local_media import LocalMediaEditor, media_too_long
from ui.forms.pickers.asset_models import AssetModelPicker, is_asset_model_field
from ui.forms.pickers.inspirations import follow_template
from ui.galleries import attach_style_gallery
from ui.service import StudioService


def make_editor(field: Field, service: StudioService) -> FieldEditor:
    """The editor for ``field``: a custom one where the kind needs it, else a plain one."""
    factory = CUSTOM_EDITORS.get(field.kind)
    if factory is not None:
        return factory(field, service)
    return PLAIN_EDITORS[field.kind](field)


class GeneratorForm(QWidget):
    """All of a spec's fields; ``values()`` is what the spec validates and builds from."""

    changed = Signal()
    mediaLength = Signal(str, object)  # field, seconds (or None) read from a local file

    def __init__(self, spec: GeneratorSpec, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"form_{spec.key}")
        self.editors: dict[str, FieldEditor] = {}
        self.errors: dict[str, QLabel] = {}
        self.touched: set[str] = set()
        self.show_all_errors = False
        self.flow = Flow.CREATE
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}

        basic = QFormLayout()
        advanced = QFormLayout()
        for f in spec.fields:
            editor = (AssetModelPicker(f, service) if is_asset_model_field(spec.fields, f)
                      else make_editor(f, service))
            self.editors[f.name] = editor
            error = QLabel()
            error.setObjectName(f"error_{spec.key}_{f.name}")
            error.setAccessibleName(f"{f.label} problem")
            set_tone(error, ERROR)
            error.setWordWrap(True)
            error.hide()
            self.errors[f.name] = error
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(error)
            label = "" if f.kind is FieldKind.BOOL else f.label + (" *" if f.required else "")
            rows = advanced if f.advanced else basic
            rows.addRow(label, box)
            self._rows[f.name] = (rows, box)
            editor.changed.connect(lambda name=f.name: self._edited(name))
            if isinstance(editor, LocalMediaEditor):
                editor.mediaLength.connect(self.mediaLength)
        if "model_name" in self.editors and "input_params" in self.editors:
            model = self.editors["model_name"]
            params = self.editors["input_params"]
            if hasattr(params, "set_model"):
                model.changed.connect(lambda: params.set_model(model.value() or ""))
                params.set_model(model.value() or "")
        self.style_browse: QPushButton | None = None
        if spec.style_field and spec.style_field in self.editors:  # Browse… the styles
            self.style_browse = attach_style_gallery(self.editors[spec.style_field], service)
        if "inspiration_id" in self.editors and "input_params" in self.editors:
            follow_template(self.editors["inspiration_id"], self.editors["input_params"])
        if "template_id" in self.editors and "variables" in self.editors:
            template = self.editors["template_id"]
            variables = self.editors["variables"]
            if hasattr(variables, "set_template"):
                template.changed.connect(lambda: variables.set_template(template.value()))
                variables.set_template(template.value())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(basic)
        self.advanced_box = QWidget()
        self.advanced_box.setLayout(advanced)
        self.advanced_box.setVisible(False)
        if advanced.rowCount():
            self.advanced_toggle = QPushButton("Show advanced options")
            self.advanced_toggle.setObjectName(f"advanced_{spec.key}")
            self.advanced_toggle.setAccessibleName("Show or hide advanced options")
            self.advanced_toggle.setCheckable(True)
            self.advanced_toggle.toggled.connect(self._toggle_advanced)
            layout.addWidget(self.advanced_toggle)
            layout.addWidget(self.advanced_box)
        self.set_values(spec.defaults())
        self.set_flow(Flow.CREATE)

    def set_flow(self, flow: Flow) -> None:
        """Show only the fields asked for in ``flow`` (label, editor and problem together);
        the hidden ones keep their values, which the spec ignores in this flow."""
        self.flow = flow
        for name, (rows, box) in self._rows.items():
            rows.setRowVisible(box, self.editors[name].field.applies_to(flow))

    def field_shown(self, name: str) -> bool:
        """Whether ``name``'s row belongs to the current flow (hidden rows are not asked)."""
        rows, box = self._rows[name]
        return rows.isRowVisible(box)

    def reveal(self, name: str) -> FieldEditor | None:
        """``name``'s editor made visible (the advanced options opened if it is one of
        them), or ``None`` when the current flow does not ask for it."""
        editor = self.editors.get(name)
        if editor is None or not self.field_shown(name):
            return None
        if editor.field.advanced and not self.advanced_box.isVisible():
            self.advanced_toggle.setChecked(True)
        return editor

    def value_text(self, name: str) -> str:
        """``name``'s value as the form shows it ("30 s", "Standard"), for the estimate's
        line of what the price rests on."""
        f = self.editors[name].field
        value = self.editors[name].value()
        if value is None:
            return "default"
        if isinstance(value, list | tuple):
            return f"{len(value)} chosen"
        for choice in f.choices:
            if choice.value == value:
                return choice.label.split(" (")[0]  # "Standard (5 credits per 30 s)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def _toggle_advanced(self, shown: bool) -> None:
        self.advanced_box.setVisible(shown)
        self.advanced_toggle.setText("Hide advanced options" if shown
                                     else "Show advanced options")

    def _edited(self, name: str) -> None:
        self.touched.add(name)
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def local_problems(self) -> dict[str, str]:
        """Field → why it cannot be sent yet (a local file still uploading, a link Creatify
        cannot reach, audio longer than the model takes), for the fields shown."""
        problems: dict[str, str] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, LocalMediaEditor) and self.field_shown(name):
                problem = editor.pending_problem() or media_too_long(self.spec, editor,
                                                                     self.values())
                if problem:
                    problems[name] = problem
        return problems

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.editors:
                self.editors[name].set_value(value)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each field's problem once the user has touched it (or tried to submit)."""
        for name, label in self.errors.items():
            message = errors.get(name) if self.field_shown(name) else None
            editor = self.editors[name]
            if isinstance(editor, LocalMediaEditor) and editor.uploading is not None:
                message = None  # its progress bar says so (Generate still waits)
            visible = bool(message) and (self.show_all_errors or name in self.touched)
            label.setText(message or "")
            label.setVisible(visible)
            if visible and self.editors[name].field.advanced:
                self.advanced_toggle.setChecked(True)
