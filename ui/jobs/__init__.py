"""The Jobs panel: the ledger's jobs as a table (model, filter, progress delegate; a video's
Link folded into its row, ``links``; words and colours of a state, ``status``; widths,
``columns``), the keyboard-friendly view (``view``), the panel around it, the message when a
file cannot be opened (``launch``) and the player for a finished job."""

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
