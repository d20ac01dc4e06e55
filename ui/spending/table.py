"""The month's paid jobs as a table: columns, cell texts, a model and its sort proxy."""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QFont,
)

from app.generators import billed_by_tokens
from app.pricing.money import credit_figure
from app.spending import (
    ActualKind,
    SpendingRow,
)
from ui.common.table_model import ROW_ROLE, SORT_ROLE, RowTableModel
from ui.jobs.model import STATUS_TEXT

COL_CREATED, COL_GENERATOR, COL_TITLE, COL_STATE, COL_ESTIMATE, COL_ACTUAL, COL_REFUND, \
    COL_DIFFERENCE = range(8)
HEADERS = ("Created", "Generator", "What was asked", "Status", "Estimate", "Actual", "Refund",
           "Difference")
NUMERIC_COLUMNS = frozenset({COL_ESTIMATE, COL_ACTUAL, COL_REFUND, COL_DIFFERENCE})

OVER_COLOUR = "#b91c1c"
UNDER_COLOUR = "#15803d"

RowRole = ROW_ROLE
SortRole = SORT_ROLE


def credits_text(value: Decimal) -> str:
    """A credit figure for a table cell: thousands separated, at most two decimals."""
    return credit_figure(value, places=2)


def actual_text(row: SpendingRow) -> str:
    if row.actual_kind is ActualKind.PENDING:
        return "in flight"
    if row.actual is None:
        return "—"
    text = credits_text(row.actual)
    suffix = {ActualKind.ESTIMATED: " (estimated)", ActualKind.REFUNDED: " (refunded)",
              ActualKind.FREE: " (not charged)"}.get(row.actual_kind, "")
    return text + suffix


def difference_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + credits_text(abs(value))


class SpendingTableModel(RowTableModel[SpendingRow]):
    """The month's paid jobs, one row each (loaded whole on each refresh)."""

    HEADERS = HEADERS
    HEADER_TIPS: ClassVar[dict[int, str]] = {
        COL_ESTIMATE: "Credits estimated before sending",
        COL_ACTUAL: "Credits this job cost: Creatify's figure, or the estimate where it "
                    "reported none",
        COL_REFUND: "Credits charged up front and given back (failed Aurora jobs)",
        COL_DIFFERENCE: "Actual − estimate, where Creatify reported the charge",
    }

    def __init__(self, parent: Any = None, tz: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.tz = tz

    def row(self, index: int) -> SpendingRow:
        return self._rows[index]

    def rows(self) -> list[SpendingRow]:
        return list(self._rows)

    def role_data(self, item: SpendingRow, index: QModelIndex | QPersistentModelIndex,
                  role: int) -> Any:
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == COL_ACTUAL \
                and item.actual_kind is ActualKind.ESTIMATED:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def colour(self, item: SpendingRow, column: int) -> str | None:
        if column == COL_DIFFERENCE and item.difference:
            return OVER_COLOUR if item.difference > 0 else UNDER_COLOUR
        if column == COL_REFUND and item.refund:
            return UNDER_COLOUR
        return None

    def display(self, item: SpendingRow, column: int) -> str:
        if column == COL_CREATED:
            return item.created_at.astimezone(self.tz).strftime("%d %b %H:%M")
        if column == COL_GENERATOR:
            return item.generator_title
        if column == COL_TITLE:
            return item.title
        if column == COL_STATE:
            return STATUS_TEXT.get(item.state, item.state.value)
        if column == COL_ESTIMATE:
            if item.estimate is not None:
                return credits_text(item.estimate)
            return "by tokens" if billed_by_tokens(item.generator) else "—"
        if column == COL_ACTUAL:
            return actual_text(item)
        if column == COL_REFUND:
            return credits_text(item.refund) if item.refund else ""
        if column == COL_DIFFERENCE:
            return difference_text(item.difference)
        return ""

    def sort_key(self, item: SpendingRow, column: int) -> Any:
        if column == COL_CREATED:
            return item.created_at.timestamp()
        number = {COL_ESTIMATE: item.estimate, COL_ACTUAL: item.actual,
                  COL_REFUND: item.refund, COL_DIFFERENCE: item.difference}
        if column in number:
            value = number[column]
            return float(value) if value is not None else float("-inf")
        return self.display(item, column).casefold()

    def tooltip(self, item: SpendingRow, column: int) -> str | None:
        if column == COL_ACTUAL:
            return {
                ActualKind.REPORTED: "As reported by Creatify (credits_used)"
                + (f"; the server job's total is {credits_text(item.credits_used)}"
                   if item.credits_used is not None and item.credits_used != item.actual
                   else ""),
                ActualKind.ESTIMATED: "Creatify reported no charge: the estimate stands in",
                ActualKind.REFUNDED: "Aurora jobs are charged up front and refunded in full "
                                     "when they fail",
                ActualKind.FREE: "Nothing was charged",
                ActualKind.PENDING: "Not finished: the charge is not known yet",
                ActualKind.UNKNOWN: "Neither an estimate nor a reported charge",
            }[item.actual_kind]
        if column == COL_TITLE:
            return item.title
        return None


class SpendingProxy(QSortFilterProxyModel):
    """Sorts by each column's natural order (numbers as numbers, times as times)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
