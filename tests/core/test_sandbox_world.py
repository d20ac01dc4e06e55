"""The sandbox's pure world: schedules, statuses, billing, validation, faults — no sockets."""

from __future__ import annotations

import dataclasses
import json
import shutil
import struct
import subprocess
import wave
from decimal import Decimal
from typing import Any

import pytest

from app.api.resources import JOB_RESOURCES, MAX_IDS_PER_LIST, ProgressForm, Resource
from app.sandbox import family, media
from app.sandbox.behaviours import BEHAVIOURS, LEGACY_TEMPLATES
from app.sandbox.catalogue import TEMPLATES
from app.sandbox.inspirations import INSPIRATIONS
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
SPOTLIGHT, TESTIMONIAL = (t.template_id for t in TEMPLATES.values())
UNKNOWN = "00000000-0000-4000-8000-000000000000"
SPIN = next(i.id for i in INSPIRATIONS.values() if i.name == "Product Spin 360")
SPOTLIGHT_VARIABLES = {"headline": {"type": "text", "properties": {"content": "A blue mug"}},
                       "product_image": {"type": "image", "properties": {"url": IMAGE}}}


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
                                 {"template_id": SPOTLIGHT, "variables": SPOTLIGHT_VARIABLES}),
        "asset_generator": ("/api/asset_generator/",
                            {"model_name": "kling-video/o3/pro/text-to-video",
                             "input_params": {"prompt": "cat"}}),
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
        "inspiration_jobs": ("/api/inspiration_jobs/",
                             {"inspiration_id": SPIN, "input_params": {"Product Image": IMAGE}}),
        "iab_images": ("/api/iab_images/", {"image": IMAGE}),
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
    "inspiration_jobs": (["pending", "running", "done"], 60), "iab_images": (QUEUED, 30),
}


def test_every_job_resource_has_a_behaviour() -> None:
    assert set(BEHAVIOURS) == set(JOB_RESOURCES) | {LEGACY_TEMPLATES.key}


@pytest.mark.parametrize("resource", sorted(LIFECYCLES))
def test_status_sequence_and_run_time(world: World, clock: Clock, resource: str) -> None:
    expected, run_time = LIFECYCLES[resource]
    job = create(world, resource)
    assert job["status"] == expected[0]
    seen = run_to_end(world, clock, resource, job["id"], step=run_time / 100)
    assert statuses(seen) == expected
    known = JOB_RESOURCES[resource]
    assert known.free_status or all(s in known.statuses for s in expected)  # free: a string
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
    # regen_video: a NEW record (200, as the docs answer), 1 credit
    regen = ok(call(world, "POST", f"/api/product_to_videos/{record['id']}/regen_video/", {}))
    assert regen["id"] != record["id"] and regen["status"] == "video_generating"
    assert regen["generated_photo_url"] == seen[-1]["generated_photo_url"]
    assert regen["regen_type"] == "video" and regen["regen_source_id"] == record["id"]
    assert record["regen_type"] is None and record["regen_source_id"] is None
    run_to_end(world, clock, "product_to_videos", regen["id"])
    assert world.balance == 500 - 1 - 2 - 10 - 1
    # regen_image: a NEW record too, priced as an image (2)
    again = ok(call(world, "POST", f"/api/product_to_videos/{record['id']}/regen_image/",
                    {"image_prompt": "on a desk"}))
    assert again["id"] not in (record["id"], regen["id"]) and again["status"] == "initializing"
    assert again["product_url"] == IMAGE and again["image_prompt"] == "on a desk"
    assert again["regen_type"] == "image"
    run_to_end(world, clock, "product_to_videos", again["id"])
    assert world.balance == 500 - 1 - 2 - 10 - 1 - 2


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
    assert asset["gen_type"] == "text_to_video" and asset["credits_used"] == "7"
    assert asset["duration"] == 5


