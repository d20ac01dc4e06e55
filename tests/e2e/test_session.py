"""The Qt-free session against the simulator over loopback HTTP, with no Qt anywhere: the
sandbox mode, catalogues, a paid job followed to its end through the callbacks, the ledger
queries, a paid refusal, and catalogues read afresh for each connection."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app import assets
from app.api.client import CreatifyClient
from app.assets import AssetCatalogue, SchemaCache
from app.generators import Flow, spec
from app.generators.quote import quote
from app.jobs.budget import BudgetError, BudgetLimits
from app.jobs.manager._learned import price_key_of
from app.jobs.scheduler import PollPolicy
from app.pricing import PriceRequest, estimate, set_catalogue_prices
from app.pricing.assets import load_asset_prices
from app.sandbox import Sandbox
from app.session import (
    PAID_ERRORS,
    TEMPLATE_RULE,
    Mode,
    Session,
)
from tests.core.test_session import Recorder
from tests.e2e.conftest import FAST_RETRY, sandbox_client

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def loaded(recorder: Recorder, kind: str) -> list[Any]:
    """The items of each ``catalogue_loaded`` of ``kind``, in order."""
    return [items for name, items in recorder.named("catalogue_loaded") if name == kind]


async def until(condition: Callable[[], object], timeout: float = 15.0,
                what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[tuple[Session, Recorder]]:
    recorder = Recorder()
    session = Session(tmp_path / "output", data_dir=tmp_path / "data", auto_download=False,
                      sandbox_speed=500, events=recorder.events())
    yield session, recorder
    await session.aclose()


async def test_the_sandbox_mode_end_to_end(session: tuple[Session, Recorder]) -> None:
    studio, recorder = session
    url = await studio.use_sandbox()
    assert url.startswith("http://127.0.0.1:") and studio.sandbox_served_here
    assert studio.mode == Mode.SANDBOX and studio.connected
    assert recorder.named("mode_changed") == [(Mode.SANDBOX,)]
    assert recorder.named("jobs_reloaded") == [()]
    assert (studio.data_dir / "sandbox-jobs.sqlite3").exists()
    await until(lambda: studio.credits is not None, what="the balance")
    assert recorder.named("credits_changed")[-1] == (studio.credits,)
    assert studio.balance_readings()  # the reading is kept for the spending view

    assert studio.catalogue("voices") is None
    await until(lambda: loaded(recorder, "voices"), what="the voices")
    [voices] = loaded(recorder, "voices")
    assert studio.catalogue("voices") is voices
    assert await studio.read_catalogue("voices") == voices

    before = await studio.fetch_credits()
    values = {"script": "The session follows this job.",
              "accent": voices[0]["accents"][0]["id"]}
    record = await studio.submit(spec("text_to_speech"), values, estimate=Decimal(1))
    assert record.estimate == Decimal(1) and studio.job(record.key) is not None
    await until(lambda: (studio.job(record.key) or record).state.is_terminal,
                what="the job's end")
    ended = studio.job(record.key)
    assert ended is not None and ended.state.value == "done"
    assert {r.key for (r,) in recorder.named("job_changed")} == {record.key}
    assert [r.key for r in studio.jobs_page()] == [record.key]
    await until(studio.all_finished, what="nothing followed")
    await until(lambda: studio.credits is not None and studio.credits < before,
                what="the balance after the job")
    await asyncio.sleep(0.3)  # the committed recount (a moment after the last change)
    assert studio.committed == Decimal(0)  # nothing is in flight any more

    await studio.drop_connection()
    assert studio.mode == Mode.NONE and not studio.connected
    assert studio.jobs_page() == [] and studio.job(record.key) is None
    assert recorder.named("mode_changed")[-1] == (Mode.NONE,)


async def test_a_paid_refusal_and_catalogues_per_connection(session: tuple[Session, Recorder],
                                                    tmp_path: Path) -> None:
    studio, recorder = session
    with Sandbox(speed=500, seed=3, balance=0) as poor:
        await studio.use_client(sandbox_client(poor), tmp_path / "poor.sqlite3",
                                PollPolicy().scaled(500), Mode.SANDBOX)
        assert recorder.named("mode_changed") == [(Mode.SANDBOX,)]
        assert studio.credits is None  # use_client does not read the balance
        assert await studio.fetch_credits() == Decimal(0)
        with pytest.raises(PAID_ERRORS):
            await studio.submit(spec("text_to_speech"), {"script": "No credits left.",
                                                         "accent": "x"}, estimate=Decimal(1))
        studio.load_catalogue("personas")
        await until(lambda: loaded(recorder, "personas"), what="personas")
        assert studio.catalogue("personas") is not None
        # A new connection reads its catalogues afresh.
        other = CreatifyClient("sandbox", "sandbox", base_url=poor.base_url)
        await studio.use_client(other, tmp_path / "other.sqlite3")
        assert studio.catalogue("personas") is None  # asked again over the new client
        await until(lambda: len(loaded(recorder, "personas")) == 2, what="personas")
        await studio.drop_connection()


# ---------------------------------------------------------------------------- cached catalogues

@pytest.fixture
def clean_catalogues() -> Iterator[None]:
    assets.uninstall()
    yield
    assets.uninstall()
    set_catalogue_prices(TEMPLATE_RULE, {}, as_of=datetime.now(UTC).date(), source="test: none")


class UtcClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def schema_reads(server: Sandbox) -> int:
    return sum(1 for method, path in server.request_log
               if method == "GET" and path.startswith("/api/asset_generator/schemas"))


def free_port() -> int:
    """A loopback port nothing listens on (Creatify unreachable)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


