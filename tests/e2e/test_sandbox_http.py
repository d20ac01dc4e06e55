"""The sandbox over real loopback HTTP, driven by ``httpx.Client``."""

from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox import Sandbox, media
from app.sandbox import __main__ as cli

pytestmark = pytest.mark.e2e

AUTH = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}
REPO = Path(__file__).resolve().parents[2]
TERMINAL = {"done", "failed", "rejected", "image_generated", "video_generated"}
CONNECTION_LOST = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=1000, seed=3) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=5) as c:
        yield c


def wait_done(client: httpx.Client, resource: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        response = client.get(f"/api/{resource}/{job_id}/")
        assert response.status_code == 200
        job: dict[str, Any] = response.json()
        if job["status"] in TERMINAL:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.01)


def wait_preview(client: httpx.Client, resource: str, job_id: str,
                 field: str = "preview") -> dict[str, Any]:
    """Poll until ``preview`` (or ``previews``) is filled: the docs' "preview ready" signal."""
    deadline = time.monotonic() + 5
    while True:
        response = client.get(f"/api/{resource}/{job_id}/")
        assert response.status_code == 200
        job: dict[str, Any] = response.json()
        if job[field] or job["status"] in ("failed", "rejected"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.01)


def make_link(client: httpx.Client) -> str:
    response = client.post("/api/links/", json={"url": "https://shop.example.com/p/blue-mug"})
    assert response.status_code == 201
    return str(response.json()["id"])


def test_auth(sandbox: Sandbox) -> None:
    url = sandbox.base_url + "/api/remaining_credits/"
    with httpx.Client(timeout=5) as c:
        missing = c.get(url)
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Authentication credentials were not provided."}
        wrong = c.get(url, headers={**AUTH, "X-API-KEY": "nope"})
        assert (wrong.status_code, wrong.json()) == (403, {"detail": "Invalid API key."})
        assert c.get(url, headers=AUTH).json() == {"remaining_credits": 500}
        assert c.get(sandbox.base_url + "/api/remaining_credits", headers=AUTH).status_code == 404


