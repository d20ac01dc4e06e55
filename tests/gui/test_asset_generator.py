"""The Asset Generator in the real window against the simulator over loopback HTTP: the model
picker over the live catalogue (grouped, searched, chosen by keyboard, prices shown, the saved
catalogue offline), the schema form built from each model's schema, and the money: an exact
estimate for a table model charged exactly, "at least N" for a model with only the docs'
lowest price, "price unknown" with what the budget guard holds it to, and the price learned
from the last run of the same model and settings.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.api.client import CreatifyClient
from app.assets import schema_for
from app.generators import spec
from app.generators.quote import Quote, format_credits, quote
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.jobs.scheduler import PollPolicy
from app.json_schema import ordered_properties, read_property
from app.pricing import LearnedCharge, activate_prices, asset_prices, plan_by_key
from app.pricing.assets import DEFAULT_ASSET_PATH, parse_asset_prices
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, confirmation, studio  # noqa: F401
from ui.forms.form import GeneratorForm
from ui.forms.pickers.asset_models import (
    NAME_ROLE,
    AssetModelPicker,
    catalogue_date_text,
    price_hint,
)
from ui.forms.schema_form import SchemaForm
from ui.generator.confirmations import send_cost_text
from ui.generator.estimator import EstimatorPanel
from ui.generator.tab import GeneratorTab
from ui.jobs.preview import PreviewDialog
from ui.service import Mode, StudioService

SPEED = 1000
MODEL = spec("asset_generator").field("model_name")
SCHEMAS = "/api/asset_generator/schemas/"


@pytest.fixture(scope="module")
def simulator() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, balance=1_000_000) as server:
        yield server


@pytest.fixture
async def service(qapp: QApplication, tmp_path: Path) -> AsyncIterator[StudioService]:
    studio_service = StudioService(output_dir=tmp_path / "output", data_dir=tmp_path / "data",
                                   auto_download=False)
    await studio_service.use_sandbox()
    await idle()
    try:
        yield studio_service
    finally:
        await studio_service.aclose()


def catalogue(simulator: Sandbox) -> list[dict[str, Any]]:
    """The simulator's catalogue, read over HTTP as Creatify serves it."""
    import httpx

    answer = httpx.get(simulator.base_url + SCHEMAS,
                       headers={"X-API-ID": "sandbox", "X-API-KEY": "sandbox"})
    answer.raise_for_status()
    body = answer.json()
    items = body if isinstance(body, list) else body.get("results") or body.get("data") or []
    return [dict(i) for i in items]


def priced_as(name: str) -> str:
    """How the price file prices ``name``: ``exact`` (a full table or a flat price, nothing
    billed beyond it), ``from`` (only the lowest price), ``unknown``."""
    model = asset_prices().model(name)
    if model is None or model.kind == "unknown":
        return "unknown"
    if model.kind == "varies":
        return "from"
    if model.kind == "flat":
        return "exact"
    if model.partial or model.surcharge is not None or model.unpriced_references:
        return "other"
    return "exact"


def rows(picker: AssetModelPicker) -> list[tuple[str, str, str, str]]:
    out = []
    for index in range(picker.tree.topLevelItemCount()):
        item = picker.tree.topLevelItem(index)
        assert item is not None
        if item.data(0, Qt.ItemDataRole.UserRole):
            out.append(tuple(item.text(c).strip() for c in range(4)))
    return out  # type: ignore[return-value]


def headings(picker: AssetModelPicker) -> list[str]:
    out = []
    for index in range(picker.tree.topLevelItemCount()):
        item = picker.tree.topLevelItem(index)
        assert item is not None
        if not item.data(0, Qt.ItemDataRole.UserRole):
            out.append(item.text(0).rsplit(" (", 1)[0])
    return out


# ---------------------------------------------------------------------------- the picker

