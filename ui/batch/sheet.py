"""The batch sheet: many product URLs at once — checked, priced, confirmed once, then run.

Opened by a drop of several URLs (or a ``.txt``/``.csv`` file) on the window. A row per URL
with its problem (refused, duplicate) or its cost; shared settings with per-row overrides
(editable cells); CSV column mapping; a dry run (credits, dollars, wall time) before anything
is sent; one confirmation for the whole batch; "requeue failed only" afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
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
    QMessageBox,
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
    RowState,
    Table,
    guess_mapping,
    load_file,
    plan_batch,
    rows_from_table,
)
from app.generators import BY_KEY, DurationKind
from app.generators.quote import format_credits
from app.pricing import Plan
from ui.batch.model import COL_ROW, COL_STATE, COL_URL, BatchModel
from ui.batch.wording import dry_run_text, money_note
from ui.common.widgets import ask_to_send, named
from ui.forms.base import FieldEditor
from ui.forms.form import make_editor
from ui.service import Mode, StudioService

IGNORE = "(ignore)"


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
        self.run: BatchRun | None = None
        self.dry: BatchPlan | None = None
        self.editors: dict[str, FieldEditor] = {}
        self._dialog: QMessageBox | None = None
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
        self.mapping_box = QWidget()
        self.mapping_layout = QHBoxLayout(self.mapping_box)
        self.mapping_layout.setContentsMargins(0, 0, 0, 0)
        self.mapping: list[QComboBox] = []

        self.model = BatchModel(target, rows, self)
        self.model.on_override = self._override_message
        self.model.dataChanged.connect(self._schedule_reprice)
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

        self.dry_run = named(QLabel(), "batch_dry_run",
                             "Dry run: what the batch would cost and take")
        self.dry_run.setWordWrap(True)
        self.dry_run.setStyleSheet("font-weight: 600;")
        self.note = named(QLabel(), "batch_note", "Batch messages")
        self.note.setWordWrap(True)

        self.import_button = named(QPushButton("Import CSV…"), "batch_import",
                                   "Import URLs from a CSV or text file")
        self.import_button.clicked.connect(lambda: self.choose_file(self.import_file))
        self.send_button = named(QPushButton("Send…"), "batch_send", "Send the batch")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.request_send)
        self.requeue_button = named(QPushButton("Requeue failed only…"), "batch_requeue",
                                    "Send the failed rows again")
        self.requeue_button.clicked.connect(self.request_requeue)
        self.stop_button = named(QPushButton("Stop sending"), "batch_stop", "Send no more rows")
        self.stop_button.clicked.connect(self.stop)
        self.close_button = named(QPushButton("Close"), "batch_close", "Close the batch sheet")
        self.close_button.clicked.connect(self.close)

        top = QFormLayout()
        top.addRow("Make from each URL", self.target)
        top.addRow("Jobs running at once", self.concurrency)
        self.media_row_label = QLabel("Reference video length")
        top.addRow(self.media_row_label, self.media_seconds)
        top.addRow("Columns", self.mapping_box)
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
        layout.addWidget(self.view, 1)
        layout.addWidget(self.dry_run)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

        self._reprice_timer = QTimer(self)
        self._reprice_timer.setSingleShot(True)
        self._reprice_timer.setInterval(150)
        self._reprice_timer.timeout.connect(self.reprice)
        self._build_shared()
        self._build_mapping()
        self.reprice()

    # ------------------------------------------------------------------ state

    @property
    def target_key(self) -> str:
        return str(self.target.currentData())

    @property
    def rows(self) -> list[BatchRow]:
        return self.model.rows

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

    def _build_mapping(self) -> None:
        for combo in self.mapping:
            combo.deleteLater()
        self.mapping.clear()
        self.mapping_box.setVisible(self.table is not None)
        if self.table is None:
            return
        guessed = guess_mapping(self.table, self.target_key)
        options = [IGNORE, "url", *BATCH_FIELDS[self.target_key]]
        gen = BY_KEY[self.target_key]
        for column in range(self.table.width):
            combo = QComboBox()
            combo.setObjectName(f"batch_column_{column}")
            combo.setAccessibleName(f"What {self.table.column_title(column)} holds")
            combo.setToolTip(self.table.column_title(column))
            for option in options:
                label = {"url": "URL", IGNORE: IGNORE}.get(option) or gen.field(option).label
                combo.addItem(f"{self.table.column_title(column)} → {label}", option)
            combo.setCurrentIndex(options.index(guessed.get(column, IGNORE)))
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.mapping.append(combo)
            self.mapping_layout.addWidget(combo)

    def column_mapping(self) -> dict[int, str]:
        return {i: str(c.currentData()) for i, c in enumerate(self.mapping)
                if c.currentData() != IGNORE}

    def _mapping_changed(self) -> None:
        if self.table is None:
            return
        try:
            rows = rows_from_table(self.table, self.column_mapping(), self.target_key)
        except BatchError as exc:
            self.note.setText(str(exc))
            rows = []
        self.model.reset(self.target_key, rows)
        self.reprice()

    def _target_changed(self) -> None:
        self.run = None
        self._build_shared()
        if self.table is not None:
            self._build_mapping()
            self._mapping_changed()
            return
        for row in self.rows:
            row.overrides = {k: v for k, v in row.overrides.items()
                             if k in BATCH_FIELDS[self.target_key]}
        self.model.reset(self.target_key, self.rows)
        self.reprice()

    def _schedule_reprice(self, *_args: object) -> None:
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
        parts = [f"{d.rows:,} URL{'s' if d.rows != 1 else ''}: {d.sendable:,} to send"]
        if d.refused:
            parts.append(f"{d.refused:,} refused")
        if d.duplicates:
            parts.append(f"{d.duplicates:,} duplicate{'s' if d.duplicates != 1 else ''}")
        self.summary.setText(f"<b>{gen.title}</b> for each product page — "
                             + ", ".join(parts) + ".")
        self.dry_run.setText(dry_run_text(d, plan, self.service.credits,
                                          self.concurrency.value()))
        running = self.run is not None and self._running()
        self.send_button.setEnabled(d.sendable > 0 and d.credits is not None and not running
                                    and self.run is None and self.service.connected)
        self.send_button.setText(f"Send {d.sendable:,} job{'s' if d.sendable != 1 else ''}…")
        failed = self.run.failed_indexes() if self.run is not None else []
        self.requeue_button.setEnabled(bool(failed) and not running)
        self.requeue_button.setText(f"Requeue {len(failed)} failed only…" if failed
                                    else "Requeue failed only…")
        self.stop_button.setEnabled(running)

    def _running(self) -> bool:
        return any(r.state in (RowState.SENDING, RowState.RUNNING) for r in self.rows)

    # ------------------------------------------------------------------ sending

    def _confirm(self, question: str, details: str, on_yes: Callable[[], None]) -> None:
        self._dialog = ask_to_send(self, name="confirm_batch", title="Confirm the batch",
                                   question=question, details=details, send_text="Send all",
                                   send_name="confirm_batch_send", on_send=on_yes,
                                   send_is_default=False)

    def _money_note(self) -> str:
        return money_note(self.service.mode == Mode.SANDBOX)

    def request_send(self) -> None:
        self.reprice()
        if not self.send_button.isEnabled() or self.dry is None:
            return
        self._confirm(f"Send {self.dry.sendable:,} {BY_KEY[self.target_key].title} jobs?",
                      self.dry_run.text() + self._money_note(), self._send)

    def _send(self) -> None:
        gen = BY_KEY[self.target_key]
        media = self.media_seconds.value() if gen.duration.kind is DurationKind.MEDIA else None
        self.run = self.service.run_batch(
            self.target_key, self.shared_values(), self.rows,
            concurrency=self.concurrency.value(), media_seconds=media or None,
            on_row=self._row_changed)
        for editor in self.editors.values():
            editor.setEnabled(False)
        self.target.setEnabled(False)
        self.import_button.setEnabled(False)
        for combo in self.mapping:
            combo.setEnabled(False)
        task = self.service.start_batch(self.run)
        task.add_done_callback(lambda _t: self._finished())
        self.reprice()

    def request_requeue(self) -> None:
        if self.run is None:
            return
        failed = self.run.failed_indexes()
        if not failed:
            return
        again = plan_batch(self.target_key, self.run.shared,
                           [self.rows[i] for i in failed], concurrency=self.run.concurrency,
                           plan=self.plan_of(), media_seconds=self.run.media_seconds)
        cost = format_credits(again.credits) if again.credits is not None else "unknown"
        self._confirm(f"Send the {len(failed)} failed row{'s' if len(failed) != 1 else ''} "
                      f"again?", f"Estimated cost: {cost} (a Link already made for a row is "
                      f"reused).{self._money_note()}", self._requeue)

    def _requeue(self) -> None:
        if self.run is None:
            return
        task = self.service.start_batch(self.run, failed_only=True)
        task.add_done_callback(lambda _t: self._finished())
        self.reprice()

    def stop(self) -> None:
        if self.run is not None:
            self.run.cancelled = True
            self.note.setText("No more rows will be sent; jobs already sent keep running.")

    def _row_changed(self, index: int, _row: BatchRow) -> None:
        if index < len(self.rows):
            self.model.row_changed(index)
        self._schedule_status()

    def _schedule_status(self) -> None:
        if not self._reprice_timer.isActive():
            self._reprice_timer.start()

    def _finished(self) -> None:
        if self.run is not None:
            self.run.cancelled = False
        counts: dict[RowState, int] = {}
        for row in self.rows:
            if row.sendable:
                counts[row.state] = counts.get(row.state, 0) + 1
        self.note.setText("Batch finished: " + ", ".join(
            f"{n} {state.value}" for state, n in sorted(counts.items())) + ".")
        self.reprice()

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
        self._build_mapping()
        self.model.reset(self.target_key, rows)
        self.note.setText(f"{len(rows):,} rows read from {Path(path).name}.")
        self.reprice()
