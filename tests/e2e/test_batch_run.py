"""A batch of product URLs through the job manager against the simulator: the concurrency
limit, the charges against the dry run, and "requeue failed only"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.batch import BatchRow, BatchRun, RowState, plan_batch, rows_from_text
from app.jobs.ledger import Ledger
from app.jobs.manager import JobManager, Pricing
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from tests.e2e.conftest import sandbox_client

pytestmark = pytest.mark.e2e

SPEED = 400.0
SHARED = {"video_length": 30, "aspect_ratio": "9x16", "language": "en",
          "visual_style": "FullScreenTemplate"}


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=21, balance=10_000) as sandbox:
        yield sandbox


@pytest.fixture
async def manager(server: Sandbox, tmp_path: Path) -> AsyncIterator[JobManager]:
    async with sandbox_client(server, timeout=5) as client:
        with Ledger(tmp_path / "jobs.sqlite3") as ledger:
            jobs = JobManager(client, ledger, tmp_path / "out",
                              policy=PollPolicy().scaled(SPEED), auto_download=False)
            await jobs.start()
            yield jobs
            await jobs.aclose()


def run_for(manager: JobManager, rows: list[BatchRow], concurrency: int,
            log: list[tuple[int, RowState]]) -> BatchRun:
    async def send(gen, values, estimate):  # type: ignore[no-untyped-def]
        return await manager.submit(gen, values, pricing=Pricing(estimate))
    return BatchRun("url_to_video", SHARED, rows, submit=send, wait=manager.wait_ended,
                    concurrency=concurrency, on_row=lambda i, r: log.append((i, r.state)))


async def test_a_batch_runs_within_its_limit_and_costs_its_dry_run(
        server: Sandbox, manager: JobManager) -> None:
    text = "\n".join([*(f"https://shop.example.com/p/{i}" for i in range(6)),
                      "https://shop.example.com/p/0/", "javascript:alert(1)"])
    rows = rows_from_text(text)
    dry = plan_batch("url_to_video", SHARED, rows, concurrency=2)
    assert dry.sendable == 6 and dry.credits == 6 * (1 + 5)
    before = server.balance
    log: list[tuple[int, RowState]] = []
    counts = await run_for(manager, rows, 2, log).run()
    assert counts == {RowState.DONE: 6}
    assert before - server.balance == dry.credits
    # Never more than two rows between "sending" and their end.
    active = peak = 0
    for _index, state in log:
        if state is RowState.SENDING:
            active += 1
        elif state in (RowState.DONE, RowState.FAILED, RowState.SKIPPED):
            active -= 1
        peak = max(peak, active)
    assert peak == 2
    paths = [c.path for c in server.create_log]
    assert paths.count("/api/links/") == 6 and paths.count("/api/link_to_videos/") == 6
    assert rows[6].state is RowState.DUPLICATE and rows[7].state is RowState.REFUSED


async def test_requeue_failed_only_sends_the_failed_rows_again_reusing_their_links(
        server: Sandbox, manager: JobManager) -> None:
    rows = rows_from_text("\n".join(f"https://shop.example.com/q/{i}" for i in range(8)))
    server.set_faults(fail_rate=0.5)
    run = run_for(manager, rows, 4, [])
    first = await run.run()
    failed = run.failed_indexes()
    assert first.get(RowState.FAILED, 0) == len(failed) > 0, first
    assert first.get(RowState.DONE, 0) == 8 - len(failed) > 0, first
    done_jobs = {i: rows[i].job_key for i in range(8) if i not in failed}
    links_before = [c.path for c in server.create_log].count("/api/links/")
    server.set_faults(fail_rate=0)
    again = await run.requeue_failed()
    assert again == {RowState.DONE: len(failed)}
    paths = [c.path for c in server.create_log]
    assert paths.count("/api/links/") == links_before == 8  # Links reused
    assert paths.count("/api/link_to_videos/") == 8 + len(failed)
    assert {i: rows[i].job_key for i in done_jobs} == done_jobs  # untouched


async def test_a_row_over_the_budget_is_skipped_and_the_rest_go_on(
        server: Sandbox, manager: JobManager) -> None:
    from app.jobs.budget import BudgetLimits
    manager.budget = lambda: BudgetLimits(daily=Decimal(13))  # two rows of 6, not three
    rows = rows_from_text("\n".join(f"https://shop.example.com/r/{i}" for i in range(3)))
    counts = await run_for(manager, rows, 1, []).run()
    assert counts == {RowState.DONE: 2, RowState.SKIPPED: 1}
    skipped = next(r for r in rows if r.state is RowState.SKIPPED)
    assert "daily cap of 13" in skipped.message and skipped.message.endswith("Nothing was sent.")


async def test_a_preview_step_in_a_batch_ends_preview_ready(
        server: Sandbox, manager: JobManager) -> None:
    from app.generators import Flow

    rows = rows_from_text("https://shop.example.com/p/pv")

    async def send(gen, values, estimate):  # type: ignore[no-untyped-def]
        return await manager.submit(gen, values, flow=Flow.PREVIEW_RENDER,
                                    pricing=Pricing(estimate))
    run = BatchRun("url_to_video", SHARED, rows, submit=send, wait=manager.wait_ended)
    await run.run()
    assert run.rows[0].state is RowState.DONE, run.rows[0].message
    assert "Preview ready" in run.rows[0].message