def test_image_assets_one_per_image(world: World, clock: Clock) -> None:
    job = create(world, "asset_generator", model_name="nano-banana",
                 input_params={"prompt": "a mug", "num_images": 3})
    assert job["input_params"] == {"prompt": "a mug", "num_images": 3}
    clock.now += 60
    done = get(world, "asset_generator", job["id"])
    assert [a["type"] for a in done["assets"]] == ["image"] * 3
    assert done["credits_used"] == "1.5"  # 0.5 per output x 3, a string (docs quirk)
    world.set_quirks(asset_credits_string=False)
    assert get(world, "asset_generator", job["id"])["credits_used"] == 1.5


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
     {"template_id": TESTIMONIAL,
      "variables": {"quote": {"type": "text", "properties": {"content": "Great"}},
                    "clip": {"type": "video", "properties": {"url": VIDEO + "?duration=20"}},
                    "soundtrack": {"type": "audio",
                                   "properties": {"url": AUDIO + "?duration=40"}}}}, 10),
    ("link_to_videos", {"video_length": 30, "model_version": "aurora_v2"}, 21),
    ("link_to_videos", {"video_length": 45, "model_version": "boreal"}, 20),
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
    ("asset_generator", {"input_params": {"prompt": "x", "duration": "10"}}, 14),
    ("asset_generator", {"input_params": {"prompt": "x", "duration": "11"}}, 15.5),
    ("asset_generator", {"model_name": "veo3.1/fast", "input_params": {"prompt": "x"}}, 12),
    ("asset_generator", {"model_name": "veo3.1/fast",
                         "input_params": {"prompt": "x", "duration": "4"}}, 6),
    ("asset_generator", {"model_name": "veo3.1/fast",
                         "input_params": {"prompt": "x", "duration": "6"}}, 9),
    ("asset_generator", {"model_name": "flux-pro/kontext/text-to-image",
                         "input_params": {"prompt": "x", "num_images": 2}}, 1),
    ("asset_generator", {"model_name": "nano-banana", "input_params": {"prompt": "x"}}, 0.5),
    ("asset_generator", {"model_name": "nano-banana-pro",
                         "input_params": {"prompt": "x", "resolution": "4K", "num_images": 2}},
     6),
    ("asset_generator", {"model_name": "nano-banana-pro",
                         "input_params": {"prompt": "x", "resolution": "2K"}}, 1.5),
    ("text_generator", {}, 1),
])
def test_billing(world: World, clock: Clock, resource: str, changes: dict[str, Any],
                 credits: float) -> None:
    create_bodies(world)
    world.set_quirks(asset_credits_string=False)
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
    assert float(job["credits_used"]) == 0 and world.balance == start


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


def run_until_preview(world: World, clock: Clock, resource: str, job_id: str,
                      field: str = "preview", limit: float = 1000) -> list[dict[str, Any]]:
    """Poll every second until ``preview`` (or ``previews``) is filled or the job failed."""
    seen = [get(world, resource, job_id)]
    start = clock.now
    while not seen[-1][field] and seen[-1]["status"] not in ("failed", "rejected"):
        assert clock.now - start < limit, seen[-1]
        clock.now += 1
        seen.append(get(world, resource, job_id))
    return seen


