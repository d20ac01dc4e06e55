"""One tab per generator: the form, the billed length, the live estimate, the confirmation,
the styles to choose from, the line about the latest job."""

from app.generators.quote_words import first_step_credits
from ui.generator.flows import PriceSettings
from ui.generator.styles_dialog import StylesDialog
from ui.generator.tab import GeneratorTab

__all__ = ["GeneratorTab", "PriceSettings", "StylesDialog", "first_step_credits"]
