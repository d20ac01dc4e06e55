"""The billed length where no form field gives it: a spin box and a slider in the estimate
panel, right under the figure they drive.

Only a generator whose spec has no field for its length gets one (a script read at words per
minute, a media length the creator enters); where a form field sets the length (URL to
Video's "Length"), the panel names that field instead, so there is one length input per
generator.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.generators import DurationKind, DurationSource
from ui.common.theme import MUTED, set_tone
from ui.forms.controls import DoubleSpinBox, Slider

SLIDER_STEPS_PER_SECOND = 10


def has_free_length(source: DurationSource) -> bool:
    """True when the length is entered (or overridden) in its own control: no form field
    chooses it. A chosen length (``DurationKind.CHOICE`` with its field) is the field's."""
    if source.kind is DurationKind.NONE:
        return False
    return not (source.kind is DurationKind.CHOICE and source.field)


class DurationControl(QWidget):
    """Billed length in seconds: a spin box and a slider, filled automatically (from the script
    at words per minute) until the user overrides it. Both take the mouse wheel only once
    focused: scrolling past them never changes the price."""

    changed = Signal()

    def __init__(self, source: DurationSource, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.overridden = False
        self._auto: float | None = source.default_seconds
        self.setObjectName(f"duration_{key}")
        self.setAccessibleName(source.label)

        self.spin = DoubleSpinBox()
        self.spin.setObjectName(f"duration_{key}_spin")
        self.spin.setAccessibleName(f"{source.label} in seconds")
        self.spin.setDecimals(1)
        self.spin.setRange(0, source.maximum)
        self.spin.setSuffix(" s")
        self.spin.setSpecialValueText("—")
        self.spin.setKeyboardTracking(True)
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("00000.0 s") + 40)
        self.caption = QLabel(source.label)
        self.caption.setObjectName(f"duration_{key}_caption")
        self.caption.setBuddy(self.spin)

        self.slider = Slider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"duration_{key}_slider")
        self.slider.setAccessibleName(f"{source.label} slider")
        slider_max = min(source.maximum, 600 if source.maximum > 60 else source.maximum)
        self.slider.setRange(0, int(slider_max * SLIDER_STEPS_PER_SECOND))
        self.slider.setSingleStep(SLIDER_STEPS_PER_SECOND)
        self.slider.setPageStep(30 * SLIDER_STEPS_PER_SECOND)

        self.auto_button = QPushButton("Auto")
        self.auto_button.setObjectName(f"duration_{key}_auto")
        self.auto_button.setAccessibleName("Use the automatic length")
        self.auto_button.setToolTip("Go back to the length worked out from the form")
        self.auto_button.setVisible(False)
        self.auto_button.clicked.connect(self.reset_to_auto)

        self.hint = QLabel(source.note)
        self.hint.setObjectName(f"duration_{key}_hint")
        self.hint.setWordWrap(True)
        set_tone(self.hint, MUTED)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption)
        row.addWidget(self.spin)
        row.addWidget(self.auto_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.slider)
        layout.addWidget(self.hint)

        self._syncing = False
        self.spin.valueChanged.connect(self._spin_moved)
        self.slider.valueChanged.connect(self._slider_moved)
        self._show(self._auto)

    @property
    def entered_by_user(self) -> bool:
        """MEDIA lengths are the user's to enter: there is nothing to compute them from."""
        return self.source.kind is DurationKind.MEDIA

    def seconds(self) -> float | None:
        value = self.spin.value()
        return value if value > 0 else None

    def set_auto(self, seconds: float | None) -> None:
        """The length worked out from the form; shown unless the user has overridden it."""
        self._auto = seconds
        if not self.overridden:
            self._show(seconds)

    def set_seconds(self, seconds: float) -> None:
        """Set the length as if the user typed it."""
        self.spin.setValue(seconds)

    def set_media_length(self, field: str, seconds: float | None) -> None:
        """A local file of ``field`` was read: its playing time is the length (a MEDIA
        length of that field only). None — the file's length could not be read — empties
        the control, so nothing is estimated from a length nobody gave."""
        if self.source.kind is not DurationKind.MEDIA or self.source.field != field:
            return
        self.overridden = False
        self.auto_button.setVisible(False)
        self._show(min(seconds, self.source.maximum) if seconds is not None else None)
        if seconds is None:
            self.hint.setText("The file's length could not be read: enter it here.")
        else:
            self.hint.setText(f"Read from the file: {seconds:.1f} s. {self.source.note}".strip())
        self.changed.emit()

    def reset_to_auto(self) -> None:
        self.overridden = False
        self.auto_button.setVisible(False)
        self._show(self._auto)
        self.changed.emit()

    def _show(self, seconds: float | None) -> None:
        self._syncing = True
        try:
            self.spin.setValue(seconds or 0)
            self.slider.setValue(round((seconds or 0) * SLIDER_STEPS_PER_SECOND))
        finally:
            self._syncing = False

    def _user_set(self) -> None:
        if not self.entered_by_user:
            self.overridden = True
            self.auto_button.setVisible(True)
        self.changed.emit()

    def _spin_moved(self, value: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.slider.setValue(round(value * SLIDER_STEPS_PER_SECOND))
        self._syncing = False
        self._user_set()

    def _slider_moved(self, position: int) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.spin.setValue(position / SLIDER_STEPS_PER_SECOND)
        self._syncing = False
        self._user_set()


__all__ = ["SLIDER_STEPS_PER_SECOND", "DurationControl", "has_free_length"]