async def test_the_picker_lists_the_live_catalogue_by_family_and_type_with_prices(
        qtbot: Any, service: StudioService, simulator: Sandbox):
    picker = AssetModelPicker(MODEL, service)
    qtbot.addWidget(picker)
    picker.show()
    await until(lambda: picker.loaded, timeout=10)
    served = service.catalogue("asset_schemas")
    assert served is not None and len(served) >= 25
    names = {str(e["model_name"]) for e in served}
    listed = rows(picker)
    assert {r[1] for r in listed} == names  # every model once, under its family
    families = headings(picker)
    assert families == sorted(families, key=str.lower) and "Veo" in families
    assert picker.date.text().startswith("catalogue from ")
    prices = asset_prices()
    by_name = {r[1]: r for r in listed}
    kinds = {priced_as(n) for n in names}
    assert {"exact", "from", "unknown"} <= kinds  # the catalogue has each kind of price
    for name, row in by_name.items():
        model = picker.catalogue.model(name)
        assert model is not None and row[3] == price_hint(model, prices)
        known = prices.model(name)
        if known is not None and known.kind == "flat":
            assert row[3] == format_credits(next(iter(known.cells.values())))
        elif priced_as(name) == "unknown":
            assert row[3] == "price unknown"
        else:
            assert row[3].startswith("from ")
    assert by_name["veo3.1/fast"][3] == "from 6 credits"  # its table: 4/6/8 s → 6/9/12

    picker.by_type.click()
    types = headings(picker)
    assert types[:2] == ["Text → video", "Image → video"] and "Image edit" in types
    assert {r[1] for r in rows(picker)} == names


async def test_type_to_search_arrows_and_enter_choose_a_model(qtbot: Any,
                                                             service: StudioService):
    picker = AssetModelPicker(MODEL, service)
    qtbot.addWidget(picker)
    picker.show()
    await until(lambda: picker.loaded, timeout=10)
    chosen: list[str | None] = []
    picker.changed.connect(lambda: chosen.append(picker.value()))
    picker.search.setFocus()
    QTest.keyClicks(picker.search, "nano banana")
    found = [r[1] for r in rows(picker)]
    assert found and all("nano-banana" in n for n in found)
    QTest.keyClick(picker.search, Qt.Key.Key_Down)
    QTest.keyClick(picker.search, Qt.Key.Key_Down)
    assert chosen == []  # moving the highlight chooses nothing
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert chosen == [found[1]] and picker.value() == found[1]
    assert picker.chosen.text().startswith(
        picker.catalogue.model(found[1]).title.split(" · ")[0])  # type: ignore[union-attr]
    QTest.keyClicks(picker.search, " zzz-no-such-model")
    assert rows(picker) == []
    picker.search.clear()
    assert len(rows(picker)) == len(picker.catalogue.models)
    picker.set_value("veo3.1/fast")  # a saved form: the schema form must follow it too
    assert chosen == [found[1], "veo3.1/fast"] and picker.value() == "veo3.1/fast"
    picker.set_value("veo3.1/fast")
    assert len(chosen) == 2  # no change, no signal
    picker.set_value("someone/unlisted-model")
    assert "not in the catalogue" in picker.chosen.text()


async def test_values_set_on_the_form_choose_the_model_and_fill_its_inputs(
        qtbot: Any, service: StudioService):
    """A saved form or a job retried into the form: the picker shows the model and the
    schema form follows it with the saved inputs, in the schema's types."""
    form = GeneratorForm(spec("asset_generator"), service)
    qtbot.addWidget(form)
    form.show()
    params = form.editors["input_params"]
    assert isinstance(params, SchemaForm)
    form.set_values({"model_name": "nano-banana-pro",
                     "input_params": {"prompt": "A mug", "resolution": "4K", "num_images": 2}})
    await until(lambda: params.from_schema and params.model_name == "nano-banana-pro")
    assert form.values() == {"model_name": "nano-banana-pro",
                             "input_params": {"prompt": "A mug", "resolution": "4K",
                                              "num_images": 2}}
    picker = form.editors["model_name"]
    assert isinstance(picker, AssetModelPicker) and "nano-banana-pro" in picker.chosen.text()


