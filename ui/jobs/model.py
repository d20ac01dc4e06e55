"""The job queue as a table: a model over ledger records, a filter proxy, a progress delegate.

Rows are updated one at a time (``upsert``) — never a reset per change — and the progress
column is painted by a delegate (no widget per row), so thousands of jobs stay cheap. The
Link a video was made from is folded into the video's row (:mod:`ui.jobs.links`); a failed
job's whole row reads red (:mod:`ui.jobs.status`); every cell's whole text is its tooltip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPixmap

from app.generators import BY_KEY, billed_by_tokens
from app.generators.quote import format_credits
from app.jobs.ledger import DownloadState, JobRecord, JobState
from ui.common.table_model import ROW_ROLE, SORT_ROLE, RowTableModel
from ui.jobs.delegate import FailedRole, ProgressDelegate, ProgressRole
from ui.jobs.links import LinkFold, is_link, link_cost, link_sentence
from ui.jobs.status import (
    PREVIEW_READY,
    STATUS_COLOUR,
    STATUS_TEXT,
    compared,
    failed,
    preview_ready,
    status_detail,
    status_text,
)

COL_GENERATOR, COL_ASKED, COL_STATUS, COL_PROGRESS, COL_ESTIMATE, COL_ACTUAL, COL_CREATED, \
    COL_ELAPSED, COL_OUTPUT = range(9)
HEADERS = ("Generator", "What was asked", "Status", "Progress", "Estimate", "Actual",
           "Created", "Elapsed", "Output")

RecordRole = ROW_ROLE
SortRole = SORT_ROLE


def _elapsed(record: JobRecord, now: datetime) -> float:
    end = record.finished_at or now
    return max((end - record.created_at).total_seconds(), 0.0)


def _duration_text(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class JobTableModel(RowTableModel[JobRecord]):
    """Ledger records, newest first, one row each — but a video's Link folds into its row."""

    HEADERS = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # Row of a key = its serial - the top row's serial: rows inserted at the top take
        # serials below ``_top``, so an insert never renumbers the rows below it.
        self._serial: dict[str, int] = {}
        self._top = 0
        self.links = LinkFold()
        # Jobs changed since the last load: an older copy of one (the rest of a history
        # read after its first rows) never replaces it or brings back a removed one.
        self._changed: set[str] | None = None  # (None: not loading)
        self.thumbnail: Callable[[str], QPixmap | None] | None = None
        """Gives the small picture for a thumbnail URL, or None while it loads."""

    # ------------------------------------------------------------------ updates

    def load(self, rows: list[JobRecord]) -> None:
        self._changed = set()
        super().load(self.links.rows(rows))

    def append_older(self, records: list[JobRecord]) -> int:
        """Add jobs older than the rows (the rest of a history whose newest rows were loaded)
        at the bottom in one insert; how many rows were added. A job already here, or changed
        since the load, is left as it is; a Link folds into its video (a video among them
        folds the Link row it uses)."""
        new: dict[str, JobRecord] = {}
        owners: list[str] = []
        for record in records:
            key = record.key
            if record.hidden or key in (self._changed or ()) or key in new \
                    or self.row_of(key) is not None or self.links.has(record):
                continue
            if is_link(record) and self.links.note_link(record):
                owners.append(self.links.user_of(record) or "")
                continue
            folded = self.links.note_user(record)
            if folded is not None and new.pop(folded.key, None) is None:
                self.remove(folded.key)  # (a Link row until now)
            new[key] = record
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new.values())
            for offset, key in enumerate(new, start=self._top + first):
                self._serial[key] = offset
            self.endInsertRows()
        for owner in owners:  # (its tooltip and detail line tell of its Link)
            if (row := self.row_of(owner)) is not None:
                self.refresh_row(row)
        return len(new)

    def loaded_all(self) -> None:
        """The whole history is in: changes need not be remembered any more."""
        self._changed = None

    def upsert(self, record: JobRecord) -> None:
        """Insert a new record at the top or update its row in place (a Link a video uses
        updates that video's row instead)."""
        self.upsert_many([record])

    def upsert_many(self, records: list[JobRecord]) -> None:
        """Apply a batch of changed records (later ones win): the new jobs go to the top in
        one insert (the last one topmost, as one by one), the changed rows are repainted in
        runs of neighbouring rows, and only in the columns whose cells changed — so the
        sort proxy re-sorts only when the sort column's cells did."""
        fresh: dict[str, JobRecord] = {}
        changed: dict[int, set[int]] = {}  # row -> changed columns
        if self._changed is not None:
            self._changed.update(record.key for record in records)
        for record in records:
            if is_link(record) and self.links.note_link(record):
                fresh.pop(record.key, None)
                if self.row_of(record.key) is not None:
                    self._flush(fresh, changed)  # (rows below a removed one move up)
                    self.remove(record.key)
                owner = self.links.user_of(record)
                if owner is not None and (row := self.row_of(owner)) is not None:
                    changed.setdefault(row, set()).update(ALL_COLUMNS)
                continue
            folded = self.links.note_user(record)
            if folded is not None:
                fresh.pop(folded.key, None)  # (a Link new in this batch: never a row)
                if self.row_of(folded.key) is not None:
                    self._flush(fresh, changed)
                    self.remove(folded.key)
            row = self.row_of(record.key)
            if record.hidden:
                fresh.pop(record.key, None)
                if row is not None:
                    self._flush(fresh, changed)
                    self.remove(record.key)
                continue
            if row is None:
                fresh.pop(record.key, None)  # (a key twice in one batch: the later record)
                fresh[record.key] = record
                continue
            columns = changed_columns(self._rows[row], record)
            self._rows[row] = record
            if columns:
                changed.setdefault(row, set()).update(columns)
        self._flush(fresh, changed)

    def _flush(self, fresh: dict[str, JobRecord], changed: dict[int, set[int]]) -> None:
        """Repaint the changed rows, then insert the new ones (both emptied)."""
        for first_row, last_row, first, last in _runs(changed):
            self.refresh_rows(first_row, last_row, first, last)
        changed.clear()
        if fresh:
            new = list(reversed(fresh.values()))  # the last one topmost
            fresh.clear()
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self._rows[0:0] = new
            self._top -= len(new)
            for offset, record in enumerate(new):
                self._serial[record.key] = self._top + offset
            self.endInsertRows()

    def remove(self, key: str) -> None:
        row = self.row_of(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._reindex()
        self.endRemoveRows()

    def tick(self) -> None:
        """Refresh the elapsed column of unfinished jobs through the model (every proxy
        row in the range is looked at again: the panel repaints the visible cells instead,
        unless the list is sorted by Elapsed)."""
        active = [row for row, record in enumerate(self._rows) if record.finished_at is None]
        if active:
            self.refresh_rows(min(active), max(active), COL_ELAPSED, COL_ELAPSED,
                              [Qt.ItemDataRole.DisplayRole])

    def thumbnail_arrived(self, url: str) -> None:
        for row, record in enumerate(self._rows):
            if record.thumbnails and record.thumbnails[0] == url:
                self.refresh_row(row, COL_GENERATOR, COL_GENERATOR,
                                 [Qt.ItemDataRole.DecorationRole])

    def _loaded(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._top = 0
        self._serial = {record.key: row for row, record in enumerate(self._rows)}

    def record(self, row: int) -> JobRecord:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        serial = self._serial.get(key)
        return None if serial is None else serial - self._top

    def link_of(self, record: JobRecord) -> JobRecord | None:
        """The Link a video of the list was made from (folded into its row), or None."""
        return self.links.link_of(record)

    # ------------------------------------------------------------------ cells

    def display(self, item: JobRecord, column: int) -> Any:
        text = _DISPLAY.get(column)
        return None if text is None else text(item)

    def sort_key(self, item: JobRecord, column: int) -> Any:
        if column in (COL_CREATED, COL_ELAPSED):
            return item.created_at.timestamp() if column == COL_CREATED \
                else _elapsed(item, datetime.now(UTC))
        if column == COL_PROGRESS:
            return item.progress or 0.0
        if column in (COL_ESTIMATE, COL_ACTUAL):
            value = item.estimate if column == COL_ESTIMATE else item.credits_used
            return float(value) if value is not None else -1.0
        return str(self.display(item, column) or "")

    def tooltip(self, item: JobRecord, column: int) -> str | None:
        """The cell's whole text (a long one is cut in the cell), with what more there is to
        say: the state in a sentence, the saved file's path, the video's Link."""
        text = self.display(item, column)
        text = text if isinstance(text, str) else ""
        more = _tooltip(item, column)
        link = self.link_of(item)
        if link is not None and column in (COL_GENERATOR, COL_STATUS):
            more = " ".join(part for part in (more, link_sentence(link)) if part)
        elif link is not None and column in (COL_ESTIMATE, COL_ACTUAL):
            more = link_cost(link, actual=column == COL_ACTUAL)
        lines = [line for line in (text, more) if line]
        if len(lines) == 2 and lines[0] in lines[1]:  # (a path holds its file's name)
            lines = lines[1:]
        return "\n".join(lines) or None

    def colour(self, item: JobRecord, column: int) -> str | None:
        if failed(item):
            return STATUS_COLOUR[item.state]  # the whole row: it failed
        return STATUS_COLOUR.get(item.state) if column == COL_STATUS else None

    def role_data(self, item: JobRecord, index: QModelIndex | QPersistentModelIndex,
                  role: int) -> Any:
        if role == ProgressRole:
            return item.progress
        if role == FailedRole:
            return STATUS_TEXT[item.state] if failed(item) else None
        if role == Qt.ItemDataRole.DecorationRole and index.column() == COL_GENERATOR \
                and item.thumbnails and self.thumbnail is not None:
            return self.thumbnail(item.thumbnails[0])
        return None


def _tooltip(record: JobRecord, column: int) -> str | None:
    """What a cell's tooltip says beyond the cell's own text."""
    if column == COL_STATUS:
        return status_detail(record) or None
    if column == COL_OUTPUT and record.download_path:
        return record.download_path
    if column == COL_PROGRESS and failed(record):
        return status_text(record)
    if column == COL_ASKED:  # (the Created and Elapsed columns step aside when narrow)
        return (f"Created {_DISPLAY[COL_CREATED](record)}, "
                f"{'took' if record.finished_at else 'running for'} "
                f"{_DISPLAY[COL_ELAPSED](record)}")
    return None


def _generator_text(record: JobRecord) -> str:
    spec = BY_KEY.get(record.generator)
    return spec.title if spec else record.generator


def _estimate_text(record: JobRecord) -> str:
    if record.estimate is not None:
        return format_credits(record.estimate)
    return "by tokens" if billed_by_tokens(record.generator) else "—"


def _actual_text(record: JobRecord) -> str:
    # Creatify reports 0 until the job is done
    if record.credits_used is None or (not record.credits_used
                                       and not record.state.is_terminal):
        return ""
    return format_credits(record.credits_used)


def _output_text(record: JobRecord) -> str:
    if record.download_path:
        return record.download_path.rsplit("/", 1)[-1]
    if record.download_error:
        return f"Download failed: {record.download_error}"
    if record.download_state is DownloadState.DOWNLOADING and record.download_bytes:
        return f"downloading… {record.download_bytes / 1e6:.1f} MB"
    return record.download_state.value if record.result_urls else ""


_DISPLAY: dict[int, Callable[[JobRecord], Any]] = {
    COL_GENERATOR: _generator_text,
    COL_ASKED: lambda record: record.title,
    COL_STATUS: status_text,
    COL_PROGRESS: lambda record: f"{record.progress:.0%}" if record.progress is not None
    else "",
    COL_ESTIMATE: _estimate_text,
    COL_ACTUAL: _actual_text,
    COL_CREATED: lambda record: record.created_at.astimezone().strftime("%d %b %H:%M"),
    COL_ELAPSED: lambda record: _duration_text(_elapsed(record, datetime.now(UTC))),
    COL_OUTPUT: _output_text,
}
"""What each column shows for a job."""


ALL_COLUMNS = frozenset(range(len(HEADERS)))
_FIELDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (COL_GENERATOR, ("generator", "thumbnails")),
    (COL_ASKED, ("title", "request", "server_id")),  # (a Link's fold: request, server id)
    (COL_STATUS, ("failed_reason", "previews", "preview_url", "flow")),
    (COL_PROGRESS, ("progress",)),
    (COL_ESTIMATE, ("estimate",)),
    (COL_ACTUAL, ("credits_used",)),
    (COL_CREATED, ("created_at",)),
    (COL_ELAPSED, ("created_at", "finished_at")),
    (COL_OUTPUT, ("download_path", "download_error", "download_state", "download_bytes",
                  "result_urls")),
)
"""The record fields each column's cells are made from (text, colour, bar, picture)."""


def changed_columns(old: JobRecord, new: JobRecord) -> set[int]:
    """The columns whose cells read or look different for ``new`` than for ``old`` (field
    comparisons only: cheap enough for every change of a thousand jobs)."""
    if failed(old) != failed(new):
        return set(ALL_COLUMNS)  # the row's colour (a failed row is red)
    columns = {column for column, fields in _FIELDS
               if any(getattr(old, name) != getattr(new, name) for name in fields)}
    if old.state is not new.state:  # its words and colour, a charge shown once ended
        columns.update((COL_STATUS, COL_PROGRESS, COL_ACTUAL))
    return columns


def _runs(changed: dict[int, set[int]]) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column) blocks covering the changed cells:
    neighbouring rows with the same columns make one block, and a row's columns are split
    into runs of neighbouring columns (the sort column is in a block only when it changed)."""
    blocks: list[tuple[int, int, int, int]] = []
    open_blocks: dict[tuple[int, int], int] = {}  # column run -> block ending on the last row
    for row in sorted(changed):
        ending: dict[tuple[int, int], int] = {}
        for run in _column_runs(changed[row]):
            at = open_blocks.get(run)
            if at is not None and blocks[at][1] == row - 1:
                blocks[at] = (blocks[at][0], row, *run)
            else:
                at = len(blocks)
                blocks.append((row, row, *run))
            ending[run] = at
        open_blocks = ending
    return blocks


def _column_runs(columns: set[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for column in sorted(columns):
        if runs and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


class JobFilterProxy(QSortFilterProxyModel):
    """Filter by status group, generator and free text."""

    GROUPS: ClassVar[dict[str, frozenset[JobState]]] = {
        "All": frozenset(JobState),
        "Active": frozenset(s for s in JobState if s.is_active),
        "Preview ready": frozenset({PREVIEW_READY}),
        "Finished": frozenset({JobState.DONE, JobState.IMAGE_DONE}),
        "Problems": frozenset({JobState.FAILED, JobState.REJECTED, JobState.UNKNOWN,
                               JobState.NOT_CREATED, JobState.STALLED}),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.states = self.GROUPS["All"]
        self.generator: str | None = None
        self.text = ""
        self.everything = True  # no filter set: every row is accepted without a look
        self.setSortRole(SortRole)

    def set_filters(self, *, group: str | None = None, generator: str | None = "",
                    text: str | None = None) -> None:
        self.beginFilterChange()
        if group is not None:
            self.states = self.GROUPS[group]
        if generator != "":
            self.generator = generator
        if text is not None:
            self.text = text.strip().lower()
        self.everything = self.states == self.GROUPS["All"] and not self.generator \
            and not self.text
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self.everything:
            return True
        model = self.sourceModel()
        assert isinstance(model, JobTableModel)
        record = model.record(source_row)
        if record.state not in self.states:
            return False
        if self.generator and record.generator != self.generator:
            return False
        if self.text:
            haystack = " ".join([record.title, record.generator, record.server_id or "",
                                 status_text(record),
                                 record.failed_reason or "", record.key]).lower()
            return self.text in haystack
        return True


__all__ = ["COL_ACTUAL", "COL_ASKED", "COL_CREATED", "COL_ELAPSED", "COL_ESTIMATE",
           "COL_GENERATOR", "COL_OUTPUT", "COL_PROGRESS", "COL_STATUS", "HEADERS",
           "PREVIEW_READY", "STATUS_COLOUR", "STATUS_TEXT", "FailedRole", "JobFilterProxy",
           "JobTableModel", "ProgressDelegate", "ProgressRole", "RecordRole", "SortRole",
           "compared", "failed", "preview_ready", "status_detail", "status_text"]
