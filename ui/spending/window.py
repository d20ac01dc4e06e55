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
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QDateTime,
    QEvent,
    QMargins,
    QPointF,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
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
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.jobs.ledger import JobRecord, LedgerError
from app.pricing.engine import Plan
from app.spending import (
    MonthSummary,
    SpendingRow,
    cumulative,
    daily_totals,
    local_day,
    local_midnight,
    month_bounds,
    month_summary,
    summary_lines,
)
from ui.common.widgets import named
from ui.service import StudioService
from ui.spending.table import (
    COL_ACTUAL,
    COL_CREATED,
    COL_DIFFERENCE,
    COL_ESTIMATE,
    COL_GENERATOR,
    COL_REFUND,
    COL_STATE,
    COL_TITLE,
    OVER_COLOUR,
    SpendingProxy,
    SpendingTableModel,
    credits_text,
)

BAR_COLOUR = "#3b82f6"
CUMULATIVE_COLOUR = "#f59e0b"
ALLOWANCE_COLOUR = "#dc2626"
BALANCE_COLOUR = "#10b981"


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
        self._dialog: QFileDialog | None = None
        self.choose_path: PathChooser = self._ask_path

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        self._build()
        self._apply_chart_theme()
        self.resize(1100, 780)
        service.jobChanged.connect(self._job_changed)
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

        self._build_day_chart()
        self._build_balance_chart()
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

    def _build_day_chart(self) -> None:
        chart = QChart()
        chart.setObjectName("spending_day_chart")
        self.day_set = QBarSet("Credits per day")
        self.day_series = QBarSeries()
        self.day_series.append(self.day_set)
        self.day_series.hovered.connect(self._bar_hovered)
        self.cumulative_series = QLineSeries()
        self.cumulative_series.setName("Spent this month (cumulative)")
        self.cumulative_series.setPointsVisible(True)
        self.projection_series = QLineSeries()
        self.projection_series.setName("Projected at the current rate")
        self.allowance_series = QLineSeries()
        self.allowance_series.setName("Monthly allowance")
        for series in (self.day_series, self.cumulative_series, self.projection_series,
                       self.allowance_series):
            chart.addSeries(series)
        self.day_axis = QBarCategoryAxis()
        self.day_axis.setTitleText("Day of the month")
        self.daily_axis = QValueAxis()
        self.daily_axis.setTitleText("Credits per day")
        self.daily_axis.setLabelFormat("%d")
        self.total_axis = QValueAxis()
        self.total_axis.setTitleText("Credits this month")
        self.total_axis.setLabelFormat("%d")
        chart.addAxis(self.day_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.daily_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.total_axis, Qt.AlignmentFlag.AlignRight)
        self.day_series.attachAxis(self.day_axis)
        self.day_series.attachAxis(self.daily_axis)
        for series in (self.cumulative_series, self.projection_series, self.allowance_series):
            series.attachAxis(self.day_axis)
            series.attachAxis(self.total_axis)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.day_chart = chart
        self.day_chart_view = named(QChartView(chart), "spending_day_chart_view",
                                     "Credits per day chart")
        self.day_chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.day_chart_view.setMinimumHeight(260)

    def _build_balance_chart(self) -> None:
        chart = QChart()
        chart.setObjectName("spending_balance_chart")
        self.balance_series = QLineSeries()
        self.balance_series.setName("Remaining credits (as read from Creatify)")
        self.balance_series.setPointsVisible(True)
        chart.addSeries(self.balance_series)
        self.time_axis = QDateTimeAxis()
        self.time_axis.setFormat("d MMM")
        self.time_axis.setTickCount(6)
        self.time_axis.setTitleText("Read at")
        self.balance_axis = QValueAxis()
        self.balance_axis.setTitleText("Credits remaining")
        self.balance_axis.setLabelFormat("%d")
        chart.addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.balance_axis, Qt.AlignmentFlag.AlignLeft)
        self.balance_series.attachAxis(self.time_axis)
        self.balance_series.attachAxis(self.balance_axis)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.balance_chart = chart
        self.balance_chart_view = named(QChartView(chart), "spending_balance_chart_view",
                                         "Balance readings chart")
        self.balance_chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)

    def _apply_chart_theme(self) -> None:
        """Light or dark charts after the window's palette; our own colours on top."""
        dark = _is_dark(self.palette())
        theme = QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        for chart in (self.day_chart, self.balance_chart):
            chart.setTheme(theme)
            chart.setBackgroundBrush(QBrush(self.palette().color(QPalette.ColorRole.Base)))
        self.day_set.setColor(QColor(BAR_COLOUR))
        self.day_set.setBorderColor(QColor(BAR_COLOUR))
        self.cumulative_series.setPen(QPen(QColor(CUMULATIVE_COLOUR), 2.5))
        projection = QPen(QColor(CUMULATIVE_COLOUR), 2, Qt.PenStyle.DotLine)
        self.projection_series.setPen(projection)
        self.allowance_series.setPen(QPen(QColor(ALLOWANCE_COLOUR), 2, Qt.PenStyle.DashLine))
        self.balance_series.setPen(QPen(QColor(BALANCE_COLOUR), 2.5))

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
        self.export_button.setEnabled(connected)
        self.balance_export_button.setEnabled(connected)

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

    # ------------------------------------------------------------------ charts

    def _draw_days(self, counted_to: date) -> None:
        summary = self.summary
        assert summary is not None
        days = self.days
        self.day_set.remove(0, self.day_set.count())
        self.day_set.append([float(credits) for _, credits in days])
        self.day_axis.setCategories([str(day.day) for day, _ in days])
        self.day_axis.setTitleText(f"Day of {summary.month.strftime('%B %Y')}")
        running = [(n, total) for n, (day, total) in enumerate(cumulative(days))
                   if day <= counted_to]
        self.cumulative_series.replace([QPointF(n, float(total)) for n, total in running])
        last = len(days) - 1
        if running and running[-1][0] < last:
            n, total = running[-1]
            self.projection_series.replace([QPointF(n, float(total)),
                                            QPointF(last, float(summary.projected))])
        else:
            self.projection_series.clear()
        allowance = summary.allowance
        if allowance is not None:
            self.allowance_series.replace([QPointF(-0.5, allowance),
                                           QPointF(last + 0.5, allowance)])
            self.allowance_series.setName(f"Monthly allowance ({allowance:,})")
        else:
            self.allowance_series.clear()
        self._show_in_legend(self.allowance_series, allowance is not None)
        self._show_in_legend(self.projection_series, self.projection_series.count() > 0)
        daily_top = max((float(c) for _, c in days), default=0.0)
        total_top = max(float(allowance or 0), float(summary.projected), float(summary.spent))
        self._range(self.daily_axis, daily_top * 1.15)
        self._range(self.total_axis, total_top * 1.1)
        highest = max(days, key=lambda d: d[1]) if days else None
        description = (f"Credits per day in {summary.month.strftime('%B %Y')}: "
                       f"{credits_text(summary.spent)} in all")
        if highest is not None and highest[1]:
            description += f", most on {highest[0].day}: {credits_text(highest[1])}"
        if allowance is not None:
            description += f"; allowance {allowance:,}"
        self.day_chart_view.setAccessibleDescription(description)

    def _show_in_legend(self, series: QLineSeries, shown: bool) -> None:
        for marker in self.day_chart.legend().markers(series):
            marker.setVisible(shown)

    @staticmethod
    def _range(axis: QValueAxis, top: float) -> None:
        axis.setRange(0, max(top, 5.0))
        axis.applyNiceNumbers()

    def _bar_hovered(self, status: bool, index: int, _barset: QBarSet) -> None:
        if not status or not 0 <= index < len(self.days):
            QToolTip.hideText()
            return
        day, credits = self.days[index]
        QToolTip.showText(self.cursor().pos(),
                          f"{day.strftime('%a %d %b')}: {credits_text(credits)} credits",
                          self.day_chart_view)

    def _draw_balance(self) -> None:
        readings = self.readings
        self.balance_series.replace([QPointF(at.timestamp() * 1000, float(credits))
                                     for at, credits in readings])
        first, last = month_bounds(self.month)
        start = local_midnight(first, self.tz)
        end = local_midnight(last + timedelta(days=1), self.tz)
        if readings:
            start = min(start, readings[0][0])
            self.balance_chart.setTitle("")
        else:
            self.balance_chart.setTitle("No balance readings this month")
        self.time_axis.setRange(QDateTime.fromSecsSinceEpoch(int(start.timestamp())),
                                QDateTime.fromSecsSinceEpoch(int(end.timestamp())))
        values = [float(c) for _, c in readings] or [0.0]
        pad = max((max(values) - min(values)) * 0.15, 5.0)
        self.balance_axis.setRange(max(min(values) - pad, 0.0), max(values) + pad)
        self.balance_axis.applyNiceNumbers()

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

    def export_to(self, path: str) -> int | None:
        """Write the ledger to ``path``; report "N jobs exported to PATH" or the error."""
        return self._export(path, self.service.export_jobs, "job", "jobs")

    def export_balance_to(self, path: str) -> int | None:
        return self._export(path, self.service.export_balance, "balance reading",
                            "balance readings")

    def _export(self, path: str, write: Callable[[str], int | None], one: str,
                many: str) -> int | None:
        """``write(path)`` through the service: ``None`` when not connected."""
        try:
            count = write(path)
        except (OSError, LedgerError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._report(f"Export failed: {reason} ({path}). Nothing was written.", True)
            return None
        if count is None:
            self._report("Nothing exported: not connected, so there is no ledger.", True)
            return None
        self._report(f"{count:,} {one if count == 1 else many} exported to {path}", False)
        return count

    def _report(self, text: str, error: bool) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {OVER_COLOUR};" if error else "")
        self.status_label.setVisible(True)
