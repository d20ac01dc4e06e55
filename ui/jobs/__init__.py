"""The Jobs panel: the ledger's jobs as a table (model, filter, progress delegate), the panel
around it and the player for a finished job."""

from ui.jobs.model import (
    JobFilterProxy,
    JobTableModel,
    ProgressDelegate,
    compared,
    preview_ready,
    status_detail,
    status_text,
)
from ui.jobs.panel import QueuePanel
from ui.jobs.preview import PreviewDialog

__all__ = ["JobFilterProxy", "JobTableModel", "PreviewDialog", "ProgressDelegate", "QueuePanel",
           "compared", "preview_ready", "status_detail", "status_text"]
