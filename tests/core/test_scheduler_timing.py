"""When the poll scheduler reads each job, on a fake clock: first reads from the expected run
time, reads on a shared grid (a batch is one request a round), the run time learned from jobs
seen to end, and the back-off past the expected end bounded by ``slowest``."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.client import CreatifyClient
from app.api.snapshot import JobSnapshot, JobStatus
from app.jobs.ledger import Ledger
from app.jobs.scheduler import PollPolicy, PollScheduler
from app.sandbox import Sandbox
from tests.e2e.conftest import sandbox_client

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = PollPolicy()  # Creatify seconds: near 2, unsure 5, slowest 5, align 1


class Clock:
    """The scheduler's clock and the ledger's, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return EPOCH + timedelta(seconds=self.now)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    book = Ledger(tmp_path / "jobs.sqlite3", clock=clock.wall)
    yield book
    book.close()


@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=100_000, seed=5, balance=100_000) as sandbox:  # jobs end at once
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


def sent(ledger: Ledger, number: int, *, generator: str = "avatar_v1",
         resource: str = "lipsyncs", server_id: str | None = None) -> str:
    """A job the ledger saw created (running on Creatify)."""
    record = ledger.begin_submit(generator=generator, resource=resource, flow="create",
                                 title=f"job {number}", request={}, estimate=Decimal(1),
                                 balance_before=None)
    ledger.mark_created(record.key, JobSnapshot(resource=resource,
                                                id=server_id or f"srv-{number}",
                                                status=JobStatus.RUNNING, raw_status="running"))
    return record.key


def ended(ledger: Ledger, key: str) -> None:
    record = ledger.get(key)
    assert record.server_id is not None
    ledger.apply_snapshot(key, JobSnapshot(resource=record.resource, id=record.server_id,
                                           status=JobStatus.DONE, raw_status="done"))


def scheduler(ledger: Ledger, clock: Clock, *, expected: float = 600.0,
              policy: PollPolicy = POLICY,
              client: CreatifyClient | None = None) -> PollScheduler:
    return PollScheduler(client or CreatifyClient("x", "y", base_url="http://127.0.0.1:9"),
                         ledger, policy=policy, clock=clock,
                         expected_seconds=lambda _generator: expected)


def due(poller: PollScheduler, key: str) -> float:
    return poller._due[key]  # the timing is what is under test


def read(poller: PollScheduler, key: str) -> None:
    """What a poll round does after a read that found the job still running: here the read
    is made at the clock's time, due or not yet."""
    poller._due[key] = poller._clock()  # the read made now
    poller._reschedule(key)


def seen_done(poller: PollScheduler, ledger: Ledger, key: str) -> None:
    """A round read the job (at the clock's time) and found it done."""
    ended(ledger, key)
    poller._due[key] = poller._clock()
    poller.forget(key)


# ---------------------------------------------------------------------------- the policy


def test_waits_stay_between_near_and_the_bounds() -> None:
    expected = 600.0
    for age in range(0, 3000, 7):
        unsure = POLICY.wait(age, expected)
        learned = POLICY.wait(age, expected, soonest=500.0)
        assert POLICY.near <= unsure <= POLICY.unsure
        assert POLICY.near <= learned <= POLICY.far
        if age >= expected:  # past the end: never longer than slowest
            assert unsure <= POLICY.slowest and learned <= POLICY.slowest
    # Learned: little reading long before the soonest end, dense around the expected one.
    assert POLICY.wait(0, 600, soonest=500) == POLICY.far
    assert POLICY.wait(520, 600, soonest=500) == POLICY.near
    # Past the end the waits grow, up to slowest one expected time later.
    past = [POLICY.wait(600 + over, 600, soonest=500) for over in (0, 150, 300, 600, 900)]
    assert past == sorted(past) and past[0] == POLICY.near and past[-1] == POLICY.slowest