async def test_the_saved_catalogue_shows_offline_with_its_date(qapp: QApplication,
                                                              qtbot: Any, tmp_path: Path,
                                                              simulator: Sandbox):
    """A catalogue read on a live connection (here the simulator, spoken to as Creatify)
    shows at the next start with no connection, with its date."""
    data = tmp_path / "data"
    online = StudioService(output_dir=tmp_path / "out", data_dir=data, auto_download=False)
    await online.session.use_client(CreatifyClient("sandbox", "sandbox",
                                                                   base_url=simulator.base_url),
                                    data / "jobs.sqlite3", PollPolicy().scaled(SPEED),
                                    Mode.LIVE)
    first = AssetModelPicker(MODEL, online)
    qtbot.addWidget(first)
    first.show()
    await until(lambda: first.loaded, timeout=10, message=first.status.text())
    count = len(first.catalogue.models)
    await online.aclose()

    offline = StudioService(output_dir=tmp_path / "out", data_dir=data, auto_download=False)
    try:
        picker = AssetModelPicker(MODEL, offline)
        qtbot.addWidget(picker)
        picker.show()
        await until(lambda: picker.loaded, timeout=5)
        assert not offline.connected and len(picker.catalogue.models) == count
        assert picker.date.text().startswith("catalogue from ")
        picker.refresh_button.click()  # offline: says so, keeps the list
        assert "Not connected" in picker.status.text()
        assert len(rows(picker)) == count
    finally:
        await offline.aclose()


# ---------------------------------------------------------------------------- the window

async def connect(studio: Studio, simulator: Sandbox) -> str:  # noqa: F811
    """The studio on the module's simulator; the simulator's sample image URL."""
    service = studio.service
    await service.session.use_client(CreatifyClient("sandbox", "sandbox",
                                                    base_url=simulator.base_url),
                                     studio.data_dir / "jobs.sqlite3",
                                     PollPolicy().scaled(SPEED), Mode.SANDBOX)
    await service.fetch_credits()
    return f"{simulator.base_url}/media/samples/sample.png"


def form_values(schema: Mapping[str, Any], media: str) -> dict[str, Any]:
    """Values for every required input of ``schema`` (and a prompt), as a user fills them."""
    required = {str(k) for k in schema.get("required") or ()}
    values: dict[str, Any] = {}
    for key, prop in ordered_properties(schema):
        read = read_property(key, prop, key in required)
        if key not in required and "prompt" not in key:
            continue
        if read.choices or read.default is not None:
            continue  # its default
        if read.kind == "array":
            values[key] = [media.replace(".png", ".mp4?duration=6") if "video" in key
                           else media]
        elif read.kind == "string" and (read.is_url or "url" in key or "image" in key
                                        or "video" in key):
            values[key] = media.replace(".png", ".mp4?duration=6") if "video" in key \
                else media
        elif read.kind == "string":
            values[key] = "A blue mug on an oak desk, morning light"
        elif read.kind in ("integer", "number"):
            values[key] = int(read.low or 1)
        elif read.kind == "boolean":
            values[key] = False
    return values


async def choose(tab: GeneratorTab, name: str) -> SchemaForm:
    """Pick ``name`` in the tab's picker by keyboard and wait for its schema form."""
    picker = tab.form.editors["model_name"]
    assert isinstance(picker, AssetModelPicker)
    await until(lambda: picker.loaded, timeout=10)
    picker.search.clear()
    QTest.keyClicks(picker.search, name)
    exact = [r for r in rows(picker) if r[1] == name]
    assert exact, name
    while picker.tree.currentItem() is None \
            or picker.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) != name:
        QTest.keyClick(picker.search, Qt.Key.Key_Down)
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    form = tab.form.editors["input_params"]
    assert isinstance(form, SchemaForm)
    await until(lambda: form.from_schema and form.model_name == name, timeout=10)
    return form


async def cost_box(studio: Studio) -> QMessageBox:  # noqa: F811
    await until(lambda: confirmation(studio.window) is not None, timeout=10,
                message="no cost confirmation")
    box = confirmation(studio.window)
    assert box is not None
    return box


