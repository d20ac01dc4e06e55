"""The field kinds that need a custom editor, and the editor class for each.

A form builder looks up ``CUSTOM_EDITORS[field.kind]`` and calls it with the field and the
service; every other kind gets a plain editor. The form then ties the pairs together: the Asset
Generator's ``SchemaForm.set_model(name)`` follows its ``model_name`` field, and the Custom
Template's ``VariablesEditor.set_template(id)`` follows its ``template_id`` picker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.generators import Field, FieldKind
from ui.forms.base import FieldEditor
from ui.forms.local_media import url_editor
from ui.forms.pickers import AccentPicker, MusicPicker, PersonaPicker
from ui.forms.pickers.ids import id_editor
from ui.forms.pickers.inspirations import InspirationPicker
from ui.forms.scenes import ScenesEditor
from ui.forms.schema_form import SchemaForm
from ui.forms.templates import TemplatePicker
from ui.forms.variables import VariablesEditor

if TYPE_CHECKING:
    from ui.service import StudioService

EditorFactory = Callable[[Field, "StudioService"], FieldEditor]

CUSTOM_EDITORS: dict[FieldKind, EditorFactory] = {
    FieldKind.PERSONA: PersonaPicker,
    FieldKind.ACCENT: AccentPicker,
    FieldKind.MUSIC: MusicPicker,
    FieldKind.TEMPLATE: TemplatePicker,
    FieldKind.INSPIRATION: InspirationPicker,
    FieldKind.SCENES: ScenesEditor,
    FieldKind.VARIABLES: VariablesEditor,
    FieldKind.SCHEMA_FORM: SchemaForm,
    FieldKind.UUID: id_editor,  # a Link or a product image picked from a list (or pasted)
    # A URL of an image, audio or video also takes a local file (uploaded to the creator's
    # storage); any other URL (a product page) is a plain line.
    FieldKind.URL: url_editor,
}
"""Field kind -> editor factory ``(field, service) -> FieldEditor``."""

__all__ = ["CUSTOM_EDITORS", "EditorFactory"]
