"""The ``ledger`` benchmark: a 100,000-job history opened and shown vs an empty ledger."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.base import HERE, ROOT, child_env, today
from tests.benchmarks.common import (
    ratio,
    sample_values,
)

LEDGER_MIX = ("text_to_speech", "url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ts(moment: datetime) -> str:
    """A time as the ledger stores it (fixed-width ISO-8601 UTC)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


async def _template_jobs(path: Path, port: int) -> None:
    """A few real jobs made, followed and saved by the app's JobManager against a simulator
    on ``port``: the rows the big ledger is cloned from (one per generator of the mix done and
    downloaded, one failed)."""
    import asyncio

    from app.api.client import CreatifyClient, RetryPolicy
    from app.generators import spec
    from app.jobs.ledger import Ledger
    from app.jobs.manager import JobManager
    from app.jobs.scheduler import PollPolicy
    from app.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as out, \
            Sandbox(port=port, speed=2000, balance=10**6, seed=2) as server:
        client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url,
                                retry=RetryPolicy(attempts=4, base_delay=0.01))
        ledger = Ledger(path)
        manager = JobManager(client, ledger, Path(out), auto_download=True,
                             policy=PollPolicy().scaled(2000))
        try:
            await manager.start()
            values = await sample_values(client, server.base_url)
            for key in LEDGER_MIX:
                await manager.submit(spec(key), {**spec(key).defaults(), **values[key]})
            server.set_faults(fail_rate=1.0)
            key = LEDGER_MIX[0]
            await manager.submit(spec(key), {**spec(key).defaults(), **values[key]})
            deadline = time.monotonic() + 60
            while manager.scheduler.watched or ledger.needing_download():
                if time.monotonic() > deadline:
                    raise RuntimeError("the template jobs did not finish")
                await asyncio.sleep(0.05)
        finally:
            await manager.aclose()
            ledger.close()
            await client.aclose()


def _build_ledger(path: Path, jobs: int, port: int) -> dict[str, Any]:
    """A ledger of ``jobs`` finished jobs over the last year (1 in 20 failed), cloned from real
    rows with ``executemany`` (``begin_submit`` … one transaction each would take minutes)."""
    import asyncio

    from app.jobs.ledger import Ledger

    started = time.perf_counter()
    asyncio.run(_template_jobs(path, port))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(jobs)")]
        templates = [dict(zip(columns, row, strict=True))
                     for row in conn.execute("SELECT * FROM jobs ORDER BY created_at")]
        history: dict[str, list[tuple[str, str, str]]] = {}
        for key, at, kind, detail in conn.execute(
                "SELECT key, at, kind, detail FROM events ORDER BY id"):
            history.setdefault(key, []).append((at, kind, detail))
        done = [t for t in templates if t["state"] == "done" and t["download_state"] == "done"]
        failed = [t for t in templates if t["state"] == "failed"]
        if len(done) != len(LEDGER_MIX) or len(failed) != 1:
            raise RuntimeError(f"unexpected template jobs: {[t['state'] for t in templates]}")
        stamps = ("created_at", "submitted_at", "updated_at", "finished_at", "last_polled_at")
        first = datetime.now(UTC) - timedelta(days=365)
        step = timedelta(days=365) / jobs
        rng = random.Random(7)
        rows: list[tuple[Any, ...]] = []
        events: list[tuple[str, str, str, str]] = []
        for number in range(jobs):
            template = failed[0] if number % 20 == 19 else done[number % len(done)]
            created = first + step * number
            origin = datetime.fromisoformat(template["created_at"])
            row = dict(template)
            for name in stamps:
                if template[name] is not None:
                    row[name] = _ts(created + (datetime.fromisoformat(template[name]) - origin))
            row["key"] = uuid.UUID(int=rng.getrandbits(128)).hex
            row["server_id"] = str(uuid.UUID(int=rng.getrandbits(128)))
            row["title"] = f"{template['title']} #{number}"
            if template["download_path"]:
                saved = Path(template["download_path"])
                row["download_path"] = str(saved.with_name(f"{saved.stem}-{number}{saved.suffix}"))
            rows.append(tuple(row[name] for name in columns))
            events.extend((row["key"], _ts(created + (datetime.fromisoformat(at) - origin)),
                           kind, detail) for at, kind, detail in history[template["key"]])
        conn.execute("BEGIN")
        conn.execute("DELETE FROM events")
        conn.execute("DELETE FROM jobs")
        conn.executemany(f"INSERT INTO jobs ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", rows)
        conn.executemany("INSERT INTO events (key, at, kind, detail) VALUES (?, ?, ?, ?)",
                         events)
        conn.execute("COMMIT")
    finally:
        conn.close()
    with Ledger(path) as ledger:  # the app's own reader agrees
        if ledger.count() != jobs or len(ledger.page(limit=10)) != min(10, jobs):
            raise RuntimeError("the built ledger does not read back")
    return {"jobs": jobs, "events": len(events), "file_MB": round(path.stat().st_size / 1e6, 1),
            "build_s": round(time.perf_counter() - started, 1)}


