"""One poll scheduler for every job: batched list reads, adaptive intervals, reconciliation.

There is no task per job. One loop groups the jobs that are due by resource and reads them
through ``GET /api/<resource>/?ids=`` (at most 100 ids a request); a resource whose list
documents no ``ids`` (Ad Clone, the Text Generator) is read job by job with ``GET {id}/``,
a bounded number a round. A job is polled quickly at
first and less often as it ages (with jitter, so jobs started together spread out). A 429 or
``Retry-After`` slows everyone down; losing the network pauses polling and it resumes by
itself. Creates whose outcome is ambiguous are looked up in the resource's list — never sent
again; a render, which runs on its preview's server job, is looked up on that job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.api.client import CreatifyClient, Link
from app.api.errors import (
    ConnectionFailedError,
    CreatifyError,
    RateLimitedError,
    TimeoutFailedError,
)
from app.api.resources import LINKS, MAX_IDS_PER_LIST, resource
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators.submit import link_snapshot
from app.jobs.ledger import JobRecord, JobState, Ledger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often a job is read, by age; how long to back off after trouble."""

    steps: tuple[tuple[float, float], ...] = ((30, 2.0), (120, 5.0), (600, 15.0))
    slowest: float = 30.0
    jitter: float = 0.2
    network_backoff: tuple[float, float] = (2.0, 60.0)
    rate_limit_default: float = 10.0
    coalesce: float = 1.0
    """Jobs due within this many seconds ride along with a request going out now."""
    stalled_after: float = 2.0
    """A job is "stalled" past this many times its generator's expected time."""
    match_window: timedelta = timedelta(minutes=10)
    """How far from our submit time a job in the list may be created to match it."""
    max_single_reads: int = 20
    """At most this many ``GET {id}/`` a round for a resource whose list takes no ``ids``."""

    def interval(self, age: float) -> float:
        for limit, seconds in self.steps:
            if age < limit:
                return seconds
        return self.slowest

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy ``factor`` times faster (the sandbox's clock runs fast)."""
        return PollPolicy(
            steps=tuple((limit / factor, seconds / factor) for limit, seconds in self.steps),
            slowest=self.slowest / factor, jitter=self.jitter,
            network_backoff=(self.network_backoff[0] / factor, self.network_backoff[1] / factor),
            rate_limit_default=self.rate_limit_default / factor,
            coalesce=self.coalesce / factor,
            stalled_after=self.stalled_after, match_window=self.match_window,
            max_single_reads=self.max_single_reads)


def _lists_by_ids(resource_key: str) -> bool:
    """Whether the resource's list can be asked for given jobs (``?ids=``)."""
    try:
        return resource(resource_key).supports_ids
    except (KeyError, ValueError):
        return True


def _tagged(snapshot: JobSnapshot, tag: str) -> bool:
    return bool(snapshot.name) and str(snapshot.name).rstrip().endswith(f"[{tag}]")


def _carries(sent: Any, listed: Any) -> bool:
    """``listed`` (the server's echo) carries ``sent``: equal scalars; objects with at least
    every key we sent (the server may add defaults); lists of the same length, item by item."""
    if isinstance(sent, Mapping):
        return isinstance(listed, Mapping) and all(
            key in listed and _carries(value, listed[key]) for key, value in sent.items())
    if isinstance(sent, list | tuple):
        return isinstance(listed, list | tuple) and len(sent) == len(listed) and all(
            _carries(a, b) for a, b in zip(sent, listed, strict=True))
    return bool(sent == listed)


def _same_inputs(request: Mapping[str, Any], raw: Mapping[str, Any]) -> bool:
    """The job in the list carries every input we sent that it echoes (resources without
    ``name``): plain values, and lists and objects (prompts, scenes, ``input_params``)."""
    compared = 0
    for field, value in request.items():
        if field in raw and value is not None:
            if not _carries(value, raw[field]):
                return False
            compared += 1
    return compared > 0


class PollScheduler:
    """Polls every watched job of a ledger through one client.

    Parameters
    ----------
    client, ledger
        Where to read jobs and where to write what was read.
    on_change
        Called with each record the scheduler changed (the UI's table model listens).
    expected_seconds
        A generator key -> how long its jobs usually take (for "stalled").
    """

    def __init__(self, client: CreatifyClient, ledger: Ledger, *,
                 on_change: Callable[[JobRecord], None] | None = None,
                 expected_seconds: Callable[[str], float] | None = None,
                 policy: PollPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.client = client
        self.ledger = ledger
        self.policy = policy or PollPolicy()
        self._on_change = on_change or (lambda _record: None)
        self._expected = expected_seconds or (lambda _generator: 600.0)
        self._clock = clock
        self._rng = rng or random.Random()
        self._due: dict[str, float] = {}
        self._started: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._network_failures = 0
        self._reconciling: set[str] = set()
        self.requests = 0
        self.paused_reason: str | None = None

    # ------------------------------------------------------------------ what to watch

    def watch(self, key: str, *, now: bool = True) -> None:
        """Poll job ``key`` from now on (it must have a server id)."""
        at = self._clock()
        self._started.setdefault(key, at)
        self._due[key] = at if now else at + self._next_interval(key)
        self._wake.set()

    def forget(self, key: str) -> None:
        self._due.pop(key, None)
        self._started.pop(key, None)

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._due)

    async def start(self) -> None:
        """At start-up: reconcile every unfinished create, then watch every active job."""
        for record in self.ledger.active():
            if record.state in (JobState.SUBMITTING, JobState.UNKNOWN):
                await self.reconcile(record.key)
            elif record.server_id:
                self.watch(record.key)

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            delay = await self.poll_once()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def poll_once(self) -> float:
        """Read every job that is due; return the seconds until the next one is."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        if min(self._due.values(), default=now + 1) > now:
            return self._until_next()
        # Everything due now, plus what falls due shortly: fewer, fuller requests.
        due = [key for key, at in self._due.items() if at <= now + self.policy.coalesce]
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in due:
            try:
                record = self.ledger.get(key)
            except KeyError:
                self.forget(key)
                continue
            if not record.server_id or not record.state.is_active or not record.watching:
                self.forget(key)
                continue
            groups[record.resource].append((key, record.server_id))
        for resource_key, jobs in groups.items():
            if _lists_by_ids(resource_key):
                for start in range(0, len(jobs), MAX_IDS_PER_LIST):
                    chunk = jobs[start:start + MAX_IDS_PER_LIST]
                    if not await self._read(resource_key, chunk):
                        return max(self._paused_until - self._clock(), 0.0)
            elif not await self._read_each(resource_key, jobs):
                return max(self._paused_until - self._clock(), 0.0)
        return self._until_next()

    async def _read(self, resource_key: str, chunk: list[tuple[str, str]]) -> bool:
        """One list request for up to 100 jobs; False when polling must pause."""
        by_id: dict[str, list[str]] = defaultdict(list)  # a preview and its render share one
        for key, server_id in chunk:
            by_id[server_id].append(key)
        self.requests += 1
        try:
            snapshots = await self.client.list_jobs(resource_key, list(by_id))
        except CreatifyError as exc:
            return self._failed(resource_key, [key for key, _id in chunk], exc)
        self._network_failures = 0
        self.paused_reason = None
        self.ledger.mark_polled(key for key, _id in chunk)
        seen: set[str] = set()
        for snapshot in snapshots:
            for found in by_id.get(snapshot.id, ()):
                if found not in seen:  # a list that repeats a job: the first answer counts
                    seen.add(found)
                    self._apply(found, snapshot)
        for key, server_id in chunk:
            if key not in seen:
                log.warning("%s %s was not in the list answer; asking again later",
                            resource_key, server_id)
                self._reschedule(key)
        return True

    async def _read_each(self, resource_key: str, jobs: list[tuple[str, str]]) -> bool:
        """Jobs of a resource whose list takes no ``ids`` (Ad Clone): ``GET {id}/`` each, at
        most ``policy.max_single_reads`` a round (the rest stay due for the next round), with
        the same pauses as a list read. False when polling must pause."""
        by_id: dict[str, list[str]] = defaultdict(list)
        for key, server_id in jobs:
            by_id[server_id].append(key)
        for server_id in list(by_id)[:self.policy.max_single_reads]:
            keys = by_id[server_id]
            self.requests += 1
            try:
                snapshot = await self.client.get_job(resource_key, server_id)
            except CreatifyError as exc:
                if not self._failed(resource_key, keys, exc):
                    return False
                continue
            self._network_failures = 0
            self.paused_reason = None
            self.ledger.mark_polled(keys)
            for key in keys:
                if snapshot.id == server_id:
                    self._apply(key, snapshot)
                else:
                    log.warning("%s %s answered as %s; asking again later", resource_key,
                                server_id, snapshot.id)
                    self._reschedule(key)
        return True

    def _failed(self, resource_key: str, keys: list[str], exc: CreatifyError) -> bool:
        """A read failed: pause everyone on 429 / network trouble (False), else try these
        jobs again later (True)."""
        if isinstance(exc, RateLimitedError):
            wait = exc.retry_after or self.policy.rate_limit_default
            self._pause(wait, f"Creatify asked us to slow down ({wait:.0f} s)")
            return False
        if isinstance(exc, ConnectionFailedError | TimeoutFailedError):
            self._network_failures += 1
            low, high = self.policy.network_backoff
            wait = min(high, low * 2 ** (self._network_failures - 1))
            self._pause(wait, f"Network trouble ({exc.message}); retrying in {wait:.0f} s")
            return False
        log.warning("reading %s failed: %s; trying again later", resource_key, exc.message)
        for key in keys:
            self._reschedule(key)
        return True

    def _apply(self, key: str, snapshot: JobSnapshot) -> None:
        before = self.ledger.get(key)
        record = self.ledger.apply_snapshot(key, snapshot)
        if record.state.is_active and self._is_stalled(record) \
                and record.state is not JobState.STALLED:
            record = self.ledger.mark_stalled(key)
        if record != before:
            self._on_change(record)
        if record.state.is_terminal:
            self.forget(key)
        else:
            self._reschedule(key)

    def _is_stalled(self, record: JobRecord) -> bool:
        started = record.submitted_at or record.created_at
        age = (datetime.now(UTC) - started).total_seconds()
        return age > self._expected(record.generator) * self.policy.stalled_after

    def _next_interval(self, key: str) -> float:
        age = self._clock() - self._started.get(key, self._clock())
        base = self.policy.interval(age)
        spread = self.policy.jitter
        return base * self._rng.uniform(1 - spread, 1 + spread)

    def _reschedule(self, key: str) -> None:
        if key in self._due:
            self._due[key] = self._clock() + self._next_interval(key)

    def _pause(self, seconds: float, reason: str) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self.paused_reason = reason
        log.info("polling paused: %s", reason)

    def _until_next(self) -> float:
        if not self._due:
            return 3600.0
        return max(min(self._due.values()) - self._clock(), 0.0)

    # ------------------------------------------------------------------ reconciliation

    async def reconcile(self, key: str) -> JobRecord:
        """Find an ambiguous create in the resource's list: by the name tag where the resource
        has ``name``, else by its inputs and creation time. Found: watched from now on. Not
        found: ``unknown`` (the user can look again; nothing is ever re-sent)."""
        record = self.ledger.get(key)
        if record.server_id is not None or key in self._reconciling:
            return record  # already found, or a look is under way
        self._reconciling.add(key)
        try:
            return await self._reconcile(record)
        finally:
            self._reconciling.discard(key)

    async def _reconcile(self, record: JobRecord) -> JobRecord:
        key = record.key
        render_of = record.request.get("render_of")
        if record.flow == "render" and isinstance(render_of, str) and render_of:
            return await self._reconcile_render(record, render_of)
        res = resource(record.resource)
        try:
            if record.resource == LINKS.key:
                listed = self._links_for(record, await self.client.list_links())
            else:
                listed = await self.client.list_jobs(record.resource)
        except CreatifyError as exc:
            if record.state is JobState.SUBMITTING:
                record = self.ledger.mark_ambiguous(
                    key, f"Could not check Creatify's list ({exc.message}); look again later.")
                self._on_change(record)
            return record
        match = self._match(record, listed, by_name=res.has_name and bool(record.name_tag))
        if match is None:
            record = self.ledger.mark_ambiguous(
                key, "Not found in Creatify's job list: it was probably not created. Look "
                     "again later, or check the Creatify dashboard.")
            self._on_change(record)
            return record
        self.ledger.set_server_id(key, match.id, "found in Creatify's job list")
        record = self.ledger.apply_snapshot(key, match)
        self._on_change(record)
        if record.state.is_active:
            self.watch(key)
        return record

    async def _reconcile_render(self, record: JobRecord, server_id: str) -> JobRecord:
        """A render runs on its preview's server job, so it is not in the list as a job of
        its own: read that job and take the render as arrived when the job moved on from the
        preview (a result, running, or another status than the ready preview had). Otherwise
        ``unknown`` (look again later); nothing is ever re-sent."""
        key = record.key
        try:
            snapshot = await self.client.get_job(record.resource, server_id)
        except CreatifyError as exc:
            if record.state is JobState.SUBMITTING:
                record = self.ledger.mark_ambiguous(
                    key, f"Could not read the job to render ({exc.message}); look again later.")
                self._on_change(record)
            return record
        earlier = [r for r in self.ledger.on_server_job(record.resource, server_id)
                   if r.key != key]
        ready = next((r for r in reversed(earlier) if r.state is JobState.PREVIEW_READY), None)
        moved = snapshot.status in (JobStatus.QUEUED, JobStatus.RUNNING) or (
            ready is not None and snapshot.status is not JobStatus.UNKNOWN
            and snapshot.raw_status != ready.raw_status)
        if snapshot.id != server_id or not (snapshot.result_urls or moved):
            record = self.ledger.mark_ambiguous(
                key, "The render has not started on Creatify's job: it was probably not "
                     "received. Look again later, or check the Creatify dashboard.")
            self._on_change(record)
            return record
        self.ledger.set_server_id(key, server_id, "the render was found under way on its job")
        record = self.ledger.apply_snapshot(key, snapshot)
        self._on_change(record)
        if record.state.is_active:
            self.watch(key)
        return record

    @staticmethod
    def _links_for(record: JobRecord, links: Iterable[Link]) -> list[JobSnapshot]:
        """Links carry no name and no timestamps: the ones made from this job's URL, as
        finished jobs (a Link is made synchronously)."""
        url = str(record.request.get("url") or "").strip()
        return [link_snapshot(link) for link in links if url and link.url.strip() == url]

    def _match(self, record: JobRecord, listed: Iterable[JobSnapshot],
               *, by_name: bool) -> JobSnapshot | None:
        # A job the ledger already knows belongs to another local job.
        candidates = [s for s in listed if self.ledger.find(record.resource, s.id) is None]
        if record.resource == LINKS.key:
            return candidates[0] if len(candidates) == 1 else None
        if by_name and record.name_tag:
            tagged = [s for s in candidates if _tagged(s, record.name_tag)]
            return tagged[0] if len(tagged) == 1 else None
        window = self.policy.match_window
        near = [s for s in candidates
                if s.created_at is not None
                and record.created_at - timedelta(minutes=1) <= s.created_at
                <= record.created_at + window
                and _same_inputs(record.request, s.raw)]
        return near[0] if len(near) == 1 else None
