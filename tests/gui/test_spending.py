"""The Spending window checked against the ledger: the table, the chart's bars per day, the
cumulative line and the allowance, balance readings, month navigation, refreshes coalesced,
and the CSV export — on a hand-made ledger of several days and on the real service against
the simulator (a failed Aurora job refunded)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from app.api.client import CreatifyClient
from app.api.snapshot import JobStatus
from app.generators import DEFAULT_WPM, spec
from app.generators.quote import quote
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.scheduler import PollPolicy
from app.pricing import plan_by_key
from app.pricing.engine import enterprise_plan
from app.sandbox import Sandbox
from app.spending import (
    CSV_COLUMNS,
    SpendingRow,
    export_balance_csv,
    export_csv,
    spending_rows,
)
from tests.core.test_spending import Clock, add_job
from tests.gui.conftest import settle_then_close, until
from tests.samples import Inputs, valid_values
from ui.service import Mode, StudioService, export_in_thread
from ui.spending import (
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
    SpendingWindow,
)

TODAY = date(2026, 5, 20)


class StandIn(QObject):
    """What the window needs of the service: its spending reads and exports over ``ledger``
    (``None``: not connected), and the four signals (job changes in batches, as
    ``StudioService.jobsChanged`` sends them)."""

    jobsChanged = Signal(object)
    jobsReloaded = Signal()
    creditsChanged = Signal(object)
    modeChanged = Signal(str)

    def __init__(self, ledger: Ledger | None, output_dir: Path) -> None:
        super().__init__()
        self.ledger = ledger
        self.output_dir = output_dir

    def spending_since(self, since: datetime) -> tuple[
            list[SpendingRow], list[tuple[datetime, Decimal]]] | None:
        if self.ledger is None:
            return None
        return spending_rows(self.ledger, since), self.ledger.balance_readings(since)

    def export_jobs(self, path: str) -> int | None:
        return export_csv(self.ledger, path) if self.ledger is not None else None

    def export_balance(self, path: str) -> int | None:
        return export_balance_csv(self.ledger, path) if self.ledger is not None else None

    def export_in_thread(self, path: str, done: Any, *, balance: bool = False) -> bool:
        if self.ledger is None:
            return False
        export_in_thread(self, self.ledger.path, path, done, balance=balance)
        return True


def at(day: int, hour: int = 10, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Ledger]:
    """Jobs over several days of May (and one in April), balance readings."""
    clock = Clock()
    with Ledger(tmp_path / "jobs.sqlite3", clock=clock) as ledger:
        add_job(ledger, clock, at(28, month=4), "url_to_video", estimate="10",
                credits_used="10", request={}, title="April video")
        add_job(ledger, clock, at(2), "url_to_video", estimate="10", credits_used="15",
                request={"link": "x"}, title="Blue mug")
        add_job(ledger, clock, at(2, 15), "text_to_speech", estimate="2", credits_used="2",
                title="Voice-over")
        add_job(ledger, clock, at(5), "aurora", estimate="12", end=JobStatus.FAILED,
                credits_used="0", request={"image": "i", "audio": "a"}, title="Talking photo")
        add_job(ledger, clock, at(5, 23), "product_image", estimate="2", title="Mug shot")
        add_job(ledger, clock, at(9), "ai_shorts", estimate="5", end="not_created",
                title="Refused")
        add_job(ledger, clock, at(12), "text_generator", estimate=None, credits_used="3",
                flow="stream", title="Tagline")
        add_job(ledger, clock, at(12, 11), "url_to_video", estimate="10", credits_used="8",
                request={}, title="Under", hidden=True)
        add_job(ledger, clock, at(19), "ai_editing", estimate="5", end="running",
                title="Still editing")
        add_job(ledger, clock, at(19, 12), "links", estimate=None, end=None,
                title="Not a paid job")
        for day, credits in ((1, "500"), (3, "483"), (13, "472")):
            ledger.record_balance(Decimal(credits), at(day, 8))
        yield ledger


# Credits per day of May, by hand: 2nd 15 + 2; 5th the Aurora job refunded (0) and the
# product image's estimate 2; 12th 3 + 8; the 19th's job is still running.
EXPECTED_DAYS = {2: 17, 5: 2, 12: 11}
EXPECTED_SPENT = 30


def open_window(qtbot: QtBot, service: Any, **kwargs: Any) -> SpendingWindow:
    kwargs.setdefault("plan", lambda: plan_by_key("api_starter"))
    kwargs.setdefault("tz", UTC)
    kwargs.setdefault("today", lambda: TODAY)
    window = SpendingWindow(service, **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


def table(window: SpendingWindow) -> dict[str, dict[int, str]]:
    """Title → column → displayed text, as the view shows it (through the proxy)."""
    out = {}
    proxy = window.proxy
    for r in range(proxy.rowCount()):
        title = proxy.index(r, COL_TITLE).data()
        out[title] = {c: proxy.index(r, c).data() for c in range(len(HEADERS))}
    return out


def bars(window: SpendingWindow) -> list[float]:
    return [window.day_set.at(i) for i in range(window.day_set.count())]


def points(series: Any) -> list[tuple[float, float]]:
    return [(p.x(), p.y()) for p in series.points()]


def test_the_month_against_the_ledger(qtbot: QtBot, books: Ledger, tmp_path: Path) -> None:
    window = open_window(qtbot, StandIn(books, tmp_path))
    assert window.month_label.text() == "May 2026"
    assert not window.next_button.isEnabled() and window.prev_button.isEnabled()

    shown = table(window)
    assert set(shown) == {"Blue mug", "Voice-over", "Talking photo", "Mug shot", "Refused",
                          "Tagline", "Under", "Still editing"}
    assert window.table_label.text() == "Paid jobs in May 2026: 8"
    assert shown["Blue mug"][COL_CREATED] == "02 May 10:00"
    assert shown["Blue mug"][COL_GENERATOR] == "URL to Video"
    assert (shown["Blue mug"][COL_ESTIMATE], shown["Blue mug"][COL_ACTUAL],
            shown["Blue mug"][COL_REFUND], shown["Blue mug"][COL_DIFFERENCE]) == \
        ("10", "15", "", "+5")
    assert (shown["Talking photo"][COL_STATE], shown["Talking photo"][COL_ACTUAL],
            shown["Talking photo"][COL_REFUND]) == ("Failed", "0 (refunded)", "12")
    assert shown["Mug shot"][COL_ACTUAL] == "2 (estimated)"
    assert shown["Refused"][COL_ACTUAL] == "0 (not charged)"
    assert (shown["Tagline"][COL_ESTIMATE], shown["Tagline"][COL_ACTUAL]) == ("by tokens", "3")
    assert shown["Under"][COL_DIFFERENCE] == "−2"
    assert shown["Still editing"][COL_ACTUAL] == "in flight"
    # Every row against the ledger's own record.
    for r in range(window.proxy.rowCount()):
        row = window.proxy.index(r, 0).data(RowRole)
        record = books.get(row.key)
        assert (row.estimate, row.credits_used, row.state, row.title) == \
            (record.estimate, record.credits_used, record.state, record.title)

    # The chart: one bar per day of May, each the ledger's sum for that day.
    assert window.day_axis.categories() == [str(d) for d in range(1, 32)]
    assert bars(window) == [float(EXPECTED_DAYS.get(d, 0)) for d in range(1, 32)]
    assert sum(bars(window)) == EXPECTED_SPENT
    # The cumulative line runs to today (the 20th), then the projection to the 31st.
    line = points(window.cumulative_series)
    assert [x for x, _ in line] == list(range(20))
    running = 0.0
    for day, (_, y) in enumerate(line, start=1):
        running += EXPECTED_DAYS.get(day, 0)
        assert y == running
    projected = round(EXPECTED_SPENT / 20 * 31, 1)
    assert points(window.projection_series) == [(19, EXPECTED_SPENT), (30, projected)]
    assert points(window.allowance_series) == [(-0.5, 500), (30.5, 500)]
    assert window.total_axis.max() >= 500 and window.daily_axis.max() >= 17
    assert window.allowance_series.name() == "Monthly allowance (500)"
    markers = window.day_chart.legend().markers(window.allowance_series)
    assert markers and markers[0].isVisible()

    summary = window.summary_label.text().splitlines()
    assert summary[0] == "May 2026: 30 credits of 500 spent (470 credits left)"
    assert "Refunds: 12 credits (1 failed Aurora job)" in summary
    assert "In flight: 1 job, 5 credits estimated" in summary
    assert summary[-1] == "Balance: 472 credits (read 13 May 08:00)"
    assert points(window.balance_series) == [
        (at(d, 8).timestamp() * 1000, float(c)) for d, c in ((1, 500), (3, 483), (13, 472))]
    assert window.balance_chart.title() == ""
    description = window.day_chart_view.accessibleDescription()
    assert "30 in all" in description and "most on 2: 17" in description
    window.grab()  # paints


def test_sorting_navigation_and_enterprise(qtbot: QtBot, books: Ledger, tmp_path: Path) -> None:
    window = open_window(qtbot, StandIn(books, tmp_path), plan=lambda: enterprise_plan("0.1"))
    assert points(window.allowance_series) == []
    assert not window.day_chart.legend().markers(window.allowance_series)[0].isVisible()
    assert "no monthly allowance" in window.summary_label.text()

    window.table.sortByColumn(COL_ACTUAL, Qt.SortOrder.DescendingOrder)
    titles = [window.proxy.index(r, COL_TITLE).data() for r in range(window.proxy.rowCount())]
    assert titles[:3] == ["Blue mug", "Under", "Tagline"]
    assert titles[-1] == "Still editing"  # no actual yet: sorts last
    window.table.sortByColumn(COL_REFUND, Qt.SortOrder.DescendingOrder)
    assert window.proxy.index(0, COL_TITLE).data() == "Talking photo"

    window.prev_button.click()
    assert window.month_label.text() == "April 2026"
    assert list(table(window)) == ["April video"]
    assert bars(window)[27] == 10 and sum(bars(window)) == 10 and len(bars(window)) == 30
    assert window.projection_series.count() == 0  # a whole month: nothing to project
    assert window.balance_chart.title() == "No balance readings this month"
    assert window.next_button.isEnabled()
    window.next_button.click()
    assert window.month_label.text() == "May 2026" and not window.next_button.isEnabled()
    window.show_month(date(2026, 9, 1))  # never beyond the current month
    assert window.month_label.text() == "May 2026"


def test_refreshes_are_coalesced_and_wait_while_hidden(qtbot: QtBot, books: Ledger,
                                                       tmp_path: Path) -> None:
    service = StandIn(books, tmp_path)
    window = open_window(qtbot, service)
    assert window.refreshes == 1
    running = next(r for r in books.paid_jobs() if r.title == "Still editing")
    # Progress of a running job moves no figure: no refresh at all.
    for _ in range(20):
        service.jobsChanged.emit({running.key: running})
    qtbot.wait(window.REFRESH_DELAY_MS * 2)
    assert window.refreshes == 1
    # A stream of real changes makes one read of the ledger.
    clock = Clock(at(20, 9))
    fresh = Ledger(books.path, clock=clock)
    record = add_job(fresh, clock, at(20, 9), "url_to_video", estimate="10",
                     credits_used="11", request={}, title="New today")
    for _ in range(50):
        service.jobsChanged.emit({record.key: record})
        service.creditsChanged.emit(Decimal(400))
    assert window.refreshes == 1
    qtbot.waitUntil(lambda: window.refreshes == 2, timeout=3000)
    qtbot.wait(window.REFRESH_DELAY_MS * 2)
    assert window.refreshes == 2
    assert "New today" in table(window) and bars(window)[19] == 11
    # Hidden: nothing is read until it is shown again.
    window.hide()
    service.jobsReloaded.emit()
    qtbot.wait(window.REFRESH_DELAY_MS * 2)
    assert window.refreshes == 2
    window.show()
    assert window.refreshes == 3
    # Disconnected: the window says so and offers no export.
    service.ledger = None
    service.modeChanged.emit("none")
    qtbot.waitUntil(lambda: window.refreshes == 4, timeout=3000)
    assert window.summary_label.text().startswith("Not connected")
    assert window.proxy.rowCount() == 0 and sum(bars(window)) == 0
    assert not window.export_button.isEnabled()
    fresh.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


def check_export(path: Path, ledger: Ledger) -> None:
    """The file holds every job of the ledger, oldest first, with the ledger's figures."""
    records = list(reversed(ledger.page(include_hidden=True)))
    exported = read_csv(path)
    assert [row["key"] for row in exported] == [r.key for r in records]
    for row, record in zip(exported, records, strict=True):
        assert row["state"] == record.state.value
        assert row["estimate"] == ("" if record.estimate is None else f"{record.estimate:f}")
        assert row["credits_used"] == ("" if record.credits_used is None
                                       else f"{record.credits_used:f}")
        assert row["server_id"] == (record.server_id or "")
        assert row["hidden"] == ("yes" if record.hidden else "no")


