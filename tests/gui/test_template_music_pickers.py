"""The Custom Template picker and its variables editor, the paged music picker and the Asset
Generator's schema form types, against a real StudioService talking to the real simulator
over loopback (every docs quirk on unless a test says otherwise).

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QListView

import app.session._session as session_module  # where the session makes its clients
from app.api.client import CreatifyClient, RetryPolicy
from app.generators import FieldKind, spec
from app.generators.catalogue import ASSET_MODELS
from app.json_schema import Editor, SchemaProperty, read_property
from app.sandbox import DocsQuirks, Sandbox
from app.sandbox import catalogue as simulated
from tests.contract.contract import CONTRACT
from tests.gui.conftest import idle, until
from ui.forms.form import GeneratorForm, make_editor
from ui.forms.pickers import MusicPicker
from ui.forms.schema_form import SchemaForm, fallback_schema
from ui.forms.templates import TemplatePicker, template_rows
from ui.forms.variables import (
    COL_NAME,
    COL_VALUE,
    VariablesEditor,
    required_variables,
    template_variables,
)
from ui.service import StudioService

FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
TEMPLATE_FIELD = spec("custom_template").field("template_id")
VARIABLES = spec("custom_template").field("variables")
MUSIC = spec("url_to_video").field("background_music_url")
INPUT_PARAMS = spec("asset_generator").field("input_params")


async def _service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   quirks: DocsQuirks | None = None) -> StudioService:
    monkeypatch.setattr(session_module, "CreatifyClient",
                        functools.partial(CreatifyClient, retry=FAST_RETRY))
    if quirks is not None:
        monkeypatch.setattr(session_module, "Sandbox", functools.partial(Sandbox, quirks=quirks))
    studio = StudioService(output_dir=tmp_path, auto_download=False)
    await studio.use_sandbox()
    await idle()  # the first credits refresh
    return studio


@pytest.fixture
async def service(qapp: QApplication, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StudioService]:
    studio = await _service(tmp_path, monkeypatch)
    try:
        yield studio
    finally:
        await studio.aclose()


@pytest.fixture
async def plain_service(qapp: QApplication, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StudioService]:
    """The simulator with the docs' other reading of the musics list (a plain array)."""
    studio = await _service(tmp_path, monkeypatch, DocsQuirks(musics_paged=False))
    try:
        yield studio
    finally:
        await studio.aclose()


def requests_to(service: StudioService, path: str) -> list[dict[str, list[str]]]:
    """The query of every GET the simulator received on ``path``."""
    assert service.session.sandbox is not None
    return [parse_qs(urlsplit(p).query) for method, p in service.session.sandbox.request_log
            if method == "GET" and urlsplit(p).path == path]


def texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def visible_texts(combo: QComboBox) -> list[str]:
    view = combo.view()
    assert isinstance(view, QListView)
    return [combo.itemText(i) for i in range(combo.count()) if not view.isRowHidden(i)]


async def shown(qtbot: Any, widget: Any) -> None:
    qtbot.addWidget(widget)
    widget.show()
    await asyncio.sleep(0)


async def templates_of(service: StudioService) -> dict[str, dict[str, Any]]:
    assert service.session.client is not None
    return {t["name"]: t for t in await service.session.client.custom_templates()}


def variable_rows(editor: VariablesEditor) -> list[tuple[str, str, str]]:
    return editor.rows()


# ---------------------------------------------------------------------------- template picker

def test_the_template_field_gets_the_template_picker(qapp: QApplication, tmp_path: Path):
    studio = StudioService(output_dir=tmp_path, auto_download=False)
    assert TEMPLATE_FIELD.kind is FieldKind.TEMPLATE
    editor = make_editor(TEMPLATE_FIELD, studio)
    assert isinstance(editor, TemplatePicker)
    editor.deleteLater()


