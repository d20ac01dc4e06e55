"""Reconciliation of creates whose answer was lost: looked up in the resource's list (by the
name tag, else by inputs and creation time), a render on its preview's job — never re-sent."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from app.api.client import Link
from app.api.errors import CreatifyError
from app.api.resources import LINKS, resource
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators.submit import link_snapshot
from app.jobs.ledger import JobRecord, JobState, LedgerWriter
from app.jobs.scheduler._timing import Timing


def _tagged(snapshot: JobSnapshot, tag: str) -> bool:
    return bool(snapshot.name) and str(snapshot.name).rstrip().endswith(f"[{tag}]")


def _carries(sent: Any, listed: Any) -> bool:
    """``listed`` (the server's echo) carries ``sent``: equal scalars; objects with at least
    every key we sent (the server may add defaults); lists of the same length, item by item.
    An object or list echoed as JSON text (AI Ad Template's ``input_params``, typed a string
    by the docs) is read first."""
    if isinstance(sent, Mapping | list | tuple) and isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except ValueError:
            return False
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


class Reconciling(Timing):
    """:meth:`reconcile`: find an ambiguous create; found, it is watched from then on."""

    writer: LedgerWriter

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
                record = await self.writer.mark_ambiguous(
                    key, f"Could not check Creatify's list ({exc.message}); look again later.")
                self._on_change(record)
            return record
        match = self._match(record, listed, by_name=res.has_name and bool(record.name_tag))
        if match is None:
            record = await self.writer.mark_ambiguous(
                key, "Not found in Creatify's job list: it was probably not created. Look "
                     "again later, or check the Creatify dashboard.")
            self._on_change(record)
            return record
        return await self._found(key, match, "found in Creatify's job list")

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
                record = await self.writer.mark_ambiguous(
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
            record = await self.writer.mark_ambiguous(
                key, "The render has not started on Creatify's job: it was probably not "
                     "received. Look again later, or check the Creatify dashboard.")
            self._on_change(record)
            return record
        return await self._found(key, snapshot, "the render was found under way on its job")

    async def _found(self, key: str, snapshot: JobSnapshot, detail: str) -> JobRecord:
        """Record that the job of ``key`` is ``snapshot``'s and follow it if still running."""
        await self.writer.set_server_id(key, snapshot.id, detail)
        record = await self.writer.apply_snapshot(key, snapshot)
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