async def send_and_finish(studio: Studio, simulator: Sandbox, tab: GeneratorTab,  # noqa: F811
                          box: QMessageBox) -> JobRecord:
    creates = len(simulator.create_log)
    await asyncio.sleep(0.02)
    assert len(simulator.create_log) == creates, "a paid request left before Send"
    button = box.findChild(QPushButton, "confirm_send")
    assert button is not None
    before = tab.last_job.key if tab.last_job is not None else None
    button.click()
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)
    await until(lambda: tab.last_job is not None and tab.last_job.key != before
                and tab.last_job.state.is_terminal
                and tab.last_job.download_state in (DownloadState.DONE, DownloadState.FAILED),
                timeout=60, message=f"never ended: {tab.status.text()}")
    job = tab.last_job
    assert job is not None and job.state is JobState.DONE, (job.state, job.failed_reason)
    return job


async def test_a_model_of_each_generation_type_is_priced_exactly_and_charged_so(
        studio: Studio, simulator: Sandbox, qtbot: Any):  # noqa: F811
    media = await connect(studio, simulator)
    tab = studio.window.show_generator("asset_generator")
    served = catalogue(simulator)
    by_type: dict[str, str] = {}
    for entry in served:
        name, kind = str(entry["model_name"]), str(entry["generation_type"])
        if priced_as(name) == "exact":
            by_type.setdefault(kind, name)
    assert {"text_to_video", "image_to_video", "text_to_image", "image_to_image"} \
        <= set(by_type)
    several = 0
    for kind, name in by_type.items():
        form = await choose(tab, name)
        values = form_values(form.schema()[0], media)
        count = next((k for k in ("num_images", "num_outputs") if k in form.inputs), None)
        if count is not None:  # several outputs: charged the per-output price × outputs
            values[count] = 2
            several += 1
        form.set_value(values)
        await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                    message=f"{name}: {tab.hint.text()}")
        q = tab.current_quote
        assert q is not None and q.credits is not None and not q.at_least, (name, q)
        figure = format_credits(q.credits)
        assert tab.estimator.credits.text() == figure
        outputs = "2 outputs ×" if count is not None else "1 output ×"
        assert outputs in tab.estimator.breakdown.text(), tab.estimator.breakdown.text()
        balance = simulator.balance
        tab.submit_button.click()
        box = await cost_box(studio)
        assert f"Estimated cost: {figure}" in box.informativeText(), box.informativeText()
        job = await send_and_finish(studio, simulator, tab, box)
        body = simulator.create_log[-1].body
        assert body["model_name"] == name
        await until(lambda after=balance - q.credits: simulator.balance == after,
                    timeout=20, message=f"{name} ({kind}): charged "
                                        f"{balance - simulator.balance}, quoted {q.credits}")
        assert job.credits_used == q.credits
        assert job.download_state is DownloadState.DONE and job.download_path
        assert Path(job.download_path).is_file()
        preview = PreviewDialog(job, service=studio.service)
        qtbot.addWidget(preview)
        assert preview.source is not None
        assert preview.source.toLocalFile() == job.download_path
        assert preview.kind == ("video" if kind.endswith("video") else "image")
    assert several  # some model of the catalogue makes several outputs a request
    await idle(timeout=15)


