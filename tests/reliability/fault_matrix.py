"""The fault matrix: every simulator fault alone, then all together, jobs through the app's
``JobManager``; every job must end in the state the simulator says it is in.

A scenario:

1. a fresh simulator (no faults yet) gives the inputs the forms need (a link, an avatar, a
   voice, media URLs);
2. the scenario's faults are switched on and ``jobs`` jobs are submitted through
   ``JobManager.submit`` (``stream_text`` for some Text Generator jobs), rotating over every
   generator, each with inputs of its own so that a lost answer can be matched;
3. the manager follows them while the faults last; an ``unknown`` job (its answer was lost) is
   looked up again, as the user's "look again" does;
4. the faults are lifted: every unknown job is looked up once more and every failed download
   fetched again once (the user's "download again"), and the manager runs until all settle;
5. the ledger is compared with the simulator's jobs and its create log.

Counts: ``crashes`` (an exception out of ``submit`` that is not one of the app's own errors,
a failed background task, an exception reported to the event loop), ``lost_jobs`` (a job the
simulator created that the ledger does not follow to its end), ``duplicate_creates`` (the
same request body, or name tag, created twice), ``wrong_states`` (a settled job whose status
is not the simulator's), ``downloads_lost`` (a finished result not saved even after the faults
were lifted and the download retried once).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.api import resources as R
from app.api.client import CreatifyClient, RetryPolicy
from app.api.errors import CreatifyError
from app.generators import SPECS, Action, SpecError
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger
from app.jobs.manager import JobManager
from app.jobs.scheduler import PollPolicy
from app.sandbox import Faults, Sandbox
from tests.samples import Inputs, valid_values

SPEED = 200.0
RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)

FAULT_VALUES: dict[str, Any] = {
    "error_rate": 0.3,
    "rate_limit_rate": 0.2,
    "latency": 0.02,
    "reset_rate": 0.15,
    "malformed_rate": 0.2,
    "fail_rate": 0.3,
    "reject_rate": 0.3,
    "unknown_status_rate": 0.3,
    "insufficient_credits": True,
    "reset_next_create_after_processing": "jobs",  # every create of the scenario
    "reset_next_request_before_processing": 3,
}
"""Each fault of :class:`app.sandbox.Faults` and the strength it is run at (``"jobs"``: as
many as the scenario submits, so every generator's lost answer is reconciled)."""
PARAMETERS: dict[str, Any] = {"retry_after": 0.05}
"""Fields of :class:`Faults` that shape another fault rather than being one."""

SKIPPED = {"product_video"}
"""A Product Video animates a finished product image, once: it needs a fresh image per job
(made before the faults start); its Product Image step is in the rotation."""
_TAG = re.compile(r"\[(\w+)\]$")


def scenarios(jobs: int) -> list[tuple[str, dict[str, Any]]]:
    """Every fault alone, then all together (without and with ``insufficient_credits``,
    which refuses every paid request and so hides the others)."""
    known = {f.name for f in dataclasses.fields(Faults)}
    missing = known - set(FAULT_VALUES) - set(PARAMETERS)
    if missing:
        raise SystemExit(f"the simulator has faults the matrix does not run: "
                         f"{', '.join(sorted(missing))} (add them to FAULT_VALUES)")
    values = {name: jobs if value == "jobs" else value for name, value in FAULT_VALUES.items()}
    alone = [(name, {name: value, **PARAMETERS}) for name, value in values.items()]
    together = {**values, **PARAMETERS, "insufficient_credits": False}
    return [*alone, ("all", together),
            ("all+insufficient_credits", {**together, "insufficient_credits": True})]


# -------------------------------------------------------------------------- inputs


async def _inputs(server: Sandbox, client: CreatifyClient) -> Inputs:
    media = f"{server.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    return Inputs(link_id=link.id, persona_id=(await client.personas())[0]["id"],
                  accent_id=(await client.voices())[0]["accents"][0]["id"],
                  image_url=f"{media}/sample.png",
                  audio_url=f"{media}/sample.mp3?duration=12",
                  video_url=f"{media}/sample.mp4?duration=31")


def _unique(key: str, values: dict[str, Any], n: int) -> dict[str, Any]:
    """``values`` made unique to job ``n`` (a word in the script, a query in a URL), so a
    job whose answer was lost can be told apart in Creatify's list."""
    values = copy.deepcopy(values)
    for name in ("script", "text", "prompt"):
        if isinstance(values.get(name), str):
            values[name] = f"{values[name]} job{n}"
    if key == "avatar_v2":
        values["scenes"][0]["input_text"] += f" job{n}"
    if key == "asset_generator":
        values["input_params"]["prompt"] += f" job{n}"
    if key == "custom_template":
        values["variables"]["headline"]["value"] += f" {n}"
    for name in ("url", "audio", "video_url", "product_url"):
        if isinstance(values.get(name), str):
            sep = "&" if "?" in values[name] else "?"
            values[name] = f"{values[name]}{sep}job={n}"
    return values


# -------------------------------------------------------------------------- one scenario


