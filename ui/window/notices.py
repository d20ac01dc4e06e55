"""What the window says when a job finishes: done, failed, preview ready, queue drained —
each behind its own setting."""

from __future__ import annotations

from app.jobs.ledger import JobRecord, JobState
from app.settings import Settings
from ui.jobs.model import preview_ready


def finished_ok(record: JobRecord) -> bool:
    """A notice of good news (a result or a preview to look at) rather than a failure."""
    return preview_ready(record) or record.state in (JobState.DONE, JobState.IMAGE_DONE)


def notice(record: JobRecord, settings: Settings, drained: bool) -> str | None:
    """The notice for ``record`` having finished (None: nothing to say). ``drained``: no job
    is running any more."""
    ok = finished_ok(record)
    wanted = settings.notify_done if ok else settings.notify_failed
    if record.state is JobState.NOT_CREATED or not wanted:
        message = None
    elif preview_ready(record):
        message = f"The preview of {record.title} is ready: render it when you like it."
    elif ok:
        message = f"{record.title} is ready."
    else:
        message = f"{record.title} {record.state.value}: {record.failed_reason or ''}"
    if message is None and drained and settings.notify_drained:
        message = "All jobs have finished."
    return message
