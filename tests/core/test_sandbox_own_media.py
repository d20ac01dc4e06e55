"""Your own avatars and voices in the simulator and through the client.

The simulator: a custom avatar is under review (``process_status`` ``pending``, ``is_active``
false, no previews) for ``REVIEW_SECONDS`` over the speed, then usable (``done``, active,
previews); the review's end is kept in the account's state, so a restarted sandbox finishes a
review that ended while it was stopped. A voice clone is listed at once and deleted once.

The client, over real loopback HTTP: the multipart upload, the review read, the clone and the
deletion each validate against the contract (openapi-core) both ways, and none is re-sent
after a server error or a lost answer.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api.client import CreatifyClient, RetryPolicy
from app.api.errors import AmbiguousCreateError, NotFoundError
from app.sandbox import Sandbox
from app.sandbox.handlers.catalogues import REVIEW_SECONDS
from app.sandbox.httpd import MAX_BODY
from app.sandbox.media import VIDEO as SAMPLE_VIDEO
from app.sandbox.world import World
from tests.contract.contract import CONTRACT, RecordingTransport
from tests.core.test_sandbox_world import AUDIO, AUTH, BASE, Clock, call, ok

WALL = 1_800_000_000.0
SPEED = 4.0


def make_world(clock: Clock) -> World:
    w = World(clock=clock, wall_clock=lambda: WALL, speed=SPEED, seed=3)
    w.base_url = BASE
    return w


def upload(world: World, name: str = "Ann") -> dict[str, Any]:
    boundary = "OwnMediaBoundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             for k, v in {"creator_name": name, "gender": "f", "video_scene": "office"}.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="lipsync_input"; '
                 f'filename="me.mov"\r\nContent-Type: video/quicktime\r\n\r\n0123456789\r\n'
                 f"--{boundary}--\r\n")
    headers = {**AUTH, "content-type": f"multipart/form-data; boundary={boundary}"}
    made: dict[str, Any] = ok(call(world, "POST", "/api/personas_v2/",
                                   "".join(parts).encode(), headers), 201)
    return made


def own(world: World, pid: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(call(world, "GET", f"/api/personas/{pid}/"))
    return found


def test_a_custom_avatar_is_in_review_then_ready_after_the_review_time() -> None:
    clock = Clock()
    world = make_world(clock)
    balance = world.balance
    made = upload(world)
    assert made["process_status"] == "pending" and made["video_scene"] == "office"
    review = REVIEW_SECONDS / SPEED
    pending = own(world, made["id"])
    assert pending["is_active"] is False and pending["process_status"] == "pending"
    assert pending["preview_image_1_1"] is None
    assert not any(k.startswith("_") for k in pending)  # the review's end is never sent
    clock.now += review - 0.5
    assert own(world, made["id"])["is_active"] is False
    listed = ok(call(world, "GET", "/api/personas_v2/?gender=f"))
    assert [p["process_status"] for p in listed if p["id"] == made["id"]] == ["pending"]
    clock.now += 1.0
    ready = own(world, made["id"])
    assert ready["is_active"] is True and ready["process_status"] == "done"
    assert ready["failed_reason"] == "" and ready["type"] == "custom"
    assert ready["preview_image_1_1"] == f"{BASE}/media/personas/{made['id']}_1_1.png"
    assert ready["updated_at"] > ready["created_at"]
    assert world.balance == balance  # neither the upload nor the review is charged
    assert world.create_log == []    # nor logged as a paid create
    paged = ok(call(world, "GET", "/api/personas/paginated/?page_size=100"))
    assert [p["is_active"] for p in paged["results"] if p["id"] == made["id"]] == [True]


def test_a_review_that_ended_while_the_sandbox_was_stopped_is_finished_on_restart() -> None:
    clock = Clock()
    world = make_world(clock)
    made = upload(world)
    saved = json.loads(json.dumps(world.snapshot()))  # as the state file keeps it
    later_clock = Clock()
    later_clock.now = 5.0  # another process: its monotonic clock starts elsewhere
    restarted = World(clock=later_clock, wall_clock=lambda: WALL + 2.0, speed=SPEED)
    restarted.base_url = BASE
    restarted.restore(saved)
    assert own(restarted, made["id"])["is_active"] is False  # 2 s of wall time later
    later_clock.now += REVIEW_SECONDS / SPEED
    assert own(restarted, made["id"])["process_status"] == "done"
    again = World(clock=Clock(), wall_clock=lambda: WALL + 2 * REVIEW_SECONDS, speed=SPEED)
    again.base_url = "http://elsewhere.test"
    again.restore(saved)
    again.base_url = "http://moved.test"
    ready = own(again, made["id"])
    assert ready["is_active"] is True
    assert ready["preview_image_16_9"].startswith("http://moved.test/media/personas/")


def test_a_cloned_voice_is_listed_at_once_and_deleted_once() -> None:
    world = make_world(Clock())
    voice = ok(call(world, "POST", "/api/voices/", {"original_audio_url": AUDIO,
                                                    "name": "My voice"}), 201)
    [accent] = voice["accents"]
    assert any(v["name"] == "My voice" for v in ok(call(world, "GET", "/api/voices/")))
    stock = ok(call(world, "GET", "/api/voices/"))[0]["accents"][0]["id"]
    assert call(world, "DELETE", f"/api/voices/accents/{stock}/").status == 404
    assert call(world, "DELETE", f"/api/voices/accents/{accent['id']}/").status == 204
    assert call(world, "DELETE", f"/api/voices/accents/{accent['id']}/").status == 404
    assert all(v["name"] != "My voice" for v in ok(call(world, "GET", "/api/voices/")))
    missing = call(world, "POST", "/api/voices/", {"name": "No audio"})
    assert missing.status == 400 and "original_audio_url" in missing.body


# ---------------------------------------------------------------------------- the client


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    path = tmp_path / "me.mp4"
    path.write_bytes(SAMPLE_VIDEO.read())
    return path


def recording_client(sandbox: Sandbox) -> tuple[CreatifyClient, RecordingTransport]:
    transport = RecordingTransport(httpx.AsyncHTTPTransport())
    client = CreatifyClient("sandbox", "sandbox", base_url=sandbox.base_url,
                            transport=transport,
                            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    return client, transport


def request_problems(request: httpx.Request) -> list[str]:
    """The contract's verdict on ``request`` (a multipart body checked part by part)."""
    return CONTRACT.request_problems(request)


