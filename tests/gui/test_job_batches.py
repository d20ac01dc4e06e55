"""Job changes reach the window in batches: many changes in one moment are one
``jobsChanged`` batch and one update of the Jobs list (one insert for the new jobs, a few
repaints for the changed rows), pages and notices see the right state, the list stays
sorted and filtered, and the Elapsed clock repaints without a model signal.

The records are real ledger records (a SQLite file) fed to the service the way the session
feeds it (``SessionEvents.job_changed``), with no server: the batching is the service's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMainWindow

from app.generators import BY_KEY
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.pricing import plan_by_key
from app.settings import Settings
from tests.gui.conftest import idle, until
from ui.generator.flows import PriceSettings
from ui.generator.tab import GeneratorTab
from ui.jobs.model import (
    COL_CREATED,
    COL_ELAPSED,
    COL_PROGRESS,
    COL_STATUS,
    RecordRole,
)
from ui.jobs.panel import QueuePanel
from ui.service import StudioService
from ui.window.notices import JobNotices

JOBS = 300


@pytest.fixture
def service(tmp_path: Path, qapp: Any) -> Iterator[StudioService]:
    made = StudioService(tmp_path / "out", data_dir=tmp_path / "data")
    yield made
    made.deleteLater()


@pytest.fixture
def records(tmp_path: Path) -> list[JobRecord]:
    """``JOBS`` jobs recorded as sent (in the order they were sent), in a real ledger."""
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        return [ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                    flow="create", title=f"Mug {number:03d}", request={},
                                    estimate=Decimal(5), balance_before=Decimal(10_000))
                for number in range(JOBS)]


def changed(service: StudioService, records: list[JobRecord]) -> None:
    """What the session does for each change: tell the service, all in one loop turn."""
    for record in records:
        service._job_changed(record)


def watch(signal: Any) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def shown(panel: QueuePanel) -> list[JobRecord]:
    """The records in the order the list shows them."""
    proxy = panel.proxy
    return [proxy.index(row, 0).data(RecordRole) for row in range(proxy.rowCount())]


async def test_a_turn_of_changes_is_one_batch_and_one_list_update(
        service: StudioService, records: list[JobRecord], qtbot: Any) -> None:
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    batches = watch(service.jobsChanged)
    singles = watch(service.jobChanged)
    inserted = watch(panel.model.rowsInserted)
    repainted = watch(panel.model.dataChanged)

    changed(service, records)
    assert len(singles) == JOBS and batches == [] and panel.model.rowCount() == 0
    await until(lambda: len(batches) == 1, timeout=2)
    assert list(batches[0][0]) == [r.key for r in records]  # in the order they came
    # One insert of every new job, the last one sent on top (as one by one).
    assert [(first, last) for _parent, first, last in inserted] == [(0, JOBS - 1)]
    assert [panel.model.record(row).key for row in range(JOBS)] \
        == [r.key for r in reversed(records)]
    assert all(panel.model.row_of(r.key) == JOBS - 1 - n for n, r in enumerate(records))

    # Every job moves on twice in the same moment: the last record of each wins, and the
    # rows are repainted in one block, with no insert.
    running = [replace(r, state=JobState.RUNNING, progress=0.1) for r in records]
    changed(service, running)
    changed(service, [replace(r, progress=0.5) for r in running])
    await until(lambda: len(batches) == 2, timeout=2)
    assert len(batches[1][0]) == JOBS and len(inserted) == 1
    assert {r.progress for r in batches[1][0].values()} == {0.5}
    # (a block per run of neighbouring columns that changed: Status and Progress, Actual;
    # never Created, the column the list is sorted by, so nothing is re-sorted)
    assert 1 <= len(repainted) <= 3
    for top, bottom, *_roles in repainted:
        assert (top.row(), bottom.row()) == (0, JOBS - 1)
        assert not top.column() <= COL_CREATED <= bottom.column()
    assert all(panel.model.record(row).progress == 0.5 for row in range(JOBS))

    # Only the progress of every other job: no cell of the Created column (the sort column)
    # is said to change, so the proxy has nothing to re-sort.
    repainted.clear()
    changed(service, [replace(r, progress=0.75) for r in running[::2]])
    await until(lambda: len(batches) == 3, timeout=2)
    assert repainted, "the changed rows were not repainted"
    for top, bottom, *_roles in repainted:  # (a block per changed row: they do not touch)
        assert top.column() == bottom.column() == COL_PROGRESS != COL_CREATED
    rows = [panel.model.row_of(r.key) for r in running[::2]]
    assert all(row is not None and panel.model.record(row).progress == 0.75 for row in rows)
    await idle()



async def test_the_list_stays_sorted_and_filtered_after_batches(
        service: StudioService, records: list[JobRecord], qtbot: Any) -> None:
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    batches = watch(service.jobsChanged)
    changed(service, records)
    await until(lambda: len(batches) == 1, timeout=2)
    assert [r.key for r in shown(panel)] == [r.key for r in reversed(records)]  # newest first

    # Sorted by Progress: a batch of new progress re-sorts the list.
    panel.view.sortByColumn(COL_PROGRESS, Qt.SortOrder.DescendingOrder)
    progress = {r.key: ((n * 37) % 101) / 100 for n, r in enumerate(records)}
    latest = {r.key: replace(r, state=JobState.RUNNING, progress=progress[r.key])
              for r in records}
    changed(service, list(latest.values()))
    await until(lambda: len(batches) == 2, timeout=2)
    assert [r.progress for r in shown(panel)] == sorted(progress.values(), reverse=True)

    # Sorted by Status: some jobs fail, some finish, in one batch.
    ends = {}
    for n, record in enumerate(records[:60]):
        if n % 3 == 0:
            ends[record.key] = replace(latest[record.key], state=JobState.FAILED,
                                       failed_reason="Invalid product page",
                                       finished_at=datetime.now(UTC))
        elif n % 3 == 1:
            ends[record.key] = replace(latest[record.key], state=JobState.DONE, progress=1.0,
                                       finished_at=datetime.now(UTC))
    latest.update(ends)
    changed(service, list(ends.values()))
    await until(lambda: len(batches) == 3, timeout=2)
    panel.view.sortByColumn(COL_STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [panel.proxy.index(row, COL_STATUS).data() for row in
                range(panel.proxy.rowCount())]
    assert statuses == sorted(statuses) and len(statuses) == JOBS
    # ...and stays sorted when more states change while it is sorted by Status.
    more = {r.key: replace(latest[r.key], state=JobState.DONE, progress=1.0,
                           finished_at=datetime.now(UTC)) for r in records[100:140]}
    latest.update(more)
    changed(service, list(more.values()))
    await until(lambda: len(batches) == 4, timeout=2)
    statuses = [panel.proxy.index(row, COL_STATUS).data() for row in
                range(panel.proxy.rowCount())]
    assert statuses == sorted(statuses)
    assert statuses.count("Done") == 20 + 40

    # Filters: Problems, Active, a text search; batches that move jobs in and out of them.
    panel.group.setCurrentIndex(panel.group.findData("Problems"))
    assert {r.key for r in shown(panel)} == {k for k, r in latest.items()
                                              if r.state is JobState.FAILED}
    again = {r.key: replace(latest[r.key], state=JobState.FAILED, failed_reason="Blurry",
                            finished_at=datetime.now(UTC)) for r in records[200:210]}
    latest.update(again)
    changed(service, list(again.values()))
    await until(lambda: len(batches) == 5, timeout=2)
    assert len(shown(panel)) == 20 + 10
    panel.group.setCurrentIndex(panel.group.findData("Active"))
    assert {r.key for r in shown(panel)} == {k for k, r in latest.items()
                                              if r.state.is_active}
    panel.group.setCurrentIndex(panel.group.findData("All"))
    panel.search.setText("invalid product")
    assert len(shown(panel)) == 20
    blurred = {r.key: replace(latest[r.key], state=JobState.FAILED,
                              failed_reason="Invalid product page",
                              finished_at=datetime.now(UTC)) for r in records[300 - 5:]}
    changed(service, list(blurred.values()))
    await until(lambda: len(batches) == 6, timeout=2)
    assert len(shown(panel)) == 25
    panel.search.setText("")
    assert len(shown(panel)) == JOBS
    await idle()



async def test_pages_and_notices_see_their_jobs_in_a_batch(
        service: StudioService, records: list[JobRecord], qtbot: Any) -> None:
    tab = GeneratorTab(BY_KEY["url_to_video"], service, PriceSettings(plan_by_key("api_starter")))
    qtbot.addWidget(tab)
    mine = records[7]
    tab.last_job = mine
    window = QMainWindow()
    qtbot.addWidget(window)
    notices = JobNotices(window, service, lambda: Settings(notify_done=True,
                                                           notify_failed=True),
                         show_job=lambda _key: None)
    reads = [0]
    all_finished = service.all_finished

    def counted() -> bool:
        reads[0] += 1
        return all_finished()
    service.all_finished = counted  # type: ignore[method-assign]
    messages = watch(window.statusBar().messageChanged)
    batches = watch(service.jobsChanged)

    # The page's own job moves on among a hundred others: it says the last state it had.
    running = [replace(r, state=JobState.RUNNING, progress=0.2) for r in records[:100]]
    changed(service, running)
    changed(service, [replace(running[7], progress=0.6)])
    await until(lambda: len(batches) == 1, timeout=2)
    assert tab.last_job is not None and tab.last_job.progress == 0.6
    assert "running 60%" in tab.status.text()
    assert messages == []

    # Fifty jobs finish in one moment: one notice, not fifty.
    done = [replace(r, state=JobState.DONE, progress=1.0, finished_at=datetime.now(UTC))
            for r in running[:50]]
    changed(service, done)
    await until(lambda: len(batches) == 2, timeout=2)
    said = [m for (m,) in messages if m]
    assert len(said) == 1 and said[0].startswith("50 jobs finished (50 ready, 0 failed)")
    assert notices.last == done[-1].key and len(notices.notified) == 50
    assert reads[0] == 0  # nothing asked of the ledger per job
    assert "done" in tab.status.text() and tab.last_job.state is JobState.DONE
    # One more finishing alone says its own notice.
    changed(service, [replace(running[60], state=JobState.FAILED, failed_reason="Blurry",
                              finished_at=datetime.now(UTC) + timedelta(seconds=1))])
    await until(lambda: len(batches) == 3, timeout=2)
    said = [m for (m,) in messages if m]
    assert len(said) == 2 and said[1] == f"{running[60].title} failed: Blurry"
    await idle()



async def test_the_elapsed_clock_repaints_without_a_model_signal(
        service: StudioService, records: list[JobRecord], qtbot: Any) -> None:
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    panel.resize(1400, 600)
    panel.show()
    await until(panel.isVisible)
    batches = watch(service.jobsChanged)
    changed(service, records)
    await until(lambda: len(batches) == 1, timeout=2)
    repainted = watch(panel.model.dataChanged)
    layouts = watch(panel.proxy.layoutChanged)
    panel.tick()
    assert repainted == [] and layouts == []
    # Sorted by Elapsed, the order moves with the clock: the model says so.
    panel.view.sortByColumn(COL_ELAPSED, Qt.SortOrder.DescendingOrder)
    panel.tick()
    assert len(repainted) == 1
    index: QModelIndex = repainted[0][0]
    assert index.column() == COL_ELAPSED
    await idle()


async def test_a_video_and_its_link_in_one_batch_are_one_row(
        service: StudioService, tmp_path: Path, qtbot: Any) -> None:
    """The Link of a product page and the video made from it, changed in the same moment:
    the list shows one entry, the video's (as when they came one by one)."""
    panel = QueuePanel(service)
    qtbot.addWidget(panel)
    batches = watch(service.jobsChanged)
    with Ledger(tmp_path / "links.sqlite3") as ledger:
        def sent(generator: str, request: dict[str, Any]) -> JobRecord:
            return ledger.begin_submit(generator=generator, resource="links", flow="create",
                                       title="https://shop.example.com/products/mug",
                                       request=request, estimate=Decimal(1),
                                       balance_before=Decimal(100))
        first_link = replace(sent("links", {}), server_id="L-1", state=JobState.DONE)
        first_video = sent("url_to_video", {"link": "L-1"})
        second_link = replace(sent("links", {}), server_id="L-2", state=JobState.DONE)
        second_video = sent("url_to_video", {"link": "L-2"})
    changed(service, [first_link, first_video])
    await until(lambda: len(batches) == 1, timeout=2)
    assert [panel.model.record(row).key for row in range(panel.model.rowCount())] \
        == [first_video.key]
    assert panel.model.link_of(first_video) == first_link
    # A Link alone is a row of its own until its video comes, in a later batch.
    changed(service, [second_link])
    await until(lambda: len(batches) == 2, timeout=2)
    assert panel.model.row_of(second_link.key) == 0
    changed(service, [second_video, replace(first_video, progress=0.5)])
    await until(lambda: len(batches) == 3, timeout=2)
    assert [panel.model.record(row).key for row in range(panel.model.rowCount())] \
        == [second_video.key, first_video.key]
    row = panel.model.row_of(first_video.key)
    assert row is not None and panel.model.record(row).progress == 0.5
    await idle()


async def test_a_batch_after_the_window_is_gone_is_not_said(
        service: StudioService, records: list[JobRecord], qtbot: Any) -> None:
    """The service outlives its window (it closes after it): a batch of finished jobs that
    comes once the window was deleted is dropped, not said to a window that is gone."""
    window = QMainWindow()
    notices = JobNotices(window, service, lambda: Settings(notify_done=True),
                         show_job=lambda _key: None)
    changed(service, [replace(records[0], state=JobState.DONE, progress=1.0,
                              finished_at=datetime.now(UTC))])
    shiboken6.delete(window)
    service.flush_job_changes()  # (an error in the slot fails the test: pytest-qt)
    assert notices.last is None
    await idle()
