"""The ``estimator`` benchmark: input change to painted estimate vs a bare ``QLabel``."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.base import today
from tests.benchmarks.common import (
    PaintWatch,
    build_studio,
    close_studio,
    ratio,
    run_on_qasync,
    spread,
)


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
        result["checked_at"] = today()
        return result

    result: dict[str, Any] = run_on_qasync(run)
    return result


# ---- the command ----------------------------------------------------------------------------
