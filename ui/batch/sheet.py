"""The batch sheet: many product URLs at once — checked, priced, confirmed once, then run.

Opened by a drop of several URLs (or a ``.txt``/``.csv`` file) on the window, or empty from
View → Batch of URLs… (links pasted into its box, or Ctrl+V). A row per URL with its problem
(refused, duplicate) or its cost; shared settings with per-row overrides (editable cells); CSV
column mapping; a dry run (credits, dollars, wall time) before anything is sent; one
confirmation for the whole batch; a status line that follows the batch (sending N of M, sent);
"requeue failed only" afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.batch import (
    BATCH_FIELDS,
    TARGETS,
    BatchError,
    BatchPlan,
    BatchRow,
    BatchRun,
    Table,
    load_file,
    plan_batch,
    rows_from_table,
)
from app.generators import BY_KEY, DurationKind
from app.pricing import Plan
from ui.batch.adding import PasteBox, with_pasted
from ui.batch.mapping import ColumnMapping
from ui.batch.model import COL_ROW, COL_STATE, COL_URL, BatchModel
from ui.batch.sending import BatchSending
from ui.batch.wording import dry_run_text
from ui.common.widgets import named
from ui.forms.base import FieldEditor
from ui.forms.form import make_editor
from ui.service import StudioService


class BatchSheet(QDialog):
    """A batch of URLs for URL to Video, Links or Ad Clone."""

    def __init__(self, service: StudioService, target: str, rows: list[BatchRow], *,
                 table: Table | None = None, plan: Callable[[], Plan | None] = lambda: None,
                 concurrency: int = 3, initial: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch_sheet")
        self.setAccessibleName("Batch of URLs")
        self.setWindowTitle("Batch of product URLs")
        self.setModal(False)
        self.resize(1000, 640)
        self.service = service
        self.plan_of = plan
        self.table = table
        self.initial = dict(initial or {})
        self.sending = BatchSending(self)
        self.dry: BatchPlan | None = None
        self.editors: dict[str, FieldEditor] = {}
        # Injected in tests; a file dialog opened with open() otherwise.
        self.choose_file: Callable[[Callable[[str], None]], None] = self._choose_file

        self.summary = named(QLabel(), "batch_summary", "What the batch holds")
        self.summary.setWordWrap(True)

        self.target = named(QComboBox(), "batch_target", "Make from each URL")
        for key in TARGETS:
            self.target.addItem(BY_KEY[key].title, key)
        self.target.setCurrentIndex(TARGETS.index(target))
        self.target.currentIndexChanged.connect(self._target_changed)

        self.concurrency = named(QSpinBox(), "batch_concurrency", "Jobs running at once")
        self.concurrency.setRange(1, 20)
        self.concurrency.setValue(concurrency)
        self.concurrency.valueChanged.connect(self.reprice)

        self.media_seconds = named(QDoubleSpinBox(), "batch_media_seconds",
                                   "Reference video length in seconds")
        self.media_seconds.setRange(0, 3600)
        self.media_seconds.setDecimals(1)
        self.media_seconds.setSuffix(" s")
        self.media_seconds.setValue(30)
        self.media_seconds.valueChanged.connect(self.reprice)

        self.shared_box = QWidget()
        self.shared_form = QFormLayout(self.shared_box)
        self.columns = ColumnMapping()
        self.columns.changed.connect(self._mapping_changed)
        self.paste = PasteBox()
        self.paste.added.connect(self.add_links)
        QShortcut(QKeySequence.StandardKey.Paste, self, self.paste_clipboard,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.model = BatchModel(target, rows, self)
        self.model.on_override = self._override_message
        # (an edit, not any repaint: the plan's own repaint must not price the batch again)
        self.model.edited.connect(self._schedule_reprice)
        self.view = named(QTableView(), "batch_rows", "The URLs of the batch")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL_URL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(COL_ROW, 50)

        self.status = named(QLabel(), "batch_status",
                            "Batch status: the dry run before sending, then its progress")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-weight: 600;")
        self.note = named(QLabel(), "batch_note", "Batch messages")
        self.note.setWordWrap(True)

        self.import_button = named(QPushButton("Import CSV…"), "batch_import",
                                   "Import URLs from a CSV or text file")
        self.import_button.clicked.connect(lambda: self.choose_file(self.import_file))
        self.send_button = named(QPushButton("Send…"), "batch_send", "Send the batch")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.sending.request_send)
        self.requeue_button = named(QPushButton("Requeue failed only…"), "batch_requeue",
                                    "Send the failed rows again")
        self.requeue_button.clicked.connect(self.sending.request_requeue)
        self.stop_button = named(QPushButton("Stop sending"), "batch_stop", "Send no more rows")
        self.stop_button.clicked.connect(self.sending.stop)
        self.close_button = named(QPushButton("Close"), "batch_close", "Close the batch sheet")
        self.close_button.clicked.connect(self.close)

        top = QFormLayout()
        top.addRow("Make from each URL", self.target)
        top.addRow("Jobs running at once", self.concurrency)
        self.media_row_label = QLabel("Reference video length")
        top.addRow(self.media_row_label, self.media_seconds)
        self.columns_label = QLabel("Columns")
        top.addRow(self.columns_label, self.columns)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.requeue_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)
        settings = QHBoxLayout()
        settings.addLayout(top, 1)
        settings.addWidget(self.shared_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(settings)
        layout.addWidget(self.paste, 1)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

        self._reprice_timer = QTimer(self)
        self._reprice_timer.setSingleShot(True)
        self._reprice_timer.setInterval(150)
        self._reprice_timer.timeout.connect(self.reprice)
        self._build_shared()
        self.columns.build(self.table, self.target_key)
        self.reprice()

    # ------------------------------------------------------------------ state

    @property
    def target_key(self) -> str:
        return str(self.target.currentData())

    @property
    def rows(self) -> list[BatchRow]:
        return self.model.rows

    @property
    def run(self) -> BatchRun | None:
        """The batch's run once it was confirmed (None before)."""
        return self.sending.run

    @property
    def mapping(self) -> list[QComboBox]:
        """The column menus of a CSV batch (none otherwise)."""
        return self.columns.combos

    def _starting_values(self) -> dict[str, Any]:
        """The target's defaults, then what the tab held for the shared settings."""
        shared = BATCH_FIELDS[self.target_key]
        return {**BY_KEY[self.target_key].defaults(),
                **{k: v for k, v in self.initial.items() if k in shared}}

    def shared_values(self) -> dict[str, Any]:
        return {**self._starting_values(),
                **{name: editor.value() for name, editor in self.editors.items()}}

    def _build_shared(self) -> None:
        while self.shared_form.rowCount():
            self.shared_form.removeRow(0)
        self.editors.clear()
        gen = BY_KEY[self.target_key]
        defaults = self._starting_values()
        for name in BATCH_FIELDS[self.target_key]:
            field = gen.field(name)
            editor = make_editor(field, self.service)
            editor.setObjectName(f"batch_shared_{name}")
            editor.setAccessibleName(f"{field.label} for every row")
            if name in defaults:
                editor.set_value(defaults[name])
            editor.changed.connect(self._schedule_reprice)
            self.editors[name] = editor
            self.shared_form.addRow(field.label, editor)
        media = gen.duration.kind is DurationKind.MEDIA
        self.media_seconds.setVisible(media)
        self.media_row_label.setVisible(media)

    def _mapping_changed(self) -> None:
        if self.table is None:
            return
        try:
            rows = rows_from_table(self.table, self.columns.mapping(), self.target_key)
        except BatchError as exc:
            self.note.setText(str(exc))
            rows = []
        self.model.reset(self.target_key, rows)
        self.reprice()

    def _target_changed(self) -> None:
        self.sending.run = None
        self._build_shared()
        if self.table is not None:
            self.columns.build(self.table, self.target_key)
            self._mapping_changed()
            return
        for row in self.rows:
            row.overrides = {k: v for k, v in row.overrides.items()
                             if k in BATCH_FIELDS[self.target_key]}
        self.model.reset(self.target_key, self.rows)
        self.reprice()

    def _schedule_reprice(self, *_args: object) -> None:
        self._reprice_timer.start()

    def schedule_reprice(self) -> None:
        """A row changed while sending: the status follows soon (rows change in bursts)."""
        if not self._reprice_timer.isActive():
            self._reprice_timer.start()

    def _override_message(self, message: str) -> None:
        self.note.setText(message)

    # ------------------------------------------------------------------ the dry run

    def reprice(self) -> None:
        """The dry run: credits, dollars and wall time of the sendable rows; nothing is sent."""
        plan = self.plan_of()
        gen = BY_KEY[self.target_key]
        media = self.media_seconds.value() if gen.duration.kind is DurationKind.MEDIA else None
        shared = self.shared_values()
        self.dry = plan_batch(self.target_key, shared, self.rows,
                              concurrency=self.concurrency.value(), plan=plan,
                              media_seconds=media or None)
        self.model.set_plan(self.dry, shared)
        d = self.dry
        sent = self.run is not None
        parts = [f"{d.rows:,} URL{'s' if d.rows != 1 else ''}: {d.sendable:,} "
                 + ("in the batch" if sent else "to send")]
        if d.refused:
            parts.append(f"{d.refused:,} refused")
        if d.duplicates:
            parts.append(f"{d.duplicates:,} duplicate{'s' if d.duplicates != 1 else ''}")
        self.summary.setText(f"<b>{gen.title}</b> for each product page — "
                             + (", ".join(parts) if d.rows else "no links yet") + ".")
        self.columns_label.setVisible(self.table is not None)
        self.status.setText(self.sending.status() if self.run is not None
                            else dry_run_text(d, plan, self.service.credits,
                                              self.concurrency.value()))
        empty = not self.rows and self.run is None
        self.paste.setVisible(empty)
        self.view.setVisible(not empty)
        running = self.sending.running()
        self.send_button.setEnabled(d.sendable > 0 and d.credits is not None and not running
                                    and self.run is None and self.service.connected)
        self.send_button.setText("Sent" if sent else
                                 f"Send {d.sendable:,} job{'s' if d.sendable != 1 else ''}…")
        failed = self.run.failed_indexes() if self.run is not None else []
        self.requeue_button.setEnabled(bool(failed) and not running)
        self.requeue_button.setText(f"Requeue {len(failed)} failed only…" if failed
                                    else "Requeue failed only…")
        self.stop_button.setEnabled(running)

    def lock_settings(self) -> None:
        """Sent: the shared settings, target and columns no longer change."""
        for editor in self.editors.values():
            editor.setEnabled(False)
        self.target.setEnabled(False)
        self.import_button.setEnabled(False)
        self.columns.set_enabled(False)

    # ------------------------------------------------------------------ importing

    def _choose_file(self, done: Callable[[str], None]) -> None:
        dialog = QFileDialog(self, "Import URLs", str(Path.home()),
                             "URL lists (*.csv *.tsv *.txt);;All files (*)")
        dialog.setObjectName("batch_import_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(done)
        dialog.open()

    def import_file(self, path: str) -> None:
        """Replace the rows with a file's (a CSV shows its column mapping)."""
        if not path:
            return
        try:
            rows, table = load_file(Path(path), self.target_key)
        except BatchError as exc:
            self.note.setText(str(exc))
            return
        self.table = table
        self.columns.build(table, self.target_key)
        self.model.reset(self.target_key, rows)
        self.note.setText(f"{len(rows):,} rows read from {Path(path).name}.")
        self.reprice()

    # ------------------------------------------------------------------ pasting

    def paste_clipboard(self) -> int:
        """Ctrl+V on the sheet: the clipboard's links added as rows."""
        return self.add_links(QGuiApplication.clipboard().text())

    def add_links(self, text: str) -> int:
        """The links in ``text`` (pasted into the box, or Ctrl+V) added after the rows, read
        as a drop is; returns how many were added."""
        if self.run is not None:
            self.note.setText("This batch was sent: open a new batch sheet (View → Batch of "
                              "URLs…) for more links.")
            return 0
        try:
            rows, added = with_pasted(self.rows, text)
        except BatchError as exc:
            self.note.setText(str(exc))
            return 0
        if not added:
            self.note.setText("No web address in the pasted text.")
            return 0
        if self.table is not None:  # one list of URLs now: no single column mapping
            self.table = None
            self.columns.build(None, self.target_key)
        self.model.reset(self.target_key, rows)
        self.paste.edit.clear()
        self.note.setText(f"{added:,} link{'s' if added != 1 else ''} added.")
        self.reprice()
        self.view.setFocus()
        return added
