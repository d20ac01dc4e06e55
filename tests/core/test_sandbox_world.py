"""The sandbox's pure world: schedules, statuses, billing, validation, faults — no sockets."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import wave
from decimal import Decimal
from typing import Any

import pytest

from app.api.resources import JOB_RESOURCES, MAX_IDS_PER_LIST
from app.sandbox import media
from app.sandbox.behaviours import BEHAVIOURS
from app.sandbox.wire import (
    INSUFFICIENT_CREDITS,
    UNDOCUMENTED_STATUS,
    Faults,
    Request,
    Response,
)
from app.sandbox.world import World

AUTH = {"x-api-id": "sandbox", "x-api-key": "sandbox"}
BASE = "http://sandbox.test"
IMAGE = "https://cdn.example.com/face.png"
VIDEO = "https://cdn.example.com/ad.mp4"
AUDIO = "https://cdn.example.com/voice.mp3"
PERSONA = "6f0c2f3e-1111-4a8b-9c1d-000000000001"
ACCENT = "6f0c2f3e-2222-4a8b-9c1d-000000000002"
TERMINAL = {"done", "failed", "rejected", "image_generated", "video_generated"}


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(clock: Clock) -> World:
    w = World(clock=clock, wall_clock=lambda: 1_800_000_000.0, seed=7)
    w.base_url = BASE
    return w


def call(world: World, method: str, target: str, body: Any = None,
         headers: dict[str, str] | None = None) -> Response:
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return world.handle(Request(method, target, AUTH if headers is None else headers, raw))


def ok(response: Response, status: int = 200) -> Any:
    assert response.status == status, response.body
    return response.body


def make_link(world: World) -> str:
    return str(ok(call(world, "POST", "/api/links/", {"url": "https://shop.example.com/p/mug"}),
                  201)["id"])


def the_link(world: World) -> str:
    """The world's first link, made (for 1 credit) on first use."""
    links = world.jobs("links")
    return str(links[0]["id"]) if links else make_link(world)


