"""The Qt-free session against the simulator over loopback HTTP, with no Qt anywhere: the
sandbox mode, catalogues, a paid job followed to its end through the callbacks, the ledger
queries, a paid refusal, and catalogues read afresh for each connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.api.client import CreatifyClient
from app.generators import spec
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from app.session import PAID_ERRORS, Mode, Session, SessionEvents
from tests.e2e.conftest import sandbox_client

pytestmark = pytest.mark.e2e


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def events(self) -> SessionEvents:
        def record(name: str) -> Callable[..., None]:
            return lambda *args: self.calls.append((name, args))
        return SessionEvents(**{name: record(name) for name in SessionEvents.__dataclass_fields__})

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]


def loaded(recorder: Recorder, kind: str) -> list[Any]:
    """The items of each ``catalogue_loaded`` of ``kind``, in order."""
    return [items for name, items in recorder.named("catalogue_loaded") if name == kind]


async def until(condition: Callable[[], object], timeout: float = 15.0,
                what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[tuple[Session, Recorder]]:
    recorder = Recorder()
    session = Session(tmp_path / "output", data_dir=tmp_path / "data", auto_download=False,
                      sandbox_speed=500, events=recorder.events())
    yield session, recorder
    await session.aclose()


async def test_the_sandbox_mode_end_to_end(session: tuple[Session, Recorder]) -> None:
    studio, recorder = session
    url = await studio.use_sandbox()
    assert url.startswith("http://127.0.0.1:") and studio.sandbox is not None
    assert studio.mode == Mode.SANDBOX and studio.connected
    assert recorder.named("mode_changed") == [(Mode.SANDBOX,)]
    assert recorder.named("jobs_reloaded") == [()]
    assert (studio.data_dir / "sandbox-jobs.sqlite3").exists()
    await until(lambda: studio.credits is not None, what="the balance")
    assert recorder.named("credits_changed")[-1] == (studio.credits,)
    assert studio.balance_readings()  # the reading is kept for the spending view

    assert studio.catalogue("voices") is None
    await until(lambda: loaded(recorder, "voices"), what="the voices")
    [voices] = loaded(recorder, "voices")
    assert studio.catalogue("voices") is voices
    assert await studio.read_catalogue("voices") == voices

    before = await studio.fetch_credits()
    values = {"script": "The session follows this job.",
              "accent": voices[0]["accents"][0]["id"]}
    record = await studio.submit(spec("text_to_speech"), values, estimate=Decimal(1))
    assert record.estimate == Decimal(1) and studio.job(record.key) is not None
    await until(lambda: (studio.job(record.key) or record).state.is_terminal,
                what="the job's end")
    ended = studio.job(record.key)
    assert ended is not None and ended.state.value == "done"
    assert {r.key for (r,) in recorder.named("job_changed")} == {record.key}
    assert [r.key for r in studio.jobs_page()] == [record.key]
    await until(studio.all_finished, what="nothing followed")
    await until(lambda: studio.credits is not None and studio.credits < before,
                what="the balance after the job")
    await asyncio.sleep(0.3)  # the committed recount (a moment after the last change)
    assert studio.committed == Decimal(0)  # nothing is in flight any more

    await studio.drop_connection()
    assert studio.mode == Mode.NONE and not studio.connected
    assert studio.jobs_page() == [] and studio.job(record.key) is None
    assert recorder.named("mode_changed")[-1] == (Mode.NONE,)


async def test_a_paid_refusal_and_catalogues_per_connection(session: tuple[Session, Recorder],
                                                    tmp_path: Path) -> None:
    studio, recorder = session
    with Sandbox(speed=500, seed=3, balance=0) as poor:
        await studio.use_client(sandbox_client(poor), tmp_path / "poor.sqlite3",
                                PollPolicy().scaled(500), Mode.SANDBOX)
        assert recorder.named("mode_changed") == [(Mode.SANDBOX,)]
        assert studio.credits is None  # use_client does not read the balance
        assert await studio.fetch_credits() == Decimal(0)
        with pytest.raises(PAID_ERRORS):
            await studio.submit(spec("text_to_speech"), {"script": "No credits left.",
                                                         "accent": "x"}, estimate=Decimal(1))
        studio.load_catalogue("personas")
        await until(lambda: loaded(recorder, "personas"), what="personas")
        assert studio.catalogue("personas") is not None
        # A new connection reads its catalogues afresh.
        other = CreatifyClient("sandbox", "sandbox", base_url=poor.base_url)
        await studio.use_client(other, tmp_path / "other.sqlite3")
        assert studio.catalogue("personas") is None  # asked again over the new client
        await until(lambda: len(loaded(recorder, "personas")) == 2, what="personas")
        await studio.drop_connection()
