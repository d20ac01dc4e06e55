"""What several features share: the theme, the table-model base, small widget helpers."""

from ui.common.table_model import ROW_ROLE, SORT_ROLE, RowTableModel
from ui.common.theme import apply_theme
from ui.common.widgets import ask_to_send, named

__all__ = ["ROW_ROLE", "SORT_ROLE", "RowTableModel", "apply_theme", "ask_to_send", "named"]
