
"""The real window against the simulator over loopback HTTP: every tab fills, prices, blocks
bad input and submits; nothing paid leaves before the user confirms."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.credentials import CredentialStore
from app.generators import SPECS, DurationKind, FieldKind, GeneratorSpec
from app.generators.quote import format_credits
from app.generators.quote_words import first_step_credits
from app.jobs.ledger import JobState
from app.jobs.scheduler import PollPolicy
from app.pricing import estimate, plan_by_key, total_credits
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.conftest import settle_then_close, until
from tests.samples import Inputs, MemoryKeyring, valid_values
from ui.generator.tab import GeneratorTab
from ui.main import wire_window
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow


@dataclass
class Studio:
    window: MainWindow
    service: StudioService
    keyring: MemoryKeyring
    data_dir: Path



@pytest.fixture
async def studio(tmp_path: Path, qapp: Any) -> AsyncIterator[Studio]:
    qapp.setQuitOnLastWindowClosed(False)  # as the app does: closing must not stop the loop
    settings_store = SettingsStore(tmp_path / "config" / "settings.json")
    memory = MemoryKeyring()
    service = StudioService(tmp_path / "output", sandbox_speed=500)
    window = MainWindow(service, settings_store, Settings(),
                        CredentialStore(backend=memory, trust_backend=True),
                        str(tmp_path / "output"))
    wire_window(window, service, "http://127.0.0.1:9")
    window.show()
    yield Studio(window, service, memory, tmp_path)
    await settle_then_close(service)
    window.close()
    window.deleteLater()


async def connect_to(studio: Studio, simulator: Sandbox) -> Inputs:
    """Point the studio at the shared simulator (as the sandbox mode does) and fetch ids."""
    from app.api.client import CreatifyClient

    service = studio.service
    await service.session.use_client(CreatifyClient("sandbox", "sandbox",
                                                    base_url=simulator.base_url),
                                     studio.data_dir / "jobs.sqlite3",
                                     PollPolicy().scaled(1000), Mode.SANDBOX)
    await service.fetch_credits()
    client = service.session.client
    assert client is not None
    media = f"{simulator.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    product = await client.gen_image({"product_url": f"{media}/sample.png"})
    personas = await client.personas()
    voices = await client.voices()
    templates = await client.custom_templates()
    template_id = str(templates[0]["template_id"])
    if template_id not in TEMPLATE_DETAILS:
        TEMPLATE_DETAILS[template_id] = await client.custom_template(template_id)
    while not product.is_terminal:
        await asyncio.sleep(0.02)
        product = await client.get_job("product_to_videos", product.id)
    return Inputs(link_id=link.id, persona_id=personas[0]["id"],
                  accent_id=voices[0]["accents"][0]["id"], product_job=product.id,
                  template_id=template_id, image_url=f"{media}/sample.png",
                  audio_url=f"{media}/sample.mp3?duration=12",
                  video_url=f"{media}/sample.mp4?duration=31")


TEMPLATE_DETAILS: dict[str, dict[str, Any]] = {}
"""The simulator's Custom Template details (with their ``variables``), by template id."""