def test_video_job_to_ranged_download(client: httpx.Client, sandbox: Sandbox) -> None:
    link = make_link(client)
    created = client.post("/api/link_to_videos/", json={"link": link, "name": "Mug"})
    assert created.status_code == 201 and created.json()["credits_used"] == 0
    job = wait_done(client, "link_to_videos", created.json()["id"])
    assert job["status"] == "done" and job["credits_used"] == 5 and job["duration"] == 30
    assert job["video_output"].startswith(sandbox.base_url + "/media/")
    data = media.VIDEO.read()
    part = client.get(job["video_output"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert part.headers["content-type"] == "video/mp4"
    tail = client.get(job["video_output"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    rest = client.get(job["video_output"], headers={"Range": f"bytes={len(data) - 5}-"})
    assert rest.content == data[-5:]
    beyond = client.get(job["video_output"], headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"
    whole = httpx.get(job["video_output"])  # media need no auth
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    thumb = client.get(job["video_thumbnail"])
    assert thumb.headers["content-type"] == "image/png" and thumb.content == media.THUMBNAIL.read()
    assert client.get("/api/remaining_credits/").json() == {"remaining_credits": 494}


def test_speech_job_to_audio(client: httpx.Client) -> None:
    created = client.post("/api/text_to_speech/", json={"script": "Hello there, world",
                                                        "accent": "any"})
    job = wait_done(client, "text_to_speech", created.json()["id"])
    assert job["output"].endswith("/output.wav")
    audio = client.get(job["output"])
    assert audio.headers["content-type"] == "audio/wav" and audio.content == media.WAV.read()
    assert int(audio.headers["content-length"]) == media.WAV.path.stat().st_size
    head = client.head(job["output"])
    assert head.status_code == 200 and head.content == b""


def test_preview_render_and_preview_page(client: httpx.Client) -> None:
    body = {"link": make_link(client), "video_length": 15}
    preview = client.post("/api/link_to_videos/preview/", json=body)
    assert preview.status_code == 200
    job = wait_preview(client, "link_to_videos", preview.json()["id"])
    assert job["status"] == "pending"  # ready preview: back to pending (the docs)
    page = client.get(job["preview"])
    assert page.status_code == 200 and "<video" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert client.post(f"/api/link_to_videos/{job['id']}/render/").status_code == 200
    done = wait_done(client, "link_to_videos", job["id"])
    assert done["video_output"] and done["credits_used"] == 5


def test_ids_list_over_http(client: httpx.Client) -> None:
    ids = [client.post("/api/text_to_speech/", json={"script": "hi", "accent": "a"}).json()["id"]
           for _ in range(3)]
    listed = client.get("/api/text_to_speech/", params={"ids": ",".join(ids[:2])})
    assert sorted(j["id"] for j in listed.json()) == sorted(ids[:2])
    too_many = client.get("/api/text_to_speech/", params={"ids": ",".join(["x"] * 101)})
    assert (too_many.status_code, too_many.json()) == (400, ["Too many ids: at most 100."])


def test_text_generator_streams_incrementally() -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "A mug"}]}
    with Sandbox(speed=10) as slow, httpx.Client(base_url=slow.base_url, headers=AUTH,
                                                 timeout=5) as c:
        arrivals: list[tuple[float, dict[str, Any]]] = []
        with c.stream("POST", "/sse/text_generator/stream/", json=body) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    arrivals.append((time.monotonic(), json.loads(line[6:])))
        assert len(arrivals) > 3
        assert arrivals[-1][0] - arrivals[0][0] > 0.2  # spread over the 0.5 s run
        text = "".join(part["text"] for _, event in arrivals
                       for part in event["candidates"][0]["content"]["parts"])
        final = arrivals[-1][1]["creatify"]
        assert "creatify" not in arrivals[0][1]
        assert final["status"] == "done" and final["response_text"] == text
        assert final["credits_used"] == 1
        assert c.get(f"/sse/text_generator/{final['id']}/").json()["status"] == "done"
        assert c.get(f"/api/text_generator/{final['id']}/").json()["status"] == "done"


# ---- faults ----------------------------------------------------------------------------------

def test_server_errors(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(error_rate=1.0)
    codes = {client.get("/api/voices/").status_code for _ in range(30)}
    assert codes <= {500, 502, 503} and len(codes) > 1
    assert client.post("/api/links/", json={"url": "https://a.example/x"}).status_code >= 500
    assert sandbox.create_log[-1].status_code >= 500 and sandbox.create_log[-1].job_id is None
    assert client.get("/_sandbox/state").status_code == 200  # control: never faulted
    sandbox.set_faults(error_rate=0.0)
    assert client.get("/api/voices/").status_code == 200


def test_rate_limit(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=0.25)
    limited = client.get("/api/remaining_credits/")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "0.25"


def test_malformed_answers(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(malformed_rate=1.0)
    response = client.get("/api/voices/")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert client.get("/api/nothing/").json() == {"detail": "Not found."}  # errors stay whole


def test_connection_reset(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(reset_rate=1.0)
    with pytest.raises(CONNECTION_LOST):
        client.get("/api/remaining_credits/")
    sandbox.set_faults(reset_rate=0.0)
    assert client.get("/api/remaining_credits/").status_code == 200


def test_latency(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(latency=0.2)
    start = time.monotonic()
    assert client.get("/api/remaining_credits/").status_code == 200
    assert time.monotonic() - start >= 0.2


def test_create_processed_then_answer_lost(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(reset_next_create_after_processing=1)
    assert client.get("/api/voices/").status_code == 200  # not a paid POST: untouched
    with pytest.raises(CONNECTION_LOST):
        client.post("/api/text_to_speech/", json={"script": "hello", "accent": "a"})
    [job] = sandbox.jobs("text_to_speech")
    record = sandbox.create_log[-1]
    assert (record.path, record.status_code, record.job_id) == (
        "/api/text_to_speech/", 0, job["id"])
    assert sandbox.faults.reset_next_create_after_processing == 0
    again = client.post("/api/text_to_speech/", json={"script": "hello", "accent": "a"})
    assert again.status_code == 201 and len(sandbox.jobs("text_to_speech")) == 2


def test_reset_before_processing(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults(reset_next_request_before_processing=1)
    with pytest.raises(CONNECTION_LOST):
        client.post("/api/text_to_speech/", json={"script": "hello", "accent": "a"})
    assert sandbox.jobs("text_to_speech") == []
    assert sandbox.create_log[-1].status_code == 0 and sandbox.create_log[-1].job_id is None
    assert client.get("/api/remaining_credits/").status_code == 200


def test_control_endpoints(client: httpx.Client, sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as anonymous:
        changed = anonymous.post("/_sandbox/faults", json={"fail_rate": 1.0})
        assert changed.status_code == 200 and sandbox.faults.fail_rate == 1.0
        unknown = anonymous.post("/_sandbox/faults", json={"chaos": 1})
        assert unknown.status_code == 400
        job = client.post("/api/text_to_speech/", json={"script": "x", "accent": "a"}).json()
        assert wait_done(client, "text_to_speech", job["id"])["status"] == "failed"
        state = anonymous.get("/_sandbox/state").json()
        assert state["jobs"]["text_to_speech"] == 1 and state["creates"] == 1
        assert state["balance"] == 500 and state["speed"] == 1000
        [record] = anonymous.get("/_sandbox/creates").json()
        assert record["job_id"] == job["id"] and record["status_code"] == 201


# ---- server behaviour -----------------------------------------------------------------------

def test_concurrent_creates(client: httpx.Client, sandbox: Sandbox) -> None:
    def create(_: int) -> str:
        response = client.post("/api/text_to_speech/", json={"script": "hi", "accent": "a"})
        assert response.status_code == 201
        return str(response.json()["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(80)))
    assert len(set(ids)) == 80 and len(sandbox.create_log) == 80
    deadline = time.monotonic() + 5
    while sandbox.balance != 420:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_stop_closes_idle_keep_alive_connections() -> None:
    running = Sandbox()
    url = running.start() + "/api/remaining_credits/"
    with httpx.Client(headers=AUTH, timeout=5) as c:
        assert c.get(url).status_code == 200  # leaves a pooled keep-alive connection
        start = time.monotonic()
        running.stop()
        running.stop()  # idempotent
        assert time.monotonic() - start < 2
        with pytest.raises(httpx.TransportError):
            c.get(url)


def test_throughput(client: httpx.Client, sandbox: Sandbox) -> None:
    count = 0
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        assert client.get("/api/remaining_credits/").status_code == 200
        count += 1
    rate = count / (time.monotonic() - start)
    print(f"sandbox throughput: {rate:.0f} requests/s (GET /api/remaining_credits/, keep-alive)")
    assert rate > 200


# ---- the CLI ---------------------------------------------------------------------------------

def test_cli_prints_its_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", "0", "--speed", "50",
                             "--api-key", "k", "--quirk-off", "musics_paged",
                             "--quirk-off", "preview_pending"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=10), "the sandbox printed nothing"
        line = proc.stdout.readline()
        match = re.fullmatch(r"Creatify sandbox listening on (http://127\.0\.0\.1:\d+) "
                             r"\(X-API-ID sandbox / X-API-KEY k\)\n", line)
        assert match, line
        answer = httpx.get(match[1] + "/api/remaining_credits/",
                           headers={"X-API-ID": "sandbox", "X-API-KEY": "k"})
        assert answer.json() == {"remaining_credits": 500}
        quirks = httpx.get(match[1] + "/_sandbox/quirks").json()
        assert quirks == {"preview_pending": False, "scripts_as_string": True,
                          "musics_paged": False, "asset_credits_string": True,
                          "ads_clone_ignores_ids": True, "inspiration_strings": True}
        musics = httpx.get(match[1] + "/api/musics/",
                           headers={"X-API-ID": "sandbox", "X-API-KEY": "k"}).json()
        assert isinstance(musics, list) and musics
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_cli_refuses_a_public_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback only" in capsys.readouterr().err


def test_cli_refuses_an_unknown_quirk(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--port", "0", "--quirk-off", "no_such_quirk"])
    assert stop.value.code == 2
    assert "preview_pending" in capsys.readouterr().err


# ---- the catalogues: AI Ad Templates, Image Ads, asset models --------------------------------

PRODUCT = "https://cdn.example.com/mug.png"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = (int.from_bytes(data[i:i + 4], "big") for i in (16, 20))
    return width, height


def test_image_ad_banners_are_served_at_their_sizes(client: httpx.Client,
                                                    sandbox: Sandbox) -> None:
    before = sandbox.balance
    job = client.post("/api/iab_images/", json={"image": PRODUCT})
    assert job.status_code == 201
    done = wait_done(client, "iab_images", job.json()["id"])
    assert done["status"] == "done" and before - sandbox.balance == 2
    assert len(done["output"]) >= 4
    for banner in done["output"]:
        served = client.get(banner["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == banner["type"] == "image/png"
        assert "{}x{}".format(*_png_size(served.content)) == banner["size"]


def test_inspiration_previews_are_served_and_a_job_runs(client: httpx.Client,
                                                        sandbox: Sandbox) -> None:
    templates = client.get("/api/inspirations/").json()
    for template in templates:
        image = client.get(template["preview_image"])
        video = client.get(template["preview_video"])
        assert (image.status_code, image.headers["content-type"]) == (200, "image/png")
        assert (video.status_code, video.headers["content-type"]) == (200, "video/mp4")
    chosen = next(t for t in templates if "Product Image" in t["input_params_schema"]["required"])
    before = sandbox.balance
    job = client.post("/api/inspiration_jobs/", json={
        "inspiration_id": chosen["id"], "input_params": {"Product Image": PRODUCT}})
    assert job.status_code == 201 and isinstance(job.json()["input_params"], str)
    done = wait_done(client, "inspiration_jobs", job.json()["id"])
    assert before - sandbox.balance == chosen["credit_cost"]
    for url in json.loads(done["output"]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    ("/api/inspiration_jobs/", "inspiration"), ("/api/iab_images/", {"image": PRODUCT}),
    ("/api/asset_generator/", {"model_name": "gpt-image-2",
                               "input_params": {"prompt": "a mug", "num_images": 2}}),
])
def test_faults_apply_to_the_catalogue_resources(client: httpx.Client, sandbox: Sandbox,
                                                 path: str, body: Any) -> None:
    if body == "inspiration":
        template = client.get("/api/inspirations/").json()[0]
        body = {"inspiration_id": template["id"], "input_params": {"Product Image": PRODUCT}}
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=3)
    limited = client.post(path, json=body)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    sandbox.set_faults(rate_limit_rate=0.0, insufficient_credits=True)
    refused = client.post(path, json=body)
    assert refused.status_code == 400 and "credits" in refused.text.lower()
    sandbox.set_faults(insufficient_credits=False, reset_next_create_after_processing=1)
    with pytest.raises(CONNECTION_LOST):
        client.post(path, json=body)
    log = sandbox.create_log
    assert [r.status_code for r in log if r.path == path] == [429, 400, 0]
    lost = log[-1].job_id
    assert lost is not None and client.get(f"{path}{lost}/").status_code == 200
    sandbox.set_faults(fail_rate=1.0)
    failed = wait_done(client, path.split("/")[2], client.post(path, json=body).json()["id"])
    assert failed["status"] == "failed" and failed["failed_reason"]
