"""Asset Generator ``input_params``: a sub-form built from the model's JSON Schema.

The schemas come from ``service.catalogue("asset_schemas")`` (asked when the form is first
shown). Until they arrive, or for a model they do not list, a minimal built-in form stands in
(a prompt plus the duration or image count known from ``ASSET_MODELS``). Values the user
typed are carried over when the form is rebuilt (another model, or the real schema
arriving) wherever the new form has an input of that name that accepts them.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.catalogue import ASSET_MODELS
from app.generators.spec import is_empty
from ui.forms.base import FieldEditor
from ui.forms.pickers import NOT_CONNECTED, CatalogueWatcher, StatusRow

if TYPE_CHECKING:
    from ui.service import StudioService

SPIN_LIMIT = 1_000_000_000
"""Bounds of a spin box when the schema gives none (QSpinBox holds 32-bit ints)."""
_INT_TEXT = QRegularExpression(r"-?[0-9]*")
_NUMBER_TEXT = QRegularExpression(r"-?[0-9]*\.?[0-9]*([eE]-?[0-9]*)?")


def fallback_schema(model_name: str | None) -> dict[str, Any]:
    """The built-in stand-in form for ``model_name``: the schema the spec knows for it, else
    a prompt plus what pricing needs (a duration enum keeps its values' JSON type: Creatify's
    video models take ``"6"``, a string)."""
    model = ASSET_MODELS.get(model_name or "")
    known = model.get("schema") if model is not None else None
    if isinstance(known, Mapping) and isinstance(known.get("properties"), Mapping):
        return copy.deepcopy(dict(known))
    properties: dict[str, Any] = {
        "prompt": {"type": "string", "title": "Prompt", "description": "What to generate."}}
    if model is not None and model["output"] == "video" and model.get("durations"):
        durations = list(model["durations"])
        kind = "integer" if all(isinstance(d, int) and not isinstance(d, bool)
                                for d in durations) else "string"
        properties["duration"] = {"type": kind, "enum": durations,
                                  "default": durations[0], "title": "Duration (seconds)"}
    elif model is not None and model["output"] == "image":
        properties["num_images"] = {"type": "integer", "minimum": 1, "maximum": 4,
                                    "default": 1, "title": "Number of images"}
    return {"type": "object", "properties": properties, "required": ["prompt"]}


def schema_type(schema: Mapping[str, Any]) -> str:
    """The JSON type of a property (first non-null of a type list; from ``enum`` if absent)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if isinstance(kind, str):
        return kind
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            for option in options:
                if isinstance(option, Mapping) and option.get("type") not in (None, "null"):
                    return schema_type(option)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        first = enum[0]
        if isinstance(first, bool):
            return "boolean"
        if isinstance(first, int):
            return "integer"
        if isinstance(first, float):
            return "number"
    return "string"


def ordered_properties(schema: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The properties in display order: an explicit ``x-order``/``order`` first, then the
    required ones (in ``required`` order), then the rest as listed (JSON objects may arrive
    with their keys sorted, so the listed order alone says little)."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    required = [str(k) for k in schema.get("required") or ()]

    def rank(item: tuple[int, tuple[str, Mapping[str, Any]]]) -> tuple[float, int, int]:
        index, (key, prop) = item
        explicit = _as_float(prop.get("x-order", prop.get("order")))
        return (explicit if explicit is not None else math.inf,
                required.index(key) if key in required else len(required), index)

    items = [(str(k), v) for k, v in properties.items() if isinstance(v, Mapping)]
    return [pair for _index, pair in sorted(enumerate(items), key=rank)]


def _title(key: str, schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    return str(title) if title else key.replace("_", " ").capitalize()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _coerce(kind: str, value: Any) -> Any:
    """``value`` as the Python type for a JSON ``kind`` (``None`` if it cannot be)."""
    if kind == "integer":
        return _as_int(value)
    if kind == "number":
        return _as_float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "string":
        return None if value is None or isinstance(value, dict | list) else str(value)
    return value


@dataclass
class SchemaInput:
    """One property's widget and how to read and write it (``get`` → ``None``: not set)."""

    key: str
    kind: str
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], bool]


def _bounds(schema: Mapping[str, Any], kind: str) -> tuple[float | None, float | None]:
    low = _as_float(schema.get("minimum"))
    high = _as_float(schema.get("maximum"))
    step = 1 if kind == "integer" else 0
    if low is None and _as_float(schema.get("exclusiveMinimum")) is not None:
        low = float(schema["exclusiveMinimum"]) + step
    if high is None and _as_float(schema.get("exclusiveMaximum")) is not None:
        high = float(schema["exclusiveMaximum"]) - step
    return low, high


