"""The credentials, settings and price-file dialogs (opened with ``open()``: never a nested
event loop)."""

from ui.dialogs.credentials import CredentialsDialog
from ui.dialogs.prices import PriceFileImport, about_box, about_prices_html
from ui.dialogs.settings import SettingsDialog

__all__ = ["CredentialsDialog", "PriceFileImport", "SettingsDialog", "about_box",
           "about_prices_html"]
