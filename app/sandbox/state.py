"""The simulated account as a JSON document, and back: what a persistent sandbox keeps.

:func:`dump` turns an :class:`~app.sandbox.account.Account` into plain JSON data; :func:`load`
puts such data back into an account. Kept: the balance, every job with its run (times
on the wall clock, so a job in flight goes on from where it was when the simulator starts
again: a run whose end passed while it was stopped is finished, and charged, at the next
request — once, since a finished run is never kept), links, custom avatars, cloned voices,
the create log, the random generator (so a seeded simulator never hands out an id twice) and
the base URL the URLs in it were made with. Not kept: faults, quirks and speed (how this run
of the simulator is set up, from its constructor or command line), the request log (one run's
traffic) and what running jobs still owe (``reserved``: recomputed from the runs).

:func:`load` reads everything first and changes the account only when all of it was good,
so a damaged document raises :class:`StateError` and leaves the account as it was.
:func:`rebase` rewrites the URLs the state holds when the simulator serves at another
address than the one that made them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from app.sandbox.account import Account
from app.sandbox.jobs import Charge, Job, Run, Stage
from app.sandbox.wire import CreateRecord, UploadedFile

__all__ = ["FORMAT", "StateError", "dump", "load", "rebase"]

FORMAT = 1
"""The document's ``format``; another value is refused (set aside, never guessed at)."""


class StateError(ValueError):
    """The state document cannot be read back (damaged, another format, or naming a
    resource this simulator does not serve)."""


# --------------------------------------------------------------------------------------------
# Values: JSON plus the few Python types the state holds, tagged


