"""The simulator's account as a state document: every kind of object survives the round trip,
runs in flight go on (charged once), URLs move with the address, damaged files are set aside.

Pure worlds on hand-driven clocks (no sockets); the state file tests use a real file."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.sandbox import Sandbox
from app.sandbox.persist import StateFile
from app.sandbox.state import StateError, _decode, _encode
from app.sandbox.wire import Faults, UploadedFile
from app.sandbox.world import World
from tests.core.test_sandbox_world import (
    AUDIO,
    AUTH,
    BASE,
    IMAGE,
    VIDEO,
    Clock,
    call,
    create,
    create_bodies,
    get,
    ok,
)

WALL = 1_800_000_000.0
RESOURCES = list(create_bodies(World()).keys())


def world_at(clock: Clock, wall: float, **kwargs: Any) -> World:
    """A world whose wall clock reads ``wall`` when it is made (its epoch: wall - clock)."""
    w = World(clock=clock, wall_clock=lambda: wall, **kwargs)
    w.base_url = BASE
    return w


def every_kind(world: World, clock: Clock) -> dict[str, str]:
    """One object of every kind: a job per resource (some finished, some in flight, Aurora
    charged up front, Ad Clone part-charged), a preview, a preview list, a product video
    step, links, custom avatars (uploaded and by URL) and a cloned voice."""
    ids = {"product_to_videos": create(world, "product_to_videos")["id"]}
    world.set_faults(fail_rate=0.25)  # some of the others fail (and are refunded)
    ids.update((r, create(world, r)["id"]) for r in RESOURCES if r != "product_to_videos")
    _, body = create_bodies(world)["link_to_videos"]
    preview = ok(call(world, "POST", "/api/link_to_videos/preview/", body))
    listed = ok(call(world, "POST", "/api/link_to_videos/preview_list_async/",
                     {**body, "visual_styles": ["A", "B"]}))
    ids["preview"], ids["preview_list"] = preview["id"], listed["id"]
    boundary = "XyZ"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"creator_name\"\r\n\r\n"
                 f"Ann\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"gender\"\r\n"
                 f"\r\nf\r\n--{boundary}\r\nContent-Disposition: form-data; "
                 f'name="lipsync_input"; filename="me.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
                 f"0123456789\r\n--{boundary}--\r\n").encode()
    headers = {**AUTH, "content-type": f"multipart/form-data; boundary={boundary}"}
    ids["persona"] = ok(call(world, "POST", "/api/personas_v2/", multipart, headers), 201)["id"]
    ids["persona_url"] = ok(call(world, "POST", "/api/personas/",
                                 {"creator_name": "C", "gender": "nb", "lipsync_input": VIDEO}),
                            201)["id"]
    ids["voice"] = ok(call(world, "POST", "/api/voices/",
                           {"original_audio_url": AUDIO, "name": "Me"}), 201)["accents"][0]["id"]
    ok(call(world, "POST", "/api/links/link_with_params/",
            {"title": "Mug", "description": "A mug", "image_urls": [IMAGE] * 3}))
    clock.now += 40  # some jobs done, some running, the previews ready
    ids["product_video"] = ok(call(world, "POST",
                                   f"/api/product_to_videos/{ids['product_to_videos']}"
                                   "/gen_video/", {"motion_style": "talking"}))["id"]
    clock.now += 3
    return ids


def everything(world: World) -> dict[str, Any]:
    """What a client can read of the account: every job list, links, avatars, voices,
    the balance and the create log."""
    seen: dict[str, Any] = {resource: world.jobs(resource) for resource in RESOURCES}
    seen["links"] = world.jobs("links")
    seen["personas"] = ok(call(world, "GET", "/api/personas/"))
    seen["voices"] = ok(call(world, "GET", "/api/voices/"))
    seen["credits"] = ok(call(world, "GET", "/api/remaining_credits/"))
    seen["balance"] = world.balance
    seen["creates"] = [(r.path, r.body, r.job_id, r.status_code, r.time)
                       for r in world.create_log]
    return seen


def restarted(world: World, clock: Clock, *, wall: float, at: float, **kwargs: Any
              ) -> tuple[World, Clock]:
    """A new world (its monotonic clock at ``at``, its wall clock at ``wall``) restored
    from ``world``'s state as written to disk and read back."""
    data = json.loads(json.dumps(world.snapshot()))
    later = Clock()
    later.now = at
    again = World(clock=later, wall_clock=lambda: wall, **kwargs)
    again.restore(data)
    again.base_url = BASE
    return again, later


def test_every_kind_of_object_survives_the_round_trip() -> None:
    clock = Clock()
    world = world_at(clock, WALL, seed=7)
    ids = every_kind(world, clock)
    elapsed = clock.now - 1000.0
    # The same wall moment, on a monotonic clock that restarted from elsewhere.
    again, later = restarted(world, clock, wall=WALL + elapsed, at=50.0, seed=7,
                             faults=Faults(fail_rate=0.25))
    before = everything(world)
    assert any(job["status"] not in ("done", "failed") for job in before["link_to_videos"])
    assert any(job["status"] == "failed" for r in RESOURCES for job in before[r])
    assert everything(again) == before
    assert ok(call(again, "GET", f"/api/personas/{ids['persona']}/"))["creator_name"] == "Ann"
    # Both go on identically: every run ends at the same moment with the same charges ...
    for step in (5, 30, 120, 400):
        clock.now += step
        later.now += step
        assert everything(again) == everything(world)
    # ... and the random draws continue: the next ids are the same, never an old one again.
    made = create(world, "text_to_speech")["id"]
    assert create(again, "text_to_speech")["id"] == made
    assert made not in {job["id"] for resource in RESOURCES for job in before[resource]}