def build_input(key: str, schema: Mapping[str, Any], required: bool,
                parent: QWidget, on_change: Callable[[], None]) -> SchemaInput:
    """A widget for one JSON Schema property; ``on_change`` is called on every edit."""

    def changed(*_args: Any) -> None:
        on_change()

    kind = schema_type(schema)
    default = _coerce(kind, schema.get("default")) if "default" in schema else None
    optional = not required and default is None
    enum = schema.get("enum")

    if isinstance(enum, list) and enum:
        combo = QComboBox(parent)
        if optional:
            combo.addItem("", None)
        for option in enum:
            combo.addItem(str(option), option)

        def set_choice(value: Any) -> bool:
            if value is None:
                combo.setCurrentIndex(0 if optional else combo.currentIndex())
                return optional
            for index in range(combo.count()):
                data = combo.itemData(index)
                if data is not None and (data == value or _coerce(kind, value) == data
                                         or str(data) == str(value)):
                    combo.setCurrentIndex(index)
                    return True
            return False

        if default is not None:
            set_choice(default)
        combo.currentIndexChanged.connect(changed)
        return SchemaInput(key, kind, combo, lambda: combo.currentData(), set_choice)

    if kind == "boolean":
        box = QCheckBox(parent)
        if optional:
            box.setTristate(True)
            box.setCheckState(Qt.CheckState.PartiallyChecked)
            box.setToolTip("Partly checked: not set (Creatify's default)")
        else:
            box.setChecked(bool(default))

        def get_bool() -> bool | None:
            state = box.checkState()
            if state == Qt.CheckState.PartiallyChecked:
                return None
            return state == Qt.CheckState.Checked

        def set_bool(value: Any) -> bool:
            if value is None and optional:
                box.setCheckState(Qt.CheckState.PartiallyChecked)
                return True
            if not isinstance(value, bool):
                return False
            box.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            return True

        box.stateChanged.connect(changed)
        return SchemaInput(key, kind, box, get_bool, set_bool)

    if kind in ("integer", "number"):
        low, high = _bounds(schema, kind)
        if default is not None or (low is not None and high is not None):
            return _spin_input(key, kind, schema, low, high, default, optional, parent,
                               changed)
        edit = QLineEdit(parent)
        edit.setValidator(QRegularExpressionValidator(
            _INT_TEXT if kind == "integer" else _NUMBER_TEXT, edit))
        edit.setPlaceholderText("not set" if not required else "a whole number"
                                if kind == "integer" else "a number")

        def get_number() -> int | float | None:
            return _coerce(kind, edit.text()) if edit.text().strip() else None

        def set_number(value: Any) -> bool:
            number = _coerce(kind, value)
            if value is not None and number is None:
                return False
            edit.setText("" if number is None else str(number))
            return True

        edit.textChanged.connect(changed)
        return SchemaInput(key, kind, edit, get_number, set_number)

    if kind == "string":
        multiline = key.endswith("prompt") or schema.get("format") == "textarea" or (
            (_as_int(schema.get("maxLength")) or 0) > 500)
        if multiline:
            text = QPlainTextEdit(parent)
            text.setTabChangesFocus(True)
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 4 + 12)
            if default:
                text.setPlainText(str(default))

            def set_text_area(value: Any) -> bool:
                if value is not None and not isinstance(value, str | int | float):
                    return False
                text.setPlainText("" if value is None else str(value))
                return True

            text.textChanged.connect(changed)
            return SchemaInput(key, kind, text,
                               lambda: text.toPlainText() or None, set_text_area)
        line = QLineEdit(parent)
        if schema.get("format") in ("uri", "url", "uri-reference"):
            line.setPlaceholderText("https://…")
        max_length = _as_int(schema.get("maxLength"))
        if max_length:
            line.setMaxLength(max_length)
        if default:
            line.setText(str(default))

        def set_line(value: Any) -> bool:
            if value is not None and not isinstance(value, str | int | float):
                return False
            line.setText("" if value is None else str(value))
            return True

        line.setClearButtonEnabled(True)
        line.textChanged.connect(changed)
        return SchemaInput(key, kind, line, lambda: line.text().strip() or None, set_line)

    # arrays, objects, anything else: JSON typed by hand
    raw = QLineEdit(parent)
    raw.setPlaceholderText(f"JSON {kind}")
    if "default" in schema:
        raw.setText(json.dumps(schema["default"]))

    def get_json() -> Any:
        text = raw.text().strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def set_json(value: Any) -> bool:
        raw.setText("" if value is None else json.dumps(value))
        return True

    raw.textChanged.connect(changed)
    return SchemaInput(key, kind, raw, get_json, set_json)


