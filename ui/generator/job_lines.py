"""The line a generator tab shows about its latest job: troubles and downloads, in words."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QUrl

from app.jobs.ledger import DownloadState, JobRecord, JobState
from ui.common.theme import ERROR, WARNING, tone_hex
from ui.jobs.results import results_text


def trouble_text(record: JobRecord, name: str) -> str | None:
    """The line for a job whose answer was lost, refused, failed or stalled (else None)."""
    state = record.state
    if state is JobState.UNKNOWN and record.flow == "stream":
        return (f"<span style='color:{tone_hex(WARNING)}'>{name}: the answer ended without its "
                "job. Looking it up in Creatify's list — it will not be sent again.</span>")
    if state is JobState.UNKNOWN:
        return (f"<span style='color:{tone_hex(WARNING)}'>{name}: Creatify's answer was lost. "
                "It is being looked up in Creatify's job list — it will not be sent again."
                "</span>")
    if state is JobState.NOT_CREATED:
        reason = escape(record.failed_reason or "no reason given")
        return (f"<span style='color:{tone_hex(ERROR)}'>{name} not created — Creatify refused it "
                f"(nothing charged): {reason}</span>")
    if state in (JobState.FAILED, JobState.REJECTED):
        reason = escape(record.failed_reason or record.raw_status or state.value)
        return f"<span style='color:{tone_hex(ERROR)}'>{name} {state.value}: {reason}</span>"
    if state is JobState.STALLED:
        return f"{name} is still running — taking longer than usual; check back later."
    return None


def download_text(record: JobRecord) -> str:
    """Where a finished job's download stands, as the end of its line."""
    if record.download_state is DownloadState.DONE and record.download_path:
        path = Path(record.download_path)
        folder = QUrl.fromLocalFile(str(path.parent)).toString()
        if several := results_text(record):  # "4 images": saved as <stem>_1 … _4
            return f" {several} saved in {escape(path.parent.name)} " \
                   f"(<a href='{folder}'>open folder</a>)."
        return f" Saved to {escape(path.name)} (<a href='{folder}'>open folder</a>)."
    if record.download_state is DownloadState.FAILED:
        return f" Download failed: {record.download_error}"
    if record.download_state in (DownloadState.QUEUED, DownloadState.DOWNLOADING):
        return " Downloading…"
    return ""
