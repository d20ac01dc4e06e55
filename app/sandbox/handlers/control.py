"""Handlers of the ``/_sandbox/`` control endpoints: state, faults, quirks, the create log.

No authentication and no faults touch them (they are for tests and people with curl).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.api import resources as res
from app.sandbox.account import Account
from app.sandbox.routing import Call
from app.sandbox.wire import ApiError, Response, json_number

__all__ = ["creates", "faults", "quirks", "set_faults", "set_quirks", "state"]


def state(a: Account, call: Call) -> Response:
    counts = {key: len(jobs) for key, jobs in a.jobs.items()}
    counts[res.LINKS.key] = len(a.links)
    return Response(200, {"balance": json_number(a.balance), "jobs": counts,
                          "creates": len(a.create_log), "speed": a.speed})


def faults(a: Account, call: Call) -> Response:
    return Response(200, asdict(a.faults))


def _changes(call: Call, what: str) -> dict[str, Any]:
    if not isinstance(call.body, dict):
        raise ApiError(400, {"detail": f"Expected a JSON object of {what} settings."})
    return call.body


def set_faults(a: Account, call: Call) -> Response:
    try:
        a.faults = a.faults.updated(_changes(call, "fault"))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": str(exc)}) from None
    return Response(200, asdict(a.faults))


def quirks(a: Account, call: Call) -> Response:
    return Response(200, asdict(a.quirks))


def set_quirks(a: Account, call: Call) -> Response:
    try:
        a.quirks = a.quirks.updated(_changes(call, "quirk"))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": str(exc)}) from None
    return Response(200, asdict(a.quirks))


def creates(a: Account, call: Call) -> Response:
    return Response(200, [asdict(record) for record in a.create_log])