def create_bodies(world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    """A valid create (path, body) per job resource (the first call makes a link)."""
    link = the_link(world)
    return {
        "link_to_videos": ("/api/link_to_videos/", {"link": link, "name": "Mug ad"}),
        "lipsyncs": ("/api/lipsyncs/", {"creator": PERSONA, "text": "Hello there"}),
        "lipsyncs_v2": ("/api/lipsyncs_v2/", {"video_inputs": [scene("Hello there")]}),
        "aurora": ("/api/aurora/", {"image": IMAGE, "audio": AUDIO + "?duration=10"}),
        "custom_template_jobs": ("/api/custom_template_jobs/",
                                 {"template_id": PERSONA, "variables": {}}),
        "asset_generator": ("/api/asset_generator/",
                            {"model_name": "kling-v1.6-pro", "input_params": {"prompt": "cat"}}),
        "text_generator": ("/sse/text_generator/",
                           {"model_name": "gemini-2.5-flash",
                            "messages": [{"role": "user", "content": "Hi"}]}),
        "text_to_speech": ("/api/text_to_speech/", {"script": "Hello world", "accent": ACCENT}),
        "ai_scripts": ("/api/ai_scripts/", {"title": "Mug", "description": "A blue mug"}),
        "ai_shorts": ("/api/ai_shorts/",
                      {"script": "Hello", "aspect_ratio": "9x16", "style": "Cinematic"}),
        "ai_editing": ("/api/ai_editing/",
                       {"video_url": VIDEO + "?duration=20", "editing_style": "film"}),
        "product_to_videos": ("/api/product_to_videos/gen_image/", {"product_url": IMAGE}),
        "ads_clone": ("/api/ads_clone/", {"link": link, "video_url": VIDEO + "?duration=12"}),
    }


def scene(text: str) -> dict[str, Any]:
    return {"character": {"type": "avatar", "avatar_id": PERSONA},
            "voice": {"type": "text", "input_text": text, "voice_id": ACCENT}}


def create(world: World, resource: str, **changes: Any) -> dict[str, Any]:
    path, body = create_bodies(world)[resource]
    response = call(world, "POST", path, {**body, **changes})
    assert response.status == 201, response.body
    return dict(response.body)


def get(world: World, resource: str, job_id: str) -> dict[str, Any]:
    return dict(ok(call(world, "GET", f"/api/{resource}/{job_id}/")))


def run_to_end(world: World, clock: Clock, resource: str, job_id: str,
               step: float = 1.0, limit: float = 1000) -> list[dict[str, Any]]:
    """Poll every ``step`` seconds until terminal; every wire object seen."""
    seen = [get(world, resource, job_id)]
    start = clock.now
    while seen[-1]["status"] not in TERMINAL:
        assert clock.now - start < limit, seen[-1]
        clock.now += step
        seen.append(get(world, resource, job_id))
    return seen


def statuses(seen: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(obj["status"] for obj in seen))


# ---- lifecycles ------------------------------------------------------------------------------

QUEUED = ["pending", "in_queue", "running", "done"]
LIFECYCLES = {
    "link_to_videos": (QUEUED, 90), "lipsyncs": (QUEUED, 60), "lipsyncs_v2": (QUEUED, 60),
    "aurora": (["running", "done"], 120), "custom_template_jobs": (QUEUED, 90),
    "asset_generator": (["initializing", "generating", "done"], 60),
    "text_generator": (["pending", "running", "done"], 5), "text_to_speech": (QUEUED, 10),
    "ai_shorts": (QUEUED, 90), "ai_editing": (QUEUED, 90), "ads_clone": (QUEUED, 120),
    "product_to_videos": (["initializing", "image_generating", "image_generated"], 30),
}


def test_every_job_resource_has_a_behaviour() -> None:
    assert set(BEHAVIOURS) == set(JOB_RESOURCES)


@pytest.mark.parametrize("resource", sorted(LIFECYCLES))
def test_status_sequence_and_run_time(world: World, clock: Clock, resource: str) -> None:
    expected, run_time = LIFECYCLES[resource]
    job = create(world, resource)
    assert job["status"] == expected[0]
    seen = run_to_end(world, clock, resource, job["id"], step=run_time / 100)
    assert statuses(seen) == expected
    assert all(s in JOB_RESOURCES[resource].statuses for s in expected)
    # Done exactly at the base run time (speed 1), not a moment before.
    fresh = create(world, resource)
    clock.now += run_time - 0.001
    assert get(world, resource, fresh["id"])["status"] == expected[-2]
    clock.now += 0.001
    assert get(world, resource, fresh["id"])["status"] == expected[-1]


def test_speed_divides_run_times(clock: Clock) -> None:
    fast = World(clock=clock, speed=100)
    job = create(fast, "link_to_videos")
    clock.now += 0.9
    assert get(fast, "link_to_videos", job["id"])["status"] == "done"


def test_ai_scripts_are_done_in_the_create_answer(world: World) -> None:
    job = create(world, "ai_scripts", script_styles=["DIY", "BenefitsV2"])
    assert job["status"] == "done"
    assert job["credits_used"] == 1
    assert [s["script_style"] for s in job["generated_scripts"]] == ["DIY", "BenefitsV2"]
    assert all(s["paragraphs"] and s["title"] and s["script_name"]
               for s in job["generated_scripts"])
    assert len(create(world, "ai_scripts")["generated_scripts"]) == 3


def test_product_video_runs_on_the_same_record(world: World, clock: Clock) -> None:
    record = create(world, "product_to_videos")
    assert "credits_used" not in record and "duration" not in record
    early = call(world, "POST", f"/api/product_to_videos/{record['id']}/gen_video/",
                 {"motion_style": "display"})
    assert early.status == 400 and isinstance(early.body, list)
    seen = run_to_end(world, clock, "product_to_videos", record["id"])
    assert seen[-1]["generated_photo_url"].endswith(f"/media/{record['id']}/photo.png")
    assert world.balance == 500 - 1 - 2  # the link made by create_bodies, then the image
    started = ok(call(world, "POST", f"/api/product_to_videos/{record['id']}/gen_video/",
                      {"motion_style": "talking"}))
    assert started["id"] == record["id"] and started["status"] == "video_generating"
    seen = run_to_end(world, clock, "product_to_videos", record["id"])
    assert statuses(seen) == ["video_generating", "video_generated"]
    assert seen[-1]["generated_video_url"].endswith("/output.mp4")
    assert "credits_used" not in seen[-1] and "duration" not in seen[-1]
    assert world.balance == 500 - 1 - 2 - 10
    regen = ok(call(world, "POST", f"/api/product_to_videos/{record['id']}/regen_video/", {}), 201)
    assert regen["id"] != record["id"] and regen["status"] == "video_generating"
    assert regen["generated_photo_url"] == seen[-1]["generated_photo_url"]
    again = ok(call(world, "POST", f"/api/product_to_videos/{record['id']}/regen_image/", {}),
               201)
    assert again["id"] not in (record["id"], regen["id"]) and again["status"] == "initializing"
    assert again["product_url"] == IMAGE


# ---- wire quirks -----------------------------------------------------------------------------

def test_progress_forms_and_result_fields(world: World, clock: Clock) -> None:
    jobs = {r: create(world, r) for r in ("link_to_videos", "lipsyncs", "aurora", "ai_shorts",
                                          "text_to_speech", "asset_generator")}
    clock.now += 45  # half-way or so
    ltv, lip, aur, shorts, tts, asset = (get(world, r, j["id"]) for r, j in jobs.items())
    assert isinstance(ltv["progress"], str) and 1 < float(ltv["progress"]) < 100
    assert ltv["progress"] == str(int(ltv["progress"]))  # "45", 0-100 scale
    assert isinstance(lip["progress"], str) and 0 < float(lip["progress"]) < 1  # "0.45"
    assert isinstance(aur["progress"], float) and 0 < aur["progress"] < 1
    assert isinstance(shorts["progress"], int) and 1 < shorts["progress"] < 100
    assert "progress" not in tts and "progress" not in asset
    assert ltv["credits_used"] == 0 and ltv["video_output"] is None
    clock.now += 200
    ltv, lip, aur, shorts, tts, asset = (get(world, r, j["id"]) for r, j in jobs.items())
    assert ltv["progress"] == "100" and lip["progress"] == "1" and aur["progress"] == 1
    assert ltv["video_output"] == f"{BASE}/media/{ltv['id']}/output.mp4"
    assert ltv["video_thumbnail"] == f"{BASE}/media/{ltv['id']}/thumb.png"
    assert lip["output"].endswith("/output.mp4") and "video_output" not in lip
    assert tts["output"] == f"{BASE}/media/{tts['id']}/output.wav"
    assert "video_thumbnail" not in tts
    assert ltv["name"] == "Mug ad" and ltv["duration"] == 30 and ltv["credits_used"] == 5
    assert ltv["created_at"].endswith("Z") and ltv["updated_at"] > ltv["created_at"]
    [item] = asset["assets"]
    assert set(item) == {"id", "type", "url", "thumbnail_url", "name"}
    assert item["type"] == "video" and item["url"].endswith("/output.mp4")


def test_image_assets_one_per_image(world: World, clock: Clock) -> None:
    job = create(world, "asset_generator", model_name="nano-banana",
                 input_params={"prompt": "a mug", "num_images": 3})
    assert job["input_params"] == {"prompt": "a mug", "num_images": 3}
    clock.now += 60
    done = get(world, "asset_generator", job["id"])
    assert [a["type"] for a in done["assets"]] == ["image"] * 3
    assert done["credits_used"] == 12


def test_unknown_status_shows_only_while_running(world: World, clock: Clock) -> None:
    world.set_faults(unknown_status_rate=1.0)
    job = create(world, "link_to_videos")
    assert job["status"] == "pending"  # a create answer is not a read
    assert get(world, "link_to_videos", job["id"])["status"] == UNDOCUMENTED_STATUS
    clock.now += 90
    assert get(world, "link_to_videos", job["id"])["status"] == "done"


# ---- billing ---------------------------------------------------------------------------------

def finished(world: World, clock: Clock, resource: str, **changes: Any) -> dict[str, Any]:
    job = create(world, resource, **changes)
    clock.now += 10_000
    return get(world, resource, job["id"])


@pytest.mark.parametrize(("resource", "changes", "credits"), [
    ("ai_editing", {"video_url": VIDEO + "?duration=30"}, 5),
    ("ai_editing", {"video_url": VIDEO + "?duration=31"}, 10),
    ("link_to_videos", {"video_length": 30}, 5),
    ("link_to_videos", {"video_length": 45}, 10),
    ("link_to_videos", {"video_length": 60}, 10),
    ("link_to_videos", {"video_length": 30, "model_version": "aurora_v1"}, 30),
    ("link_to_videos", {"video_length": 15, "model_version": "aurora_v1_fast"}, 7.5),
    ("lipsyncs", {"text": " ".join(["word"] * 75)}, 5),  # 30 s of speech
    ("lipsyncs", {"text": " ".join(["word"] * 76)}, 10),  # 30.4 s -> 31 s
    ("lipsyncs", {"text": None, "audio": AUDIO + "?duration=61"}, 15),
    ("lipsyncs_v2", {"video_inputs": [scene(" ".join(["w"] * 50)), scene(" ".join(["w"] * 25))]},
     5),
    ("lipsyncs_v2", {"video_inputs": [scene(" ".join(["w"] * 50)), scene(" ".join(["w"] * 26))]},
     10),
    ("custom_template_jobs", {}, 5),
    ("custom_template_jobs",
     {"variables": {"vo": {"type": "audio", "properties": {"url": AUDIO + "?duration=40"}}}}, 10),
    ("ai_shorts", {"script": " ".join(["w"] * 150)}, 10),  # 60 s
    ("aurora", {"audio": AUDIO + "?duration=5"}, 5),
    ("aurora", {"audio": AUDIO + "?duration=5.01"}, 6),
    ("aurora", {"audio": AUDIO + "?duration=5.01", "model_version": "aurora_v1_fast"}, 3),
    ("aurora", {"audio": AUDIO + "?duration=5.01", "model_version": "aurora_v2",
                "resolution": "1080p"}, 8.4),
    ("aurora", {"audio": AUDIO + "?duration=10", "model_version": "aurora_v2"}, 7),
    ("ads_clone", {"video_url": VIDEO + "?duration=5"}, 12),
    ("ads_clone", {"video_url": VIDEO + "?duration=5.01"}, 24),
    ("text_to_speech", {"script": " ".join(["w"] * 75)}, 1),
    ("text_to_speech", {"script": " ".join(["w"] * 76)}, 2),
    ("asset_generator", {"input_params": {"prompt": "x", "duration": 10}}, 24),
    ("asset_generator", {"model_name": "veo-3.1", "input_params": {"prompt": "x"}}, 64),
    ("asset_generator", {"model_name": "veo-3.1", "input_params": {"prompt": "x", "duration": 4}},
     32),
    ("asset_generator", {"model_name": "veo-3.1-fast", "input_params": {"prompt": "x",
                                                                        "duration": 6}}, 24),
    ("asset_generator", {"model_name": "flux-pro-kontext",
                         "input_params": {"prompt": "x", "num_images": 2}}, 8),
    ("text_generator", {}, 1),
])
def test_billing(world: World, clock: Clock, resource: str, changes: dict[str, Any],
                 credits: float) -> None:
    create_bodies(world)
    before = world.balance
    job = finished(world, clock, resource, **changes)
    assert job["status"] == "done"
    assert job["credits_used"] == credits
    assert isinstance(job["credits_used"], int) == (credits == int(credits))
    assert before - world.balance == Decimal(str(credits))


def test_text_generator_bills_per_started_thousand_tokens(world: World, clock: Clock) -> None:
    long_prompt = " ".join(["word"] * 800)  # (800 + ~60 answer words) x 1.3 > 1000 tokens
    job = finished(world, clock, "text_generator",
                   messages=[{"role": "user", "content": long_prompt}])
    assert job["credits_used"] == 2


def test_credits_are_charged_when_done_and_zero_in_the_create_answer(
        world: World, clock: Clock) -> None:
    start = world.balance
    job = create(world, "link_to_videos")
    assert job["credits_used"] == 0
    clock.now += 89
    assert world.balance == start - 1  # only the link so far
    clock.now += 1
    assert world.balance == start - 1 - 5


def test_aurora_is_charged_at_create_and_refunded_on_failure(world: World,
                                                             clock: Clock) -> None:
    create_bodies(world)  # the link, 1 credit
    start = world.balance
    world.set_faults(fail_rate=1.0)
    job = create(world, "aurora", audio=AUDIO + "?duration=30")
    assert job["credits_used"] == 0
    assert world.balance == start - 30
    seen = run_to_end(world, clock, "aurora", job["id"])
    assert seen[-1]["status"] == "failed" and seen[-1]["failed_reason"]
    assert seen[-1]["credits_used"] == 0
    assert world.balance == start
    world.set_faults(fail_rate=0.0, reject_rate=1.0)
    job = create(world, "aurora", audio=AUDIO + "?duration=30")
    assert run_to_end(world, clock, "aurora", job["id"])[-1]["status"] == "rejected"
    assert world.balance == start


@pytest.mark.parametrize("resource", ["link_to_videos", "text_to_speech", "asset_generator"])
def test_failed_jobs_charge_nothing(world: World, clock: Clock, resource: str) -> None:
    create_bodies(world)
    start = world.balance
    world.set_faults(fail_rate=1.0)
    job = finished(world, clock, resource)
    assert job["status"] == "failed" and job["failed_reason"]
    assert job["credits_used"] == 0 and world.balance == start


def test_reject_becomes_failed_where_there_is_no_rejected(world: World, clock: Clock) -> None:
    world.set_faults(reject_rate=1.0)
    assert finished(world, clock, "lipsyncs")["status"] == "failed"
    assert finished(world, clock, "ai_shorts")["status"] == "rejected"


def test_ads_clone_is_charged_gradually(world: World, clock: Clock) -> None:
    create_bodies(world)
    start = world.balance
    job = create(world, "ads_clone", video_url=VIDEO + "?duration=20")  # 4 blocks, 48
    seen = run_to_end(world, clock, "ads_clone", job["id"], step=2)
    used = [obj["credits_used"] for obj in seen]
    assert used == sorted(used) and used[0] == 0 and used[-1] == 48
    assert {12, 24, 36} <= set(used)
    assert world.balance == start - 48
    world.set_faults(fail_rate=1.0)
    failed = run_to_end(world, clock, "ads_clone",
                        create(world, "ads_clone", video_url=VIDEO + "?duration=20")["id"])
    assert max(obj["credits_used"] for obj in failed) > 0
    assert failed[-1]["credits_used"] == 0 and world.balance == start - 48


def test_preview_then_render(world: World, clock: Clock) -> None:
    create_bodies(world)
    start = world.balance
    _, body = create_bodies(world)["link_to_videos"]
    preview = ok(call(world, "POST", "/api/link_to_videos/preview/", body))
    assert preview["preview"] is None
    early = call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/")
    assert (early.status, early.body) == (400, ["Preview is not ready."])
    seen = run_to_end(world, clock, "link_to_videos", preview["id"])
    assert seen[-1]["preview"] == f"{BASE}/preview/{preview['id']}/"
    assert seen[-1]["video_output"] is None and seen[-1]["credits_used"] == 1
    assert world.balance == start - 1
    assert world.preview_page(preview["id"]) is not None
    rendering = ok(call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/"))
    assert rendering["status"] == "pending"
    seen = run_to_end(world, clock, "link_to_videos", preview["id"])
    assert statuses(seen) == QUEUED
    assert seen[-1]["video_output"] and seen[-1]["credits_used"] == 5
    assert world.balance == start - 5
    again = call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/")
    assert again.status == 400
    plain = create(world, "link_to_videos")
    assert call(world, "POST", f"/api/link_to_videos/{plain['id']}/render/").status == 400


def test_preview_list_and_render_single_preview(world: World, clock: Clock) -> None:
    _, body = create_bodies(world)["link_to_videos"]
    start = world.balance
    job = ok(call(world, "POST", "/api/link_to_videos/preview_list_async/",
                  {**body, "video_length": 45, "visual_styles": ["A", "B", "C"]}), 201)
    assert [p["visual_style"] for p in job["previews"]] == ["A", "B", "C"]
    assert len({p["media_job"] for p in job["previews"]}) == 3
    seen = run_to_end(world, clock, "link_to_videos", job["id"])
    previews = seen[-1]["previews"]
    assert all(p["status"] == "done" and p["preview_url"] and p["thumbnail_url"]
               and p["duration"] == 45 for p in previews)
    assert seen[-1]["credits_used"] == 6 and world.balance == start - 6  # 3 x (1 x 2 blocks)
    bad = call(world, "POST", f"/api/link_to_videos/{job['id']}/render_single_preview/",
               {"media_job": "nope"})
    assert bad.status == 400 and set(bad.body) == {"media_job"}
    chosen = previews[1]["media_job"]
    ok(call(world, "POST", f"/api/link_to_videos/{job['id']}/render_single_preview/",
            {"media_job": chosen}))
    done = run_to_end(world, clock, "link_to_videos", job["id"])[-1]
    assert done["video_output"] and done["visual_style"] == "B"
    assert done["credits_used"] == 6 + 8 and world.balance == start - 14
    too_many = call(world, "POST", "/api/link_to_videos/preview_list_async/",
                    {**body, "visual_styles": list("ABCDEFG")})
    assert too_many.status == 400 and "visual_styles" in too_many.body


def test_links_cost_one_credit(world: World) -> None:
    link = ok(call(world, "POST", "/api/links/", {"url": "https://shop.example.com/p/blue-mug"}),
              201)
    assert link["link"]["id"] != link["id"] and len(link["link"]["image_urls"]) >= 3
    assert link["link"]["title"] == "Blue Mug" and world.balance == 499
    params = {"title": "Mug", "description": "Blue", "image_urls": [IMAGE] * 3}
    made = ok(call(world, "POST", "/api/links/link_with_params/", params))
    assert made["link"]["title"] == "Mug" and world.balance == 498
    few = call(world, "POST", "/api/links/link_with_params/", {**params, "image_urls": [IMAGE]})
    assert few.status == 400 and isinstance(few.body, list)
    assert ok(call(world, "POST", "/api/links/link_with_params/",
                   {**params, "image_urls": [], "video_urls": [VIDEO]}))
    edited = ok(call(world, "PUT", f"/api/links/{link['id']}/", {"title": "New"}))
    assert edited["link"]["title"] == "New" and world.balance == 497
    assert ok(call(world, "GET", f"/api/links/{link['id']}/"))["link"]["title"] == "New"
    assert [x["id"] for x in ok(call(world, "GET", "/api/links/"))][-1] == link["id"]
    scrape = call(world, "POST", "/api/links/", {"url": "https://x.example/fail-scrape"})
    assert scrape.body == ["Failed to scrape url: https://x.example/fail-scrape"]
    missing = call(world, "GET", "/api/links/nope/")
    assert (missing.status, missing.body) == (404, {"detail": "No Link matches the given query."})


# ---- balance -------------------------------------------------------------------------------

def test_insufficient_credits(clock: Clock) -> None:
    poor = World(clock=clock, balance=11)
    create(poor, "link_to_videos")  # the link: 1 credit, 10 left
    create(poor, "link_to_videos")  # 5 + 5 that running jobs will charge
    path, body = create_bodies(poor)["link_to_videos"]
    refused = call(poor, "POST", path, body)
    assert (refused.status, refused.body) == (400, [INSUFFICIENT_CREDITS])
    clock.now += 100
    assert poor.balance == 0
    assert ok(call(poor, "GET", "/api/remaining_credits/")) == {"remaining_credits": 0}


def test_insufficient_credits_fault_refuses_every_paid_post(world: World) -> None:
    world.set_faults(insufficient_credits=True)
    for path, body in (("/api/links/", {"url": "https://a.example/x"}),
                       ("/api/ai_scripts/", {"title": "a", "description": "b"})):
        response = call(world, "POST", path, body)
        assert (response.status, response.body) == (400, [INSUFFICIENT_CREDITS])
    text = call(world, "POST", "/sse/text_generator/", {})
    assert text.body == {"error": INSUFFICIENT_CREDITS}
    assert ok(call(world, "GET", "/api/remaining_credits/")) == {"remaining_credits": 500}


def test_remaining_credits_is_a_float_only_when_fractional(world: World, clock: Clock) -> None:
    finished(world, clock, "aurora", audio=AUDIO + "?duration=3", model_version="aurora_v1_fast")
    assert ok(call(world, "GET", "/api/remaining_credits/")) == {"remaining_credits": 497.5}


# ---- validation and protocol -----------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/api/link_to_videos/", {}, {"link": ["This field is required."]}),
    ("/api/link_to_videos/", {"link": "nope"}, {"link": ["Invalid link ID"]}),
    ("/api/link_to_videos/", {"link": "L", "video_length": 20},
     {"video_length": ['"20" is not a valid choice.']}),
    ("/api/link_to_videos/", {"link": "L", "aspect_ratio": "4x3"},
     {"aspect_ratio": ['"4x3" is not a valid choice.']}),
    ("/api/link_to_videos/", {"link": "L", "background_music_url": "ftp://x/y.mp3"},
     {"background_music_url": ["Enter a valid URL."]}),
    ("/api/lipsyncs/", {"creator": PERSONA}, ["Either text or audio must be provided."]),
    ("/api/lipsyncs_v2/", {"video_inputs": [scene("x" * 2001)]},
     {"video_inputs": ["Scene 1: voice.input_text: Ensure this field has no more than 2000 "
                       "characters."]}),
    ("/api/text_to_speech/", {"script": "x" * 8001, "accent": ACCENT},
     {"script": ["Ensure this field has no more than 8000 characters."]}),
    ("/api/aurora/", {"image": IMAGE, "audio": AUDIO + "?duration=60.5"},
     {"audio": ["Audio must be at most 60 seconds."]}),
    ("/api/ai_shorts/", {"script": "x", "aspect_ratio": "9x16", "style": "Watercolor"},
     {"style": ['"Watercolor" is not a valid choice.']}),
    ("/api/ai_scripts/", {"url": "https://a.example/", "script_styles": list("abcdef")},
     {"script_styles": ["Ensure this field has no more than 5 elements."]}),
    ("/api/asset_generator/", {"model_name": "sora-9"}, ["AI model not found"]),
    ("/api/asset_generator/", {"model_name": "veo-3.1", "input_params": {"duration": 5}},
     {"input_params": ["prompt: This field is required.",
                       'duration: "5" is not a valid choice.']}),
    ("/api/product_to_videos/gen_image/", {}, {"product_url": ["This field is required."]}),
    ("/sse/text_generator/", {"model_name": "gpt-9", "messages": []},
     {"error": "Unsupported model: gpt-9"}),
    ("/sse/text_generator/", {"model_name": "gemini-2.5-pro"},
     {"error": "messages is required: a non-empty list of {role, content}."}),
    ("/api/link_to_videos/", b"{not json", ["JSON parse error"]),
    ("/api/link_to_videos/", [1, 2], ["Invalid data. Expected a dictionary, but got list."]),
])
def test_validation_error_shapes(world: World, path: str, body: Any, expected: Any) -> None:
    if isinstance(body, dict) and body.get("link") == "L":
        body = {**body, "link": make_link(world)}
    response = call(world, "POST", path, body)
    assert (response.status, response.body) == (400, expected)
    assert world.create_log[-1].status_code == 400 and world.create_log[-1].job_id is None


