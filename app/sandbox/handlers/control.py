"""Handlers of the ``/_sandbox/`` control endpoints: state, faults, quirks, the create log.

No authentication and no faults touch them (they are for tests and people with curl).
"""

from __future__ import annotations

from dataclasses import asdict

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


def set_faults(a: Account, call: Call) -> Response:
    if not isinstance(call.body, dict):
        raise ApiError(400, {"detail": "Expected a JSON object of fault settings."})
    try:
        a.faults = a.faults.updated(call.body)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": str(exc)}) from None
    return Response(200, asdict(a.faults))


def quirks(a: Account, call: Call) -> Response:
    return Response(200, asdict(a.quirks))


def set_quirks(a: Account, call: Call) -> Response:
    if not isinstance(call.body, dict):
        raise ApiError(400, {"detail": "Expected a JSON object of quirk settings."})
    try:
        a.quirks = a.quirks.updated(call.body)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": str(exc)}) from None
    return Response(200, asdict(a.quirks))


def creates(a: Account, call: Call) -> Response:
    return Response(200, [asdict(record) for record in a.create_log])
