"""Benchmarks of issue 7: ``python tests/benchmarks/run.py NAME [--short]``.

NAME is one of ``startup``, ``sandbox``, ``polling``, ``gui_stall``, ``download``, ``ledger``,
``estimator``, or ``all`` (each in a fresh interpreter, one after the other). Each prints one
JSON object (one line) of named figures, compared against a baseline measured in the same
invocation: machines here are noisy, so the figures are medians and ratios. ``--short`` runs
reduced sizes quickly (for CI: it shows the benchmarks still run, not how fast the app is).
What each one measures, and the latest full-size figures, are in ``docs/PERFORMANCE.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import (  # noqa: E402  (the repository root is on the path now)
    PaintWatch,
    StallProbe,
    build_studio,
    close_studio,
    percentile,
    ratio,
    run_on_qasync,
    sample_values,
    spread,
)


def _today() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _child_env() -> dict[str, str]:
    """The environment of child processes: this tree's code first (not whatever the
    interpreter's editable install points at), no bytecode written."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


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
    env = _child_env()
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



# ---- polling --------------------------------------------------------------------------------

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
                "checked_at": _today(),
            }
            await manager.aclose()
            ledger.close()
            await client.aclose()
        view.close()
        return figures

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- gui_stall ------------------------------------------------------------------------------

STALL_MIX = ("url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")
"""Generators whose jobs run 60–120 s (Creatify time): at speed 1 all 1,000 are still active
when the last one has been submitted."""


async def _drop_phase(window: Any, urls: int = 1000, after_s: float = 5.0) -> dict[str, Any]:
    """``gui_stall``'s second phase: a batch of 1,000 URLs dropped on the window (real drag-enter
    and drop events carrying text) while the first phase's jobs are still in its queue: the
    time until the batch sheet is shown and priced, and the probe's stalls from the drop to
    ``after_s`` seconds later."""
    import asyncio

    from PySide6.QtCore import QMimeData, QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setText("\n".join(f"https://shop.example.com/products/item-{i}?ref=drop"
                           for i in range(urls)))
    centre = QPointF(window.rect().center())
    probe = StallProbe()
    probe.start()
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    QApplication.sendEvent(window, QDropEvent(centre, Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))
    sheet = window.batch_sheet
    if sheet is None or not sheet.isVisible():
        raise RuntimeError("the batch sheet did not open")
    shown_ms = (time.perf_counter() - started) * 1000
    await asyncio.sleep(after_s)
    figures = probe.stop()
    result = {"urls": urls, "time_to_sheet_ms": round(shown_ms, 1),
              "rows": sheet.model.rowCount(), "sendable": sheet.dry.sendable,
              "dry_run_credits": str(sheet.dry.credits), **figures}
    sheet.close()
    return result


def gui_stall(jobs: int = 1000, speed: float = 1.0, idle_s: float = 20.0,
              follow_s: float = 30.0) -> dict[str, Any]:
    """The GUI event loop's stalls in the real window (a precise 10 ms QTimer on the qasync
    loop: how late each tick comes), idle (the baseline), while 1,000 jobs are submitted
    through the service and land in the queue, then while the 1,000 active jobs are polled
    and their rows update."""

    async def run() -> dict[str, Any]:
        import asyncio

        from app.generators import spec
        from app.generators.quote import quote
        from app.sandbox import Sandbox
        from ui.service import Mode

        with tempfile.TemporaryDirectory() as folder:
            studio = build_studio(Path(folder), sandbox_speed=speed)
            service = studio.service
            # The window's own simulator (use_sandbox keeps one it already has), with credits
            # for 1,000 jobs.
            service.session.sandbox = Sandbox(speed=speed, balance=10**9, seed=1)
            service.session.sandbox.start()
            try:
                base_url = await service.use_sandbox()
                if service.mode != Mode.SANDBOX or service.session.client is None \
                        or service.session.ledger is None or service.session.jobs is None:
                    raise RuntimeError("the window did not connect to the sandbox")
                values = await sample_values(service.session.client, base_url)
                await asyncio.sleep(1.0)  # start-up work (credits, first paints) settles
                updates = [0]
                service.jobChanged.connect(lambda _record: updates.__setitem__(0, updates[0] + 1))
                probe = StallProbe(10)

                probe.start()
                await asyncio.sleep(idle_s)
                idle = probe.stop()

                # Each job is sent with its quote, as the window sends it (a send without an
                # estimate is an unknown price, which the budget guard refuses without a
                # per-job ceiling); quoted before the probe starts.
                forms = {key: {**spec(key).defaults(), **values[key]} for key in STALL_MIX}
                quoted = {key: quote(spec(key), form, spec(key).derive_seconds(form)).credits
                          for key, form in forms.items()}
                updates[0] = 0
                probe.start()
                for number in range(jobs):
                    key = STALL_MIX[number % len(STALL_MIX)]
                    if await service.submit(spec(key), forms[key],
                                            estimate=quoted[key]) is None:
                        raise RuntimeError(f"submitting a {key} job failed")
                submit = {**probe.stop(), "row_updates": updates[0]}

                active_at_start = len(service.session.ledger.active())
                updates[0] = 0
                probe.start()
                await asyncio.sleep(follow_s)
                follow = {**probe.stop(), "row_updates": updates[0]}
                active_at_end = len(service.session.ledger.active())

                drop = await _drop_phase(studio.window)
                rows = studio.window.queue.model.rowCount()
                requests = service.session.jobs.scheduler.requests
            finally:
                await close_studio(studio)

        def ratios(phase: dict[str, Any]) -> dict[str, float | None]:
            return {name: ratio(phase[f"{name}_ms"], idle[f"{name}_ms"])
                    for name in ("p50", "p99", "max")}

        return {
            "benchmark": "gui_stall", "jobs": jobs, "speed": speed, "mix": list(STALL_MIX),
            "probe": "10 ms PreciseTimer on the qasync loop; stall = how late each tick came",
            "idle": idle, "submit": submit, "follow": follow,
            "ratio_submit_to_idle": ratios(submit), "ratio_follow_to_idle": ratios(follow),
            "active_jobs_at_follow_start": active_at_start,
            "active_jobs_at_follow_end": active_at_end,
            "queue_rows": rows, "poll_requests": requests,
            "drop_1000_urls": drop,
            "ratio_drop_to_idle": ratios(drop),
            "checked_at": _today(),
        }

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- download -------------------------------------------------------------------------------


