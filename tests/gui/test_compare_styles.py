"""Compare styles, then render one: the real window against the simulator over loopback.

Previews of three visual styles are asked for in one paid request, shown side by side, and
only the chosen style is rendered; the simulator's balance drops by exactly the estimate.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QPushButton

from app.generators import Flow
from app.generators.quote import format_credits
from app.jobs.ledger import DownloadState, JobState
from app.pricing import PriceRequest, estimate
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, confirmation, connect_to, studio  # noqa: F401
from tests.samples import valid_values
from ui.generator.styles_dialog import StylesDialog
from ui.generator.tab import GeneratorTab
from ui.jobs.model import COL_STATUS

# (documented visual-style names: an unknown one is not offered)
STYLES = ["AvatarBubbleTemplate", "FullScreenTemplate", "EnhancedVanillaTemplate"]
CHOSEN = 1  # the second style



def select_flow(tab: GeneratorTab, flow: Flow) -> None:
    index = tab.flow.findData(flow)
    assert index >= 0, flow
    tab.flow.setCurrentIndex(index)
    assert tab.selected_flow() is flow


def price(phase: str = "create", count: int = 1, plan: object = None) -> tuple[Decimal,
                                                                               Decimal | None]:
    e = estimate(PriceRequest("url_to_video", phase=phase, seconds=30, count=count,
                              model="standard"), plan=plan)  # type: ignore[arg-type]
    assert e.credits is not None
    return e.credits, e.dollars


async def test_compare_three_styles_then_render_the_second(studio: Studio,  # noqa: F811
                                                          simulator: Sandbox) -> None:
    window = studio.window
    inputs = await connect_to(studio, simulator)
    tab = window.show_generator("url_to_video")
    select_flow(tab, Flow.COMPARE_STYLES)
    assert tab.form.field_shown("visual_styles")
    assert not tab.form.field_shown("visual_style")
    tab.form.set_values({**valid_values("url_to_video", inputs), "video_length": 30,
                         "visual_styles": STYLES})
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()} {tab.hint.text()}")

    # The estimate: three previews and one render, each step named, and the saving.
    plan = window.pricing.plan
    previews, previews_dollars = price("preview", count=3, plan=plan)
    render, render_dollars = price("render", plan=plan)
    one_step, _ = price()
    expected = previews + render
    assert (previews, render, one_step, expected) == (3, 4, 5, 7)
    saving = 3 * one_step - expected
    assert tab.estimator.credits.text() == format_credits(expected)
    breakdown = tab.estimator.breakdown.text()
    assert "Previews: 3 × 30 s" in breakdown and format_credits(previews) in breakdown
    assert "Render of the chosen one: 30 s" in breakdown
    assert (f"Making all 3 styles in one step would cost {format_credits(3 * one_step)}: "
            f"comparing first saves {format_credits(saving)}.") in breakdown
    if plan is not None:
        assert previews_dollars is not None and render_dollars is not None
        assert f"${previews_dollars:,.2f}" in breakdown and f"${render_dollars:,.2f}" in breakdown

    # Generate → the confirmation with each step → Send: one paid preview_list_async.
    balance_before = simulator.balance
    creates_before = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    text = box.informativeText()
    assert f"Estimated cost: {format_credits(expected)}" in text
    assert "Previews: 3 × 30 s" in text and "Render of the chosen one" in text
    assert f"comparing first saves {format_credits(saving)}" in text
    await asyncio.sleep(0.05)
    assert len(simulator.create_log) == creates_before
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates_before + 1, timeout=10)
    [create] = simulator.create_log[creates_before:]
    assert create.path.rstrip("/").endswith("/link_to_videos/preview_list_async")
    assert create.body["visual_styles"] == STYLES and "visual_style" not in create.body
    assert create.status_code in (200, 201)

    # The previews arrive: the tab offers to choose.
    await until(lambda: tab.choose_button.isVisible(), timeout=30,
                message=f"no previews: {tab.status.text()}")
    compared = tab.last_job
    # Preview ready is its own state, whatever status text the server sent with the previews.
    assert compared is not None and compared.state is JobState.PREVIEW_READY
    # The compare job is recorded with its previews; the render is its own job, estimated
    # when it is sent (so nothing is counted twice in flight or in Spending).
    assert compared.estimate == previews
    assert [p.visual_style for p in compared.previews] == STYLES
    assert "Preview ready: 3 style previews" in tab.status.text()
    # The Jobs panel says so too, and offers the choice.
    panel = window.queue
    row = panel.model.row_of(compared.key)
    assert row is not None
    assert panel.model.index(row, COL_STATUS).data().startswith("Preview ready")
    panel.select(compared.key)
    assert panel.render_button.isVisible() and panel.render_button.text() == "Choose a style…"
    assert "choose the one to render" in panel.detail.text()
    actions = {name: enabled for name, _label, _h, enabled in panel.actions_for(compared)}
    assert actions["job_render"] and actions["job_preview"]

    # The styles side by side (opened from the Jobs panel): thumbnails, names, durations,
    # preview links and prices.
    panel.render_button.click()
    dialog = tab.styles_dialog
    assert isinstance(dialog, StylesDialog) and dialog.isVisible() and not dialog.isModal()
    assert [c.preview.visual_style for c in dialog.cards] == STYLES
    await until(lambda: all(c.thumbnail_shown for c in dialog.cards
                            if c.preview.thumbnail_url), timeout=15,
                message="thumbnails not loaded")
    for card in dialog.cards:
        assert card.preview.visual_style in card.name.text()
        assert card.length.isVisible() and card.length.text() == "30 s"
        label = card.render_button.text()
        assert label.startswith(f"Render this one — {format_credits(render)}")
        if plan is not None:
            assert f"(${render_dollars:,.2f})" in label
    summary = dialog.summary.text()
    assert f"Previews made: 3 styles, {format_credits(previews)}" in summary
    assert f"Render of the chosen one: {format_credits(render)}" in summary
    assert (f"Rendering all 3 styles would cost {format_credits(3 * one_step)}: rendering "
            f"only the chosen one saves {format_credits(saving)}.") in summary

    opened: list[QUrl] = []
    dialog.open_url = opened.append
    dialog.cards[0].open_button.click()
    assert [u.toString() for u in opened] == [compared.previews[0].preview_url]

    # Render the second style: its own confirmation, then one render_single_preview.
    chosen = compared.previews[CHOSEN]
    dialog.cards[CHOSEN].render_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    assert chosen.visual_style in box.text()
    assert f"Render cost: {format_credits(render)}" in box.informativeText()
    await asyncio.sleep(0.05)
    assert len(simulator.create_log) == creates_before + 1
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates_before + 2, timeout=10)
    render_create = simulator.create_log[-1]
    assert render_create.path.rstrip("/").endswith(
        f"/link_to_videos/{compared.server_id}/render_single_preview")
    assert render_create.body == {"media_job": chosen.media_job}
    assert not dialog.isVisible()

    # The render finishes and is saved; nothing else was sent.
    def rendered() -> bool:
        job = tab.last_job
        return (job is not None and job.key != compared.key
                and job.download_state is DownloadState.DONE)
    await until(rendered, timeout=30, message=f"render not saved: {tab.status.text()}")
    job = tab.last_job
    assert job is not None and job.state is JobState.DONE and job.result_urls
    assert job.estimate == render
    assert job.download_path and Path(job.download_path).is_file()
    assert "Saved to" in tab.status.text()
    paths = [c.path.rstrip("/").rsplit("/", 1)[-1] for c in simulator.create_log[creates_before:]]
    assert paths == ["preview_list_async", "render_single_preview"]

    # Charged exactly the estimate: three previews and one render; the chosen style made.
    await until(lambda: simulator.balance == balance_before - expected, timeout=10,
                message=f"balance {simulator.balance}, expected "
                        f"{balance_before - expected}")
    [server_job] = [j for j in simulator.jobs("link_to_videos") if j["id"] == compared.server_id]
    assert server_job["visual_style"] == chosen.visual_style
    await idle(timeout=15)


async def test_compare_needs_two_styles_and_one_step_asks_for_one(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    window = studio.window
    inputs = await connect_to(studio, simulator)
    tab = window.show_generator("url_to_video")
    tab.form.set_values(valid_values("url_to_video", inputs))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    styles = tab.form.editors["visual_styles"]
    style = tab.form.editors["visual_style"]
    assert style.isVisible() and not styles.isVisible()  # one step: one visual style

    select_flow(tab, Flow.COMPARE_STYLES)
    styles.set_value(["EnhancedVanillaTemplate"])
    await until(lambda: not tab.submit_button.isEnabled())
    assert styles.isVisible() and not style.isVisible()
    error = tab.form.errors["visual_styles"]
    await until(lambda: error.isVisible())
    assert error.text() == "Choose at least 2."
    assert "Choose at least 2." in tab.hint.text() and tab.hint.isVisible()
    before = len(simulator.create_log)
    tab.request_submit()  # Ctrl+Enter: nothing is asked, nothing sent
    await asyncio.sleep(0.05)
    assert confirmation(window) is None and len(simulator.create_log) == before

    styles.set_value(["EnhancedVanillaTemplate", "FullScreenTemplate"])
    await until(lambda: tab.submit_button.isEnabled())
    assert not error.isVisible() and tab.hint.text() == ""

    # Back to one step: the styles list goes, the single visual style comes back; a list of
    # one style no longer matters.
    styles.set_value(["EnhancedVanillaTemplate"])
    await until(lambda: not tab.submit_button.isEnabled())
    select_flow(tab, Flow.CREATE)
    await until(lambda: tab.submit_button.isEnabled())
    assert style.isVisible() and not styles.isVisible() and not error.isVisible()
    assert not tab.form.field_shown("visual_styles") and tab.form.field_shown("visual_style")
    assert "Render of the chosen one" not in tab.estimator.breakdown.text()
    await idle(timeout=15)