def _set_number(spin: QSpinBox | QDoubleSpinBox, value: float) -> None:
    """``spin.setValue(value)`` for either box: an ``int`` for a ``QSpinBox``."""
    if isinstance(spin, QSpinBox):
        spin.setValue(int(value))
    else:
        spin.setValue(float(value))


def _spin_input(key: str, kind: str, schema: Mapping[str, Any], low: float | None,
                high: float | None, default: Any, optional: bool, parent: QWidget,
                changed: Callable[..., None]) -> SchemaInput:
    integer = kind == "integer"
    spin: QSpinBox | QDoubleSpinBox = QSpinBox(parent) if integer else QDoubleSpinBox(parent)
    lo = low if low is not None else -SPIN_LIMIT
    hi = high if high is not None else SPIN_LIMIT
    tick: float = 1  # the smallest step the box shows
    if isinstance(spin, QDoubleSpinBox):
        step = _as_float(schema.get("multipleOf")) or (0.1 if hi - lo <= 10 else 1.0)
        decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
        spin.setDecimals(max(decimals, 2))
        spin.setSingleStep(step)
        tick = 10 ** -spin.decimals()
    unset = lo - tick if optional else None
    bottom = unset if unset is not None else lo
    if isinstance(spin, QSpinBox):
        spin.setRange(int(bottom), int(hi))
    else:
        spin.setRange(float(bottom), float(hi))
    if unset is not None:
        spin.setSpecialValueText("(not set)")
    start = default if default is not None else (bottom if unset is not None else max(lo, 0))
    _set_number(spin, start)

    def get_spin() -> int | float | None:
        value = spin.value()
        if unset is not None and value <= unset:
            return None
        return int(value) if integer else float(value)

    def set_spin(value: Any) -> bool:
        if value is None:
            if unset is None:
                return False
            _set_number(spin, spin.minimum())
            return True
        number = _coerce(kind, value)
        if number is None or not lo <= number <= hi:
            return False
        spin.setValue(number)
        return True

    spin.valueChanged.connect(changed)
    return SchemaInput(key, kind, spin, get_spin, set_spin)