OLD_MODELS = [{"model_name": "retired-model", "generation_type": "text_to_video",
               "input_params_schema": {"type": "object", "properties": {}}}]


@pytest.mark.usefixtures("clean_catalogues")
async def test_cached_catalogues_refresh_on_connect_and_when_stale(
        session: tuple[Session, Recorder], tmp_path: Path) -> None:
    studio, recorder = session
    folder = tmp_path / "data" / "cache" / "catalogues" / "sandbox"
    old = datetime.now(UTC) - timedelta(hours=13)
    SchemaCache(folder).save("asset_schemas", OLD_MODELS, old)
    clock = UtcClock()
    studio.cached.now = clock
    with Sandbox(speed=500, seed=5) as server:
        await studio.use_client(sandbox_client(server), tmp_path / "jobs.sqlite3",
                                PollPolicy().scaled(500), Mode.SANDBOX)
        # At once: the old copy (installed for the specs) while the refresh is on its way.
        assert studio.catalogue("asset_schemas") == OLD_MODELS
        assert assets.schema_for("retired-model") is not None
        await until(lambda: loaded(recorder, "asset_schemas"), what="the fresh schemas")
        await until(lambda: loaded(recorder, "inspirations"), what="the templates")
        [models] = loaded(recorder, "asset_schemas")
        names = {m["model_name"] for m in models}
        assert len(names) >= 25 and "retired-model" not in names
        assert studio.catalogue("asset_schemas") == models
        assert studio.catalogue_date("asset_schemas") == clock.now
        assert assets.schema_for("retired-model") is None
        assert assets.schema_for("veo3.1/fast") is not None
        on_disk = SchemaCache(folder).load("asset_schemas")
        assert on_disk is not None and on_disk.items == models and on_disk.fetched_at == clock.now
        assert schema_reads(server) == 1  # on connect, once
        # The picker's view of it: every model in a family the docs name, all five types.
        picker = AssetCatalogue.from_entries(models, load_asset_prices())
        families = {f["name"] for f in json.loads(
            (ROOT / "resources" / "asset-models.json").read_text(encoding="utf-8"))["families"]}
        assert {m.family for m in picker.models} <= families
        assert [label for label, _ in picker.groups(by="type")] == [
            "Text → video", "Image → video", "Video → video", "Text → image", "Image edit"]

        # Fresh: answered from memory, nothing fetched.
        assert studio.catalogue("asset_schemas") == models
        await asyncio.sleep(0.05)
        assert schema_reads(server) == 1

        # 12 hours later: still answered at once, refreshed once however often it is asked.
        clock.now += timedelta(hours=12, seconds=1)
        for _ in range(3):
            assert studio.catalogue("asset_schemas") == models
        await until(lambda: len(loaded(recorder, "asset_schemas")) == 2, what="the refresh")
        await asyncio.sleep(0.05)
        assert schema_reads(server) == 2
        assert studio.catalogue_date("asset_schemas") == clock.now
        assert recorder.named("catalogue_failed") == []
        await studio.drop_connection()


