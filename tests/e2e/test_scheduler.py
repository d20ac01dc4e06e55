"""The poll scheduler against the simulator: batched reads, states in the ledger, faults,
rate limits, network loss and reconciliation of ambiguous creates."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.client import CreatifyClient
from app.api.errors import AmbiguousCreateError
from app.generators import spec
from app.generators.submit import request_body, submit
from app.jobs.ledger import JobRecord, JobState, Ledger
from app.jobs.scheduler import PollPolicy, PollScheduler
from app.sandbox import Sandbox
from tests.e2e.conftest import FAST_RETRY, sandbox_client

pytestmark = pytest.mark.e2e

SPEED = 200.0
FAST = PollPolicy().scaled(SPEED)


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=3, balance=100_000) as sandbox:
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    book = Ledger(tmp_path / "jobs.sqlite3")
    yield book
    book.close()


async def send(client: CreatifyClient, ledger: Ledger, key: str, values: dict[str, object],
               tag: str | None = None) -> JobRecord:
    """Write-before-network, then the create, exactly as the service does it."""
    gen = spec(key)
    body = request_body(gen, values)
    record = ledger.begin_submit(generator=key, resource=gen.resource.key, flow="create",
                                 title=key, request=body, estimate=Decimal(1),
                                 balance_before=None, name_tag=tag)
    try:
        snapshot = await submit(client, gen, values, name_tag=tag)
    except AmbiguousCreateError as exc:
        return ledger.mark_ambiguous(record.key, exc.message)
    return ledger.mark_created(record.key, snapshot)


async def drive(scheduler: PollScheduler, until: float = 30.0) -> None:
    deadline = time.monotonic() + until
    task = asyncio.ensure_future(scheduler.run())
    try:
        while scheduler.watched and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not scheduler.watched, "jobs still being watched at the deadline"


async def test_batched_polling_brings_every_job_to_its_end(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/1")
    records = [await send(client, ledger, "url_to_video", {"link": link.id, "video_length": 15})
               for _ in range(120)]
    records += [await send(client, ledger, "text_to_speech",
                           {"script": "Hello there", "accent": "a" * 8}) for _ in range(5)]
    changes: list[JobRecord] = []
    scheduler = PollScheduler(client, ledger, on_change=changes.append, policy=FAST)
    for record in records:
        scheduler.watch(record.key)
    await drive(scheduler)
    final = [ledger.get(r.key) for r in records]
    assert {r.state for r in final} == {JobState.DONE}
    assert all(r.credits_used and r.result_urls for r in final)
    # ≤ 100 ids per request: 120 jobs of one resource need 2 requests a round, never 120.
    lists = [path for method, path in server.request_log
             if method == "GET" and "ids=" in path]
    assert all(path.count(",") < 100 for path in lists)
    assert scheduler.requests == len(lists)
    assert scheduler.requests < len(records) * 3
    assert changes and all(isinstance(c, JobRecord) for c in changes)


async def test_faults_slow_down_but_every_job_reaches_its_true_end(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/2")
    server.set_faults(fail_rate=0.3)
    records = [await send(client, ledger, "url_to_video", {"link": link.id, "video_length": 15})
               for _ in range(20)]
    server.set_faults(fail_rate=0, error_rate=0.3, rate_limit_rate=0.1, retry_after=0.01,
                      malformed_rate=0.1, unknown_status_rate=0.2, reset_rate=0.05)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    for record in records:
        scheduler.watch(record.key)
    await drive(scheduler, until=60)
    server.set_faults(error_rate=0, rate_limit_rate=0, malformed_rate=0, unknown_status_rate=0,
                      reset_rate=0)
    truth = {job["id"]: job["status"] for job in server.jobs("link_to_videos")}
    for record in records:
        final = ledger.get(record.key)
        assert final.server_id is not None
        assert final.state.value == truth[final.server_id]
    assert {ledger.get(r.key).state for r in records} == {JobState.DONE, JobState.FAILED}
    failed = [ledger.get(r.key) for r in records if ledger.get(r.key).state is JobState.FAILED]
    assert all(r.failed_reason for r in failed)


async def test_rate_limit_pauses_everyone(server: Sandbox, client: CreatifyClient,
                                          ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/3")
    record = await send(client, ledger, "url_to_video", {"link": link.id})
    server.set_faults(rate_limit_rate=1.0, retry_after=0.3)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    scheduler.watch(record.key, now=True)
    wait = await scheduler.poll_once()
    assert scheduler.paused_reason and "slow down" in scheduler.paused_reason
    assert 0.2 < wait <= 0.3
    before = scheduler.requests
    assert await scheduler.poll_once() > 0 and scheduler.requests == before  # paused
    server.set_faults(rate_limit_rate=0)
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE


async def test_network_loss_pauses_and_resumes(tmp_path: Path, ledger: Ledger) -> None:
    with Sandbox(speed=SPEED) as first:
        port = int(first.base_url.rsplit(":", 1)[1])
        async with CreatifyClient("sandbox", "sandbox", base_url=first.base_url,
                                  retry=FAST_RETRY, timeout=2) as client:
            link = await client.create_link("https://shop.example.com/p/4")
            record = await send(client, ledger, "url_to_video", {"link": link.id})
            first.stop()  # the network is gone
            scheduler = PollScheduler(client, ledger, policy=FAST)
            scheduler.watch(record.key, now=True)
            await scheduler.poll_once()
            assert scheduler.paused_reason and "Network" in scheduler.paused_reason
            assert ledger.get(record.key).state.is_active
            # The server comes back on the same port: polling resumes by itself.
            with Sandbox(speed=SPEED, port=port):
                await asyncio.sleep(FAST.network_backoff[1])
                await scheduler.poll_once()
                assert scheduler.paused_reason is None
    assert ledger.get(record.key).state.is_active  # the new server does not know it: kept


async def test_lost_create_is_reconciled_by_its_name_tag(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/5")
    server.set_faults(reset_next_create_after_processing=1)
    record = await send(client, ledger, "url_to_video", {"link": link.id}, tag="k1234567")
    assert record.state is JobState.UNKNOWN
    creates = len(server.create_log)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    found = await scheduler.reconcile(record.key)
    assert found.server_id == server.create_log[-1].job_id
    assert found.state.is_active or found.state is JobState.DONE
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE
    assert len(server.create_log) == creates  # nothing was sent again


async def test_lost_create_without_name_is_matched_by_inputs(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    server.set_faults(reset_next_create_after_processing=1)
    values = {"script": "A distinctive sentence for matching", "accent": "b" * 8}
    record = await send(client, ledger, "text_to_speech", values)
    assert record.state is JobState.UNKNOWN
    scheduler = PollScheduler(client, ledger, policy=FAST)
    found = await scheduler.reconcile(record.key)
    assert found.server_id == server.create_log[-1].job_id


async def test_create_that_never_happened_stays_unknown(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/6")
    gen = spec("url_to_video")
    record = ledger.begin_submit(generator="url_to_video", resource=gen.resource.key,
                                 flow="create", title="crashed before sending",
                                 request=request_body(gen, {"link": link.id}),
                                 estimate=Decimal(5), balance_before=None, name_tag="zz999999")
    scheduler = PollScheduler(client, ledger, policy=FAST)
    await scheduler.start()  # start-up reconciles the SUBMITTING row
    after = ledger.get(record.key)
    assert after.state is JobState.UNKNOWN and after.server_id is None
    assert "not found" in ledger.events(record.key)[-1].detail.lower()


async def test_stalled_jobs_are_flagged_not_failed(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/7")
    record = await send(client, ledger, "url_to_video", {"link": link.id, "video_length": 60})
    scheduler = PollScheduler(client, ledger, policy=FAST,
                              expected_seconds=lambda _generator: 0.0)
    scheduler.watch(record.key, now=True)
    await scheduler.poll_once()
    assert ledger.get(record.key).state in (JobState.STALLED, JobState.DONE)
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE


async def test_two_looks_at_once_do_not_collide(server: Sandbox, client: CreatifyClient,
                                                ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/8")
    server.set_faults(reset_next_create_after_processing=1)
    record = await send(client, ledger, "url_to_video", {"link": link.id}, tag="dup00001")
    scheduler = PollScheduler(client, ledger, policy=FAST)
    first, second = await asyncio.gather(scheduler.reconcile(record.key),
                                         scheduler.reconcile(record.key))
    final = ledger.get(record.key)
    assert final.server_id == server.create_log[-1].job_id
    assert {first.key, second.key} == {record.key}
    lists = [p for m, p in server.request_log if m == "GET" and p == "/api/link_to_videos/"]
    assert len(lists) == 1  # the second look returned at once instead of racing the first


async def test_ad_clone_jobs_are_read_one_by_one_since_its_list_takes_no_ids(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/9")
    video = f"{server.base_url}/media/samples/ad.mp4?duration=10"
    records = [await send(client, ledger, "ad_clone", {"link": link.id, "video_url": video})
               for _ in range(3)]
    policy = PollPolicy(max_single_reads=2).scaled(SPEED)
    scheduler = PollScheduler(client, ledger, policy=policy)
    for record in records:
        scheduler.watch(record.key, now=True)
    before = len(server.request_log)
    await scheduler.poll_once()
    first_round = [t for m, t in server.request_log[before:] if m == "GET"]
    assert len(first_round) == 2  # bounded: the third waits for the next round
    await drive(scheduler)
    reads = [t for m, t in server.request_log[before:]
             if m == "GET" and t.startswith("/api/ads_clone/")]
    assert reads and not any("ids=" in t or t == "/api/ads_clone/" for t in reads)
    ids = {r.server_id for r in (ledger.get(x.key) for x in records)}
    assert {t.split("/")[3] for t in reads} == ids
    truth = {job["id"]: job["status"] for job in server.jobs("ads_clone")}
    for record in records:
        final = ledger.get(record.key)
        assert final.state.value == truth[final.server_id or ""] == "done"


async def test_ad_clone_reads_pause_everyone_on_a_rate_limit(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/10")
    video = f"{server.base_url}/media/samples/ad.mp4?duration=10"
    record = await send(client, ledger, "ad_clone", {"link": link.id, "video_url": video})
    server.set_faults(rate_limit_rate=1.0, retry_after=0.3)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    scheduler.watch(record.key, now=True)
    wait = await scheduler.poll_once()
    assert scheduler.paused_reason and "slow down" in scheduler.paused_reason
    assert 0.0 < wait <= 0.3
    server.set_faults(rate_limit_rate=0)
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE


async def test_two_local_jobs_on_one_server_job_are_both_followed(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/11")
    first = await send(client, ledger, "url_to_video", {"link": link.id, "video_length": 15})
    assert first.server_id is not None
    second = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                 flow="render", title="render", request={"render_of": "x"},
                                 estimate=Decimal(1), balance_before=None)
    ledger.set_server_id(second.key, first.server_id, "test")
    scheduler = PollScheduler(client, ledger, policy=FAST)
    scheduler.watch(first.key)
    scheduler.watch(second.key)
    await drive(scheduler)
    assert ledger.get(first.key).state is JobState.DONE
    assert ledger.get(second.key).state is JobState.DONE


async def test_a_lost_ad_clone_is_found_in_the_plain_list(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/12")
    video = f"{server.base_url}/media/samples/ad.mp4?duration=10"
    other = await send(client, ledger, "ad_clone", {"link": link.id, "video_url": video + "&v=1"})
    server.set_faults(reset_next_create_after_processing=1)
    record = await send(client, ledger, "ad_clone", {"link": link.id, "video_url": video})
    assert record.state is JobState.UNKNOWN
    creates = len(server.create_log)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    found = await scheduler.reconcile(record.key)
    assert found.server_id == server.create_log[-1].job_id != other.server_id
    lists = [t for m, t in server.request_log
             if m == "GET" and t.split("?")[0] == "/api/ads_clone/"]
    assert lists == ["/api/ads_clone/"]  # the plain list, no ids
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE
    assert len(server.create_log) == creates


async def test_a_rate_limit_met_while_polling_also_holds_back_the_next_paid_call(
        server: Sandbox, client: CreatifyClient, ledger: Ledger) -> None:
    link = await client.create_link("https://shop.example.com/p/13")
    record = await send(client, ledger, "url_to_video", {"link": link.id})
    server.set_faults(rate_limit_rate=1.0, retry_after=0.4)
    scheduler = PollScheduler(client, ledger, policy=FAST)
    scheduler.watch(record.key, now=True)
    assert await scheduler.poll_once() > 0 and scheduler.paused_reason
    server.set_faults(rate_limit_rate=0)
    started = time.monotonic()
    creates = len(server.create_log)
    await send(client, ledger, "url_to_video", {"link": link.id})  # waits out Retry-After
    assert time.monotonic() - started > 0.2
    assert len(server.create_log) == creates + 1  # sent once, after the pause
    await drive(scheduler)
    assert ledger.get(record.key).state is JobState.DONE
