"""The spending window's two charts: credits per day against the allowance, and the balance
readings over the month. Each is a chart view that builds its series once and redraws them
from plain figures (:mod:`app.spending`'s summary, days and readings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

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
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.spending import MonthSummary, cumulative, local_midnight, month_bounds
from ui.spending.table import credits_text

BAR_COLOUR = "#3b82f6"
CUMULATIVE_COLOUR = "#f59e0b"
ALLOWANCE_COLOUR = "#dc2626"
BALANCE_COLOUR = "#10b981"


def _chart(name: str) -> QChart:
    chart = QChart()
    chart.setObjectName(name)
    return chart


def _theme(chart: QChart, dark: bool, base: QColor) -> None:
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark
                   else QChart.ChartTheme.ChartThemeLight)
    chart.setBackgroundBrush(QBrush(base))


def _finish(chart: QChart) -> None:
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))


class DayChart(QChartView):
    """Credits per day (bars), the month's running total, its projection at the current rate
    and the plan's monthly allowance (lines on a second axis)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = _chart("spending_day_chart")
        super().__init__(chart, parent)
        self.days: list[tuple[date, Decimal]] = []
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
        _finish(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(260)

    def apply_theme(self, dark: bool, base: QColor) -> None:
        """Light or dark after the window's palette; our own colours on top."""
        _theme(self.chart(), dark, base)
        self.day_set.setColor(QColor(BAR_COLOUR))
        self.day_set.setBorderColor(QColor(BAR_COLOUR))
        self.cumulative_series.setPen(QPen(QColor(CUMULATIVE_COLOUR), 2.5))
        projection = QPen(QColor(CUMULATIVE_COLOUR), 2, Qt.PenStyle.DotLine)
        self.projection_series.setPen(projection)
        self.allowance_series.setPen(QPen(QColor(ALLOWANCE_COLOUR), 2, Qt.PenStyle.DashLine))

    def draw(self, summary: MonthSummary, days: list[tuple[date, Decimal]],
             counted_to: date) -> None:
        """The month's ``days``, its running total up to ``counted_to`` and beyond it the
        projection."""
        self.days = days
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
        _range(self.daily_axis, daily_top * 1.15)
        _range(self.total_axis, total_top * 1.1)
        highest = max(days, key=lambda d: d[1]) if days else None
        description = (f"Credits per day in {summary.month.strftime('%B %Y')}: "
                       f"{credits_text(summary.spent)} in all")
        if highest is not None and highest[1]:
            description += f", most on {highest[0].day}: {credits_text(highest[1])}"
        if allowance is not None:
            description += f"; allowance {allowance:,}"
        self.setAccessibleDescription(description)

    def _show_in_legend(self, series: QLineSeries, shown: bool) -> None:
        for marker in self.chart().legend().markers(series):
            marker.setVisible(shown)

    def _bar_hovered(self, status: bool, index: int, _barset: QBarSet) -> None:
        if not status or not 0 <= index < len(self.days):
            QToolTip.hideText()
            return
        day, credits = self.days[index]
        QToolTip.showText(self.cursor().pos(),
                          f"{day.strftime('%a %d %b')}: {credits_text(credits)} credits",
                          self)


class BalanceChart(QChartView):
    """The balance readings over the month (as read from Creatify)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = _chart("spending_balance_chart")
        super().__init__(chart, parent)
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
        _finish(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)

    def apply_theme(self, dark: bool, base: QColor) -> None:
        _theme(self.chart(), dark, base)
        self.balance_series.setPen(QPen(QColor(BALANCE_COLOUR), 2.5))

    def draw(self, readings: list[tuple[datetime, Decimal]], month: date,
             tz: tzinfo | None) -> None:
        """``readings`` over ``month`` (the axis starts earlier if a reading does)."""
        self.balance_series.replace([QPointF(at.timestamp() * 1000, float(credits))
                                     for at, credits in readings])
        first, last = month_bounds(month)
        start = local_midnight(first, tz)
        end = local_midnight(last + timedelta(days=1), tz)
        if readings:
            start = min(start, readings[0][0])
            self.chart().setTitle("")
        else:
            self.chart().setTitle("No balance readings this month")
        self.time_axis.setRange(QDateTime.fromSecsSinceEpoch(int(start.timestamp())),
                                QDateTime.fromSecsSinceEpoch(int(end.timestamp())))
        values = [float(c) for _, c in readings] or [0.0]
        pad = max((max(values) - min(values)) * 0.15, 5.0)
        self.balance_axis.setRange(max(min(values) - pad, 0.0), max(values) + pad)
        self.balance_axis.applyNiceNumbers()


def _range(axis: QValueAxis, top: float) -> None:
    axis.setRange(0, max(top, 5.0))
    axis.applyNiceNumbers()