def template_variables(detail: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    """A value for each variable of a template's detail, in the form's format."""
    raw = detail.get("variables") or {}
    items = raw.items() if isinstance(raw, dict) else ((v["name"], v) for v in raw)
    media = {"text": "Hello", "image": inputs.image_url, "video": inputs.video_url,
             "audio": inputs.audio_url, "avatar": inputs.persona_id,
             "voiceover": inputs.accent_id}
    return {name: {"type": v["type"], "value": media.get(v["type"], "Hello")}
            for name, v in items}


def window_values(key: str, inputs: Inputs) -> dict[str, Any]:
    """``valid_values``, with a Custom Template's variables those of the simulator's
    template (its detail is what the window builds the variables editor from)."""
    values = valid_values(key, inputs)
    if key == "custom_template" and inputs.template_id in TEMPLATE_DETAILS:
        values["variables"] = template_variables(TEMPLATE_DETAILS[inputs.template_id], inputs)
    return values


def expected_text(gen: GeneratorSpec, tab: GeneratorTab, seconds: float | None) -> str:
    requests = gen.price_requests(tab.values(), seconds, tab.selected_flow())
    credits = total_credits(estimate(r) for r in requests)
    return "By tokens" if credits is None else format_credits(credits)


def confirmation(window: MainWindow) -> QMessageBox | None:
    boxes = [w for w in window.findChildren(QMessageBox, "confirm_cost") if w.isVisible()]
    return boxes[-1] if boxes else None


async def test_first_run_shows_the_welcome_page(studio: Studio) -> None:
    window = studio.window
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.credentials_button.isVisible()
    assert window.welcome.sandbox_button.text() == "Try the sandbox"


async def test_try_the_sandbox_is_unmistakable(studio: Studio) -> None:
    window = studio.window
    window.welcome.sandbox_button.click()
    await until(lambda: studio.service.mode == Mode.SANDBOX and studio.service.credits,
                timeout=10)
    assert window.stack.currentWidget() is window.pages
    assert "SANDBOX" in window.windowTitle()
    assert "SANDBOX" in window.mode_badge.text()
    await until(lambda: "500" in window.credits_label.text())
    assert studio.keyring.entries == {}  # the sandbox never touches the keyring


def test_a_sidebar_entry_per_billing_row(studio: Studio) -> None:
    sidebar = studio.window.sidebar
    assert sorted(sidebar.keys) == sorted(s.key for s in SPECS)
    assert {sidebar.items[s.key].text(0) for s in SPECS} == {s.title for s in SPECS}
    deprecated = sidebar.headings["deprecated"]
    assert [item.text(0) for item in sidebar.items.values()
            if item.parent() is deprecated] == ["AI Shorts", "AI Editing"]
    assert "Aurora Fast" in {item.text(0) for item in sidebar.items.values()}


@pytest.mark.parametrize("gen", SPECS, ids=lambda s: s.key)
async def test_every_tab_prices_blocks_and_submits(gen: GeneratorSpec, studio: Studio,
                                                  simulator: Sandbox) -> None:
    window = studio.window
    inputs = await connect_to(studio, simulator)
    tab = window.tab(gen.key)
    window.show_generator(gen.key)
    tab.form.set_values(window_values(gen.key, inputs))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"submit stays disabled: {tab.errors()}")

    # The estimate follows the billed length exactly, in credits and in dollars.
    starter = plan_by_key("api_starter")
    if tab.duration is not None:
        assert gen.duration.kind is not DurationKind.NONE
        for seconds in (1, 29.9, 30, 30.1, 31, 45, 59.5):
            tab.duration.set_seconds(seconds)
            assert tab.estimator.credits.text() == expected_text(gen, tab, seconds), seconds
        requests = gen.price_requests(tab.values(), 59.5, tab.selected_flow())
        credits = total_credits(estimate(r) for r in requests)
        assert credits is not None
        dollars = (credits * starter.price_per_credit).quantize(Decimal("0.01"))
        assert f"${dollars:,.2f}" in tab.estimator.dollars.text()
        assert "API Starter" in tab.estimator.dollars.text()
        assert re.search(r"\d+ s → ", tab.estimator.breakdown.text())
    else:
        assert tab.estimator.credits.text() == expected_text(gen, tab, tab.seconds())

    # Invalid input is blocked with a visible message.
    # A field whose clearing makes the form invalid (a choice always keeps a value).
    required = next(f for f in gen.fields if f.kind not in (FieldKind.CHOICE, FieldKind.BOOL)
                    and gen.validate({**tab.values(), f.name: None}))
    good = tab.values()[required.name]
    tab.form.editors[required.name].set_value(None)
    await until(lambda: not tab.submit_button.isEnabled())
    tab.request_submit()  # Ctrl+Enter on an invalid form: shows every problem, sends nothing
    # (the message sits on the field the spec names: "product URL or Link id" on the URL)
    flagged = next(iter(gen.validate({**tab.values(), required.name: None})))
    error = tab.form.errors[flagged]
    await until(lambda: error.isVisible())
    assert error.text()
    tab.form.editors[required.name].set_value(good)
    await until(lambda: tab.submit_button.isEnabled())

    # Submit: a confirmation with the estimate first; nothing paid is sent before it.
    creates_before = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None
    if tab.current_quote and tab.current_quote.credits is not None:
        assert format_credits(tab.current_quote.credits) in box.informativeText()
    assert "nothing is billed" in box.informativeText()
    await asyncio.sleep(0.05)
    assert len(simulator.create_log) == creates_before
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates_before + 1, timeout=10)
    if gen.key == "text_generator":
        await until(lambda: "Answer complete" in tab.status.text(), timeout=15)
        assert tab.answer.toPlainText().strip()
    else:
        await until(lambda: tab.last_job is not None, timeout=15, message=tab.status.text())
        assert tab.last_job is not None and tab.last_job.server_id
        assert f"Job {tab.last_job.short_key}" in tab.status.text()
    assert simulator.create_log[-1].status_code in (200, 201)
    # The job is in the ledger with the estimate the user confirmed.
    ledger = studio.service.session.ledger
    assert ledger is not None
    [record] = [r for r in ledger.page() if r.generator == gen.key]
    if tab.current_quote is not None and tab.current_quote.credits is not None:
        # (the whole quote; for a preview flow the preview, its render being its own job)
        assert record.estimate == first_step_credits(tab.current_quote)


