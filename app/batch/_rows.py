"""A batch's rows: one URL each, with where it came from, its state and its overrides; the
tabs a batch can go to and the settings its rows share."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.generators import BY_KEY, SPECS

MAX_ROWS = 10_000
TARGETS = tuple(s.key for s in SPECS if s.url_field)
"""The tabs a batch of URLs can go to (anything dropped elsewhere goes to the default page
target, `app.generators.default_page_target`)."""

BATCH_FIELDS: dict[str, tuple[str, ...]] = {key: BY_KEY[key].batch_fields for key in TARGETS}
"""Settings shared by the rows of a batch (and overridable per row), by target."""


class BatchError(ValueError):
    """A file or a drop that cannot be read as a batch; the message is for the user."""


class RowState(StrEnum):
    READY = "ready"
    REFUSED = "refused"      # the URL is not acceptable (reason given)
    DUPLICATE = "duplicate"  # the same page appears earlier (skipped unless kept)
    SENDING = "sending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"        # the job (or its Link) failed, or was not sent
    SKIPPED = "skipped"      # refused by the budget guard


@dataclass(slots=True)
class BatchRow:
    """One URL of a batch, with where it came from, why it is refused, and its overrides."""

    url: str
    where: str = ""  # "line 3", "row 4", "item 2"
    problem: str | None = None
    duplicate_of: int | None = None  # the index of the first row with the same page
    overrides: dict[str, Any] = field(default_factory=dict)
    state: RowState = RowState.READY
    message: str = ""  # the outcome, or why the row was not sent
    job_key: str | None = None
    link_id: str | None = None  # the Link made for this row (reused when it is sent again)

    @property
    def sendable(self) -> bool:
        return self.problem is None and self.duplicate_of is None

