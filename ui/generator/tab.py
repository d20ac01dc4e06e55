"""One page per generator: the form on the left; on the right, always in view, how to make it
(the flow), the live estimate with every input that sets the price, and Generate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.generators import Action, DurationKind, Flow, GeneratorSpec, ResultKind
from app.generators.price_inputs import price_fields, sets_price_now
from app.generators.quote import Quote, quote
from app.generators.quote_words import budget_bound, first_step_credits, flow_lines
from app.jobs.ledger import JobRecord
from ui.common.theme import MUTED, WARNING, set_tone
from ui.common.widgets import ask_to_send, named
from ui.forms.controls import Combo, guard_wheels
from ui.forms.form import GeneratorForm
from ui.generator.confirmations import (
    job_seconds,
    job_values,
    render_cost_text,
    send_cost_text,
    style_render_cost_text,
)
from ui.generator.estimator import FIELD_LINK, DurationControl, EstimatorPanel
from ui.generator.flows import PriceSettings, flow_label, flow_tip
from ui.generator.length import has_free_length
from ui.generator.presets import PresetsRow
from ui.generator.primary import PrimaryButton, keep_scroll
from ui.generator.status import JobStatus
from ui.generator.styles_dialog import StylesDialog, billed_seconds, style_costs, style_name
from ui.jobs.model import compared, preview_ready
from ui.service import Mode, StudioService


class GeneratorTab(JobStatus):
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
        self._price_fields: dict[Flow, tuple[str, ...]] = {}
        self.setObjectName(f"tab_{spec.key}")
        self.setAccessibleName(spec.title)

        header = QLabel(f"<b>{escape(spec.title)}</b> — {escape(spec.description)}")
        header.setWordWrap(True)
        header.setObjectName(f"header_{spec.key}")
        self.deprecated = QLabel("⚠ Deprecated by Creatify: still served and billed, but it may "
                                 "be withdrawn.")
        self.deprecated.setObjectName(f"deprecated_{spec.key}")
        self.deprecated.setWordWrap(True)
        set_tone(self.deprecated, WARNING)
        self.deprecated.setVisible(spec.deprecated)

        self.form = GeneratorForm(spec, service)
        body = QWidget()
        body.setObjectName(f"body_{spec.key}")
        column = QVBoxLayout(body)
        column.addWidget(header)
        column.addWidget(self.deprecated)
        column.addWidget(self.form)
        self.presets = PresetsRow(self)  # (above the form: presets, the draft, Clear form)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        self.scroll_area.setObjectName(f"scroll_{spec.key}")

        # How to make it: it sets the price (a preview first costs more), so it sits with
        # the estimate, always in view, and switching it never moves the form.
        self.flow = named(Combo(), f"flow_{spec.key}", "How to make it")
        for flow in spec.flows:
            self.flow.addItem(flow_label(flow), flow)
            self.flow.setItemData(self.flow.count() - 1, flow_tip(flow),
                                  Qt.ItemDataRole.ToolTipRole)
        flow_caption = QLabel("How to make it")
        flow_caption.setBuddy(self.flow)
        self.flow_row = QWidget()
        flow_layout = QVBoxLayout(self.flow_row)
        flow_layout.setContentsMargins(0, 0, 0, 0)
        flow_layout.setSpacing(2)
        flow_layout.addWidget(flow_caption)
        flow_layout.addWidget(self.flow)
        self.flow_row.setVisible(len(spec.flows) > 1)

        self.estimator = EstimatorPanel(spec.key)
        self.estimator.fieldRequested.connect(self.focus_field)
        # One length input per generator: the spec's own field where it has one (the panel
        # names it), else this control, in the panel under the figure it drives.
        self.duration: DurationControl | None = None
        if has_free_length(spec.duration):
            self.duration = DurationControl(spec.duration, spec.key)
            self.estimator.set_length_control(self.duration)
        self.submit_button = named(PrimaryButton(self._submit_label()), f"submit_{spec.key}",
                                   f"Submit {spec.title}")
        self.submit_button.setToolTip("Ctrl+Enter")
        self.submit_button.clicked.connect(self.request_submit)
        self.hint = named(QLabel(""), f"hint_{spec.key}", "What is missing before you can submit")
        self.hint.setWordWrap(True)
        set_tone(self.hint, MUTED)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.linkActivated.connect(self._hint_link)
        self.status = named(QLabel(""), f"status_{spec.key}", "Job status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
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
        for widget in (self.flow_row, self.estimator, self.submit_button, self.hint,
                       self.render_button, self.choose_button, self.status):
            side.addWidget(widget)
        side.addWidget(self.answer, 3)
        side.addStretch(1)  # what is left stays below, not inside the estimate
        layout = QHBoxLayout(self)
        layout.addWidget(self.scroll_area, 3)
        layout.addLayout(side, 2)

        self.form.changed.connect(self.refresh)
        self.flow.currentIndexChanged.connect(self._flow_changed)
        if self.duration is not None:
            self.duration.changed.connect(self.refresh)
            self.form.mediaLength.connect(self.duration.set_media_length)
        service.creditsChanged.connect(lambda _credits: self.refresh())
        service.submitFailed.connect(self._on_submit_failed)
        service.jobSubmitted.connect(self._on_job_submitted)
        service.jobsChanged.connect(self._on_jobs_changed)
        if spec.action is Action.TEXT_GENERATE:
            service.textDelta.connect(self._on_text_delta)
            service.textFinished.connect(self._on_text_finished)
        self.form.set_flow(self.selected_flow())
        # Any control a picker built as a plain Qt one follows the wheel rule too.
        guard_wheels(self)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_form_width()

    def _fit_form_width(self) -> None:
        """The form keeps the width its rows need (the estimate's side gives way first): no
        sideways scrolling on a narrow window."""
        body = self.scroll_area.widget()
        if body is None:
            return
        extent = self.scroll_area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroll_area.setMinimumWidth(body.minimumSizeHint().width() + extent
                                         + 2 * self.scroll_area.frameWidth() + 2)

    # ------------------------------------------------------------------ state

    def _submit_label(self) -> str:
        return "Generate" if self.spec.result_kind is not ResultKind.LINK else "Create link"

    def selected_flow(self) -> Flow:
        try:
            return Flow(self.flow.currentData())  # (Qt hands back the StrEnum's plain str)
        except ValueError:
            return Flow.CREATE

    def values(self) -> dict[str, Any]:
        return self.form.values()

    def seconds(self) -> float | None:
        if self.duration is not None:
            return self.duration.seconds()
        if self.spec.duration.kind is DurationKind.NONE:
            return None
        # The length is a form field's (a chosen length): the field is the one input.
        return self.spec.derive_seconds(self.values(), self.pricing.words_per_minute)

    def errors(self) -> dict[str, str]:
        return self.spec.validate(self.values(), self.selected_flow())

    def _flow_changed(self) -> None:
        flow = self.selected_flow()
        with keep_scroll(self.scroll_area):  # the rows of the other flow swap in place
            self.form.set_flow(flow)
            if self.duration is not None:
                # A flat-priced flow (regenerate) has no length to enter: no control to
                # confuse.
                self.duration.setVisible(self.spec.timed(flow))
        self._fit_form_width()
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
        errors = {**self.spec.validate(values, flow), **self.form.local_problems()}
        self.form.show_errors(errors)
        q = quote(self.spec, values, self.seconds(), flow=flow, plan=self.pricing.plan,
                  balance=self.service.credits, learned=self.service.learned_price)
        self.current_quote = replace(q, lines=flow_lines(q, flow))
        self.estimator.show_quote(self.current_quote, self.pricing.plan_name)
        self.estimator.show_inputs(self.price_inputs(values, flow))
        can_price = self.current_quote.error is None
        self.submit_button.setEnabled(not errors and can_price and not self.busy
                                      and self.service.connected)
        self.hint.setText(self._missing(errors))

    def price_inputs(self, values: dict[str, Any], flow: Flow) -> list[tuple[str, str]]:
        """The form fields this flow's price rests on, each with its value in words."""
        if flow not in self._price_fields:
            self._price_fields[flow] = price_fields(self.spec, values, flow)
        shown = []
        for name in sets_price_now(self.spec, values, flow, self._price_fields[flow]):
            if not self.form.field_shown(name):
                continue
            f = self.spec.field(name)
            shown.append((name, f"{f.label}: {self.form.value_text(name)}"))
        return shown

    def focus_field(self, name: str) -> None:
        """Take the creator to a field of the form: shown (advanced options opened if it is
        one of them), scrolled into view and focused."""
        editor = self.form.reveal(name)
        if editor is None:
            return
        self.scroll_area.ensureWidgetVisible(editor, 0, 24)
        editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _hint_link(self, link: str) -> None:
        if link.startswith(FIELD_LINK):
            self.focus_field(link.removeprefix(FIELD_LINK))

    def _missing(self, errors: dict[str, str]) -> str:
        """Why Generate is disabled, in a line (rich text: the field is a link to it)."""
        if not self.service.connected:
            return "Connect first: enter your API credentials or try the sandbox."
        if errors:
            name, message = next(iter(errors.items()))
            label = self.spec.field(name).label if name else ""
            where = (f"<a href='{FIELD_LINK}{escape(name, quote=True)}'>{escape(label)}</a>: "
                     if label else "")
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"To continue — {where}{escape(message, quote=False)}{more}"
        if self.current_quote is not None and self.current_quote.error:
            return escape(self.current_quote.error, quote=False)
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
        name = style_name(self.spec, chosen.visual_style)
        api = f" ({chosen.visual_style})" if name != chosen.visual_style else ""
        self._confirm(f"Render the {name} style{api}?", cost,
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
