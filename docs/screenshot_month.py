"""The month the spending screenshot shows: a ledger made up for the picture (the same May
2026 whenever it is taken) and the spending window over it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import BY_KEY
from app.jobs.ledger import Ledger
from app.pricing import plan_by_key
from app.spending import SpendingRow, spending_rows
from ui.spending import SpendingWindow

SPENDING_TODAY = date(2026, 5, 22)
"""The spending screenshot shows May 2026 up to the 22nd (a fixed month: the same picture
whenever it is taken)."""

# generator, title, estimate, how the actual differs (None: reported exactly), weight
_MONTH_JOBS = (
    ("url_to_video", "Blue mug — 30 s ad", "10", (0, 0, 0, 5), 5),
    ("text_to_speech", "Mug voice-over", "2", (0, 0, -1), 5),
    ("aurora", "Talking founder photo", "24", (0,), 2),
    ("avatar_v1", "Avatar explains the lid", "10", (0, 0, 5), 3),
    ("product_image", "Mug on a desk", "2", None, 3),
    ("text_generator", "Taglines", None, (1, 2, 3), 2),
    ("links", "shop.example.com/mug", "1", (0,), 2),
)


class _LedgerSource(QObject):
    """What the spending window needs of the service, over a ledger made up for the picture."""

    jobChanged = Signal(object)
    jobsChanged = Signal(object)  # {key: record}, as the service batches them
    jobsReloaded = Signal()
    creditsChanged = Signal(object)
    modeChanged = Signal(str)

    def __init__(self, ledger: Ledger, output_dir: Path) -> None:
        super().__init__()
        self.ledger = ledger
        self.output_dir = output_dir

    def spending_since(self, since: datetime) -> tuple[
            list[SpendingRow], list[tuple[datetime, Decimal]]]:
        return spending_rows(self.ledger, since), self.ledger.balance_readings(since)


def fill_month(ledger: Ledger, clock: list[datetime]) -> None:
    """A plausible May on API Starter: a few jobs most working days, two failed Aurora jobs
    (refunded), a balance reading before each job."""
    rng = random.Random(7)
    balance = Decimal(500)
    weights = [job[4] for job in _MONTH_JOBS]
    for day in range(1, SPENDING_TODAY.day + 1):
        when = datetime(2026, 5, day, 8, 30, tzinfo=UTC)
        count = rng.choice((0, 1, 2, 3)) if when.weekday() < 5 else rng.choice((0, 0, 1))
        for number in range(count):
            key, title, estimate, drift, _ = rng.choices(_MONTH_JOBS, weights)[0]
            clock[0] = when + timedelta(hours=2 * number, minutes=rng.randrange(60))
            ledger.record_balance(balance, clock[0])
            resource = BY_KEY[key].resource.key
            record = ledger.begin_submit(
                generator=key, resource=resource, flow="create", title=title, request={},
                estimate=None if estimate is None else Decimal(estimate),
                balance_before=balance)
            server_id = f"{key}-{day}-{number}"
            ledger.mark_created(record.key, JobSnapshot(resource, server_id, JobStatus.RUNNING,
                                                        "running"))
            clock[0] += timedelta(minutes=rng.randint(2, 12))
            failed = key == "aurora" and day in (6, 14)
            used = None if drift is None or failed else \
                Decimal(estimate or 0) + rng.choice(drift)
            ledger.apply_snapshot(record.key, JobSnapshot(
                resource, server_id, JobStatus.FAILED if failed else JobStatus.DONE,
                "failed" if failed else "done", credits_used=used,
                failed_reason="Face not found in the image" if failed else None))
            balance -= used if used is not None else (0 if failed else Decimal(estimate or 0))
    clock[0] = datetime(2026, 5, SPENDING_TODAY.day, 17, tzinfo=UTC)
    ledger.record_balance(balance, clock[0])


def spending_window(data: Path) -> SpendingWindow:
    """The spending window over a made-up May on API Starter (its ledger in ``data``)."""
    clock = [datetime(2026, 5, 1, tzinfo=UTC)]
    ledger = Ledger(data / "spending.sqlite3", clock=lambda: clock[0])
    fill_month(ledger, clock)
    source: Any = _LedgerSource(ledger, data)  # the service's signals and spending reads
    window = SpendingWindow(source, plan=lambda: plan_by_key("api_starter"), tz=UTC,
                            today=lambda: SPENDING_TODAY)
    window.destroyed.connect(ledger.close)
    return window