def exported(qtbot: QtBot, window: SpendingWindow) -> None:
    """Wait for the export's worker thread to be done (its result is in the status line)."""
    qtbot.waitUntil(lambda: not window.exporting, timeout=5000)


def test_export_through_the_window(qtbot: QtBot, books: Ledger, tmp_path: Path) -> None:
    window = open_window(qtbot, StandIn(books, tmp_path))
    asked: list[tuple[str, str]] = []
    target = tmp_path / "out" / "spending ✓.csv"
    target.parent.mkdir()

    def choose(title: str, suggested: str, done: Any) -> None:
        asked.append((title, suggested))
        done(str(target))
    window.choose_path = choose
    window.export_button.click()
    assert asked == [("Export the job ledger",
                      str(tmp_path / f"creatify-jobs-{TODAY.isoformat()}.csv"))]
    assert window.status_label.isVisible()
    # Written in a worker thread: the window says so and the buttons wait meanwhile.
    assert window.exporting and not window.export_button.isEnabled()
    assert window.status_label.text() == f"Exporting the jobs to {target}…"
    exported(qtbot, window)
    assert window.export_button.isEnabled() and window.balance_export_button.isEnabled()
    assert window.status_label.text() == f"10 jobs exported to {target}"
    check_export(target, books)

    window.choose_path = lambda _t, _s, done: done(str(tmp_path / "missing" / "x.csv"))
    window.export_button.click()
    exported(qtbot, window)
    assert window.status_label.text().startswith("Export failed: No such file or directory")
    assert "Nothing was written" in window.status_label.text()
    assert not (tmp_path / "missing").exists()

    balance = tmp_path / "out" / "balance.csv"
    window.choose_path = lambda _t, _s, done: done(str(balance))
    window.balance_export_button.click()
    exported(qtbot, window)
    assert window.status_label.text() == f"3 balance readings exported to {balance}"
    assert balance.read_bytes().decode("utf-8-sig").splitlines()[1:] == [
        "2026-05-01T08:00:00+00:00,500", "2026-05-03T08:00:00+00:00,483",
        "2026-05-13T08:00:00+00:00,472"]

    cancelled: list[str] = []
    window.choose_path = lambda _t, _s, _done: cancelled.append("no answer")
    window.export_button.click()  # the user cancels: nothing happens
    assert cancelled and window.status_label.text().startswith("3 balance readings")