@pytest.mark.parametrize("quirk", [True, False])
def test_preview_then_render_on_the_same_job(world: World, clock: Clock, quirk: bool) -> None:
    world.set_quirks(preview_pending=quirk)
    create_bodies(world)
    start = world.balance
    _, body = create_bodies(world)["link_to_videos"]
    preview = ok(call(world, "POST", "/api/link_to_videos/preview/", body))
    assert preview["preview"] is None and preview["status"] == "pending"
    early = call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/")
    assert (early.status, early.body) == (400, ["Preview is not ready."])
    seen = run_until_preview(world, clock, "link_to_videos", preview["id"])
    assert "running" in statuses(seen)
    ready = seen[-1]
    assert ready["preview"] == f"{BASE}/preview/{preview['id']}/"
    # The docs: a ready preview reads "pending" again (quirk); the plain reading: "done".
    assert ready["status"] == ("pending" if quirk else "done")
    clock.now += 1000  # and stays so until rendered
    assert get(world, "link_to_videos", preview["id"])["status"] == ready["status"]
    assert ready["video_output"] is None and ready["credits_used"] == 1
    assert world.balance == start - 1
    assert world.preview_page(preview["id"]) is not None
    rendering = ok(call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/"))
    assert rendering["id"] == preview["id"] and rendering["status"] == "pending"
    seen = run_to_end(world, clock, "link_to_videos", preview["id"])
    assert statuses(seen) == QUEUED
    assert seen[-1]["video_output"] and seen[-1]["credits_used"] == 5
    assert seen[-1]["preview"] == ready["preview"]
    assert world.balance == start - 5
    again = call(world, "POST", f"/api/link_to_videos/{preview['id']}/render/")
    assert again.status == 400
    plain = create(world, "link_to_videos")
    assert call(world, "POST", f"/api/link_to_videos/{plain['id']}/render/").status == 400


@pytest.mark.parametrize("resource", ["lipsyncs", "lipsyncs_v2", "ai_shorts", "ai_editing"])
def test_every_preview_flow_goes_back_to_pending(world: World, clock: Clock,
                                                 resource: str) -> None:
    path, body = create_bodies(world)[resource]
    job = ok(call(world, "POST", f"{path}preview/", body))
    ready = run_until_preview(world, clock, resource, job["id"])[-1]
    assert ready["status"] == "pending" and ready["preview"]
    ok(call(world, "POST", f"{path}{job['id']}/render/", {}))
    done = run_to_end(world, clock, resource, job["id"])[-1]
    assert done["status"] == "done" and done["id"] == job["id"]
    assert done["output" if resource.startswith("lipsyncs") else "video_output"]


def test_custom_template_previews_and_render_body(world: World, clock: Clock) -> None:
    path, body = create_bodies(world)["custom_template_jobs"]
    # preview_async: 201, poll until preview
    job = ok(call(world, "POST", f"{path}preview_async/", body), 201)
    assert job["preview"] is None and job["failed_reason"] == ""
    ready = run_until_preview(world, clock, "custom_template_jobs", job["id"])[-1]
    assert ready["status"] == "pending" and ready["preview"]
    # the render takes the docs' body (the job's fields again)
    wrong = call(world, "POST", f"{path}{job['id']}/render/", {**body, "template_id": TESTIMONIAL})
    assert wrong.status == 400 and "template_id" in wrong.body
    rendering = ok(call(world, "POST", f"{path}{job['id']}/render/",
                        {**body, "name": "Final", "is_hidden": False}))
    assert rendering["name"] == "Final"
    done = run_to_end(world, clock, "custom_template_jobs", job["id"])[-1]
    assert done["video_output"] and done["credits_used"] == 5
    # the synchronous preview answers with the preview ready
    sync = call(world, "POST", f"{path}preview/", body)
    assert sync.status == 200 and sync.body["preview"] and sync.body["status"] == "pending"
    assert sync.delay > 0


def test_template_variables_are_checked_against_the_template(world: World) -> None:
    path, body = create_bodies(world)["custom_template_jobs"]
    unknown = call(world, "POST", path, {**body, "template_id": PERSONA})
    assert unknown.status == 400 and "template_id" in unknown.body
    missing = call(world, "POST", path, {**body, "variables": {}})
    assert missing.status == 400 and len(missing.body["variables"]) == 2
    wrong = call(world, "POST", path, {**body, "variables": {
        **SPOTLIGHT_VARIABLES, "headline": {"type": "image", "properties": {"url": IMAGE}},
        "extra": {"type": "text", "properties": {"content": "x"}}}})
    assert wrong.status == 400 and len(wrong.body["variables"]) == 2
    long = call(world, "POST", path, {**body, "variables": {
        **SPOTLIGHT_VARIABLES, "headline": {"type": "text", "properties": {"content": "x" * 81}}}})
    assert long.status == 400


@pytest.mark.parametrize("quirk", [True, False])
def test_preview_list_and_render_single_preview(world: World, clock: Clock,
                                                quirk: bool) -> None:
    world.set_quirks(preview_pending=quirk)
    _, body = create_bodies(world)["link_to_videos"]
    start = world.balance
    job = ok(call(world, "POST", "/api/link_to_videos/preview_list_async/",
                  {**body, "video_length": 45, "visual_styles": ["A", "B", "C"]}))
    assert job["previews"] == []  # nothing to show until they are ready
    seen = run_until_preview(world, clock, "link_to_videos", job["id"], "previews")
    assert seen[-1]["status"] == ("pending" if quirk else "done")
    previews = seen[-1]["previews"]
    assert [p["visual_style"] for p in previews] == ["A", "B", "C"]
    assert len({p["media_job"] for p in previews}) == 3
    assert all(set(p) == {"media_job", "visual_style", "aspect_ratio", "url", "editor_url",
                          "duration"} for p in previews)
    assert all(p["url"] and p["editor_url"] and p["duration"] == 45 and
               p["aspect_ratio"] == "16x9" for p in previews)
    assert seen[-1]["credits_used"] == 6 and world.balance == start - 6  # 3 x (1 x 2 blocks)
    plain = call(world, "POST", f"/api/link_to_videos/{job['id']}/render/")
    assert plain.status == 400
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
    both = ok(call(world, "POST", "/api/link_to_videos/preview_list_async/",
                   {**body, "visual_styles": ["A", "B"], "aspect_ratios": ["9x16", "1x1"]}))
    clock.now += 100
    got = get(world, "link_to_videos", both["id"])["previews"]
    assert [(p["visual_style"], p["aspect_ratio"]) for p in got] == [
        ("A", "9x16"), ("A", "1x1"), ("B", "9x16"), ("B", "1x1")]


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
    ("/api/aurora/", {"image": IMAGE, "audio": AUDIO + "?duration=300.5"},
     {"audio": ["Audio must be at most 300 seconds for aurora_v1."]}),
    ("/api/aurora/", {"image": IMAGE, "audio": AUDIO + "?duration=60",
                      "model_version": "aurora_v2"},
     {"audio": ["Audio must be at most 59.7 seconds for aurora_v2."]}),
    ("/api/aurora/", {"image": IMAGE, "audio": AUDIO + "?duration=15",
                      "model_version": "aurora_v2", "resolution": "2k"},
     {"audio": ["Audio must be at most 14.375 seconds for aurora_v2."]}),
    ("/api/ai_editing/", {"video_url": VIDEO, "editing_style": "commercial"},
     {"editing_style": ['"commercial" is not a valid choice.']}),
    ("/api/ai_shorts/", {"script": "x", "aspect_ratio": "9x16", "style": "Watercolor"},
     {"style": ['"Watercolor" is not a valid choice.']}),
    ("/api/ai_scripts/", {"url": "https://a.example/", "script_styles": list("abcdef")},
     {"script_styles": ["Ensure this field has no more than 5 elements."]}),
    ("/api/asset_generator/", {"model_name": "sora-9", "input_params": {"prompt": "x"}},
     ["AI model not found"]),
    ("/api/asset_generator/", {"model_name": "veo3.1/fast"},
     {"input_params": ["This field is required."]}),
    ("/api/asset_generator/", {"model_name": "veo3.1/fast", "input_params": {"duration": 4}},
     {"input_params": ["prompt: This field is required.",
                       "duration: 4 is not one of ['4', '6', '8']",
                       "duration: 4 is not of type 'string'"]}),
    ("/api/asset_generator/", {"model_name": "veo3.1/fast",
                               "input_params": {"prompt": "x", "duration": "5"}},
     {"input_params": ["duration: '5' is not one of ['4', '6', '8']"]}),
    ("/api/asset_generator/", {"model_name": "nano-banana",
                               "input_params": {"prompt": " ", "num_images": 5}},
     {"input_params": ["num_images: 5 is greater than the maximum of 4",
                       "prompt: This field may not be blank."]}),
    ("/api/inspiration_jobs/", {"inspiration_id": UNKNOWN, "input_params": {}},
     {"inspiration_id": [f'Invalid pk "{UNKNOWN}" - object does not exist.']}),
    ("/api/inspiration_jobs/", {"inspiration_id": SPIN, "input_params": "{nope"},
     {"input_params": ["Value must be valid JSON."]}),
    ("/api/inspiration_jobs/", {"inspiration_id": SPIN,
                                "input_params": {"Product Image": "ftp://a/b.png",
                                                 "Background": "Moon"}},
     {"input_params": ["Background: 'Moon' is not one of ['Studio white', 'Marble', "
                       "'Outdoor']",
                       "Product Image: 'ftp://a/b.png' does not match '^https?://'"]}),
    ("/api/iab_images/", {"image": "https://cdn.example.com/ad.gif"},
     {"image": ["Unsupported image format: use a png, jpg, jpeg or webp image."]}),
    ("/api/iab_images/", {}, {"image": ["This field is required."]}),
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
    # Only the documented routes: no /api/text_generator/ collection, no product create.
    assert call(world, "POST", "/api/text_generator/", {}).status == 404
    assert call(world, "GET", "/api/text_generator/").status == 404
    assert call(world, "POST", "/api/product_to_videos/", {}).status == 405
    assert call(world, "POST", "/api/ai_scripts/preview/", {}).status == 405  # {id}: GET only
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
    assert {p["gender"] for p in personas} == {"m", "f", "nb"}
    adults = ok(call(world, "GET", "/api/personas_v2/?gender=f,nb&age_range=adult"))
    assert adults and all(p["gender"] in ("f", "nb") and p["age_range"] == "adult"
                          for p in adults)
    assert len(adults) < len(personas)
    one = ok(call(world, "GET", f"/api/personas/{personas[0]['id']}/"))
    assert one == personas[0]
    assert call(world, "GET", "/api/personas/nope/").status == 404
    paged = ok(call(world, "GET", "/api/personas/paginated/?page=2&page_size=3"))
    assert paged["count"] == len(personas) and len(paged["results"]) == 3
    assert paged["previous"] and paged["next"]
    assert call(world, "GET", "/api/personas/paginated/?page=99").status == 404
    voices = ok(call(world, "GET", "/api/voices/"))
    assert len(voices) >= 4 and all(a["id"] and a["preview_url"] for v in voices
                                    for a in v["accents"])
    assert ok(call(world, "GET", "/api/voices/paginated/"))["count"] == len(voices)
    schemas = ok(call(world, "GET",
                      "/api/asset_generator/schemas/?model_name=veo3.1/fast,nano-banana"))
    assert [s["model_name"] for s in schemas] == ["veo3.1/fast", "nano-banana"]
    veo = schemas[0]["input_params_schema"]
    assert veo["properties"]["duration"]["enum"] == ["4", "6", "8"]
    assert veo["required"] == ["prompt"] and schemas[0]["generation_type"] == "text_to_video"
    assert len(ok(call(world, "GET", "/api/asset_generator/schemas/"))) >= 25


@pytest.mark.parametrize("paged", [True, False])
def test_musics_paged_and_filtered(world: World, paged: bool) -> None:
    world.set_quirks(musics_paged=paged)
    first = ok(call(world, "GET", "/api/musics/"))
    items = first["results"] if paged else first
    assert len(items) == 10  # page_size 10 by default
    assert {"id", "name", "url", "duration", "category"} <= set(items[0])
    if paged:
        assert (first["count"], first["page"], first["page_size"]) == (12, 1, 10)
        second = ok(call(world, "GET", "/api/musics/?page=2"))
        assert len(second["results"]) == 2 and second["page"] == 2
    calm = ok(call(world, "GET", "/api/musics/?category=calm&page_size=2"))
    calm_items = calm["results"] if paged else calm
    assert len(calm_items) == 2 and all(m["category"] == "Calm" for m in calm_items)
    found = ok(call(world, "GET", "/api/musics/?search=piano"))
    assert [m["name"] for m in (found["results"] if paged else found)] == ["Calm Piano"]
    categories = ok(call(world, "GET", "/api/music_categories/"))
    assert {"name": "Calm"} in categories


def test_custom_templates_list_and_detail(world: World) -> None:
    listed = ok(call(world, "GET", "/api/custom_templates/"))
    assert [t["template_id"] for t in listed] == [SPOTLIGHT, TESTIMONIAL]
    detail = ok(call(world, "GET", f"/api/custom_templates/{SPOTLIGHT}/"))
    assert set(detail["variables"]) == {"headline", "product_image", "presenter", "narration"}
    assert {v["type"] for v in detail["variables"].values()} == {"text", "image", "avatar",
                                                                 "voiceover"}
    assert call(world, "GET", "/api/custom_templates/nope/").status == 404


@pytest.mark.parametrize("quirk", [True, False])
def test_ai_scripts_paragraphs(world: World, quirk: bool) -> None:
    world.set_quirks(scripts_as_string=quirk)
    job = create(world, "ai_scripts")
    paragraphs = job["generated_scripts"][0]["paragraphs"]
    assert isinstance(paragraphs, str if quirk else list)
    again = get(world, "ai_scripts", job["id"])["generated_scripts"][0]["paragraphs"]
    assert again == paragraphs


@pytest.mark.parametrize("quirk", [True, False])
def test_ads_clone_list_and_ids(world: World, quirk: bool) -> None:
    world.set_quirks(ads_clone_ignores_ids=quirk)
    ids = [create(world, "ads_clone")["id"] for _ in range(3)]
    listed = ok(call(world, "GET", f"/api/ads_clone/?ids={ids[0]}"))
    assert [j["id"] for j in listed] == (ids[::-1] if quirk else [ids[0]])


def test_custom_avatar_and_voice_clone(world: World) -> None:
    boundary = "XyZ"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"creator_name\"\r\n\r\n"
                 f"Ann\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"gender\"\r\n"
                 f"\r\nf\r\n--{boundary}\r\nContent-Disposition: form-data; "
                 f'name="lipsync_input"; filename="me.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
                 f"0123456789\r\n--{boundary}--\r\n").encode()
    headers = {**AUTH, "content-type": f"multipart/form-data; boundary={boundary}"}
    made = ok(call(world, "POST", "/api/personas_v2/", multipart, headers), 201)
    assert made["creator_name"] == "Ann" and made["process_status"] == "pending"
    assert made["lipsync_input_url"].endswith("/lipsync_input.mp4")
    assert ok(call(world, "GET", f"/api/personas/{made['id']}/"))["is_active"] is False
    no_file = call(world, "POST", "/api/personas_v2/", {"creator_name": "B", "gender": "m"})
    assert no_file.status == 400 and "lipsync_input" in no_file.body
    by_url = ok(call(world, "POST", "/api/personas/",
                     {"creator_name": "C", "gender": "nb", "lipsync_input": VIDEO}), 201)
    assert by_url["lipsync_input"] == VIDEO
    bad = call(world, "POST", "/api/personas/", {"creator_name": "C", "gender": "female"})
    assert bad.status == 400 and "gender" in bad.body
    voice = ok(call(world, "POST", "/api/voices/",
                    {"original_audio_url": AUDIO, "name": "Me"}), 201)
    [accent] = voice["accents"]
    assert voice in ok(call(world, "GET", "/api/voices/"))
    assert call(world, "DELETE", f"/api/voices/accents/{accent['id']}/").status == 204
    assert call(world, "DELETE", f"/api/voices/accents/{accent['id']}/").status == 404
    assert voice not in ok(call(world, "GET", "/api/voices/"))


