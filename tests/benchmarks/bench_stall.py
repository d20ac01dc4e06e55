"""The ``gui_stall`` benchmark: event-loop stalls of the real window while 1,000 jobs are sent
and followed."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.base import today
from tests.benchmarks.common import (
    StallProbe,
    build_studio,
    close_studio,
    ratio,
    run_on_qasync,
    sample_values,
)

STALL_MIX = ("url_to_video", "avatar_v1", "ai_shorts", "aurora_fast")
"""Generators whose jobs run 60–120 s (Creatify time): at speed 1 all 1,000 are still active
when the last one has been submitted."""


async def _drop_phase(window: Any, urls: int = 1000, after_s: float = 5.0) -> dict[str, Any]:
    """``gui_stall``'s second phase: a batch of 1,000 URLs dropped on the window (real drag-enter
    and drop events carrying text, 0.1 s apart) while the first phase's jobs are still in its
    queue: the time from the drop until the batch sheet is shown and priced, and the probe's
    stalls from before the drag entered to ``after_s`` seconds after the drop."""
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
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    # A hand takes a moment between entering the window and letting go: the drag's reading
    # (on entering) and the drop are separate moments of the loop, as they are for a creator.
    await asyncio.sleep(0.1)
    started = time.perf_counter()
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
        from ui.service import Mode

        with tempfile.TemporaryDirectory() as folder:
            # The window's own simulator, in its own process as the app runs it, with credits
            # for 1,000 jobs.
            studio = build_studio(Path(folder), sandbox_speed=speed, sandbox_balance=10**9,
                                  sandbox_seed=1)
            service = studio.service
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
            "checked_at": today(),
        }

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- download -------------------------------------------------------------------------------
