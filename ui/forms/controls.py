"""Value controls that take the mouse wheel only once focused.

Scrolling down a form with the pointer passing over a combo box, a spin box or a slider must
never change a value, and so a price, unseen: unfocused, these controls hand the wheel on to
the scroll area around the form; once the creator has clicked one or tabbed to it, the wheel
works as usual. Every combo, spin box and slider of a generator form is one of these (the
estimator's length control too); ``tests/gui/test_form_money.py`` scrolls over all of them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSlider, QSpinBox, QWidget


class NoWheel:
    """Mixin: the wheel changes the value only once the control has focus (a click or Tab);
    unfocused, the wheel goes on to the scroll area around the form."""

    def _no_wheel_setup(self) -> None:
        assert isinstance(self, QWidget)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # never Qt.WheelFocus

    def wheelEvent(self, event: QWheelEvent) -> None:
        assert isinstance(self, QWidget)
        if self.hasFocus():
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()  # the parent (the form's scroll area) scrolls instead


class Combo(NoWheel, QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._no_wheel_setup()


class SpinBox(NoWheel, QSpinBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._no_wheel_setup()


class Slider(NoWheel, QSlider):
    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._no_wheel_setup()


class DoubleSpinBox(NoWheel, QDoubleSpinBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._no_wheel_setup()


__all__ = ["Combo", "DoubleSpinBox", "NoWheel", "Slider", "SpinBox"]
