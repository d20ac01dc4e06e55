"""Take the README's screenshots of the real window, driven against the sandbox.

Usage (a virtual X screen is enough):
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py
Writes docs/screenshots/{welcome,url_to_video,url_to_video_options,text_to_speech,estimator,
queue,spending}.png. The Jobs panel shows a preview that is ready to render (selected, with its
detail line).

    ... docs/make_screenshots.py --review DIR
also writes the URL to Video options and the Jobs panel in the light and the dark theme, at
1280x800 and at a small 1024x640, into DIR (to check nothing is clipped).
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QScrollArea

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.api.snapshot import JobSnapshot, JobStatus  # noqa: E402
from app.credentials import CredentialStore  # noqa: E402
from app.generators import BY_KEY, Flow  # noqa: E402
from app.generators.quote import quote  # noqa: E402
from app.generators.quote_words import first_step_credits  # noqa: E402
from app.jobs.ledger import JobState, Ledger  # noqa: E402
from app.pricing import plan_by_key  # noqa: E402
from app.settings import Settings, SettingsStore  # noqa: E402
from app.spending import SpendingRow, spending_rows  # noqa: E402
from ui.common.theme import apply_theme  # noqa: E402
from ui.main import wire_window  # noqa: E402
from ui.service import Mode, StudioService  # noqa: E402
from ui.spending import SpendingWindow  # noqa: E402
from ui.window.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


async def settle(seconds: float = 0.6) -> None:
    await asyncio.sleep(seconds)  # Qt paints meanwhile (never processEvents() in a coroutine)


OPTIONS = ("no_background_music", "no_emotion", "no_cta", "no_stock_broll", "caption_style",
           "model_version")
"""URL to Video's settings the options screenshot shows (scrolled into view)."""

SIZES = ((1280, 800), (1024, 640))


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


async def review(window: MainWindow, out: Path, ready_key: str | None) -> None:
    """The options and the Jobs panel, light and dark, large and small."""
    out.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        apply_theme(theme)
        for width, height in SIZES:
            window.resize(width, height)
            show_options(window)
            await settle(0.8)
            window.grab().save(str(out / f"url_to_video_options_{theme}_{width}.png"))
            if ready_key is not None:
                window.queue_dock.show()
                window.queue.select(ready_key)
            await settle(0.5)
            window.grab().save(str(out / f"queue_{theme}_{width}.png"))
    apply_theme("light")


