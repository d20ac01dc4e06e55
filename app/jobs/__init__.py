"""Jobs that cost money: the ledger (SQLite) that lets the app be killed at any moment and find
every job, charge and file again; the poll scheduler and reconciliation build on it."""

from app.jobs.ledger import (
    DownloadState,
    JobEvent,
    JobRecord,
    JobState,
    Ledger,
    LedgerError,
    is_preview_step,
)

__all__ = ["DownloadState", "JobEvent", "JobRecord", "JobState", "Ledger", "LedgerError",
           "is_preview_step"]
