"""Value controls that take the mouse wheel only once focused.

Scrolling down a form with the pointer passing over a combo box, a spin box or a slider must
never change a value, and so a price, unseen: unfocused, these controls hand the wheel on to
the scroll area around the form; once the creator has clicked one or tabbed to it, the wheel
works as usual. Every combo, spin box and slider of a generator form is one of these (the
estimator's length control too); ``tests/gui/test_form_money.py`` scrolls over all of them.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QScrollBar,
    QSlider,
    QSpinBox,
    QWidget,
)


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


class _WheelGuard(QObject):
    """The same rule for a control built elsewhere as a plain Qt one: an unfocused control's
    wheel notch is not delivered to it (ignored, Qt hands it on to its parents)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            event.ignore()
            return True
        return False


_GUARD = _WheelGuard()


def guard_wheels(root: QWidget) -> int:
    """Give every combo box, spin box and slider under ``root`` that is not already one of
    this module's controls the same wheel rule; returns how many were guarded."""
    guarded = 0
    for control in root.findChildren(QWidget):
        if isinstance(control, NoWheel | QScrollBar) or not isinstance(
                control, QComboBox | QAbstractSpinBox | QAbstractSlider):
            continue
        if control.property("wheel_guarded"):
            continue
        control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        control.installEventFilter(_GUARD)
        control.setProperty("wheel_guarded", True)
        guarded += 1
    return guarded


def pick_or_type(parent: QWidget, name: str, label: str, model: QAbstractItemModel, *,
                 width: int = 18) -> Combo:
    """An editable combo over a catalogue ``model``: a row picked from the list, or a value
    typed or pasted (nothing typed is added to the list); ``width`` characters wide at least."""
    combo = Combo(parent)
    combo.setObjectName(f"{name}_combo")
    combo.setAccessibleName(label)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setModel(model)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(width)
    combo.setMaxVisibleItems(15)
    return combo


__all__ = ["Combo", "DoubleSpinBox", "NoWheel", "Slider", "SpinBox", "guard_wheels",
           "pick_or_type"]