def test_scaled_divides_every_time_and_remembers_the_speed() -> None:
    fast = PollPolicy().scaled(40)
    assert fast.speed == 40
    assert fast.near == pytest.approx(POLICY.near / 40)
    assert fast.align == pytest.approx(POLICY.align / 40)
    assert fast.slowest == pytest.approx(POLICY.slowest / 40)
    assert fast.wait(0, 600 / 40) == pytest.approx(POLICY.wait(0, 600) / 40)


def test_slots_are_a_shared_grid() -> None:
    assert POLICY.slot(100.0) == 100.0
    assert POLICY.slot(100.1) == 101.0
    assert POLICY.slot(100.9) == 101.0
    assert PollPolicy(align=2).slot(100.1) == 102.0
    assert PollPolicy(align=0).slot(100.1) == 100.1


# ---------------------------------------------------------------------------- first reads


def test_a_new_job_is_not_read_before_it_could_be_done(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock)
    key = sent(ledger, 1)
    poller.watch(key)
    # Only the published figure (600 s): the first read after ``unsure``, on the grid.
    assert due(poller, key) == POLICY.slot(clock.now + POLICY.unsure) > clock.now
    assert poller._until_next() == pytest.approx(due(poller, key) - clock.now)


def test_now_still_reads_at_once(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock)
    key = sent(ledger, 1)
    poller.watch(key, now=True)
    assert due(poller, key) == clock.now


def test_a_job_already_old_is_read_at_once(ledger: Ledger, clock: Clock) -> None:
    key = sent(ledger, 1)
    clock.now += 3600  # a job a previous run left running, watched again at start-up
    poller = scheduler(ledger, clock)
    poller.watch(key)
    assert due(poller, key) == clock.now


def test_a_batch_sent_together_lands_in_few_rounds(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock, policy=PollPolicy(jitter=0.1))
    keys = []
    for number in range(200):  # 200 jobs sent over 1 s
        keys.append(sent(ledger, number))
        poller.watch(keys[-1])
        clock.now += 0.005
    assert len({due(poller, key) for key in keys}) <= 3
    for key in keys:  # read, still running: the next reads stay on few slots too
        read(poller, key)
    assert len({due(poller, key) for key in keys}) <= 3


async def test_one_list_request_per_resource_per_round(
        server: Sandbox, client: CreatifyClient, tmp_path: Path, clock: Clock) -> None:
    """Real reads on loopback, the loop as the app runs it: each job watched as it is sent,
    a round whenever one is due. 150 jobs of one resource sent over 3 s are read in a few
    rounds of one list request per 100 due jobs, not one request per job as each is sent."""
    ledger = Ledger(tmp_path / "jobs.sqlite3", clock=clock.wall)
    try:
        link = await client.create_link("https://shop.example.com/p/1")
        poller = scheduler(ledger, clock, client=client)
        for number in range(150):
            snapshot = await client.create("link_to_videos", {"link": link.id})
            poller.watch(sent(ledger, number, generator="url_to_video",
                              resource="link_to_videos", server_id=snapshot.id))
            if poller._until_next() == 0:  # the loop would wake now
                await poller.poll_once()
            clock.now += 0.02
        rounds = []
        while poller.watched:  # ended on the simulator: read once each
            before = poller.requests
            clock.now += await poller.poll_once()
            rounds.append(poller.requests - before)
        assert max(rounds) <= 2  # one list request per 100 due jobs of the resource
        assert poller.requests <= 8  # was one a job: 150
        assert len([p for m, p in server.request_log if m == "GET" and "ids=" in p]) \
            == poller.requests
    finally:
        ledger.close()


# ---------------------------------------------------------------------------- learning


