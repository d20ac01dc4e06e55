"""The custom field editors against a real StudioService talking to the real simulator.

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here, poll with
``until`` instead.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

import app.session._session as session_module  # where the session makes its clients
from app.api.client import CreatifyClient, RetryPolicy
from app.generators import FieldKind, spec
from app.generators.catalogue import MAX_SCENE_TEXT
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from app.sandbox import catalogue as simulated
from tests.gui.conftest import idle, until
from ui.forms.base import FieldEditor
from ui.forms.custom import CUSTOM_EDITORS
from ui.forms.editors import PLAIN_EDITORS
from ui.forms.pickers import (
    AccentPicker,
    AssetModelPicker,
    CatalogueEditor,
    MusicPicker,
    PersonaPicker,
    accent_rows,
    music_rows,
    persona_rows,
)
from ui.forms.scenes import ScenesEditor
from ui.forms.schema_form import SchemaForm, build_input, fallback_schema
from ui.forms.schema_inputs import StringList, add_row
from ui.forms.templates import TemplatePicker
from ui.forms.variables import COL_NAME, COL_VALUE, VariablesEditor
from ui.generator.estimator import DurationControl
from ui.service import Mode, StudioService

FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
UUID = "3f2a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b"

PERSONA_REQUIRED = spec("avatar_v1").field("creator")
PERSONA_OPTIONAL = spec("url_to_video").field("override_avatar")
ACCENT_REQUIRED = spec("text_to_speech").field("accent")
ACCENT_OPTIONAL = spec("url_to_video").field("override_voice")
MUSIC = spec("url_to_video").field("background_music_url")
SCENES = spec("avatar_v2").field("scenes")
VARIABLES = spec("custom_template").field("variables")
TEMPLATE = spec("custom_template").field("template_id")
INPUT_PARAMS = spec("asset_generator").field("input_params")
INSPIRATION = spec("ai_ad_template").field("inspiration_id")
IMAGE_URL = spec("aurora").field("image")
LINK_ID = spec("url_to_video").field("link")


# ---------------------------------------------------------------------------- fixtures

@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's clients give up quickly, so error paths take milliseconds."""
    monkeypatch.setattr(session_module, "CreatifyClient",
                        functools.partial(CreatifyClient, retry=FAST_RETRY))


@pytest.fixture
async def service(qapp: QApplication, tmp_path: Path,
                  fast_retries: None) -> AsyncIterator[StudioService]:
    studio = StudioService(output_dir=tmp_path, auto_download=False)
    await studio.use_sandbox()
    await idle()  # the first credits refresh
    try:
        yield studio
    finally:
        await studio.aclose()


@pytest.fixture
async def offline(qapp: QApplication, tmp_path: Path,
                  fast_retries: None) -> AsyncIterator[StudioService]:
    """A service not connected to anything (yet)."""
    studio = StudioService(output_dir=tmp_path / "offline", auto_download=False)
    try:
        yield studio
    finally:
        await studio.aclose()


def simulator_url(service: StudioService) -> str:
    assert service.session.sandbox is not None
    return service.session.sandbox.base_url


def persona_count(service: StudioService) -> int:
    """How many avatars the simulator lists (active ones: the pickers hide the others)."""
    return len(persona_rows(simulated.personas(simulator_url(service))))


def accent_count(service: StudioService) -> int:
    return len(accent_rows(simulated.voices(simulator_url(service))))


def catalogue_requests(service: StudioService, path: str) -> int:
    assert service.session.sandbox is not None
    return sum(1 for _method, p in service.session.sandbox.request_log if p.split("?")[0] == path)


def texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


class Counter:
    def __init__(self, editor: FieldEditor) -> None:
        self.count = 0
        editor.changed.connect(self.bump)

    def bump(self) -> None:
        self.count += 1


INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QAbstractSpinBox,
               QAbstractItemView)


def unnamed_controls(root: QWidget) -> list[str]:
    """Interactive descendants lacking an objectName or an accessible name (the insides of
    controls, such as a combo's popup or a line edit's clear button, are Qt's and skipped)."""
    missing: list[str] = []

    def walk(widget: QWidget) -> None:
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        for child in widget.findChildren(QWidget, options=direct):
            if isinstance(child, INTERACTIVE):
                if not child.objectName() or not child.accessibleName():
                    missing.append(f"{type(child).__name__} {child.objectName()!r} "
                                   f"{child.accessibleName()!r}")
                if isinstance(child, QAbstractItemView):
                    walk(child.viewport())  # cell widgets, not the scroll bars
                continue  # a control's own insides (popups, clear buttons) are Qt's
            walk(child)

    walk(root)
    return missing


async def shown(qtbot: Any, editor: QWidget) -> None:
    qtbot.addWidget(editor)
    editor.show()
    await asyncio.sleep(0)


# ---------------------------------------------------------------------------- persona picker

