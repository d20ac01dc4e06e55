"""The ``polling`` benchmark: list requests and notice latency vs a per-job 5 s poller."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.base import today
from tests.benchmarks.common import (
    percentile,
    run_on_qasync,
    sample_values,
)

POLL_MIX = ("text_to_speech", "url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")


class CreatifyClock:
    """A monotonic clock whose rate can change: the simulator's and the scheduler's clock.

    The simulator at ``speed`` N runs its jobs N times faster than Creatify on this clock, so
    one of its seconds is N Creatify seconds. Sending 1,000 jobs takes the app about a minute
    of real time: at full rate that minute would be N minutes of Creatify time, and the batch
    would trickle out over the jobs' whole lives (at N = 40, 36 minutes for jobs of 10 s to
    2 minutes) — a batch no user sends, where each job ends alone and no poller can read two
    at once. While the batch is sent the clock runs at ``1 / N`` (Creatify's own pace: the
    minute of sending is a minute for Creatify too, as against the real service), then at 1.
    """

    def __init__(self) -> None:
        start = time.monotonic()
        self._segment = (start, start, 1.0)  # (monotonic time, reading, rate) since then

    def __call__(self) -> float:
        real_start, start, rate = self._segment  # one tuple: read whole from any thread
        return start + (time.monotonic() - real_start) * rate

    def set_rate(self, rate: float) -> None:
        now = self()
        self._segment = (time.monotonic(), now, rate)


def polling(jobs: int = 1000, speed: float = 40.0, *, real_pace_submit: bool = True
            ) -> dict[str, Any]:
    """1,000 jobs of mixed generators followed by the one batched scheduler while a queue table
    shows them: list requests sent next to a per-job poller every 5 s, and how soon a finished
    job is noticed. (The GUI's stalls meanwhile are ``gui_stall``.)

    ``real_pace_submit`` (see :class:`CreatifyClock`): Creatify time passes at its own pace
    while the batch is sent; ``False`` measures as before (the sending minute × ``speed``)."""

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
        clock = CreatifyClock()
        with tempfile.TemporaryDirectory() as data, \
                Sandbox(speed=speed, balance=10**9, seed=1) as server:
            # One clock for the simulator and the scheduler (neither takes one through its
            # public constructor yet): their seconds stay the same seconds.
            account = server._world._account
            epoch = account.epoch + account.clock() - clock()
            account.epoch, account.clock = epoch, clock
            client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url,
                                    retry=RetryPolicy(attempts=4, base_delay=0.01))
            # The ledger stamps its rows on that clock too (the simulator's wall time).
            ledger = Ledger(Path(data) / "jobs.sqlite3",
                            clock=lambda: datetime.fromtimestamp(epoch + clock(), UTC))
            manager = JobManager(client, ledger, Path(data) / "out",
                                 on_change=model.upsert, auto_download=False,
                                 policy=PollPolicy().scaled(speed))
            manager.scheduler._clock = clock
            # When a read first showed each job ended (the scheduler's part of the latency;
            # the rest is the app writing the answer down and telling the window).
            read_ended: dict[str, float] = {}
            list_jobs = client.list_jobs

            async def timed_list_jobs(resource_key: str, ids: Any = None) -> Any:
                snapshots = await list_jobs(resource_key, ids)
                answered = epoch + clock()
                for snapshot in snapshots:
                    if snapshot.is_terminal:
                        read_ended.setdefault(snapshot.id, answered)
                return snapshots

            client.list_jobs = timed_list_jobs  # type: ignore[method-assign]
            # How late each round began after its first job fell due, and how long it took
            # (reads and their ledger writes): the app's share of the latency, × speed here.
            scheduler = manager.scheduler
            rounds: list[tuple[float, float]] = []
            poll_once = scheduler.poll_once

            async def timed_poll_once() -> float:
                began, sent = clock(), scheduler.requests
                due = scheduler.next_due()
                first = began if due is None else min(due, began)
                wait = await poll_once()
                if scheduler.requests > sent:
                    rounds.append(((began - first) * speed, (clock() - began) * speed))
                return wait

            scheduler.poll_once = timed_poll_once  # type: ignore[method-assign]
            await manager.start()
            values = await sample_values(client, server.base_url)
            keys = []
            submit_started = time.perf_counter()
            creatify_started = clock()
            if real_pace_submit:
                clock.set_rate(1 / speed)
            for number in range(jobs):
                key = POLL_MIX[number % len(POLL_MIX)]
                gen = spec(key)
                record = await manager.submit(gen, {**gen.defaults(), **values[key]})
                keys.append(record.key)
            clock.set_rate(1.0)
            submitted = time.perf_counter()
            creatify_submit = (clock() - creatify_started) * speed
            while manager.scheduler.watched:
                await asyncio.sleep(0.05)
            finished = time.perf_counter()
            records = [ledger.get(k) for k in keys]
            truth = {}
            for resource in {r.resource for r in records}:
                truth.update({j["id"]: j for j in server.jobs(resource)})
            naive = 0
            noticed: list[float] = []
            read: list[float] = []
            by_generator: dict[str, list[float]] = {}
            for record in records:
                job = truth[record.server_id]
                server_done = datetime.fromisoformat(job["updated_at"].replace("Z", "+00:00"))
                created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))
                life = max((server_done - created).total_seconds() * speed, 0.001)
                naive += math.ceil(life / 5)
                assert record.finished_at is not None
                noticed.append(max(0.0, (record.finished_at - server_done).total_seconds())
                               * speed)
                by_generator.setdefault(record.generator, []).append(noticed[-1])
                read.append(max(0.0, read_ended[job["id"]] - server_done.timestamp()) * speed)
            figures = {
                "benchmark": "polling", "jobs": jobs, "speed": speed,
                "states": sorted({r.state.value for r in records}),
                "poll_requests": manager.scheduler.requests,
                "naive_requests": naive,
                "request_ratio": round(manager.scheduler.requests / naive, 4),
                "notice_latency_s_median": round(statistics.median(noticed), 2),
                "notice_latency_s_p95": round(percentile(noticed, 0.95), 2),
                "read_latency_s_median": round(statistics.median(read), 2),
                "read_latency_s_p95": round(percentile(read, 0.95), 2),
                "round_late_s_median": round(statistics.median(r[0] for r in rounds), 2),
                "round_late_s_p95": round(percentile([r[0] for r in rounds], 0.95), 2),
                "round_s_p95": round(percentile([r[1] for r in rounds], 0.95), 2),
                "notice_latency_s_by_generator": {
                    key: {"median": round(statistics.median(seen_after), 2),
                          "p95": round(percentile(seen_after, 0.95), 2)}
                    for key, seen_after in sorted(by_generator.items())},
                "submit_wall_s": round(submitted - submit_started, 2),
                "submit_creatify_s": round(creatify_submit, 1),
                "follow_wall_s": round(finished - submitted, 2),
                "real_pace_submit": real_pace_submit,
                "note": "latency in Creatify seconds (simulator clock × speed): notice = to the "
                        "ledger's finished_at, read = to the list answer that first showed the "
                        "end; naive = one GET per job every 5 s from creation to completion; "
                        "while the batch is sent Creatify time passes at its own pace "
                        "(real_pace_submit)",
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
