"""A Link whose create answer was lost is found again (the fault matrix found it lost to the
ledger: a Link has no name tag and no timestamps to match by; fixed in b873f53)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.api.client import CreatifyClient, RetryPolicy
from app.generators import spec
from app.jobs.ledger import JobState, Ledger
from app.jobs.manager import JobManager
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox

pytestmark = pytest.mark.e2e

SPEED = 400.0


def test_a_link_whose_answer_was_lost_is_found_again(tmp_path: Path) -> None:
    async def run() -> tuple[JobState, int]:
        with Sandbox(speed=SPEED) as server:
            async with CreatifyClient("sandbox", "sandbox", base_url=server.base_url,
                                      retry=RetryPolicy(attempts=2, base_delay=0.01)) as client:
                with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                    manager = JobManager(client, ledger, tmp_path / "out",
                                         policy=PollPolicy().scaled(SPEED))
                    await manager.start()
                    server.set_faults(reset_next_create_after_processing=1)
                    record = await manager.submit(
                        spec("links"), {"url": "https://shop.example.com/products/lost"})
                    assert record.state is JobState.UNKNOWN  # the answer was lost
                    assert [c.job_id for c in server.create_log][-1]  # but it was created
                    for _ in range(5):
                        await asyncio.sleep(0.05)
                        record = await manager.look_again(record.key)
                    await manager.aclose()
                    return record.state, len(server.create_log)

    state, creates = asyncio.run(run())
    assert state is JobState.DONE
    assert creates == 1  # found, never sent again
