"""The live cost estimator: the duration control and the panel that shows a :class:`Quote`.

What the headline says follows how sure the price is (:func:`headline`): exact credits; "at
least N credits" where the docs give only a model's lowest price; "Price unknown" (known
after the run) where they give none; a price learned from the user's last run of the same
model and settings, with its date. The breakdown keeps the quote's lines (× outputs among
them), the warnings keep the quote's (a table price that disagreed with a real charge).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.generators import DurationKind, DurationSource
from app.generators.quote import Quote, format_credits
from app.generators.quote_words import learned_text, unknown_price
from app.pricing.money import dollars_text
from ui.forms.schema_lists import DoubleSpinBox, Slider

SLIDER_STEPS_PER_SECOND = 10


class DurationControl(QWidget):
    """Billed length in seconds: a spin box and a slider, filled automatically (from the chosen
    length or the script at words per minute) until the user overrides it. Both take the
    mouse wheel only once focused: scrolling past them never changes the price."""

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
        self.hint.setStyleSheet("color: palette(mid);")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.spin)
        row.addWidget(self.slider, 1)
        row.addWidget(self.auto_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
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


money = dollars_text
"""Dollars as the app writes them everywhere (``app.pricing.money.dollars_text``)."""


def _font(widget: QWidget, *, bold: bool = False, points: int | None = None) -> QFont:
    font = QFont(widget.font())
    font.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    if points is not None:
        font.setPointSize(points)
    return font




def headline(q: Quote) -> tuple[str, str]:
    """The panel's big figure and the short line under it, for a priced quote."""
    if q.known_after_run:
        if unknown_price(q):
            return "Price unknown", "Known after the run: Creatify reports the charge."
        return "By tokens", ""
    assert q.credits is not None
    if q.at_least:
        return (f"at least {format_credits(q.credits)}",
                "From the docs' lowest price for this model: the settings may cost more.")
    if q.from_learned:
        text = learned_text(q)
        return format_credits(q.credits), text[:1].upper() + text[1:] + "."
    return format_credits(q.credits), ""


class EstimatorPanel(QFrame):
    """Credits, the billing breakdown, dollars at the plan, the balance after, warnings."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"estimator_{key}")
        self.setAccessibleName("Cost estimate")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        self.title = QLabel("Estimated cost")
        # Fonts, not style sheets: a style sheet fixes the text colour at polish time, so a
        # switch to the dark theme would leave these black on dark.
        self.title.setFont(_font(self.title, bold=True))
        self.credits = QLabel("—")
        self.credits.setObjectName(f"estimator_{key}_credits")
        self.credits.setAccessibleName("Estimated credits")
        self.credits.setFont(_font(self.credits, bold=True, points=22))
        self.basis = QLabel("")
        self.basis.setObjectName(f"estimator_{key}_basis")
        self.basis.setAccessibleName("What the estimate rests on")
        self.basis.setWordWrap(True)
        self.basis.hide()
        self.dollars = QLabel("")
        self.dollars.setObjectName(f"estimator_{key}_dollars")
        self.dollars.setAccessibleName("Estimated dollars")
        self.breakdown = QLabel("")
        self.breakdown.setObjectName(f"estimator_{key}_breakdown")
        self.breakdown.setAccessibleName("Billing breakdown")
        self.breakdown.setWordWrap(True)
        self.balance = QLabel("")
        self.balance.setObjectName(f"estimator_{key}_balance")
        self.balance.setAccessibleName("Balance after this job")
        self.warnings = QLabel("")
        self.warnings.setObjectName(f"estimator_{key}_warnings")
        self.warnings.setAccessibleName("Cost warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b45309;")
        for label in (self.credits, self.basis, self.dollars, self.breakdown, self.balance,
                      self.warnings):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.credits, self.basis, self.dollars, self.breakdown,
                       self.balance, self.warnings):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.quote: Quote | None = None

    def show_quote(self, quote: Quote, plan_name: str) -> None:
        self.quote = quote
        basis = ""
        if quote.error:
            self.credits.setText("—")
            self.dollars.setText("")
            self.breakdown.setText(quote.error)
        elif quote.known_after_run and not unknown_price(quote):
            self.credits.setText("By tokens")
            self.dollars.setText("")
            self.breakdown.setText("Charged by tokens — the real figure is known after the "
                                   "run and shown with the job.")
        else:
            figure, basis = headline(quote)
            self.credits.setText(figure)
            at = "≥ " if quote.at_least else "≈ "
            self.dollars.setText(f"{at}{money(quote.dollars)} at {plan_name}"
                                 if quote.dollars is not None else "")
            self.breakdown.setText("\n".join(quote.lines))
        self.basis.setText(basis)
        self.basis.setVisible(bool(basis))
        self.dollars.setVisible(bool(self.dollars.text()))  # no blank line for no figure
        if quote.balance_after is None:
            self.balance.setText("")
        else:
            self.balance.setText(f"Balance after: {format_credits(quote.balance_after)}")
        self.warnings.setText("\n".join(f"⚠ {w}" for w in quote.warnings))
