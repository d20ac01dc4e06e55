"""The queue panel and the preview, in the real window against the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.generators import SPECS, Flow, spec
from app.generators.quote import format_credits
from app.generators.quote_words import first_step_credits
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import (  # noqa: F401
    Studio,
    confirmation,
    connect_to,
    studio,
    window_values,
)
from tests.samples import valid_values
from ui.jobs.model import COL_STATUS, HEADERS
from ui.jobs.panel import QueuePanel


async def run_jobs(studio: Studio, simulator: Sandbox,  # noqa: F811
                   keys: tuple[str, ...]) -> list[JobRecord]:
    inputs = await connect_to(studio, simulator)
    service = studio.service
    records = []
    refused: list[str] = []
    service.submitFailed.connect(lambda key, message: refused.append(f"{key}: {message}"))
    for key in keys:
        gen = spec(key)
        values: dict[str, Any] = {**gen.defaults(), **window_values(key, inputs)}
        record = await service.submit(gen, values, estimate=Decimal(1))
        assert record is not None, refused
        records.append(record)
    ledger = service.session.ledger
    assert ledger is not None

    def settled() -> bool:
        now = [ledger.get(r.key) for r in records]
        return all(r.state.is_terminal and (not r.result_urls or r.download_state in (
            DownloadState.DONE, DownloadState.FAILED)) for r in now)
    await until(settled, timeout=20)
    final = [ledger.get(r.key) for r in records]

    def shown() -> bool:  # the ledger has it first; the window's list right after
        listed(studio)
        model = studio.window.queue.model
        rows = [(r, model.row_of(r.key)) for r in final]
        return all((model.record(row).state, model.record(row).download_state)
                   == (r.state, r.download_state) for r, row in rows if row is not None)
    await until(shown, timeout=5, message="the window's list lags behind the ledger")
    return final


def listed(studio: Studio) -> None:  # noqa: F811
    """The window's lists take the ledger's changes in batches (``jobsChanged``), a moment
    after the ledger has them: hand them every change so far, now."""
    studio.service.flush_job_changes()


async def send_from_form(st: Studio, key: str, values: dict[str, Any]) -> None:
    """Fill generator ``key``'s form, press Generate and confirm the cost, as a creator does."""
    window = st.window
    tab = window.show_generator(key)
    tab.form.set_values(values)
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()}")
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()



def rows(panel: QueuePanel) -> list[JobRecord]:
    return [panel.model.record(r) for r in range(panel.model.rowCount())]


def visible(panel: QueuePanel) -> int:
    return panel.proxy.rowCount()


async def test_queue_lists_jobs_and_filters(studio: Studio,  # noqa: F811
                                            simulator: Sandbox) -> None:
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
                                                simulator: Sandbox,
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
    ledger = studio.service.session.ledger
    assert ledger is not None and ledger.get(video.key).hidden
    panel.undo_remove()
    await until(lambda: panel.model.row_of(video.key) is not None)

    window.retry(video)
    tab = window.current_tab()
    assert tab is not None and tab.spec.key == "url_to_video"
    assert tab.values()["link"] == video.request["link"]
    await idle()


async def test_notifications_follow_the_settings(studio: Studio,  # noqa: F811
                                                 simulator: Sandbox) -> None:
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


async def test_a_refused_create_shows_its_reason_in_its_row(studio: Studio,  # noqa: F811
                                                            simulator: Sandbox) -> None:
    """Creatify answers 400 to the create: the row says "Not created" with the reason, the
    detail line under the table says it in full, and nothing was charged."""
    inputs = await connect_to(studio, simulator)
    window = studio.window
    unknown_link = "0b6c9a7e-1d2f-4e3a-9b8c-7d6e5f4a3b2c"
    balance = simulator.balance
    creates = len(simulator.create_log)
    await send_from_form(studio, "url_to_video",
                         {**valid_values("url_to_video", inputs), "link": unknown_link})
    tab = window.show_generator("url_to_video")
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)
    assert simulator.create_log[-1].status_code == 400
    ledger = studio.service.session.ledger
    assert ledger is not None
    await until(lambda: any(r.state is JobState.NOT_CREATED for r in ledger.page()),
                timeout=10)
    [record] = [r for r in ledger.page() if r.state is JobState.NOT_CREATED]
    assert record.failed_reason and "Invalid link ID" in record.failed_reason
    # (the page hears of it from the committed row, a moment after the ledger has it)
    await until(lambda: "Invalid link ID" in tab.status.text(), timeout=10)

    panel = window.queue
    listed(studio)
    row = panel.model.row_of(record.key)
    assert row is not None
    status = panel.model.index(row, COL_STATUS)
    assert status.data() == f"Not created: {record.failed_reason}"
    tooltip = status.data(Qt.ItemDataRole.ToolTipRole)
    assert "refused" in tooltip and "Invalid link ID" in tooltip
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    panel.select(record.key)
    assert panel.detail.isVisible()
    assert "Invalid link ID" in panel.detail.text() and "nothing was charged" in panel.detail.text()
    assert not panel.render_button.isVisible()
    panel.group.setCurrentIndex(panel.group.findData("Problems"))
    assert visible(panel) == 1
    actions = {name: enabled for name, _label, _h, enabled in panel.actions_for(record)}
    assert actions["job_retry"] and not actions["job_render"]
    assert simulator.balance == balance
    await idle()


