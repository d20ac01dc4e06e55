"""The Jobs table's column widths, from the font: every generator's title shows whole
beside its thumbnail (never "URL to …"), the short columns fit their words and headers, and
"What was asked" takes the rest of the width (a long cell is cut, whole in its tooltip)."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView

from app.generators import SPECS
from ui.jobs.model import (
    COL_ACTUAL,
    COL_ASKED,
    COL_CREATED,
    COL_ELAPSED,
    COL_ESTIMATE,
    COL_GENERATOR,
    COL_OUTPUT,
    COL_PROGRESS,
    COL_STATUS,
    HEADERS,
    STATUS_TEXT,
)

THUMBNAIL_WIDTH = 48
"""The generator column's thumbnail (ui.jobs.panel scales them to 48 × 32)."""
PADDING = 20
"""A cell's margins and the gap after a thumbnail."""
SORT_ARROW = 22
"""Room for the header's sort indicator."""

SAMPLES: dict[int, tuple[str, ...]] = {
    COL_STATUS: tuple(STATUS_TEXT.values()),
    COL_PROGRESS: ("100%", "Not created"),
    COL_ESTIMATE: ("999 credits", "by tokens"),
    COL_ACTUAL: ("999 credits",),
    COL_CREATED: ("30 Sep 23:59",),
    COL_ELAPSED: ("59 min 59 s",),
    COL_OUTPUT: ("Meet the blue mug - Text to",),
}
"""Texts each short column should show whole (longer ones are cut, whole in the tooltip)."""

STATUS_MAX = 200
"""The Status column is never wider than this at first (a failure's reason is cut)."""


def column_widths(view: QTableView) -> dict[int, int]:
    """The width of each column but "What was asked" for the view's font."""
    metrics = view.fontMetrics()
    header = view.horizontalHeader().fontMetrics()

    def fits(*texts: str) -> int:
        return max(metrics.horizontalAdvance(text) for text in texts) + PADDING

    widths = {column: fits(*texts) for column, texts in SAMPLES.items()}
    widths[COL_GENERATOR] = fits(*(spec.title for spec in SPECS)) + THUMBNAIL_WIDTH
    widths[COL_STATUS] = min(widths[COL_STATUS], STATUS_MAX)
    for column in widths:
        widths[column] = max(widths[column],
                             header.horizontalAdvance(HEADERS[column]) + PADDING + SORT_ARROW)
    return widths


def size_columns(view: QTableView) -> None:
    """Give the view's columns their widths; "What was asked" stretches."""
    header = view.horizontalHeader()
    header.setMinimumSectionSize(40)
    for column, width in column_widths(view).items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(COL_ASKED, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