def _app_error(exc: BaseException) -> bool:
    """One of the app's own errors, raised to tell the user something (``CreatifyError``,
    ``SpecError``, the ledger's and the budget guard's ...): not a crash. Anything else —
    ``KeyError``, ``TypeError``, an ``httpx`` or ``sqlite3`` exception — is."""
    return isinstance(exc, CreatifyError | SpecError) or (
        isinstance(exc, Exception) and type(exc).__module__.startswith("app."))


@dataclasses.dataclass
class Outcome:
    name: str
    jobs: int = 0
    refused: int = 0
    created: int = 0
    done: int = 0
    failed: int = 0
    unknown_never_created: int = 0
    crashes: int = 0
    lost_jobs: int = 0
    duplicate_creates: int = 0
    wrong_states: int = 0
    downloads_saved: int = 0
    downloads_retried: int = 0
    downloads_lost: int = 0
    details: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


def _settled(records: list[JobRecord], manager: JobManager) -> bool:
    for r in records:
        if r.state is JobState.SUBMITTING:
            return False
        if r.state.is_active and r.state is not JobState.UNKNOWN:
            return False
        if r.state in (JobState.DONE, JobState.IMAGE_DONE) and r.result_urls and \
                r.download_state not in (DownloadState.DONE, DownloadState.FAILED):
            return False
    # Background work still under way (an automatic look for a lost answer, a download)
    # means not settled yet: only the poll scheduler's own task may remain.
    return manager.downloads.in_flight == 0 and manager.downloads.waiting == 0 \
        and len(manager.tasks) <= 1


async def _follow(ledger: Ledger, manager: JobManager, timeout: float) -> None:
    """Until settled (or ``timeout``): look again at unknown jobs now and then."""
    deadline = time.monotonic() + timeout
    last_look = 0.0
    while time.monotonic() < deadline:
        records = ledger.page(limit=10_000, include_hidden=True)
        if _settled(records, manager):
            return
        if time.monotonic() - last_look > 0.2:
            last_look = time.monotonic()
            for record in records:
                if record.state is JobState.UNKNOWN:
                    await manager.look_again(record.key)
        await asyncio.sleep(0.02)


async def run_scenario(name: str, faults: Mapping[str, Any], jobs: int, seed: int,
                       folder: Path) -> Outcome:
    outcome = Outcome(name)
    started = time.monotonic()
    loop = asyncio.get_running_loop()

    def crashed(where: str, exc: BaseException | None, text: str = "") -> None:
        outcome.crashes += 1
        what = f"{type(exc).__name__}: {exc}" if exc is not None else text
        outcome.details.append(f"crash in {where}: {what}"[:400])

    loop.set_exception_handler(
        lambda _loop, context: crashed("event loop", context.get("exception"),
                                       str(context.get("message"))))
    rng = random.Random(seed)
    with Sandbox(speed=SPEED, balance=10**7, seed=seed) as server:
        client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url, retry=RETRY,
                                timeout=10)
        inputs = await _inputs(server, client)
        ledger = Ledger(folder / "jobs.sqlite3")
        manager = JobManager(client, ledger, folder / "out", policy=PollPolicy().scaled(SPEED),
                             on_error=lambda task, exc: crashed(f"task {task}", exc))
        await manager.start()
        first_create = len(server.create_log)
        server.set_faults(**faults)
        generators = [s for s in SPECS if s.key not in SKIPPED]
        rng.shuffle(generators)
        for n in range(jobs):
            gen = generators[n % len(generators)]
            values = _unique(gen.key, {**gen.defaults(), **valid_values(gen.key, inputs)}, n)
            outcome.jobs += 1
            try:
                if gen.action is Action.TEXT_GENERATE and n % 2:
                    await manager.stream_text(gen, values, on_delta=lambda _text: None)
                else:
                    await manager.submit(gen, values)
            except Exception as exc:
                if _app_error(exc):
                    outcome.refused += 1  # refused with a message: nothing was created
                else:
                    crashed(f"submit {gen.key}", exc)
        await _follow(ledger, manager, timeout=20)
        server.set_faults(**{k: type(v)() for k, v in dataclasses.asdict(Faults()).items()
                             if k not in PARAMETERS})
        # Let the looks and downloads under way finish (a "look again" while the app's own
        # look is running is a no-op), then look and download again once, as the user would.
        deadline = time.monotonic() + 30
        while len(manager.tasks) > 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        for record in ledger.page(limit=10_000, include_hidden=True):
            if record.state is JobState.UNKNOWN:
                await manager.look_again(record.key)
            if record.download_state is DownloadState.FAILED:
                outcome.downloads_retried += 1
                manager.download(record.key)  # the user's "download again"
        await _follow(ledger, manager, timeout=30)
        records = ledger.page(limit=10_000, include_hidden=True)
        await manager.aclose()
        ledger.close()
        await client.aclose()
        _judge(outcome, server, records, server.create_log[first_create:])
    loop.set_exception_handler(None)
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def _truth(server: Sandbox, records: list[JobRecord]) -> dict[tuple[str, str], str | None]:
    """(resource, id) -> the simulator's status (links: ``None``; they have none)."""
    out: dict[tuple[str, str], str | None] = {}
    for resource_key in {r.resource for r in records} | {"links"}:
        for job in server.jobs(resource_key):
            out[(resource_key, job["id"])] = job.get("status")
    return out