def test_the_real_dialog_is_not_modal_to_the_loop(qtbot: QtBot, books: Ledger,
                                                  tmp_path: Path) -> None:
    """The default chooser opens a save dialog with open() and answers through a signal."""
    window = open_window(qtbot, StandIn(books, tmp_path))
    window.export_button.click()
    dialog = window._dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.objectName() == "spending_export_dialog"
    target = tmp_path / "chosen.csv"
    dialog.fileSelected.emit(str(target))
    dialog.reject()
    exported(qtbot, window)
    assert window.status_label.text() == f"10 jobs exported to {target}"
    check_export(target, books)


def test_charts_follow_the_theme(qtbot: QtBot, books: Ledger, tmp_path: Path) -> None:
    from PySide6.QtCharts import QChart

    from ui.common.theme import apply_theme

    window = open_window(qtbot, StandIn(books, tmp_path))
    try:
        apply_theme("dark")
        qtbot.waitUntil(lambda: window.day_chart.theme() is QChart.ChartTheme.ChartThemeDark)
        assert window.balance_chart.theme() is QChart.ChartTheme.ChartThemeDark
        # Our colours survive the theme change (a theme resets series colours).
        assert window.day_set.color().name() == "#3b82f6"
        assert window.allowance_series.pen().style() is Qt.PenStyle.DashLine
        apply_theme("light")
        qtbot.waitUntil(lambda: window.day_chart.theme() is QChart.ChartTheme.ChartThemeLight)
        assert window.day_set.color().name() == "#3b82f6"
    finally:
        apply_theme("system")


