"""A headless Creatify Studio job runner for the crash tests: it is SIGKILLed mid-work and run
again on the same data directory.

    python crash_child.py BASE_URL DATA_DIR submit N SPEED   # submit N jobs, follow, save
    python crash_child.py BASE_URL DATA_DIR resume 0 SPEED   # pick up whatever is unfinished
    python crash_child.py BASE_URL DATA_DIR download URL SPEED  # record one finished job whose
                                                                # result is at URL, then save it
Prints "submitted <key>" per job, then "settled" once every job is terminal (or unknown after
reconciliation) and no download is in flight.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.api.client import CreatifyClient, RetryPolicy  # noqa: E402
from app.api.snapshot import JobSnapshot, JobStatus  # noqa: E402
from app.generators import spec  # noqa: E402
from app.jobs.ledger import DownloadState, JobState, Ledger  # noqa: E402
from app.jobs.manager import JobManager  # noqa: E402
from app.jobs.scheduler import PollPolicy  # noqa: E402

GENERATOR = "url_to_video"


def settled(ledger: Ledger, manager: JobManager) -> bool:
    for record in ledger.page(limit=10_000, include_hidden=True):
        if record.state in (JobState.SUBMITTING,):
            return False
        if record.state.is_active and record.state is not JobState.UNKNOWN:
            return False
        if record.result_urls and record.state in (JobState.DONE, JobState.IMAGE_DONE) and \
                record.download_state not in (DownloadState.DONE, DownloadState.FAILED):
            return False
    return manager.downloads.in_flight == 0


async def main(base_url: str, data: Path, mode: str, arg: str, speed: float) -> None:
    client = CreatifyClient("sandbox", "sandbox", base_url=base_url,
                            retry=RetryPolicy(attempts=6, base_delay=0.02, max_delay=0.2))
    ledger = Ledger(data / "jobs.sqlite3")
    manager = JobManager(client, ledger, data / "out", policy=PollPolicy().scaled(speed))
    await manager.start()
    if mode == "submit":
        link = await client.create_link("https://shop.example.com/products/crash")
        gen = spec(GENERATOR)
        for _ in range(int(arg)):
            record = await manager.submit(gen, {**gen.defaults(), "link": link.id,
                                                "video_length": 15})
            print("submitted", record.key, flush=True)
            await asyncio.sleep(0.01)
    elif mode == "download" and not ledger.count(include_hidden=True):
        record = ledger.begin_submit(generator="text_to_speech", resource="text_to_speech",
                                     flow="create", title="big file", request={"script": "x"},
                                     estimate=None, balance_before=None)
        ledger.mark_created(record.key, JobSnapshot(
            resource="text_to_speech", id="00000000-0000-4000-8000-00000000beef",
            status=JobStatus.DONE, raw_status="done", result_urls=(arg,)))
        manager.download(record.key)
        print("submitted", record.key, flush=True)
    while not settled(ledger, manager):
        await asyncio.sleep(0.02)
    print("settled", flush=True)
    await manager.aclose()
    ledger.close()
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4],
                     float(sys.argv[5])))
