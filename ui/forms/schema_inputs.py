"""One editor per JSON Schema property of a schema form (the Asset Generator's and the AI Ad
Template's ``input_params``).

Which editor a property gets, its limits, default and choices, and the conversion of what
the user entered to the schema's types are read by :mod:`app.json_schema`; this module only
builds the widgets, one small builder per :class:`~app.json_schema.Editor`, and the labelled
row around each (:func:`add_row`: required mark, tooltip and a short help line from the
description). A list of strings gets one row per string with add/remove, each checked as a
web address where the schema says so; an object with properties gets a group box of its own
rows. Combos and spin boxes take the mouse wheel only once focused, so scrolling the form
never changes a value (and a price) unseen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.json_schema import (
    Editor,
    SchemaProperty,
    accepts_text,
    coerce,
    ordered_properties,
    parse_json,
    read_property,
    spin_range,
    string_list,
)
from ui.forms.schema_lists import Combo, DoubleSpinBox, SpinBox, StringList

_INT_TEXT = QRegularExpression(r"-?[0-9]*")
_NUMBER_TEXT = QRegularExpression(r"-?[0-9]*\.?[0-9]*([eE]-?[0-9]*)?")

Changed = Callable[..., None]
"""What an editor calls on every edit (whatever its signal's arguments)."""


@dataclass
class SchemaInput:
    """One property's widget and how to read and write it (``get`` → ``None``: not set)."""

    key: str
    kind: str
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], bool]


def build_input(key: str, schema: Mapping[str, Any], required: bool,
                parent: QWidget, on_change: Callable[[], None],
                name: str | None = None) -> SchemaInput:
    """A widget for one JSON Schema property; ``on_change`` is called on every edit.
    ``name`` (default: the key) names the widgets a property builds inside its own (list
    rows, a group's fields)."""

    def changed(*_args: Any) -> None:
        on_change()

    prop = read_property(key, schema, required)
    return _BUILDERS[prop.editor](prop, parent, changed, name or key)


def add_row(form: QFormLayout, prefix: str, key: str, schema: Mapping[str, Any],
            required: bool, parent: QWidget, on_change: Callable[[], None]) -> SchemaInput:
    """One labelled row of a schema form: the property's editor named ``{prefix}_{key}`` for
    tests and screen readers, ``Title *`` when required, the description as the tooltip and
    its first sentence as a line under the input. A group spans the row (its title is the
    label)."""
    name = f"{prefix}_{key}"
    entry = build_input(key, schema, required, parent, on_change, name)
    prop = read_property(key, schema, required)
    title = f"{prop.title} *" if required else prop.title
    entry.widget.setObjectName(name)
    entry.widget.setAccessibleName(f"{prop.title} (required)" if required else prop.title)
    description = prop.description
    if description:
        entry.widget.setAccessibleDescription(description)
        entry.widget.setToolTip(description)
    if isinstance(entry.widget, QGroupBox):
        entry.widget.setTitle(title)
        form.addRow(entry.widget)
        return entry
    label = QLabel(title, parent)
    label.setObjectName(f"{name}_label")
    label.setBuddy(entry.widget)
    if description:
        label.setToolTip(description)
    if isinstance(entry.widget, QCheckBox) and prop.short_help:
        entry.widget.setText(prop.short_help)
    form.addRow(label, entry.widget)
    if prop.short_help and not isinstance(entry.widget, QCheckBox):
        # A row of its own under the input: the form lays out a wrapped label's height
        # properly only as a field of its own (nested in a box with the input, it overlapped).
        note = QLabel(prop.short_help, parent)
        note.setObjectName(f"{name}_help")
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow("", note)
    return entry


def _choice_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                  _name: str) -> SchemaInput:
    combo = Combo(parent)
    if prop.optional:
        combo.addItem("", None)
    for option in prop.choices:
        combo.addItem(prop.choice_label(option), option)

    def set_choice(value: Any) -> bool:
        if value is None:
            combo.setCurrentIndex(0 if prop.optional else combo.currentIndex())
            return prop.optional
        for index in range(combo.count()):
            if prop.matches_choice(combo.itemData(index), value):
                combo.setCurrentIndex(index)
                return True
        return False

    if prop.default is not None:
        set_choice(prop.default)
    combo.currentIndexChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, combo, lambda: combo.currentData(), set_choice)


def _check_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                 _name: str) -> SchemaInput:
    box = QCheckBox(parent)
    if prop.optional:
        box.setTristate(True)
        box.setCheckState(Qt.CheckState.PartiallyChecked)
        box.setToolTip("Partly checked: not set (Creatify's default)")
    else:
        box.setChecked(bool(prop.default))

    def get_bool() -> bool | None:
        state = box.checkState()
        if state == Qt.CheckState.PartiallyChecked:
            return None
        return state == Qt.CheckState.Checked

    def set_bool(value: Any) -> bool:
        if value is None and prop.optional:
            box.setCheckState(Qt.CheckState.PartiallyChecked)
            return True
        if not isinstance(value, bool):
            return False
        box.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        return True

    box.stateChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, box, get_bool, set_bool)


def _set_number(spin: QSpinBox | QDoubleSpinBox, value: float) -> None:
    """``spin.setValue(value)`` for either box: an ``int`` for a ``QSpinBox``."""
    if isinstance(spin, QSpinBox):
        spin.setValue(int(value))
    else:
        spin.setValue(float(value))


