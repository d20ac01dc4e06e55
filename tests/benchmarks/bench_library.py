"""The ``library`` benchmark: the Library window over a history of 1,000 finished jobs — time
to the first cards, the whole history in the grid, and the event loop's stalls while the grid
is scrolled from top to bottom (posters loading as they come into view), next to the same
window idle.

The ledger is the ``ledger`` benchmark's (:func:`tests.benchmarks.bench_ledger._build_ledger`:
real jobs made by the app's JobManager against a simulator, cloned; 1 in 20 failed, so 950
results), opened by the real window connecting to a simulator on the same port, in a child
process (so the jobs' thumbnail URLs answer). The library is opened twice in the same process:
``cold`` (no poster on disk yet: each thumbnail is fetched, decoded, scaled and kept) and
``warm`` (a new window, the posters read back from the disk cache).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.base import ROOT, child_env, today
from tests.benchmarks.common import (
    PaintWatch,
    StallProbe,
    build_studio,
    close_studio,
    run_on_qasync,
)

SCROLL_STEP_PX = 120
"""One wheel notch's worth of pixels per step…"""
STEP_MS = 16
"""…one step per frame (60 per second): a fast, steady scroll."""


async def _scroll(window: Any, step_px: int, step_ms: int) -> dict[str, Any]:
    """Scroll the library's grid from top to bottom; the probe's stalls meanwhile."""
    bar = window.view.verticalScrollBar()
    bar.setValue(0)
    await asyncio.sleep(0.3)
    probe = StallProbe(interval_ms=5)
    probe.start()
    started = time.perf_counter()
    steps = 0
    while bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + step_px))
        steps += 1
        await asyncio.sleep(step_ms / 1000)
    scrolled_s = time.perf_counter() - started
    await asyncio.sleep(0.5)  # the last screenful's posters arrive
    stall = probe.stop()
    return {"steps": steps, "scroll_px": bar.maximum(), "scroll_s": round(scrolled_s, 2),
            "stall_p50_ms": stall["p50_ms"], "stall_p99_ms": stall["p99_ms"],
            "stall_max_ms": stall["max_ms"],
            "posters_shown": len(window.posters._pixmaps)}


async def _open(studio: Any) -> tuple[Any, dict[str, Any]]:
    """Open a new Library window; time to its first painted cards and to the whole history,
    and the loop's longest stall meanwhile."""
    from ui.library import LibraryWindow

    probe = StallProbe(interval_ms=5)
    probe.start()
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    window = LibraryWindow(studio.service, studio.window)
    window.resize(1280, 800)
    watch = PaintWatch(window.view.viewport())
    first = watch.arm(when=lambda: window.model.rowCount() > 0)
    window.show()
    built_ms = (time.perf_counter() - started) * 1000
    first_cards = await asyncio.wait_for(first, 60)
    while window.loading:
        await asyncio.sleep(0.002)
    all_items = time.perf_counter()
    await asyncio.sleep(0.5)
    stall = probe.stop()
    return window, {"built_ms": round(built_ms, 1),
                    "first_cards_ms": round((first_cards - started) * 1000, 1),
                    "all_items_ms": round((all_items - started) * 1000, 1),
                    "items": window.model.rowCount(),
                    "open_stall_max_ms": stall["max_ms"], "open_stall_p99_ms": stall["p99_ms"]}


def _start_simulator(port: int) -> subprocess.Popen[str]:
    """The simulator in a child process, as the app runs it (its serving threads do not take
    the window's interpreter lock, as Creatify's servers would not)."""
    child = subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", str(port),
                              "--seed", "3"], cwd=ROOT, env=child_env(),
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    if "listening" not in line:
        child.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return child


async def _measure(folder: Path, port: int, idle_s: float, step_px: int,
                   step_ms: int) -> dict[str, Any]:
    from app.credentials import Credentials

    simulator = _start_simulator(port)
    base_url = f"http://127.0.0.1:{port}"
    studio = build_studio(folder)
    figures: dict[str, Any] = {}
    try:
        await studio.service.use_credentials(Credentials("sandbox", "sandbox"), base_url)
        queue = studio.window.queue
        while queue.loading:  # the Jobs list's own history load is not measured
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)
        probe = StallProbe(interval_ms=5)
        probe.start()
        await asyncio.sleep(idle_s)
        idle = probe.stop()
        figures.update({"idle_stall_p50_ms": idle["p50_ms"], "idle_stall_p99_ms": idle["p99_ms"],
                        "idle_stall_max_ms": idle["max_ms"]})
        for phase in ("cold", "warm"):
            window, opened = await _open(studio)
            scrolled = await _scroll(window, step_px, step_ms)
            figures.update({f"{phase}_{name}": value
                            for name, value in {**opened, **scrolled}.items()})
            window.close()
            window.deleteLater()
            await asyncio.sleep(0.3)
        return figures
    finally:
        await close_studio(studio)
        simulator.terminate()
        simulator.wait(10)


def library(jobs: int = 1000, runs: int = 3, idle_s: float = 3.0,
            step_px: int = SCROLL_STEP_PX, step_ms: int = STEP_MS) -> dict[str, Any]:
    """The Library over ``jobs`` finished jobs: opened and scrolled top to bottom, cold and
    warm poster cache, against the loop idle; ``runs`` times (each over a fresh copy of the
    ledger and an empty poster cache), the medians reported and each run's figures kept."""
    from tests.benchmarks.bench_ledger import _build_ledger, _free_port

    port = _free_port()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        source = folder / "jobs.sqlite3"
        built = _build_ledger(source, jobs, port)
        for number in range(runs):
            run = folder / f"run{number}"
            (run / "data").mkdir(parents=True)
            shutil.copyfile(source, run / "data" / "jobs.sqlite3")
            results.append(run_on_qasync(
                lambda run=run: _measure(run, port, idle_s, step_px, step_ms)))
            shutil.rmtree(run, ignore_errors=True)
    figures: dict[str, Any] = {"benchmark": "library", "jobs": built["jobs"], "runs": runs,
                               "step_px": step_px, "step_ms": step_ms}
    for name in results[0]:
        values = [r[name] for r in results]
        figures[name] = round(statistics.median(values), 1) if name.endswith("_ms") \
            or name.endswith("_s") else values[0]
    for phase in ("cold", "warm"):
        figures[f"{phase}_stall_max_ms_runs"] = [r[f"{phase}_stall_max_ms"] for r in results]
        figures[f"{phase}_open_stall_max_ms_runs"] = [r[f"{phase}_open_stall_max_ms"]
                                                      for r in results]
    figures["target_met"] = all(figures[f"{phase}_{stage}stall_p99_ms"] <= 16
                                and figures[f"{phase}_{stage}stall_max_ms"] <= 50
                                for phase in ("cold", "warm") for stage in ("", "open_"))
    figures["note"] = ("medians of the runs; target: opening and scrolling each stall p99 <= 16 "
                       "ms, max <= 50 ms; the real window over a cloned ledger (1 in 20 "
                       "jobs failed: not in the library); stalls are a 5 ms timer's lateness; "
                       "scrolling moves the grid's scroll bar one step per frame; cold: no "
                       "poster on disk yet, warm: a new window, posters read from disk")
    figures["checked_at"] = today()
    return figures