async def test_a_from_price_says_at_least_then_the_second_run_shows_the_learned_price(
        studio: Studio, simulator: Sandbox):  # noqa: F811
    media = await connect(studio, simulator)
    tab = studio.window.show_generator("asset_generator")
    name = next(str(e["model_name"]) for e in catalogue(simulator)
                if priced_as(str(e["model_name"])) == "from")
    form = await choose(tab, name)
    values = form_values(form.schema()[0], media)
    form.set_value(values)
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"{name}: {tab.hint.text()}")
    q = tab.current_quote
    assert q is not None and q.at_least and q.credits is not None and not q.from_learned
    least = format_credits(q.credits)
    assert tab.estimator.credits.text() == f"at least {least}"
    assert "lowest price" in tab.estimator.basis.text()
    balance = simulator.balance
    tab.submit_button.click()
    box = await cost_box(studio)
    text = box.informativeText()
    assert f"at least {least}" in text and "lowest price" in text
    assert "budget guard" in text
    job = await send_and_finish(studio, simulator, tab, box)
    await until(lambda: simulator.balance < balance, timeout=20)
    charged = balance - simulator.balance
    assert charged >= q.credits and job.credits_used == charged

    # The same model and settings again: the price the last run cost, dated.
    tab.refresh()
    await until(lambda: tab.current_quote is not None and tab.current_quote.from_learned,
                timeout=10, message="the learned price is not used")
    again = tab.current_quote
    assert again is not None and again.credits == charged and not again.at_least
    assert tab.estimator.credits.text() == format_credits(charged)
    assert "what your last run of this cost" in tab.estimator.basis.text().lower()
    balance = simulator.balance
    tab.submit_button.click()
    box = await cost_box(studio)
    assert f"Estimated cost: {format_credits(charged)} — what your last run of this cost" \
        in box.informativeText()
    await send_and_finish(studio, simulator, tab, box)
    await until(lambda: simulator.balance == balance - charged, timeout=20)
    await idle(timeout=15)


async def test_an_unknown_price_says_so_and_what_the_budget_guard_holds_it_to(
        studio: Studio, simulator: Sandbox):  # noqa: F811
    media = await connect(studio, simulator)
    tab = studio.window.show_generator("asset_generator")
    name = next(str(e["model_name"]) for e in catalogue(simulator)
                if priced_as(str(e["model_name"])) == "unknown")
    form = await choose(tab, name)
    form.set_value(form_values(form.schema()[0], media))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"{name}: {tab.hint.text()}")
    assert tab.estimator.credits.text() == "Price unknown"
    assert "after the run" in tab.estimator.basis.text()
    creates = len(simulator.create_log)
    tab.submit_button.click()
    box = await cost_box(studio)
    assert "Price unknown" in box.informativeText()
    assert "No per-job ceiling is set" in box.informativeText()
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()  # the guard refuses: an unknown price is never counted as zero
    await until(lambda: "set a per-job ceiling" in tab.status.text(), timeout=10,
                message=f"not refused: {tab.status.text()}")
    await asyncio.sleep(0.05)
    assert len(simulator.create_log) == creates

    studio.service.budget = type(studio.service.budget)(per_job=Decimal(40))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10)
    balance = simulator.balance
    tab.submit_button.click()
    await until(lambda: confirmation(studio.window) not in (None, box), timeout=10)
    box = await cost_box(studio)
    assert "per-job ceiling, 40 credits" in box.informativeText(), box.informativeText()
    job = await send_and_finish(studio, simulator, tab, box)  # held to the ceiling: sent
    await until(lambda: simulator.balance < balance, timeout=20)
    assert job.credits_used == balance - simulator.balance <= Decimal(40)
    await idle(timeout=15)


# ---------------------------------------------------------------------------- the wording