def test_accepted_edges(world: World) -> None:
    link = make_link(world)
    job = ok(call(world, "POST", "/api/link_to_videos/", {"link": link, "aspect_ratio": "9:16"}),
             201)
    assert job["aspect_ratio"] == "9x16"
    assert ok(call(world, "POST", "/api/lipsyncs_v2/", {"video_inputs": [scene("x" * 2000)]}),
              201)
    assert ok(call(world, "POST", "/api/aurora/",
                   {"image": IMAGE, "audio": AUDIO + "?duration=60"}), 201)
    assert ok(call(world, "POST", "/api/text_to_speech/",
                   {"script": "x" * 8000, "accent": ACCENT}), 201)


def test_auth_paths_and_methods(world: World) -> None:
    missing = call(world, "GET", "/api/remaining_credits/", headers={})
    assert (missing.status, missing.body) == (
        401, {"detail": "Authentication credentials were not provided."})
    wrong = call(world, "GET", "/api/remaining_credits/",
                 headers={"x-api-id": "sandbox", "x-api-key": "nope"})
    assert (wrong.status, wrong.body) == (403, {"detail": "Invalid API key."})
    for target in ("/api/remaining_credits", "/api/nothing/", "/elsewhere/"):
        assert (call(world, "GET", target).status, call(world, "GET", target).body) == (
            404, {"detail": "Not found."})
    method = call(world, "DELETE", "/api/remaining_credits/")
    assert (method.status, method.body) == (405, {"detail": 'Method "DELETE" not allowed.'})
    assert call(world, "POST", "/api/text_generator/", {}).status == 405
    unknown = call(world, "GET", "/api/aurora/0000/")
    assert (unknown.status, unknown.body) == (404, {"detail": "No Aurora matches the given query."})