async def shoot(review_dir: Path | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        service = StudioService(Path(data) / "output")
        window = MainWindow(service, SettingsStore(Path(data) / "settings.json"), Settings(),
                            CredentialStore(), str(Path(data) / "output"))
        wire_window(window, service, "https://api.creatify.ai")
        window.resize(1280, 800)
        window.show()
        await settle()
        window.grab().save(str(OUT / "welcome.png"))

        window.welcome.sandbox_button.click()
        while service.mode != Mode.SANDBOX or service.credits is None:
            await asyncio.sleep(0.05)
        assert service.session.client is not None
        link = await service.session.client.create_link("https://shop.example.com/products/blue-mug")
        await service.fetch_credits()

        tab = window.tab("url_to_video")
        window.tabs.setCurrentWidget(tab)
        tab.form.set_values({"link": link.id, "video_length": 45, "aspect_ratio": "9x16",
                             "target_audience": "Coffee lovers", "script_style": "DIY"})
        await settle(1.5)
        window.grab().save(str(OUT / "url_to_video.png"))
        show_options(window)
        await settle(1.0)
        window.grab().save(str(OUT / "url_to_video_options.png"))

        tts = window.tab("text_to_speech")
        window.tabs.setCurrentWidget(tts)
        script = ("Meet the blue mug: double-walled, dishwasher safe and big enough for a "
                  "Monday. ") * 9
        voices = await service.session.client.voices()
        tts.form.set_values({"script": script, "accent": voices[1]["accents"][0]["id"]})
        await settle(1.5)
        window.grab().save(str(OUT / "text_to_speech.png"))
        tts.estimator.grab().save(str(OUT / "estimator.png"))

        u2v = window.show_generator("url_to_video")
        for length in (15, 30, 45):
            values = {**u2v.spec.defaults(), "link": link.id, "video_length": length}
            service.submit(u2v.spec, values,
                           estimate=quote(u2v.spec, values, length).credits)
        service.submit(tts.spec, tts.values(), estimate=tts.current_quote.credits
                       if tts.current_quote else None)
        # A preview first: it waits, ready to render (the panel offers Render…).
        values = {**u2v.spec.defaults(), "link": link.id, "video_length": 30}
        preview = await service.submit(u2v.spec, values, Flow.PREVIEW_RENDER,
                                       estimate=first_step_credits(quote(
                                           u2v.spec, values, 30, flow=Flow.PREVIEW_RENDER)))
        ready_key = preview.key if preview is not None else None
        for _ in range(200):
            if ready_key is None or service.session.ledger is None \
                    or service.session.ledger.get(ready_key).state is JobState.PREVIEW_READY:
                break
            await asyncio.sleep(0.1)
        await settle(2.5)
        window.tabs.setCurrentWidget(tts)
        if ready_key is not None:
            window.queue.select(ready_key)
        await settle(0.5)
        window.grab().save(str(OUT / "queue.png"))
        if review_dir is not None:
            await review(window, review_dir, ready_key)
        window.close()
        await service.aclose()
        await shoot_spending(Path(data))


# ---------------------------------------------------------------------------- spending

SPENDING_TODAY = date(2026, 5, 22)
"""The spending screenshot shows May 2026 up to the 22nd (a fixed month: the same picture
whenever it is taken)."""

# generator, title, estimate, how the actual differs (None: reported exactly), weight
_MONTH_JOBS = (
    ("url_to_video", "Blue mug — 30 s ad", "10", (0, 0, 0, 5), 5),
    ("text_to_speech", "Mug voice-over", "2", (0, 0, -1), 5),
    ("aurora", "Talking founder photo", "24", (0,), 2),
    ("avatar_v1", "Avatar explains the lid", "10", (0, 0, 5), 3),
    ("product_image", "Mug on a desk", "2", None, 3),
    ("text_generator", "Taglines", None, (1, 2, 3), 2),
    ("links", "shop.example.com/mug", "1", (0,), 2),
)


class _LedgerSource(QObject):
    """What the spending window needs of the service, over a ledger made up for the picture."""

    jobChanged = Signal(object)
    jobsReloaded = Signal()
    creditsChanged = Signal(object)
    modeChanged = Signal(str)

    def __init__(self, ledger: Ledger, output_dir: Path) -> None:
        super().__init__()
        self.ledger = ledger
        self.output_dir = output_dir

    def spending_since(self, since: datetime) -> tuple[
            list[SpendingRow], list[tuple[datetime, Decimal]]]:
        return spending_rows(self.ledger, since), self.ledger.balance_readings(since)


def fill_month(ledger: Ledger, clock: list[datetime]) -> None:
    """A plausible May on API Starter: a few jobs most working days, two failed Aurora jobs
    (refunded), a balance reading before each job."""
    rng = random.Random(7)
    balance = Decimal(500)
    weights = [job[4] for job in _MONTH_JOBS]
    for day in range(1, SPENDING_TODAY.day + 1):
        when = datetime(2026, 5, day, 8, 30, tzinfo=UTC)
        count = rng.choice((0, 1, 2, 3)) if when.weekday() < 5 else rng.choice((0, 0, 1))
        for number in range(count):
            key, title, estimate, drift, _ = rng.choices(_MONTH_JOBS, weights)[0]
            clock[0] = when + timedelta(hours=2 * number, minutes=rng.randrange(60))
            ledger.record_balance(balance, clock[0])
            resource = BY_KEY[key].resource.key
            record = ledger.begin_submit(
                generator=key, resource=resource, flow="create", title=title, request={},
                estimate=None if estimate is None else Decimal(estimate),
                balance_before=balance)
            server_id = f"{key}-{day}-{number}"
            ledger.mark_created(record.key, JobSnapshot(resource, server_id, JobStatus.RUNNING,
                                                        "running"))
            clock[0] += timedelta(minutes=rng.randint(2, 12))
            failed = key == "aurora" and day in (6, 14)
            used = None if drift is None or failed else \
                Decimal(estimate or 0) + rng.choice(drift)
            ledger.apply_snapshot(record.key, JobSnapshot(
                resource, server_id, JobStatus.FAILED if failed else JobStatus.DONE,
                "failed" if failed else "done", credits_used=used,
                failed_reason="Face not found in the image" if failed else None))
            balance -= used if used is not None else (0 if failed else Decimal(estimate or 0))
    clock[0] = datetime(2026, 5, SPENDING_TODAY.day, 17, tzinfo=UTC)
    ledger.record_balance(balance, clock[0])


async def shoot_spending(data: Path) -> None:
    clock = [datetime(2026, 5, 1, tzinfo=UTC)]
    with Ledger(data / "spending.sqlite3", clock=lambda: clock[0]) as ledger:
        fill_month(ledger, clock)
        window = SpendingWindow(_LedgerSource(ledger, data),
                                plan=lambda: plan_by_key("api_starter"), tz=UTC,
                                today=lambda: SPENDING_TODAY)
        window.resize(1180, 820)
        window.show()
        await settle(1.0)
        window.grab().save(str(OUT / "spending.png"))
        window.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    review_dir = None
    if "--review" in sys.argv:
        review_dir = Path(sys.argv[sys.argv.index("--review") + 1]).resolve()
    asyncio.run(shoot(review_dir), loop_factory=qasync.QEventLoop)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
