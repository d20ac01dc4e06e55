"""The sandbox's run-time controls, read and changed over its own HTTP endpoints.

The simulator answers ``GET /_sandbox/state`` (balance, job counts, speed), ``GET|POST
/_sandbox/faults`` and ``GET|POST /_sandbox/quirks`` (``app.sandbox``). :class:`SandboxControls`
talks to them with httpx — the same way whichever process serves the sandbox (this one, or
another Creatify Studio on the same data folder) — and turns every failure into a
:class:`SandboxControlError` whose message is fit for the user. :class:`SandboxDesk` is the
session's side: where the sandbox in use is served, and its controls.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.api.client import CreatifyClient
from app.sandbox import Sandbox
from app.session._events import Mode

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
    """The session's side of the controls (mixed into :class:`~app.session.Session`)."""

    mode: str
    client: CreatifyClient | None
    sandbox: Sandbox | None

    @property
    def sandbox_address(self) -> str | None:
        """Where the sandbox in use is served (``http://127.0.0.1:PORT``), whichever process
        serves it; ``None`` outside sandbox mode."""
        if self.mode != Mode.SANDBOX or self.client is None:
            return None
        return str(self.client.base_url).rstrip("/")

    @property
    def sandbox_served_here(self) -> bool:
        """Whether this process runs the simulator (else another Creatify Studio does)."""
        return self.sandbox is not None

    def sandbox_controls(self) -> SandboxControls:
        """The controls of the sandbox in use; :class:`SandboxControlError` outside sandbox
        mode."""
        address = self.sandbox_address
        if address is None:
            raise SandboxControlError("Not using the sandbox: its controls are for the "
                                      "offline sandbox only.")
        return SandboxControls(address)