def test_list_newest_first_with_ids_filter_and_limit(world: World) -> None:
    ids = [create(world, "text_to_speech")["id"] for _ in range(4)]
    listed = ok(call(world, "GET", "/api/text_to_speech/"))
    assert [j["id"] for j in listed] == ids[::-1]
    picked = ok(call(world, "GET", f"/api/text_to_speech/?ids={ids[0]},nope,{ids[2]}"))
    assert [j["id"] for j in picked] == [ids[2], ids[0]]
    limit = ",".join([ids[0]] * MAX_IDS_PER_LIST)
    assert len(ok(call(world, "GET", f"/api/text_to_speech/?ids={limit}"))) == 1
    over = call(world, "GET", f"/api/text_to_speech/?ids={limit},{ids[1]}")
    assert (over.status, over.body) == (400, ["Too many ids: at most 100."])


def test_catalogues(world: World) -> None:
    personas = ok(call(world, "GET", "/api/personas/"))
    assert len(personas) >= 6 and all(p["preview_image_9_16"].startswith(BASE + "/media/")
                                      for p in personas)
    females = ok(call(world, "GET", "/api/personas_v2/?gender=female&age_range=adult"))
    assert females and all(p["gender"] == "female" and p["age_range"] == "adult"
                           for p in females)
    voices = ok(call(world, "GET", "/api/voices/"))
    assert len(voices) >= 4 and all(a["id"] and a["preview_url"] for v in voices
                                    for a in v["accents"])
    assert {"id", "name", "url", "duration", "mood"} <= set(ok(call(world, "GET",
                                                                    "/api/musics/"))[0])
    schemas = ok(call(world, "GET", "/api/asset_generator/schemas/?model_name=veo-3.1,nano-banana"))
    assert [s["model_name"] for s in schemas] == ["veo-3.1", "nano-banana"]
    veo = schemas[0]["input_params_schema"]
    assert veo["properties"]["duration"]["enum"] == [4, 6, 8] and veo["required"] == ["prompt"]
    assert len(ok(call(world, "GET", "/api/asset_generator/schemas/"))) == 5


