"""One tab per generator: the form, the billed length, the live estimate, submit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.generators import Action, DurationKind, Flow, GeneratorSpec, ResultKind
from app.generators.quote import Quote, format_credits, quote
from app.generators.quote_words import budget_bound, first_step_credits, flow_lines
from app.jobs.ledger import JobRecord, JobState
from ui.common.widgets import ask_to_send, named
from ui.forms.form import GeneratorForm
from ui.generator.confirmations import (
    job_seconds,
    job_values,
    render_cost_text,
    send_cost_text,
    style_render_cost_text,
)
from ui.generator.estimator import DurationControl, EstimatorPanel
from ui.generator.flows import PriceSettings, flow_label
from ui.generator.job_lines import download_text, trouble_text
from ui.generator.styles_dialog import StylesDialog, billed_seconds, style_costs
from ui.jobs.model import compared, preview_ready
from ui.service import Mode, StudioService


class GeneratorTab(QWidget):
    def __init__(self, spec: GeneratorSpec, service: StudioService, pricing: PriceSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.service = service
        self.pricing = pricing
        self.busy = False
        self.current_quote: Quote | None = None
        self.last_job: JobRecord | None = None
        self._dialog: QMessageBox | None = None
        self.styles_dialog: StylesDialog | None = None
        self.setObjectName(f"tab_{spec.key}")
        self.setAccessibleName(spec.title)

        header = QLabel(f"<b>{spec.title}</b> — {spec.description}")
        header.setWordWrap(True)
        header.setObjectName(f"header_{spec.key}")
        self.deprecated = QLabel("⚠ Deprecated by Creatify: still served and billed, but it may "
                                 "be withdrawn.")
        self.deprecated.setObjectName(f"deprecated_{spec.key}")
        self.deprecated.setStyleSheet("color: #b45309;")
        self.deprecated.setVisible(spec.deprecated)

        self.form = GeneratorForm(spec, service)
        extra = QFormLayout()
        self._extra = extra
        self.flow = named(QComboBox(), f"flow_{spec.key}", "How to make it")
        for flow in spec.flows:
            self.flow.addItem(flow_label(flow), flow)
        if len(spec.flows) > 1:
            extra.addRow("Flow", self.flow)
        self.duration: DurationControl | None = None
        if spec.duration.kind is not DurationKind.NONE:
            self.duration = DurationControl(spec.duration, spec.key)
            extra.addRow(spec.duration.label, self.duration)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(header)
        column.addWidget(self.deprecated)
        column.addWidget(self.form)
        column.addLayout(extra)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setObjectName(f"scroll_{spec.key}")

        self.estimator = EstimatorPanel(spec.key)
        self.submit_button = named(QPushButton(self._submit_label()), f"submit_{spec.key}",
                                   f"Submit {spec.title}")
        self.submit_button.setToolTip("Ctrl+Enter")
        self.submit_button.clicked.connect(self.request_submit)
        self.hint = named(QLabel(""), f"hint_{spec.key}", "What is missing before you can submit")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        self.status = named(QLabel(""), f"status_{spec.key}", "Job status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.status.setOpenExternalLinks(False)
        self.status.linkActivated.connect(self._open_link)
        self.render_button = named(QPushButton("Render this preview"), f"render_{spec.key}",
                                   "Render the finished preview")
        self.render_button.setVisible(False)
        self.render_button.clicked.connect(self.request_render)
        self.choose_button = named(QPushButton("Choose a style…"), f"choose_style_{spec.key}",
                                   "Compare the style previews and render one")
        self.choose_button.setVisible(False)
        self.choose_button.clicked.connect(self.choose_style)
        self.answer = named(QPlainTextEdit(), f"answer_{spec.key}", "Answer")
        self.answer.setReadOnly(True)
        self.answer.setVisible(spec.result_kind is ResultKind.TEXT)
        self.answer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        side = QVBoxLayout()
        side.addWidget(self.estimator)
        side.addWidget(self.submit_button)
        side.addWidget(self.hint)
        side.addWidget(self.render_button)
        side.addWidget(self.choose_button)
        side.addWidget(self.status)
        side.addWidget(self.answer, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 3)
        layout.addLayout(side, 2)

        self.form.changed.connect(self.refresh)
        self.flow.currentIndexChanged.connect(self._flow_changed)
        if self.duration is not None:
            self.duration.changed.connect(self.refresh)
        service.creditsChanged.connect(lambda _credits: self.refresh())
        service.submitFailed.connect(self._on_submit_failed)
        service.jobSubmitted.connect(self._on_job_submitted)
        service.jobChanged.connect(self._on_job_changed)
        if spec.action is Action.TEXT_GENERATE:
            service.textDelta.connect(self._on_text_delta)
            service.textFinished.connect(self._on_text_finished)
        self.form.set_flow(self.selected_flow())
        self.refresh()

    # ------------------------------------------------------------------ state

    def _submit_label(self) -> str:
        return "Generate" if self.spec.result_kind is not ResultKind.LINK else "Create link"

    def selected_flow(self) -> Flow:
        # Qt hands the item data back as a plain str (Flow is a StrEnum): convert it back.
        try:
            return Flow(self.flow.currentData())
        except ValueError:
            return Flow.CREATE

    def values(self) -> dict[str, Any]:
        return self.form.values()

    def seconds(self) -> float | None:
        return self.duration.seconds() if self.duration is not None else None

    def errors(self) -> dict[str, str]:
        return self.spec.validate(self.values(), self.selected_flow())

    def _flow_changed(self) -> None:
        flow = self.selected_flow()
        self.form.set_flow(flow)
        if self.duration is not None:
            # A flat-priced flow (regenerate) has no length to enter: no control to confuse.
            self._extra.setRowVisible(self.duration, self.spec.timed(flow))
        self.refresh()

    def refresh(self) -> None:
        """Re-validate and re-price after any change (form, length, flow, credits, plan)."""
        values = self.values()
        if self.duration is not None and self.duration.source.kind is not DurationKind.MEDIA:
            try:
                auto = self.spec.derive_seconds(values, self.pricing.words_per_minute)
            except ValueError:
                auto = None
            self.duration.set_auto(auto)
        flow = self.selected_flow()
        errors = self.spec.validate(values, flow)
        self.form.show_errors(errors)
        q = quote(self.spec, values, self.seconds(), flow=flow, plan=self.pricing.plan,
                  balance=self.service.credits, learned=self.service.learned_price)
        self.current_quote = replace(q, lines=flow_lines(q, flow))
        self.estimator.show_quote(self.current_quote, self.pricing.plan_name)
        can_price = self.current_quote.error is None
        self.submit_button.setEnabled(not errors and can_price and not self.busy
                                      and self.service.connected)
        self.hint.setText(self._missing(errors))

    def _missing(self, errors: dict[str, str]) -> str:
        """Why Generate is disabled, in a line."""
        if not self.service.connected:
            return "Connect first: enter your API credentials or try the sandbox."
        if errors:
            name, message = next(iter(errors.items()))
            label = self.spec.field(name).label if name else ""
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"To continue — {label + ': ' if label else ''}{message}{more}"
        if self.current_quote is not None and self.current_quote.error:
            return self.current_quote.error
        return ""

    # ------------------------------------------------------------------ submit

    def request_submit(self) -> None:
        """Validate, then ask the user to confirm the estimate; nothing is sent before that."""
        self.form.show_all_errors = True
        self.refresh()
        if not self.submit_button.isEnabled():
            return
        q = self.current_quote
        assert q is not None
        self._confirm(f"Send this {self.spec.title} request to Creatify?",
                      send_cost_text(q, self.pricing.plan_name, self._sandbox,
                                     self.service.budget.per_job), self._send)

    @property
    def _sandbox(self) -> bool:
        return self.service.mode == Mode.SANDBOX

    def _confirm(self, question: str, details: str, on_yes: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        self._dialog = ask_to_send(parent or self, name="confirm_cost", title="Confirm the cost",
                                   question=question, details=details, send_text="Send",
                                   send_name="confirm_send", on_send=on_yes)

    def _send(self) -> None:
        self.busy = True
        self.render_button.setVisible(False)
        self.choose_button.setVisible(False)
        self.status.setText("Sending…")
        if self.spec.action is Action.TEXT_GENERATE:
            self.answer.clear()
            self.service.stream_text(self.spec, self.values())
        else:
            q = self.current_quote
            self.service.submit(self.spec, self.values(), self.selected_flow(),
                                estimate=first_step_credits(q), bound=budget_bound(q))
        self.refresh()

    def offer_render(self, record: JobRecord) -> None:
        """A ready preview picked in the Jobs panel: make it the tab's job and go on with
        Render (its cost confirmation) or Choose a style."""
        if record.generator != self.spec.key or not preview_ready(record):
            return
        self.last_job = record
        self._show_job(record)
        if compared(record):
            self.choose_style()
        elif not self.service.renders_of(record):
            self.request_render()

    def request_render(self) -> None:
        job = self.last_job
        if job is None or not preview_ready(job):
            return
        values = job_values(self.spec, job, self.values)
        seconds = job.duration or job_seconds(self.spec, values, self.pricing.words_per_minute) \
            or self.seconds()
        preview = job
        render_quote = quote(self.spec, values, seconds,
                             flow=Flow.PREVIEW_RENDER, plan=self.pricing.plan,
                             balance=self.service.credits)
        cost, estimate = render_cost_text(render_quote, job, self.service.credits,
                                          self.pricing.plan_name, self._sandbox)
        self._confirm("Render this preview?", cost, lambda: self._render(preview, estimate))

    def _render(self, preview: JobRecord, estimate: Decimal | None) -> None:
        self.busy = True
        self.render_button.setVisible(False)
        self.status.setText("Sending the render…")
        self.service.render_preview(self.spec, preview, estimate)
        self.refresh()

    def choose_style(self) -> None:
        """Open (or bring back) the styles of the tab's finished compare-styles job."""
        job = self.last_job
        if job is None or not job.previews or not preview_ready(job):
            return
        dialog = self.styles_dialog
        if dialog is None or dialog.record.key != job.key:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            dialog = StylesDialog(self.spec, job, self.service, self.pricing.plan, self)
            dialog.chosen.connect(self.request_style_render)
            self.styles_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def request_style_render(self, media_job: str) -> None:
        """Confirm the render of one compared style (its estimate only), then send it."""
        job = self.styles_dialog.record if self.styles_dialog is not None else self.last_job
        if job is None:
            return
        chosen = next((p for p in job.previews if p.media_job == media_job), None)
        if chosen is None:
            return
        costs = style_costs(self.spec, job, self.pricing.plan)
        estimate = costs.render.credits if costs.render is not None else None
        cost = style_render_cost_text(costs, billed_seconds(self.spec, job), self.service.credits,
                                      self.pricing.plan_name, self._sandbox)
        parent = self.styles_dialog if self.styles_dialog is not None else self
        self._confirm(f"Render the {chosen.visual_style} style?", cost,
                      lambda: self._render_style(job, media_job, estimate), parent)

    def _render_style(self, compared: JobRecord, media_job: str,
                      estimate: Decimal | None) -> None:
        self.busy = True
        self.choose_button.setVisible(False)
        if self.styles_dialog is not None:
            self.styles_dialog.close()
        self.status.setText("Sending the render…")
        self.service.render_style(self.spec, compared, media_job, estimate)
        self.refresh()

    # ------------------------------------------------------------------ service signals

    def _mine(self, key: str) -> bool:
        return key == self.spec.key

    def _on_submit_failed(self, key: str, message: str) -> None:
        if self._mine(key):
            self.busy = False
            self.status.setText(f"<span style='color:#b91c1c'>Not sent: {message}</span>")
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
            text = f"{name}: {record.raw_status or state.value}{progress}"
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