def test_template_rows_read_the_documented_list_shape():
    rows = template_rows([
        {"template_id": "b", "name": "Zeta", "aspect_ratio": "16x9",
         "preview": "https://cdn.example/z.mp4"},
        {"template_id": "a", "name": "Alpha", "aspect_ratio": "9x16",
         "preview": "https://cdn.example/a.png"},
        {"name": "no id"}, "junk",
    ])
    assert [(r.label, r.value) for r in rows] == [("Alpha (9x16)", "a"), ("Zeta (16x9)", "b")]
    assert rows[0].thumbnail == "https://cdn.example/a.png"  # an image: a thumbnail
    assert rows[1].thumbnail is None and rows[1].link == "https://cdn.example/z.mp4"


async def test_template_picker_lists_searches_and_accepts_a_pasted_id(qtbot: Any,
                                                                      service: StudioService):
    templates = await templates_of(service)
    assert len(templates) >= 2
    asked = len(requests_to(service, "/api/custom_templates/"))  # the test's own
    picker = TemplatePicker(TEMPLATE_FIELD, service)
    qtbot.addWidget(picker)
    await asyncio.sleep(0.05)
    assert len(requests_to(service, "/api/custom_templates/")) == asked  # lazily, when shown
    picker.show()
    await until(lambda: picker.loaded)
    expected = sorted((f"{t['name']} ({t['aspect_ratio']})" for t in templates.values()),
                      key=str.casefold)
    assert texts(picker.combo) == expected
    assert picker.value() is None and not picker.details.isVisible()

    spotlight = templates["Product spotlight"]
    picker.combo.setCurrentIndex(picker.combo.findText("Product spotlight (9x16)"))
    assert picker.value() == spotlight["template_id"]
    assert TEMPLATE_FIELD.validate(picker.value()) is None
    assert picker.details.isVisible()
    info = picker.info.text()
    assert "Aspect ratio 9x16" in info and spotlight["preview"] in info
    assert spotlight["template_id"] in info

    picker.filter.setText("testimonial")
    assert visible_texts(picker.combo) == ["Testimonial cut (16x9)"]
    picker.filter.setText("16x9")
    assert visible_texts(picker.combo) == ["Testimonial cut (16x9)"]
    picker.filter.clear()
    assert visible_texts(picker.combo) == expected

    pasted = str(uuid.uuid4())
    picker.combo.setEditText(f"  {pasted} ")
    assert picker.value() == pasted and not picker.details.isVisible()
    picker.set_value(spotlight["template_id"])
    assert picker.combo.currentText() == "Product spotlight (9x16)"
    picker.set_value(None)
    assert picker.value() is None
    assert len(requests_to(service, "/api/custom_templates/")) == asked + 1
    await idle()


async def test_template_chosen_before_the_list_arrives_shows_its_name(qtbot: Any,
                                                                      service: StudioService):
    spotlight = (await templates_of(service))["Product spotlight"]
    picker = TemplatePicker(TEMPLATE_FIELD, service)
    picker.set_value(spotlight["template_id"])
    assert picker.value() == spotlight["template_id"]
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    assert picker.combo.currentText() == "Product spotlight (9x16)"
    assert picker.value() == spotlight["template_id"]
    await idle()


# ---------------------------------------------------------------------------- variables

def test_template_variables_tolerates_the_shapes():
    detail = {"variables": {
        "headline": {"type": "text", "properties": {"content": "Hi"}},
        "hero": {"type": "image", "default": "https://x.test/a.png"},
        "voice": "voiceover", "": {"type": "text"}}}
    assert template_variables(detail) == [("headline", "text", "Hi"),
                                          ("hero", "image", "https://x.test/a.png"),
                                          ("voice", "voiceover", "")]
    assert template_variables({"variables": [{"name": "a", "type": "audio"}]}) == [
        ("a", "audio", "")]
    assert template_variables({"variables": None}) == []
    assert required_variables({"variables": {"a": {"required": True}, "b": {"required": "false"},
                                             "c": {}, "d": "text"}}) == {"a"}


