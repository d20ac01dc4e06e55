"""Take the README's screenshots of the real window, driven against the sandbox.

Usage (a virtual X screen is enough):
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py
Writes docs/screenshots/{welcome,url_to_video,text_to_speech,estimator,queue}.png.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.credentials import CredentialStore  # noqa: E402
from app.generators.quote import quote  # noqa: E402
from app.settings import Settings, SettingsStore  # noqa: E402
from ui.main import wire_window  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.service import Mode, StudioService  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


async def settle(seconds: float = 0.6) -> None:
    await asyncio.sleep(seconds)  # Qt paints meanwhile (never processEvents() in a coroutine)


async def shoot() -> None:
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
        assert service.client is not None
        link = await service.client.create_link("https://shop.example.com/products/blue-mug")
        await service.fetch_credits()

        tab = window.tab("url_to_video")
        window.tabs.setCurrentWidget(tab)
        tab.form.set_values({"link": link.id, "video_length": 45, "aspect_ratio": "9x16",
                             "target_audience": "Coffee lovers", "script_style": "DIY"})
        await settle(1.5)
        window.grab().save(str(OUT / "url_to_video.png"))

        tts = window.tab("text_to_speech")
        window.tabs.setCurrentWidget(tts)
        script = ("Meet the blue mug: double-walled, dishwasher safe and big enough for a "
                  "Monday. ") * 9
        voices = await service.client.voices()
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
        await settle(2.5)
        window.grab().save(str(OUT / "queue.png"))
        window.close()
        await service.aclose()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    asyncio.run(shoot(), loop_factory=qasync.QEventLoop)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
