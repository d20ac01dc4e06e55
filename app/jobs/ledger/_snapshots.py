"""What a snapshot from Creatify (a create's answer or a poll) does to a job's row: the state
it leads to and the columns it changes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.api.snapshot import JobSnapshot
from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._records import JobRecord, clean, dec, ts, url_list
from app.jobs.ledger._states import JobState, is_preview_step, state_for


def check_resource(record: JobRecord, snapshot: JobSnapshot) -> None:
    if snapshot.resource != record.resource:
        raise LedgerError(f"a {snapshot.resource} snapshot cannot update job {record.key} "
                          f"({record.resource})")


def state_after(record: JobRecord, snapshot: JobSnapshot) -> JobState:
    """The row's state after ``snapshot``: a preview step reads the preview fields, any
    other row (a render, a one-step create) only the status."""
    ready = is_preview_step(record.flow) and snapshot.preview_ready
    return state_for(snapshot.status, record.state, preview_ready=ready)


def status_text(state: JobState, snapshot: JobSnapshot) -> str:
    raw = snapshot.raw_status
    return f"{state} ({raw})" if raw and raw != state.value else str(state)


def _preview_changes(record: JobRecord, snapshot: JobSnapshot) -> dict[str, Any]:
    """Fresh preview links: ``preview`` and ``previews[]`` when they changed."""
    changes: dict[str, Any] = {}
    if snapshot.preview_url is not None and snapshot.preview_url != record.preview_url:
        changes["preview_url"] = snapshot.preview_url
    if snapshot.previews and snapshot.previews != record.previews:
        changes["previews"] = json.dumps([p.to_json() for p in snapshot.previews],
                                         ensure_ascii=False)
    return changes


def _state_changes(record: JobRecord, state: JobState, now: datetime) -> dict[str, Any]:
    if state is record.state:
        return {}
    if state.is_terminal:
        return {"state": state.value, "finished_at": ts(now)}
    if record.finished_at is not None:
        return {"state": state.value, "finished_at": None}
    return {"state": state.value}


def _value_changes(record: JobRecord, snapshot: JobSnapshot) -> dict[str, Any]:
    """The reported values that differ from the row's (missing ones keep what was known)."""
    changes: dict[str, Any] = {}
    if snapshot.raw_status != record.raw_status:
        changes["raw_status"] = snapshot.raw_status
    if snapshot.progress is not None and snapshot.progress != record.progress:
        changes["progress"] = snapshot.progress
    for name in ("result_urls", "thumbnails"):
        urls = getattr(snapshot, name)
        if urls and urls != getattr(record, name):
            changes[name] = url_list(urls)
    for name in ("response_text", "duration"):
        value = getattr(snapshot, name)
        if value is not None and value != getattr(record, name):
            changes[name] = value
    if snapshot.credits_used is not None and snapshot.credits_used != record.credits_used:
        changes["credits_used"] = dec(snapshot.credits_used, "credits_used")
    reason = clean(snapshot.failed_reason)
    if reason is not None and reason != record.failed_reason:
        changes["failed_reason"] = reason
    return changes


def snapshot_changes(record: JobRecord, snapshot: JobSnapshot, state: JobState,
                     now: datetime) -> dict[str, Any]:
    """Columns the snapshot changes. Missing values (None, empty) keep what was known:
    a list answer may omit what an earlier answer carried.

    A row already ``preview_ready`` takes only fresh preview links: the server job's
    later status, results and credits belong to its render's row."""
    if record.state is JobState.PREVIEW_READY:
        return _preview_changes(record, snapshot)
    return {**_state_changes(record, state, now), **_value_changes(record, snapshot),
            **_preview_changes(record, snapshot)}