async def test_variables_editor_follows_the_chosen_template(qtbot: Any,
                                                           service: StudioService):
    templates = await templates_of(service)
    spotlight, testimonial = templates["Product spotlight"], templates["Testimonial cut"]
    assert service.session.client is not None
    detail = await service.session.client.custom_template(spotlight["template_id"])
    generator = spec("custom_template")
    form = GeneratorForm(generator, service)
    await shown(qtbot, form)
    picker, variables = form.editors["template_id"], form.editors["variables"]
    assert isinstance(picker, TemplatePicker) and isinstance(variables, VariablesEditor)
    await until(lambda: picker.loaded)

    picker.combo.setCurrentIndex(picker.combo.findText("Product spotlight (9x16)"))
    await until(lambda: variables.detail is not None)
    wanted = [(name, str(v["type"]), "") for name, v in detail["variables"].items()]
    assert variable_rows(variables) == wanted
    assert variables.status.text().startswith(f"{len(wanted)} variables from the template")
    table = variables.table
    name_item = table.item(0, COL_NAME)
    assert not name_item.flags() & Qt.ItemFlag.ItemIsEditable  # names come from the template
    assert variables.value() == {}  # nothing typed: the template keeps its own
    required = [name for name, v in detail["variables"].items() if v.get("required")]
    assert required == ["headline", "product_image"]  # (the simulator's template)
    assert variables.missing_required() == required
    assert variables.note.isVisible() and "headline, product_image" in variables.note.text()
    assert name_item.font().bold() and not table.item(2, COL_NAME).font().bold()

    table.item(0, COL_VALUE).setText("Summer sale")
    table.item(1, COL_VALUE).setText("https://example.com/hero.png")
    assert variables.missing_required() == [] and not variables.note.isVisible()
    assert variables.value() == {
        "headline": {"type": "text", "value": "Summer sale"},
        "product_image": {"type": "image", "value": "https://example.com/hero.png"}}
    values = form.values()
    assert generator.validate(values) == {}
    body = generator.build_body(values)
    assert body["template_id"] == spotlight["template_id"]
    assert body["variables"] == {
        "headline": {"type": "text", "properties": {"content": "Summer sale"}},
        "product_image": {"type": "image", "properties": {"url": "https://example.com/hero.png"}}}

    picker.combo.setCurrentIndex(picker.combo.findText("Testimonial cut (16x9)"))
    await until(lambda: variables.detail is not None
                and variables.template_id == testimonial["template_id"]
                and variable_rows(variables)[0][0] == "quote")
    assert [name for name, _k, _v in variable_rows(variables)] == ["quote", "clip", "soundtrack"]
    assert variables.value() == {}

    picker.combo.setCurrentIndex(picker.combo.findText("Product spotlight (9x16)"))
    assert variables.template_id == spotlight["template_id"]
    assert variables.value() == {  # typed values survive the round trip (detail cached)
        "headline": {"type": "text", "value": "Summer sale"},
        "product_image": {"type": "image", "value": "https://example.com/hero.png"}}
    details = requests_to(service, f"/api/custom_templates/{spotlight['template_id']}/")
    assert len(details) == 2  # the test's own and the editor's; the way back was cached
    await idle()


async def test_saved_values_merge_into_the_template_and_a_pasted_id_frees_the_rows(
        qtbot: Any, service: StudioService):
    spotlight = (await templates_of(service))["Product spotlight"]
    form = GeneratorForm(spec("custom_template"), service)
    await shown(qtbot, form)
    variables = form.editors["variables"]
    assert isinstance(variables, VariablesEditor)
    form.set_values({"template_id": spotlight["template_id"],
                     "variables": {"headline": {"type": "text", "value": "Saved"}}})
    await until(lambda: variables.detail is not None)
    rows = variable_rows(variables)
    assert rows[0] == ("headline", "text", "Saved") and len(rows) == 4
    assert variables.value() == {"headline": {"type": "text", "value": "Saved"}}

    form.editors["template_id"].set_value("not-a-template-id")
    assert variables.template_id is None and variables.detail is None
    assert variable_rows(variables) == [("headline", "text", "Saved")]  # filled rows kept
    assert variables.table.item(0, COL_NAME).flags() & Qt.ItemFlag.ItemIsEditable
    await idle()