class SchemaForm(FieldEditor):
    """``input_params`` for the Asset Generator's current model.

    ``set_model(name)`` switches the form; the value is a dict of the inputs that are set,
    typed per the schema (``int``, ``float``, ``bool``, ``str``).
    """

    def __init__(self, field: Field, service: StudioService,
                 model_field_getter: Callable[[], Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.model_field_getter = model_field_getter
        initial = model_field_getter() if model_field_getter is not None else None
        self.model_name: str | None = str(initial) if initial else None
        self.inputs: dict[str, SchemaInput] = {}
        self.from_schema = False   # True when the form follows the model's published schema
        self._touched: set[str] = set()
        self._pending: dict[str, Any] = {}
        self._building = False

        self.watcher = CatalogueWatcher(service, "asset_schemas", self)
        self.watcher.loading.connect(self._show_status)
        self.watcher.failed.connect(self._show_status)
        self.watcher.loaded.connect(self._on_schemas)

        self._status_box = StatusRow(field, "Retry loading the model's inputs",
                                     self.watcher.retry, self)
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._status_box)
        self.body: QWidget | None = None
        self._built: Mapping[str, Any] | None = None
        self._rebuild(force=True)
        self._last: Any = self.value()

    # -- loading and the model

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.request()

    def set_model(self, name: str | None) -> None:
        name = str(name) if name else None
        if name == self.model_name:
            return
        self.model_name = name
        self._rebuild(force=True)

    def schema(self) -> tuple[Mapping[str, Any], bool]:
        """The schema for the current model and whether it is the published one."""
        for entry in self.watcher.items or ():
            if isinstance(entry, Mapping) and entry.get("model_name") == self.model_name:
                schema = entry.get("input_params_schema")
                if isinstance(schema, Mapping) and isinstance(schema.get("properties"),
                                                              Mapping):
                    return schema, True
        return fallback_schema(self.model_name), False

    def _status_text(self) -> tuple[str, bool]:
        watcher = self.watcher
        model = self.model_name or "this model"
        if self.from_schema:
            return "", False
        if watcher.error:
            if watcher.error.startswith(NOT_CONNECTED):
                return f"{watcher.error} Showing the basic inputs.", False
            return (f"Could not load the model's inputs: {watcher.error} "
                    "Showing the basic inputs.", True)
        if watcher.items is None:
            return ("Loading the model's inputs…" if watcher.requested
                    else "Basic inputs (the model's full inputs load when shown)."), False
        return f"Creatify lists no inputs for “{model}”; showing the basic inputs.", False

    # -- building

    def _carry(self) -> dict[str, Any]:
        """Values worth keeping across a rebuild: the ones the user set, and pending ones."""
        carried = dict(self._pending)
        for key in self._touched:
            entry = self.inputs.get(key)
            if entry is not None:
                carried[key] = entry.get()
        return carried

    def _on_schemas(self, _items: list[Any]) -> None:
        self._rebuild()

    def _rebuild(self, force: bool = False) -> None:
        """Build the inputs for the current schema (only when it changed, unless forced)."""
        schema, published = self.schema()
        if not force and self.body is not None and published == self.from_schema \
                and schema == self._built:
            self._show_status()
            return
        carried = self._carry()
        focused = next((k for k, e in self.inputs.items() if e.widget.hasFocus()), None)
        self._built = schema
        self._building = True
        try:
            if self.body is not None:
                self._layout.removeWidget(self.body)
                self.body.hide()
                self.body.deleteLater()
            self.body = QWidget(self)
            self.body.setObjectName(f"{self.field.name}_body")
            form = QFormLayout(self.body)
            form.setContentsMargins(0, 0, 0, 0)
            required = {str(k) for k in schema.get("required") or ()}
            self.inputs = {}
            for key, prop in ordered_properties(schema):
                self.inputs[str(key)] = entry = build_input(
                    str(key), prop, str(key) in required, self.body,
                    partial(self._on_input, str(key)))
                title = _title(str(key), prop)
                label = QLabel(f"{title} *" if str(key) in required else title, self.body)
                label.setObjectName(f"{self.field.name}_{key}_label")
                label.setBuddy(entry.widget)
                entry.widget.setObjectName(f"{self.field.name}_{key}")
                entry.widget.setAccessibleName(
                    f"{title} (required)" if str(key) in required else title)
                description = prop.get("description")
                if description:
                    entry.widget.setAccessibleDescription(str(description))
                    entry.widget.setToolTip(str(description))
                    label.setToolTip(str(description))
                form.addRow(label, entry.widget)
            self._layout.addWidget(self.body)
            if self.inputs:
                self.setFocusProxy(next(iter(self.inputs.values())).widget)
            self.from_schema = published
            self._pending = {}
            kept_touched = set()
            for key, value in carried.items():
                carried_to = self.inputs.get(key)
                if carried_to is not None:
                    if carried_to.set(value):
                        kept_touched.add(key)
                elif not published and not is_empty(value):
                    self._pending[key] = value  # until the published schema says otherwise
            self._touched = kept_touched
            if focused in self.inputs:  # the schemas arrived while the user was typing
                widget = self.inputs[focused].widget
                widget.setFocus()
                if isinstance(widget, QPlainTextEdit):
                    widget.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._building = False
        self._show_status()
        if hasattr(self, "_last"):
            self._notify()

    def _show_status(self, *_args: Any) -> None:
        text, retry = self._status_text()
        self.status.setText(text)
        self._status_box.setVisible(bool(text))
        self.retry_button.setVisible(retry)

    def _on_input(self, key: str) -> None:
        if self._building:
            return
        self._touched.add(key)
        self._notify()

    # -- value

    def value(self) -> dict[str, Any]:
        values = {k: v for k, v in self._pending.items() if not is_empty(v)}
        for key, entry in self.inputs.items():
            value = entry.get()
            if not is_empty(value):
                values[key] = value
        return values

    def set_value(self, value: Any) -> None:
        values = dict(value) if isinstance(value, Mapping) else {}
        self._touched = set()
        self._pending = {k: v for k, v in values.items() if not is_empty(v)}
        self._rebuild(force=True)

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = ["SchemaForm", "SchemaInput", "build_input", "fallback_schema", "ordered_properties",
           "schema_type"]
