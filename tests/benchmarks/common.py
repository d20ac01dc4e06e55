"""Shared pieces of the benchmarks: percentiles, memory readings, the event-loop stall probe,
and the real window (``MainWindow`` + ``StudioService``) against a simulator.

Qt is imported inside the functions that need it, so benchmarks without a window
(``sandbox``, ``download``) never load it.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.api.client import CreatifyClient
    from ui.service import StudioService
    from ui.window.main_window import MainWindow


# ---- numbers --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; 0.0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(values: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    """Count, median, p95, p99 and max of ``values`` (rounded)."""
    return {"n": len(values),
            "median": round(statistics.median(values), digits) if values else 0.0,
            "p95": round(percentile(values, 0.95), digits),
            "p99": round(percentile(values, 0.99), digits),
            "max": round(max(values, default=0.0), digits)}


def ratio(numerator: float, denominator: float, digits: int = 2) -> float | None:
    """``numerator / denominator``, or None when the denominator is 0 (nothing to compare)."""
    return round(numerator / denominator, digits) if denominator > 0 else None


# ---- memory ---------------------------------------------------------------------------------


def rss_kib() -> int:
    """This process's resident set now (``VmRSS`` in /proc/self/status), KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def max_rss_kib() -> int:
    """The most this process has ever had resident (``ru_maxrss``), KiB."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class PeakRss:
    """Samples ``VmRSS`` every ``interval`` seconds in a thread while the block runs:
    ``start_kib``, ``peak_kib``, ``end_kib`` and ``growth_kib`` (peak − start)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.start_kib = self.peak_kib = self.end_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_kib = max(self.peak_kib, rss_kib())
            self.samples += 1

    def __enter__(self) -> PeakRss:
        self.start_kib = self.peak_kib = rss_kib()
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.end_kib = rss_kib()
        self.peak_kib = max(self.peak_kib, self.end_kib)

    @property
    def growth_kib(self) -> int:
        return self.peak_kib - self.start_kib


# ---- the event loop's stalls ----------------------------------------------------------------


class StallProbe:
    """A precise ``interval_ms`` QTimer on the running (qasync) loop. Each tick records how
    much later than due it came: the time the loop was busy with something else."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._lateness: list[float] = []
        self._started = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self._lateness.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self._last = now

    def start(self) -> None:
        self._lateness = []
        self._started = self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> dict[str, float | int]:
        """Stop; the phase's figures: seconds, ticks, p50/p99/max stall in ms."""
        self._timer.stop()
        seconds = time.perf_counter() - self._started
        late = self._lateness
        return {"seconds": round(seconds, 1), "ticks": len(late),
                "ticks_expected": int(seconds * 1000 / self.interval_ms),
                "p50_ms": round(percentile(late, 0.50), 2),
                "p99_ms": round(percentile(late, 0.99), 1),
                "max_ms": round(max(late, default=0.0), 1)}


# ---- painting -------------------------------------------------------------------------------


class PaintWatch:
    """Resolves a future at the next Paint event of ``widget`` after :meth:`arm`."""

    def __init__(self, widget: QWidget) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        outer = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                waiting = outer._waiting
                if (waiting is not None and event.type() == paint and not waiting.done()
                        and (outer._when is None or outer._when())):
                    waiting.set_result(time.perf_counter())
                return False

        self._waiting: asyncio.Future[float] | None = None
        self._when: Callable[[], bool] | None = None
        self._filter = Filter()
        widget.installEventFilter(self._filter)

    def arm(self, when: Callable[[], bool] | None = None) -> asyncio.Future[float]:
        """A future for the next paint (the next one at which ``when()`` is true); its result
        is the ``perf_counter()`` of the paint."""
        self._waiting = asyncio.get_running_loop().create_future()
        self._when = when
        return self._waiting


# ---- the real window ------------------------------------------------------------------------


@dataclass
class Studio:
    window: MainWindow
    service: StudioService
    folder: Path


def build_studio(folder: Path, *, sandbox_speed: float = 20.0,
                 auto_download: bool = False, sandbox_balance: int | None = None,
                 sandbox_seed: int | None = None) -> Studio:
    """The real window and service, as ``ui.main`` makes them, with settings and data under
    ``folder`` and an in-memory keyring; shown. Call inside a running qasync loop.

    ``use_sandbox`` then starts the simulator as the app does, in a child process;
    ``sandbox_balance`` and ``sandbox_seed`` shape its fresh account."""
    from PySide6.QtWidgets import QApplication

    from app.credentials import CredentialStore
    from app.session._sandbox_process import SandboxProcess
    from app.settings import Settings, SettingsStore
    from tests.samples import MemoryKeyring
    from ui.service import StudioService
    from ui.window.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    service = StudioService(folder / "output", data_dir=folder / "data",
                            auto_download=auto_download, sandbox_speed=sandbox_speed)
    service.session.sandbox_process = SandboxProcess(
        speed=sandbox_speed, state_path=service.session.sandbox_state_path,
        balance=sandbox_balance, seed=sandbox_seed)
    window = MainWindow(service, SettingsStore(folder / "config" / "settings.json"),
                        Settings(auto_download=auto_download),
                        CredentialStore(backend=MemoryKeyring(), trust_backend=True),
                        str(folder / "output"))
    window.show()
    from ui.common.background import freeze_heap

    freeze_heap()  # as ui.main does once the window is attached
    return Studio(window, service, folder)


async def close_studio(studio: Studio) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    await studio.service.aclose()
    studio.window.close()
    studio.window.deleteLater()
    await asyncio.sleep(0)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def run_on_qasync[T](main: Any) -> T:
    """``asyncio.run(main())`` on a qasync loop over the (one) QApplication."""
    import os
    import sys

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    result: T = asyncio.run(main(), loop_factory=qasync.QEventLoop)
    return result


# ---- job inputs -----------------------------------------------------------------------------


async def sample_values(client: CreatifyClient, base_url: str) -> dict[str, dict[str, Any]]:
    """Valid form values (on top of each spec's defaults) for the generators the benchmarks
    submit, with ids fetched from the simulator."""
    from tests.samples import SCRIPT_31S

    link = await client.create_link("https://shop.example.com/p")
    accent = (await client.voices())[0]["accents"][0]["id"]
    persona = (await client.personas())[0]["id"]
    media = f"{base_url}/media/samples"
    return {
        "text_to_speech": {"script": SCRIPT_31S, "accent": accent},
        "url_to_video": {"link": link.id, "video_length": 30},
        "avatar_v1": {"creator": persona, "text": SCRIPT_31S},
        "ai_shorts": {"script": SCRIPT_31S, "aspect_ratio": "9x16", "style": "Cinematic"},
        "aurora_fast": {"image": f"{media}/sample.png",
                        "audio": f"{media}/sample.mp3?duration=20"},
    }