def test_sync_text_generation_and_stream(world: World) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "A mug"}]}
    sync = call(world, "POST", "/sse/text_generator/", {**body, "sync": True})
    assert sync.status == 201 and sync.body["status"] == "done"
    assert "A mug" in sync.body["response_text"] and sync.body["credits_used"] == 1
    assert sync.delay == pytest.approx(5.0)
    stream = call(world, "POST", "/sse/text_generator/stream/", body)
    assert stream.events is not None and len(stream.events) > 3
    text = "".join(e["delta"] for e in stream.events[:-1])
    last = stream.events[-1]
    assert last["done"] is True and last["response_text"] == text and last["credits_used"] == 1
    assert world.create_log[-1].job_id == last["id"]


# ---- create log and faults -------------------------------------------------------------------

def test_create_log_keeps_every_paid_post(world: World) -> None:
    call(world, "GET", "/api/remaining_credits/")
    call(world, "POST", "/api/links/", {"url": "nope"})
    call(world, "POST", "/api/links/", {"url": "https://a.example/x"}, headers={})
    request = Request("POST", "/api/links/", AUTH, b'{"url": "https://a.example/y"}')
    lost = world.handle(request, lost=True)
    world.record_unanswered(request, 503)
    log = world.create_log
    assert [(r.path, r.status_code) for r in log] == [
        ("/api/links/", 400), ("/api/links/", 401), ("/api/links/", 0), ("/api/links/", 503)]
    assert log[2].job_id == lost.body["id"] and log[3].job_id is None
    assert log[2].body == {"url": "https://a.example/y"}


