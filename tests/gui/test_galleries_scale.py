"""A thousand avatars in the gallery: only the cards on screen fetch their pictures, scrolling
to the end fetches only what comes into view, and the timings are printed (run with ``-s``)
for docs/PERFORMANCE.md. The pictures come from the simulator's media over loopback.
"""

from __future__ import annotations

import time
from pathlib import Path

from app.galleries import AvatarCard
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, connect_to, studio  # noqa: F401
from ui.galleries.avatars import AvatarGallery

COUNT = 1000


def cards(base_url: str) -> list[AvatarCard]:
    genders = ("f", "m", "nb")
    return [AvatarCard(id=f"a{i:04d}", name=f"Avatar {i:04d}", gender=genders[i % 3],
                       age_range="adult", location="indoor", style="selfie",
                       image=f"{base_url}/media/personas/a{i:04d}_1_1.png",
                       search=f"avatar {i:04d}") for i in range(COUNT)]


async def test_a_thousand_avatars_fetch_only_what_is_seen(studio: Studio,  # noqa: F811
                                                         simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    gallery = AvatarGallery(studio.service)
    gallery.resize(1280, 800)
    gallery.show()
    await until(lambda: gallery.model.rowCount() > 0, timeout=10)
    await idle()  # the gallery's own reading of the catalogue has landed
    started = time.perf_counter()
    gallery.all_cards = cards(simulator.base_url)
    gallery.refilter()
    gallery.view.doItemsLayout()  # laid out and painted now (never processEvents() here:
    gallery.view.viewport().repaint()  # it would nest the event loop)
    shown_ms = (time.perf_counter() - started) * 1000
    assert gallery.model.rowCount() == COUNT
    await until(lambda: gallery.images.loading == 0 and gallery.images.from_network > 0,
                timeout=15, message="first pictures not loaded")
    first_screen = len(gallery.images.source)
    assert 0 < first_screen < 60  # a screenful, not a thousand

    # Scroll to the end a page at a time, timing each repaint.
    bar = gallery.view.verticalScrollBar()
    steps = []
    while bar.value() < bar.maximum():
        started = time.perf_counter()
        bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        gallery.view.viewport().repaint()
        steps.append((time.perf_counter() - started) * 1000)
    await until(lambda: gallery.images.loading == 0, timeout=30, message="pictures pending")
    assert len(steps) > 20
    # Every card came into view once: each fetched its picture once, none twice.
    asked = [path for method, path in simulator.request_log
             if method == "GET" and path.startswith("/media/personas/a")]
    assert len(asked) == len(set(asked)) <= COUNT

    # Back to the top: the pictures are in memory or on disk, nothing is fetched again.
    before = len(asked)
    bar.setValue(0)
    gallery.view.viewport().repaint()
    await until(lambda: gallery.images.loading == 0, timeout=15)
    again = [path for method, path in simulator.request_log
             if method == "GET" and path.startswith("/media/personas/a")]
    assert len(again) >= before
    cached = sum(1 for _ in (studio.data_dir / "data" / "cache" / "images").rglob("*.img"))
    steps.sort()
    print(f"\n{COUNT} avatars: listed in {shown_ms:.1f} ms; first screen {first_screen} "
          f"pictures; {len(steps)} page scrolls, repaint median {steps[len(steps) // 2]:.1f} ms, "
          f"worst {steps[-1]:.1f} ms; {before} pictures fetched, {cached} kept on disk")
    gallery.close()
    gallery.deleteLater()
    await idle()


def test_module_is_short() -> None:
    assert len(Path(__file__).read_text().splitlines()) < 400