def test_every_control_is_named(qtbot: QtBot, books: Ledger, tmp_path: Path) -> None:
    from PySide6.QtCharts import QChartView
    from PySide6.QtWidgets import QAbstractButton, QLabel, QTableView, QTabWidget

    window = open_window(qtbot, StandIn(books, tmp_path))
    # Qt's own parts (the table's corner button, the tab bar's scroll arrows) aside.
    buttons = [b for b in window.findChildren(QAbstractButton) if b.parent() is window]
    others = [*window.findChildren(QTableView), *window.findChildren(QTabWidget),
              *window.findChildren(QChartView),
              *[w for w in window.findChildren(QLabel) if w.objectName()]]
    assert len(buttons) == 5 and len(others) == 8
    for widget in (*buttons, *others):
        assert widget.objectName().startswith("spending_"), widget
        assert widget.accessibleName(), widget.objectName()


# ---------------------------------------------------------------------------- the real service


@pytest.fixture
async def service(tmp_path: Path, simulator: Sandbox) -> AsyncIterator[StudioService]:
    studio = StudioService(tmp_path / "output", sandbox_speed=500)
    await studio.session.use_client(CreatifyClient("sandbox", "sandbox",
                                                   base_url=simulator.base_url),
                                    tmp_path / "jobs.sqlite3", PollPolicy().scaled(1000),
                                    Mode.SANDBOX)
    await studio.fetch_credits()
    yield studio
    await settle_then_close(studio)


