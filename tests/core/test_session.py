"""The Qt-free session without a network: what it says when not connected, its ledger queries,
the committed-credits recount, its settings, picker images through the media fetcher, and
the words it reports errors in. (A connected session is driven in tests/e2e/test_session.py.)"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import assets
from app.api.errors import InsufficientCreditsError
from app.api.snapshot import JobSnapshot, JobStatus
from app.assets import SchemaCache
from app.generators import SpecError, spec
from app.jobs.budget import BudgetLimits
from app.jobs.ledger import JobRecord, Ledger, LedgerError
from app.media import MAX_IMAGE_BYTES, MediaFetcher
from app.pricing import PriceRequest, estimate, set_catalogue_prices
from app.session import (
    NOT_CONNECTED,
    TEMPLATE_RULE,
    Mode,
    MusicQuery,
    Session,
    SessionEvents,
    describe,
)
from tests.core.test_spending import Clock, add_job

T0 = datetime(2026, 5, 20, 10, tzinfo=UTC)


class Recorder:
    """Every callback of a session, as (name, args) in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def events(self) -> SessionEvents:
        def record(name: str) -> Callable[..., None]:
            return lambda *args: self.calls.append((name, args))
        return SessionEvents(**{name: record(name) for name in SessionEvents.__dataclass_fields__})

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]


class Later:
    """A ``later`` that runs nothing until told to."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, seconds: float, callback: Callable[[], None]) -> None:
        self.pending.append((seconds, callback))

    def run(self) -> None:
        pending, self.pending = self.pending, []
        for _seconds, callback in pending:
            callback()


async def settle(session: Session, timeout: float = 5.0) -> None:
    """Wait until the session's own tasks have ended."""
    deadline = time.monotonic() + timeout
    while len(session.tasks):
        assert time.monotonic() < deadline, "the session's reads did not end"
        await asyncio.sleep(0.005)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def session(tmp_path: Path, recorder: Recorder) -> Session:
    return Session(tmp_path / "output", events=recorder.events())


@pytest.fixture
def books(tmp_path: Path) -> Iterator[tuple[Ledger, Clock]]:
    clock = Clock(T0)
    with Ledger(tmp_path / "books.sqlite3", clock=clock) as ledger:
        yield ledger, clock


def test_a_new_session_is_not_connected(session: Session, tmp_path: Path) -> None:
    assert session.mode == Mode.NONE and not session.connected
    assert session.credits is None and session.committed == Decimal(0)
    assert session.data_dir == tmp_path / "data"
    assert session.jobs_page() == [] and session.job("nope") is None
    assert not session.all_finished() and session.balance_readings() == []


async def test_free_reads_say_not_connected(session: Session, recorder: Recorder) -> None:
    assert session.catalogue("voices") is None
    assert session.template_detail(" tpl ") is None
    query = MusicQuery(search="calm")
    assert session.music_page(query) is None
    assert recorder.named("catalogue_failed") == [("voices", NOT_CONNECTED)]
    assert recorder.named("template_failed") == [("tpl", NOT_CONNECTED)]
    assert recorder.named("music_page_failed") == [(query, NOT_CONNECTED)]
    session.refresh_credits()  # nothing to ask: no task, no event
    assert len(session.tasks) == 0 and not recorder.named("credits_changed")
    with pytest.raises(RuntimeError):
        await session.fetch_credits()
    with pytest.raises(RuntimeError):
        await session.read_catalogue("voices")


def test_paid_requests_refuse_at_once_when_not_connected(session: Session) -> None:
    gen = spec("text_to_speech")
    with pytest.raises(RuntimeError, match="not connected"):
        session.submit(gen, {"script": "hi"})
    with pytest.raises(RuntimeError, match="not connected"):
        session.stream_text(spec("text_generator"), {}, on_delta=lambda _text: None)
    with pytest.raises(RuntimeError, match="not connected"):
        session.batch_calls()
    for call in (session.look_again, session.download_again, session.stop_watching):
        with pytest.raises(RuntimeError, match="not connected"):
            call("key")
    with pytest.raises(RuntimeError, match="not connected"):
        session.set_hidden("key", True)