def contract_problems(transport: RecordingTransport) -> list[str]:
    """What the contract finds wrong in each exchange, the request readdressed to the
    contract's server (the simulator listens on loopback)."""
    problems = []
    for sent, response in transport.exchanges:
        url = sent.url.copy_with(scheme="https", host="api.creatify.ai", port=None)
        request = httpx.Request(sent.method, url, headers=sent.headers, content=sent.content)
        problems += request_problems(request)
        problems += CONTRACT.response_problems(request, response)
    return problems


def test_the_multipart_check_can_fail() -> None:
    """The check above refuses what the contract refuses (a gender personas do not take)."""
    request = httpx.Request(
        "POST", "https://api.creatify.ai/api/personas_v2/",
        headers={"X-API-ID": "a", "X-API-KEY": "b"}, data={"creator_name": "Me",
                                                         "gender": "female"},
        files={"lipsync_input": ("me.mp4", SAMPLE_VIDEO.read(), "video/mp4")})
    request.read()
    [problem] = request_problems(request)
    assert "female" in problem


async def test_the_client_uploads_follows_clones_and_deletes_within_the_contract(
        video_file: Path) -> None:
    with Sandbox(speed=1000) as sandbox:
        client, transport = recording_client(sandbox)
        async with client:
            seen: list[tuple[int, int]] = []
            made = await client.upload_avatar(video_file, "video/mp4", creator_name="Me",
                                              gender="nb", video_scene="kitchen",
                                              progress=lambda s, t: seen.append((s, t)))
            size = video_file.stat().st_size
            assert seen and seen[-1] == (size, size)
            assert [s for s, _ in seen] == sorted(s for s, _ in seen)
            assert made["process_status"] == "pending"
            first = await client.persona(made["id"])
            assert first["is_active"] is False
            await asyncio.sleep(REVIEW_SECONDS / 1000 + 0.1)
            ready = await client.persona(made["id"])
            assert ready["is_active"] is True and ready["process_status"] == "done"
            voice = await client.clone_voice(f"{sandbox.base_url}/media/x/me.mp3", "Me")
            accent = voice["accents"][0]["id"]
            assert any(a["id"] == accent for v in await client.voices()
                       for a in v["accents"])
            await client.delete_voice(accent)
            with pytest.raises(NotFoundError):
                await client.delete_voice(accent)
        upload_request = transport.requests[0]
        assert upload_request.headers["content-type"].startswith("multipart/form-data")
        assert b'name="lipsync_input"; filename="me.mp4"' in upload_request.content
        assert SAMPLE_VIDEO.read() in upload_request.content
        assert b'name="video_scene"' in upload_request.content
        assert contract_problems(transport) == []