def test_quirks_control(world: World) -> None:
    assert all(ok(call(world, "GET", "/_sandbox/quirks/", headers={})).values())
    changed = ok(call(world, "POST", "/_sandbox/quirks/", {"musics_paged": False}, headers={}))
    assert changed["musics_paged"] is False and world.quirks.musics_paged is False
    assert call(world, "POST", "/_sandbox/quirks/", {"nope": True}, headers={}).status == 400
    assert call(world, "POST", "/_sandbox/quirks/", {"musics_paged": 1}, headers={}).status == 400


def test_sync_text_generation_and_stream(world: World) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "A mug"}]}
    sync = call(world, "POST", "/sse/text_generator/", {**body, "sync": True})
    assert sync.status == 201 and sync.body["status"] == "done"
    assert "A mug" in sync.body["response_text"] and sync.body["credits_used"] == 1
    assert sync.delay == pytest.approx(5.0)
    stream = call(world, "POST", "/sse/text_generator/stream/", body)
    assert stream.events is not None and len(stream.events) > 3
    text = "".join(part["text"] for e in stream.events
                   for part in e["candidates"][0]["content"]["parts"])
    last = stream.events[-1]
    creatify = last["creatify"]
    assert creatify["status"] == "done" and creatify["credits_used"] == 1
    assert creatify["response_text"] == text and "A mug" in text
    assert world.create_log[-1].job_id == creatify["id"]
    for path in ("/sse/text_generator/", "/api/text_generator/"):
        got = ok(call(world, "GET", f"{path}{creatify['id']}/"))
        assert got["response_text"] == text and got["response_function_calls"] == []
    listed = ok(call(world, "GET", "/sse/text_generator/"))
    assert [j["id"] for j in listed][:2] == [creatify["id"], sync.body["id"]]
    missing = call(world, "GET", "/sse/text_generator/nope/")
    assert missing.status == 404 and "detail" in missing.body


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
    assert not world._account.events  # nothing left to advance
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


