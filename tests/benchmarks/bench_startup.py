"""The ``startup`` benchmark: cold start to the first painted window vs a bare ``QMainWindow``."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.benchmarks.base import HERE, ROOT, child_env


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
    env = child_env()
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