async def test_persona_picker_loads_lazily_and_lists_the_simulator(qtbot: Any,
                                                                  service: StudioService):
    picker = PersonaPicker(PERSONA_REQUIRED, service)
    qtbot.addWidget(picker)
    await asyncio.sleep(0.2)
    assert catalogue_requests(service, "/api/personas/") == 0
    assert not picker.loaded and picker.value() is None

    picker.show()
    assert picker.status.text() == "Loading avatars…"
    await until(lambda: picker.loaded)
    assert catalogue_requests(service, "/api/personas/") == 1
    labels = texts(picker.combo)
    assert len(labels) == persona_count(service) > 2  # required: no "none" entry
    assert "Olivia — female, adult, selfie" in labels  # the docs' gender "f" in words
    assert labels == sorted(labels, key=str.casefold)
    assert picker.combo.currentIndex() == -1 and picker.value() is None
    assert PERSONA_REQUIRED.validate(picker.value()) == "This field is required."
    assert not picker.status.isVisible()
    await idle()


async def test_persona_value_round_trip_and_none_entry(qtbot: Any, service: StudioService):
    picker = PersonaPicker(PERSONA_OPTIONAL, service)
    changes = Counter(picker)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    assert picker.combo.itemText(0) == "(none — Creatify chooses)"
    assert picker.value() is None
    personas = service.catalogue("personas")
    assert personas is not None
    marcus = next(p["id"] for p in personas if p["creator_name"] == "Marcus")

    picker.set_value(marcus)
    assert picker.value() == marcus
    assert picker.combo.currentText().startswith("Marcus — male")
    assert PERSONA_OPTIONAL.validate(picker.value()) is None
    assert changes.count == 1
    picker.set_value(marcus)
    assert changes.count == 1  # no change, no signal

    picker.combo.setCurrentIndex(picker.combo.findText("Olivia", Qt.MatchFlag.MatchStartsWith))
    assert picker.value() != marcus and changes.count == 2
    picker.set_value(None)
    assert picker.value() is None and picker.combo.currentIndex() == 0

    picker.set_value("custom-avatar-id")  # an id the catalogue does not list is kept
    assert picker.value() == "custom-avatar-id"
    assert "not in the list" in picker.combo.currentText()
    await idle()


async def test_persona_set_value_before_loading_asks_and_keeps_it(qtbot: Any,
                                                                   service: StudioService):
    personas = await service.session.client.personas()  # type: ignore[union-attr]
    grace = next(p["id"] for p in personas if p["creator_name"] == "Grace")
    picker = PersonaPicker(PERSONA_REQUIRED, service)
    qtbot.addWidget(picker)
    picker.set_value(grace)
    assert picker.value() == grace  # before the catalogue arrives
    await until(lambda: picker.loaded)
    assert picker.value() == grace
    assert picker.combo.currentText().startswith("Grace — female, senior")
    await idle()


