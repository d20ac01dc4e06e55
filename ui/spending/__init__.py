"""The spending window: the month's paid jobs, estimate against charge, days and balance.

Loaded on first use (it pulls in QtCharts).
"""

from ui.spending.table import (
    COL_ACTUAL,
    COL_CREATED,
    COL_DIFFERENCE,
    COL_ESTIMATE,
    COL_GENERATOR,
    COL_REFUND,
    COL_STATE,
    COL_TITLE,
    HEADERS,
    RowRole,
    SortRole,
    SpendingProxy,
    SpendingTableModel,
    actual_text,
    credits_text,
    difference_text,
)
from ui.spending.window import SpendingWindow

__all__ = [
    "COL_ACTUAL", "COL_CREATED", "COL_DIFFERENCE", "COL_ESTIMATE", "COL_GENERATOR", "COL_REFUND",
    "COL_STATE", "COL_TITLE", "HEADERS", "RowRole", "SortRole", "SpendingProxy",
    "SpendingTableModel", "SpendingWindow", "actual_text", "credits_text", "difference_text",
]
