"""The Jobs table's column widths, from the font: every generator's title shows whole
beside its thumbnail (never "URL to …"), the short columns fit their words and headers, and
"What was asked" takes the rest of the width (a long cell is cut, whole in its tooltip).

Where the table is too narrow for every column and a readable "What was asked", the least
needed columns step aside, in this order: Elapsed, Created, Actual, Estimate (they come back
when the table is wide again; "What was asked"'s tooltip keeps when the job was created and
how long it took).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
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
PADDING = 16
"""A cell's margins and the gap after a thumbnail."""
SORT_ARROW = 16
"""Room for the header's sort indicator."""

SAMPLES: dict[int, tuple[str, ...]] = {
    COL_STATUS: tuple(STATUS_TEXT.values()),
    COL_PROGRESS: ("100%", "Not created"),
    COL_ESTIMATE: ("99 credits", "by tokens"),
    COL_ACTUAL: ("99 credits",),
    COL_CREATED: ("30 Sep 23:59",),
    COL_ELAPSED: ("59 min 59 s",),
    COL_OUTPUT: ("Meet the blue mug - Text",),
}
"""Texts each short column should show whole (longer ones are cut, whole in the tooltip)."""

STATUS_MAX = 150
"""The Status column is never wider than this at first (a failure's reason is cut)."""
ASKED_MIN = 180
""""What was asked" is never squeezed below this while another column can step aside."""
STEP_ASIDE = (COL_ELAPSED, COL_CREATED, COL_ACTUAL, COL_ESTIMATE)
"""The columns hidden first when the table is narrow."""


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


class ColumnFitter(QObject):
    """Sizes a Jobs table's columns once, then hides and shows the :data:`STEP_ASIDE`
    columns as the table's width changes."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.widths = column_widths(view)
        header = view.horizontalHeader()
        header.setMinimumSectionSize(40)
        header.setStretchLastSection(False)
        for column, width in self.widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_ASKED, QHeaderView.ResizeMode.Stretch)
        view.viewport().installEventFilter(self)
        self.fit()

    def width_of(self, column: int) -> int:
        header = self.view.horizontalHeader()
        size = header.sectionSize(column)
        return size if size > 0 and not header.isSectionHidden(column) else self.widths[column]

    def fit(self) -> None:
        """Show every column that leaves "What was asked" :data:`ASKED_MIN` wide."""
        available = self.view.viewport().width()
        shown = [c for c in self.widths if c not in STEP_ASIDE]
        needed = sum(self.width_of(c) for c in shown) + ASKED_MIN
        hidden = set(STEP_ASIDE)
        for column in reversed(STEP_ASIDE):  # the most needed first
            if needed + self.width_of(column) > available:
                break
            needed += self.width_of(column)
            hidden.discard(column)
        header = self.view.horizontalHeader()
        for column in STEP_ASIDE:
            if header.isSectionHidden(column) != (column in hidden):
                header.setSectionHidden(column, column in hidden)
                if column not in hidden:
                    header.resizeSection(column, self.widths[column])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def size_columns(view: QTableView) -> ColumnFitter:
    """Give the view's columns their widths; "What was asked" stretches; the least needed
    columns step aside where the table is narrow."""
    return ColumnFitter(view)