@pytest.mark.usefixtures("clean_catalogues")
async def test_templates_from_the_simulator_price_the_ai_ad_template(
        session: tuple[Session, Recorder], tmp_path: Path) -> None:
    studio, recorder = session
    with Sandbox(speed=500, seed=5) as server:
        await studio.use_client(sandbox_client(server), tmp_path / "jobs.sqlite3",
                                PollPolicy().scaled(500), Mode.SANDBOX)
        await until(lambda: loaded(recorder, "inspirations"), what="the templates")
        [templates] = loaded(recorder, "inspirations")
        assert templates and studio.catalogue("inspirations") == templates
        for template in templates:
            priced = estimate(PriceRequest(TEMPLATE_RULE, model=template["id"]))
            assert priced.credits == Decimal(str(template["credit_cost"]))
            assert assets.inspiration_schema(template["id"]) == template["input_params_schema"]
        await studio.drop_connection()
    # Offline afterwards: the last connection's templates, still priced.
    assert studio.catalogue("inspirations") == templates
    assert recorder.named("catalogue_failed") == []
    priced = estimate(PriceRequest(TEMPLATE_RULE, model=templates[0]["id"]))
    assert priced.credits == Decimal(str(templates[0]["credit_cost"]))
    # A live connection reads Creatify's own folder, never the simulator's copy.
    unreachable = CreatifyClient("id", "key", base_url=f"http://127.0.0.1:{free_port()}",
                                 retry=FAST_RETRY, timeout=2)
    await studio.use_client(unreachable, tmp_path / "live.sqlite3", mode=Mode.LIVE)
    assert studio.catalogue("inspirations") is None
    await until(lambda: recorder.named("catalogue_failed"), what="the live templates' failure")
    assert assets.inspiration(templates[0]["id"]) is None
    await studio.drop_connection()