def test_jobs_in_flight_finish_after_the_downtime_charged_once() -> None:
    clock = Clock()
    world = world_at(clock, WALL, balance=1000)
    video = create(world, "link_to_videos")      # charged at the end
    aurora = create(world, "aurora")             # charged up front
    clone = create(world, "ads_clone")           # charged block by block
    clock.now += 30
    part = get(world, "ads_clone", clone["id"])
    assert part["status"] == "running" and 0 < part["credits_used"] < 36
    assert get(world, "link_to_videos", video["id"])["credits_used"] == 0
    paid_so_far = world.balance
    # A day passes while the simulator is stopped.
    again, later = restarted(world, clock, wall=WALL + 30 + 86_400, at=7.0)
    assert get(again, "link_to_videos", video["id"])["status"] == "done"
    assert get(again, "aurora", aurora["id"])["status"] == "done"
    done = get(again, "ads_clone", clone["id"])
    assert done["status"] == "done" and done["credits_used"] == 36  # 12 s: 3 blocks × 12
    # Finishing charged what was still owed, once: Aurora nothing more, the others the rest.
    video_cost = get(again, "link_to_videos", video["id"])["credits_used"]
    assert video_cost > 0
    assert again.balance == paid_so_far - video_cost - (36 - part["credits_used"])
    settled = again.balance
    later.now += 10_000
    assert again.balance == settled
    assert ok(call(again, "GET", "/_sandbox/state/", headers={}))["creates"] == 4  # link too


def test_urls_follow_the_new_address() -> None:
    clock = Clock()
    world = world_at(clock, WALL)
    job = create(world, "text_to_speech")
    clock.now += 1000
    assert get(world, "text_to_speech", job["id"])["output"].startswith(BASE + "/media/")
    data = json.loads(json.dumps(world.snapshot()))
    moved = World(clock=clock, wall_clock=lambda: WALL + 1000)
    moved.restore(data)
    moved.base_url = "http://127.0.0.1:4321"
    output = get(moved, "text_to_speech", job["id"])["output"]
    assert output == f"http://127.0.0.1:4321/media/{job['id']}/output.wav"
    [link] = moved.jobs("links")
    assert all(url.startswith("http://127.0.0.1:4321/media/") for url in link["link"]["image_urls"])
    assert BASE not in json.dumps(moved.snapshot()["jobs"])
    # What was sent stays as it was sent.
    assert moved.create_log == world.create_log


def test_values_are_tagged_so_nothing_is_faked() -> None:
    value = {"price": Decimal("1.25"), "pair": (1, "a"),
             "file": UploadedFile("a.mp4", "video/mp4", 3),
             "$decimal": "not a tag", "nested": [{"$tuple": [1]}], "plain": {"a": None}}
    text = json.dumps(_encode(value))
    assert _decode(json.loads(text)) == value
    with pytest.raises(TypeError):
        _encode({"when": object()})


@pytest.mark.parametrize("damage", [
    lambda d: {**d, "format": 2},
    lambda d: {**d, "balance": "lots"},
    lambda d: {**d, "jobs": [{**d["jobs"][0], "resource": "holograms"}]},
    lambda d: {**d, "jobs": [{**d["jobs"][0], "run": {**d["jobs"][0]["run"], "charged": "99"}}]},
    lambda d: {**d, "jobs": d["jobs"] * 2},
    lambda d: {**d, "random": [3, [1, 2], None]},
    lambda d: {k: v for k, v in d.items() if k != "links"},
    lambda d: [d],
])
def test_a_bad_document_leaves_the_world_untouched(damage: Any) -> None:
    clock = Clock()
    world = world_at(clock, WALL)
    create(world, "text_to_speech")
    data = json.loads(json.dumps(world.snapshot()))
    fresh = world_at(clock, WALL, balance=77)
    with pytest.raises(StateError):
        fresh.restore(damage(data))
    assert fresh.balance == 77 and fresh.jobs("text_to_speech") == []
    assert fresh.jobs("links") == [] and fresh.create_log == []


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b'{"format": 1}', b"[]"])
def test_a_damaged_state_file_is_set_aside_and_a_fresh_account_starts(
        tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "sandbox" / "state.json"
    path.parent.mkdir()
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="app.sandbox.state"):
        sandbox = Sandbox(balance=321, state_path=path)
    assert not sandbox.restored and sandbox.balance == 321
    [aside] = list(path.parent.glob("state.json.bad-*"))
    assert aside.read_bytes() == content and not path.exists()
    assert any("damaged" in r.getMessage() and aside.name in r.getMessage()
               for r in caplog.records)
    sandbox.start()
    try:
        assert json.loads(path.read_text())["balance"] == "321"  # the fresh account, on disk
    finally:
        sandbox.stop()
    assert Sandbox(state_path=path).restored
    assert StateFile(tmp_path / "missing.json").read() is None
