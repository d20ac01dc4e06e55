"""A job's state in words and colours: the Status column, its tooltip, the detail line under
the table and the colour of a row (a failed job's whole row reads red)."""

from __future__ import annotations

from app.jobs.ledger import JobRecord, JobState

PREVIEW_READY = JobState.PREVIEW_READY

STATUS_TEXT: dict[JobState, str] = {
    PREVIEW_READY: "Preview ready",
    JobState.SUBMITTING: "Sending…", JobState.UNKNOWN: "Unknown — check",
    JobState.NOT_CREATED: "Not created", JobState.PENDING: "Pending",
    JobState.QUEUED: "Queued", JobState.RUNNING: "Running",
    JobState.STALLED: "Still running — check later", JobState.IMAGE_DONE: "Image ready",
    JobState.DONE: "Done", JobState.FAILED: "Failed", JobState.REJECTED: "Rejected",
}
STATUS_COLOUR: dict[JobState, str] = {
    PREVIEW_READY: "#2563eb", JobState.FAILED: "#b91c1c", JobState.REJECTED: "#b91c1c",
    JobState.NOT_CREATED: "#b91c1c", JobState.UNKNOWN: "#b45309", JobState.STALLED: "#b45309",
    JobState.DONE: "#15803d", JobState.IMAGE_DONE: "#15803d"}


def preview_ready(record: JobRecord) -> bool:
    """A preview step whose preview (or style previews) arrived, whatever status text the
    server sent with it: offer Render / Choose a style."""
    return record.state is JobState.PREVIEW_READY


def compared(record: JobRecord) -> bool:
    """A ready compare-styles job (choose a style) rather than a single preview (render)."""
    return preview_ready(record) and bool(record.previews) and (
        record.flow == "compare_styles" or not record.preview_url)


def status_text(record: JobRecord) -> str:
    """The Status column: the state in words, with the reason of a failure or refusal."""
    if preview_ready(record):
        if compared(record):
            return f"Preview ready: {len(record.previews)} styles to choose from"
        return STATUS_TEXT[PREVIEW_READY]
    text = STATUS_TEXT.get(record.state, record.state.value)
    if record.state in (JobState.FAILED, JobState.REJECTED, JobState.NOT_CREATED) \
            and record.failed_reason:
        text += f": {record.failed_reason}"
    return text


def status_detail(record: JobRecord) -> str:
    """A longer sentence about the job's state (the Status tooltip and the panel's detail line)."""
    reason = record.failed_reason
    if preview_ready(record):
        if compared(record):
            return (f"{len(record.previews)} style previews are ready: choose the one to "
                    "render (only that one is rendered and billed).")
        return "The preview is ready: watch it, then render it if you like it (a paid step)."
    if record.state is JobState.NOT_CREATED:
        return ("Creatify refused this request, nothing was charged: "
                f"{reason or 'no reason given'}.")
    if record.state in (JobState.FAILED, JobState.REJECTED):
        return f"Creatify reports this job {record.state.value}: {reason or 'no reason given'}."
    if record.state is JobState.UNKNOWN:
        return ("Creatify's answer was lost: the job is being looked up in Creatify's list "
                "(it is never sent again).")
    if record.state is JobState.STALLED:
        return "Still running, longer than usual: check back later."
    return ""


PROBLEM_STATES = frozenset({JobState.FAILED, JobState.REJECTED, JobState.NOT_CREATED})
"""States whose whole row is coloured (red): the job failed or was never made."""


def failed(record: JobRecord) -> bool:
    """The job failed, was rejected or was refused: its row is red, its bar says so."""
    return record.state in PROBLEM_STATES
