"""The queue panel and the preview, in the real window against the simulator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.generators import SPECS, spec
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, connect_to, simulator, studio  # noqa: F401
from tests.samples import valid_values
from ui.queue_model import COL_STATUS, HEADERS
from ui.queue_panel import QueuePanel


async def run_jobs(studio: Studio, simulator: Sandbox,  # noqa: F811
                   keys: tuple[str, ...]) -> list[JobRecord]:
    inputs = await connect_to(studio, simulator)
    service = studio.service
    records = []
    for key in keys:
        gen = spec(key)
        values: dict[str, Any] = {**gen.defaults(), **valid_values(key, inputs)}
        record = await service.submit(gen, values, estimate=Decimal(1))
        assert record is not None
        records.append(record)
    ledger = service.ledger
    assert ledger is not None

    def settled() -> bool:
        now = [ledger.get(r.key) for r in records]
        return all(r.state.is_terminal and (not r.result_urls or r.download_state in (
            DownloadState.DONE, DownloadState.FAILED)) for r in now)
    await until(settled, timeout=20)
    return [ledger.get(r.key) for r in records]


def rows(panel: QueuePanel) -> list[JobRecord]:
    return [panel.model.record(r) for r in range(panel.model.rowCount())]


def visible(panel: QueuePanel) -> int:
    return panel.proxy.rowCount()


async def test_queue_lists_jobs_and_filters(studio: Studio,  # noqa: F811
                                            simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    records = await run_jobs(studio, simulator, ("url_to_video", "text_to_speech", "links"))
    panel = studio.window.queue
    assert {r.key for r in rows(panel)} >= {r.key for r in records}
    assert panel.model.columnCount() == len(HEADERS) == 9
    by_key = {r.key: r for r in rows(panel)}
    for record in records:
        assert by_key[record.key].state is JobState.DONE
        row = panel.model.row_of(record.key)
        assert row is not None
        assert panel.model.index(row, COL_STATUS).data() == "Done"
    video_row = panel.model.row_of(records[0].key)
    assert video_row is not None and records[0].thumbnails
    thumb = panel.model.index(video_row, 0)
    thumb.data(Qt.ItemDataRole.DecorationRole)  # asks for it; it arrives asynchronously
    await until(lambda: thumb.data(Qt.ItemDataRole.DecorationRole) is not None)
    total = visible(panel)
    panel.search.setText("shop.example.com")
    assert 1 <= visible(panel) < total
    panel.search.clear()
    panel.group.setCurrentIndex(panel.group.findData("Problems"))
    assert visible(panel) == 0
    panel.group.setCurrentIndex(panel.group.findData("Finished"))
    assert visible(panel) == total
    panel.generator.setCurrentIndex(panel.generator.findData("links"))
    assert visible(panel) == 1
    panel.view.grab()  # the progress delegate paints without a widget per row
    await idle()


async def test_actions_preview_remove_and_retry(studio: Studio,  # noqa: F811
                                                simulator: Sandbox,  # noqa: F811
                                                tmp_path: Path) -> None:
    video, audio, image = await run_jobs(studio, simulator,
                                         ("url_to_video", "text_to_speech", "product_image"))
    window = studio.window
    panel = window.queue
    actions = {name: enabled for name, _label, _h, enabled in panel.actions_for(video)}
    assert actions["job_preview"] and actions["job_open"] and actions["job_download"]
    assert not actions["job_look_again"] and not actions["job_stop"]

    dialog = window.preview(video)
    await until(lambda: dialog.duration_ms > 0 or bool(dialog.problem), timeout=15)
    assert dialog.kind == "video" and dialog.duration_ms == 3000, dialog.problem
    dialog.close()
    sound = window.preview(audio)
    await until(lambda: sound.duration_ms > 0 or bool(sound.problem), timeout=15)
    assert sound.kind == "audio" and sound.duration_ms == 3000, sound.problem
    sound.close()
    picture = window.preview(image)
    assert picture.kind == "image" and not picture.image.pixmap().isNull()
    picture.close()

    panel.remove(video.key)
    assert panel.model.row_of(video.key) is None
    assert studio.service.ledger is not None and studio.service.ledger.get(video.key).hidden
    panel.undo_remove()
    await until(lambda: panel.model.row_of(video.key) is not None)

    window.retry(video)
    tab = window.current_tab()
    assert tab is not None and tab.spec.key == "url_to_video"
    assert tab.values()["link"] == video.request["link"]
    await idle()


async def test_notifications_follow_the_settings(studio: Studio,  # noqa: F811
                                                 simulator: Sandbox) -> None:  # noqa: F811
    messages: list[str] = []
    studio.window.statusBar().messageChanged.connect(messages.append)
    await run_jobs(studio, simulator, ("links",))
    assert any("is ready" in m for m in messages)
    await idle()


async def test_fifty_jobs_across_all_generators_through_the_window(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    others = [s.key for s in SPECS if s.key not in ("text_generator", "product_video")]
    keys = (*(others * 4)[:49], "product_video")
    records = await run_jobs(studio, simulator, keys)
    assert len(records) == 50
    assert {r.state for r in records} <= {JobState.DONE, JobState.IMAGE_DONE}
    saved = [r for r in records if r.result_urls]
    assert saved and all(r.download_state is DownloadState.DONE for r in saved)
    assert all(Path(r.download_path or "").exists() for r in saved)
    panel = studio.window.queue
    assert {r.key for r in records} <= {panel.model.record(i).key
                                        for i in range(panel.model.rowCount())}
    await idle()