async def test_an_unknown_template_says_why_and_offers_retry(qtbot: Any,
                                                              service: StudioService):
    editor = VariablesEditor(VARIABLES, service)
    await shown(qtbot, editor)
    missing = str(uuid.uuid4())
    editor.set_template(missing)
    assert editor.status.text() == "Loading the template's variables…"
    await until(lambda: editor.retry_button.isVisible())
    assert editor.status.text().startswith("Could not load the template's variables: ")
    assert editor.detail is None and editor.table.rowCount() == 1  # still editable by hand
    before = len(requests_to(service, f"/api/custom_templates/{missing}/"))
    editor.retry_button.click()
    await until(lambda: len(requests_to(service, f"/api/custom_templates/{missing}/")) > before)
    await until(lambda: editor.retry_button.isVisible())
    await idle()


# ---------------------------------------------------------------------------- music picker

def music_labels(picker: MusicPicker) -> list[str]:
    return [t for t in texts(picker.combo) if t]


async def test_music_picker_pages_searches_and_filters_by_category(qtbot: Any,
                                                                   service: StudioService):
    assert service.session.client is not None
    everything = await service.session.client.music_page(page=1, page_size=100)
    total = len(everything.items)
    assert total > 10
    own = len(requests_to(service, "/api/musics/"))  # the test's own

    def asked() -> list[dict[str, list[str]]]:
        return requests_to(service, "/api/musics/")[own:]

    picker = MusicPicker(MUSIC, service)
    picker.page_size = 5
    qtbot.addWidget(picker)
    await asyncio.sleep(0.05)
    assert asked() == []  # lazily, when shown
    picker.show()
    await until(lambda: picker.loaded)
    assert len(music_labels(picker)) == 5 and picker.more_button.isEnabled()
    assert picker.count_label.text() == f"5 of {total} tracks listed"
    assert asked() == [{"page": ["1"], "page_size": ["5"]}]

    picker.combo.setCurrentIndex(2)
    chosen = picker.value()
    chosen_label = picker.combo.currentText()
    assert chosen is not None and chosen.endswith(".mp3")

    pages = 1
    assert picker.more_button.isVisible()
    while picker.more_button.isEnabled():
        picker.more_button.click()
        pages += 1
        await until(lambda p=pages: picker.pages == p)
    assert len(music_labels(picker)) == total
    assert picker.count_label.text() == f"{total} of {total} tracks listed"
    assert [q["page"] for q in asked()] == [
        [str(p)] for p in range(1, pages + 1)]
    assert picker.value() == chosen  # paging kept the choice

    for text in ("c", "ca", "cal", "calm"):  # typed quickly: one search request
        picker.search.setText(text)
        await asyncio.sleep(0.02)
    await until(lambda: picker.query == ("calm", "") and not picker.busy)
    assert picker.pages == 1
    searches = [q for q in asked() if "search" in q]
    assert searches == [{"page": ["1"], "page_size": ["5"], "search": ["calm"]}]
    calm = [t for t in everything.items
            if "calm" in f"{t.get('name')} {t.get('category')}".casefold()]
    assert calm and {t for t in music_labels(picker) if t != chosen_label} <= {
        label for label in (picker._labels[t["url"]] for t in calm)}
    assert picker.value() == chosen and picker.combo.currentText() == chosen_label

    await until(lambda: picker.category.count() > 1)
    picker.search.clear()
    picker.category.setCurrentIndex(picker.category.findData("Energetic"))
    await until(lambda: picker.query == ("", "Energetic") and not picker.busy)
    assert picker.pages == 1
    energetic = {picker._labels[t["url"]] for t in everything.items
                 if t.get("category") == "Energetic"}
    assert energetic and set(music_labels(picker)) - {chosen_label} == energetic
    assert asked()[-1] == {
        "page": ["1"], "page_size": ["5"], "category": ["Energetic"]}

    picker.combo.setEditText("https://example.com/my-track.mp3")
    assert picker.value() == "https://example.com/my-track.mp3"
    assert MUSIC.validate(picker.value()) is None
    checked = 0
    for _method, path in service.session.sandbox.request_log:  # type: ignore[union-attr]
        if urlsplit(path).path in ("/api/musics/", "/api/music_categories/"):
            request = httpx.Request("GET", "https://api.creatify.ai" + path,  # the spec's server
                                    headers={"X-API-ID": "id", "X-API-KEY": "key"})
            assert CONTRACT.request_problems(request) == [], path
            checked += 1
    assert checked >= 6
    await idle()


