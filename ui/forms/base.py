"""The contract every field editor keeps, so a generator form can be built from its spec."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.generators import Field


class FieldEditor(QWidget):
    """A widget that edits one spec :class:`Field`.

    ``value()`` returns plain Python data (str, int, float, bool, list, dict or ``None`` for
    "not set") exactly as the spec's ``validate``/``build_body`` expect; ``changed`` fires on
    every user edit. Editors never talk to the network: pickers ask the service (passed in)
    and listen to its signals.
    """

    changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"field_{field.name}")
        self.setAccessibleName(field.label)
        if field.help:
            self.setToolTip(field.help)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError
