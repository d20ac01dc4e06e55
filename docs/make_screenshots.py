"""Take the README's screenshots of the real window, driven against the sandbox.

One command (a virtual X screen is enough):
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py
rewrites docs/screenshots/ at 1280×800: the light theme as ``<name>.png``, the dark one as
``dark/<name>.png``. The shots: the welcome page; URL to Video filled in (and its options),
Text to Speech with a script, the estimate panel; one page per sidebar group
(``page_<group>.png``); the Jobs panel with jobs in every state — queued, running, a preview
ready to render (selected), done and failed (``queue.png``); the player of a finished video;
the batch sheet with a few product pages; spending; settings; the API credentials dialog.

    ... docs/make_screenshots.py --review DIR
also writes every shot, light and dark, at 1280×800 and at 1024×700 into DIR
(``<name>_<theme>_<width>.png``) to look for clipped text and overlaps.

Only the window's public methods are used (``show_generator``, ``open_settings``, ...), and
the service's for the jobs.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.batch import rows_from_text  # noqa: E402
from app.credentials import CredentialStore  # noqa: E402
from app.generators import SPECS, Flow  # noqa: E402
from app.generators.groups import grouped  # noqa: E402
from app.generators.quote import quote  # noqa: E402
from app.generators.quote_words import first_step_credits  # noqa: E402
from app.jobs.ledger import JobRecord, JobState  # noqa: E402
from app.settings import Settings, SettingsStore  # noqa: E402
from docs.screenshot_month import spending_window  # noqa: E402
from ui.common.theme import apply_theme  # noqa: E402
from ui.main import wire_window  # noqa: E402
from ui.service import Mode, StudioService  # noqa: E402
from ui.window.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)
REVIEW_SIZE = (1024, 700)
THEMES = ("light", "dark")
SANDBOX_SPEED = 3.0
"""Slow enough that a job just sent is still queued, and one sent before it running, while
the Jobs panel is photographed (a URL to Video job runs 30 s)."""

SCRIPT = ("Meet the blue mug: double-walled, dishwasher safe and big enough for a Monday. ") * 9
OPTIONS = ("no_background_music", "no_emotion", "no_cta", "no_stock_broll", "caption_style",
           "model_version")
"""URL to Video's settings the options screenshot shows (scrolled into view)."""


async def settle(seconds: float = 0.5) -> None:
    await asyncio.sleep(seconds)  # Qt paints meanwhile (never processEvents() in a coroutine)


class Camera:
    """Every shot in both themes, at 1280×800 (and 1024×700 for a review)."""

    def __init__(self, window: MainWindow, review: Path | None) -> None:
        self.window = window
        self.review = review
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "dark").mkdir(exist_ok=True)
        if review is not None:
            review.mkdir(parents=True, exist_ok=True)

    def _places(self, name: str, theme: str) -> Iterator[tuple[tuple[int, int], list[Path]]]:
        main = OUT / (f"{name}.png" if theme == "light" else f"dark/{name}.png")
        if self.review is None:
            yield SIZE, [main]
            return
        yield SIZE, [main, self.review / f"{name}_{theme}_{SIZE[0]}.png"]
        yield REVIEW_SIZE, [self.review / f"{name}_{theme}_{REVIEW_SIZE[0]}.png"]

    async def take(self, name: str, target: Callable[[], QWidget] | None = None, *,
                   wait: float = 0.5, prepare: Callable[[], object] | None = None) -> None:
        for theme in THEMES:
            apply_theme(theme)
            for size, paths in self._places(name, theme):
                self.window.resize(*size)
                if prepare is not None:
                    prepare()
                await settle(wait)
                image = (target() if target is not None else self.window).grab()
                for path in paths:
                    image.save(str(path))
        apply_theme("light")
        self.window.resize(*SIZE)


def new_top_level(before: set[QWidget]) -> QWidget:
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in before]
    if not shown:
        raise RuntimeError("the dialog did not open")
    return shown[-1]


async def dialog_shot(camera: Camera, name: str, open_it: Callable[[], object],
                      wait: float = 1.0) -> QWidget:
    """Open a dialog or window with a public window method, photograph it, close it."""
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    open_it()
    await settle(wait)
    dialog = new_top_level(before)
    await camera.take(name, lambda: dialog, wait=0.4)
    dialog.close()
    await settle(0.3)
    return dialog


def show_options(window: MainWindow) -> None:
    """URL to Video with its newer settings set and scrolled into view."""
    tab = window.show_generator("url_to_video")
    tab.form.set_values({"no_background_music": True, "no_cta": True,
                         "model_version": "aurora_v2"})
    toggle = getattr(tab.form, "advanced_toggle", None)
    if toggle is not None:
        toggle.setChecked(True)
    scroll = tab.findChild(QScrollArea, "scroll_url_to_video")
    editors = [tab.form.editors[name] for name in OPTIONS if name in tab.form.editors]
    if scroll is not None and editors:
        scroll.ensureWidgetVisible(editors[-1])
        scroll.ensureWidgetVisible(editors[0])


class Jobs:
    """Jobs sent to the sandbox the way the window sends them (each with its quote)."""

    def __init__(self, service: StudioService) -> None:
        self.service = service
        self.spec = next(spec for spec in SPECS if spec.key == "url_to_video")

    def video_values(self, product: str, length: int) -> dict[str, Any]:
        page = f"https://shop.example.com/products/{product}"
        return {**self.spec.with_page(self.spec.defaults(), page), "video_length": length}

    async def video(self, product: str, length: int,
                    flow: Flow = Flow.CREATE) -> JobRecord | None:
        values = self.video_values(product, length)
        priced = quote(self.spec, values, length, flow=flow)
        estimate = first_step_credits(priced) if flow is Flow.PREVIEW_RENDER else priced.credits
        return await self.service.submit(self.spec, values, flow, estimate=estimate)

    async def failing(self) -> JobRecord | None:
        """A job the sandbox will fail (its fault switch on for this one create only)."""
        sandbox = self.service.session.sandbox
        if sandbox is None:
            return None
        sandbox.set_faults(fail_rate=1.0)
        try:
            return await self.video("travel-mug", 15)
        finally:
            sandbox.set_faults(fail_rate=0.0)

    def state(self, record: JobRecord | None) -> JobRecord | None:
        if record is None:
            return None
        return next((r for r in self.service.jobs_page() if r.key == record.key), None)

    async def until(self, record: JobRecord | None, test: Callable[[JobRecord], bool],
                    seconds: float = 90) -> JobRecord | None:
        for _ in range(int(seconds * 10)):
            current = self.state(record)
            if current is None or test(current):
                return current
            await asyncio.sleep(0.1)
        return self.state(record)


async def shoot(review: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as data:
        service = StudioService(Path(data) / "output", sandbox_speed=SANDBOX_SPEED)
        window = MainWindow(service, SettingsStore(Path(data) / "settings.json"), Settings(),
                            CredentialStore(), str(Path(data) / "output"))
        wire_window(window, service, "https://api.creatify.ai")
        window.resize(*SIZE)
        window.show()
        camera = Camera(window, review)
        await settle()
        await camera.take("welcome")

        window.welcome.sandbox_button.click()
        while service.mode != Mode.SANDBOX or service.credits is None:
            await asyncio.sleep(0.05)
        assert service.session.client is not None
        jobs = Jobs(service)
        # Sent first: they have finished (or failed, or wait as a preview) by the Jobs shot.
        done = await jobs.video("blue-mug", 15)
        failed = await jobs.failing()
        preview = await jobs.video("teapot", 30, Flow.PREVIEW_RENDER)

        tab = window.show_generator("url_to_video")
        tab.form.set_values({**jobs.video_values("blue-mug", 45), "aspect_ratio": "9x16",
                             "target_audience": "Coffee lovers", "script_style": "DIY"})
        await camera.take("url_to_video", wait=1.0,
                          prepare=lambda: window.show_generator("url_to_video"))
        await camera.take("url_to_video_options", wait=1.0, prepare=lambda: show_options(window))

        tts = window.show_generator("text_to_speech")
        voices = await service.session.client.voices()
        tts.form.set_values({"script": SCRIPT, "accent": voices[1]["accents"][0]["id"]})
        await camera.take("text_to_speech", wait=1.0,
                          prepare=lambda: window.show_generator("text_to_speech"))
        await camera.take("estimator", lambda: tts.estimator)
        for group, specs in grouped(SPECS):
            await camera.take(f"page_{group.key}", wait=0.8,
                              prepare=partial(window.show_generator, specs[0].key))

        await jobs.until(done, lambda r: bool(r.download_path) or r.state is JobState.FAILED)
        await jobs.until(failed, lambda r: r.state.is_terminal)
        ready = await jobs.until(preview, lambda r: r.state is JobState.PREVIEW_READY)
        running = await jobs.video("coffee-grinder", 60)
        await jobs.until(running, lambda r: r.state is JobState.RUNNING, seconds=20)
        await jobs.video("milk-frother", 45)  # just sent: still queued for the shot

        def jobs_view() -> None:
            window.show_generator("text_to_speech")
            window.queue_dock.show()
            if ready is not None:
                window.queue.select(ready.key)
        await camera.take("queue", wait=0.6, prepare=jobs_view)

        finished = jobs.state(done)
        if finished is not None and finished.download_path:
            record: JobRecord = finished
            await dialog_shot(camera, "player", lambda: window.preview(record), wait=2.0)
        urls = "\n".join(f"https://shop.example.com/products/mug-{n}" for n in range(1, 6))
        await dialog_shot(camera, "batch",
                          lambda: window.open_batch("url_to_video", rows_from_text(urls)))
        await dialog_shot(camera, "settings", window.open_settings)
        await dialog_shot(camera, "credentials", window.open_credentials)
        window.close()
        await service.aclose()
        month = spending_window(Path(data))
        month.resize(1180, 820)
        month.show()
        await camera.take("spending", lambda: month, wait=1.0)
        month.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    review = None
    if "--review" in sys.argv:
        review = Path(sys.argv[sys.argv.index("--review") + 1]).resolve()
    asyncio.run(shoot(review), loop_factory=qasync.QEventLoop)
    print(f"screenshots written to {OUT}" + (f" and {review}" if review else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