def test_fault_plans(world: World) -> None:
    def plan(method: str, target: str) -> Any:
        return world.admit(Request(method, target, AUTH))

    world.set_faults(reset_next_request_before_processing=1, reset_next_create_after_processing=1,
                     latency=0.5)
    assert plan("GET", "/_sandbox/state").latency == 0  # control: never
    assert plan("GET", "/media/x/output.mp4").reset_before
    media_plan = plan("GET", "/media/x/output.mp4")
    assert not media_plan.reset_before and media_plan.latency == 0.5
    assert not plan("GET", "/api/remaining_credits/").reset_after  # not a paid POST
    assert plan("POST", "/api/links/").reset_after
    assert not plan("POST", "/api/links/").reset_after
    assert world.faults.reset_next_create_after_processing == 0
    world.set_faults(error_rate=1.0)
    assert plan("GET", "/api/voices/").status in (500, 502, 503)
    assert plan("GET", "/media/a/b.png").status is None
    world.set_faults(error_rate=0.0, rate_limit_rate=1.0, retry_after=2.5)
    limited = plan("GET", "/api/voices/")
    assert (limited.status, limited.retry_after) == (429, 2.5)
    world.set_faults(rate_limit_rate=0.0, reset_rate=1.0)
    resets = [plan("POST", "/api/aurora/") for _ in range(40)]
    assert any(p.reset_after for p in resets) and any(p.reset_before for p in resets)
    assert all(plan("GET", "/api/voices/").reset_before for _ in range(5))
    assert len(world.request_log) == 9 + 40 + 5


