"""The real client against the simulator: the endpoints no generator form uses directly, the
error shapes as Creatify sends them, and the money rules under faults."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from app.api.client import CreatifyClient
from app.api.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    InsufficientCreditsError,
    NotFoundError,
    ValidationError,
)
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import spec
from app.generators.submit import submit
from app.sandbox import DocsQuirks, Sandbox
from tests.e2e.conftest import FAST_RETRY, file_kind, sandbox_client, wait_terminal

pytestmark = pytest.mark.e2e

SHOP = "https://shop.example.com/products/mug"


@pytest.fixture
def faulty() -> Iterator[Sandbox]:
    """A fresh simulator per test, so fault settings never leak between tests."""
    with Sandbox(speed=2000, seed=11, balance=1000) as server:
        yield server


def api(server: Sandbox) -> CreatifyClient:
    return sandbox_client(server, timeout=5)


async def wait_preview(client: CreatifyClient, snap: JobSnapshot,
                       timeout: float = 30.0) -> JobSnapshot:
    """Poll a preview job until its preview is there (the docs' signal, whatever the status)."""
    deadline = time.monotonic() + timeout
    while not snap.preview_ready:
        assert snap.status not in (JobStatus.FAILED, JobStatus.REJECTED), snap.failed_reason
        if time.monotonic() > deadline:
            raise AssertionError(f"{snap.resource} {snap.id} has no preview ({snap.raw_status})")
        await asyncio.sleep(0.02)
        snap = await client.get_job(snap.resource, snap.id)
    return snap


@pytest.mark.parametrize("preview_pending", [True, False], ids=["pending-quirk", "done"])
async def test_compare_styles_then_render_one(preview_pending: bool) -> None:
    with Sandbox(speed=2000, seed=7, balance=1000,
                 quirks=DocsQuirks(preview_pending=preview_pending)) as sandbox:
        async with sandbox_client(sandbox) as client:
            link = await client.create_link(SHOP)
            before = sandbox.balance
            job = await client.preview_list_async({
                "link": link.id, "video_length": 30,
                "visual_styles": ["AvatarBubbleTemplate", "FullScreenTemplate",
                                  "VanillaTemplate"]})
            job = await wait_preview(client, job)
            assert (job.status is JobStatus.PENDING) == preview_pending
            assert [p.visual_style for p in job.previews] == [
                "AvatarBubbleTemplate", "FullScreenTemplate", "VanillaTemplate"]
            assert all(p.preview_url and p.media_job for p in job.previews)
            assert before - sandbox.balance == 3  # three previews at 1 credit per 30 s
            rendered = await client.render_single_preview(job.id, job.previews[1].media_job)
            assert rendered.id == job.id
            rendered = await wait_terminal(client, rendered)
            assert rendered.status is JobStatus.DONE and rendered.result_url
            assert before - sandbox.balance == 3 + 4


async def test_preview_then_render_on_the_same_id(sandbox: Sandbox,
                                                  client: CreatifyClient) -> None:
    link = await client.create_link(SHOP)
    job = await wait_preview(client, await client.preview(
        "link_to_videos", {"link": link.id, "video_length": 15}))
    assert job.preview_url and not job.result_urls
    rendered = await wait_terminal(client, await client.render("link_to_videos", job.id))
    assert rendered.id == job.id and rendered.status is JobStatus.DONE and rendered.result_url


async def test_product_video_two_steps_and_regenerations(sandbox: Sandbox,
                                                         client: CreatifyClient) -> None:
    image = f"{sandbox.base_url}/media/samples/sample.png"
    job = await wait_terminal(client, await client.gen_image({"product_url": image}))
    assert job.status is JobStatus.IMAGE_DONE
    video = await wait_terminal(client, await client.gen_video(job.id,
                                                               {"motion_style": "display"}))
    assert video.id == job.id and video.status is JobStatus.DONE
    assert video.raw["generated_video_url"] == video.result_url
    again = await wait_terminal(client, await client.regen(job.id, "image"))
    assert again.id != job.id and again.status is JobStatus.IMAGE_DONE
    revideo = await wait_terminal(client, await client.regen(job.id, "video"))
    assert revideo.id not in (job.id, again.id) and revideo.status is JobStatus.DONE
    listed = await client.list_jobs("product_to_videos", [job.id, again.id, revideo.id])
    assert {j.id for j in listed} == {job.id, again.id, revideo.id}


async def test_text_generator_streams_sync_and_async(sandbox: Sandbox,
                                                     client: CreatifyClient) -> None:
    body = spec("text_generator").build_body({"model_name": "gemini-2.5-flash",
                                              "prompt": "A tagline for a blue mug"})
    before = sandbox.balance
    events = [e async for e in client.text_generate_stream(body)]
    deltas = "".join(e.delta for e in events)
    final = next(e for e in events if e.done and e.job_id)
    assert final.credits_used
    assert final.response_text == deltas and len(deltas) > 20
    assert before - sandbox.balance == final.credits_used
    done = await client.text_generate(body, sync=True)
    assert done.status is JobStatus.DONE and done.response_text
    pending = await client.text_generate(body)
    assert not pending.is_terminal
    assert (await wait_terminal(client, pending)).response_text
    # read back at its documented place (/sse/…; /api/… only if that answers 404)
    again = await client.get_job("text_generator", final.job_id)
    assert again.id == final.job_id and again.response_text == final.response_text
    listed = await client.list_jobs("text_generator")
    assert final.job_id in {j.id for j in listed}


async def test_links_catalogues_and_schemas(sandbox: Sandbox, client: CreatifyClient) -> None:
    link = await client.create_link(SHOP)
    assert link.id != link.raw["link"]["id"]  # the top-level id is the one to use
    assert len(link.image_urls) >= 3
    async with httpx.AsyncClient() as web:
        assert file_kind((await web.get(link.image_urls[0])).content) == "image"
    edited = await client.update_link(link.id, {"title": "Blue mug"})
    assert edited.title == "Blue mug" and (await client.get_link(link.id)).title == "Blue mug"
    assert link.id in {item.id for item in await client.list_links()}
    made = await client.create_link_with_params({
        "title": "Lamp", "description": "A lamp",
        "image_urls": [f"{sandbox.base_url}/media/samples/sample.png"] * 3})
    assert made.title == "Lamp"
    with pytest.raises(ValidationError) as info:
        await client.create_link_with_params({"title": "Nothing", "description": "x"})
    assert "image" in info.value.message

    personas = await client.personas()
    assert len(personas) >= 6 and all(p["id"] for p in personas)
    women = await client.personas_v2(gender="female")  # sent as the personas' "f"
    assert women and all(p["gender"] == "f" for p in women)
    voices = await client.voices()
    assert voices and voices[0]["accents"][0]["id"]
    schemas = await client.asset_schemas(["veo3.1/fast", "nano-banana"])
    assert {s["model_name"] for s in schemas} == {"veo3.1/fast", "nano-banana"}
    assert schemas[0]["input_params_schema"]["type"] == "object"


@pytest.mark.parametrize("paged", [True, False], ids=["musics-object", "musics-array"])
async def test_musics_and_templates(paged: bool) -> None:
    with Sandbox(speed=2000, seed=7, quirks=DocsQuirks(musics_paged=paged)) as sandbox:
        async with sandbox_client(sandbox) as client:
            tracks = await client.musics()
            assert tracks and all(t.get("url") or t.get("id") for t in tracks)
            first = await client.music_page(page=1, page_size=2)
            assert first.items and len(first.items) <= (2 if paged else len(tracks))
            categories = await client.music_categories()
            assert categories and all(c["name"] for c in categories)
            templates = await client.custom_templates()
            assert len(templates) >= 2
            detail = await client.custom_template(templates[0]["template_id"])
            assert detail["variables"] and detail["template_id"] == templates[0]["template_id"]


async def test_ad_clone_is_followed_by_id(sandbox: Sandbox, client: CreatifyClient) -> None:
    link = await client.create_link(SHOP)
    made = await client.create("ads_clone", {
        "link": link.id, "video_url": f"{sandbox.base_url}/media/samples/sample.mp4"})
    with pytest.raises(ValueError, match="get_job"):
        await client.list_jobs("ads_clone", [made.id])
    done = await wait_terminal(client, made)
    assert done.id == made.id and done.status is JobStatus.DONE


async def test_ai_ad_templates_and_their_jobs(sandbox: Sandbox, client: CreatifyClient) -> None:
    """The gallery (previews served, a schema and a credit cost each), one template read by
    id, a job made from it and read back with the list's ``ids`` filter: its free-string
    status ends at done and its output (JSON text) lists the results."""
    templates = await client.inspirations()
    assert len(templates) >= 3
    first = templates[0]
    assert isinstance(first["credit_cost"], int) and first["input_params_schema"]["properties"]
    async with httpx.AsyncClient() as web:
        assert file_kind((await web.get(first["preview_image"])).content) == "image"
        assert file_kind((await web.get(first["preview_video"])).content) == "video"
    assert (await client.inspiration(first["id"]))["name"] == first["name"]
    with pytest.raises(NotFoundError):
        await client.inspiration("00000000-0000-4000-8000-000000000000")
    image = f"{sandbox.base_url}/media/samples/sample.png"
    inputs = {name: image if prop.get("format") == "uri" else prop.get("default", "Mug")
              for name, prop in first["input_params_schema"]["properties"].items()
              if name in first["input_params_schema"]["required"]}
    made = await client.create("inspiration_jobs", {"inspiration_id": first["id"],
                                                    "input_params": inputs})
    assert not made.is_terminal and made.credits_used is None
    done = await wait_terminal(client, made)
    assert done.status is JobStatus.DONE and done.result_urls
    assert isinstance(done.raw["output"], str)  # typed string, as the docs type it
    [listed] = await client.list_jobs("inspiration_jobs", [made.id])
    assert listed.id == made.id and listed.result_urls == done.result_urls
    with pytest.raises(ValidationError):
        await client.create("inspiration_jobs", {"inspiration_id": first["id"],
                                                 "input_params": {}})


async def test_image_ads_make_several_images(sandbox: Sandbox, client: CreatifyClient) -> None:
    before = sandbox.balance
    made = await client.create("iab_images", {
        "image": f"{sandbox.base_url}/media/samples/sample.png"})
    done = await wait_terminal(client, made)
    assert done.status is JobStatus.DONE and len(done.result_urls) > 1
    assert before - sandbox.balance == 2  # 2 credits a request, whatever it makes
    with pytest.raises(ValueError, match="get_job"):
        await client.list_jobs("iab_images", [made.id])  # its list documents no ids filter
    async with httpx.AsyncClient() as web:
        for url in done.result_urls:
            assert file_kind((await web.get(url)).content) == "image"


async def test_error_shapes_as_creatify_sends_them(sandbox: Sandbox,
                                                   client: CreatifyClient) -> None:
    with pytest.raises(ValidationError) as info:
        await client.create("link_to_videos", {"link": "00000000-0000-4000-8000-000000000000"})
    assert info.value.field_errors == {"link": ("Invalid link ID",)}
    with pytest.raises(ValidationError) as info:
        await client.text_generate({"model_name": "no-such-model",
                                    "messages": [{"role": "user", "content": "hi"}]})
    assert "no-such-model" in info.value.message
    with pytest.raises(ValidationError, match="AI model not found"):
        await client.asset_generate("no-such-model", {"prompt": "x"})
    with pytest.raises(ValidationError, match="Failed to scrape"):
        await client.create_link("https://shop.example.com/fail-scrape")
    with pytest.raises(NotFoundError):
        await client.get_job("aurora", "00000000-0000-4000-8000-000000000000")
    async with CreatifyClient("sandbox", "wrong-key", base_url=sandbox.base_url) as bad:
        with pytest.raises(AuthenticationError):
            await bad.remaining_credits()


async def test_insufficient_credits_is_its_own_error(faulty: Sandbox) -> None:
    async with api(faulty) as client:
        link = await client.create_link(SHOP)
        faulty.set_faults(insufficient_credits=True)
        with pytest.raises(InsufficientCreditsError):
            await client.create("link_to_videos", {"link": link.id})
    with Sandbox(balance=3) as poor:
        async with api(poor) as client:
            link = await client.create_link(SHOP)
            with pytest.raises(InsufficientCreditsError):
                await client.create("link_to_videos", {"link": link.id, "video_length": 60})
            assert poor.balance == 2


async def test_lost_answer_is_ambiguous_sent_once_and_findable(faulty: Sandbox) -> None:
    async with api(faulty) as client:
        link = await client.create_link(SHOP)
        faulty.set_faults(reset_next_create_after_processing=1)
        creates_before = len(faulty.create_log)
        gen = spec("url_to_video")
        with pytest.raises(AmbiguousCreateError):
            await submit(client, gen, {**gen.defaults(), "link": link.id}, name_tag="lk-42")
        records = faulty.create_log[creates_before:]
        assert len(records) == 1 and records[0].status_code == 0 and records[0].job_id
        # The job exists: the list endpoint finds it by the name tag (how the ledger reconciles).
        found = [j for j in await client.list_jobs("link_to_videos")
                 if j.name and j.name.endswith("[lk-42]")]
        assert [j.id for j in found] == [records[0].job_id]


@pytest.mark.parametrize("fault", [{"error_rate": 1.0}, {"malformed_rate": 1.0}])
async def test_paid_create_is_never_retried_on_server_trouble(
        faulty: Sandbox, fault: dict[str, float]) -> None:
    async with api(faulty) as client:
        link = await client.create_link(SHOP)
        faulty.set_faults(**fault)
        before = len(faulty.create_log)
        with pytest.raises(AmbiguousCreateError):
            await client.create("link_to_videos", {"link": link.id})
        assert len(faulty.create_log) - before == 1


async def test_reads_ride_out_faults_and_jobs_reach_their_true_state(faulty: Sandbox) -> None:
    async with api(faulty) as client:
        link = await client.create_link(SHOP)
        jobs = [await client.create("link_to_videos", {"link": link.id}) for _ in range(5)]
        faulty.set_faults(error_rate=0.3, rate_limit_rate=0.1, retry_after=0.01,
                          malformed_rate=0.1, unknown_status_rate=0.3)
        pending = {j.id for j in jobs}
        final: dict[str, JobStatus] = {}
        for _ in range(500):
            if not pending:
                break
            try:
                batch = await client.list_jobs("link_to_videos", sorted(pending))
            except Exception as exc:  # a read that failed every retry: try again next round
                assert type(exc).__module__ == "app.api.errors", exc
                continue
            for snap in batch:
                if snap.is_terminal:
                    final[snap.id] = snap.status
                    pending.discard(snap.id)
            await asyncio.sleep(0.01)
        faulty.set_faults(error_rate=0, rate_limit_rate=0, malformed_rate=0,
                          unknown_status_rate=0)
        truth = {j["id"]: j["status"] for j in faulty.jobs("link_to_videos")}
        assert final and {k: v.value for k, v in final.items()} == {k: truth[k] for k in final}
        assert not pending


async def test_the_key_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    key = "sk-live-4f9a8b7c6d5e4f3a2b1c"
    with Sandbox(api_key=key, speed=2000) as server:
        caplog.set_level(logging.DEBUG)
        server.set_faults(error_rate=0.5, retry_after=0.01)
        async with CreatifyClient("sandbox", key, base_url=server.base_url,
                                  retry=FAST_RETRY) as client:
            for _ in range(5):
                try:
                    await client.remaining_credits()
                except Exception as exc:
                    logging.getLogger("test").exception("read failed: %s", exc)
            assert key not in repr(client)
    assert caplog.records
    assert all(key not in r.getMessage() for r in caplog.records)
    assert key not in caplog.text


async def test_every_request_the_client_sends_the_simulator_follows_the_contract(
        sandbox: Sandbox) -> None:
    from tests.contract.contract import CONTRACT, RecordingTransport
    recording = RecordingTransport(httpx.AsyncHTTPTransport())
    async with CreatifyClient("sandbox", "sandbox", base_url=sandbox.base_url, retry=FAST_RETRY,
                              transport=recording) as client:
        link = await client.create_link(SHOP)
        await client.get_link(link.id)
        await client.list_links()
        await client.remaining_credits()
        job = await client.create("link_to_videos", {"link": link.id, "video_length": 15})
        await client.list_jobs("link_to_videos", [job.id])
        await client.get_job("link_to_videos", job.id)
        await client.personas_v2(gender="f", style="presenter")
        await client.voices()
        await client.music_page(page=1, page_size=5, search="pop")
        await client.music_categories()
        template = (await client.custom_templates())[0]
        await client.custom_template(template["template_id"])
        await client.asset_schemas(["veo3.1/fast"])
        await client.list_jobs("ads_clone")
        await client.list_jobs("text_generator")
    assert len(recording.exchanges) == 16
    for sent, _ in recording.exchanges:
        # the same request addressed to the contract's server (the simulator is on loopback)
        url = sent.url.copy_with(scheme="https", host="api.creatify.ai", port=None)
        request = httpx.Request(sent.method, url, headers=sent.headers, content=sent.content)
        assert CONTRACT.request_problems(request) == [], request.url
