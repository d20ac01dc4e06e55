"""The credentials and settings dialogs (opened with ``open()``: never a nested event loop)."""

from ui.dialogs.credentials import CredentialsDialog
from ui.dialogs.settings import SettingsDialog

__all__ = ["CredentialsDialog", "SettingsDialog"]
