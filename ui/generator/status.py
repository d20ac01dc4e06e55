"""What a tab says about its latest job: the status line (sent, running, preview ready, done,
failed), Render / Choose a style when a preview is ready, the streamed answer of a text job.

A mixin of :class:`ui.generator.tab.GeneratorTab`, which owns the widgets it fills.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from app.generators import GeneratorSpec, ResultKind
from app.generators.quote import format_credits
from app.jobs.ledger import JobRecord, JobState
from ui.common.theme import ERROR, tone_hex
from ui.generator.job_lines import download_text, trouble_text
from ui.jobs.model import compared, preview_ready
from ui.jobs.status import STATUS_TEXT
from ui.service import StudioService


class JobStatus(QWidget):
    """The tab's job line and the buttons that take a ready preview further."""

    spec: GeneratorSpec
    service: StudioService
    busy: bool
    last_job: JobRecord | None
    status: QLabel
    render_button: QPushButton
    choose_button: QPushButton
    answer: QPlainTextEdit

    def refresh(self) -> None:
        raise NotImplementedError

    def _mine(self, key: str) -> bool:
        return key == self.spec.key

    def _on_submit_failed(self, key: str, message: str) -> None:
        if self._mine(key):
            self.busy = False
            self.status.setText(f"<span style='color:{tone_hex(ERROR)}'>Not sent: {message}</span>")
            job = self.last_job
            if job is not None and preview_ready(job):  # a refused render: offer it again
                if compared(job):
                    self.choose_button.setVisible(True)
                elif not self.service.renders_of(job):
                    self.render_button.setVisible(True)
            self.refresh()

    def _on_job_submitted(self, key: str, record: JobRecord) -> None:
        if self._mine(key):
            self.busy = False
            self.last_job = record
            self._show_job(record)
            self.refresh()

    def _on_job_changed(self, record: JobRecord) -> None:
        if self.last_job is not None and record.key == self.last_job.key:
            self.last_job = record
            self._show_job(record)

    def _on_jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        """A batch of changed jobs (``StudioService.jobsChanged``): only the tab's own job
        is looked up."""
        record = batch.get(self.last_job.key) if self.last_job is not None else None
        if record is not None:
            self._on_job_changed(record)

    def _show_job(self, record: JobRecord) -> None:
        """One line about the tab's latest job (the queue panel has them all)."""
        name = f"Job {record.short_key}"
        credits = (f" · {format_credits(record.credits_used)} used"
                   if record.credits_used else "")
        state = record.state
        self.render_button.setVisible(False)
        self.choose_button.setVisible(False)
        trouble = trouble_text(record, name)
        if trouble is not None:
            text = trouble
        elif preview_ready(record):
            text = self._preview_text(record, credits)
        elif state is JobState.DONE and record.flow == "stream":
            text = f"{name}: answer complete{credits}."
        elif record.flow == "stream" and state.is_active:
            text = (f"{name}: the answer stopped before its end; following the job in "
                    "Creatify for the rest — it will not be sent again.")
        elif state.is_terminal:
            text = f"{name} done{credits}.{download_text(record)}"
        else:
            progress = f" {record.progress:.0%}" if record.progress is not None else ""
            text = f"{name}: {STATUS_TEXT.get(state, state.value).lower()}{progress}"
        self.status.setText(text)
        if record.response_text and self.spec.result_kind in (ResultKind.TEXT, ResultKind.LINK):
            self.answer.setPlainText(record.response_text)
            self.answer.setVisible(True)

    def _preview_text(self, record: JobRecord, credits: str) -> str:
        """The line for a ready preview (showing the button that takes it further)."""
        if compared(record):
            self.choose_button.setVisible(True)
            return (f"Preview ready: {len(record.previews)} style previews{credits}. Choose "
                    "the one to render (only that one is rendered).")
        link = (f": <a href='{escape(record.preview_url, quote=True)}'>open the preview</a>"
                if record.preview_url else "")
        renders = self.service.renders_of(record)
        if renders:
            return (f"Preview ready{credits}{link}. Already rendered: job "
                    f"{renders[-1].short_key} (see the Jobs panel).")
        self.render_button.setVisible(True)
        return f"Preview ready{credits}{link}. Render it when you like it."

    def _on_text_delta(self, delta: str) -> None:
        if self.busy and not self.answer.toPlainText():
            self.status.setText("Writing the answer…")
        cursor = self.answer.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(delta)

    def _on_text_finished(self, record: JobRecord) -> None:
        self.busy = False
        self.last_job = record
        used = record.credits_used
        if record.state is not JobState.DONE:
            self._show_job(record)
        else:
            self.status.setText("Answer complete" + (f" · {format_credits(used)} used."
                                                     if used else "."))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        """A theme switch: the status line is rich text whose colours were fixed when it was
        set, so it is set again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            QTimer.singleShot(0, self._reshow_job)  # once the labels have the new palette

    def _reshow_job(self) -> None:
        if self.last_job is not None and not self.busy:
            self.status.clear()  # (the same text again would be ignored)
            self._show_job(self.last_job)

    def _open_link(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))




__all__ = ["JobStatus"]
