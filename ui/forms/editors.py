"""Editors for the plain field kinds (text, URL, numbers, yes/no, choices), and the table of
which kind gets which (:data:`PLAIN_EDITORS`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field, FieldKind
from ui.forms.base import FieldEditor
from ui.forms.schema_lists import Combo, DoubleSpinBox, SpinBox

UNSET = "(default)"


def _single(editor: FieldEditor, widget: QWidget) -> None:
    layout = QHBoxLayout(editor)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    widget.setObjectName(f"{editor.objectName()}_input")
    widget.setAccessibleName(editor.field.label)
    editor.setFocusProxy(widget)


class LineEditor(FieldEditor):
    """One line of text; URLs and ids too (the spec validates them)."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit = QLineEdit()
        if field.max_length:
            self.edit.setMaxLength(field.max_length + 1)  # one over, so the limit message shows
        placeholders = {FieldKind.URL: "https://…", FieldKind.UUID: "xxxxxxxx-xxxx-…",
                        FieldKind.MUSIC: "https://… (mp3)", FieldKind.PERSONA: "avatar id",
                        FieldKind.ACCENT: "voice (accent) id", FieldKind.TEMPLATE: "template id"}
        self.edit.setPlaceholderText(placeholders.get(field.kind, ""))
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.changed)
        _single(self, self.edit)

    def value(self) -> Any:
        text = self.edit.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class TextEditor(FieldEditor):
    """Several lines (scripts, prompts) with a live character and word count."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(90)
        self.counter = QLabel()
        self.counter.setObjectName(f"{self.objectName()}_counter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.counter)
        self.edit.setObjectName(f"{self.objectName()}_input")
        self.edit.setAccessibleName(field.label)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._count)
        self.edit.textChanged.connect(self.changed)
        self._count()

    def _count(self) -> None:
        text = self.edit.toPlainText()
        limit = f" / {self.field.max_length:,}" if self.field.max_length else ""
        self.counter.setText(f"{len(text.split()):,} words · {len(text):,}{limit} characters")

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))


class NumberEditor(FieldEditor):
    """A number; optional numbers have a "(default)" value below the minimum."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        is_int = field.kind is FieldKind.INT
        # Combos and spin boxes here take the wheel only once focused: scrolling the form
        # never changes a value (and a price) unseen.
        self.spin: QSpinBox | QDoubleSpinBox = SpinBox() if is_int else DoubleSpinBox()
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else 1_000_000
        step = 1 if is_int else (0.05 if high <= 1 else 0.1)
        self._unset = low - step if not field.required else None
        if isinstance(self.spin, QDoubleSpinBox):
            self.spin.setDecimals(2)
            self.spin.setSingleStep(step)
            self.spin.setRange(self._unset if self._unset is not None else low, high)
        else:
            self.spin.setRange(int(self._unset if self._unset is not None else low), int(high))
        if self._unset is not None:
            self.spin.setSpecialValueText(UNSET)
        _single(self, self.spin)
        self.set_value(field.default)
        self.spin.valueChanged.connect(self.changed)

    def value(self) -> Any:
        number = self.spin.value()
        if self._unset is not None and number <= self._unset + 1e-9:
            return None
        return int(number) if self.field.kind is FieldKind.INT else round(float(number), 4)

    def set_value(self, value: Any) -> None:
        if value is not None:
            self.spin.setValue(value)
        elif isinstance(self.spin, QSpinBox):
            self.spin.setValue(self.spin.minimum())
        else:
            self.spin.setValue(self.spin.minimum())


class BoolEditor(FieldEditor):
    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.box = QCheckBox(field.label)
        _single(self, self.box)
        self.box.setChecked(bool(field.default))
        self.box.toggled.connect(self.changed)

    def value(self) -> Any:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class ChoiceEditor(FieldEditor):
    """A choice; editable when the spec allows values beyond its list."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.combo = Combo()
        if not field.required and field.default is None:
            self.combo.addItem(UNSET, None)
        for choice in field.choices:
            self.combo.addItem(choice.label, choice.value)
            if choice.label != str(choice.value):  # a readable name: the API's on hover
                self.combo.setItemData(self.combo.count() - 1, f"Sent as {choice.value}",
                                       Qt.ItemDataRole.ToolTipRole)
        self.combo.setEditable(field.open_choices)
        if field.open_choices:
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            self.combo.editTextChanged.connect(self.changed)
        _single(self, self.combo)
        self.set_value(field.default)
        self.combo.currentIndexChanged.connect(self.changed)

    def value(self) -> Any:
        if self.field.open_choices:
            text = self.combo.currentText().strip()
            index = self.combo.findText(text)
            if index >= 0:
                return self.combo.itemData(index)
            return text or None
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        elif self.field.open_choices and value is not None:
            self.combo.setEditText(str(value))
        elif self.combo.count():
            self.combo.setCurrentIndex(0)


class MultiChoiceEditor(FieldEditor):
    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(130)
        for choice in field.choices:
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.value)
            if choice.label != str(choice.value):
                item.setToolTip(f"Sent as {choice.value}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        _single(self, self.list)
        self.list.itemChanged.connect(self.changed)

    def value(self) -> Any:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for i in range(self.list.count()):
            item = self.list.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


PLAIN_EDITORS: dict[FieldKind, type[FieldEditor]] = {
    FieldKind.TEXT: LineEditor,
    FieldKind.URL: LineEditor,
    FieldKind.UUID: LineEditor,
    FieldKind.MULTILINE: TextEditor,
    FieldKind.INT: NumberEditor,
    FieldKind.FLOAT: NumberEditor,
    FieldKind.BOOL: BoolEditor,
    FieldKind.CHOICE: ChoiceEditor,
    FieldKind.MULTI_CHOICE: MultiChoiceEditor,
    # Fallbacks until a custom editor is registered (an id or URL typed by hand).
    FieldKind.PERSONA: LineEditor,
    FieldKind.ACCENT: LineEditor,
    FieldKind.MUSIC: LineEditor,
    FieldKind.TEMPLATE: LineEditor,
    FieldKind.INSPIRATION: LineEditor,
}