def test_fault_settings_are_checked() -> None:
    with pytest.raises(TypeError, match="unknown fault"):
        Faults().updated({"chaos": 1})
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(error_rate=1.5)
    with pytest.raises(TypeError):
        Faults(insufficient_credits=1)  # type: ignore[arg-type]
    assert Faults(latency=1).latency == 1.0


def test_control_endpoints(world: World) -> None:
    create(world, "link_to_videos")
    state = ok(call(world, "GET", "/_sandbox/state", headers={}))
    assert state["jobs"]["link_to_videos"] == 1 and state["jobs"]["links"] == 1
    assert state["creates"] == 2 and state["balance"] == 499 and state["speed"] == 1.0
    changed = ok(call(world, "POST", "/_sandbox/faults/", {"fail_rate": 0.5}, headers={}))
    assert changed["fail_rate"] == 0.5 and world.faults.fail_rate == 0.5
    bad = call(world, "POST", "/_sandbox/faults", {"nope": 1}, headers={})
    assert bad.status == 400 and "nope" in bad.body["detail"]
    assert len(ok(call(world, "GET", "/_sandbox/creates", headers={}))) == 2


def test_thousands_of_finished_jobs_stay_cheap(clock: Clock) -> None:
    world = World(clock=clock, balance=10_000)
    for _ in range(2000):
        create(world, "text_to_speech")
    clock.now += 100
    ok(call(world, "GET", "/api/remaining_credits/"))  # settles all 2000
    assert not world._events  # nothing left to advance
    assert len(world.jobs("text_to_speech")) == 2000