def _judge(outcome: Outcome, server: Sandbox, records: list[JobRecord],
           creates: list[Any]) -> None:
    truth = _truth(server, records)
    known = {(r.resource, r.server_id) for r in records if r.server_id}
    paths = {R.resource(r.resource).path: r.resource for r in records}
    paths.update({"/api/links/": "links", R.TEXT_GENERATOR_CREATE_PATH: "text_generator",
                  R.TEXT_GENERATOR_STREAM_PATH: "text_generator",
                  R.PRODUCT_TO_VIDEOS.action_path("gen_image"): "product_to_videos"})
    bodies: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for create in creates:
        body = create.body if isinstance(create.body, dict) else {"raw": create.body}
        match = _TAG.search(str(body.get("name", "")))
        if match:
            tags[match.group(1)] += 1
        else:
            bodies[json.dumps({k: v for k, v in body.items() if k != "sync"},
                              sort_keys=True, default=str)] += 1
        if create.job_id is None:
            continue
        outcome.created += 1
        resource_key = paths.get(create.path)
        if resource_key is None or (resource_key, create.job_id) not in known:
            outcome.lost_jobs += 1
            outcome.details.append(f"lost: {create.path} {create.job_id} (status "
                                   f"{create.status_code}) is not followed by the ledger")
    outcome.duplicate_creates = sum(n - 1 for n in (*tags.values(), *bodies.values()) if n > 1)
    for record in records:
        if record.server_id is None:
            if record.state is JobState.UNKNOWN:
                outcome.unknown_never_created += 1
            elif record.state is not JobState.NOT_CREATED:
                outcome.lost_jobs += 1
                outcome.details.append(f"{record.generator} {record.key[:8]} ended "
                                       f"{record.state.value} without a server id")
            continue
        if not record.state.is_terminal:
            outcome.lost_jobs += 1
            outcome.details.append(f"{record.generator} {record.server_id} never settled: "
                                   f"{record.state.value} ({record.raw_status})")
            continue
        wanted = truth.get((record.resource, record.server_id), "missing")
        # A link has no status: it is right when the simulator has it.
        ok = wanted is None if record.resource == "links" else wanted == record.raw_status
        if not ok:
            outcome.wrong_states += 1
            outcome.details.append(f"{record.generator} {record.server_id}: ledger "
                                   f"{record.raw_status!r}, simulator {wanted!r}")
        if record.state in (JobState.DONE, JobState.IMAGE_DONE):
            outcome.done += 1
        else:
            outcome.failed += 1
        if record.state in (JobState.DONE, JobState.IMAGE_DONE) and record.result_urls:
            saved = Path(record.download_path or "")
            if record.download_state is DownloadState.DONE and saved.is_file() \
                    and saved.stat().st_size > 0:
                outcome.downloads_saved += 1
            else:
                outcome.downloads_lost += 1
                outcome.details.append(f"{record.generator} {record.server_id}: result not "
                                       f"saved ({record.download_state.value}: "
                                       f"{record.download_error})")


# -------------------------------------------------------------------------- the matrix


MUST_BE_ZERO = ("crashes", "lost_jobs", "duplicate_creates", "wrong_states", "downloads_lost")


def run(jobs: int, rounds: int, seed: int, *, progress: Any = None) -> dict[str, Any]:
    master = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="creatify-fault-matrix-"))
    started = time.monotonic()
    outcomes: list[Outcome] = []
    logging.getLogger("app").setLevel(logging.CRITICAL)  # expected warnings, not news
    try:
        for round_index in range(rounds):
            for name, faults in scenarios(jobs):
                folder = work / f"{round_index}-{name}"
                folder.mkdir()
                outcome = asyncio.run(run_scenario(name, faults, jobs, master.getrandbits(32),
                                                   folder))
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    by_scenario: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = by_scenario.setdefault(o.name, Counter())
        for key in ("jobs", "created", "done", "failed", "refused", "unknown_never_created",
                    *MUST_BE_ZERO):
            row[key] += getattr(o, key)
    total = {key: sum(getattr(o, key) for o in outcomes)
             for key in ("jobs", "created", "done", "failed", "refused",
                         "unknown_never_created", "downloads_saved", "downloads_retried",
                         *MUST_BE_ZERO)}
    return {
        "suite": "faults",
        "seed": seed,
        "rounds": rounds,
        "jobs_per_scenario": jobs,
        "scenarios": len(outcomes),
        **total,
        "by_scenario": {name: dict(row) for name, row in by_scenario.items()},
        "details": [f"{o.name}: {d}" for o in outcomes for d in o.details][:30],
        "seconds": round(time.monotonic() - started, 1),
    }


__all__ = ["FAULT_VALUES", "MUST_BE_ZERO", "PARAMETERS", "run", "scenarios"]
