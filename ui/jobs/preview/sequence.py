"""Which jobs Previous/Next step through: the finished jobs of the Jobs list, in its order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.jobs.ledger import JobRecord, JobState
from ui.jobs.model import RecordRole


def viewable(record: JobRecord) -> bool:
    """A finished job (as the Jobs panel's Preview counts it) with something to show: a
    result, a file or text."""
    return record.state in (JobState.DONE, JobState.IMAGE_DONE) and bool(
        record.result_urls or record.download_path or record.response_text)


def finished_jobs(panel: Any) -> list[JobRecord]:
    """The finished jobs of a Jobs panel's list as it is shown (sorted and filtered)."""
    proxy = panel.proxy
    records = []
    for row in range(proxy.rowCount()):
        record = proxy.index(row, 0).data(RecordRole)
        if isinstance(record, JobRecord) and viewable(record):
            records.append(record)
    return records


def place(records: Sequence[JobRecord], record: JobRecord | None,
          index: int | None) -> tuple[list[JobRecord], int]:
    """The list to step through and where ``record`` is in it (added alone when it is not
    there: the dialog still opens it, with nothing to step to)."""
    listed = list(records)
    if record is None:
        return listed, min(max(index or 0, 0), max(len(listed) - 1, 0))
    if index is not None and 0 <= index < len(listed) and listed[index].key == record.key:
        return listed, index
    for at, other in enumerate(listed):
        if other.key == record.key:
            return listed, at
    return [record], 0


__all__ = ["finished_jobs", "place", "viewable"]