async def test_a_ready_preview_is_rendered_from_the_jobs_panel(studio: Studio,  # noqa: F811
                                                              simulator: Sandbox) -> None:
    """The preview's job went back to ``pending`` with its preview filled (the docs' way):
    the row reads "Preview ready", is in its own filter, and Render… in the panel asks the
    render's cost before sending it; the preview row keeps its own cost."""
    inputs = await connect_to(studio, simulator)
    window = studio.window
    tab = window.show_generator("ai_shorts")
    tab.flow.setCurrentIndex(tab.flow.findData(Flow.PREVIEW_RENDER))
    tab.form.set_values(valid_values("ai_shorts", inputs))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    q = tab.current_quote
    assert q is not None and q.credits is not None
    first = first_step_credits(q)
    assert first is not None
    render_cost = q.credits - first
    # a 31 s script: two 30 s blocks at 1, then at 4
    assert (first, render_cost) == (Decimal(2), Decimal(8))
    quoted = q.credits
    creates = len(simulator.create_log)
    balance = simulator.balance
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: tab.last_job is not None
                and tab.last_job.state is JobState.PREVIEW_READY, timeout=30,
                message=f"no preview: {tab.status.text()}")
    preview = tab.last_job
    assert preview is not None and preview.preview_url
    [wire] = [j for j in simulator.jobs("ai_shorts") if j["id"] == preview.server_id]
    assert wire["status"] == "pending" and wire["preview"]  # the docs' quirk, on
    assert "Preview ready" in tab.status.text() and tab.render_button.isVisible()

    panel = window.queue
    row = panel.model.row_of(preview.key)
    assert row is not None
    assert panel.model.index(row, COL_STATUS).data() == "Preview ready"
    panel.group.setCurrentIndex(panel.group.findData("Preview ready"))
    assert visible(panel) == 1
    panel.select(preview.key)
    assert panel.render_button.isVisible() and panel.render_button.text() == "Render…"
    assert "preview is ready" in panel.detail.text()
    actions = {name: enabled for name, _label, _h, enabled in panel.actions_for(preview)}
    assert actions["job_render"] and actions["job_preview"]
    await asyncio.sleep(0.1)
    assert len(simulator.create_log) == creates + 1  # nothing more while it waits

    panel.render_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    assert f"Render cost: {format_credits(render_cost)}" in box.informativeText()
    assert f"The preview cost {format_credits(first)}" in box.informativeText()
    assert len(simulator.create_log) == creates + 1
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates + 2, timeout=10)
    assert simulator.create_log[-1].path.rstrip("/").endswith(f"{preview.server_id}/render")

    def rendered() -> bool:
        job = tab.last_job
        return (job is not None and job.key != preview.key and job.state is JobState.DONE
                and job.download_state is DownloadState.DONE)
    await until(rendered, timeout=30, message=tab.status.text())
    render = tab.last_job
    assert render is not None and render.estimate == render_cost
    ledger = studio.service.session.ledger
    assert ledger is not None
    kept = ledger.get(preview.key)
    assert kept.state is JobState.PREVIEW_READY and kept.estimate == preview.estimate == first
    assert kept.download_state is not DownloadState.DONE  # one download: the render's
    # Rendered once: no second Render is offered, and none is sent if asked.
    panel.group.setCurrentIndex(panel.group.findData("All"))
    panel.select(preview.key)
    assert not panel.render_button.isVisible()
    assert f"Rendered: job {render.short_key}" in panel.detail.text()
    actions = {name: enabled for name, _label, _h, enabled in panel.actions_for(kept)}
    assert not actions["job_render"]
    refused: list[str] = []
    studio.service.submitFailed.connect(lambda _key, message: refused.append(message))
    sends = len(simulator.create_log)
    studio.service.render_preview(tab.spec, kept, render_cost)
    window.render_from_queue(kept)
    await asyncio.sleep(0.1)
    assert refused and "already rendered" in refused[0]
    assert confirmation(window) is None and len(simulator.create_log) == sends
    await until(lambda: simulator.balance == balance - quoted, timeout=10,
                message=f"charged {balance - simulator.balance}, quoted {quoted}")
    await idle()