# ---- sample media ----------------------------------------------------------------------------

def test_sample_files_exist_and_are_small() -> None:
    total = sum(sample.path.stat().st_size for sample in media.SAMPLES.values())
    assert total < 300_000
    assert media.VIDEO.read()[4:8] == b"ftyp"
    assert media.WAV.read()[:4] == b"RIFF"
    assert media.MP3.read()[:3] == b"ID3" or media.MP3.read()[0] == 0xFF
    assert media.IMAGE.read()[:4] == media.THUMBNAIL.read()[:4] == b"\x89PNG"


def test_wav_duration_matches() -> None:
    with wave.open(str(media.WAV.path)) as wav:
        assert Decimal(wav.getnframes()) / wav.getframerate() == media.WAV.duration


def _mp4_duration(data: bytes) -> Decimal:
    """The movie header's duration (stdlib parse of the ``moov/mvhd`` box)."""
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"moov":
            mvhd = data.index(b"mvhd", offset)
            version = data[mvhd + 4]
            if version == 1:
                timescale, duration = struct.unpack(">IQ", data[mvhd + 24:mvhd + 36])
            else:
                timescale, duration = struct.unpack(">II", data[mvhd + 16:mvhd + 24])
            return Decimal(int(duration)) / int(timescale)
        offset += size
    raise AssertionError("no moov box")


def test_mp4_duration_matches() -> None:
    assert _mp4_duration(media.VIDEO.read()) == media.VIDEO.duration


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe not installed")
@pytest.mark.parametrize("sample", [media.VIDEO, media.MP3, media.WAV], ids=lambda s: s.name)
def test_durations_match_ffprobe(sample: media.Sample) -> None:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(sample.path)],
                         capture_output=True, text=True, check=True).stdout
    assert sample.duration is not None
    assert abs(Decimal(out.strip()) - sample.duration) < Decimal("0.01")


def test_media_url_length(world: World) -> None:
    assert media.url_length("https://x.example/a.mp4?duration=12.5", BASE) == Decimal("12.5")
    assert media.url_length(f"{BASE}/media/samples/sample.mp3", BASE) == media.MP3.duration
    hashed = media.url_length("https://x.example/a.mp4", BASE)
    assert 5 <= hashed <= 60 and hashed == media.url_length("https://x.example/a.mp4", BASE)
    tts = create(world, "text_to_speech", script=" ".join(["w"] * 100))
    assert world.media_length(f"{BASE}/media/{tts['id']}/output.wav") == 40
    assert media.sample_for("thumb.png") is media.THUMBNAIL
    assert media.sample_for("image_2.png") is media.IMAGE
    assert media.sample_for("x.txt") is None