# ---- a resource family the caller adds ---------------------------------------------------

QUICK_ADS = Resource("quick_ads", "/api/quick_ads/",
                     ("pending", "in_queue", "running", "failed", "done"), ("video_output",),
                     ProgressForm.STRING, has_name=True, model_label="QuickAd")


def quick_price(job: family.Job) -> Decimal:
    """The family's own price: 3 credits per started 15 s."""
    assert job.length is not None
    return 3 * Decimal(family.billed_blocks(job.length, 15))


QUICK = family.Behaviour(
    QUICK_ADS, 60, (family.F("link", family.text(), required=True),
                    family.F("video_length", family.choice(15, 30)),
                    family.F("name", family.text(255))),
    quick_price, family.length_field("video_length"), check=family.check_link,
    defaults={"video_length": 30})


def test_an_added_family_is_served_like_a_built_in_one(clock: Clock) -> None:
    world = World(clock=clock, seed=7, behaviours=[QUICK])
    world.base_url = BASE
    added = world.served_operations() - World(clock=clock).served_operations()
    assert added == {("GET", "/api/quick_ads/"), ("POST", "/api/quick_ads/"),
                     ("GET", "/api/quick_ads/{id}/")}
    link = make_link(world)  # 1 credit
    job = ok(call(world, "POST", "/api/quick_ads/", {"link": link, "video_length": 15}), 201)
    assert (job["status"], job["duration"], job["name"], job["video_output"]) == \
        ("pending", 15, None, None)
    assert world.balance == 499  # charged when the run ends
    clock.now += 120
    done = ok(call(world, "GET", f"/api/quick_ads/{job['id']}/"))
    assert (done["status"], done["progress"], done["credits_used"]) == ("done", "100", 3)
    assert done["video_output"] and world.balance == 496
    assert [j["id"] for j in ok(call(world, "GET", "/api/quick_ads/"))] == [job["id"]]
    assert [j["id"] for j in world.jobs("quick_ads")] == [job["id"]]
    default = ok(call(world, "POST", "/api/quick_ads/", {"link": link}), 201)
    assert default["duration"] == 30 and default["video_length"] == 30
    assert call(world, "POST", "/api/quick_ads/", {"link": "nope"}).body == \
        {"link": ["Invalid link ID"]}
    assert call(world, "POST", "/api/quick_ads/", {}).body == {"link": ["This field is required."]}
    assert "video_length" in call(world, "POST", "/api/quick_ads/",
                                  {"link": link, "video_length": 45}).body
    assert world.create_log[-1].path == "/api/quick_ads/"  # a paid route


