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


BENCHMARKS: dict[str, Callable[[], dict[str, Any]]] = {"startup": startup, "sandbox": sandbox}


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
