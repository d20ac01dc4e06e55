"""The sandbox's run-time controls over its real HTTP endpoints: the state, the fault switches
and the docs quirks read and changed, every failure a sentence; the session says where the
sandbox in use is served, and refuses the controls outside sandbox mode."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from app.sandbox import Sandbox
from app.session import Mode, SandboxControlError, SandboxControls, Session


@pytest.fixture
def simulator() -> Iterator[Sandbox]:
    with Sandbox(speed=250, balance=777) as server:
        yield server


async def test_state_reads_the_balance_the_jobs_and_the_speed(simulator: Sandbox) -> None:
    controls = SandboxControls(simulator.base_url)
    state = await controls.state()
    assert state.balance == Decimal(777)
    assert state.speed == 250
    assert state.job_count == 0
    assert controls.port == int(simulator.base_url.rsplit(":", 1)[1])


async def test_a_fault_switch_changes_what_the_simulator_does(simulator: Sandbox) -> None:
    controls = SandboxControls(simulator.base_url)
    assert (await controls.faults())["fail_rate"] == 0
    after = await controls.set_faults(fail_rate=0.5, insufficient_credits=True)
    assert after["fail_rate"] == 0.5 and after["insufficient_credits"] is True
    assert simulator.faults.fail_rate == 0.5 and simulator.faults.insufficient_credits
    assert (await controls.faults())["fail_rate"] == 0.5
    await controls.set_faults(fail_rate=0, insufficient_credits=False)
    assert simulator.faults.fail_rate == 0 and not simulator.faults.insufficient_credits


async def test_a_bad_fault_is_refused_with_the_reason_and_changes_nothing(
        simulator: Sandbox) -> None:
    controls = SandboxControls(simulator.base_url)
    with pytest.raises(SandboxControlError, match="fail_rate must be between 0 and 1"):
        await controls.set_faults(fail_rate=3)
    with pytest.raises(SandboxControlError, match="unknown fault"):
        await controls.set_faults(nonsense=1)
    assert simulator.faults.fail_rate == 0


async def test_docs_quirks_switch_off_and_on(simulator: Sandbox) -> None:
    controls = SandboxControls(simulator.base_url)
    quirks = await controls.quirks()
    assert quirks and all(quirks.values())  # every quirk on by default
    after = await controls.set_quirks(preview_pending=False)
    assert after["preview_pending"] is False and not simulator.quirks.preview_pending
    await controls.set_quirks(preview_pending=True)
    assert simulator.quirks.preview_pending


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_stopped_sandbox_says_it_cannot_be_reached() -> None:
    controls = SandboxControls(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(SandboxControlError, match="cannot be reached"):
        await controls.state()


async def test_an_address_that_is_not_the_sandbox_is_named() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not Found</html>")
    controls = SandboxControls("http://127.0.0.1:8080", transport=httpx.MockTransport(answer))
    with pytest.raises(SandboxControlError, match="really the sandbox"):
        await controls.faults()


async def test_the_session_gives_the_address_of_its_sandbox_only_in_sandbox_mode(
        tmp_path: Path) -> None:
    session = Session(tmp_path / "output", data_dir=tmp_path / "data", sandbox_speed=200)
    try:
        assert session.sandbox_address is None
        with pytest.raises(SandboxControlError, match="Not using the sandbox"):
            session.sandbox_controls()
        url = await session.use_sandbox()
        assert session.mode == Mode.SANDBOX and session.sandbox_served_here
        assert session.sandbox_address == url
        state = await session.sandbox_controls().state()
        assert state.speed == 200 and state.balance == 500
        await session.drop_connection()
        assert session.sandbox_address is None
    finally:
        await session.aclose()