def test_ledger_queries(session: Session, books: tuple[Ledger, Clock]) -> None:
    ledger, clock = books
    session.ledger = ledger
    done = add_job(ledger, clock, T0)
    hidden = add_job(ledger, clock, T0 + timedelta(minutes=1), hidden=True)
    preview = add_job(ledger, clock, T0 + timedelta(minutes=2), "url_to_video",
                      flow="preview", server_id="srv-1", end=JobStatus.DONE)
    render = add_job(ledger, clock, T0 + timedelta(minutes=3), "url_to_video",
                     flow="render", server_id="srv-1", end=JobStatus.DONE)
    add_job(ledger, clock, T0 + timedelta(minutes=4), "url_to_video", flow="render",
            server_id="srv-1", end=JobStatus.FAILED)
    assert [r.key for r in session.jobs_page()][-1] == done.key
    assert hidden.key not in {r.key for r in session.jobs_page()}
    assert len(session.jobs_page(limit=2)) == 2
    found = session.job(done.key)
    assert found is not None and found.key == done.key
    assert session.job("missing") is None
    assert [r.key for r in session.renders_of(preview)] == [render.key]
    assert session.renders_of(done) == []  # no server job
    assert session.all_finished()
    add_job(ledger, clock, T0 + timedelta(minutes=5), end="running")
    assert not session.all_finished()
    ledger.record_balance(Decimal(90), at=T0)
    assert session.balance_readings() == [(T0, Decimal(90))]
    assert session.balance_readings(T0 + timedelta(seconds=1)) == []


def test_committed_credits_are_recounted_once_after_a_burst(
        tmp_path: Path, recorder: Recorder, books: tuple[Ledger, Clock]) -> None:
    ledger, clock = books
    later = Later()
    session = Session(tmp_path / "output", events=recorder.events(), later=later)
    session.ledger = ledger
    sending = add_job(ledger, clock, T0, estimate="7", end=None)  # submitting
    for _ in range(3):
        session._job_changed(ledger.get(sending.key))
    assert [seconds for seconds, _callback in later.pending] == [0.2]  # one recount
    assert len(recorder.named("job_changed")) == 3
    later.run()
    assert session.committed == ledger.committed() > 0
    assert recorder.named("committed_changed") == [(session.committed,)]
    session._job_changed(ledger.get(sending.key))
    later.run()  # the same figure: not reported again
    assert len(recorder.named("committed_changed")) == 1


def test_settings_reach_the_current_job_manager(session: Session) -> None:
    class Manager:
        auto_download = True
        name_template = ""
    manager: Any = Manager()
    session.auto_download = False
    session.name_template = "{title}"
    assert session.auto_download is False and session.name_template == "{title}"
    session.jobs = manager
    session.auto_download = True
    session.name_template = "{generator}-{title}"
    assert manager.auto_download is True and manager.name_template == "{generator}-{title}"
    session.budget = BudgetLimits(daily=Decimal(10))
    assert session.budget.daily == Decimal(10)


def fetcher_over(handler: Callable[[httpx.Request], httpx.Response]) -> MediaFetcher:
    fetcher = MediaFetcher()
    fetcher._web = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return fetcher


async def test_images_are_read_once_kept_and_failures_retried(session: Session,
                                                             recorder: Recorder) -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path == "/big.png":
            return httpx.Response(200, content=b"x" * (MAX_IMAGE_BYTES + 5))
        if request.url.path == "/gone.png":
            return httpx.Response(404)
        return httpx.Response(200, content=b"png")
    session.reads.media = fetcher_over(handler)
    url = "https://cdn.example.com/a.png"
    assert session.image(url) is None and session.image(url) is None  # one read on its way
    await settle(session)
    assert session.image(url) == b"png" and asked == [url]
    assert recorder.named("image_loaded") == [(url, b"png")]
    big = "https://cdn.example.com/big.png"
    session.image(big)
    await settle(session)
    assert len(session.image(big) or b"") == MAX_IMAGE_BYTES
    gone = "https://cdn.example.com/gone.png"
    session.image(gone)
    await settle(session)
    assert recorder.named("image_failed") == [(gone, "Image not loaded (HTTPStatusError).")]
    assert session.image(gone) is None  # asked again: a new read
    await settle(session)
    assert asked.count(gone) == 2
    await session.aclose()