def _spin_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                _name: str) -> SchemaInput:
    limits = spin_range(prop)
    spin: QSpinBox | QDoubleSpinBox
    if limits.integer:
        spin = SpinBox(parent)
        spin.setRange(int(limits.bottom), int(limits.hi))
    else:
        spin = DoubleSpinBox(parent)
        spin.setDecimals(limits.decimals or 0)
        spin.setSingleStep(limits.step or 1.0)
        spin.setRange(float(limits.bottom), float(limits.hi))
    if limits.unset is not None:
        spin.setSpecialValueText("(not set)")
    _set_number(spin, limits.start)

    def set_spin(value: Any) -> bool:
        if value is None:
            if limits.unset is None:
                return False
            _set_number(spin, spin.minimum())
            return True
        number = limits.accept(prop.kind, value)
        if number is None:
            return False
        _set_number(spin, number)
        return True

    spin.valueChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, spin, lambda: limits.read(spin.value()), set_spin)


def _number_text_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                       _name: str) -> SchemaInput:
    kind = prop.kind
    edit = QLineEdit(parent)
    edit.setValidator(QRegularExpressionValidator(
        _INT_TEXT if kind == "integer" else _NUMBER_TEXT, edit))
    edit.setPlaceholderText("not set" if not prop.required else "a whole number"
                            if kind == "integer" else "a number")

    def get_number() -> int | float | None:
        return coerce(kind, edit.text()) if edit.text().strip() else None

    def set_number(value: Any) -> bool:
        number = coerce(kind, value)
        if value is not None and number is None:
            return False
        edit.setText("" if number is None else str(number))
        return True

    edit.textChanged.connect(changed)
    return SchemaInput(prop.key, kind, edit, get_number, set_number)


def _text_area_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                     _name: str) -> SchemaInput:
    text = QPlainTextEdit(parent)
    text.setTabChangesFocus(True)
    text.setFixedHeight(text.fontMetrics().lineSpacing() * 4 + 12)
    if prop.default:
        text.setPlainText(str(prop.default))

    def set_text_area(value: Any) -> bool:
        if not accepts_text(value):
            return False
        text.setPlainText("" if value is None else str(value))
        return True

    text.textChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, text,
                       lambda: text.toPlainText() or None, set_text_area)


def _line_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                _name: str) -> SchemaInput:
    line = QLineEdit(parent)
    if prop.is_url:
        line.setPlaceholderText("https://…")
    if prop.max_length:
        line.setMaxLength(prop.max_length)
    if prop.default:
        line.setText(str(prop.default))

    def set_line(value: Any) -> bool:
        if not accepts_text(value):
            return False
        line.setText("" if value is None else str(value))
        return True

    line.setClearButtonEnabled(True)
    line.textChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, line, lambda: line.text().strip() or None,
                       set_line)


def _json_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                _name: str) -> SchemaInput:
    raw = QLineEdit(parent)
    raw.setPlaceholderText(f"JSON {prop.kind}")
    if "default" in prop.schema:
        raw.setText(json.dumps(prop.schema["default"]))

    def set_json(value: Any) -> bool:
        raw.setText("" if value is None else json.dumps(value))
        return True

    raw.textChanged.connect(changed)
    return SchemaInput(prop.key, prop.kind, raw, lambda: parse_json(raw.text()), set_json)


def _list_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                name: str) -> SchemaInput:
    box = StringList(prop, name, changed, parent)

    def set_list(value: Any) -> bool:
        values = string_list(value)
        if values is None:
            return False
        box.set_values(values or ([""] if prop.required else []))
        return True

    return SchemaInput(prop.key, prop.kind, box, lambda: box.values() or None, set_list)


def _group_input(prop: SchemaProperty, parent: QWidget, changed: Changed,
                 name: str) -> SchemaInput:
    """An object's own properties in a group box; its value is the dict of those set."""
    box = QGroupBox(prop.title, parent)
    form = QFormLayout(box)
    required = {str(k) for k in prop.schema.get("required") or ()}
    inner = {key: add_row(form, name, key, schema, key in required, box, changed)
             for key, schema in ordered_properties(prop.schema)}

    def get_group() -> dict[str, Any] | None:
        values = {key: entry.get() for key, entry in inner.items()}
        values = {k: v for k, v in values.items() if v is not None}
        return values or None

    def set_group(value: Any) -> bool:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            return False
        for key, entry in inner.items():
            if key in value:
                entry.set(value[key])
        return True

    return SchemaInput(prop.key, prop.kind, box, get_group, set_group)


_BUILDERS: dict[Editor, Callable[[SchemaProperty, QWidget, Changed, str], SchemaInput]] = {
    Editor.CHOICE: _choice_input,
    Editor.CHECK: _check_input,
    Editor.SPIN: _spin_input,
    Editor.NUMBER_TEXT: _number_text_input,
    Editor.TEXT_AREA: _text_area_input,
    Editor.LINE: _line_input,
    Editor.STRING_LIST: _list_input,
    Editor.GROUP: _group_input,
    Editor.JSON: _json_input,
}


__all__ = ["Combo", "DoubleSpinBox", "SchemaInput", "SpinBox", "StringList", "add_row",
           "build_input"]
