"""The ledger's job states: the server's, plus what only the app can know, the sets the ledger
reads them by, and how a server status moves a row from one state to the next."""

from __future__ import annotations

from enum import StrEnum

from app.api.snapshot import JobStatus


class JobState(StrEnum):
    """The ledger's own job states: the server's, plus what only the app can know."""

    SUBMITTING = "submitting"  # row committed, create request about to leave / in flight
    UNKNOWN = "unknown"  # create outcome ambiguous (sent, no answer); never retried
    NOT_CREATED = "not_created"  # the create certainly did not create a job
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    STALLED = "stalled"  # past the generator's expected time: still running, still polled
    IMAGE_DONE = "image_done"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    # A preview step (preview_render / compare_styles) whose preview is there, whatever the
    # status says (Creatify may put it back to ``pending``): no longer polled, ready to render
    # (or to choose a style). The render is its own row on the same server id.
    PREVIEW_READY = "preview_ready"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def is_active(self) -> bool:
        """Needs polling or reconciling."""
        return self in ACTIVE_STATES


TERMINAL_STATES = frozenset({JobState.NOT_CREATED, JobState.IMAGE_DONE, JobState.DONE,
                              JobState.FAILED, JobState.REJECTED, JobState.PREVIEW_READY})
ACTIVE_STATES = frozenset({JobState.SUBMITTING, JobState.UNKNOWN, JobState.PENDING,
                            JobState.QUEUED, JobState.RUNNING, JobState.STALLED})
RUNNING_STATES = frozenset({JobState.PENDING, JobState.QUEUED, JobState.RUNNING,
                             JobState.STALLED})
SUCCESS_STATES = (JobState.DONE, JobState.IMAGE_DONE)
# Finished with something made, so charged: a ready preview too (its result is not downloaded).
CHARGED_STATES = (*SUCCESS_STATES, JobState.PREVIEW_READY)
UNCREATED_STATES = frozenset({JobState.SUBMITTING, JobState.UNKNOWN})

STATUS_TO_STATE: dict[JobStatus, JobState] = {
    JobStatus.PENDING: JobState.PENDING,
    JobStatus.QUEUED: JobState.QUEUED,
    JobStatus.RUNNING: JobState.RUNNING,
    JobStatus.IMAGE_DONE: JobState.IMAGE_DONE,
    JobStatus.DONE: JobState.DONE,
    JobStatus.FAILED: JobState.FAILED,
    JobStatus.REJECTED: JobState.REJECTED,
}


class DownloadState(StrEnum):
    """Where the local copy of a job's result stands."""

    NONE = "none"
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"


PENDING_DOWNLOADS = (DownloadState.NONE, DownloadState.QUEUED, DownloadState.DOWNLOADING)


PREVIEW_FLOWS = frozenset({"preview_render", "compare_styles"})
"""Flows whose row is a preview step: it ends at ``preview_ready``; its render is another row."""


def is_preview_step(flow: str) -> bool:
    """Whether a row of this flow is a preview step (not a render, not a one-step create)."""
    return flow in PREVIEW_FLOWS


def state_for(status: JobStatus, previous: JobState, *, preview_ready: bool = False) -> JobState:
    """The ledger state a server status leads to from ``previous``.

    * ``preview_ready`` (only for a preview-step row whose snapshot carries its preview):
      ``preview_ready`` whatever the status says, unless the job failed or was rejected.
      Once there a row stays there (the server job's later statuses belong to its render).
    * ``UNKNOWN`` (a status we do not know) keeps a running state; from a state that says
      nothing about the server job (``submitting``, ``unknown``, …) it reads as ``running``.
    * ``stalled`` is sticky while the server still says pending/queued/running: the job is
      still past its expected time.
    * Otherwise the server wins (``image_done`` → ``running`` is a product video being made).
    """
    if previous is JobState.PREVIEW_READY:
        return previous
    if preview_ready and status not in (JobStatus.FAILED, JobStatus.REJECTED):
        return JobState.PREVIEW_READY
    if status is JobStatus.UNKNOWN:
        return previous if previous in RUNNING_STATES else JobState.RUNNING
    state = STATUS_TO_STATE[status]
    if previous is JobState.STALLED and state in RUNNING_STATES:
        return JobState.STALLED
    return state