def test_images_wait_for_a_running_loop(session: Session) -> None:
    assert session.image("https://cdn.example.com/a.png") is None
    assert len(session.tasks) == 0


def test_describe() -> None:
    assert describe(InsufficientCreditsError("Not enough credits")) \
        == "Not enough credits"
    assert describe(SpecError({"script": "Required", "accent": "Pick one"})) \
        == "Required; Pick one"
    assert describe(LedgerError("disk full")) == "disk full"
    assert describe(ValueError("bad url")) == "bad url"
    assert describe(KeyError("x")) == "Unexpected error: KeyError: 'x'"


async def test_a_lost_connection_is_reported_as_an_error(session: Session,
                                                         recorder: Recorder) -> None:
    async def boom() -> None:
        raise RuntimeError("lost")
    session.tasks.spawn(boom(), "look again")
    await settle(session)
    assert recorder.named("error") == [("look again: Unexpected error: RuntimeError: lost",)]


# ---------------------------------------------------------------------------- cached catalogues

MODELS: list[dict[str, Any]] = [{"model_name": "veo3.1/fast", "generation_type": "text_to_video",
           "input_params_schema": {"type": "object", "required": ["prompt"],
                                   "properties": {"prompt": {"type": "string"}}}}]
TEMPLATES: list[dict[str, Any]] = [
             {"id": "0b6f0d1e-1111-4222-8333-444455556666", "name": "Unboxing",
              "gen_type": "video", "credit_cost": 12, "categories": [], "labels": [],
              "input_params_schema": {"properties": {"product": {"type": "string"}},
                                      "required": ["product"]}},
             {"id": "0b6f0d1e-1111-4222-8333-777788889999", "name": "No cost given",
              "gen_type": "image", "categories": [], "labels": [],
              "input_params_schema": {"properties": {}}}]


@pytest.fixture
def clean_catalogues() -> Iterator[None]:
    assets.uninstall()
    set_catalogue_prices(TEMPLATE_RULE, {}, as_of=T0.date(), source="test: none")
    yield
    assets.uninstall()
    set_catalogue_prices(TEMPLATE_RULE, {}, as_of=T0.date(), source="test: none")


def live_cache(tmp_path: Path) -> SchemaCache:
    """Where a session over ``tmp_path`` keeps Creatify's catalogues (data/cache by default)."""
    return SchemaCache(tmp_path / "data" / "cache" / "catalogues" / "live")


@pytest.mark.usefixtures("clean_catalogues")
async def test_an_offline_start_answers_from_the_cached_catalogue(
        tmp_path: Path, recorder: Recorder) -> None:
    fetched = datetime.now(UTC) - timedelta(hours=30)  # stale, but all there is offline
    live_cache(tmp_path).save("asset_schemas", MODELS, fetched)
    live_cache(tmp_path).save("inspirations", TEMPLATES, fetched)
    session = Session(tmp_path / "output", events=recorder.events())
    assert session.catalogue("asset_schemas") == MODELS  # at once, not connected
    assert session.catalogue("inspirations") == TEMPLATES
    assert session.catalogue_date("asset_schemas") == fetched
    assert session.catalogue_date("inspirations") == fetched
    assert recorder.named("catalogue_failed") == [] and len(session.tasks) == 0
    # Installed where the specs read it, and the templates' costs are their prices.
    assert assets.schema_for("veo3.1/fast") == MODELS[0]["input_params_schema"]
    assert assets.inspiration_schema(TEMPLATES[0]["id"]) == TEMPLATES[0]["input_params_schema"]
    priced = estimate(PriceRequest(TEMPLATE_RULE, model=TEMPLATES[0]["id"]))
    assert priced.credits == Decimal(12) and priced.as_of == fetched.date()
    unknown = estimate(PriceRequest(TEMPLATE_RULE, model=TEMPLATES[1]["id"]))
    assert unknown.credits is None and unknown.known_after_run  # never free