def estimate_for(key: str, values: dict[str, Any]) -> Decimal:
    gen = spec(key)
    credits = quote(gen, values, gen.derive_seconds(values, DEFAULT_WPM)).credits
    assert credits is not None
    return credits


async def test_real_jobs_through_the_service(qtbot: QtBot, service: StudioService,
                                             simulator: Sandbox, tmp_path: Path) -> None:
    """A finished Text to Speech job and a failed Aurora job, run by the simulator: the
    window shows what each cost and the Aurora refund, and the balance agrees."""
    window = SpendingWindow(service, plan=lambda: plan_by_key("api_pro"))
    qtbot.addWidget(window)
    window.show()
    assert window.proxy.rowCount() == 0
    before = await service.fetch_credits()
    client = service.session.client
    assert client is not None
    voices = await client.voices()
    media = f"{simulator.base_url}/media/samples"
    inputs = Inputs(accent_id=voices[0]["accents"][0]["id"], image_url=f"{media}/sample.png",
                    audio_url=f"{media}/sample.mp3?duration=12")
    speech = valid_values("text_to_speech", inputs)
    speech_task = service.submit(spec("text_to_speech"), speech,
                                 estimate=estimate_for("text_to_speech", speech))
    spoken = await speech_task
    assert spoken is not None
    simulator.set_faults(fail_rate=1.0)
    try:
        talking = {**spec("aurora").defaults(), **valid_values("aurora", inputs)}
        aurora_estimate = estimate_for("aurora", talking)
        failed = await service.submit(spec("aurora"), talking, estimate=aurora_estimate)
    finally:
        simulator.set_faults(fail_rate=0.0)
    assert failed is not None
    ledger = service.session.ledger
    assert ledger is not None

    def finished() -> bool:
        return all(ledger.get(r.key).state.is_terminal for r in (spoken, failed))
    await until(finished, timeout=20)
    # The window catches up by itself (debounced), with the final states.
    def shown_states() -> set[JobState]:
        return {window.proxy.index(r, 0).data(RowRole).state
                for r in range(window.proxy.rowCount())}
    await until(lambda: shown_states() == {JobState.DONE, JobState.FAILED}, timeout=10)
    spoken_now: JobRecord = ledger.get(spoken.key)
    failed_now: JobRecord = ledger.get(failed.key)
    assert failed_now.state is JobState.FAILED and spoken_now.state is JobState.DONE
    assert spoken_now.credits_used is not None and spoken_now.credits_used > 0
    shown = {window.proxy.index(r, 0).data(RowRole).key: r
             for r in range(window.proxy.rowCount())}
    speech_row, aurora_row = shown[spoken.key], shown[failed.key]
    cell = window.proxy.index
    assert cell(speech_row, COL_ACTUAL).data() == f"{spoken_now.credits_used:f}"
    assert cell(speech_row, COL_DIFFERENCE).data() == "±0"  # the estimator was right
    assert cell(aurora_row, COL_ACTUAL).data() == "0 (refunded)"
    assert cell(aurora_row, COL_REFUND).data() == f"{aurora_estimate:f}"

    # The simulator refunded the Aurora job: the balance moved by the speech job only.
    after = await service.fetch_credits()
    assert before - after == spoken_now.credits_used
    await until(lambda: window.summary is not None and window.summary.spent == before - after)
    today = datetime.now().astimezone().date()
    assert window.days[today.day - 1] == (today, before - after)
    assert window.day_set.at(today.day - 1) == float(before - after)
    assert points(window.allowance_series)[0][1] == 2000
    # Read before each paid call and whenever the credits are refreshed (after a job ends).
    await until(lambda: window.balance_series.count() == len(ledger.balance_readings()),
                timeout=10)
    readings = ledger.balance_readings()
    assert len(readings) >= 4  # two guard reads, the refresh after each job, fetch_credits
    assert window.balance_series.count() == len(window.readings) == len(readings)

    target = tmp_path / "ledger.csv"
    window.choose_path = lambda _t, _s, done: done(str(target))
    window.export_button.click()
    await until(lambda: not window.exporting)
    count = ledger.count(include_hidden=True)
    assert window.status_label.text() == f"{count} jobs exported to {target}"
    check_export(target, ledger)
    window.close()