def test_status_words_colours_and_groups(tmp_path: Path, qapp: Any) -> None:
    """Without a server: a refused create and a ready preview in the model and the filter."""
    from dataclasses import replace

    from app.api.snapshot import StylePreview
    from app.jobs.ledger import Ledger
    from ui.jobs.model import JobFilterProxy, JobTableModel, status_detail

    ledger = Ledger(tmp_path / "jobs.sqlite3")
    try:
        def row(flow: str) -> JobRecord:
            return ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                       flow=flow, title="Mug", request={},
                                       estimate=Decimal(1), balance_before=Decimal(100))
        refused = ledger.mark_not_created(row("create").key, "Invalid link ID")
        single = replace(row("preview_render"), state=JobState.PREVIEW_READY,
                         preview_url="https://cdn.example.com/p.mp4")
        styles = replace(row("compare_styles"), state=JobState.PREVIEW_READY, previews=(
            StylePreview("m1", "VanillaTemplate"), StylePreview("m2", "FullScreenTemplate")))
    finally:
        ledger.close()
    model = JobTableModel()
    proxy = JobFilterProxy()
    proxy.setSourceModel(model)
    for record in (refused, single, styles):
        model.upsert(record)

    def status(record: JobRecord, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
        row = model.row_of(record.key)
        assert row is not None
        return model.index(row, COL_STATUS).data(role)
    assert status(refused) == "Not created: Invalid link ID"
    assert "Invalid link ID" in status(refused, Qt.ItemDataRole.ToolTipRole)
    assert status(refused, Qt.ItemDataRole.ForegroundRole).name() == "#b91c1c"
    assert status(single) == "Preview ready"
    assert status(styles) == "Preview ready: 2 styles to choose from"
    assert "render it" in status_detail(single)
    assert "choose the one" in status_detail(styles)
    assert status(single, Qt.ItemDataRole.ForegroundRole) is not None
    proxy.set_filters(group="Preview ready")
    assert proxy.rowCount() == 2
    proxy.set_filters(group="Problems")
    assert proxy.rowCount() == 1
    proxy.set_filters(group="All", text="invalid link")
    assert proxy.rowCount() == 1


async def test_a_job_with_several_results_says_how_many(studio: Studio,  # noqa: F811
                                                       simulator: Sandbox) -> None:
    """An Image Ad's banners: the Output column counts them, its tooltip lists every saved
    file, the menu previews and copies them all."""
    from PySide6.QtGui import QGuiApplication

    from ui.jobs.model import COL_OUTPUT
    from ui.jobs.results import saved_paths

    [ad] = await run_jobs(studio, simulator, ("image_ad",))
    count = len(ad.result_urls)
    assert count >= 2 and ad.download_state is DownloadState.DONE
    panel = studio.window.queue
    row = panel.model.row_of(ad.key)
    assert row is not None
    cell = panel.model.index(row, COL_OUTPUT)
    assert cell.data() == f"{count} images"
    paths = saved_paths(ad)
    assert all(paths) and len(set(paths)) == count
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "\n".join(p or "" for p in paths)
    actions = {name: (label, handler, enabled)
               for name, label, handler, enabled in panel.actions_for(ad)}
    label, copy, enabled = actions["job_copy_url"]
    assert enabled and label == f"Copy the {count} result URLs"
    copy()
    assert QGuiApplication.clipboard().text().split("\n") == list(ad.result_urls)
    assert actions["job_preview"][0] == f"Preview the {count} images"
    await idle()