def _open_ledger(ledger_file: Path, folder: Path, port: int) -> dict[str, Any]:
    """One child ``ledger_probe.py``: the real window opens a copy of ``ledger_file``."""
    (folder / "data").mkdir(parents=True)
    shutil.copyfile(ledger_file, folder / "data" / "jobs.sqlite3")
    env = child_env()
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        result = subprocess.run([sys.executable, str(HERE / "ledger_probe.py"), str(folder),
                                 str(port)], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=600, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.returncode:
        raise RuntimeError(f"ledger probe failed: {result.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def ledger(jobs: int = 100_000, runs: int = 5) -> dict[str, Any]:
    """A history of ``jobs`` jobs: the real window opens the ledger (as connecting does) and
    shows it in its queue. Seconds to the first painted rows, memory growth, next to an empty
    ledger (the baseline), each run in a fresh process, interleaved."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        full, empty = Path(folder) / "full.sqlite3", Path(folder) / "empty.sqlite3"
        built = _build_ledger(full, jobs, port)
        from app.jobs.ledger import Ledger

        Ledger(empty).close()
        results: dict[str, list[dict[str, Any]]] = {"empty": [], "full": []}
        for number in range(runs):
            for kind in (("empty", "full") if number % 2 == 0 else ("full", "empty")):
                source = full if kind == "full" else empty
                results[kind].append(_open_ledger(source, Path(folder) / f"run{number}{kind}",
                                                  port))

    def median(kind: str, name: str, scale: float = 1.0, digits: int = 3) -> float | None:
        values = [r[name] for r in results[kind] if r[name] is not None]
        return round(statistics.median(values) * scale, digits) if values else None

    figures: dict[str, Any] = {"benchmark": "ledger", **built, "runs": runs,
                               "rows_shown": results["full"][0]["rows_shown"],
                               "ledger_count_seen": results["full"][0]["ledger_jobs"]}
    for kind in ("full", "empty"):
        figures[f"{kind}_first_rows_s_median"] = median(kind, "first_rows_s")
        figures[f"{kind}_connected_s_median"] = median(kind, "connected_s")
        if kind == "full":  # (an empty list has nothing to scroll, nor more rows to add)
            figures["full_scroll_to_end_ms_median"] = median(kind, "scroll_to_end_ms", 1, 1)
            figures["full_all_rows_s_median"] = median(kind, "all_rows_s")
            figures["full_rest_stall_max_ms_median"] = median(kind, "rest_stall_max_ms", 1, 1)
            figures["full_rest_stall_p99_ms_median"] = median(kind, "rest_stall_p99_ms", 1, 1)
        figures[f"{kind}_rss_growth_MiB_median"] = median(kind, "rss_growth_kib", 1 / 1024, 1)
        figures[f"{kind}_rss_after_MiB_median"] = median(kind, "rss_after_kib", 1 / 1024, 1)
    figures["ratio_first_rows_full_to_empty"] = ratio(figures["full_first_rows_s_median"],
                                                      figures["empty_first_rows_s_median"])
    figures["extra_rss_growth_MiB"] = round(figures["full_rss_growth_MiB_median"]
                                            - figures["empty_rss_growth_MiB_median"], 1)
    figures["full_first_rows_s_runs"] = [round(r["first_rows_s"], 3) for r in results["full"]]
    figures["empty_first_rows_s_runs"] = [round(r["first_rows_s"], 3) for r in results["empty"]]
    figures["note"] = ("each run a fresh process: the window is up, then connecting opens the "
                       "ledger (a warm-cache copy); the queue shows its newest 200 jobs at once "
                       "(first rows), then reads the newest 5,000 in a worker thread and adds "
                       "them in chunks (all rows; the loop's longest stall meanwhile)")
    figures["checked_at"] = today()
    return figures


# ---- estimator ------------------------------------------------------------------------------
