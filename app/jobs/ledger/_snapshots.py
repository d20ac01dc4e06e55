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


def snapshot_changes(record: JobRecord, snapshot: JobSnapshot, state: JobState,
                     now: datetime) -> dict[str, Any]:
    """Columns the snapshot changes. Missing values (None, empty) keep what was known:
    a list answer may omit what an earlier answer carried.

    A row already ``preview_ready`` takes only fresh preview links: the server job's
    later status, results and credits belong to its render's row."""
    changes: dict[str, Any] = {}
    if record.state is JobState.PREVIEW_READY:
        if snapshot.preview_url is not None and snapshot.preview_url != record.preview_url:
            changes["preview_url"] = snapshot.preview_url
        if snapshot.previews and snapshot.previews != record.previews:
            changes["previews"] = json.dumps([p.to_json() for p in snapshot.previews],
                                             ensure_ascii=False)
        return changes
    if state is not record.state:
        changes["state"] = state.value
        if state.is_terminal:
            changes["finished_at"] = ts(now)
        elif record.finished_at is not None:
            changes["finished_at"] = None
    if snapshot.raw_status != record.raw_status:
        changes["raw_status"] = snapshot.raw_status
    if snapshot.progress is not None and snapshot.progress != record.progress:
        changes["progress"] = snapshot.progress
    if snapshot.result_urls and snapshot.result_urls != record.result_urls:
        changes["result_urls"] = url_list(snapshot.result_urls)
    if snapshot.thumbnails and snapshot.thumbnails != record.thumbnails:
        changes["thumbnails"] = url_list(snapshot.thumbnails)
    for name in ("preview_url", "response_text", "duration"):
        value = getattr(snapshot, name)
        if value is not None and value != getattr(record, name):
            changes[name] = value
    if snapshot.previews and snapshot.previews != record.previews:
        changes["previews"] = json.dumps([p.to_json() for p in snapshot.previews],
                                         ensure_ascii=False)
    if snapshot.credits_used is not None and snapshot.credits_used != record.credits_used:
        changes["credits_used"] = dec(snapshot.credits_used, "credits_used")
    reason = clean(snapshot.failed_reason)
    if reason is not None and reason != record.failed_reason:
        changes["failed_reason"] = reason
    return changes
