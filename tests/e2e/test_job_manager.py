"""Jobs from submit to saved file against the simulator: ledger, scheduler and downloads."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.api.client import CreatifyClient
from app.api.errors import ValidationError
from app.generators import SPECS, Flow, SpecError, spec
from app.jobs.budget import BudgetError
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger
from app.jobs.manager import JobManager, Pricing
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from tests.e2e.conftest import file_kind, sandbox_client
from tests.samples import Inputs, valid_values

pytestmark = pytest.mark.e2e

SPEED = 400.0


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=5, balance=100_000) as sandbox:
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


def manager_for(client: CreatifyClient, ledger: Ledger, out: Path,
                changes: list[JobRecord] | None = None) -> JobManager:
    sink = changes if changes is not None else []
    return JobManager(client, ledger, out, on_change=sink.append,
                      policy=PollPolicy().scaled(SPEED))


async def settle(ledger: Ledger, keys: list[str], timeout: float = 30.0) -> list[JobRecord]:
    """Wait until every job is terminal and its download (if any) finished or failed."""
    deadline = time.monotonic() + timeout
    while True:
        records = [ledger.get(k) for k in keys]
        if all(r.state.is_terminal and (not r.result_urls or r.download_state in (
                DownloadState.DONE, DownloadState.FAILED)) for r in records):
            return records
        if time.monotonic() > deadline:
            raise AssertionError([(r.generator, r.state, r.download_state) for r in records])
        await asyncio.sleep(0.02)


async def finished_image(server: Sandbox, client: CreatifyClient) -> Any:
    product = await client.gen_image({"product_url": f"{server.base_url}/media/s/sample.png"})
    while not product.is_terminal:
        await asyncio.sleep(0.02)
        product = await client.get_job("product_to_videos", product.id)
    return product


async def inputs_from(server: Sandbox, client: CreatifyClient) -> Inputs:
    media = f"{server.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    product = await finished_image(server, client)
    template = (await client.custom_templates())[0]["template_id"]
    return Inputs(link_id=link.id, persona_id=(await client.personas())[0]["id"],
                  template_id=template,
                  accent_id=(await client.voices())[0]["accents"][0]["id"],
                  product_job=product.id, image_url=f"{media}/sample.png",
                  audio_url=f"{media}/sample.mp3?duration=12",
                  video_url=f"{media}/sample.mp4?duration=31")


async def template_variables(client: CreatifyClient, inputs: Inputs) -> dict[str, Any]:
    """A value for each required variable of the template ``inputs`` names."""
    detail = await client.custom_template(inputs.template_id)
    samples = {"text": "Hello", "image": inputs.image_url, "video": inputs.video_url,
               "audio": inputs.audio_url}
    return {name: {"type": var["type"], "value": samples[var["type"]]}
            for name, var in detail["variables"].items()
            if var.get("required") and var["type"] in samples}


async def test_fifty_jobs_across_all_generators_end_saved(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    manager = manager_for(client, ledger, tmp_path / "out")
    await manager.start()
    keys: list[str] = []
    try:
        generators = [s for s in SPECS if s.key != "text_generator"]
        while len(keys) < 50:
            gen = generators[len(keys) % len(generators)]
            values: dict[str, Any] = {**gen.defaults(), **valid_values(gen.key, inputs)}
            if gen.key == "product_video":  # each product image can be animated once
                values["source_job"] = (await finished_image(server, client)).id
            if gen.key == "custom_template":  # the simulator's first template's variables
                values["variables"] = await template_variables(client, inputs)
            record = await manager.submit(gen, values, pricing=Pricing(Decimal(1), None))
            keys.append(record.key)
        records = await settle(ledger, keys, timeout=60)
    finally:
        await manager.aclose()
        ledger.close()
    assert {r.state for r in records} <= {JobState.DONE, JobState.IMAGE_DONE}
    saved = [r for r in records if r.result_urls]
    assert len(saved) >= 40
    for record in saved:
        assert record.download_state is DownloadState.DONE, record.download_error
        path = Path(record.download_path or "")
        assert path.parent == tmp_path / "out" and path.exists()
        assert file_kind(path.read_bytes()[:16]) in ("video", "audio", "image")
        sidecar = json.loads(path.with_name(path.name + ".json").read_text())
        assert sidecar["job"]["server_id"] == record.server_id
        assert "sandbox" not in json.dumps(sidecar).replace(server.base_url, "")
    texts = [r for r in records if not r.result_urls]
    assert all(r.response_text for r in texts)  # AI Scripts


async def test_refused_create_is_recorded_not_created(server: Sandbox, client: CreatifyClient,
                                                      tmp_path: Path) -> None:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        gen = spec("url_to_video")
        values = {**gen.defaults(), "link": "00000000-0000-4000-8000-000000000000"}
        with pytest.raises(ValidationError):
            await manager.submit(gen, values)
        [record] = ledger.page()
        assert record.state is JobState.NOT_CREATED and "Invalid link ID" in (
            ledger.events(record.key)[-1].detail)
        assert "Invalid link ID" in (record.failed_reason or "")  # shown in the jobs list
        await manager.aclose()


async def test_lost_answer_is_reconciled_and_never_resent(server: Sandbox,
                                                          client: CreatifyClient,
                                                          tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.start()
        server.set_faults(reset_next_create_after_processing=1)
        creates = len(server.create_log)
        gen = spec("url_to_video")
        record = await manager.submit(gen, {**gen.defaults(), **valid_values(gen.key, inputs)})
        assert record.state is JobState.UNKNOWN
        [final] = await settle(ledger, [record.key])
        assert final.state is JobState.DONE and final.download_state is DownloadState.DONE
        assert len(server.create_log) == creates + 1  # one create, answered or not
        await manager.aclose()


async def test_a_new_run_picks_up_where_the_last_one_stopped(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    path = tmp_path / "jobs.sqlite3"
    with Ledger(path) as ledger:
        first = manager_for(client, ledger, tmp_path / "out")
        gen = spec("avatar_v1")
        record = await first.submit(gen, {**gen.defaults(), **valid_values(gen.key, inputs)},
                                    flow=Flow.CREATE)
        await first.aclose()  # the app quits (or crashes) while the job runs
    creates = len(server.create_log)
    with Ledger(path) as ledger:
        second = manager_for(client, ledger, tmp_path / "out")
        await second.start()
        [final] = await settle(ledger, [record.key])
        await second.aclose()
    assert final.state is JobState.DONE and final.download_state is DownloadState.DONE
    assert len(server.create_log) == creates


async def test_preview_then_render_and_stop_watching(server: Sandbox, client: CreatifyClient,
                                                     tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.start()
        gen = spec("url_to_video")
        values = {**gen.defaults(), **valid_values(gen.key, inputs)}
        preview = await manager.submit(gen, values, flow=Flow.PREVIEW_RENDER)
        [preview] = await settle(ledger, [preview.key])
        assert preview.state is JobState.PREVIEW_READY and preview.preview_url
        rendered = await manager.render(gen, preview)
        [rendered] = await settle(ledger, [rendered.key])
        assert rendered.server_id == preview.server_id and rendered.result_urls
        assert rendered.download_state is DownloadState.DONE
        # One render per preview: a second one is refused before anything is read or sent.
        creates = len(server.create_log)
        with pytest.raises(SpecError, match="already rendered"):
            await manager.render(gen, preview)
        assert len(server.create_log) == creates
        other = await manager.submit(gen, values)
        stopped = manager.stop_watching(other.key)
        assert not stopped.watching and other.key not in manager.scheduler.watched
        await manager.aclose()


async def test_under_faults_every_job_reaches_its_true_state_and_none_is_sent_twice(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    server.set_faults(error_rate=0.3, rate_limit_rate=0.1, retry_after=0.01, reset_rate=0.05,
                      malformed_rate=0.1, fail_rate=0.1, unknown_status_rate=0.1)
    gen = spec("url_to_video")
    values = {**gen.defaults(), **valid_values(gen.key, inputs)}
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.start()
        keys = []
        unread = 0
        for _ in range(30):
            try:
                keys.append((await manager.submit(gen, values)).key)
            except BudgetError as exc:  # the balance could not be read: not recorded, not sent
                assert exc.message.startswith("Could not read your balance"), exc
                unread += 1
            except Exception as exc:  # refused outright (429 or 4xx): recorded, not sent
                assert type(exc).__module__ == "app.api.errors", exc
        keys = [r.key for r in ledger.page(limit=100) if r.generator == "url_to_video"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            records = [ledger.get(k) for k in keys]
            if all(r.state.is_terminal or r.state is JobState.UNKNOWN for r in records) and \
                    manager.downloads.in_flight == 0:
                break
            # An "unknown" create is looked up again, as the user's "look again" does.
            for record in records:
                if record.state is JobState.UNKNOWN:
                    await manager.look_again(record.key)
            await asyncio.sleep(0.1)
        server.set_faults(error_rate=0, rate_limit_rate=0, reset_rate=0, malformed_rate=0,
                          unknown_status_rate=0)
        # With the faults gone, every "unknown" is looked up once more and settles.
        for key in keys:
            if ledger.get(key).state is JobState.UNKNOWN:
                await manager.look_again(key)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
                ledger.get(k).state.is_terminal or ledger.get(k).state is JobState.UNKNOWN
                for k in keys):
            await asyncio.sleep(0.05)
        records = [ledger.get(k) for k in keys]
        await manager.aclose()
    truth = {job["id"]: job["status"] for job in server.jobs("link_to_videos")}
    creates = [c for c in server.create_log if c.path == "/api/link_to_videos/"]
    tags = [str(c.body.get("name", "")).rsplit("[", 1)[-1].rstrip("]") for c in creates]
    assert len(tags) == len(set(tags))  # no create was ever sent twice
    assert len(records) == 30 - unread
    for record in records:
        if record.server_id:
            assert record.state.value == truth[record.server_id]
        else:
            assert record.state in (JobState.NOT_CREATED, JobState.UNKNOWN)
            created = {c.job_id for c in creates if record.name_tag and
                       str(c.body.get("name", "")).endswith(f"[{record.name_tag}]")}
            assert created <= {None}  # the simulator never made a job for it


async def test_an_expired_result_link_is_fetched_again(server: Sandbox, client: CreatifyClient,
                                                       tmp_path: Path) -> None:
    inputs = await inputs_from(server, client)
    gen = spec("text_to_speech")
    snapshot = await client.create(gen.resource.key, gen.build_body(
        {**gen.defaults(), **valid_values(gen.key, inputs)}))
    while not snapshot.is_terminal:
        await asyncio.sleep(0.02)
        snapshot = await client.get_job(snapshot.resource, snapshot.id)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        record = ledger.begin_submit(generator=gen.key, resource=gen.resource.key,
                                     flow="create", title="expired link", request={},
                                     estimate=None, balance_before=None)
        stale = dataclasses.replace(snapshot, result_urls=(f"{server.base_url}/gone/x.wav",))
        ledger.mark_created(record.key, stale)
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.download(record.key)
        final = ledger.get(record.key)
        await manager.aclose()
    assert final.download_state is DownloadState.DONE, final.download_error
    assert final.result_urls == snapshot.result_urls  # the fresh link from a new read
    assert file_kind(Path(final.download_path or "").read_bytes()[:16]) == "audio"


# ---------------------------------------------------------------------------- previews (I5)

STYLES = ["AvatarBubbleTemplate", "FullScreenTemplate", "VanillaTemplate"]


def quirky_server(preview_pending: bool) -> Sandbox:
    from app.sandbox import DocsQuirks  # the docs' quirks; each can be turned off
    return Sandbox(speed=SPEED, seed=5, balance=100_000,
                   quirks=DocsQuirks(preview_pending=preview_pending))


def reads_of(server: Sandbox, server_id: str) -> int:
    return sum(1 for method, target in server.request_log
               if method == "GET" and server_id in target)


@pytest.mark.parametrize("preview_pending", [True, False], ids=["pending", "done"])
async def test_a_ready_preview_stops_polling_and_its_render_is_its_own_job(
        tmp_path: Path, preview_pending: bool) -> None:
    with quirky_server(preview_pending) as server:
        async with sandbox_client(server, timeout=5) as client:
            inputs = await inputs_from(server, client)
            with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                manager = manager_for(client, ledger, tmp_path / "out")
                await manager.start()
                balance = await client.remaining_credits()
                gen = spec("url_to_video")
                values = {**gen.defaults(), **valid_values(gen.key, inputs)}
                preview = await manager.submit(gen, values, flow=Flow.PREVIEW_RENDER,
                                               pricing=Pricing(Decimal(1)))
                [preview] = await settle(ledger, [preview.key])
                assert preview.state is JobState.PREVIEW_READY and preview.preview_url
                assert preview.raw_status == ("pending" if preview_pending else "done")
                assert preview.key not in manager.scheduler.watched
                sid = preview.server_id or ""
                reads = reads_of(server, sid)
                await asyncio.sleep(0.3)  # the scheduler would have read it many times
                assert reads_of(server, sid) == reads
                rendered = await manager.render(gen, preview, pricing=Pricing(Decimal(4)))
                [rendered] = await settle(ledger, [rendered.key])
                after = ledger.get(preview.key)
                spent = ledger.spent()
                await manager.aclose()
            charged = balance - await client.remaining_credits()
    assert rendered.state is JobState.DONE and rendered.server_id == sid
    assert rendered.result_urls and rendered.download_state is DownloadState.DONE
    # The preview row is left as it was: no render results, nothing downloaded, its own cost.
    assert after.state is JobState.PREVIEW_READY and after.result_urls == ()
    assert after.download_state is DownloadState.NONE
    assert after.credits_used == preview.credits_used and after.estimate == 1
    assert ledger_find(tmp_path, sid) == rendered.key
    media = [p for p in (tmp_path / "out").iterdir() if not p.name.endswith(".json")]
    assert len(media) == 1  # one result, downloaded once
    assert spent == charged  # the server job's charge, counted once


def ledger_find(tmp_path: Path, server_id: str) -> str | None:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        found = ledger.find("link_to_videos", server_id)
    return found.key if found else None


@pytest.mark.parametrize("preview_pending", [True, False], ids=["pending", "done"])
async def test_compared_styles_are_ready_whatever_the_status_and_one_is_rendered(
        tmp_path: Path, preview_pending: bool) -> None:
    with quirky_server(preview_pending) as server:
        async with sandbox_client(server, timeout=5) as client:
            inputs = await inputs_from(server, client)
            with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                manager = manager_for(client, ledger, tmp_path / "out")
                await manager.start()
                gen = spec("url_to_video")
                values = {**gen.defaults(), **valid_values(gen.key, inputs),
                          "visual_styles": STYLES[:2]}
                compared = await manager.submit(gen, values, flow=Flow.COMPARE_STYLES,
                                                pricing=Pricing(Decimal(2)))
                [compared] = await settle(ledger, [compared.key])
                assert compared.state is JobState.PREVIEW_READY
                assert len(compared.previews) == 2
                assert compared.key not in manager.scheduler.watched
                chosen = compared.previews[1]
                rendered = await manager.render_style(gen, compared, chosen.media_job,
                                                      pricing=Pricing(Decimal(4)))
                [rendered] = await settle(ledger, [rendered.key])
                after = ledger.get(compared.key)
                await manager.aclose()
    assert rendered.state is JobState.DONE and rendered.result_urls
    assert rendered.download_state is DownloadState.DONE
    assert after.state is JobState.PREVIEW_READY and after.result_urls == ()
    assert after.download_state is DownloadState.NONE


# ---------------------------------------------------------------------------- Text Generator (I2)

async def test_a_streamed_answer_is_recorded_with_its_job_and_credits(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    gen = spec("text_generator")
    values = {**gen.defaults(), **valid_values(gen.key)}
    deltas: list[str] = []
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        record = await manager.stream_text(gen, values, on_delta=deltas.append)
        await manager.aclose()
    [job] = server.jobs("text_generator")
    assert record.state is JobState.DONE and record.server_id == job["id"]
    assert len(deltas) > 1 and record.response_text == "".join(deltas) == job["response_text"]
    assert record.credits_used == Decimal(str(job["credits_used"])) > 0


async def test_a_stream_that_never_names_its_job_is_found_in_the_list_not_resent(
        server: Sandbox, client: CreatifyClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = client.text_generate_stream

    async def without_the_final_chunk(body: Any) -> AsyncIterator[Any]:
        async for event in real(body):
            if not event.job_id:  # the chunk naming the job is lost
                yield event
    monkeypatch.setattr(client, "text_generate_stream", without_the_final_chunk)
    gen = spec("text_generator")
    values = {**gen.defaults(), **valid_values(gen.key)}
    deltas: list[str] = []
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        record = await manager.stream_text(gen, values, on_delta=deltas.append)
        assert record.state is JobState.UNKNOWN
        deadline = time.monotonic() + 10
        while ledger.get(record.key).state is JobState.UNKNOWN and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        final = ledger.get(record.key)
        await manager.aclose()
    [job] = server.jobs("text_generator")
    assert final.state is JobState.DONE and final.server_id == job["id"]
    assert final.response_text == job["response_text"] == "".join(deltas)
    assert final.credits_used == Decimal(str(job["credits_used"]))
    assert len([c for c in server.create_log if "text_generator" in c.path]) == 1
    lists = [t for m, t in server.request_log if m == "GET" and "text_generator" in t]
    assert lists and all("ids=" not in t for t in lists)


async def test_a_broken_stream_is_reconciled_never_resent(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    gen = spec("text_generator")
    values = {**gen.defaults(), **valid_values(gen.key)}
    server.set_faults(reset_next_create_after_processing=1)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        record = await manager.stream_text(gen, values, on_delta=lambda _d: None)
        assert record.state in (JobState.UNKNOWN, JobState.PENDING)  # no answer, or a part
        deadline = time.monotonic() + 10
        while not ledger.get(record.key).state.is_terminal and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        final = ledger.get(record.key)
        await manager.aclose()
    [job] = server.jobs("text_generator")
    assert final.state is JobState.DONE and final.server_id == job["id"]
    assert final.response_text == job["response_text"]
    assert len([c for c in server.create_log if "text_generator" in c.path]) == 1


# ---------------------------------------------------------------------------- regenerate (I6)

async def test_regenerate_sends_once_and_follows_the_new_job(
        server: Sandbox, client: CreatifyClient, tmp_path: Path) -> None:
    product = await finished_image(server, client)
    first = await client.gen_video(product.id, {"motion_style": "display"})
    while not first.is_terminal:
        await asyncio.sleep(0.02)
        first = await client.get_job("product_to_videos", first.id)
    gen = spec("product_video")
    creates = len(server.create_log)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.start()
        record = await manager.submit(gen, {**gen.defaults(), "source_job": first.id},
                                      flow=Flow.REGENERATE, pricing=Pricing(Decimal(1)))
        assert record.flow == "regenerate" and record.server_id not in (None, first.id)
        [final] = await settle(ledger, [record.key])
        await manager.aclose()
    assert final.state is JobState.DONE and final.result_urls
    assert final.download_state is DownloadState.DONE
    sent = server.create_log[creates:]
    assert [c.path for c in sent] == [f"/api/product_to_videos/{first.id}/regen_video/"]


@pytest.mark.parametrize("preview_pending", [True, False], ids=["pending", "done"])
async def test_a_lost_render_is_found_on_its_job_and_one_never_sent_is_not(
        tmp_path: Path, preview_pending: bool) -> None:
    with quirky_server(preview_pending) as server:
        async with sandbox_client(server, timeout=5) as client:
            inputs = await inputs_from(server, client)
            with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                manager = manager_for(client, ledger, tmp_path / "out")
                await manager.start()
                gen = spec("url_to_video")
                values = {**gen.defaults(), **valid_values(gen.key, inputs)}
                first, second = [await manager.submit(gen, values, flow=Flow.PREVIEW_RENDER)
                                 for _ in range(2)]
                first, second = await settle(ledger, [first.key, second.key])
                assert {first.state, second.state} == {JobState.PREVIEW_READY}
                # A render whose answer is lost: found on its job, never sent again.
                server.set_faults(reset_next_create_after_processing=1)
                creates = len(server.create_log)
                lost = await manager.render(gen, first)
                assert lost.state is JobState.UNKNOWN
                [lost] = await settle(ledger, [lost.key])
                assert len(server.create_log) == creates + 1
                # A render recorded but never sent (a crash before it left): not found.
                never = ledger.begin_submit(
                    generator=gen.key, resource=gen.resource.key, flow="render",
                    title="never sent", request={"render_of": second.server_id},
                    estimate=Decimal(4), balance_before=None)
                looked = await manager.look_again(never.key)
                untouched = ledger.get(second.key)
                await manager.aclose()
    assert lost.state is JobState.DONE and lost.server_id == first.server_id
    assert lost.result_urls and lost.download_state is DownloadState.DONE
    assert looked.state is JobState.UNKNOWN and looked.server_id is None
    assert untouched.state is JobState.PREVIEW_READY


async def test_a_stream_that_breaks_after_naming_its_job_is_followed_by_id(
        server: Sandbox, client: CreatifyClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.api.errors import AmbiguousCreateError

    real = client.text_generate_stream

    async def breaks_after_the_id(body: Any) -> AsyncIterator[Any]:
        async for event in real(body):
            if event.job_id:
                yield dataclasses.replace(event, done=False, delta="")
                raise AmbiguousCreateError("the stream broke")
            yield event
    monkeypatch.setattr(client, "text_generate_stream", breaks_after_the_id)
    gen = spec("text_generator")
    values = {**gen.defaults(), **valid_values(gen.key)}
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        await manager.start()
        record = await manager.stream_text(gen, values, on_delta=lambda _d: None)
        assert record.state is JobState.PENDING and record.server_id
        [final] = await settle(ledger, [record.key])
        await manager.aclose()
    [job] = server.jobs("text_generator")
    assert final.state is JobState.DONE and final.server_id == job["id"]
    assert final.response_text == job["response_text"]
    assert final.credits_used == Decimal(str(job["credits_used"]))
    assert len([c for c in server.create_log if "text_generator" in c.path]) == 1
    reads = [t for m, t in server.request_log if m == "GET" and job["id"] in t]
    assert reads and all(t.startswith("/sse/text_generator/") for t in reads)


# ---------------------------------------------------------------------------- the contract

async def test_what_the_manager_and_scheduler_send_is_in_creatifys_contract(
        server: Sandbox, tmp_path: Path) -> None:
    import httpx

    from tests.contract.contract import CONTRACT, RecordingTransport
    from tests.e2e.conftest import FAST_RETRY

    transport = RecordingTransport(httpx.AsyncHTTPTransport())
    async with CreatifyClient("sandbox", "sandbox", base_url=server.base_url, retry=FAST_RETRY,
                              timeout=5, transport=transport) as client:
        inputs = await inputs_from(server, client)
        with Ledger(tmp_path / "jobs.sqlite3") as ledger:
            manager = manager_for(client, ledger, tmp_path / "out")
            await manager.start()
            url_video = spec("url_to_video")
            values = {**url_video.defaults(), **valid_values(url_video.key, inputs)}
            preview = await manager.submit(url_video, values, flow=Flow.PREVIEW_RENDER)
            [preview] = await settle(ledger, [preview.key])
            render = await manager.render(url_video, preview)
            clone = spec("ad_clone")
            ad = await manager.submit(clone, {**clone.defaults(),
                                              **valid_values(clone.key, inputs)})
            text = spec("text_generator")
            answer = await manager.stream_text(
                text, {**text.defaults(), **valid_values(text.key)}, on_delta=lambda _d: None)
            lost = ledger.begin_submit(generator=text.key, resource=text.resource.key,
                                       flow="stream", title="lost", request={"x": 1},
                                       estimate=None, balance_before=None)
            await manager.look_again(lost.key)  # the Text Generator's list
            await settle(ledger, [render.key, ad.key, answer.key], timeout=60)
            await manager.aclose()
    sent = [(r.method, r.url.path) for r in transport.requests]
    assert ("GET", f"/api/ads_clone/{ledger_get_server_id(tmp_path, ad.key)}/") in sent
    assert ("GET", "/sse/text_generator/") in sent
    documented = [httpx.Request(r.method, r.url.copy_with(scheme="https", host="api.creatify.ai",
                                                          port=None),
                                headers=r.headers, content=r.content)
                  for r in transport.requests]  # the contract's own server
    problems = {f"{r.method} {r.url}": p for r in documented
                if (p := CONTRACT.request_problems(r))}
    assert problems == {}


def ledger_get_server_id(tmp_path: Path, key: str) -> str | None:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        return ledger.get(key).server_id


async def test_a_final_chunk_without_credits_is_completed_by_one_free_read(
        server: Sandbox, client: CreatifyClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = client.text_generate_stream

    async def no_credits(body: Any) -> AsyncIterator[Any]:
        async for event in real(body):
            yield dataclasses.replace(event, credits_used=None)
    monkeypatch.setattr(client, "text_generate_stream", no_credits)
    gen = spec("text_generator")
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        manager = manager_for(client, ledger, tmp_path / "out")
        record = await manager.stream_text(gen, {**gen.defaults(), **valid_values(gen.key)},
                                           on_delta=lambda _d: None)
        await manager.aclose()
    [job] = server.jobs("text_generator")
    assert record.state is JobState.DONE
    assert record.credits_used == Decimal(str(job["credits_used"])) > 0