async def test_nothing_that_changes_the_account_is_sent_twice(video_file: Path) -> None:
    with Sandbox(speed=1000) as sandbox:
        client, _ = recording_client(sandbox)
        async with client:
            sandbox.set_faults(error_rate=1.0)
            for attempt in (
                    client.upload_avatar(video_file, "video/mp4", creator_name="A",
                                         gender="f"),
                    client.clone_voice("https://cdn.example.com/me.mp3"),
                    client.delete_voice("6f0c2f3e-2222-4a8b-9c1d-000000000002")):
                with pytest.raises(AmbiguousCreateError):
                    await attempt
            sandbox.set_faults(error_rate=0.0)
            sent = [(m, p) for m, p in sandbox.request_log if not p.startswith("/_sandbox")]
            assert sent == [("POST", "/api/personas_v2/"), ("POST", "/api/voices/"),
                            ("DELETE", "/api/voices/accents/"
                                       "6f0c2f3e-2222-4a8b-9c1d-000000000002/")]


async def test_the_client_refuses_what_the_docs_do_not_take_before_sending(
        video_file: Path) -> None:
    with Sandbox(speed=1000) as sandbox:
        client, transport = recording_client(sandbox)
        async with client:
            with pytest.raises(ValueError, match="MP4 or MOV"):
                await client.upload_avatar(video_file, "video/webm", creator_name="A",
                                           gender="f")
            with pytest.raises(ValueError, match="Gender"):
                await client.upload_avatar(video_file, "video/mp4", creator_name="A",
                                           gender="female")
            with pytest.raises(ValueError, match="Name"):
                await client.upload_avatar(video_file, "video/mp4", creator_name="  ",
                                           gender="m")
            with pytest.raises(ValueError, match="could not be read"):
                await client.upload_avatar(video_file.with_name("gone.mp4"), "video/mp4",
                                           creator_name="A", gender="m")
            with pytest.raises(ValueError, match="web address"):
                await client.clone_voice("file:///home/me/voice.mp3")
        assert transport.exchanges == []


async def test_a_training_video_larger_than_other_bodies_is_taken(tmp_path: Path) -> None:
    """Avatar videos are large: the simulator takes one past the 16 MiB other bodies may
    have (``MAX_BODY``), and still refuses such a body on any other path."""
    big = tmp_path / "long.mp4"
    big.write_bytes(SAMPLE_VIDEO.read() + b"\0" * (MAX_BODY + (1 << 20)))
    with Sandbox(speed=1000) as sandbox:
        client, _ = recording_client(sandbox)
        async with client:
            made = await client.upload_avatar(big, "video/mp4", creator_name="Me",
                                              gender="f", video_scene="office")
            assert made["process_status"] == "pending"
        # Another path announcing as large a body is refused from its headers alone.
        host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host.strip("[]"), int(port))
        writer.write(f"POST /api/voices/ HTTP/1.1\r\nHost: {host}\r\n"
                     f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        writer.close()
        assert b" 413 " in status
