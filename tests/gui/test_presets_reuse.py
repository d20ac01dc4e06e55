"""Presets, drafts and reuse in the real window against the simulator: a preset saved, the
window closed and a new one built on the same data folder (a restart), the preset applied and
the job sent — through the cost confirmation — with exactly those values; "Use these settings
again" on a finished job refills its form; an AI Scripts answer goes into URL to Video's
script; an unfinished form survives a restart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton

from app.credentials import CredentialStore
from app.generators import spec
from app.generators.submit import request_body
from app.jobs.ledger import JobRecord, JobState
from app.presets import DRAFTS_FILE, PRESETS_FILE
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.gui.conftest import settle_then_close, until
from tests.gui.test_queue import listed
from tests.gui.test_window import Studio, confirmation, connect_to
from tests.samples import MemoryKeyring
from ui.generator.tab import GeneratorTab
from ui.main import wire_window
from ui.service import StudioService
from ui.window.main_window import MainWindow

Build = Callable[[], Studio]


@pytest.fixture
async def studios(tmp_path: Path, qapp: Any) -> AsyncIterator[Build]:
    """Builds windows on one data folder, as the app is started again; each is closed (its
    service first) at the end, if the test has not closed it."""
    qapp.setQuitOnLastWindowClosed(False)
    made: list[Studio] = []

    def build() -> Studio:
        service = StudioService(tmp_path / "output", data_dir=tmp_path / "data",
                                sandbox_speed=500)
        window = MainWindow(service, SettingsStore(tmp_path / "config" / "settings.json"),
                            Settings(), CredentialStore(backend=MemoryKeyring(),
                                                        trust_backend=True),
                            str(tmp_path / "output"))
        wire_window(window, service, "http://127.0.0.1:9")
        window.show()
        made.append(Studio(window, service, MemoryKeyring(), tmp_path))
        return made[-1]
    yield build
    for st in made:
        await close(st)


CLOSED: set[int] = set()


async def close(st: Studio) -> None:
    """Close a studio as the app quits (the service first); once."""
    if id(st) in CLOSED:
        return
    CLOSED.add(id(st))
    await settle_then_close(st.service)
    st.window.close()
    st.window.deleteLater()


def dialog[T](st: Studio, kind: type[T], name: str) -> T:
    found = [w for w in st.window.findChildren(kind, name) if w.isVisible()]  # type: ignore
    assert found, f"no {name} open"
    return found[-1]


async def confirm_send(st: Studio, tab: GeneratorTab) -> str:
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()}")
    tab.submit_button.click()
    await until(lambda: confirmation(st.window) is not None)
    box = confirmation(st.window)
    assert box is not None
    text = box.informativeText()
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    return text


def ledger(st: Studio) -> list[JobRecord]:
    store = st.service.session.ledger
    assert store is not None
    return store.page(limit=500)


async def finished(st: Studio, generator: str) -> JobRecord:
    def done() -> JobRecord | None:
        found = [r for r in ledger(st) if r.generator == generator and r.state is JobState.DONE]
        return found[0] if found else None
    await until(lambda: done() is not None, timeout=20, message=f"no {generator} job done")
    record = done()
    assert record is not None
    listed(st)
    return record


def menu_entry(st: Studio, record: JobRecord, name: str) -> tuple[str, Callable[[], object]]:
    """The Jobs menu's entry ``name`` for ``record`` (its label and handler), enabled."""
    for entry, label, handler, enabled in st.window.queue.actions_for(record):
        if entry == name:
            assert enabled, f"{label} is disabled"
            return label, handler
    raise AssertionError(f"no {name} in the menu")


# ------------------------------------------------------------------------ presets