def _curl_seconds(curl: str, url: str, target: Path, size: int) -> float:
    """``curl -s -o FILE URL``: curl's own transfer time (its start-up not counted)."""
    result = subprocess.run([curl, "-s", "-S", "-f", "-o", str(target),
                             "-w", "%{time_total} %{size_download}", url],
                            capture_output=True, text=True, timeout=900, check=False)
    if result.returncode:
        raise RuntimeError(f"curl failed ({result.returncode}): {result.stderr[-500:]}")
    seconds, got = result.stdout.split()
    if int(got) != size or target.stat().st_size != size:
        raise RuntimeError(f"curl fetched {got} bytes, not {size}")
    target.unlink()
    return float(seconds)


def _app_download(mode: str, *args: str) -> dict[str, Any]:
    """One child ``download_probe.py MODE ...``: its JSON line."""
    result = subprocess.run([sys.executable, str(HERE / "download_probe.py"), mode, *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
                            env=_child_env())
    if result.returncode:
        raise RuntimeError(f"download probe {mode} failed: {result.stderr[-1500:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def download(size: int = 1 << 30, runs: int = 5) -> dict[str, Any]:
    """A ``size``-byte sandbox output over loopback: the app's download path
    (``app.downloads.fetch_resumable`` with the client ``JobManager`` makes, in a child
    process) next to ``curl -s -o FILE URL`` on the same URL, interleaved; the child's peak
    memory growth during the transfer (VmRSS sampled every 5 ms) and its ``ru_maxrss`` next
    to a child that only imports and makes the client."""
    from app.sandbox import media

    curl = shutil.which("curl")
    if curl is None:
        raise RuntimeError("curl is not installed")
    shm = Path("/dev/shm")
    on_tmpfs = shm.is_dir() and os.access(shm, os.W_OK) \
        and shutil.disk_usage(shm).free > 3 * size
    with tempfile.TemporaryDirectory(dir=shm if on_tmpfs else None,
                                     prefix="creatify-bench-") as folder:
        # The simulator in a process of its own: the server's work never shares a GIL with
        # the download being measured.
        server = subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", "0"],
                                  cwd=ROOT, env=_child_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            found = re.search(r"http://\S+", server.stdout.readline())
            if found is None:
                raise RuntimeError("the sandbox did not start")
            url = media.synthetic_url(found.group(0), size)
            target = Path(folder) / "result.bin"
            warm = media.synthetic_url(found.group(0), 8 << 20)
            _curl_seconds(curl, warm, target, 8 << 20)
            _app_download("fetch", warm, str(target), str(8 << 20))
            target.unlink()
            baseline = [_app_download("baseline") for _ in range(3)]
            curl_s: list[float] = []
            app_runs: list[dict[str, Any]] = []
            for number in range(runs):  # interleaved, alternating who goes first
                for who in (("curl", "app") if number % 2 == 0 else ("app", "curl")):
                    if who == "curl":
                        curl_s.append(_curl_seconds(curl, url, target, size))
                    else:
                        app_runs.append(_app_download("fetch", url, str(target), str(size)))
                        target.unlink()
        finally:
            server.terminate()
            server.wait(10)
    mb = size / 1e6
    curl_mbps = [mb / s for s in curl_s]
    app_mbps = [mb / r["seconds"] for r in app_runs]
    base_maxrss = statistics.median(b["max_rss_kib"] for b in baseline)
    app_maxrss = statistics.median(r["max_rss_kib"] for r in app_runs)
    return {
        "benchmark": "download", "bytes": size, "runs": runs,
        "target": "tmpfs (/dev/shm)" if on_tmpfs else "temporary folder on disk",
        "app_MBps_median": round(statistics.median(app_mbps), 1),
        "curl_MBps_median": round(statistics.median(curl_mbps), 1),
        "ratio_app_to_curl": ratio(statistics.median(app_mbps), statistics.median(curl_mbps)),
        "app_MBps_runs": [round(x, 1) for x in app_mbps],
        "curl_MBps_runs": [round(x, 1) for x in curl_mbps],
        "app_rss_growth_MiB_median": round(
            statistics.median(r["rss_growth_kib"] for r in app_runs) / 1024, 1),
        "app_rss_growth_MiB_max": round(max(r["rss_growth_kib"] for r in app_runs) / 1024, 1),
        "app_maxrss_MiB_median": round(app_maxrss / 1024, 1),
        "baseline_maxrss_MiB_median": round(base_maxrss / 1024, 1),
        "maxrss_growth_MiB": round((app_maxrss - base_maxrss) / 1024, 1),
        "progress_reports_median": statistics.median(r["progress_reports"] for r in app_runs),
        "note": "MB = 10^6 bytes; the simulator (python -m app.sandbox) serves in its own "
                "process; the app writes a .part, fsyncs and renames; content spot-checked",
        "checked_at": _today(),
    }


# ---- ledger ---------------------------------------------------------------------------------

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
    env = _child_env()
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
        if kind == "full":  # (an empty list has nothing to scroll)
            figures["full_scroll_to_end_ms_median"] = median(kind, "scroll_to_end_ms", 1, 1)
        figures[f"{kind}_rss_growth_MiB_median"] = median(kind, "rss_growth_kib", 1 / 1024, 1)
        figures[f"{kind}_rss_after_MiB_median"] = median(kind, "rss_after_kib", 1 / 1024, 1)
    figures["ratio_first_rows_full_to_empty"] = ratio(figures["full_first_rows_s_median"],
                                                      figures["empty_first_rows_s_median"])
    figures["extra_rss_growth_MiB"] = round(figures["full_rss_growth_MiB_median"]
                                            - figures["empty_rss_growth_MiB_median"], 1)
    figures["full_first_rows_s_runs"] = [round(r["first_rows_s"], 3) for r in results["full"]]
    figures["empty_first_rows_s_runs"] = [round(r["first_rows_s"], 3) for r in results["empty"]]
    figures["note"] = ("each run a fresh process: the window is up, then connecting opens the "
                       "ledger (a warm-cache copy) and the queue loads ledger.page(limit=5000)")
    figures["checked_at"] = _today()
    return figures


# ---- estimator ------------------------------------------------------------------------------


def estimator(changes: int = 200) -> dict[str, Any]:
    """Input change → estimator label in a real generator tab (Text to Speech, connected to
    the sandbox): a key typed into the script (75 → 76 words crosses a 30 s block, a
    backspace crosses back) and the duration spin box set (20 s ↔ 50 s). Time until the
    credits label's text has changed and until it is painted; the baseline is a bare
    ``QLabel.setText`` (and its paint) on the same loop, interleaved."""

    async def run() -> dict[str, Any]:
        import asyncio

        from PySide6.QtCore import Qt
        from PySide6.QtGui import QTextCursor
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

        async def measure(label: QLabel, watch: PaintWatch,
                          change: Callable[[], None]) -> tuple[float, float]:
            before = label.text()
            painted = watch.arm()
            started = time.perf_counter()
            change()
            deadline = started + 5
            while label.text() == before:  # (today the update is synchronous)
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{label.objectName() or 'label'} never changed")
                await asyncio.sleep(0)
            text_at = time.perf_counter()
            painted_at = await asyncio.wait_for(painted, 5)
            await asyncio.sleep(0.003)  # the loop goes idle between two changes
            return (text_at - started) * 1000, (painted_at - started) * 1000

        with tempfile.TemporaryDirectory() as folder:
            studio = build_studio(Path(folder))
            try:
                await studio.service.use_sandbox()  # connected: the balance after is shown
                tab = studio.window.show_generator("text_to_speech")
                if tab.duration is None:
                    raise RuntimeError("Text to Speech has no duration control")
                spin = tab.duration.spin
                script = tab.form.editors["script"].findChild(QPlainTextEdit)
                if script is None:
                    raise RuntimeError("no script editor")
                script.setPlainText(" ".join(["word"] * 75) + " ")
                script.moveCursor(QTextCursor.MoveOperation.End)
                label = tab.estimator.credits
                bare_window = QWidget()
                bare = QLabel("1", bare_window)
                bare.setStyleSheet(label.styleSheet())
                bare.setFont(label.font())
                QVBoxLayout(bare_window).addWidget(bare)
                bare_window.resize(300, 120)
                bare_window.show()
                await asyncio.sleep(1.0)
                app_watch, bare_watch = PaintWatch(label), PaintWatch(bare)
                typed: list[tuple[float, float]] = []
                spun: list[tuple[float, float]] = []
                plain: list[tuple[float, float]] = []
                for number in range(changes):  # typing first: a spin change overrides it
                    key = Qt.Key.Key_X if number % 2 == 0 else Qt.Key.Key_Backspace
                    typed.append(await measure(label, app_watch,
                                               lambda key=key: QTest.keyClick(script, key)))
                    plain.append(await measure(bare, bare_watch,
                                               lambda n=number: bare.setText(str(n % 2 + 2))))
                for number in range(changes):
                    seconds = 50.0 if number % 2 == 0 else 20.0
                    spun.append(await measure(label, app_watch,
                                              lambda s=seconds: spin.setValue(s)))
                    plain.append(await measure(bare, bare_watch,
                                               lambda n=number: bare.setText(str(n % 2 + 4))))
                shown = label.text()
                bare_window.close()
            finally:
                await close_studio(studio)

        def figures(samples: list[tuple[float, float]]) -> dict[str, Any]:
            return {"label_text_ms": spread([t for t, _ in samples], 3),
                    "label_painted_ms": spread([p for _, p in samples], 3)}

        result = {"benchmark": "estimator", "changes": changes, "tab": "text_to_speech",
                  "script_keystroke": figures(typed), "duration_spin": figures(spun),
                  "bare_qlabel_settext": figures(plain), "last_label": shown}
        bare_text = result["bare_qlabel_settext"]["label_text_ms"]["median"]
        bare_paint = result["bare_qlabel_settext"]["label_painted_ms"]["median"]
        for kind in ("script_keystroke", "duration_spin"):
            result[f"ratio_{kind}_text_to_bare"] = ratio(
                result[kind]["label_text_ms"]["median"], bare_text, 1)
            result[f"ratio_{kind}_painted_to_bare"] = ratio(
                result[kind]["label_painted_ms"]["median"], bare_paint, 2)
        result["checked_at"] = _today()
        return result

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- the command ----------------------------------------------------------------------------

BENCHMARKS: dict[str, Callable[..., dict[str, Any]]] = {
    "polling": polling, "gui_stall": gui_stall, "startup": startup, "download": download,
    "ledger": ledger, "estimator": estimator, "sandbox": sandbox}

SHORT: dict[str, dict[str, Any]] = {
    "polling": {"jobs": 50, "speed": 200.0},
    "gui_stall": {"jobs": 60, "idle_s": 2.0, "follow_s": 3.0},
    "startup": {"runs": 2},
    "download": {"size": 64 << 20, "runs": 2},
    "ledger": {"jobs": 10_000, "runs": 1},
    "estimator": {"changes": 30},
    "sandbox": {"seconds": 0.3, "rounds": 1},
}
"""``--short`` sizes: the whole ``all --short`` in about a minute and a half."""


def _run_all(short: bool) -> int:
    started = time.monotonic()
    failed = []
    for name in BENCHMARKS:  # each in a fresh interpreter: no benchmark inherits another's heap
        command = [sys.executable, str(Path(__file__).resolve()), name]
        if short:
            command.append("--short")
        if subprocess.run(command, cwd=ROOT, env=_child_env(), check=False).returncode:
            failed.append(name)
    print(f"all{' --short' if short else ''}: {len(BENCHMARKS)} benchmarks in "
          f"{time.monotonic() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}"
                                                    if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--short", action="store_true",
                        help="reduced sizes, fast (CI): proves they run, not the figures")
    args = parser.parse_args(argv)
    if args.name == "all":
        return _run_all(args.short)
    started = time.monotonic()
    figures = BENCHMARKS[args.name](**(SHORT[args.name] if args.short else {}))
    figures["size"] = "short" if args.short else "full"
    figures["benchmark_wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
