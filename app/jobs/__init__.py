"""Jobs that cost money: the ledger (SQLite) that lets the app be killed at any moment and find
every job, charge and file again; the poll scheduler and reconciliation build on it.

The ledger's names are loaded when first used (PEP 562), so importing a light submodule
(``app.jobs.budget``, which the settings read) loads neither the ledger nor its file lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import lazy_names

if TYPE_CHECKING:
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


__getattr__ = lazy_names(globals(), "app.jobs", dict.fromkeys(__all__, "app.jobs.ledger"))
