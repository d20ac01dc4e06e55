"""The made-up generators of ``tests/e2e/test_new_generator.py`` in the Jobs panel's table and
the spending window's table: their titles, a token-billed estimate and an up-front refund come
from their specs alone (registered by the test, no other edit)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import register, unregister
from app.generators.quote import format_credits
from app.jobs.ledger import JobState, Ledger
from app.spending import ActualKind, spending_rows
from tests.e2e.test_new_generator import QUICK_AD
from ui import spending as spending_window
from ui.jobs import model as jobs_table
from ui.jobs.model import JobTableModel
from ui.spending import SpendingTableModel

QUICK_WORDS = dataclasses.replace(QUICK_AD, key="quick_words", title="Quick Words",
                                  billed_by_tokens=True, refunded_on_failure=False)
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    register(QUICK_AD)
    register(QUICK_WORDS)
    try:
        with Ledger(tmp_path / "jobs.sqlite3") as opened:
            yield opened
    finally:
        unregister(QUICK_AD.key)
        unregister(QUICK_WORDS.key)


def submitted(ledger: Ledger, generator: str, estimate: Decimal | None, status: JobStatus,
              server_id: str, credits_used: Decimal | None = None) -> str:
    record = ledger.begin_submit(generator=generator, resource=QUICK_AD.resource.key,
                                 flow="create", title="https://shop.example.com/p",
                                 request={"link": "L"}, estimate=estimate,
                                 balance_before=Decimal(100))
    ledger.mark_created(record.key, JobSnapshot(
        resource=QUICK_AD.resource.key, id=server_id, status=status, raw_status=status.value,
        credits_used=credits_used, failed_reason="no" if status is JobStatus.FAILED else None))
    return record.key


def test_jobs_and_spending_tables_read_the_made_up_specs(qapp: object, ledger: Ledger) -> None:
    failed = submitted(ledger, "quick_ad", Decimal(6), JobStatus.FAILED, "S-1")
    # Charged by tokens: no estimate, the charge arrives as credits_used.
    words = submitted(ledger, "quick_words", None, JobStatus.DONE, "S-2", Decimal(2))
    assert ledger.get(failed).state is JobState.FAILED

    jobs = JobTableModel()
    for key in (failed, words):
        jobs.upsert(ledger.get(key))
    shown = {jobs.data(jobs.index(row, jobs_table.COL_GENERATOR), DISPLAY):
             jobs.data(jobs.index(row, jobs_table.COL_ESTIMATE), DISPLAY) for row in range(2)}
    assert shown == {"Quick Ad": format_credits(Decimal(6)), "Quick Words": "by tokens"}

    rows = spending_rows(ledger)
    ours = next(r for r in rows if r.generator == "quick_ad")
    assert ours.actual_kind is ActualKind.REFUNDED and ours.refund == 6  # refunded_on_failure
    table = SpendingTableModel()
    table.load(rows)
    cells = {table.data(table.index(row, spending_window.COL_GENERATOR), DISPLAY):
             (table.data(table.index(row, spending_window.COL_ESTIMATE), DISPLAY),
              table.data(table.index(row, spending_window.COL_REFUND), DISPLAY))
             for row in range(len(rows))}
    assert cells["Quick Words"] == ("by tokens", "")
    assert cells["Quick Ad"] == ("6", "6")  # estimated 6, refunded 6
