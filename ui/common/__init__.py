"""What several features share: the theme, the table-model base, small widget helpers.

The names load on first use (PEP 562): the window's first paint needs the theme only, not the
table model or the widget helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import lazy_names

if TYPE_CHECKING:
    from ui.common.table_model import ROW_ROLE, SORT_ROLE, RowTableModel
    from ui.common.theme import apply_theme
    from ui.common.widgets import ask_to_send, named

_WHERE = {"ROW_ROLE": "table_model", "SORT_ROLE": "table_model", "RowTableModel": "table_model",
          "apply_theme": "theme", "ask_to_send": "widgets", "named": "widgets"}


__getattr__ = lazy_names(globals(), 'ui.common', _WHERE)


__all__ = ["ROW_ROLE", "SORT_ROLE", "RowTableModel", "apply_theme", "ask_to_send", "named"]
