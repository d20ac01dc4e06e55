"""The ``polling`` benchmark: list requests and notice latency vs a per-job 5 s poller."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.base import today
from tests.benchmarks.common import (
    percentile,
    run_on_qasync,
    sample_values,
)

POLL_MIX = ("text_to_speech", "url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")


def polling(jobs: int = 1000, speed: float = 40.0) -> dict[str, Any]:
    """1,000 jobs of mixed generators followed by the one batched scheduler while a queue table
    shows them: list requests sent next to a per-job poller every 5 s, and how soon a finished
    job is noticed. (The GUI's stalls meanwhile are ``gui_stall``.)"""

    async def run() -> dict[str, Any]:
        import asyncio
        import math

        from PySide6.QtWidgets import QTableView

        from app.api.client import CreatifyClient, RetryPolicy
        from app.generators import spec
        from app.jobs.ledger import Ledger
        from app.jobs.manager import JobManager
        from app.jobs.scheduler import PollPolicy
        from app.sandbox import Sandbox
        from ui.jobs.model import JobTableModel, ProgressDelegate

        model = JobTableModel()
        view = QTableView()
        view.setModel(model)
        view.setItemDelegateForColumn(3, ProgressDelegate(view))
        view.resize(1200, 700)
        view.show()
        with tempfile.TemporaryDirectory() as data, \
                Sandbox(speed=speed, balance=10**9, seed=1) as server:
            client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url,
                                    retry=RetryPolicy(attempts=4, base_delay=0.01))
            ledger = Ledger(Path(data) / "jobs.sqlite3")
            manager = JobManager(client, ledger, Path(data) / "out",
                                 on_change=model.upsert, auto_download=False,
                                 policy=PollPolicy().scaled(speed))
            await manager.start()
            values = await sample_values(client, server.base_url)
            keys = []
            submit_started = time.perf_counter()
            for number in range(jobs):
                key = POLL_MIX[number % len(POLL_MIX)]
                gen = spec(key)
                record = await manager.submit(gen, {**gen.defaults(), **values[key]})
                keys.append(record.key)
            submitted = time.perf_counter()
            while manager.scheduler.watched:
                await asyncio.sleep(0.05)
            finished = time.perf_counter()
            records = [ledger.get(k) for k in keys]
            truth = {}
            for resource in {r.resource for r in records}:
                truth.update({j["id"]: j for j in server.jobs(resource)})
            naive = 0
            noticed: list[float] = []
            for record in records:
                job = truth[record.server_id]
                server_done = datetime.fromisoformat(job["updated_at"].replace("Z", "+00:00"))
                created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))
                life = max((server_done - created).total_seconds() * speed, 0.001)
                naive += math.ceil(life / 5)
                assert record.finished_at is not None
                noticed.append(max(0.0, (record.finished_at - server_done).total_seconds())
                               * speed)
            figures = {
                "benchmark": "polling", "jobs": jobs, "speed": speed,
                "states": sorted({r.state.value for r in records}),
                "poll_requests": manager.scheduler.requests,
                "naive_requests": naive,
                "request_ratio": round(manager.scheduler.requests / naive, 4),
                "notice_latency_s_median": round(statistics.median(noticed), 2),
                "notice_latency_s_p95": round(percentile(noticed, 0.95), 2),
                "submit_wall_s": round(submitted - submit_started, 2),
                "follow_wall_s": round(finished - submitted, 2),
                "note": "latency in Creatify seconds (wall × speed); naive = one GET per job "
                        "every 5 s from creation to completion",
                "checked_at": today(),
            }
            await manager.aclose()
            ledger.close()
            await client.aclose()
        view.close()
        return figures

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- gui_stall ------------------------------------------------------------------------------
