"""Every generator, end to end: the real client against the simulator over loopback HTTP.

For each spec (and each of its flows): submit → poll → terminal state → the result downloads
and is the right kind of file, and the simulator charged exactly what our estimator said.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.api.client import CreatifyClient
from app.api.snapshot import JobStatus
from app.generators import SPECS, Flow, ResultKind, spec
from app.generators.submit import render, render_style, submit
from app.pricing import estimate, total_credits
from app.sandbox import Sandbox
from tests.e2e.conftest import file_kind, wait_terminal
from tests.samples import Inputs, valid_values

pytestmark = pytest.mark.e2e

# Lengths the user would type for MEDIA-priced generators (the hinted media lengths below).
ENTERED_SECONDS = {"aurora": 12, "aurora_fast": 12, "ai_editing": 31, "ad_clone": 31,
                   "custom_template": 30, "product_video": 8}
EXPECTED_KIND = {ResultKind.VIDEO: "video", ResultKind.AUDIO: "audio",
                 ResultKind.IMAGE: "image", ResultKind.LINK: "image",
                 ResultKind.ASSET: "video"}  # the sample asset model (Kling) makes a video


@pytest.fixture
async def inputs(sandbox: Sandbox, client: CreatifyClient) -> Inputs:
    """Real ids from the simulator: a Link, an avatar, a voice, a finished product image."""
    media = f"{sandbox.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    personas = await client.personas()
    voices = await client.voices()
    product = await client.gen_image({"product_url": f"{media}/sample.png"})
    product = await wait_terminal(client, product)
    assert product.status is JobStatus.IMAGE_DONE
    return Inputs(link_id=link.id, persona_id=personas[0]["id"],
                  accent_id=voices[0]["accents"][0]["id"], product_job=product.id,
                  image_url=f"{media}/sample.png",
                  audio_url=f"{media}/sample.mp3?duration=12",
                  video_url=f"{media}/sample.mp4?duration=31")


CASES = [pytest.param(s.key, flow, {}, id=f"{s.key}-{flow.value}")
         for s in SPECS for flow in s.flows]
# Model choices that switch the billing rule (Aurora per-second pricing, Aurora 2.0 tiers).
MODEL_CASES = [
    pytest.param("url_to_video", Flow.CREATE, {"model_version": "aurora_v1"}, id="u2v-aurora"),
    pytest.param("url_to_video", Flow.PREVIEW_RENDER, {"model_version": "aurora_v1_fast"},
                 id="u2v-aurora-fast-preview"),
    pytest.param("avatar_v1", Flow.PREVIEW_RENDER, {"model_version": "aurora_v1"},
                 id="avatar-aurora-preview"),
    pytest.param("custom_template", Flow.CREATE, {"model_version": "aurora_v1_fast"},
                 id="template-aurora-fast"),
    pytest.param("aurora", Flow.CREATE, {"model_version": "aurora_v2", "resolution": "1080p"},
                 id="aurora-v2-1080p"),
    pytest.param("asset_generator", Flow.CREATE,
                 {"model_name": "veo-3.1-fast", "input_params": {"prompt": "A mug", "duration": 6}},
                 id="asset-veo-fast-6s"),
]


@pytest.mark.parametrize(("key", "flow", "changes"), CASES + MODEL_CASES)
async def test_generator_end_to_end(key: str, flow: Flow, changes: dict[str, Any],
                                    sandbox: Sandbox, client: CreatifyClient,
                                    inputs: Inputs) -> None:
    gen = spec(key)
    values: dict[str, Any] = {**gen.defaults(), **valid_values(key, inputs), **changes}
    seconds = ENTERED_SECONDS.get(key) or gen.derive_seconds(values)
    expected = total_credits(estimate(r) for r in gen.price_requests(values, seconds, flow))
    balance_before = sandbox.balance

    snap = await submit(client, gen, values, flow=flow, name_tag="e2e-tag")
    assert snap.id and snap.resource == gen.resource.key
    if flow is Flow.PREVIEW_RENDER:
        snap = await wait_terminal(client, snap)
        assert snap.status is JobStatus.DONE
        assert snap.preview_url and not snap.result_urls
        async with httpx.AsyncClient() as web:
            page = await web.get(snap.preview_url)
        assert page.status_code == 200 and "html" in page.headers["content-type"]
        snap = await render(client, gen, snap.id)
    if flow is Flow.COMPARE_STYLES:
        snap = await wait_terminal(client, snap)
        assert snap.status is JobStatus.DONE and not snap.result_urls
        assert [p.visual_style for p in snap.previews] == list(values["visual_styles"])
        async with httpx.AsyncClient() as web:
            for preview in snap.previews:
                assert preview.preview_url and preview.thumbnail_url
                assert preview.duration == values["video_length"]
                page = await web.get(preview.preview_url)
                assert page.status_code == 200 and "html" in page.headers["content-type"]
                thumb = await web.get(preview.thumbnail_url)
                assert file_kind(thumb.content) == "image"
        chosen = snap.previews[-1]
        snap = await render_style(client, gen, snap.id, chosen.media_job)
        assert snap.raw.get("visual_style") == chosen.visual_style
    snap = await wait_terminal(client, snap)
    assert snap.status.is_success, (snap.raw_status, snap.failed_reason)

    if gen.result_kind is ResultKind.TEXT:
        assert snap.response_text and len(snap.response_text) > 10
    else:
        assert snap.result_url, snap.raw
        async with httpx.AsyncClient() as web:
            response = await web.get(snap.result_url)
        assert response.status_code == 200
        assert file_kind(response.content) == EXPECTED_KIND[gen.result_kind]

    charged = balance_before - sandbox.balance
    if expected is None:  # Text Generator: known only after the run
        assert snap.credits_used is not None and snap.credits_used > 0
        assert charged == snap.credits_used
    else:
        assert charged == expected, f"estimated {expected}, simulator charged {charged}"
        if gen.resource.has_credits_used and key != "links":
            assert snap.credits_used == expected

    if gen.resource.has_name:
        listed = await client.list_jobs(gen.resource.key, [snap.id])
        assert [j.id for j in listed] == [snap.id]
        assert listed[0].name and listed[0].name.endswith("[e2e-tag]")


async def test_remaining_credits_follow_the_charges(sandbox: Sandbox,
                                                    client: CreatifyClient) -> None:
    before = await client.remaining_credits()
    assert before == sandbox.balance
    await client.create_link("https://shop.example.com/products/lamp")
    assert await client.remaining_credits() == before - Decimal(1)


@pytest.mark.parametrize("styles", [2, 3, 6])
async def test_comparing_styles_costs_a_preview_each_and_one_render(
        styles: int, sandbox: Sandbox, client: CreatifyClient, inputs: Inputs) -> None:
    """n previews at 1 per 30 s plus one render at 4 per 30 s — checked against the
    simulator's charge, with the saving against making every style in one step."""
    gen = spec("url_to_video")
    chosen_styles = [c.value for c in gen.field("visual_styles").choices][:styles]
    values = {**gen.defaults(), **valid_values("url_to_video", inputs),
              "visual_styles": chosen_styles, "video_length": 45}
    expected = total_credits(estimate(r) for r in gen.price_requests(
        values, 45, Flow.COMPARE_STYLES))
    assert expected == styles * 2 + 8  # 45 s: 2 blocks; previews 1 each, the render 4 each
    before = sandbox.balance
    snap = await wait_terminal(client, await submit(client, gen, values,
                                                    flow=Flow.COMPARE_STYLES))
    assert before - sandbox.balance == styles * 2
    snap = await wait_terminal(client, await render_style(client, gen, snap.id,
                                                          snap.previews[0].media_job))
    assert snap.status is JobStatus.DONE and snap.result_url
    assert before - sandbox.balance == expected
