"""Spending: each paid job's actual cost and refund, credits per day, the month against the
plan, and the CSV export checked cell by cell against the ledger."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app import atomic
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import BY_KEY
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger, LedgerError
from app.pricing import plan_by_key
from app.pricing.engine import enterprise_plan
from app.spending import (
    BALANCE_COLUMNS,
    CSV_COLUMNS,
    ActualKind,
    SpendingRow,
    cumulative,
    daily_totals,
    export_balance_csv,
    export_csv,
    local_midnight,
    month_summary,
    safe_cell,
    spending_row,
    spending_rows,
    summary_lines,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger(tmp_path / "jobs.sqlite3", clock=clock) as opened:
        yield opened


_server_ids = iter(range(1, 1_000_000))


def add_job(ledger: Ledger, clock: Clock, at: datetime, generator: str = "text_to_speech", *,
            estimate: str | None = "2", end: JobStatus | str | None = JobStatus.DONE,
            credits_used: str | None = None, request: dict[str, Any] | None = None,
            title: str = "A job", flow: str = "create", server_id: str | None = None,
            hidden: bool = False, finish_after: float = 60.0) -> JobRecord:
    """A job asked for at ``at`` that ends ``end`` (a JobStatus), ``"not_created"``,
    ``"running"`` (still in flight) or None (still submitting)."""
    resource = BY_KEY[generator].resource.key if generator in BY_KEY else "text_to_speech"
    clock.now = at
    record = ledger.begin_submit(
        generator=generator, resource=resource, flow=flow, title=title,
        request=request if request is not None else {"script": "hello"},
        estimate=None if estimate is None else Decimal(estimate),
        balance_before=Decimal("480.5"))
    if end == "not_created":
        clock.now = at + timedelta(seconds=1)
        record = ledger.mark_not_created(record.key, "refused: not enough credits")
    elif end is not None:
        sid = server_id or f"srv-{next(_server_ids)}"
        clock.now = at + timedelta(seconds=1)
        record = ledger.mark_created(record.key, JobSnapshot(resource, sid, JobStatus.RUNNING,
                                                              "running"))
        if isinstance(end, JobStatus):
            clock.now = at + timedelta(seconds=finish_after)
            reason = "simulated failure" if end in (JobStatus.FAILED,
                                                    JobStatus.REJECTED) else None
            record = ledger.apply_snapshot(record.key, JobSnapshot(
                resource, sid, end, end.value, progress=1.0,
                credits_used=None if credits_used is None else Decimal(credits_used),
                failed_reason=reason, result_urls=(f"https://cdn.example.com/{sid}.mp4",)
                if end is JobStatus.DONE else ()))
    if hidden:
        record = ledger.set_hidden(record.key, True)
    return record


def row_of(ledger: Ledger, key: str) -> SpendingRow:
    return next(row for row in spending_rows(ledger) if row.key == key)


# ---------------------------------------------------------------------------- rows

def test_actual_cost_follows_the_report_then_the_estimate(ledger: Ledger, clock: Clock) -> None:
    reported = add_job(ledger, clock, T0, "url_to_video", estimate="10", credits_used="15",
                       request={"link": "x", "model_version": "standard"}, title="Blue mug")
    estimated = add_job(ledger, clock, T0 + timedelta(minutes=1), "product_image",
                        estimate="2", credits_used=None)
    refused = add_job(ledger, clock, T0 + timedelta(minutes=2), "ai_shorts", estimate="5",
                      end="not_created")
    failed = add_job(ledger, clock, T0 + timedelta(minutes=3), "text_to_speech",
                     estimate="1", end=JobStatus.FAILED, credits_used="0")
    tokens = add_job(ledger, clock, T0 + timedelta(minutes=4), "text_generator",
                     estimate=None, credits_used="3", flow="stream")
    flying = add_job(ledger, clock, T0 + timedelta(minutes=5), "ai_editing", estimate="5",
                     end="running")
    hidden = add_job(ledger, clock, T0 + timedelta(minutes=6), "links", estimate="1",
                     credits_used="1", hidden=True)
    free = add_job(ledger, clock, T0 + timedelta(minutes=7), estimate=None, end=None)

    rows = {row.key: row for row in spending_rows(ledger)}
    assert list(rows) == [r.key for r in (reported, estimated, refused, failed, tokens,
                                          flying, hidden)], "oldest first; free job left out"
    assert free.key not in rows

    row = rows[reported.key]
    assert (row.actual, row.actual_kind, row.refund, row.difference) == \
        (Decimal(15), ActualKind.REPORTED, 0, Decimal(5))
    assert row.generator_title == "URL to Video" and row.title == "Blue mug"
    assert row.state is JobState.DONE and not row.aurora_priced
    assert (rows[estimated.key].actual, rows[estimated.key].actual_kind) == \
        (Decimal(2), ActualKind.ESTIMATED)
    assert rows[estimated.key].difference is None  # an estimate compared with itself
    assert (rows[refused.key].actual, rows[refused.key].actual_kind) == (0, ActualKind.FREE)
    assert rows[failed.key].state is JobState.FAILED
    assert (rows[failed.key].actual, rows[failed.key].refund) == (0, 0)
    assert rows[failed.key].difference is None
    assert (rows[tokens.key].actual, rows[tokens.key].estimate) == (Decimal(3), None)
    assert rows[tokens.key].difference is None
    assert (rows[flying.key].actual, rows[flying.key].actual_kind) == \
        (None, ActualKind.PENDING)
    assert rows[hidden.key].hidden and rows[hidden.key].actual == 1


def test_failed_aurora_jobs_are_refunded_in_full(ledger: Ledger, clock: Clock) -> None:
    # The simulator reports 0 after the refund: the estimate is what was charged up front.
    plain = add_job(ledger, clock, T0, "aurora", estimate="12", end=JobStatus.FAILED,
                    credits_used="0", request={"image": "i", "audio": "a"})
    # Creatify may still report the up-front charge: that is the refund.
    reported = add_job(ledger, clock, T0 + timedelta(hours=1), "aurora_fast", estimate="6",
                       end=JobStatus.REJECTED, credits_used="6.5",
                       request={"model_version": "aurora_v1_fast"})
    # Any generator asking for an Aurora model is Aurora-priced.
    avatar = add_job(ledger, clock, T0 + timedelta(hours=2), "avatar_v1", estimate="31",
                     end=JobStatus.FAILED, request={"model_version": "aurora_v1"})
    aurora2 = add_job(ledger, clock, T0 + timedelta(hours=3), "aurora", estimate="8.4",
                      end=JobStatus.FAILED, request={"model_version": "aurora_v2"})
    standard = add_job(ledger, clock, T0 + timedelta(hours=4), "avatar_v1", estimate="5",
                       end=JobStatus.FAILED, request={"model_version": "standard"})
    done = add_job(ledger, clock, T0 + timedelta(hours=5), "aurora", estimate="12",
                   credits_used="12", request={"image": "i"})

    for record, refund in ((plain, "12"), (reported, "6.5"), (avatar, "31"), (aurora2, "8.4")):
        row = row_of(ledger, record.key)
        assert row.aurora_priced
        assert (row.actual, row.actual_kind, row.refund) == \
            (0, ActualKind.REFUNDED, Decimal(refund)), record.generator
        assert row.charged == Decimal(refund)
    assert row_of(ledger, standard.key).refund == 0
    assert not row_of(ledger, standard.key).aurora_priced
    ok = row_of(ledger, done.key)
    assert (ok.actual, ok.refund, ok.difference) == (Decimal(12), 0, 0)


def test_a_render_costs_only_its_share_of_the_server_job(ledger: Ledger, clock: Clock) -> None:
    """credits_used is the server job's running total: the preview reported 1, the render
    (a second local job on the same server job) reports 5 in all."""
    preview = add_job(ledger, clock, T0, "url_to_video", estimate="1", credits_used="1",
                      request={"link": "x", "model_version": "standard"},
                      flow="preview_render", server_id="L2V-1")
    render = add_job(ledger, clock, T0 + timedelta(minutes=5), "url_to_video", estimate="4",
                     credits_used="5", request={"render_of": "L2V-1"}, flow="render",
                     server_id="L2V-1")
    assert row_of(ledger, preview.key).actual == 1
    row = row_of(ledger, render.key)
    assert (row.credits_used, row.actual, row.difference) == (Decimal(5), Decimal(4), 0)
    # An Aurora-model preview's failed render is refunded although the render's own request
    # names no model.
    add_job(ledger, clock, T0 + timedelta(hours=1), "avatar_v1", estimate="1",
            credits_used="1", request={"model_version": "aurora_v1"}, flow="preview_render",
            server_id="LS-9")
    failed = add_job(ledger, clock, T0 + timedelta(hours=2), "avatar_v1", estimate="30",
                     end=JobStatus.FAILED, credits_used="1", request={"render_of": "LS-9"},
                     flow="render", server_id="LS-9")
    row = row_of(ledger, failed.key)
    assert row.aurora_priced and row.actual == 0 and row.refund == 30
    # Asked for a month only, the render still finds its preview (before the month).
    add_job(ledger, clock, datetime(2026, 5, 31, 23, 50, tzinfo=UTC), "url_to_video",
            estimate="2", credits_used="2", request={}, flow="preview_render",
            server_id="L2V-2")
    render_next_month = add_job(ledger, clock, datetime(2026, 6, 1, 0, 30, tzinfo=UTC),
                                "url_to_video", estimate="8", credits_used="10",
                                request={"render_of": "L2V-2"}, flow="render",
                                server_id="L2V-2")
    june = spending_rows(ledger, since=datetime(2026, 6, 1, tzinfo=UTC))
    assert [r.key for r in june] == [render_next_month.key]
    assert june[0].actual == 8  # 10 in all, 2 reported by the preview


def test_unknown_generator_keeps_its_key(ledger: Ledger, clock: Clock) -> None:
    record = add_job(ledger, clock, T0, "retired_generator", credits_used="2")
    assert row_of(ledger, record.key).generator_title == "retired_generator"


def test_spending_row_on_its_own() -> None:
    record = JobRecord(
        key="k", generator="aurora", resource="aurora", flow="create", title="t",
        request={}, name_tag=None, estimate=Decimal(10), balance_before=None,
        state=JobState.DONE, raw_status="done", server_id="s", progress=1.0, result_urls=(),
        preview_url=None, thumbnails=(), response_text=None, credits_used=None,
        duration=None, failed_reason=None, created_at=T0, submitted_at=T0, updated_at=T0,
        finished_at=T0, last_polled_at=None, download_state=DownloadState.NONE,
        download_path=None, download_bytes=0, download_error=None, hidden=False,
        watching=True)
    assert spending_row(record).actual_kind is ActualKind.ESTIMATED
    no_estimate = spending_row(dataclasses.replace(record, estimate=None))
    assert (no_estimate.actual, no_estimate.actual_kind) == (None, ActualKind.UNKNOWN)


# ---------------------------------------------------------------------------- days

def test_daily_totals_are_local_days_zero_filled(ledger: Ledger, clock: Clock) -> None:
    late = add_job(ledger, clock, datetime(2026, 5, 3, 23, 30, tzinfo=UTC), estimate="3",
                   credits_used="3")
    add_job(ledger, clock, datetime(2026, 5, 3, 12, 0, tzinfo=UTC), estimate="2",
            credits_used="2")
    add_job(ledger, clock, datetime(2026, 5, 5, 3, 0, tzinfo=UTC), estimate="7",
            credits_used="7")
    add_job(ledger, clock, datetime(2026, 5, 5, 4, 0, tzinfo=UTC), estimate="9",
            end="running")  # in flight: not counted
    add_job(ledger, clock, datetime(2026, 5, 5, 5, 0, tzinfo=UTC), "aurora", estimate="9",
            end=JobStatus.FAILED, request={})  # refunded: 0
    rows = spending_rows(ledger)
    start, end = date(2026, 5, 2), date(2026, 5, 6)

    utc = dict(daily_totals(rows, start, end, UTC))
    assert list(utc) == [date(2026, 5, d) for d in range(2, 7)]
    assert utc == {date(2026, 5, 2): 0, date(2026, 5, 3): 5, date(2026, 5, 4): 0,
                   date(2026, 5, 5): 7, date(2026, 5, 6): 0}
    # Two hours east the 23:30 job is on the 4th; five hours west the 03:00 one on the 4th.
    east = dict(daily_totals(rows, start, end, timezone(timedelta(hours=2))))
    assert (east[date(2026, 5, 3)], east[date(2026, 5, 4)], east[date(2026, 5, 5)]) == (2, 3, 7)
    west = dict(daily_totals(rows, start, end, timezone(timedelta(hours=-5))))
    assert (west[date(2026, 5, 3)], west[date(2026, 5, 4)], west[date(2026, 5, 5)]) == (5, 7, 0)
    assert sum(dict(daily_totals(rows, date(2026, 5, 1), date(2026, 5, 31), UTC)).values()) \
        == ledger.spent() == 12
    # Outside the period nothing counts; a period ending before it starts is refused.
    assert dict(daily_totals(rows, date(2026, 5, 4), date(2026, 5, 4), UTC)) == \
        {date(2026, 5, 4): 0}
    with pytest.raises(ValueError):
        daily_totals(rows, end, start)
    assert [c for _, c in cumulative(list(utc.items()))] == [0, 5, 5, 12, 12]
    assert late.created_at.astimezone(timezone(timedelta(hours=2))).day == 4


def test_local_midnight() -> None:
    tz = timezone(timedelta(hours=-7))
    assert local_midnight(date(2026, 5, 1), tz) == datetime(2026, 5, 1, 7, tzinfo=UTC)
    assert local_midnight(date(2026, 5, 1)).tzinfo is not None


# ---------------------------------------------------------------------------- the month

def test_month_summary_against_the_allowance(ledger: Ledger, clock: Clock) -> None:
    add_job(ledger, clock, datetime(2026, 4, 30, 12, tzinfo=UTC), estimate="50",
            credits_used="50")  # April: not this month
    add_job(ledger, clock, datetime(2026, 5, 1, 12, tzinfo=UTC), "url_to_video", estimate="10",
            credits_used="12", request={})
    add_job(ledger, clock, datetime(2026, 5, 2, 12, tzinfo=UTC), "url_to_video", estimate="10",
            credits_used="9", request={})
    add_job(ledger, clock, datetime(2026, 5, 3, 12, tzinfo=UTC), "product_image", estimate="2")
    add_job(ledger, clock, datetime(2026, 5, 4, 12, tzinfo=UTC), "aurora", estimate="30",
            end=JobStatus.FAILED, request={})
    add_job(ledger, clock, datetime(2026, 5, 9, 12, tzinfo=UTC), "ai_shorts", estimate="5",
            end="running")
    add_job(ledger, clock, datetime(2026, 5, 9, 13, tzinfo=UTC), "ai_shorts", estimate="5",
            end="not_created")
    rows = spending_rows(ledger)

    summary = month_summary(rows, plan_by_key("api_starter"), date(2026, 5, 10), UTC)
    assert (summary.month, summary.days, summary.elapsed_days) == (date(2026, 5, 1), 31, 10)
    assert summary.jobs == 6
    assert summary.spent == 23 and summary.estimated_part == 2
    assert (summary.refunds, summary.refunded_jobs) == (30, 1)
    assert (summary.in_flight, summary.in_flight_jobs) == (5, 1)
    assert summary.allowance == 500 and summary.remaining == 477
    assert summary.daily_rate == Decimal("2.3")
    assert summary.projected == Decimal("71.3") and not summary.over_allowance
    assert (summary.accuracy.jobs, summary.accuracy.estimated, summary.accuracy.actual) == \
        (2, 20, 21)
    assert summary.accuracy.ratio == Decimal("1.05")
    # Cross-check with the ledger's own sum (no refunds or renders in May's reported jobs).
    assert summary.spent == ledger.spent(datetime(2026, 5, 1, tzinfo=UTC))
    lines = summary_lines(summary)
    assert lines[0] == "May 2026: 23 credits of 500 spent (477 credits left)"
    assert "2 credits of it estimated (no charge reported)" in lines
    assert "At 2.3 a day: about 71.3 credits by the month's end" in lines
    assert "Refunds: 30 credits (1 failed Aurora job)" in lines
    assert "In flight: 1 job, 5 credits estimated" in lines
    assert ("Estimates: 2 jobs cost 21 credits against 20 credits estimated "
            "(5% more than estimated)") in lines

    # The whole month (a past month seen on its last day): no projection beyond it.
    april = month_summary(rows, plan_by_key("api_pro"), date(2026, 4, 30), UTC)
    assert (april.spent, april.projected, april.allowance, april.jobs) == (50, 50, 2000, 1)
    assert not any(line.startswith("At ") for line in summary_lines(april))
    # Enterprise: no allowance line.
    enterprise = month_summary(rows, enterprise_plan("0.12"), date(2026, 5, 10), UTC)
    assert enterprise.allowance is None and enterprise.remaining is None
    assert not enterprise.over_allowance
    assert summary_lines(enterprise)[0] == \
        "May 2026: 23 credits spent (no monthly allowance on this plan)"
    assert month_summary(rows, None, date(2026, 5, 10), UTC).allowance is None


def test_projection_over_the_allowance(ledger: Ledger, clock: Clock) -> None:
    add_job(ledger, clock, datetime(2026, 2, 1, 8, tzinfo=UTC), "ad_clone", estimate="300",
            credits_used="300", request={})
    add_job(ledger, clock, datetime(2026, 2, 2, 8, tzinfo=UTC), "ad_clone", estimate="300",
            credits_used="300", request={})
    summary = month_summary(spending_rows(ledger), plan_by_key("api_starter"),
                            date(2026, 2, 7), UTC)
    assert summary.days == 28 and summary.projected == Decimal("2400.0")
    assert summary.over_allowance and summary.remaining == -100
    assert summary_lines(summary)[0] == \
        "February 2026: 600 credits of 500 spent — 100 credits over the allowance"
    assert summary_lines(summary)[1].endswith("— over the allowance")


def test_an_empty_month() -> None:
    summary = month_summary([], plan_by_key("api_starter"), date(2026, 5, 1), UTC)
    assert (summary.spent, summary.projected, summary.jobs) == (0, 0, 0)
    assert summary.accuracy.ratio is None
    assert summary_lines(summary) == [
        "May 2026: 0 credits of 500 spent (500 credits left)",
        "At 0 a day: about 0 credits by the month's end"]


# ---------------------------------------------------------------------------- CSV

def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def parse_time(cell: str) -> datetime | None:
    return datetime.fromisoformat(cell) if cell else None


def parse_dec(cell: str) -> Decimal | None:
    return Decimal(cell) if cell else None


def unescape(cell: str) -> str:
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r") else cell


@pytest.fixture
def books(ledger: Ledger, clock: Clock) -> Ledger:
    """A ledger with every kind of job, awkward text included."""
    add_job(ledger, clock, datetime(2026, 5, 1, 8, tzinfo=UTC), "url_to_video", estimate="10",
            credits_used="15", title="=HYPERLINK(\"http://evil.example\",\"click\")",
            request={"link": "x"})
    add_job(ledger, clock, datetime(2026, 5, 1, 9, tzinfo=UTC), "aurora", estimate="12",
            end=JobStatus.FAILED, title="+1 555 0100 — Café ☕ 東京", request={})
    add_job(ledger, clock, datetime(2026, 5, 2, 9, tzinfo=UTC), "product_image", estimate="2",
            title="@SUM(A1:A9)", hidden=True)
    add_job(ledger, clock, datetime(2026, 5, 2, 10, tzinfo=UTC), "ai_shorts", estimate="5",
            end="not_created", title="-2+3")
    add_job(ledger, clock, datetime(2026, 5, 3, 10, tzinfo=UTC), "text_generator",
            estimate=None, credits_used="3", title="line one\nline two, \"quoted\"")
    add_job(ledger, clock, datetime(2026, 5, 3, 11, tzinfo=UTC), "links", estimate=None,
            end=None, title="-42")  # not paid (no estimate, no charge): still exported
    add_job(ledger, clock, datetime(2026, 5, 4, 11, tzinfo=UTC), "ai_editing", estimate="5",
            end="running", title="\tTabbed")
    record = add_job(ledger, clock, datetime(2026, 5, 5, 11, tzinfo=UTC), "url_to_video",
                     estimate="10", credits_used="8", request={}, title="Under")
    ledger.set_download(record.key, DownloadState.DONE, path="/videos/under ✓.mp4",
                        bytes_done=10)
    return ledger


def test_export_checked_cell_by_cell_against_the_ledger(books: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "spending.csv"
    count = export_csv(books, target)
    table = read_csv(target)
    assert table[0] == list(CSV_COLUMNS)
    records = list(reversed(books.page(include_hidden=True)))
    assert count == len(table) - 1 == len(records) == books.count(include_hidden=True) == 8
    rows = {row.key: row for row in spending_rows(books)}
    for cells, record in zip(table[1:], records, strict=True):
        got = dict(zip(CSV_COLUMNS, (unescape(c) for c in cells), strict=True))
        assert got["key"] == record.key
        assert parse_time(got["created_at_utc"]) == record.created_at.replace(microsecond=0)
        assert got["created_at_utc"].endswith("+00:00")
        assert parse_time(got["submitted_at_utc"]) == (
            record.submitted_at.replace(microsecond=0) if record.submitted_at else None)
        assert parse_time(got["finished_at_utc"]) == (
            record.finished_at.replace(microsecond=0) if record.finished_at else None)
        assert got["generator"] == record.generator
        assert got["generator_title"] == BY_KEY[record.generator].title
        assert (got["flow"], got["title"]) == (record.flow, record.title)
        assert (got["state"], got["server_status"]) == (record.state.value, record.raw_status)
        assert got["server_id"] == (record.server_id or "")
        assert parse_dec(got["estimate"]) == record.estimate
        assert parse_dec(got["credits_used"]) == record.credits_used
        assert parse_dec(got["balance_before"]) == record.balance_before == Decimal("480.5")
        assert got["failed_reason"] == (record.failed_reason or "")
        assert got["download_state"] == record.download_state.value
        assert got["download_path"] == (record.download_path or "")
        assert got["result_url"] == (record.result_urls[0] if record.result_urls else "")
        assert got["hidden"] == ("yes" if record.hidden else "no")
        assert got["watching"] == "yes"
        row = rows.get(record.key)
        if row is None:  # not a paid job (no estimate, no charge): still sending here
            assert record.title == "-42"
            assert (got["actual"], got["actual_basis"], got["refund"]) == ("", "pending", "0")
            continue
        assert parse_dec(got["actual"]) == row.actual
        assert got["actual_basis"] == row.actual_kind.value
        assert parse_dec(got["refund"]) == row.refund
        assert parse_dec(got["difference"]) == row.difference
    under = next(c for c in table[1:] if c[CSV_COLUMNS.index("title")] == "Under")
    assert under[CSV_COLUMNS.index("difference")] == "-2"  # a number, not escaped
    aurora = next(c for c in table[1:] if c[CSV_COLUMNS.index("generator")] == "aurora")
    assert (aurora[CSV_COLUMNS.index("actual")], aurora[CSV_COLUMNS.index("refund")],
            aurora[CSV_COLUMNS.index("actual_basis")]) == ("0", "12", "refunded")


def test_export_is_injection_safe(books: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "spending.csv"
    export_csv(books, target)
    titles = [row[CSV_COLUMNS.index("title")] for row in read_csv(target)[1:]]
    assert titles == ["'=HYPERLINK(\"http://evil.example\",\"click\")",
                      "'+1 555 0100 — Café ☕ 東京", "'@SUM(A1:A9)", "'-2+3",
                      "line one\nline two, \"quoted\"", "-42", "'\tTabbed", "Under"]
    for row in read_csv(target):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                assert Decimal(cell) < 0, cell


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+2", "'=1+2"), ("+44 20", "'+44 20"), ("-", "'-"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-3", "-3"), ("-0.5", "-0.5"), ("+7", "+7"), ("1e3", "1e3"),
    ("-1e-3", "-1e-3"), ("plain", "plain"), ("", ""), ("a=b", "a=b"), ("'=x", "'=x"),
])
def test_safe_cell(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected


def test_export_is_atomic(books: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "spending.csv"
    target.write_text("the previous export\n", encoding="utf-8")

    def fail(*_args: Any) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        export_csv(books, target)
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "jobs.sqlite3", "jobs.sqlite3-shm", "jobs.sqlite3-wal", "jobs.sqlite3.open.lock",
        "spending.csv"]  # no temporary file left
    monkeypatch.undo()

    with pytest.raises(OSError):
        export_csv(books, tmp_path / "no such folder" / "spending.csv")
    assert not (tmp_path / "no such folder").exists()

    books.close()
    with pytest.raises(LedgerError):
        export_csv(books, target)
    assert target.read_text(encoding="utf-8") == "the previous export\n"


def test_export_of_an_empty_ledger(ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "empty.csv"
    assert export_csv(ledger, target) == 0
    assert read_csv(target) == [list(CSV_COLUMNS)]


def test_export_pages_through_a_big_ledger(ledger: Ledger, clock: Clock, tmp_path: Path) -> None:
    for n in range(2503):  # more than two pages of 1,000
        clock.now = T0 + timedelta(seconds=n)
        ledger.begin_submit(generator="links", resource="links", flow="create",
                            title=f"job {n}", request={}, estimate=Decimal(1),
                            balance_before=None)
    target = tmp_path / "big.csv"
    assert export_csv(ledger, target) == 2503
    titles = [row[CSV_COLUMNS.index("title")] for row in read_csv(target)[1:]]
    assert titles == [f"job {n}" for n in range(2503)]


def test_balance_export(ledger: Ledger, tmp_path: Path) -> None:
    ledger.record_balance(Decimal("500"), datetime(2026, 5, 1, 8, tzinfo=UTC))
    ledger.record_balance(Decimal("487.5"), datetime(2026, 5, 2, 8, tzinfo=UTC))
    target = tmp_path / "balance.csv"
    assert export_balance_csv(ledger, target) == 2
    assert read_csv(target) == [list(BALANCE_COLUMNS),
                                ["2026-05-01T08:00:00+00:00", "500"],
                                ["2026-05-02T08:00:00+00:00", "487.5"]]


def ready_preview(ledger: Ledger, clock: Clock, at: datetime, server_id: str, *,
                  estimate: str = "1", credits_used: str | None = None) -> JobRecord:
    """A preview step whose preview is there while the server job reads ``pending``."""
    clock.now = at
    record = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                 flow="preview_render", title="A preview", request={"link": "x"},
                                 estimate=Decimal(estimate), balance_before=None)
    ledger.mark_created(record.key, JobSnapshot("link_to_videos", server_id, JobStatus.PENDING,
                                                "pending"))
    clock.now = at + timedelta(seconds=30)
    return ledger.apply_snapshot(record.key, JobSnapshot(
        "link_to_videos", server_id, JobStatus.PENDING, "pending",
        preview_url="https://cdn.example.com/preview.mp4",
        credits_used=None if credits_used is None else Decimal(credits_used)))


def test_a_ready_preview_costs_its_estimate_and_its_render_only_the_rest(
        ledger: Ledger, clock: Clock) -> None:
    preview = ready_preview(ledger, clock, T0, "L2V-7")
    assert preview.state is JobState.PREVIEW_READY
    row = row_of(ledger, preview.key)
    assert (row.actual, row.actual_kind) == (Decimal(1), ActualKind.ESTIMATED)
    assert ledger.spent() == 1
    render = add_job(ledger, clock, T0 + timedelta(minutes=5), "url_to_video", estimate="4",
                     credits_used="5", request={"render_of": "L2V-7"}, flow="render",
                     server_id="L2V-7")
    assert row_of(ledger, render.key).actual == 4  # 5 in all, 1 of them the preview's
    assert sum((r.actual or 0 for r in spending_rows(ledger)), Decimal(0)) == 5
    assert ledger.spent() == 5  # the server job's total, once
    # A preview that reported its charge keeps it; the render is charged the rest.
    reported = ready_preview(ledger, clock, T0 + timedelta(hours=1), "L2V-8", estimate="2",
                             credits_used="1")
    assert row_of(ledger, reported.key).actual == 1
    add_job(ledger, clock, T0 + timedelta(hours=2), "url_to_video", estimate="4",
            credits_used="5", request={"render_of": "L2V-8"}, flow="render", server_id="L2V-8")
    assert ledger.spent() == 10
