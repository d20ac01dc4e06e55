"""The ``startup`` benchmark: cold start to the first painted window vs a bare ``QMainWindow``,
and to the window being ready for input (so a fast first paint is never bought with a slower
usable window).

Bytecode as an installed app has it: every child compiles into one ``PYTHONPYCACHEPREFIX``
directory of this run (the warm-up run of each kind fills it; the measured runs read it), as an
installed package or the frozen bundle ships compiled modules. Nothing is written into the
source tree, and the cache goes with the run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.benchmarks.base import HERE, ROOT, child_env


def _startup_seconds(kind: str, env: dict[str, str], data: str) -> tuple[float, float]:
    """Seconds from the process start to its first paint, and to its window being ready
    (``startup_probe.py``: a bare window is ready when painted)."""
    started = time.time()
    result = subprocess.run([sys.executable, str(HERE / "startup_probe.py"), kind, data],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    stamps = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("first-paint", "ready"):
            stamps[name] = float(value) - started
    if len(stamps) < 2:
        raise RuntimeError(f"{kind} never painted or never got ready: {result.stdout[-500:]} "
                           f"{result.stderr[-1500:]}")
    return stamps["first-paint"], stamps["ready"]


def startup(runs: int = 7) -> dict[str, Any]:
    """Cold start to the first painted main window, and to the window ready for input:
    Creatify Studio vs a bare QMainWindow, both with their bytecode compiled by one warm-up."""
    with tempfile.TemporaryDirectory(prefix="startup-pyc-") as pycache, \
            tempfile.TemporaryDirectory(prefix="startup-data-") as data:
        return _startup(runs, pycache, data)


def _startup(runs: int, pycache: str, data: str) -> dict[str, Any]:
    env = child_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, into the run's own cache
    env["PYTHONPYCACHEPREFIX"] = pycache
    env.pop("CREATIFY_API_ID", None)
    env.pop("CREATIFY_API_KEY", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    # Warm the disk cache and compile the bytecode, for both; the app's warm-up run also
    # leaves its settings saved, so the measured runs start as a returning creator's does.
    _startup_seconds("bare", env, data)
    _startup_seconds("app", env, data)
    bare, app, ready = [], [], []
    for _ in range(runs):  # interleaved, so drifting machine load hits both alike
        bare.append(_startup_seconds("bare", env, data)[0])
        painted, usable = _startup_seconds("app", env, data)
        app.append(painted)
        ready.append(usable)
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    ready_median = statistics.median(ready)
    return {
        "benchmark": "startup",
        "platform": env["QT_QPA_PLATFORM"],
        "runs": runs,
        "bytecode": "cached after one warm-up",
        "data": "the settings the warm-up run saved (a returning creator's start)",
        "app_first_paint_s_median": round(app_median, 3),
        "bare_qmainwindow_first_paint_s_median": round(bare_median, 3),
        "ratio_app_to_bare": round(app_median / bare_median, 2),
        "app_ready_s_median": round(ready_median, 3),
        "ratio_app_ready_to_bare": round(ready_median / bare_median, 2),
        "app_runs_s": [round(x, 3) for x in app],
        "app_ready_runs_s": [round(x, 3) for x in ready],
        "bare_runs_s": [round(x, 3) for x in bare],
    }