async def test_cancelling_the_confirmation_sends_nothing(studio: Studio,
                                                         simulator: Sandbox) -> None:
    inputs = await connect_to(studio, simulator)
    tab = studio.window.tab("url_to_video")
    tab.form.set_values(valid_values("url_to_video", inputs))
    await until(lambda: tab.submit_button.isEnabled())
    before = len(simulator.create_log)
    tab.request_submit()
    await until(lambda: confirmation(studio.window) is not None)
    box = confirmation(studio.window)
    assert box is not None
    box.reject()
    await asyncio.sleep(0.1)
    assert len(simulator.create_log) == before
    assert tab.status.text() == ""


async def test_script_length_drives_the_duration(studio: Studio, simulator: Sandbox) -> None:
    inputs = await connect_to(studio, simulator)
    tab = studio.window.tab("text_to_speech")
    studio.window.show_generator("text_to_speech")
    tab.form.set_values({"script": " ".join(["word"] * 150), "accent": inputs.accent_id})
    await until(lambda: tab.seconds() == 60)  # 150 words at 150 wpm
    assert tab.estimator.credits.text() == "2 credits"
    tab.duration.set_seconds(20)  # the user overrides it
    assert tab.estimator.credits.text() == "1 credit"
    assert tab.duration.auto_button.isVisible()
    tab.form.set_values({"script": " ".join(["word"] * 300)})
    assert tab.seconds() == 20  # an override sticks while the script changes
    tab.duration.reset_to_auto()
    assert tab.seconds() == 120 and tab.estimator.credits.text() == "4 credits"


async def test_text_streams_into_the_tab_and_a_stream_without_its_job_is_looked_up(
        studio: Studio, simulator: Sandbox) -> None:
    """The Gemini-style chunks show as they arrive and end "Answer complete"; when the stream
    ends without the chunk naming its job, the tab says the app is looking it up, and the job
    found in Creatify's list completes the answer (nothing is sent twice)."""
    from dataclasses import replace

    inputs = await connect_to(studio, simulator)
    window = studio.window
    tab = window.show_generator("text_generator")
    # (a prompt of its own: the look-up matches the job by its inputs among earlier tests')
    tab.form.set_values({**window_values("text_generator", inputs),
                         "prompt": f"Write a tagline for a mug, {uuid.uuid4().hex[:8]}."})
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    client = studio.service.session.client
    assert client is not None
    real_stream = client.text_generate_stream
    seen: list[str] = []
    tab.service.textDelta.connect(lambda _delta: seen.append(tab.answer.toPlainText()))

    async def send_and_confirm() -> None:
        creates = len(simulator.create_log)
        tab.submit_button.click()
        await until(lambda: confirmation(window) is not None)
        box = confirmation(window)
        assert box is not None and "Charged by tokens" in box.informativeText()
        button = box.findChild(QPushButton, "confirm_send")
        assert button is not None
        button.click()
        await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)
        assert "/sse/text_generator" in simulator.create_log[-1].path

    # 1. The whole stream: the text grows chunk by chunk, then "Answer complete".
    await send_and_confirm()
    await until(lambda: "Answer complete" in tab.status.text(), timeout=15,
                message=tab.status.text())
    assert len(seen) >= 2 and all(a.startswith(b) for a, b in zip(seen[1:], seen, strict=False))
    job = tab.last_job
    assert job is not None and job.state is JobState.DONE and job.server_id
    assert tab.answer.toPlainText() == job.response_text

    # 2. The final chunk (with the job) never comes (another new prompt).
    tab.form.set_values({"prompt": f"Write a tagline for a cup, {uuid.uuid4().hex[:8]}."})
    def cut(body: Any) -> Any:
        async def events() -> Any:
            ended = False
            async for event in real_stream(body):  # read to its end (the stream closes)
                if ended:
                    continue
                if event.job_id or event.done:
                    ended = True
                    event = replace(event, job_id=None, done=False, credits_used=None,
                                    status=None, response_text=None)
                    if not event.delta:
                        continue
                yield event
        return events()
    client.text_generate_stream = cut  # type: ignore[method-assign]
    statuses: list[str] = []
    studio.service.textFinished.connect(lambda _record: statuses.append(tab.status.text()))
    await send_and_confirm()
    await until(lambda: bool(statuses), timeout=15)
    assert "looking it up" in statuses[0].lower() or "looking for it" in statuses[0].lower(), \
        statuses[0]
    creates = len(simulator.create_log)
    await until(lambda: tab.last_job is not None and tab.last_job.state is JobState.DONE,
                timeout=15, message=tab.status.text())
    found = tab.last_job
    assert found is not None and found.server_id and found.server_id != job.server_id
    assert "answer complete" in tab.status.text()
    assert tab.answer.toPlainText().strip()
    assert len(simulator.create_log) == creates  # found in the list, never sent again