async def test_a_preset_survives_a_restart_and_sends_exactly_its_values(
        studios: Build, simulator: Sandbox) -> None:
    simulator.set_faults(fail_rate=0.0)
    first = studios()
    inputs = await connect_to(first, simulator)
    tab = first.window.show_generator("url_to_video")
    chosen = {"link": inputs.link_id, "video_length": 45, "aspect_ratio": "1x1",
              "visual_style": "FullScreenTemplate", "override_avatar": inputs.persona_id,
              "override_voice": inputs.accent_id, "target_audience": "night-shift nurses",
              "no_cta": True, "caption_font_size": 42, "language": "fr"}
    tab.form.set_values(chosen)
    saved_values = tab.values()
    tab.presets.save_button.click()
    ask = dialog(first, QInputDialog, "preset_name_dialog")
    ask.setTextValue("Square, 45 s, French")
    ask.accept()
    path = first.data_dir / "data" / PRESETS_FILE
    await until(lambda: path.exists() and "Square, 45 s, French" in path.read_text())
    assert "Saved as preset" in tab.presets.note.text()
    await close(first)

    second = studios()  # the app started again on the same data folder
    await connect_to(second, simulator)
    tab = second.window.show_generator("url_to_video")
    rows = tab.presets.combo
    assert [rows.itemText(i) for i in range(rows.count())] == ["Square, 45 s, French"]
    tab.presets.clear_button.click()  # (the draft of the first run came back: start afresh)
    assert tab.values()["video_length"] == 30 and tab.values()["link"] is None
    tab.form.set_values({"link": inputs.link_id})
    await until(lambda: tab.estimator.credits.text() == "5 credits")
    assert rows.currentIndex() == -1
    QTest.keyClick(rows, Qt.Key.Key_Down)  # the creator picks the preset
    assert tab.values() == saved_values
    assert tab.estimator.credits.text() == "10 credits"  # 45 s: two 30 s blocks
    note = tab.presets.note.text()
    assert "Square, 45 s, French" in note and "now <b>10 credits</b>" in note \
        and "was 5 credits" in note, note

    creates = len(simulator.create_log)
    cost = await confirm_send(second, tab)
    assert "10 credits" in cost
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)
    body = simulator.create_log[-1].body
    [sent] = [r for r in ledger(second) if r.generator == "url_to_video"
              and r.request.get("aspect_ratio") == "1x1"]
    assert body == request_body(spec("url_to_video"), saved_values, sent.name_tag)
    assert body["video_length"] == 45 and body["language"] == "fr" and body["no_cta"] is True
    assert body["caption_setting"] == {"font_size": 42}
    assert body["target_audience"] == "night-shift nurses"


async def test_a_preset_is_deleted_after_asking(studios: Build, simulator: Sandbox) -> None:
    st = studios()
    await connect_to(st, simulator)
    tab = st.window.show_generator("text_to_speech")
    tab.presets.save_as("Calm")
    tab.presets.save_as("Fast")
    assert tab.presets.chosen() == "Fast" and tab.presets.delete_button.isEnabled()
    tab.presets.delete_button.click()
    box = dialog(st, QMessageBox, "preset_delete_box")
    confirm = box.findChild(QPushButton, "preset_delete_confirm")
    assert confirm is not None
    confirm.click()
    assert [tab.presets.combo.itemText(i) for i in range(tab.presets.combo.count())] == ["Calm"]
    path = st.data_dir / "data" / PRESETS_FILE
    await until(lambda: path.exists() and '"Fast"' not in path.read_text()
                and '"Calm"' in path.read_text())


async def test_a_preset_keeps_the_length_entered_beside_the_form(studios: Build,
                                                                 simulator: Sandbox) -> None:
    st = studios()
    inputs = await connect_to(st, simulator)
    tab = st.window.show_generator("aurora_fast")
    assert tab.duration is not None
    tab.form.set_values({"image": inputs.image_url, "audio": inputs.audio_url})
    tab.duration.set_seconds(40)
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    forty = tab.estimator.credits.text()
    tab.presets.save_as("Forty seconds")
    tab.duration.set_seconds(10)
    assert tab.estimator.credits.text() != forty
    tab.presets.apply("Forty seconds")
    assert tab.duration.seconds() == 40 and tab.estimator.credits.text() == forty
    assert f"now <b>{forty}</b>" in tab.presets.note.text()


async def test_a_damaged_presets_file_is_said_and_set_aside(studios: Build) -> None:
    st = studios()
    data = st.data_dir / "data"
    await close(st)
    data.mkdir(parents=True, exist_ok=True)
    (data / PRESETS_FILE).write_text("{ half a file")
    again = studios()
    tab = again.window.show_generator("links")
    assert "moved to presets.json.damaged-" in tab.presets.note.text()
    assert not tab.presets.note.isHidden()
    assert list(data.glob("presets.json.damaged-*"))


# ------------------------------------------------------------------------ drafts


