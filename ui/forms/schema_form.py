"""``input_params``: a sub-form built from a JSON Schema out of a catalogue.

Where the schemas come from is a :class:`SchemaSource`: the Asset Generator's models
(``service.catalogue("asset_schemas")``, each entry's ``model_name``; the default) or the AI
Ad Templates (``"inspirations"``, each entry's ``id``; ``set_source(INSPIRATION_SCHEMAS)``).
The catalogue is asked when the form is first shown; a cached one answers at once, offline
too. Until it arrives, or for a name it does not list, a minimal built-in form stands in (for
a model: a prompt plus the duration or image count known from ``ASSET_MODELS``). Values the
user typed are carried over when the form is rebuilt (another model, or the real schema
arriving) wherever the new form has an input of that name that accepts them.

Reading the schema (which editor a property gets, its limits, defaults and choices, the
values in the schema's types) is Qt-free, in :mod:`app.json_schema`; the editors are built
by :mod:`ui.forms.schema_inputs`. Both keep their old names here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QVBoxLayout, QWidget

from app.generators import Field
from app.generators.catalogue import ASSET_MODELS
from app.generators.spec import is_empty
from app.json_schema import (
    SPIN_LIMIT,
    ordered_properties,
    published_schema,
    schema_type,
    stand_in_schema,
)
from ui.forms.base import FieldEditor
from ui.forms.pickers import NOT_CONNECTED, StatusRow
from ui.forms.pickers.asset_models import CachedCatalogueWatcher
from ui.forms.schema_inputs import SchemaInput, add_row, build_input

if TYPE_CHECKING:
    from ui.service import StudioService


def fallback_schema(model_name: str | None) -> dict[str, Any]:
    """The built-in stand-in form for ``model_name``: the schema the spec knows for it, else
    a prompt plus what pricing needs (a duration enum keeps its values' JSON type: Creatify's
    video models take ``"6"``, a string)."""
    return stand_in_schema(ASSET_MODELS.get(model_name or ""))


def _no_inputs(_name: str | None) -> dict[str, Any]:
    return {"type": "object", "properties": {}}


@dataclass(frozen=True, slots=True)
class SchemaSource:
    """Where a schema form's schemas come from: a service catalogue whose entries are named
    by ``key`` and carry ``input_params_schema``; ``fallback(name)`` stands in until then."""

    catalogue: str
    key: str
    noun: str                                     # "model", "template": for the messages
    fallback: Callable[[str | None], Mapping[str, Any]]


ASSET_SCHEMAS = SchemaSource("asset_schemas", "model_name", "model", fallback_schema)
INSPIRATION_SCHEMAS = SchemaSource("inspirations", "id", "template", _no_inputs)


class SchemaForm(FieldEditor):
    """``input_params`` for the current model (or template).

    ``set_model(name)`` switches the form; the value is a dict of the inputs that are set,
    typed per the schema (``int``, ``float``, ``bool``, ``str``, lists, dicts).
    """

    def __init__(self, field: Field, service: StudioService,
                 model_field_getter: Callable[[], Any] | None = None,
                 parent: QWidget | None = None, *,
                 source: SchemaSource = ASSET_SCHEMAS) -> None:
        super().__init__(field, parent)
        self.service = service
        self.source = source
        self.model_field_getter = model_field_getter
        initial = model_field_getter() if model_field_getter is not None else None
        self.model_name: str | None = str(initial) if initial else None
        self.inputs: dict[str, SchemaInput] = {}
        self.from_schema = False   # True when the form follows the model's published schema
        self._touched: set[str] = set()
        self._pending: dict[str, Any] = {}
        self._building = False

        self.watcher = self._watch(source)
        self._status_box = StatusRow(field, "Retry loading the inputs",
                                     lambda: self.watcher.retry(), self)
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

    def _watch(self, source: SchemaSource) -> CachedCatalogueWatcher:
        watcher = CachedCatalogueWatcher(self.service, source.catalogue, self)
        watcher.loading.connect(self._show_status)
        watcher.failed.connect(self._show_status)
        watcher.loaded.connect(self._on_schemas)
        return watcher

    def set_source(self, source: SchemaSource) -> None:
        """Take the schemas from ``source`` from now on (the AI Ad Template's form:
        ``INSPIRATION_SCHEMAS``); the form is rebuilt for the current name."""
        if source == self.source:
            return
        requested = self.watcher.requested
        self.watcher.deleteLater()
        self.source = source
        self.watcher = self._watch(source)
        if requested or self.isVisible():
            self.watcher.request()
        self._rebuild(force=True)

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
        schema = published_schema(self.watcher.items or (), self.model_name,
                                  key=self.source.key)
        if schema is not None:
            return schema, True
        return self.source.fallback(self.model_name), False

    def _status_text(self) -> tuple[str, bool]:
        watcher = self.watcher
        noun = self.source.noun
        if self.from_schema:
            return "", False
        if self.source is not ASSET_SCHEMAS and not self.model_name:
            return f"Choose a {noun} to see its inputs.", False
        if watcher.error:
            if watcher.error.startswith(NOT_CONNECTED):
                return f"{watcher.error} Showing the basic inputs.", False
            return (f"Could not load the {noun}'s inputs: {watcher.error} "
                    "Showing the basic inputs.", True)
        if watcher.items is None:
            return (f"Loading the {noun}'s inputs…" if watcher.requested
                    else f"Basic inputs (the {noun}'s full inputs load when shown)."), False
        name = self.model_name or f"this {noun}"
        return f"Creatify lists no inputs for “{name}”; showing the basic inputs.", False

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
                self._add_input(form, str(key), prop, str(key) in required)
            self._layout.addWidget(self.body)
            if self.inputs:
                self.setFocusProxy(next(iter(self.inputs.values())).widget)
            self.from_schema = published
            self._restore(carried, published)
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

    def _add_input(self, form: QFormLayout, key: str, prop: Mapping[str, Any],
                   required: bool) -> None:
        """One labelled row of the form (:func:`ui.forms.schema_inputs.add_row`)."""
        assert self.body is not None
        self.inputs[key] = add_row(form, self.field.name, key, prop, required, self.body,
                                   partial(self._on_input, key))

    def _restore(self, carried: Mapping[str, Any], published: bool) -> None:
        """Put the carried values into the new inputs that accept them; keep the others
        pending while the form is only the stand-in."""
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


__all__ = ["ASSET_SCHEMAS", "INSPIRATION_SCHEMAS", "SPIN_LIMIT", "SchemaForm", "SchemaInput",
           "SchemaSource", "build_input", "fallback_schema", "ordered_properties",
           "schema_type"]
