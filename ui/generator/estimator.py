"""The live cost estimator: the duration control and the panel that shows a :class:`Quote`.

What the headline says follows how sure the price is (:func:`headline`): exact credits; "at
least N credits" where the docs give only a model's lowest price; "Price unknown" (known
after the run) where they give none; a price learned from the user's last run of the same
model and settings, with its date. The breakdown keeps the quote's lines (× outputs among
them), the warnings keep the quote's (a table price that disagreed with a real charge).

The panel is compact (its height is its content's) and holds what sets the price: the length
control where no form field gives the length, and a "Priced on" line naming the form fields
that do (a click scrolls the form to the field and focuses it).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.generators.quote import Quote, format_credits
from app.generators.quote_words import learned_text, unknown_price
from app.pricing.money import dollars_text
from ui.common.theme import WARNING, set_tone
from ui.generator.length import SLIDER_STEPS_PER_SECOND, DurationControl

FIELD_LINK = "field:"
"""Links in the panel and the tab's hint name a form field: ``field:<name>``."""

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
    """Credits, the billing breakdown, dollars at the plan, the balance after, warnings, and
    the inputs the price rests on (``fieldRequested(name)`` when one of them is clicked)."""

    fieldRequested = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"estimator_{key}")
        self.setAccessibleName("Cost estimate")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(230)
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
        set_tone(self.warnings, WARNING)
        for label in (self.credits, self.basis, self.dollars, self.breakdown, self.balance,
                      self.warnings):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inputs = QLabel("")
        self.inputs.setObjectName(f"estimator_{key}_inputs")
        self.inputs.setAccessibleName("The form's inputs this price rests on")
        self.inputs.setWordWrap(True)
        self.inputs.setTextFormat(Qt.TextFormat.RichText)
        self.inputs.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.inputs.setToolTip("Click one to go to it in the form")
        self.inputs.linkActivated.connect(self._link)
        self.inputs.hide()
        self.length: DurationControl | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(4)
        for widget in (self.title, self.credits, self.basis, self.dollars, self.breakdown,
                       self.balance, self.warnings, self.inputs):
            self._layout.addWidget(widget)
        # As tall as what it shows: never a box of empty space under the figure.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.quote: Quote | None = None

    def set_length_control(self, control: DurationControl) -> None:
        """Host the generator's own length input under the figure it drives."""
        self.length = control
        self._layout.addWidget(control)

    def show_inputs(self, inputs: list[tuple[str, str]]) -> None:
        """The form fields the price rests on, as ``(field name, "Label: value")``: each a
        link that takes the creator to the field."""
        links = " · ".join(f"<a href='{FIELD_LINK}{escape(name, quote=True)}'>"
                           f"{escape(text)}</a>" for name, text in inputs)
        self.inputs.setText(f"Priced on {links}" if links else "")
        self.inputs.setVisible(bool(links))

    def _link(self, link: str) -> None:
        if link.startswith(FIELD_LINK):
            self.fieldRequested.emit(link.removeprefix(FIELD_LINK))

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
        self.balance.setVisible(bool(self.balance.text()))
        self.warnings.setVisible(bool(self.warnings.text()))


__all__ = ["FIELD_LINK", "SLIDER_STEPS_PER_SECOND", "DurationControl", "EstimatorPanel",
           "headline", "money"]