async def test_an_unfinished_form_survives_a_restart(studios: Build) -> None:
    first = studios()
    tab = first.window.show_generator("text_to_speech")
    editor = tab.form.editors["script"]
    QTest.keyClicks(editor.edit, "Half a thought about mugs")  # type: ignore[attr-defined]
    await close(first)  # closing writes the draft at once
    saved = json.loads((first.data_dir / "data" / DRAFTS_FILE).read_text())
    assert saved["drafts"]["text_to_speech"]["values"]["script"] == "Half a thought about mugs"

    second = studios()
    tab = second.window.show_generator("text_to_speech")
    assert tab.values()["script"] == "Half a thought about mugs"
    assert "unfinished form is back" in tab.presets.note.text()
    tab.presets.clear_button.click()
    assert tab.values()["script"] in (None, "")
    await close(second)
    third = studios()
    assert third.window.show_generator("text_to_speech").values()["script"] in (None, "")


# ------------------------------------------------------------------------ reuse


async def test_use_these_settings_again_refills_the_form(studios: Build,
                                                         simulator: Sandbox) -> None:
    simulator.set_faults(fail_rate=0.0)
    st = studios()
    inputs = await connect_to(st, simulator)
    tab = st.window.show_generator("aurora")
    tab.form.set_values({"image": inputs.image_url, "audio": inputs.audio_url,
                         "name": "Spring face", "text_prompt": "a slow smile",
                         "model_version": "aurora_v2", "resolution": "1080p"})
    assert tab.duration is not None
    tab.duration.set_seconds(12)
    sent_values = tab.values()
    await confirm_send(st, tab)
    record = await finished(st, "aurora")
    tab.presets.clear_button.click()
    assert tab.values()["image"] is None

    st.window.show_generator("links")  # elsewhere in the window
    label, handler = menu_entry(st, record, "job_reuse")
    assert label == "Use these settings again"
    creates = len(simulator.create_log)
    handler()
    shown = st.window.current_tab()
    assert shown is tab
    assert tab.values() == sent_values
    note = tab.presets.note.text()
    assert f"job {record.short_key}" in note and "Audio length" in note  # not kept: said
    assert len(simulator.create_log) == creates  # nothing was sent
    assert confirmation(st.window) is None

    # The same from the button beside the selected job's line in the Jobs panel.
    tab.presets.clear_button.click()
    st.window.show_generator("links")
    st.window.queue.select(record.key)
    button = st.window.reuse_button
    await until(lambda: not button.isHidden())
    assert button.text() == "Use these settings again"
    button.click()
    assert st.window.current_tab() is tab and tab.values() == sent_values
    assert len(simulator.create_log) == creates


async def test_an_ai_script_goes_into_url_to_video(studios: Build, simulator: Sandbox) -> None:
    simulator.set_faults(fail_rate=0.0)
    st = studios()
    inputs = await connect_to(st, simulator)
    tab = st.window.show_generator("ai_scripts")
    tab.form.set_values({"url": inputs.product_page, "video_length": 30})
    await confirm_send(st, tab)
    record = await finished(st, "ai_scripts")
    assert record.response_text and "Meet" in record.response_text
    labels = [label for name, label, _h, _e in st.window.queue.actions_for(record)
              if name.startswith("job_script_")]
    assert labels == ["Use this script in URL to Video", "Use this script in AI Avatar",
                      "Use this script in Text to Speech"]
    creates = len(simulator.create_log)
    _label, handler = menu_entry(st, record, "job_script_url_to_video")
    handler()
    video = st.window.current_tab()
    assert video is not None and video.spec.key == "url_to_video"
    assert video.values()["override_script"] == record.response_text.strip()
    assert "is in the script" in video.presets.note.text()
    assert len(simulator.create_log) == creates
    # The same from the button beside the selected job's line: into Text to Speech.
    st.window.queue.select(record.key)
    button = st.window.reuse_button.script
    await until(lambda: not button.isHidden())
    [into_speech] = [a for a in button.menu().actions()
                     if a.objectName() == "queue_script_text_to_speech"]
    into_speech.trigger()
    speech = st.window.current_tab()
    assert speech is not None and speech.spec.key == "text_to_speech"
    assert speech.values()["script"] == record.response_text.strip()
    assert len(simulator.create_log) == creates
    # A job that is not a text result offers no script.
    video_job = replace(record, generator="url_to_video", response_text=None)
    assert not any(name.startswith("job_script_")
                   for name, *_rest in st.window.queue.actions_for(video_job))
