"""Child process of the ledger benchmark: ``ledger_probe.py FOLDER PORT``; prints one JSON line.

The real window (settings and data under FOLDER, whose ``data/jobs.sqlite3`` is the ledger)
is shown; then it connects to a simulator on PORT the way stored credentials do
(``StudioService.use_credentials``), which opens the ledger and has the queue show its
history. Measured from that call: the first paint of the queue's table after its model was
reset (the rows are on screen), the connection being ready, every row of the history in
the list (the older jobs are added after the first rows) and the event loop's longest stall
meanwhile (a 5 ms timer's lateness, from the first rows on), a scroll to the end of the list
and its paint, and the resident memory (VmRSS sampled every 5 ms) from just before to the peak
and to the end (thumbnails of the rows in view loaded).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import (  # noqa: E402
    PaintWatch,
    PeakRss,
    StallProbe,
    build_studio,
    close_studio,
    max_rss_kib,
    run_on_qasync,
)


async def measure(folder: Path, port: int) -> dict[str, Any]:
    from app.credentials import Credentials
    from app.sandbox import Sandbox

    sandbox = Sandbox(port=port, seed=3)
    sandbox.start()
    studio = build_studio(folder)
    try:
        queue = studio.window.queue
        await asyncio.sleep(1.0)  # the window is up and painted
        resets: list[float] = []
        queue.model.modelReset.connect(lambda: resets.append(time.perf_counter()))
        watch = PaintWatch(queue.view.viewport())
        gc.collect()
        with PeakRss() as rss:
            stalls = StallProbe(interval_ms=5)
            shown = watch.arm(when=lambda: bool(resets))
            started = time.perf_counter()
            connecting = asyncio.ensure_future(studio.service.use_credentials(
                Credentials("sandbox", "sandbox"), sandbox.base_url))
            first_rows = await asyncio.wait_for(shown, 300)
            stalls.start()  # (the older jobs are read and added from here on)
            await asyncio.wait_for(connecting, 300)
            connected = time.perf_counter()
            while queue.loading:
                await asyncio.sleep(0.002)
            all_rows = time.perf_counter()
            stall = stalls.stop()
            ledger = studio.service.session.ledger
            if ledger is None:
                raise RuntimeError("no ledger after connecting")
            rows = queue.proxy.rowCount()
            scroll_ms = None
            if queue.view.verticalScrollBar().maximum() > 0:  # more rows than fit
                at_end = watch.arm()
                scrolling = time.perf_counter()
                queue.view.scrollToBottom()
                scroll_ms = (await asyncio.wait_for(at_end, 60) - scrolling) * 1000
            await asyncio.sleep(1.0)  # thumbnails of the rows in view arrive
        return {"first_rows_s": first_rows - started, "connected_s": connected - started,
                "scroll_to_end_ms": scroll_ms, "all_rows_s": all_rows - started,
                "rest_stall_max_ms": stall["max_ms"], "rest_stall_p99_ms": stall["p99_ms"],
                "model_reset_s": resets[0] - started, "rows_shown": rows,
                "ledger_jobs": ledger.count(), "rss_start_kib": rss.start_kib,
                "rss_peak_kib": rss.peak_kib, "rss_after_kib": rss.end_kib,
                "rss_growth_kib": rss.growth_kib, "max_rss_kib": max_rss_kib()}
    finally:
        await close_studio(studio)
        sandbox.stop()


def main(argv: list[str]) -> int:
    folder, port = Path(argv[0]), int(argv[1])
    figures: dict[str, Any] = run_on_qasync(lambda: measure(folder, port))
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