async def test_music_picker_reads_a_plain_array_too(qtbot: Any, plain_service: StudioService):
    picker = MusicPicker(MUSIC, plain_service)
    await shown(qtbot, picker)
    await until(lambda: picker.loaded)
    assert len(music_labels(picker)) > 0
    picker.combo.setCurrentIndex(1)
    assert str(picker.value()).endswith(".mp3")
    await idle()


async def test_music_picker_offline_says_so(qtbot: Any, qapp: QApplication, tmp_path: Path):
    studio = StudioService(output_dir=tmp_path, auto_download=False)
    picker = MusicPicker(MUSIC, studio)
    await shown(qtbot, picker)
    assert picker.status.text().startswith("Not connected")
    picker.combo.setEditText("https://example.com/a.mp3")
    assert picker.value() == "https://example.com/a.mp3"
    await studio.aclose()


# ---------------------------------------------------------------------------- schema form

async def test_schema_form_sends_the_schemas_types(qtbot: Any, service: StudioService):
    """Every model's form, from the simulator's published schema and from the built-in one,
    gives input_params that validate against that schema (a duration enum of strings sends
    "6", not 6)."""
    assert service.session.client is not None
    published = {s["model_name"]: s["input_params_schema"]
                 for s in await service.session.client.asset_schemas()}
    assert set(ASSET_MODELS) <= set(published)
    form = SchemaForm(INPUT_PARAMS, service)
    await shown(qtbot, form)
    await until(lambda: form.watcher.items is not None)
    for name in ASSET_MODELS:
        schema = published[name]
        form.set_model(name)
        assert form.from_schema, name
        form.inputs["prompt"].set("a red kite over the sea")
        value = form.value()
        jsonschema.validate(value, schema)
        duration = schema["properties"].get("duration")
        if duration is not None and duration.get("type") == "string":
            assert form.inputs["duration"].set(duration["enum"][1])
            assert form.value()["duration"] == duration["enum"][1]
            assert isinstance(form.value()["duration"], str)
            jsonschema.validate(form.value(), schema)
        if "num_images" in schema["properties"]:
            assert form.inputs["num_images"].set(3)
            assert form.value()["num_images"] == 3
            jsonschema.validate(form.value(), schema)
        if "resolution" in schema["properties"]:
            assert form.inputs["resolution"].set("4K")
            jsonschema.validate(form.value(), schema)
        values = {"model_name": name, "input_params": form.value()}
        assert spec("asset_generator").validate(values) == {}, name
        # the built-in stand-in has the same names and types
        fallback = fallback_schema(name)
        assert set(fallback["properties"]) == set(schema["properties"]), name
        for key, prop in fallback["properties"].items():
            assert prop.get("type") == schema["properties"][key].get("type"), (name, key)

    # Every model the catalogue serves: each input set away from its default (the last
    # choice, the top of a range, a ticked box, addresses in a list, a group's fields) and
    # the whole still valid against the published schema, in its types.
    assert service.session.sandbox is not None
    image = service.session.sandbox.base_url + "/media/samples/sample.png"
    for name, schema in published.items():
        form.set_model(name)
        assert form.from_schema, name
        for key, entry in form.inputs.items():
            prop = read_property(key, schema["properties"][key],
                                 key in (schema.get("required") or ()))
            assert entry.set(away_from_default(prop, image)), (name, key)
        value = form.value()
        jsonschema.validate(value, schema)
        assert set(value) == set(schema["properties"]), (name, value)
        values = {"model_name": name, "input_params": value}
        assert spec("asset_generator").validate(values) == {}, (name, value)
        assert spec("asset_generator").build_body(values)["input_params"] == value
    await idle()