def test_an_added_previewable_family_gets_preview_and_render(clock: Clock) -> None:
    previews = dataclasses.replace(QUICK_ADS, key="quick_previews", path="/sse/quick_previews/")
    world = World(clock=clock, behaviours=[dataclasses.replace(QUICK, resource=previews,
                                                               previewable=True)])
    assert {("POST", "/sse/quick_previews/preview/"),
            ("POST", "/sse/quick_previews/{id}/render/")} <= world.served_operations()


@pytest.mark.parametrize(("key", "path", "error", "match"), [
    ("lipsyncs", "/api/quick/", ValueError, "already serves a resource 'lipsyncs'"),
    ("links", "/api/quick/", ValueError, "already serves a resource 'links'"),
    ("quick", "/api/links/", ValueError, "already serves 'api/links'"),
    ("quick", "/api/personas/mine/", ValueError, r"already serves 'api/personas/\*'"),
    ("quick", "api/quick/", ValueError, "resource path"),
    ("quick", "/api/quick", ValueError, "resource path"),
    ("quick", "/api/*/", ValueError, "resource path"),
    ("quick", "/api/", ValueError, "resource path"),
    ("quick", "/_sandbox/quick/", ValueError, "resource path"),
    ("quick", "/media/quick/", ValueError, "resource path"),
])
def test_an_added_family_cannot_take_what_is_served(clock: Clock, key: str, path: str,
                                                    error: type[Exception], match: str) -> None:
    resource = dataclasses.replace(QUICK_ADS, key=key, path=path)
    with pytest.raises(error, match=match):
        World(clock=clock, behaviours=[dataclasses.replace(QUICK, resource=resource)])


def test_added_families_are_behaviours_and_distinct(clock: Clock) -> None:
    with pytest.raises(ValueError, match="'quick_ads'"):
        World(clock=clock, behaviours=[QUICK, QUICK])
    other = dataclasses.replace(QUICK, resource=dataclasses.replace(QUICK_ADS, key="other"))
    with pytest.raises(ValueError, match="already serves 'api/quick_ads'"):
        World(clock=clock, behaviours=[QUICK, other])
    with pytest.raises(TypeError, match="Behaviour"):
        World(clock=clock, behaviours=[QUICK_ADS])  # type: ignore[list-item]
    assert World(clock=clock).served_operations() == World(clock=clock,
                                                           behaviours=()).served_operations()