async def test_url_to_video_documented_fields_show_price_and_are_sent(
        studio: Studio, simulator: Sandbox) -> None:
    """URL to Video's documented switches and caption settings are in the tab and sent under
    their documented names; Aurora 2.0 and Boreal are priced from the billing page (0.7 credit
    per second; 10 credits per 30 s); the flow labels name no price of their own."""
    inputs = await connect_to(studio, simulator)
    window = studio.window
    tab = window.show_generator("url_to_video")
    for name in ("no_background_music", "no_emotion", "no_cta", "no_stock_broll",
                 "caption_style", "model_version"):
        assert tab.form.field_shown(name), name
    assert "no_music" not in tab.form.editors
    labels = [tab.flow.itemText(i) for i in range(tab.flow.count())]
    assert not any(re.search(r"\d", label) for label in labels), labels

    tab.form.set_values({**window_values("url_to_video", inputs), "video_length": 30,
                         "model_version": "aurora_v2", "no_background_music": True,
                         "no_emotion": True, "no_cta": True, "no_stock_broll": True})
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    assert tab.estimator.credits.text() == "21 credits"  # 30 s × 0.7
    tab.form.set_values({"video_length": 45, "model_version": "boreal"})
    await until(lambda: tab.estimator.credits.text() == "20 credits")  # 2 blocks × 10
    tab.flow.setCurrentIndex(tab.flow.findData("preview_render"))
    tab.form.set_values({"video_length": 30, "model_version": "aurora_v2"})
    await until(lambda: tab.estimator.credits.text() == "22 credits")  # 1 + 21
    assert "0.7" in tab.estimator.breakdown.text()

    creates = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    box = confirmation(window)
    assert box is not None and "Estimated cost: 22 credits" in box.informativeText()
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)
    body = simulator.create_log[-1].body
    assert body["model_version"] == "aurora_v2"
    for name in ("no_background_music", "no_emotion", "no_cta", "no_stock_broll"):
        assert body[name] is True, name
    assert "no_music" not in body


def test_product_video_offers_regenerate_and_ai_editing_its_documented_styles(
        studio: Studio) -> None:
    for key in ("product_image", "product_video"):
        tab = studio.window.tab(key)
        flows = [tab.flow.itemData(i) for i in range(tab.flow.count())]
        assert "regenerate" in flows, key
        tab.flow.setCurrentIndex(tab.flow.findData("regenerate"))
        assert tab.form.field_shown("source_job")
        # A regeneration has a flat price: no length to enter, none shown.
        if tab.duration is not None:
            assert tab.duration.isHidden()
            tab.flow.setCurrentIndex(tab.flow.findData("create"))
            assert not tab.duration.isHidden()
    editing = studio.window.tab("ai_editing")
    styles = [c.value for c in editing.spec.field("editing_style").choices]
    assert {"film", "glitch", "paper"} <= set(styles)
