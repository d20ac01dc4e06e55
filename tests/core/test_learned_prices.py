"""Learned prices in the ledger (schema v4): the ``price_key`` a job is recorded with, the
migration of a real schema-v3 file (written by the v3 ledger and kept in
tests/core/fixtures), and the latest real charge per key."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import Flow, spec
from app.jobs.ledger import SCHEMA_VERSION, JobRecord, JobState, Ledger, LedgerError
from app.jobs.manager._learned import price_key_of
from app.logsafe import register_secret

FIXTURES = Path(__file__).parent / "fixtures"
V3_FILE = FIXTURES / "ledger-v3.sqlite3"
T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)
AG = "asset_generator"
KEY_A = '{"model":"nano-banana","num_images":2}'
KEY_B = '{"model":"veo3.1/fast","duration":"6"}'


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger(tmp_path / "jobs.sqlite3", clock=clock) as opened:
        yield opened


_ids = iter(range(1, 10_000))


def run(ledger: Ledger, clock: Clock, price_key: str | None, end: JobStatus | None,
        credits: str | None, *, after: float = 60.0, flow: str = "create") -> JobRecord:
    """A job with ``price_key`` that ends ``end`` reporting ``credits`` (None: in flight)."""
    clock.now += timedelta(seconds=after)
    record = ledger.begin_submit(generator="asset_generator", resource=AG, flow=flow,
                                 title="a fox", request={"model_name": "nano-banana"},
                                 estimate=Decimal("1"), balance_before=Decimal("100"),
                                 price_key=price_key)
    server_id = f"srv-{next(_ids)}"
    record = ledger.mark_created(record.key, JobSnapshot(AG, server_id, JobStatus.RUNNING,
                                                         "running"))
    if end is not None:
        clock.now += timedelta(seconds=30)
        record = ledger.apply_snapshot(record.key, JobSnapshot(
            AG, server_id, end, end.value,
            credits_used=None if credits is None else Decimal(credits),
            result_urls=("https://cdn.example.com/x.png",) if end is JobStatus.DONE else ()))
    return record


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- migration

def test_the_v3_fixture_is_a_v3_ledger() -> None:
    """The kept file really is what the v3 ledger wrote (so the migration test means it)."""
    assert SCHEMA_VERSION > 3
    conn = sqlite3.connect(f"file:{V3_FILE}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
        assert "previews" in columns and "price_key" not in columns
    finally:
        conn.close()


def test_a_v3_file_is_migrated_to_the_current_version_keeping_every_job(
        tmp_path: Path, clock: Clock) -> None:
    before = digest(V3_FILE)
    path = tmp_path / "jobs.sqlite3"
    shutil.copyfile(V3_FILE, path)
    with Ledger(path, clock=clock) as ledger:
        assert ledger._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        jobs = {r.key[0]: r for r in ledger.page()}
        assert sorted(jobs) == ["a", "b", "c"]
        assert jobs["a"].state is JobState.DONE and jobs["a"].credits_used == Decimal("1.0")
        assert jobs["a"].request["input_params"] == {"prompt": "a red fox", "num_images": 2}
        assert jobs["b"].state is JobState.PENDING and jobs["b"].name_tag == "bbbbbbbb"
        assert jobs["c"].state is JobState.UNKNOWN
        assert all(r.price_key is None for r in jobs.values())  # v3 knew no keys
        assert [e.kind for e in ledger.events(jobs["a"].key)] == [
            "submitting", "created", "status"]
        assert ledger.balance_readings()[-1][1] == Decimal("490")
        assert ledger.last_charges() == {}  # an old charge names no price
        indexes = {row[1] for row in ledger._db.execute("PRAGMA index_list(jobs)")}
        assert {"jobs_by_price_key", "jobs_by_download_state"} <= indexes  # v4, v5
        statements: list[str] = []
        ledger._db.set_trace_callback(statements.append)
        ledger.last_charges()
        ledger._db.set_trace_callback(None)
        query = next(s for s in statements if "price_key IS NOT NULL" in s)
        plan = " ".join(str(row) for row in ledger._db.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "jobs_by_price_key" in plan  # the keyed jobs only, not every done job
        new = run(ledger, clock, KEY_A, JobStatus.DONE, "1.0")
        assert new.price_key == KEY_A
    with Ledger(path, clock=clock) as again:  # reopened: nothing to migrate, nothing lost
        assert again.count() == 4
        assert again.last_charges()[KEY_A].key == new.key
    assert digest(V3_FILE) == before  # the kept file itself is never touched


def test_a_file_newer_than_this_reader_is_refused(tmp_path: Path) -> None:
    """The version check moves with the schema: a file one version newer is refused."""
    path = tmp_path / "jobs.sqlite3"
    Ledger(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LedgerError, match="newer"):
        Ledger(path)


# ---------------------------------------------------------------------------- price keys

def test_price_key_round_trip_and_none(ledger: Ledger, clock: Clock) -> None:
    keyed = run(ledger, clock, KEY_A, None, None)
    plain = run(ledger, clock, None, None, None)
    empty = run(ledger, clock, "", None, None)
    assert ledger.get(keyed.key).price_key == KEY_A
    assert ledger.get(plain.key).price_key is None
    assert ledger.get(empty.key).price_key is None


def test_a_price_key_holding_a_secret_is_refused(ledger: Ledger) -> None:
    secret = "sk-live-learned-test-9f8e7d6c5b4a"
    register_secret(secret)
    with pytest.raises(LedgerError, match="price key"):
        ledger.begin_submit(generator="asset_generator", resource=AG, flow="create",
                            title="t", request={}, estimate=None, balance_before=None,
                            price_key=f'{{"model":"{secret}"}}')
    assert ledger.count() == 0


def test_last_charges_the_latest_done_charge_per_key(ledger: Ledger, clock: Clock) -> None:
    first = run(ledger, clock, KEY_A, JobStatus.DONE, "1.0")
    second = run(ledger, clock, KEY_A, JobStatus.DONE, "0.5")
    b_done = run(ledger, clock, KEY_B, JobStatus.DONE, "9")
    run(ledger, clock, KEY_B, JobStatus.FAILED, "3")      # failed: teaches nothing
    run(ledger, clock, KEY_B, JobStatus.DONE, "0")        # no charge reported as 0
    run(ledger, clock, KEY_B, JobStatus.DONE, None)       # no charge reported at all
    run(ledger, clock, KEY_B, None, None)                 # still running
    run(ledger, clock, None, JobStatus.DONE, "4")         # no key
    charges = ledger.last_charges()
    assert set(charges) == {KEY_A, KEY_B}
    assert charges[KEY_A].key == second.key and charges[KEY_A].credits_used == Decimal("0.5")
    assert charges[KEY_B].key == b_done.key and charges[KEY_B].credits_used == Decimal("9")
    assert first.key != second.key


def test_last_charges_follow_the_finish_time_not_the_submit_time(
        ledger: Ledger, clock: Clock) -> None:
    slow = run(ledger, clock, KEY_A, None, None)
    quick = run(ledger, clock, KEY_A, JobStatus.DONE, "2")
    clock.now += timedelta(minutes=5)
    assert slow.server_id is not None
    ledger.apply_snapshot(slow.key, JobSnapshot(AG, slow.server_id, JobStatus.DONE, "done",
                                                credits_used=Decimal("3")))
    assert ledger.last_charges()[KEY_A].key == slow.key
    assert quick.state is JobState.DONE


# ---------------------------------------------------------------------------- the job's key

def test_the_key_a_job_is_recorded_with() -> None:
    """The first keyed price request names the job (the Asset Generator's model and its
    price-driving inputs); a generator priced only by the table has none; a form that cannot
    be priced gets none instead of stopping the send."""
    gen = spec("asset_generator")
    values = {"model_name": "veo3.1/fast",
              "input_params": {"prompt": "A mug on a desk", "duration": "6"}}
    key = price_key_of(gen, values, Flow.CREATE)
    [first, *_] = [r for r in gen.price_requests(values, None, Flow.CREATE) if r.key]
    assert key is not None and key == first.key and "veo3.1/fast" in key
    longer = {**values, "input_params": {**values["input_params"], "duration": "8"}}
    assert price_key_of(gen, longer, Flow.CREATE) not in (None, key)
    reworded = {**values, "input_params": {**values["input_params"], "prompt": "A cup"}}
    assert price_key_of(gen, reworded, Flow.CREATE) == key
    assert price_key_of(spec("text_to_speech"), {"script": "Hello.", "accent": "a"},
                        Flow.CREATE) is None
    broken = {"model_name": "veo3.1/fast", "input_params": {"prompt": "x", "duration": "99"}}
    assert price_key_of(gen, broken, Flow.CREATE) is None
    url_to_video = spec("url_to_video")
    assert price_key_of(url_to_video, {}, Flow.PREVIEW_RENDER) is None  # a preview step
