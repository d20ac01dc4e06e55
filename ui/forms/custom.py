"""The field kinds that need a custom editor, and the editor class for each.

A form builder looks up ``CUSTOM_EDITORS[field.kind]`` and calls it with the field and the
service; every other kind gets a plain editor. The Asset Generator's form should then call
``SchemaForm.set_model(name)`` whenever its ``model_name`` field changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.generators import Field, FieldKind
from ui.forms.base import FieldEditor
from ui.forms.pickers import AccentPicker, MusicPicker, PersonaPicker
from ui.forms.scenes import ScenesEditor
from ui.forms.schema_form import SchemaForm
from ui.forms.variables import VariablesEditor

if TYPE_CHECKING:
    from ui.service import StudioService

EditorFactory = Callable[[Field, "StudioService"], FieldEditor]

CUSTOM_EDITORS: dict[FieldKind, EditorFactory] = {
    FieldKind.PERSONA: PersonaPicker,
    FieldKind.ACCENT: AccentPicker,
    FieldKind.MUSIC: MusicPicker,
    FieldKind.SCENES: ScenesEditor,
    FieldKind.VARIABLES: VariablesEditor,
    FieldKind.SCHEMA_FORM: SchemaForm,
}
"""Field kind -> editor factory ``(field, service) -> FieldEditor``."""

__all__ = ["CUSTOM_EDITORS", "EditorFactory"]