def test_the_panel_and_the_confirmation_say_how_sure_the_price_is(qtbot: Any):
    """Exact × outputs, at least, unknown, learned, and a table price that disagreed with the
    last real charge: what the panel shows and the confirmation says for each."""
    asset = spec("asset_generator")
    panel = EstimatorPanel("asset_generator")
    qtbot.addWidget(panel)
    day = date(2026, 12, 6)

    def show(model: str, params: dict[str, Any],
             learned: LearnedCharge | None = None) -> tuple[Quote, str]:
        # the model's required inputs where a catalogue is installed (an earlier test's)
        needed = form_values(schema_for(model) or {}, "https://cdn.example.com/a.png")
        q = quote(asset, {"model_name": model,
                          "input_params": {"prompt": "x", **needed, **params}},
                  None, plan=plan_by_key("api_pro"), learned=lambda _key: learned)
        panel.show_quote(q, "API Pro")
        return q, send_cost_text(q, "API Pro", sandbox=True, per_job=Decimal(25))

    q, text = show("nano-banana-pro", {"resolution": "4K", "num_images": 3})
    assert panel.credits.text() == "9 credits" and panel.basis.isHidden()
    assert "3 outputs × 3 = 9 credits" in panel.breakdown.text()
    assert text.startswith("Estimated cost: 9 credits") and "budget guard" not in text

    q, text = show("veo3.1", {})
    assert q.at_least and panel.credits.text() == "at least 16 credits"
    assert "lowest price" in panel.basis.text() and not panel.basis.isHidden()
    assert panel.dollars.text().startswith("≥ $")
    assert "at least 16 credits (the docs' lowest price" in text
    assert "per-job ceiling, 25 credits" in text  # max(16, 25)

    q, text = show("veo3.1/fast/first-last-frame-to-video", {})
    assert panel.credits.text() == "Price unknown" and "after the run" in panel.basis.text()
    assert text.startswith("Price unknown") and "per-job ceiling, 25 credits" in text
    assert send_cost_text(q, "API Pro", True).count("No per-job ceiling is set") == 1

    last = LearnedCharge(Decimal("18.5"), day, "job-1")
    q, text = show("veo3.1", {}, last)
    assert q.from_learned and panel.credits.text() == "18.5 credits"
    assert panel.basis.text() == "What your last run of this cost (6 Dec 2026)."
    assert "18.5 credits — what your last run of this cost (6 Dec 2026)" in text

    q, text = show("veo3.1/fast", {"duration": "6"}, LearnedCharge(Decimal(7), day, "job-2"))
    assert panel.credits.text() == "9 credits"  # the table's exact price stands
    assert q.warnings and "⚠" in panel.warnings.text() and "7" in panel.warnings.text()
    assert "⚠" in text


def test_the_catalogue_date_reads_in_the_users_own_time():
    fetched = datetime(2026, 12, 6, 20, 15, tzinfo=UTC)
    local = fetched.astimezone()
    assert catalogue_date_text(fetched) == f"catalogue from {local:%-d %b %Y %H:%M}"
    assert catalogue_date_text(date(2026, 12, 6)) == "catalogue from 6 Dec 2026"
    assert catalogue_date_text(None) == ""


async def test_an_imported_price_file_changes_the_price_hints(qtbot: Any,
                                                             service: StudioService):
    """File → Update prices… puts another asset price file in force: the picker's hints
    follow it (nano-banana's flat price here)."""
    picker = AssetModelPicker(MODEL, service)
    qtbot.addWidget(picker)
    picker.show()
    await until(lambda: picker.loaded, timeout=10)
    assert dict((r[1], r[3]) for r in rows(picker))["nano-banana"] == "0.5 credits"
    raw = json.loads(DEFAULT_ASSET_PATH.read_text(encoding="utf-8"), parse_float=Decimal)
    for model in raw["models"]:
        if model["model_name"] == "nano-banana":
            model["price"] = {"kind": "flat", "credits": Decimal("0.75")}
    activate_prices(assets=parse_asset_prices(raw), keep_general=True)
    try:
        picker.refresh_prices()
        assert dict((r[1], r[3]) for r in rows(picker))["nano-banana"] == "0.75 credits"
    finally:
        activate_prices(keep_general=True)  # the bundled file again
    picker.refresh_prices()
    assert dict((r[1], r[3]) for r in rows(picker))["nano-banana"] == "0.5 credits"


async def test_a_narrow_list_gives_the_titles_the_room_and_keeps_the_names_in_tooltips(
        qtbot: Any, service: StudioService, simulator: Sandbox):
    picker = AssetModelPicker(MODEL, service)
    qtbot.addWidget(picker)
    picker.resize(900, 420)
    picker.show()
    await until(lambda: picker.loaded, timeout=10)
    assert not picker.tree.isColumnHidden(1)  # wide: the exact names have a column
    picker.resize(430, 420)  # a page at 1024 px beside the estimate
    await until(lambda: picker.tree.isColumnHidden(1))
    items = [picker.tree.topLevelItem(i) for i in range(picker.tree.topLevelItemCount())]
    models = [item for item in items if item.data(0, NAME_ROLE)]
    assert models and all(item.data(0, NAME_ROLE) in item.toolTip(0) for item in models)
    picker.resize(900, 420)
    await until(lambda: not picker.tree.isColumnHidden(1))
