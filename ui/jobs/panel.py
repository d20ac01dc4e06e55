"""The job queue panel: every job of the ledger, filters, and what can be done with each.

The table (:class:`~ui.jobs.view.JobsTableView`) is one tab stop whose menu key acts on the
selected job; its columns are sized from the font so the generator's title shows whole
beside its thumbnail. A video made from a product page is one entry: its Link is folded into
its row (the detail line says how the Link went). Opening or showing a saved file that
cannot be opened says why in a message with the file's path and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.generators import SPECS
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.platform import LaunchError, open_path, reveal_path
from ui.generator.presets_reuse import reuse_actions
from ui.jobs.columns import size_columns
from ui.jobs.launch import show_launch_problem
from ui.jobs.links import link_sentence
from ui.jobs.model import (
    COL_CREATED,
    COL_ELAPSED,
    COL_OUTPUT,
    COL_PROGRESS,
    JobFilterProxy,
    JobTableModel,
    ProgressDelegate,
    RecordRole,
    compared,
    preview_ready,
    status_detail,
    status_text,
)
from ui.jobs.results import results_text, saved_paths
from ui.jobs.view import JobsTableView
from ui.service import StudioService

DASHBOARD_URL = "https://app.creatify.ai/"
FIRST_ROWS = 200
"""The newest jobs shown at once (read in the GUI thread: a few milliseconds)."""
HISTORY = 5000
"""The newest jobs the list shows in all."""
CHUNK_MS = 4.0
"""About how long adding one chunk of the older jobs may hold the GUI thread."""
CHUNK_MIN = 25
REST_AFTER_MS = 100
"""The older jobs are read this long after the first rows: a worker thread building records
takes turns with the GUI thread for Python's lock, which would slow the first paint and the
rest of connecting."""


def _named[W: QWidget](widget: W, name: str, accessible: str) -> W:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class ResultsTableModel(JobTableModel):
    """The jobs table, where a job with several results says so in its Output column
    ("4 images", and every saved file in the tooltip)."""

    def display(self, item: JobRecord, column: int) -> object:
        text = super().display(item, column)
        many = results_text(item) if column == COL_OUTPUT else ""
        if not many:
            return text
        if item.download_state is DownloadState.DONE:
            return many
        return f"{many} · {text}" if text else many

    def tooltip(self, item: JobRecord, column: int) -> str | None:
        if column == COL_OUTPUT and results_text(item) and not item.failed_reason:
            saved = [path for path in saved_paths(item) if path]
            return "\n".join(saved) or None
        return super().tooltip(item, column)


class QueuePanel(QWidget):
    """The table of jobs with its filter bar; actions on the selected job."""

    previewRequested = Signal(object)  # JobRecord
    retryRequested = Signal(object)    # JobRecord: open its tab with the same inputs
    renderRequested = Signal(object)   # JobRecord: a ready preview — render it / choose a style
    reuseRequested = Signal(object)    # JobRecord: its generator's form filled with its settings
    scriptRequested = Signal(object, str)  # JobRecord (a text result), the generator to fill
    historyLoaded = Signal()           # every job of the shown history is in the table

    def __init__(self, service: StudioService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queue_panel")
        self.service = service
        self.model = ResultsTableModel(self)
        self.proxy = JobFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.group = _named(QComboBox(), "queue_filter_status", "Show jobs by status")
        for group in JobFilterProxy.GROUPS:
            self.group.addItem(group, group)
        self.generator = _named(QComboBox(), "queue_filter_generator", "Show jobs of generator")
        self.generator.addItem("All generators", None)
        for spec in SPECS:
            self.generator.addItem(spec.title, spec.key)
        self.search = _named(QLineEdit(), "queue_filter_text", "Search jobs")
        self.search.setPlaceholderText("Search jobs…")
        self.search.setClearButtonEnabled(True)
        self.undo_button = _named(QPushButton("Undo remove"), "queue_undo", "Undo remove")
        self.undo_button.setVisible(False)
        self.undo_button.clicked.connect(self.undo_remove)

        self.view = _named(JobsTableView(), "queue_table", "Jobs")
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(COL_PROGRESS, ProgressDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_CREATED, Qt.SortOrder.DescendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        # One line per job (long text is elided, whole in the tooltip), and room for the
        # generator's title beside its thumbnail.
        self.view.setWordWrap(False)
        self.columns = size_columns(self.view)
        self.view.menuRequested.connect(self._menu)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.openRequested.connect(self._double_clicked)
        self.view.removeRequested.connect(self._remove_key_pressed)

        self.detail = _named(QLabel(""), "queue_detail", "About the selected job")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setVisible(False)
        self.render_button = _named(QPushButton("Render…"), "queue_render",
                                    "Render the selected preview")
        self.render_button.setVisible(False)
        self.render_button.clicked.connect(self._render_selected)
        self.view.selectionModel().selectionChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._show_detail)

        bar = QHBoxLayout()
        bar.addWidget(self.group)
        bar.addWidget(self.generator)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        details = QHBoxLayout()
        details.addWidget(self.detail, 1)
        details.addWidget(self.render_button)
        layout.addLayout(details)

        self.group.currentIndexChanged.connect(
            lambda: self.proxy.set_filters(group=self.group.currentData()))
        self.generator.currentIndexChanged.connect(
            lambda: self.proxy.set_filters(generator=self.generator.currentData()))
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))
        self._thumbs: dict[str, QPixmap] = {}
        self.model.thumbnail = self._thumbnail
        service.imageLoaded.connect(self._image_loaded)
        service.jobsChanged.connect(self.jobs_changed)
        service.jobsReloaded.connect(self.reload)
        self._removed: list[list[str]] = []  # each removal: the job (and its video's Link)
        self._generation = 0  # (one per reload: a load in flight of an older one is dropped)
        self._rest: list[JobRecord] = []  # the history read in the worker, added from _at on
        self._at = 0
        self._chunk = CHUNK_MIN  # rows added per loop turn, fitted to CHUNK_MS
        self.loading = False
        """The older jobs are still being read or added."""
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()
        self.reload()

    def _thumbnail(self, url: str) -> QPixmap | None:
        if url not in self._thumbs:
            data = self.service.image(url)  # starts loading; imageLoaded follows
            if data is None:
                return None
            self._image_loaded(url, data, notify=False)
        return self._thumbs.get(url)

    def _image_loaded(self, url: str, data: bytes, notify: bool = True) -> None:
        pixmap = QPixmap()
        if pixmap.loadFromData(data):
            self._thumbs[url] = pixmap.scaled(48, 32, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
            if notify:
                self.model.thumbnail_arrived(url)

    def reload(self) -> None:
        """Show the connection's jobs: the newest screenful at once, then the rest of the
        newest :data:`HISTORY`, read :data:`REST_AFTER_MS` later in a worker thread over its
        own connection to the ledger and added in chunks of about :data:`CHUNK_MS` each, one
        per event-loop turn (a reconnect meanwhile drops the old load)."""
        self._generation += 1
        generation = self._generation
        self._rest, self._at = [], 0
        first = self.service.jobs_page(limit=FIRST_ROWS)
        self.model.load(first)
        self.loading = len(first) >= FIRST_ROWS
        if self.loading:
            QTimer.singleShot(REST_AFTER_MS, self, lambda: self._read_rest(generation))
        else:
            self._loaded_all()

    def _read_rest(self, generation: int) -> None:
        if generation == self._generation and not self.service.jobs_page_in_thread(
                self, HISTORY, lambda rest, error: self._rest_read(generation, rest, error)):
            self._loaded_all()  # (not connected any more)

    def _rest_read(self, generation: int, rest: list[JobRecord] | None,
                   error: str | None) -> None:
        if generation != self._generation:
            return  # (a newer connection's load replaced this one)
        if rest is None:
            self.service.errorRaised.emit(f"The older jobs could not be read: {error}")
            self._loaded_all()
            return
        self._rest = rest
        self._append_chunk(generation)

    def _append_chunk(self, generation: int) -> None:
        if generation != self._generation:
            return
        started = time.perf_counter()
        chunk = self._rest[self._at:self._at + self._chunk]
        self._at += len(chunk)
        self.model.append_older(chunk)
        spent_ms = max((time.perf_counter() - started) * 1000, 0.5)
        self._chunk = max(CHUNK_MIN, min(2 * self._chunk, round(self._chunk * CHUNK_MS
                                                                   / spent_ms)))
        if self._at < len(self._rest):
            QTimer.singleShot(0, self, lambda: self._append_chunk(generation))
        else:
            self._loaded_all()

    def _loaded_all(self) -> None:
        self._rest, self._at = [], 0
        self.model.loaded_all()
        self.loading = False
        self.historyLoaded.emit()

    def jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        """A batch of changed jobs (``StudioService.jobsChanged``): one update of the table,
        then the detail line."""
        self.model.upsert_many(list(batch.values()))
        self._show_detail()

    def tick(self) -> None:
        """Once a second: the running jobs' Elapsed cells count on. Their text is worked out
        as they are painted, so the visible part of the column is repainted — no model
        signal, which would make the sort proxy look at every active row again. Sorted by
        Elapsed, the model says so (the order moves with the clock)."""
        if self.proxy.sortColumn() == COL_ELAPSED:
            self.model.tick()
            return
        view = self.view
        if not view.isVisible() or view.isColumnHidden(COL_ELAPSED):
            return
        left = view.columnViewportPosition(COL_ELAPSED)
        if left < 0:
            return
        viewport = view.viewport()
        viewport.update(QRect(left, 0, view.columnWidth(COL_ELAPSED), viewport.height()))

    # ------------------------------------------------------------------ selection, actions

    def selected(self) -> JobRecord | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows:
            return None
        record = rows[0].data(RecordRole)
        return record if isinstance(record, JobRecord) else None

    def select(self, key: str) -> None:
        """Select job ``key``'s entry (a video's for the Link folded into it)."""
        row = self.model.row_of(key)
        if row is None:
            owner = self.model.links.user_of_key(key)
            row = self.model.row_of(owner) if owner is not None else None
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.selectRow(index.row())
            self.view.scrollTo(index)

    def _show_detail(self, *_args: object) -> None:
        """The selected job's state in a sentence (a refusal's reason in full), and Render /
        Choose a style when its preview is ready."""
        record = self.selected()
        if record is not None:  # the row's record may have changed since it was selected
            row = self.model.row_of(record.key)
            record = self.model.record(row) if row is not None else None
        detail = status_detail(record) if record is not None else ""
        if record is not None and not detail and results_text(record):
            detail = (f"{results_text(record)}: double-click to see them side by side, each "
                      "with its size, to open or save.")
        renders = self.service.renders_of(record) if record is not None \
            and preview_ready(record) else []
        if record is not None and renders:
            detail = (f"Rendered: job {renders[-1].short_key} ({status_text(renders[-1])}), "
                      "its own row in this list." if not compared(record) else
                      f"{detail} Styles rendered so far: {len(renders)}.")
        link = self.model.link_of(record) if record is not None else None
        if link is not None:
            detail = f"{detail} {link_sentence(link)}" if detail else link_sentence(link)
        if record is not None and detail:
            detail = f"<b>{status_text(record).split(':')[0]}</b> — {escape(detail)}"
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        ready = record is not None and self.can_render(record)
        if ready and record is not None:
            self.render_button.setText("Choose a style…" if compared(record) else "Render…")
        self.render_button.setVisible(ready)

    def can_render(self, record: JobRecord) -> bool:
        """A ready preview not rendered yet, or compared styles (another may be chosen)."""
        return preview_ready(record) and (compared(record)
                                          or not self.service.renders_of(record))

    def _render_selected(self) -> None:
        record = self.selected()
        if record is not None and self.can_render(record):
            self.renderRequested.emit(record)

    def _double_clicked(self, index: QModelIndex) -> None:
        record = index.data(RecordRole)
        if isinstance(record, JobRecord):
            self.previewRequested.emit(record)

    def _remove_key_pressed(self, index: QModelIndex) -> None:
        """Delete on a job: "Remove from list" when the menu would offer it."""
        record = index.data(RecordRole)
        if isinstance(record, JobRecord) and any(
                name == "job_remove" and enabled
                for name, _label, _handler, enabled in self.actions_for(record)):
            self.remove(record.key)

    def actions_for(self, record: JobRecord) -> list[tuple[str, str, Callable[[], object], bool]]:
        """(object name, label, handler, enabled) for a job — the context menu's entries."""
        saved = bool(record.download_path) and record.download_state is DownloadState.DONE
        finished = record.state in (JobState.DONE, JobState.IMAGE_DONE)
        ready = preview_ready(record)
        renderable = self.can_render(record)
        many = results_text(record)
        return [
            ("job_preview", f"Preview the {many}" if many else "Preview",
             lambda: self.previewRequested.emit(record),
             (finished or ready) and bool(record.result_urls or record.preview_url
                                          or any(p.preview_url for p in record.previews))),
            ("job_render", "Choose a style and render it…" if compared(record)
             else "Render this preview…", lambda: self.renderRequested.emit(record),
             renderable),
            ("job_open", "Open file", lambda: self._launch(open_path, record.download_path),
             saved),
            ("job_reveal", "Show in folder",
             lambda: self._launch(reveal_path, record.download_path), saved),
            ("job_download", "Download again",
             lambda: self.service.download_again(record.key),
             finished and bool(record.result_urls)),
            ("job_copy_url", f"Copy the {len(record.result_urls)} result URLs" if many
             else "Copy result URL",
             lambda: QGuiApplication.clipboard().setText("\n".join(record.result_urls)),
             bool(record.result_urls)),
            ("job_look_again", "Look for it again", lambda: self.service.look_again(record.key),
             record.state is JobState.UNKNOWN),
            ("job_dashboard", "Open the Creatify dashboard",
             lambda: QDesktopServices.openUrl(QUrl(DASHBOARD_URL)),
             record.state in (JobState.UNKNOWN, JobState.STALLED)),
            ("job_retry", "Retry (a new job, after a new confirmation)…",
             lambda: self.retryRequested.emit(record),
             record.state in (JobState.FAILED, JobState.REJECTED, JobState.NOT_CREATED)),
            *reuse_actions(record, self.reuseRequested.emit, self.scriptRequested.emit),
            ("job_stop", "Stop watching (Creatify keeps working and may bill)",
             lambda: self.service.stop_watching(record.key),
             record.state.is_active and record.watching),
            ("job_remove", "Remove from list", lambda: self.remove(record.key),
             not record.state.is_active or not record.watching),
        ]

    def _menu(self, index: QModelIndex, where: QPoint) -> None:
        """The menu of the job in ``index``'s row (the selected one), at ``where``."""
        record = index.data(RecordRole) if index.isValid() else None
        if not isinstance(record, JobRecord):
            return
        for old in self.findChildren(QMenu, "job_menu"):
            old.close()
            old.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("job_menu")
        menu.setProperty("job_key", record.key)
        for name, label, handler, enabled in self.actions_for(record):
            action = QAction(label, menu)
            action.setObjectName(name)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _checked=False, h=handler: h())
            menu.addAction(action)
        menu.popup(where)

    def remove(self, key: str) -> None:
        """Hide a job from the list (local only; undo brings it back); a video's Link goes
        with it (else it would come back as a row of its own next time)."""
        row = self.model.row_of(key)
        link = self.model.link_of(self.model.record(row)) if row is not None else None
        keys = [key] + ([link.key] if link is not None and not link.hidden else [])
        for each in keys:
            self.service.set_hidden(each, True)
        self.model.remove(key)
        self._removed.append(keys)
        self.undo_button.setVisible(True)

    def undo_remove(self) -> None:
        if self._removed:
            for key in reversed(self._removed.pop()):
                self.service.set_hidden(key, False)
        self.undo_button.setVisible(bool(self._removed))

    def _launch(self, action: Callable[[str | None], object], path: str | None) -> None:
        """Open or show a saved file with the platform's launcher (app.platform); a file that
        is gone or a launcher that is missing is said in a message with the file's path and
        what to do (and in the status bar), never ignored."""
        try:
            action(path)
        except LaunchError as exc:
            self.service.errorRaised.emit(str(exc))
            show_launch_problem(self, exc, path)