def _encode(value: Any) -> Any:
    """``value`` as JSON data: ``Decimal``, tuples and uploaded-file stand-ins are tagged
    (``{"$decimal": "1.5"}`` ...); a dict with a ``$`` key is wrapped so no tag is faked."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, UploadedFile):
        return {"$upload": [value.filename, value.content_type, value.size]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if any(not isinstance(k, str) for k in value):
            raise TypeError(f"state keys must be text, not {list(value)!r}")
        if any(k.startswith("$") for k in value):
            return {"$dict": [[k, _encode(v)] for k, v in value.items()]}
        return {k: _encode(v) for k, v in value.items()}
    raise TypeError(f"the sandbox state cannot hold {type(value).__name__} values")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$decimal":
            return _decimal(inner)
        if tag == "$tuple":
            return tuple(_decode(v) for v in _list(inner))
        if tag == "$dict":
            return {_text(k): _decode(v) for k, v in _list(inner)}
        if tag == "$upload":
            name, kind, size = _list(inner)
            return UploadedFile(_text(name), _text(kind), _int(size))
    return {k: _decode(v) for k, v in value.items()}


def _decimal(raw: Any) -> Decimal:
    try:
        number = Decimal(_text(raw))
    except InvalidOperation:
        raise StateError(f"not a number: {raw!r}") from None
    if not number.is_finite():
        raise StateError(f"not a finite number: {raw!r}")
    return number


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise StateError(f"expected text, found {raw!r}")
    return raw


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise StateError(f"expected a whole number, found {raw!r}")
    return raw


def _float(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise StateError(f"expected a number, found {raw!r}")
    return float(raw)


def _list(raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise StateError(f"expected a list, found {type(raw).__name__}")
    return raw


def _object(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise StateError(f"expected an object, found {type(raw).__name__}")
    return raw


def _optional(raw: Any, read: Callable[[Any], Any]) -> Any:
    return None if raw is None else read(raw)


# --------------------------------------------------------------------------------------------
# The account out


def dump(a: Account) -> dict[str, Any]:
    """``a`` as JSON data (call with the world's lock held; nothing in ``a`` changes)."""
    to_wall = a.epoch.__add__
    jobs = [_dump_job(job, to_wall) for per_resource in a.jobs.values()
            for job in per_resource.values()]
    jobs.sort(key=lambda j: j["number"])
    version, internal, gauss = a.rng.getstate()
    return {
        "format": FORMAT,
        "saved_at": to_wall(a.clock()),
        "base_url": a.base_url,
        "balance": str(a.balance),
        "jobs": jobs,
        "links": _encode(list(a.links.values())),
        "personas": _encode(list(a.personas.values())),
        "voices": _encode(a.voices),
        "create_log": [{"path": r.path, "body": _encode(r.body), "job_id": r.job_id,
                        "status_code": r.status_code, "time": r.time} for r in a.create_log],
        "random": [version, list(internal), gauss],
    }


def _dump_job(job: Job, to_wall: Callable[[float], float]) -> dict[str, Any]:
    run = job.run
    return {
        "id": job.id, "number": job.number, "resource": job.resource.key,
        "body": _encode(job.body), "fields": _encode(job.fields),
        "length": None if job.length is None else str(job.length),
        "created": to_wall(job.created), "status": job.status,
        "updated": to_wall(job.updated), "credits": str(job.credits),
        "progress": job.progress, "awaiting_render": job.awaiting_render,
        "answer": job.answer, "previews": _encode(job.previews),
        "run": None if run is None else {
            "stage": run.stage.value,
            "steps": [[to_wall(t), status] for t, status in run.steps],
            "planned_end": to_wall(run.planned_end), "end": to_wall(run.end),
            "outcome": run.outcome, "reason": run.reason, "cost": str(run.cost),
            "charge": run.charge.value, "blocks": run.blocks, "charged": str(run.charged)},
    }


# --------------------------------------------------------------------------------------------
# The account in


def load(a: Account, data: Any) -> None:
    """Put the state ``data`` into ``a`` (with the world's lock held, before any request).
    :class:`StateError` when anything in it is wrong; ``a`` is then left untouched."""
    try:
        restored = _read(a, data)
    except StateError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise StateError(f"{type(exc).__name__}: {exc}") from None
    restored(a)


def _read(a: Account, data: Any) -> Callable[[Account], None]:
    """Check and convert everything; return the step that commits it (which cannot fail)."""
    doc = _object(data)
    if doc.get("format") != FORMAT:
        raise StateError(f"unknown state format {doc.get('format')!r} (expected {FORMAT})")
    to_clock: Callable[[float], float] = lambda wall: _float(wall) - a.epoch  # noqa: E731
    jobs = [_read_job(a, _object(raw), to_clock) for raw in _list(doc["jobs"])]
    if len({job.id for job in jobs}) != len(jobs):
        raise StateError("two jobs share an id")
    links = [_object(link) for link in _decode(_list(doc["links"]))]
    personas = [_object(p) for p in _decode(_list(doc["personas"]))]
    voices = [_object(v) for v in _decode(_list(doc["voices"]))]
    log = [CreateRecord(_text(r["path"]), _decode(r["body"]), _optional(r["job_id"], _text),
                        _int(r["status_code"]), _float(r["time"]))
           for r in map(_object, _list(doc["create_log"]))]
    version, internal, gauss = _list(doc["random"])
    rng_state = (_int(version), tuple(_int(n) for n in _list(internal)),
                 _optional(gauss, _float))
    balance = _decimal(doc["balance"])
    base_url = _text(doc.get("base_url", ""))
    probe = type(a.rng)()
    probe.setstate(rng_state)  # a damaged generator state raises here, not while committing

    def commit(target: Account) -> None:
        target.balance = balance
        target.base_url = base_url
        target.jobs = {key: {} for key in target.behaviours}
        target.by_id, target.media_jobs, target.events = {}, {}, []
        target.reserved = Decimal(0)
        for job in jobs:
            target.jobs[job.resource.key][job.id] = job
            target.by_id[job.id] = job
            for preview in job.previews:
                target.media_jobs[preview["media_job"]] = job
            if job.run is not None:
                target.reserved += job.run.cost - job.run.charged
        target.sequence = itertools.count(max((job.number for job in jobs), default=-1) + 1)
        now = target.clock()
        for job in jobs:  # the heap of next events, due ones first at the next request
            if job.run is not None:
                target.events.append((job.run.next_event(now), next(target.sequence), job,
                                      job.run))
        target.events.sort(key=lambda event: (event[0], event[1]))
        target.links = {_text(link["id"]): link for link in links}
        target.personas = {_text(p["id"]): p for p in personas}
        target.voices = voices
        target.create_log = log
        target.rng.setstate(rng_state)

    return commit


def _read_job(a: Account, raw: Mapping[str, Any], to_clock: Callable[[float], float]) -> Job:
    key = _text(raw["resource"])
    behaviour = a.behaviours.get(key)
    if behaviour is None:
        raise StateError(f"a job of {key!r}, a resource this simulator does not serve")
    previews = [_object(p) for p in _decode(_list(raw["previews"]))]
    for preview in previews:
        _text(preview["media_job"])
    run_raw = raw["run"]
    run = None
    if run_raw is not None:
        r = _object(run_raw)
        steps = tuple((to_clock(t), _text(status)) for t, status in _list(r["steps"]))
        if not steps:
            raise StateError("a run without steps")
        run = Run(stage=Stage(r["stage"]), steps=steps,
                  planned_end=to_clock(r["planned_end"]), end=to_clock(r["end"]),
                  outcome=_text(r["outcome"]), reason=_optional(r["reason"], _text),
                  cost=_decimal(r["cost"]), charge=Charge(r["charge"]),
                  blocks=_int(r["blocks"]), charged=_decimal(r["charged"]))
        if run.blocks < 1 or not Decimal(0) <= run.charged <= run.cost:
            raise StateError(f"a run of job {raw['id']!r} charged {run.charged} of {run.cost}")
    body = _decode(_object(raw["body"]))
    fields = _decode(_object(raw["fields"]))
    return Job(id=_text(raw["id"]), number=_int(raw["number"]), behaviour=behaviour,
               body=body, fields=fields, length=_optional(raw["length"], _decimal),
               created=to_clock(raw["created"]), status=_text(raw["status"]),
               updated=to_clock(raw["updated"]), credits=_decimal(raw["credits"]),
               progress=_float(raw["progress"]), run=run,
               awaiting_render=bool(raw["awaiting_render"]), answer=_text(raw["answer"]),
               previews=previews)


# --------------------------------------------------------------------------------------------
# Another address


def rebase(a: Account, old: str, new: str) -> None:
    """Rewrite every URL under ``old`` (the address the state's URLs were made with) to
    ``new``: job objects and their bodies, previews, links, custom avatars and voices. The
    create log keeps what was sent."""
    if not old or old == new:
        return

    def move(value: Any) -> Any:
        if isinstance(value, str):
            if value == old or value.startswith((old + "/", old + "?")):
                return new + value[len(old):]
            return value
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, tuple):
            return tuple(move(v) for v in value)
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        return value

    for job in a.by_id.values():
        job.fields = move(job.fields)
        job.body = move(job.body)
        job.previews = move(job.previews)
    a.links = {k: move(v) for k, v in a.links.items()}
    a.personas = {k: move(v) for k, v in a.personas.items()}
    a.voices = move(a.voices)
