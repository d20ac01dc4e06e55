"""One tab per generator: the form, the billed length, the live estimate, the confirmation,
the styles to choose from, the line about the latest job.

The names below load on first use (PEP 562): importing ``ui.generator.flows`` for the window's
price settings must not build the whole tab (forms, pickers, the service) before the first
paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import lazy_names

if TYPE_CHECKING:
    from app.generators.quote_words import first_step_credits
    from ui.generator.flows import PriceSettings
    from ui.generator.styles_dialog import StylesDialog
    from ui.generator.tab import GeneratorTab

_HOMES = {"first_step_credits": "app.generators.quote_words",
          "PriceSettings": "ui.generator.flows", "StylesDialog": "ui.generator.styles_dialog",
          "GeneratorTab": "ui.generator.tab"}


__getattr__ = lazy_names(globals(), 'ui.generator', _HOMES)


__all__ = ["GeneratorTab", "PriceSettings", "StylesDialog", "first_step_credits"]