def test_the_run_time_is_learned_from_jobs_seen_to_end(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock, expected=600.0)
    first = sent(ledger, 1)
    poller.watch(first)
    clock.now += 60  # ends at 60 s; read at 54 (running), then at 60 (done)
    read(poller, first)
    seen_done(poller, ledger, first)
    # A new job of the generator: reads placed around its ~60 s, not the published 600 s.
    key = sent(ledger, 2)
    start = clock.now
    poller.watch(key)
    reads = []
    while clock.now - start < 120:
        clock.now = due(poller, key)
        reads.append(clock.now - start)
        read(poller, key)
    before = [age for age in reads if age < 50]
    around = [age for age in reads if 50 <= age <= 70]
    assert len(before) <= 3  # little reading before it could be done
    assert len(around) >= 4  # dense around the end
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert max(gaps[len(before):]) <= POLICY.slowest + POLICY.align


def test_dense_reads_start_before_the_soonest_end_seen(ledger: Ledger, clock: Clock) -> None:
    """A job read running at 50 s and done at 70 s: the next job of its generator is read
    every few seconds from before 50 s (its end may come that soon), not only from the
    middle of the bracket (which our own lateness can only push later)."""
    poller = scheduler(ledger, clock)
    first = sent(ledger, 1)
    poller.watch(first)
    clock.now += 50
    read(poller, first)
    clock.now += 20
    seen_done(poller, ledger, first)
    key = sent(ledger, 2)
    start = clock.now
    poller.watch(key)
    reads = [0.0]
    while reads[-1] < 80:
        clock.now = due(poller, key)
        reads.append(clock.now - start)
        read(poller, key)
    late = [age for age in reads if age >= 44]
    assert late[0] <= 50
    assert max(b - a for a, b in itertools.pairwise(late)) <= POLICY.near + POLICY.align
    assert len(reads) <= 24  # not every few seconds from the start (40)


def test_a_late_round_does_not_push_learned_times_later(ledger: Ledger, clock: Clock) -> None:
    """A round that comes long after its jobs fell due (a busy machine) learns from when
    they fell due: the next jobs are not planned later for it."""
    poller = scheduler(ledger, clock)
    first = sent(ledger, 1)
    poller.watch(first)  # due at 105
    clock.now += 60  # the round comes at 160 and finds it done
    ended(ledger, first)
    poller.forget(first)
    key = sent(ledger, 2)
    poller.watch(key)
    assert due(poller, key) - clock.now <= POLICY.unsure  # not ~30 s (the middle of 0..60)


def test_a_quicker_run_brings_planned_reads_forward(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock, expected=600.0)
    slow = sent(ledger, 1)
    poller.watch(slow)
    clock.now += 196
    read(poller, slow)  # still running at 196 s
    clock.now += 4
    seen_done(poller, ledger, slow)  # learned: about 200 s
    waiting = sent(ledger, 2)
    poller.watch(waiting)
    planned = due(poller, waiting)
    assert planned - clock.now > 50  # little reading long before ~200 s
    for number in (3, 4):  # two runs of 20 s: the typical time drops
        quick = sent(ledger, number)
        poller.watch(quick, now=True)
        clock.now += 20
        seen_done(poller, ledger, quick)
    assert due(poller, waiting) < planned


def test_failures_teach_nothing(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock, expected=600.0)
    failed = sent(ledger, 1)
    poller.watch(failed)
    clock.now += 5
    record = ledger.get(failed)
    ledger.apply_snapshot(failed, JobSnapshot(resource=record.resource, id="srv-1",
                                              status=JobStatus.FAILED, raw_status="failed"))
    poller.forget(failed)
    key = sent(ledger, 2)
    poller.watch(key)
    assert due(poller, key) == POLICY.slot(clock.now + POLICY.unsure)  # still unsure


def test_forgotten_jobs_leave_no_plan(ledger: Ledger, clock: Clock) -> None:
    poller = scheduler(ledger, clock)
    key = sent(ledger, 1)
    poller.watch(key)
    poller.forget(key)
    assert not poller.watched
    poller._reschedule(key)  # a late answer for a forgotten job plans nothing
    assert not poller.watched