async def test_persona_filter_and_inactive_hidden(qtbot: Any, service: StudioService):
    picker = PersonaPicker(PERSONA_OPTIONAL, service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    view = picker.combo.view()
    picker.filter.setText("female senior")
    visible = [picker.combo.itemText(i) for i in range(picker.combo.count())
               if not view.isRowHidden(i)]  # type: ignore[attr-defined]
    assert visible == ["(none — Creatify chooses)", "Grace — female, senior, presenter"]
    picker.filter.clear()
    assert not any(view.isRowHidden(i)  # type: ignore[attr-defined]
                   for i in range(picker.combo.count()))

    items = list(service.catalogue("personas") or [])
    items[0] = {**items[0], "is_active": False}
    active = persona_count(service) - 1
    assert len(persona_rows(items)) == active
    service.catalogueLoaded.emit("personas", items)  # e.g. after a reconnect
    assert picker.combo.count() == 1 + active
    assert items[0]["creator_name"] not in " ".join(texts(picker.combo))
    await idle()


async def test_persona_thumbnails_and_preview_arrive(qtbot: Any, service: StudioService):
    picker = PersonaPicker(PERSONA_REQUIRED, service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    await until(lambda: all(not picker.combo.itemIcon(i).isNull()
                            for i in range(picker.combo.count())),
                message="thumbnails did not arrive")
    assert not picker.preview.isVisible()
    picker.combo.setCurrentIndex(2)
    assert picker.preview.isVisible()
    pixmap = picker.preview.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    await idle()


async def test_persona_error_then_retry(qtbot: Any, service: StudioService):
    assert service.session.sandbox is not None
    service.session.sandbox.set_faults(error_rate=1.0)
    picker = PersonaPicker(PERSONA_REQUIRED, service)
    await shown(qtbot, picker)
    await until(lambda: picker.retry_button.isVisible(), timeout=10)
    assert picker.status.text().startswith("Could not load avatars:")
    assert not picker.loaded and picker.combo.count() == 0

    service.session.sandbox.set_faults(error_rate=0.0)
    qtbot.mouseClick(picker.retry_button, Qt.MouseButton.LeftButton)
    await until(lambda: picker.loaded)
    assert picker.combo.count() == 8
    assert not picker.status.isVisible() and not picker.retry_button.isVisible()
    await idle()


async def test_picker_waits_for_a_connection(qtbot: Any, offline: StudioService):
    picker = PersonaPicker(PERSONA_REQUIRED, offline)
    await shown(qtbot, picker)
    assert picker.status.text().startswith("Not connected")
    assert not picker.retry_button.isVisible()
    await offline.use_sandbox()
    await until(lambda: picker.loaded)
    assert picker.combo.count() == 8 and not picker.status.isVisible()
    await idle()


# ---------------------------------------------------------------------------- accent picker

async def test_accent_picker_lists_voices_and_round_trips(qtbot: Any, service: StudioService):
    picker = AccentPicker(ACCENT_REQUIRED, service)
    qtbot.addWidget(picker)
    await asyncio.sleep(0.1)
    assert catalogue_requests(service, "/api/voices/") == 0
    picker.show()
    assert picker.status.text() == "Loading voices…"
    await until(lambda: picker.loaded)
    labels = texts(picker.combo)
    assert labels[:3] == ["Aria (female) — American", "Aria (female) — British",
                          "Elena (female) — Spanish"]
    assert len(labels) == accent_count(service) > 3
    assert not picker.play_button.isEnabled()  # nothing chosen yet

    voices = service.catalogue("voices") or []
    kofi_ghana = next(a["id"] for v in voices if v["name"] == "Kofi"
                      for a in v["accents"] if a["accent_name"] == "Ghanaian")
    picker.set_value(kofi_ghana)
    assert picker.value() == kofi_ghana
    assert picker.combo.currentText() == "Kofi (male) — Ghanaian"
    assert ACCENT_REQUIRED.validate(picker.value()) is None
    assert picker.play_button.isEnabled()
    await idle()


async def test_accent_optional_has_none_entry(qtbot: Any, service: StudioService):
    picker = AccentPicker(ACCENT_OPTIONAL, service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    assert picker.combo.itemText(0) == "(none — Creatify chooses)"
    assert picker.combo.count() == accent_count(service) + 1 and picker.value() is None
    await idle()


async def test_play_sample_without_qtmultimedia_disables_the_button(
        qtbot: Any, service: StudioService, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import fails
    picker = AccentPicker(ACCENT_REQUIRED, service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    picker.combo.setCurrentIndex(0)
    assert picker.play_button.isEnabled()
    qtbot.mouseClick(picker.play_button, Qt.MouseButton.LeftButton)
    assert not picker.play_button.isEnabled()
    assert "cannot be played" in picker.play_button.toolTip()
    picker.combo.setCurrentIndex(1)  # still impossible: stays disabled
    assert not picker.play_button.isEnabled()
    await idle()


async def test_play_sample_with_real_multimedia_never_crashes(qtbot: Any,
                                                             service: StudioService):
    picker = AccentPicker(ACCENT_REQUIRED, service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    picker.combo.setCurrentIndex(0)
    picker.toggle_sample()
    await asyncio.sleep(0.3)
    button = picker.play_button
    # either it plays (Stop offered), played already, or it explains why it cannot
    assert button.text() in ("■ Stop", "▶ Play sample")
    if not button.isEnabled():
        assert button.toolTip()
    picker.hide()  # stops and unloads the sample (from the event loop: see _voice.stop)
    player = picker.player
    await until(lambda: player is None or player.source().isEmpty(), timeout=5,
                message="the sample was not unloaded")
    await idle()


# ---------------------------------------------------------------------------- music picker

async def test_music_picker_lists_tracks_and_accepts_urls(qtbot: Any, service: StudioService):
    picker = MusicPicker(MUSIC, service)
    changes = Counter(picker)
    qtbot.addWidget(picker)
    await asyncio.sleep(0.1)
    assert catalogue_requests(service, "/api/musics/") == 0
    assert picker.value() is None
    picker.show()
    await until(lambda: picker.loaded)
    tracks = simulated.musics(simulator_url(service))
    assert len(tracks) <= picker.page_size  # one page holds the simulator's library
    assert texts(picker.combo) == ["", *(row.label for row in music_rows(tracks))]
    assert "Calm Piano — calm (3 s)" in texts(picker.combo)
    assert picker.value() is None and changes.count == 0

    picker.combo.setCurrentIndex(picker.combo.findText("Calm Piano — calm (3 s)"))
    url = picker.value()
    assert isinstance(url, str) and url.endswith(".mp3")
    assert url.startswith(service.session.sandbox.base_url)  # type: ignore[union-attr]
    assert MUSIC.validate(url) is None and changes.count == 1

    picker.combo.setEditText("https://example.com/my-track.mp3")
    assert picker.value() == "https://example.com/my-track.mp3"
    picker.combo.setEditText("   ")
    assert picker.value() is None

    picker.set_value(url)
    assert picker.combo.currentText() == "Calm Piano — calm (3 s)"
    assert picker.value() == url
    picker.set_value(None)
    assert picker.value() is None and picker.combo.currentText() == ""
    await idle()


async def test_music_value_set_before_loading_shows_the_track_name(qtbot: Any,
                                                                    service: StudioService):
    tracks = simulated.musics(simulator_url(service))
    lofi = next(t for t in tracks if t["name"] == "Lo-fi Chill")
    picker = MusicPicker(MUSIC, service)
    picker.set_value(lofi["url"])
    assert picker.value() == lofi["url"]
    assert picker.combo.currentText() == lofi["url"]  # the name is not known yet
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    assert picker.combo.currentText() == "Lo-fi Chill — relaxed (3 s)"
    assert picker.value() == lofi["url"]
    await idle()


# ---------------------------------------------------------------------------- scenes

async def test_scenes_editor_builds_a_valid_avatar_v2_request(qtbot: Any,
                                                              service: StudioService):
    editor = ScenesEditor(SCENES, service)
    qtbot.addWidget(editor)
    avatar_v2 = spec("avatar_v2")
    assert len(editor.value()) == 1
    assert set(editor.value()[0]) == {"avatar_id", "voice_id", "input_text", "background_url",
                                      "background_type"}
    assert avatar_v2.validate({"scenes": editor.value()}) == {
        "scenes": "Scene 1: choose an avatar."}
    assert catalogue_requests(service, "/api/personas/") == 0

    editor.show()
    await until(lambda: editor.avatars.loaded and editor.voices.loaded)
    scene = editor.scenes[0]
    assert scene.avatar.count() == persona_count(service)
    assert scene.voice.count() == accent_count(service)
    scene.avatar.setCurrentIndex(1)
    scene.voice.setCurrentIndex(2)
    scene.script.setPlainText("Hello there")
    assert scene.counter.text() == "11 / 2,000"

    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    second = editor.scenes[1]
    assert second.avatar.value() == scene.avatar.value()  # same avatar and voice by default
    second.script.setPlainText("Second scene, on a video background.")
    second.background.setText("https://example.com/beach.mp4")
    second.background_type.setCurrentIndex(second.background_type.findData("video"))

    values = {"scenes": editor.value(), "aspect_ratio": "9x16", "model_version": "standard"}
    assert avatar_v2.validate(values) == {}
    body = avatar_v2.build_body(values)
    assert [v["voice"]["input_text"] for v in body["video_inputs"]] == [
        "Hello there", "Second scene, on a video background."]
    assert body["video_inputs"][1]["background"] == {"type": "video",
                                                     "url": "https://example.com/beach.mp4"}
    assert "background" not in body["video_inputs"][0]
    await idle()


async def test_scenes_counter_limits_and_reordering(qtbot: Any, service: StudioService):
    editor = ScenesEditor(SCENES, service)
    changes = Counter(editor)
    qtbot.addWidget(editor)
    first = editor.scenes[0]
    first.script.setPlainText("x" * (MAX_SCENE_TEXT + 1))
    assert first.counter.text() == "2,001 / 2,000"
    assert "too many" in first.counter.toolTip()
    assert changes.count == 1
    assert not first.remove.isEnabled()  # one scene always stays

    assert SCENES.max_items == 20
    for _ in range(30):
        if editor.add_button.isEnabled():
            editor.add_button.click()
    assert len(editor.scenes) == 20 and not editor.add_button.isEnabled()
    assert editor.count_label.text() == "20 of 20 scenes"
    assert SCENES.validate(editor.value()) is None

    editor.scenes[19].remove.click()
    assert len(editor.scenes) == 19 and editor.add_button.isEnabled()

    editor.set_value([{"input_text": "one"}, {"input_text": "two"}, {"input_text": "three"}])
    assert [s["input_text"] for s in editor.value()] == ["one", "two", "three"]
    assert not editor.scenes[0].up.isEnabled() and not editor.scenes[2].down.isEnabled()
    editor.scenes[2].up.click()
    assert [s["input_text"] for s in editor.value()] == ["one", "three", "two"]
    editor.scenes[0].down.click()
    assert [s["input_text"] for s in editor.value()] == ["three", "one", "two"]
    assert editor.scenes[0].script.objectName() == "scenes_scene1_script"
    assert editor.scenes[0].script.toPlainText() == "three"
    assert editor.scenes[2].script.accessibleName() == "Scene 3 script"
    editor.set_value([])
    assert len(editor.value()) == 1
    await idle()


async def test_scenes_round_trip_before_catalogues(qtbot: Any, service: StudioService):
    scenes = [{"avatar_id": "a-1", "voice_id": "v-1", "input_text": "Hi",
               "background_url": "https://example.com/b.png", "background_type": "image"},
              {"avatar_id": "a-2", "voice_id": "v-2", "input_text": "Bye",
               "background_url": None, "background_type": "video"}]
    editor = ScenesEditor(SCENES, service)
    qtbot.addWidget(editor)
    editor.set_value(scenes)
    assert editor.value() == scenes
    await until(lambda: editor.avatars.loaded and editor.voices.loaded)  # set_value asked
    assert editor.value() == scenes  # unknown ids are kept
    assert "not in the list" in editor.scenes[0].avatar.currentText()
    await idle()


# ---------------------------------------------------------------------------- variables

async def test_variables_editor_builds_a_custom_template_body(qtbot: Any,
                                                             service: StudioService):
    editor = VariablesEditor(VARIABLES, service)
    changes = Counter(editor)
    await shown(qtbot, editor)
    table = editor.table
    assert table.rowCount() == 1 and editor.value() == {}

    table.item(0, COL_NAME).setText("headline")
    table.item(0, COL_VALUE).setText("  Summer sale  ")
    assert editor.value() == {"headline": {"type": "text", "value": "Summer sale"}}
    assert changes.count == 2

    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)  # an unnamed row: skipped
    assert table.rowCount() == 2 and len(editor.value()) == 1
    row = editor.add_row("hero")
    combo = table.cellWidget(row, 1)
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "text", "image", "video", "audio", "avatar", "voiceover"]
    combo.setCurrentIndex(combo.findData("image"))
    table.item(row, COL_VALUE).setText("https://example.com/hero.png")

    template = spec("custom_template")
    values = {"template_id": UUID, "variables": editor.value(), "model_version": "standard"}
    body = template.build_body(values)
    assert body["variables"] == {
        "headline": {"type": "text", "properties": {"content": "Summer sale"}},
        "hero": {"type": "image", "properties": {"url": "https://example.com/hero.png"}}}

    table.selectRow(0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert set(editor.value()) == {"hero"}

    saved = {"a": {"type": "avatar", "value": "av-1"}, "b": {"type": "voiceover",
                                                             "value": "vo-1"}}
    editor.set_value(saved)
    assert editor.value() == saved
    editor.set_value({"c": {"type": "video", "properties": {"url": "https://x.test/v.mp4"}}})
    assert editor.value() == {"c": {"type": "video", "value": "https://x.test/v.mp4"}}

    editor.add_row("c", "text", "dup")
    assert editor.note.isVisible() and "c" in editor.note.text()
    await idle()


# ---------------------------------------------------------------------------- schema form

async def test_schema_form_builds_from_the_simulators_schemas(qtbot: Any,
                                                             service: StudioService):
    kling = "kling-video/o3/pro/text-to-video"
    model = [kling]
    form = SchemaForm(INPUT_PARAMS, service, lambda: model[0])
    changes = Counter(form)
    qtbot.addWidget(form)
    form.show()
    await until(lambda: form.from_schema)  # the session's copy of the catalogue
    assert catalogue_requests(service, "/api/asset_generator/schemas/") == 1  # read once
    assert list(form.inputs) == ["prompt", "duration"]  # required inputs come first
    form.inputs["prompt"].widget.setPlainText("A red fox in the snow")  # type: ignore[attr-defined]
    assert form.value() == {"prompt": "A red fox in the snow",
                            "duration": "5"}  # the schema's default, a string
    prompt_label = form.findChild(QWidget, "input_params_prompt_label")
    assert prompt_label.text() == "Prompt *"  # type: ignore[attr-defined]
    assert form.inputs["prompt"].widget.accessibleName() == "Prompt (required)"
    assert form.inputs["prompt"].widget.toolTip() == "What to generate."
    help_line = form.findChild(QLabel, "input_params_duration_help")
    assert help_line is not None and help_line.text() == "Length of the video in seconds."

    duration = form.inputs["duration"].widget
    assert isinstance(duration, QComboBox) and duration.currentText() == "5 s"
    before = changes.count
    duration.setCurrentIndex(duration.findData("10"))
    assert form.value()["duration"] == "10" and type(form.value()["duration"]) is str
    assert changes.count == before + 1

    asset = spec("asset_generator")
    values = {"model_name": kling, "input_params": form.value()}
    assert asset.validate(values) == {}
    assert asset.build_body(values)["input_params"] == {"prompt": "A red fox in the snow",
                                                        "duration": "10"}

    model[0] = "nano-banana"
    form.set_model("nano-banana")
    assert set(form.inputs) == {"prompt", "num_images"}
    spin = form.inputs["num_images"].widget
    assert isinstance(spin, QSpinBox) and (spin.minimum(), spin.maximum()) == (1, 4)
    spin.setValue(3)
    assert form.value() == {"prompt": "A red fox in the snow", "num_images": 3}
    assert asset.validate({"model_name": "nano-banana", "input_params": form.value()}) == {}

    form.set_model("nano-banana-pro")
    resolution = form.inputs["resolution"].widget
    assert isinstance(resolution, QComboBox)
    resolution.setCurrentIndex(resolution.findData("4K"))
    assert form.value() == {"prompt": "A red fox in the snow", "resolution": "4K",
                            "num_images": 3}  # the count chosen for the last model carried

    form.set_model("veo3.1/fast")  # "10" is not one of its durations: its default instead
    assert form.value() == {"prompt": "A red fox in the snow", "duration": "8"}

    form.set_model("mystery-model")
    assert not form.from_schema and set(form.inputs) == {"prompt"}
    assert "lists no inputs" in form.status.text()
    assert unnamed_controls(form) == []
    await idle()


async def test_schema_form_every_input_kind_of_the_catalogue(qtbot: Any,
                                                             service: StudioService):
    """Each model the simulator serves gets a form of its schema's kinds: lists of image
    addresses, nested groups, booleans, number enums; its defaults make a valid request
    once the required inputs are filled."""
    form = SchemaForm(INPUT_PARAMS, service)
    qtbot.addWidget(form)
    form.show()
    served = service.catalogue("asset_schemas")
    assert served
    await until(lambda: form.watcher.items is not None)
    asset = spec("asset_generator")
    media = simulator_url(service) + "/media/samples/sample.png"
    kinds: set[type] = set()
    for entry in served:
        name = str(entry["model_name"])
        form.set_model(name)
        assert form.from_schema, name
        required = set(entry["input_params_schema"].get("required") or ())
        for key, entry_input in form.inputs.items():
            kinds.add(type(entry_input.widget))
            if key in required and entry_input.get() is None:
                widget = entry_input.widget
                value = [media] * (widget.prop.min_items or 1) \
                    if isinstance(widget, StringList) else (
                        media if "url" in key or "image" in key else "A mug on a desk")
                assert entry_input.set(value), (name, key)
        values = {"model_name": name, "input_params": form.value()}
        assert asset.validate(values) == {}, (name, asset.validate(values))
        assert asset.build_body(values)["input_params"] == form.value()
    assert {StringList, QGroupBox, QComboBox, QSpinBox, QPlainTextEdit} <= {
        k for kind in kinds for k in kind.__mro__}
    assert unnamed_controls(form) == []
    await idle()


async def test_schema_form_set_value_round_trip_and_failure(qtbot: Any, qapp: QApplication,
                                                            tmp_path: Path):
    """With no saved catalogue and Creatify failing: the basic inputs keep a saved form, the
    failure is said with a Retry, and Retry builds the model's inputs, values kept."""
    with Sandbox(speed=1000) as failing:
        failing.set_faults(error_rate=1.0)
        studio = StudioService(output_dir=tmp_path / "out", data_dir=tmp_path / "data",
                               auto_download=False)
        try:
            await studio.session.use_client(
                CreatifyClient("sandbox", "sandbox", base_url=failing.base_url,
                               retry=FAST_RETRY),
                tmp_path / "jobs.sqlite3", PollPolicy().scaled(1000), Mode.SANDBOX)
            form = SchemaForm(INPUT_PARAMS, studio)
            form.set_model("kling-video/o3/pro/text-to-video")
            saved = {"prompt": "Waves", "duration": "10"}
            form.set_value(saved)
            assert form.value() == saved  # kept in the stand-in form
            await shown(qtbot, form)
            await until(lambda: form.retry_button.isVisible(), timeout=10)
            assert "Could not load the model's inputs" in form.status.text()
            assert form.value() == saved

            failing.set_faults(error_rate=0.0)
            qtbot.mouseClick(form.retry_button, Qt.MouseButton.LeftButton)
            await until(lambda: form.from_schema)
            assert form.value() == saved
            assert not form.status.isVisible()
            form.set_value({"prompt": "Dunes", "unknown_param": 1})
            assert form.value() == {"prompt": "Dunes", "duration": "5"}
            form.set_value({"prompt": "Dunes", "duration": 7})  # a number from an old form
            assert form.value() == {"prompt": "Dunes", "duration": "7"}
            await idle()
        finally:
            await studio.aclose()


def test_schema_inputs_have_python_types(qtbot: Any):
    parent = QWidget()
    qtbot.addWidget(parent)
    calls: list[str] = []

    def make(schema: dict[str, Any], required: bool = False) -> Any:
        return build_input("x", schema, required, parent, lambda: calls.append("x"))

    number = make({"type": "number", "minimum": 0, "maximum": 2, "default": 0.5})
    assert isinstance(number.widget, QDoubleSpinBox) and number.get() == 0.5
    number.widget.setValue(1.25)
    assert number.get() == 1.25 and type(number.get()) is float and calls

    free_int = make({"type": "integer"})
    assert isinstance(free_int.widget, QLineEdit) and free_int.get() is None
    free_int.widget.setText("42")
    assert free_int.get() == 42 and type(free_int.get()) is int

    optional_int = make({"type": "integer", "minimum": 1, "maximum": 10})
    assert optional_int.get() is None  # "(not set)"
    assert optional_int.set(7) and optional_int.get() == 7
    assert not optional_int.set(11)

    flag = make({"type": "boolean"})
    assert flag.get() is None  # optional with no default: tri-state "not set"
    assert flag.set(True) and flag.get() is True

    choice = make({"type": "string", "enum": ["a", "b"]})
    assert choice.get() is None and choice.set("b") and choice.get() == "b"

    nullable = make({"type": ["number", "null"], "default": 3}, required=True)
    assert nullable.get() == 3.0 and type(nullable.get()) is float

    url = make({"type": "string", "format": "uri"})
    assert url.widget.placeholderText() == "https://…" and url.get() is None
    assert url.set("https://example.com/a.png") and url.get() == "https://example.com/a.png"

    seconds = make({"type": "string", "enum": ["4", "6", "8"], "default": "8"})
    assert seconds.get() == "8" and seconds.set(6) and seconds.get() == "6"

    veo = fallback_schema("veo3.1/fast")
    assert set(veo["properties"]) == {"prompt", "duration"}
    assert veo["properties"]["duration"]["type"] == "string"  # Creatify takes "6", not 6
    assert set(fallback_schema("flux-pro/kontext/text-to-image")["properties"]) == {
        "prompt", "num_images"}
    assert set(fallback_schema(None)["properties"]) == {"prompt"}


# ---------------------------------------------------------------------------- all editors

async def test_every_interactive_control_is_named(qtbot: Any, service: StudioService):
    editors: list[QWidget] = [
        PersonaPicker(PERSONA_OPTIONAL, service), AccentPicker(ACCENT_OPTIONAL, service),
        MusicPicker(MUSIC, service), ScenesEditor(SCENES, service),
        VariablesEditor(VARIABLES, service), SchemaForm(INPUT_PARAMS, service,
                                                        lambda: "veo3.1/fast"),
        TemplatePicker(TEMPLATE, service),
        AssetModelPicker(spec("asset_generator").field("model_name"), service)]
    for editor in editors:
        await shown(qtbot, editor)
    await until(lambda: all(e.loaded for e in editors
                            if isinstance(e, CatalogueEditor | MusicPicker)))
    scenes = editors[3]
    assert isinstance(scenes, ScenesEditor)
    await until(lambda: scenes.avatars.loaded and scenes.voices.loaded)
    scenes.add_button.click()
    form = editors[5]
    assert isinstance(form, SchemaForm)
    await until(lambda: form.from_schema)
    models = editors[7]
    assert isinstance(models, AssetModelPicker)
    await until(lambda: models.loaded)
    for editor in editors:
        assert editor.objectName() and editor.accessibleName()
        assert unnamed_controls(editor) == [], type(editor).__name__
    await idle()


async def test_custom_editor_table(qtbot: Any, service: StudioService):
    assert set(CUSTOM_EDITORS) == {FieldKind.PERSONA, FieldKind.ACCENT, FieldKind.MUSIC,
                                   FieldKind.SCENES, FieldKind.VARIABLES,
                                   FieldKind.SCHEMA_FORM, FieldKind.TEMPLATE,
                                   FieldKind.INSPIRATION, FieldKind.URL, FieldKind.UUID}
    fields = {PERSONA_OPTIONAL.kind: PERSONA_OPTIONAL, ACCENT_OPTIONAL.kind: ACCENT_OPTIONAL,
              MUSIC.kind: MUSIC, SCENES.kind: SCENES, VARIABLES.kind: VARIABLES,
              INPUT_PARAMS.kind: INPUT_PARAMS, TEMPLATE.kind: TEMPLATE,
              INSPIRATION.kind: INSPIRATION, IMAGE_URL.kind: IMAGE_URL,
              LINK_ID.kind: LINK_ID}
    for kind, factory in CUSTOM_EDITORS.items():
        editor = factory(fields[kind], service)
        qtbot.addWidget(editor)
        assert isinstance(editor, FieldEditor)
        assert fields[kind].validate(editor.value()) in (None, "This field is required.")
        editor.set_value(editor.value())
    await idle()


def test_schema_lists_groups_and_labels(qtbot: Any):
    """A list of image addresses adds and removes rows and says which row is not an address;
    an object's properties sit in a group box of their own; durations read "5 s"."""
    parent = QWidget()
    qtbot.addWidget(parent)
    form = QFormLayout(parent)
    calls: list[str] = []
    schema = {"type": "object", "required": ["image_urls"], "properties": {
        "image_urls": {"type": "array", "items": {"type": "string", "format": "uri"},
                       "maxItems": 2, "description": "Pictures to start from. Public links."},
        "camera": {"type": "object", "description": "How the camera moves.",
                   "required": ["motion"], "properties": {
                       "motion": {"type": "string", "enum": ["pan", "zoom"],
                                  "default": "pan"},
                       "speed": {"type": "number", "minimum": 0, "maximum": 1}}},
        "duration": {"type": "string", "enum": ["5", "10"], "default": "5"}}}
    entries = {key: add_row(form, "input_params", key, prop, key in schema["required"],
                            parent, lambda: calls.append("edit"))
               for key, prop in schema["properties"].items()}
    urls = entries["image_urls"]
    box = urls.widget
    assert isinstance(box, StringList) and len(box.lines) == 1  # a required list: one row
    assert urls.get() is None and box.objectName() == "input_params_image_urls"
    help_line = parent.findChild(QLabel, "input_params_image_urls_help")
    assert help_line is not None and help_line.text() == "Pictures to start from."
    assert box.toolTip() == "Pictures to start from. Public links."
    box.lines[0].setText("https://cdn.example.com/a.png")
    box.add_button.click()
    assert len(box.lines) == 2 and not box.add_button.isEnabled()  # maxItems reached
    box.lines[1].setText("not an address")
    assert box.problem.text().startswith("Row 2:") and not box.problem.isHidden()
    assert urls.get() == ["https://cdn.example.com/a.png", "not an address"]
    remove = parent.findChild(QToolButton, "input_params_image_urls_remove_2")
    assert remove is not None
    remove.click()
    assert urls.get() == ["https://cdn.example.com/a.png"] and box.problem.isHidden()
    assert box.add_button.isEnabled() and calls
    assert urls.set(["https://x.example/1.png", "https://x.example/2.png"])
    assert urls.get() == ["https://x.example/1.png", "https://x.example/2.png"]
    assert not urls.set([1, 2]) and urls.set(None) and urls.get() is None

    camera = entries["camera"]
    assert isinstance(camera.widget, QGroupBox) and camera.widget.title() == "Camera"
    assert camera.get() == {"motion": "pan"}  # its default; the optional speed not set
    assert camera.set({"motion": "zoom", "speed": 0.5})
    assert camera.get() == {"motion": "zoom", "speed": 0.5}
    speed = parent.findChild(QDoubleSpinBox, "input_params_camera_speed")
    assert speed is not None and speed.value() == 0.5
    assert not camera.set("zoom")

    duration = entries["duration"].widget
    assert isinstance(duration, QComboBox) and texts(duration) == ["5 s", "10 s"]
    assert entries["duration"].get() == "5"
    assert unnamed_controls(parent) == []


async def test_the_wheel_changes_only_a_focused_control(qtbot: Any):
    """Scrolling over a form never changes a value (and a price) the user did not pick."""
    parent = QWidget()
    form = QFormLayout(parent)
    combo = add_row(form, "p", "duration", {"type": "string", "enum": ["5", "10", "15"],
                                            "default": "5"}, True, parent, lambda: None)
    spin = add_row(form, "p", "num_images", {"type": "integer", "minimum": 1, "maximum": 4,
                                             "default": 1}, True, parent, lambda: None)
    await shown(qtbot, parent)
    for entry, before, after, notch in ((combo, "5", "10", -120), (spin, 1, 2, 120)):
        widget = entry.widget
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus
        await wheel_unfocused(widget, notch)
        assert entry.get() == before  # unfocused: unchanged
        await wheel_focused(widget, notch)
        assert entry.get() == after  # focused: the wheel works as usual

    lengths = spec("url_to_video").field("video_length")  # a choice that sets the price
    editor = PLAIN_EDITORS[lengths.kind](lengths)
    await shown(qtbot, editor)
    control = editor.focusProxy()
    before = editor.value()
    await wheel_unfocused(control, -120)
    assert editor.value() == before  # the generators' own choices too
    await wheel_focused(control, -120)
    assert editor.value() != before

    length = DurationControl(spec("aurora").duration, "aurora")
    await shown(qtbot, length)
    before = length.spin.value()
    for control in (length.spin, length.slider):
        await wheel_unfocused(control, 120)
        assert length.spin.value() == before and not length.overridden
    await wheel_focused(length.spin, 120)
    assert length.spin.value() > before


async def wheel_unfocused(widget: QWidget, notch: int) -> None:
    """A notch of the wheel over ``widget`` while focus is elsewhere (a shown window may
    hand its first control the focus on its own)."""
    widget.clearFocus()
    await until(lambda: not widget.hasFocus())
    wheel(widget, notch)


async def wheel_focused(widget: QWidget, notch: int) -> None:
    """A notch of the wheel over ``widget`` once it has the focus (a click or Tab)."""
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    await until(widget.hasFocus)
    wheel(widget, notch)


def wheel(widget: QWidget, notch: int) -> None:
    """One notch of the wheel (``notch`` -120 down, 120 up) over ``widget``'s centre."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, notch),
                        QPoint(0, notch), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