def away_from_default(prop: SchemaProperty, image: str) -> Any:
    """A valid value of ``prop`` that is not its default, in the schema's type."""
    if prop.choices:
        return prop.choices[-1]
    if prop.editor is Editor.STRING_LIST:
        return [image] * max(prop.min_items or 1, 2 if (prop.max_items or 2) >= 2 else 1)
    if prop.editor is Editor.GROUP:
        inner = prop.schema["properties"]
        required = prop.schema.get("required") or ()
        return {k: away_from_default(read_property(k, v, k in required), image)
                for k, v in inner.items()}
    if prop.kind == "boolean":
        return not prop.default
    if prop.kind in ("integer", "number"):
        top = prop.high if prop.high is not None else (prop.low or 0) + 3
        return int(top) if prop.kind == "integer" else top
    if prop.is_url or "image" in prop.key:
        return image
    return "a red kite over the sea"


async def test_template_variables_wait_for_a_connection(qtbot: Any, qapp: QApplication,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(session_module, "CreatifyClient",
                        functools.partial(CreatifyClient, retry=FAST_RETRY))
    studio = StudioService(output_dir=tmp_path, auto_download=False)
    try:
        form = GeneratorForm(spec("custom_template"), studio)
        await shown(qtbot, form)
        picker, variables = form.editors["template_id"], form.editors["variables"]
        assert isinstance(picker, TemplatePicker) and isinstance(variables, VariablesEditor)
        assert picker.status.text().startswith("Not connected")
        template_id = next(iter(simulated.TEMPLATES))
        picker.combo.setEditText(template_id)  # pasted while offline
        assert picker.value() == template_id
        assert variables.status.text().startswith("Not connected")
        assert not variables.retry_button.isVisible()
        await studio.use_sandbox()
        await until(lambda: variables.detail is not None and picker.loaded)
        assert [name for name, _k, _v in variable_rows(variables)] == list(
            simulated.TEMPLATES[template_id].variables)
        assert picker.combo.currentText() == picker.combo.itemText(
            picker.model.find(template_id))  # the pasted id now shows the template's name
        await idle()
    finally:
        await studio.aclose()


async def test_music_page_failure_says_why_and_retry_loads_it(qtbot: Any,
                                                             service: StudioService):
    assert service.session.sandbox is not None
    service.session.sandbox.set_faults(error_rate=1.0)
    picker = MusicPicker(MUSIC, service)
    await shown(qtbot, picker)
    await until(lambda: picker.retry_button.isVisible(), timeout=10)
    assert picker.status.text().startswith("Could not load music tracks: ")
    assert not picker.loaded and not picker.more_button.isVisible()
    picker.combo.setEditText("https://example.com/mine.mp3")  # a URL still works
    assert picker.value() == "https://example.com/mine.mp3"

    service.session.sandbox.set_faults(error_rate=0.0)
    picker.retry_button.click()
    await until(lambda: picker.loaded)
    assert not picker.status.isVisible() and music_labels(picker)
    assert picker.value() == "https://example.com/mine.mp3"  # the typed URL kept
    await idle()