@pytest.mark.usefixtures("clean_catalogues")
def test_no_cached_copy_offline_says_not_connected(session: Session,
                                                   recorder: Recorder) -> None:
    assert session.catalogue("asset_schemas") is None
    assert session.catalogue_date("asset_schemas") is None
    assert recorder.named("catalogue_failed") == [("asset_schemas", NOT_CONNECTED)]
    assert assets.schema_for("veo3.1/fast") is None
    with pytest.raises(ValueError):
        session.catalogue_date("voices")  # not a catalogue kept on disk


@pytest.mark.usefixtures("clean_catalogues")
def test_a_damaged_cached_catalogue_is_ignored_and_logged(
        tmp_path: Path, recorder: Recorder, caplog: pytest.LogCaptureFixture) -> None:
    cache = live_cache(tmp_path)
    cache.save("asset_schemas", MODELS, T0)
    cache.path("asset_schemas").write_text('{"format": 1, "kind": "asset_sch', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.assets"):
        session = Session(tmp_path / "output", events=recorder.events())
        assert session.catalogue("asset_schemas") is None
    assert "damaged" in caplog.text
    assert recorder.named("catalogue_failed") == [("asset_schemas", NOT_CONNECTED)]
    assert assets.schema_for("veo3.1/fast") is None


@pytest.mark.usefixtures("clean_catalogues")
def test_offline_at_start_creatify_catalogue_else_the_simulator(tmp_path: Path,
                                                                recorder: Recorder) -> None:
    sandbox_models = [{**MODELS[0], "model_name": "sandbox-only"}]
    SchemaCache(tmp_path / "data" / "cache" / "catalogues" / "sandbox").save(
        "asset_schemas", sandbox_models, T0)
    # Only the simulator's was ever kept: better than nothing to browse offline.
    assert Session(tmp_path / "output", events=recorder.events()).catalogue(
        "asset_schemas") == sandbox_models
    live_cache(tmp_path).save("inspirations", TEMPLATES, T0)
    # Once Creatify's were kept, they are what an offline start shows (schemas included).
    session = Session(tmp_path / "output", events=recorder.events())
    assert session.catalogue("inspirations") == TEMPLATES
    assert session.catalogue("asset_schemas") is None
    assert recorder.named("catalogue_failed") == [("asset_schemas", NOT_CONNECTED)]


async def test_learned_prices_come_from_the_ledger_and_finished_jobs(
        session: Session, books: tuple[Ledger, Clock]) -> None:
    ledger, clock = books
    key = '{"model":"nano-banana"}'

    def job(credits: str, end: JobStatus = JobStatus.DONE) -> JobRecord:
        clock.now += timedelta(minutes=10)
        record = ledger.begin_submit(generator="asset_generator", resource="asset_generator",
                                     flow="create", title="fox", request={}, price_key=key,
                                     estimate=Decimal(1), balance_before=Decimal(9))
        sid = f"srv-{record.key[:6]}"
        ledger.mark_created(record.key, JobSnapshot("asset_generator", sid, JobStatus.RUNNING,
                                                    "running"))
        clock.now += timedelta(minutes=1)
        return ledger.apply_snapshot(record.key, JobSnapshot(
            "asset_generator", sid, end, end.value, credits_used=Decimal(credits)))

    first = job("1.5")
    session.learned.load(ledger)
    charge = session.learned_price(key)
    assert charge is not None and charge.credits == Decimal("1.5")
    assert charge.job_id == first.server_id
    assert charge.charged_on == (first.finished_at or T0).astimezone().date()
    session._job_changed(job("2"))  # a job ends: the map follows at once
    learned = session.learned_price(key)
    assert learned is not None and learned.credits == Decimal(2)
    session._job_changed(job("7", JobStatus.FAILED))  # a failure teaches nothing
    session._job_changed(first)  # an older charge told again does not win
    again = session.learned_price(key)
    assert again is not None and again.credits == Decimal(2)
    assert session.learned_price("other") is None
