"""The Spending window: one month of paid jobs — estimate against actual, refunds, credits per
day against the plan's allowance, balance readings — and the ledger as CSV.

The figures come from :mod:`app.spending` over the connection's ledger. The window reads the
ledger again at most once per :attr:`SpendingWindow.REFRESH_DELAY_MS` however many jobs
change (a single-shot timer coalesces the service's signals), skips changes that cannot move
a figure (progress, downloads), and does nothing while hidden except remember to refresh
when shown. The export dialog is opened with ``open()`` (no nested event loop) and can be
replaced in tests through :attr:`SpendingWindow.choose_path`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QCloseEvent,
    QKeySequence,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.jobs.ledger import JobRecord, LedgerError
from app.pricing.engine import Plan
from app.spending import (
    MonthSummary,
    SpendingRow,
    daily_totals,
    local_day,
    local_midnight,
    month_bounds,
    month_summary,
    summary_lines,
)
from ui.common.theme import ERROR, set_tone
from ui.common.widgets import named
from ui.service import StudioService
from ui.spending.charts import BalanceChart, DayChart
from ui.spending.table import (
    COL_ACTUAL,
    COL_CREATED,
    COL_DIFFERENCE,
    COL_ESTIMATE,
    COL_GENERATOR,
    COL_REFUND,
    COL_STATE,
    COL_TITLE,
    SpendingProxy,
    SpendingTableModel,
    credits_text,
)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


PathChooser = Callable[[str, str, Callable[[str], object]], None]
"""``choose_path(title, suggested_path, done)``: ask for a file name, then call ``done(path)``
(or never, when the user cancels)."""


class SpendingWindow(QWidget):
    """A non-modal window over the connection's ledger: the month's summary, credits per day
    against the allowance, balance readings, the paid jobs, and the CSV export."""

    REFRESH_DELAY_MS = 400

    def __init__(self, service: StudioService, parent: QWidget | None = None, *,
                 plan: Callable[[], Plan | None] | None = None, tz: tzinfo | None = None,
                 today: Callable[[], date] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("spending_window")
        self.setAccessibleName("Spending")
        self.setWindowTitle("Spending")
        self.service = service
        self.plan_source: Callable[[], Plan | None] = plan or (lambda: None)
        self.tz = tz
        self._today = today or (lambda: datetime.now(self.tz).date())
        self.month = self._today().replace(day=1)
        self.summary: MonthSummary | None = None
        self.days: list[tuple[date, Decimal]] = []
        self.readings: list[tuple[datetime, Decimal]] = []
        self.refreshes = 0  # how many times the ledger was read (tests, diagnostics)
        self._dirty = True
        self._known: dict[str, tuple[Any, ...]] = {}
        self._connected = False
        self.exporting = False  # a CSV export is running in its worker thread
        self._dialog: QFileDialog | None = None
        self.choose_path: PathChooser = self._ask_path

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        self._build()
        self._apply_chart_theme()
        self.resize(1100, 780)
        service.jobsChanged.connect(self._jobs_changed)
        service.jobsReloaded.connect(self.schedule_refresh)
        service.creditsChanged.connect(self.schedule_refresh)
        service.modeChanged.connect(self.schedule_refresh)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.prev_button = named(QToolButton(), "spending_prev_month", "Previous month")
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous month")
        self.prev_button.clicked.connect(lambda: self.show_month(self._shift(-1)))
        self.month_label = named(QLabel(), "spending_month", "Month shown")
        font = self.month_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.month_label.setFont(font)
        self.next_button = named(QToolButton(), "spending_next_month", "Next month")
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next month")
        self.next_button.clicked.connect(lambda: self.show_month(self._shift(1)))
        self.export_button = named(QPushButton("Export CSV…"), "spending_export",
                                    "Export the job ledger as CSV")
        self.export_button.setToolTip("Every job of this connection's ledger, as a CSV file")
        self.export_button.clicked.connect(self.start_export)
        self.balance_export_button = named(QPushButton("Export balance CSV…"),
                                            "spending_export_balance",
                                            "Export the balance readings as CSV")
        self.balance_export_button.clicked.connect(self.start_balance_export)
        self.close_button = named(QPushButton("Close"), "spending_close",
                                   "Close the spending window")
        self.close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        left: list[QWidget] = [self.prev_button, self.month_label, self.next_button]
        right: list[QWidget] = [self.export_button, self.balance_export_button,
                                self.close_button]
        for widget in left:
            top.addWidget(widget)
        top.addStretch(1)
        for widget in right:
            top.addWidget(widget)

        self.summary_label = named(QLabel(), "spending_summary", "Spending this month")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = named(QLabel(), "spending_export_status", "Export result")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setVisible(False)

        self.day_chart_view = named(DayChart(), "spending_day_chart_view",
                                    "Credits per day chart")
        self.balance_chart_view = named(BalanceChart(), "spending_balance_chart_view",
                                        "Balance readings chart")
        view = self.day_chart_view  # the charts' parts, by the names tests and themes use
        self.day_chart, self.day_set, self.day_series = view.chart(), view.day_set, view.day_series
        self.cumulative_series, self.projection_series, self.allowance_series = \
            view.cumulative_series, view.projection_series, view.allowance_series
        self.day_axis, self.daily_axis, self.total_axis = \
            view.day_axis, view.daily_axis, view.total_axis
        self.balance_chart = self.balance_chart_view.chart()
        self.balance_series = self.balance_chart_view.balance_series
        self.charts = named(QTabWidget(), "spending_charts", "Charts")
        self.charts.addTab(self.day_chart_view, "Credits per day")
        self.charts.addTab(self.balance_chart_view, "Balance")

        self.model = SpendingTableModel(self, self.tz)
        self.proxy = SpendingProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = named(QTableView(), "spending_table", "Paid jobs this month")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_CREATED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_CREATED, 110), (COL_GENERATOR, 130), (COL_STATE, 120),
                              (COL_ESTIMATE, 80), (COL_ACTUAL, 150), (COL_REFUND, 70),
                              (COL_DIFFERENCE, 85)):
            self.table.setColumnWidth(column, width)
        self.table_label = named(QLabel(), "spending_table_title", "Paid jobs heading")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.table_label)
        lower_layout.addWidget(self.table)
        self.splitter = named(QSplitter(Qt.Orientation.Vertical), "spending_splitter",
                               "Charts and jobs")
        self.splitter.addWidget(self.charts)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.splitter, 1)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_chart_theme()
        super().changeEvent(event)

    # ------------------------------------------------------------------ refreshing

    def schedule_refresh(self, *_args: object) -> None:
        """Refresh soon: many calls within the delay make one read of the ledger. While the
        window is hidden, only remember to refresh when it is shown."""
        if not self.isVisible():
            self._dirty = True
            return
        if not self._timer.isActive():
            self._timer.start()

    def _jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        for record in batch.values():
            self._job_changed(record)
            if self._timer.isActive() or self._dirty:
                return  # a refresh is on its way: the rest of the batch changes nothing

    def _job_changed(self, record: JobRecord) -> None:
        if record.estimate is None and record.credits_used is None:
            return  # not a paid job (yet)
        first, last = month_bounds(self.month)
        if not first <= local_day(record.created_at, self.tz) <= last:
            return  # another month
        if self._known.get(record.key) == self._signature(record):
            return  # progress, download, hidden…: no figure moves
        self.schedule_refresh()

    @staticmethod
    def _signature(record: JobRecord | SpendingRow) -> tuple[Any, ...]:
        return (record.state, record.credits_used, record.estimate)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        super().closeEvent(event)

    def _shift(self, months: int) -> date:
        index = self.month.year * 12 + self.month.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)

    def show_month(self, month: date) -> None:
        """Show the month ``month`` falls in (not beyond the current one)."""
        month = min(month.replace(day=1), self._today().replace(day=1))
        if month != self.month:
            self.month = month
            self.refresh()

    def refresh(self) -> None:
        """Read the ledger now and redraw everything."""
        self._timer.stop()
        self._dirty = False
        self.refreshes += 1
        today = self._today()
        first, last = month_bounds(self.month)
        counted_to = min(today, last)
        self.month_label.setText(first.strftime("%B %Y"))
        self.next_button.setEnabled(first < today.replace(day=1))
        rows: list[SpendingRow] = []
        readings: list[tuple[datetime, Decimal]] = []
        problem = None
        connected = True
        try:
            read = self.service.spending_since(local_midnight(first, self.tz))
        except LedgerError as exc:
            problem = f"The job ledger cannot be read: {exc}"
        else:
            connected = read is not None
            if read is None:
                problem = "Not connected: connect (or try the sandbox) to see that " \
                          "connection's spending."
            else:
                rows, readings = read
        rows = [r for r in rows if local_day(r.created_at, self.tz) <= last]
        self.readings = [(at, c) for at, c in readings if local_day(at, self.tz) <= last]
        self._known = {row.key: self._signature(row) for row in rows}
        self.summary = month_summary(rows, self.plan_source(), counted_to, self.tz)
        self.days = daily_totals(rows, first, last, self.tz)
        self._connected = connected
        self._set_exporting(self.exporting)

        lines = [problem] if problem else summary_lines(self.summary)
        if self.readings and not problem:
            at, credits = self.readings[-1]
            lines.append(f"Balance: {credits_text(credits)} credits "
                         f"(read {at.astimezone(self.tz).strftime('%d %b %H:%M')})")
        self.summary_label.setText("\n".join(lines))
        self.model.load(rows)
        count = len(rows)
        self.table_label.setText(f"Paid jobs in {first.strftime('%B %Y')}: {count}")
        self._draw_days(counted_to)
        self._draw_balance()

    def _apply_chart_theme(self) -> None:
        """Light or dark charts after the window's palette; our own colours on top."""
        dark = _is_dark(self.palette())
        base = self.palette().color(QPalette.ColorRole.Base)
        self.day_chart_view.apply_theme(dark, base)
        self.balance_chart_view.apply_theme(dark, base)

    def _draw_days(self, counted_to: date) -> None:
        assert self.summary is not None
        self.day_chart_view.draw(self.summary, self.days, counted_to)

    def _draw_balance(self) -> None:
        self.balance_chart_view.draw(self.readings, self.month, self.tz)

    # ------------------------------------------------------------------ export

    def _ask_path(self, title: str, suggested: str, done: Callable[[str], object]) -> None:
        dialog = QFileDialog(self, title, suggested, "CSV files (*.csv);;All files (*)")
        dialog.setObjectName("spending_export_dialog")
        dialog.setAccessibleName(title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self._dialog = dialog
        dialog.open()

    def _suggested(self, kind: str) -> str:
        folder = Path(getattr(self.service, "output_dir", Path.home()))
        return str(folder / f"creatify-{kind}-{self._today().isoformat()}.csv")

    def start_export(self) -> None:
        """Ask where, then write every job of the ledger there."""
        self.choose_path("Export the job ledger", self._suggested("jobs"), self.export_to)

    def start_balance_export(self) -> None:
        self.choose_path("Export the balance readings", self._suggested("balance"),
                         self.export_balance_to)

    def export_to(self, path: str) -> bool:
        """Write the ledger to ``path`` in the background (the window stays free); report
        "N jobs exported to PATH" or the error when done. False when not connected."""
        return self._export(path, "job", "jobs", balance=False)

    def export_balance_to(self, path: str) -> bool:
        return self._export(path, "balance reading", "balance readings", balance=True)

    def _export(self, path: str, one: str, many: str, *, balance: bool) -> bool:
        """Start the service's export in a worker thread; the buttons wait while it runs."""
        def done(count: int | None, reason: str | None) -> None:
            self._set_exporting(False)
            if count is None:
                self._report(f"Export failed: {reason} ({path}). Nothing was written.", True)
            else:
                self._report(f"{count:,} {one if count == 1 else many} exported to {path}",
                             False)
        if not self.service.export_in_thread(path, done, balance=balance):
            self._report("Nothing exported: not connected, so there is no ledger.", True)
            return False
        self._set_exporting(True)
        self._report(f"Exporting the {many} to {path}…", False)
        return True

    def _set_exporting(self, busy: bool) -> None:
        self.exporting = busy
        for button in (self.export_button, self.balance_export_button):
            button.setEnabled(self._connected and not busy)

    def _report(self, text: str, error: bool) -> None:
        self.status_label.setText(text)
        set_tone(self.status_label, ERROR if error else None)
        self.status_label.setVisible(True)