@pytest.mark.usefixtures("clean_catalogues")
async def test_offline_with_a_cached_catalogue_keeps_working(
        session: tuple[Session, Recorder], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Creatify unreachable (nothing listens on the port): the cached schemas answer, the
    failed refresh is only logged; a catalogue with no copy says why it is missing."""
    studio, recorder = session
    fetched = datetime.now(UTC) - timedelta(days=2)
    SchemaCache(tmp_path / "data" / "cache" / "catalogues" / "live").save(
        "asset_schemas", OLD_MODELS, fetched)
    offline = CreatifyClient("id", "key", base_url=f"http://127.0.0.1:{free_port()}",
                             retry=FAST_RETRY, timeout=2)
    with caplog.at_level(logging.INFO, logger="app.session"):
        await studio.use_client(offline, tmp_path / "jobs.sqlite3", mode=Mode.LIVE)
        assert studio.catalogue("asset_schemas") == OLD_MODELS
        assert studio.catalogue_date("asset_schemas") == fetched
        await until(lambda: recorder.named("catalogue_failed"), what="the templates' failure")
        await until(lambda: "stays in use" in caplog.text, what="the schemas' failure logged")
    assert [kind for kind, _ in recorder.named("catalogue_failed")] == ["inspirations"]
    assert studio.catalogue("asset_schemas") == OLD_MODELS
    await studio.drop_connection()


# ---------------------------------------------------------------------------- learned prices

async def test_a_finished_job_teaches_its_price(session: tuple[Session, Recorder],
                                               tmp_path: Path) -> None:
    """A run's real charge (credits_used, a string on the asset list) becomes the learned
    price of its model and parameters: the next estimate of a "from N" model says what the
    last run cost, and a new session over the same ledger still knows it."""
    studio, recorder = session
    gen = spec("asset_generator")
    with Sandbox(speed=500, seed=5, balance=10_000) as server:
        ledger_file = tmp_path / "jobs.sqlite3"
        await studio.use_client(sandbox_client(server), ledger_file,
                                PollPolicy().scaled(500), Mode.SANDBOX)
        await until(lambda: loaded(recorder, "asset_schemas"), what="the schemas")
        values: dict[str, Any] = {}
        before = None
        for model in loaded(recorder, "asset_schemas")[0]:
            if model["input_params_schema"].get("required") != ["prompt"]:
                continue
            candidate = {"model_name": model["model_name"],
                         "input_params": {"prompt": "A mug on a desk"}}
            priced = quote(gen, candidate, None)
            if priced.at_least and priced.credits is not None and not gen.validate(candidate):
                values, before = candidate, priced
                break
        assert before is not None, "the simulator lists no text-only 'from N' model"
        key = price_key_of(gen, values, Flow.CREATE)
        assert key is not None and studio.learned_price(key) is None
        assert before.learned is None and not before.from_learned

        record = await studio.submit(gen, values, estimate=before.credits)
        assert record.price_key == key
        await until(lambda: (studio.job(record.key) or record).state.is_terminal,
                    what="the job's end")
        ended = studio.job(record.key)
        assert ended is not None and ended.state.value == "done"
        [wire] = [j for j in server.jobs("asset_generator") if j["id"] == ended.server_id]
        assert isinstance(wire["credits_used"], str)  # the docs' type, read as a number
        assert ended.credits_used == Decimal(wire["credits_used"]) > 0
        # The ledger shows the end as soon as the writer commits it; the charge is learned
        # when the change comes back to the loop, a moment later.
        await until(lambda: studio.learned_price(key) is not None, what="the charge learned")
        charge = studio.learned_price(key)
        assert charge is not None and charge.credits == ended.credits_used
        assert charge.job_id == ended.server_id
        assert ended.credits_used >= before.credits  # "at least N" held

        after = quote(gen, values, None, learned=studio.learned_price)
        assert after.from_learned and after.learned == charge
        assert after.credits == charge.credits
        other = {**values, "input_params": {"prompt": "Another prompt, same price"}}
        assert price_key_of(gen, other, Flow.CREATE) == key  # free text does not name a price
        await studio.drop_connection()

        again = Session(tmp_path / "output2", data_dir=tmp_path / "data", auto_download=False)
        try:
            await again.use_client(sandbox_client(server), ledger_file,
                                   PollPolicy().scaled(500), Mode.SANDBOX)
            assert again.learned_price(key) == charge  # read back from the ledger
        finally:
            await again.aclose()


async def test_a_send_without_a_price_is_held_to_the_ceiling_never_free(
        session: tuple[Session, Recorder], tmp_path: Path) -> None:
    """A caller that gives no estimate for a generator not priced by tokens sends an
    unknown price: refused with no per-job ceiling, held to it once one is set."""
    studio, _ = session
    with Sandbox(speed=500, seed=4, balance=100) as server:
        await studio.use_client(sandbox_client(server), tmp_path / "bound.sqlite3",
                                PollPolicy().scaled(500), Mode.SANDBOX)
        values = {"image": f"{server.base_url}/media/samples/sample.png"}
        with pytest.raises(BudgetError, match="ceiling"):
            await studio.submit(spec("image_ad"), values)
        assert server.create_log == []
        studio.budget = BudgetLimits(per_job=Decimal(5))
        record = await studio.submit(spec("image_ad"), values)
        assert len(server.create_log) == 1 and record.server_id
        await studio.drop_connection()
