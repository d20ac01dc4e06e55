"""Benchmarks: ``python tests/benchmarks/run.py NAME`` (``all`` runs every one).

Each prints one JSON object of named figures, compared against a baseline measured in the
same invocation (machines here are noisy: medians and ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _first_paint_seconds(kind: str, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as data:
        started = time.time()
        result = subprocess.run([sys.executable, str(HERE / "startup_probe.py"), kind, data],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                                check=False)
    for line in result.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"{kind} never painted: {result.stdout[-500:]} {result.stderr[-1500:]}")


def startup(runs: int = 7) -> dict[str, Any]:
    """Cold start to the first painted main window: Creatify Studio vs a bare QMainWindow."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CREATIFY_API_ID", None)
    env.pop("CREATIFY_API_KEY", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    _first_paint_seconds("bare", env)  # warm the disk cache for both
    _first_paint_seconds("app", env)
    bare, app = [], []
    for _ in range(runs):  # interleaved, so drifting machine load hits both alike
        bare.append(_first_paint_seconds("bare", env))
        app.append(_first_paint_seconds("app", env))
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    return {
        "benchmark": "startup",
        "platform": env["QT_QPA_PLATFORM"],
        "runs": runs,
        "app_first_paint_s_median": round(app_median, 3),
        "bare_qmainwindow_first_paint_s_median": round(bare_median, 3),
        "ratio_app_to_bare": round(app_median / bare_median, 2),
        "app_runs_s": [round(x, 3) for x in app],
        "bare_runs_s": [round(x, 3) for x in bare],
    }


def _requests_per_second(base_url: str, headers: dict[str, str], path: str,
                         connections: int, seconds: float) -> float:
    import concurrent.futures

    import httpx

    def worker() -> int:
        count = 0
        with httpx.Client(base_url=base_url, headers=headers) as client:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                client.get(path).raise_for_status()
                count += 1
        return count

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        total = sum(pool.map(lambda _: worker(), range(connections)))
    return total / seconds


def sandbox(seconds: float = 1.5, rounds: int = 3) -> dict[str, Any]:
    """Simulator requests per second on loopback (keep-alive), next to a bare stdlib
    ThreadingHTTPServer answering a fixed JSON body (the baseline)."""
    import http.server
    import socket
    import threading

    from app.sandbox import Sandbox

    class Fixed(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        body = b'{"remaining_credits": 500}'

        def setup(self) -> None:
            super().setup()  # no Nagle delay, as in the simulator
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)

        def log_message(self, *args: object) -> None:
            pass

    baseline = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    baseline.daemon_threads = True
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{baseline.server_address[1]}"
    headers = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}
    path = "/api/remaining_credits/"
    figures: dict[str, Any] = {"benchmark": "sandbox", "seconds_per_round": seconds,
                               "rounds": rounds}
    try:
        with Sandbox() as server:
            for connections in (1, 4):
                ours, bare = [], []
                for _ in range(rounds):
                    ours.append(_requests_per_second(server.base_url, headers, path,
                                                     connections, seconds))
                    bare.append(_requests_per_second(base_url, headers, path, connections,
                                                     seconds))
                key = f"{connections}_conn"
                figures[f"sandbox_rps_{key}_median"] = round(statistics.median(ours))
                figures[f"bare_stdlib_rps_{key}_median"] = round(statistics.median(bare))
                figures[f"ratio_sandbox_to_bare_{key}"] = round(
                    statistics.median(ours) / statistics.median(bare), 2)
    finally:
        baseline.shutdown()
        baseline.server_close()
    return figures


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def polling(jobs: int = 1000, speed: float = 40.0) -> dict[str, Any]:
    """1,000 jobs of mixed generators followed by the one batched scheduler, while the real
    queue table shows them: list requests sent next to a per-job poller every 5 s, how soon
    a finished job is noticed, and the GUI event loop's stalls (a 10 ms timer probe)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import asyncio
    import math
    from datetime import UTC, datetime

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    sys.path.insert(0, str(ROOT))
    from app.api.client import CreatifyClient, RetryPolicy
    from app.generators import spec
    from app.jobs.ledger import Ledger
    from app.jobs.manager import JobManager
    from app.jobs.scheduler import PollPolicy
    from app.sandbox import Sandbox
    from tests.samples import SCRIPT_31S
    from ui.queue_model import JobTableModel, ProgressDelegate

    mix = ("text_to_speech", "url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")
    figures: dict[str, Any] = {"benchmark": "polling", "jobs": jobs, "speed": speed}

    async def run(app: QApplication) -> None:
        model = JobTableModel()
        view = QTableView()
        view.setModel(model)
        view.setItemDelegateForColumn(3, ProgressDelegate(view))
        view.resize(1200, 700)
        view.show()
        lateness: list[float] = []
        interval_ms = 10
        last = [time.perf_counter()]

        def probe() -> None:
            now = time.perf_counter()
            lateness.append(max(0.0, (now - last[0]) * 1000 - interval_ms))
            last[0] = now
        timer = QTimer()
        timer.setInterval(interval_ms)
        timer.timeout.connect(probe)
        with tempfile.TemporaryDirectory() as data, \
                Sandbox(speed=speed, balance=10**9, seed=1) as server:
            client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url,
                                    retry=RetryPolicy(attempts=4, base_delay=0.01))
            ledger = Ledger(Path(data) / "jobs.sqlite3")
            manager = JobManager(client, ledger, Path(data) / "out",
                                 on_change=model.upsert, auto_download=False,
                                 policy=PollPolicy().scaled(speed))
            await manager.start()
            link = await client.create_link("https://shop.example.com/p")
            accent = (await client.voices())[0]["accents"][0]["id"]
            persona = (await client.personas())[0]["id"]
            media = f"{server.base_url}/media/samples"
            values = {
                "text_to_speech": {"script": SCRIPT_31S, "accent": accent},
                "url_to_video": {"link": link.id, "video_length": 30},
                "avatar_v1": {"creator": persona, "text": SCRIPT_31S},
                "ai_shorts": {"script": SCRIPT_31S, "aspect_ratio": "9x16",
                              "style": "Cinematic"},
                "aurora_fast": {"image": f"{media}/sample.png",
                                "audio": f"{media}/sample.mp3?duration=20"},
            }
            keys = []
            submit_started = time.perf_counter()
            timer.start()
            for number in range(jobs):
                key = mix[number % len(mix)]
                gen = spec(key)
                record = await manager.submit(gen, {**gen.defaults(), **values[key]})
                keys.append(record.key)
            submitted = time.perf_counter()
            while manager.scheduler.watched:
                await asyncio.sleep(0.05)
            finished = time.perf_counter()
            timer.stop()
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
            states = sorted({r.state.value for r in records})
            figures.update({
                "states": states,
                "poll_requests": manager.scheduler.requests,
                "naive_requests": naive,
                "request_ratio": round(manager.scheduler.requests / naive, 4),
                "notice_latency_s_median": round(statistics.median(noticed), 2),
                "notice_latency_s_p95": round(_percentile(noticed, 0.95), 2),
                "gui_stall_ms_p50": round(_percentile(lateness, 0.50), 1),
                "gui_stall_ms_p99": round(_percentile(lateness, 0.99), 1),
                "gui_stall_ms_max": round(max(lateness, default=0.0), 1),
                "probe_ticks": len(lateness),
                "submit_wall_s": round(submitted - submit_started, 2),
                "follow_wall_s": round(finished - submitted, 2),
                "note": "latency in Creatify seconds (wall × speed); naive = one GET per job "
                        "every 5 s from creation to completion",
                "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            })
            await manager.aclose()
            ledger.close()
            await client.aclose()
        view.close()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    asyncio.run(run(app), loop_factory=qasync.QEventLoop)
    return figures


BENCHMARKS: dict[str, Callable[[], dict[str, Any]]] = {
    "startup": startup, "sandbox": sandbox, "polling": polling}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    args = parser.parse_args(argv)
    names = list(BENCHMARKS) if args.name == "all" else [args.name]
    for name in names:
        print(json.dumps(BENCHMARKS[name]()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
