"""The sandbox's run-time controls, read and changed over its own HTTP endpoints.

The simulator answers ``GET /_sandbox/state`` (balance, job counts, speed), ``GET|POST
/_sandbox/faults`` and ``GET|POST /_sandbox/quirks`` (``app.sandbox``). :class:`SandboxControls`
talks to them with httpx — the same way whichever process serves the sandbox (this one, or
another Creatify Studio on the same data folder) — and turns every failure into a
:class:`SandboxControlError` whose message is fit for the user. :class:`SandboxDesk` is the
session's side: where the sandbox in use is served, and its controls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from app.api.client import CreatifyClient
from app.session._events import Mode
from app.session._sandbox import SandboxElsewhere, forget_sandbox_ledger, sandbox_state_path
from app.session._sandbox_process import SandboxProcess

if TYPE_CHECKING:
    from app.sandbox import Sandbox

__all__ = ["SandboxControlError", "SandboxControls", "SandboxDesk", "SandboxState"]

TIMEOUT = 5.0
"""Seconds a control call may take (loopback; the endpoints never suffer the faults)."""


class SandboxControlError(RuntimeError):
    """A control call failed; the message says why in plain words."""


@dataclass(frozen=True)
class SandboxState:
    """What ``GET /_sandbox/state`` says of the simulated account."""

    balance: Decimal
    jobs: dict[str, int]
    speed: float

    @property
    def job_count(self) -> int:
        return sum(self.jobs.values())


def _state_from(body: Any) -> SandboxState:
    try:
        balance = Decimal(str(body["balance"]))
        jobs = {str(k): int(v) for k, v in dict(body.get("jobs") or {}).items()}
        speed = float(body["speed"])
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
        raise SandboxControlError("The sandbox answered its state in a form this version "
                                  "does not read.") from None
    return SandboxState(balance, jobs, speed)


class SandboxControls:
    """The control endpoints of the simulator at ``base_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._transport = transport

    @property
    def port(self) -> int | None:
        return urlsplit(self.base_url).port

    async def _call(self, method: str, what: str, body: dict[str, Any] | None = None) -> Any:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=TIMEOUT,
                                         transport=self._transport) as http:
                answer = await http.request(method, f"/_sandbox/{what}", json=body)
        except httpx.TimeoutException:
            raise SandboxControlError(f"The sandbox at {self.base_url} did not answer within "
                                      f"{TIMEOUT:g} s.") from None
        except httpx.HTTPError:
            raise SandboxControlError(f"The sandbox at {self.base_url} cannot be reached: is "
                                      "it still running?") from None
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status_code != 200:
            detail = data.get("detail") if isinstance(data, dict) else None
            raise SandboxControlError(f"The sandbox refused: {detail}" if detail else
                                      f"The sandbox answered {answer.status_code} to "
                                      f"/_sandbox/{what}; is this address really the sandbox?")
        if not isinstance(data, dict):
            raise SandboxControlError(f"The sandbox's /_sandbox/{what} answer is not readable.")
        return data

    async def state(self) -> SandboxState:
        return _state_from(await self._call("GET", "state"))

    async def faults(self) -> dict[str, Any]:
        """Every fault knob and its value (``app.sandbox.Faults``' fields)."""
        return dict(await self._call("GET", "faults"))

    async def set_faults(self, **changes: Any) -> dict[str, Any]:
        """Change some faults; every knob's new value. A bad name or value is refused with
        the simulator's reason (nothing changes)."""
        return dict(await self._call("POST", "faults", changes))

    async def quirks(self) -> dict[str, bool]:
        """Every docs quirk, on or off."""
        return {k: bool(v) for k, v in (await self._call("GET", "quirks")).items()}

    async def set_quirks(self, **changes: bool) -> dict[str, bool]:
        return {k: bool(v) for k, v in (await self._call("POST", "quirks", changes)).items()}


class SandboxDesk:
    """The session's side of the sandbox (mixed into :class:`~app.session.Session`): where
    it runs — in this process or in a child process — and its controls."""

    mode: str
    client: CreatifyClient | None
    data_dir: Path
    sandbox_speed: float
    sandbox_in_process: bool
    sandbox: Sandbox | None
    sandbox_process: SandboxProcess | None

    def _new_sandbox(self) -> Sandbox:
        """The simulator for this process (``sandbox_in_process``), not started."""
        raise NotImplementedError

    @property
    def sandbox_state_path(self) -> Path:
        return sandbox_state_path(self.data_dir)

    def _served_url(self) -> str | None:
        """Where this process's simulator serves (``None``: none runs here)."""
        if self.sandbox is not None:
            return self.sandbox.base_url
        if self.sandbox_process is not None and self.sandbox_process.running:
            return self.sandbox_process.base_url
        return None

    def _start_sandbox(self) -> str:
        """Start the simulator (reading its state file): blocking, off the loop; its URL.
        :class:`SandboxElsewhere` when another process serves it (nothing is forgotten).
        A fresh account (no state yet, or a damaged one set aside) forgets the old sandbox
        ledger, whose jobs it would not know."""
        if self.sandbox_in_process and self.sandbox_process is None:
            sandbox = self._new_sandbox()
            from app.sandbox import SandboxBusy  # the simulator only when it runs here

            try:
                url = sandbox.start()
            except SandboxBusy as busy:
                raise SandboxElsewhere(busy.state_path, busy.base_url) from None
            self.sandbox, restored = sandbox, sandbox.restored
        else:
            process = self.sandbox_process or SandboxProcess(
                speed=self.sandbox_speed, state_path=self.sandbox_state_path)
            url = process.start()
            self.sandbox_process, restored = process, process.restored
        if not restored:
            forget_sandbox_ledger(self.data_dir)
        return url

    async def _stop_sandbox(self) -> None:
        """Stop the simulator this process runs (in process or the child), if any."""
        sandbox, self.sandbox = self.sandbox, None
        process, self.sandbox_process = self.sandbox_process, None
        if sandbox is not None:
            await asyncio.to_thread(sandbox.stop)
        if process is not None:
            await asyncio.to_thread(process.stop)


    @property
    def sandbox_address(self) -> str | None:
        """Where the sandbox in use is served (``http://127.0.0.1:PORT``), whichever process
        serves it; ``None`` outside sandbox mode."""
        if self.mode != Mode.SANDBOX or self.client is None:
            return None
        return str(self.client.base_url).rstrip("/")

    @property
    def sandbox_served_here(self) -> bool:
        """Whether this process runs the simulator — in process or in its child process —
        (else another Creatify Studio does)."""
        return self.sandbox is not None or (self.sandbox_process is not None
                                            and self.sandbox_process.running)

    def sandbox_controls(self) -> SandboxControls:
        """The controls of the sandbox in use; :class:`SandboxControlError` outside sandbox
        mode."""
        address = self.sandbox_address
        if address is None:
            raise SandboxControlError("Not using the sandbox: its controls are for the "
                                      "offline sandbox only.")
        return SandboxControls(address)
