"""Sending a batch from its sheet: one confirmation for the whole batch, the run, stop,
"requeue failed only", and what the status line says once it was sent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.batch import BatchRow, BatchRun, RowState, plan_batch
from app.generators import BY_KEY, DurationKind
from app.generators.quote import format_credits
from ui.batch.wording import batch_status, money_note
from ui.common.widgets import ask_to_send
from ui.service import Mode

if TYPE_CHECKING:
    from ui.batch.sheet import BatchSheet


class BatchSending:
    """The sending side of a :class:`~ui.batch.sheet.BatchSheet`: its run (None until the
    batch is confirmed), whether a run or a requeue is under way, and the estimate of
    everything sent."""

    def __init__(self, sheet: BatchSheet) -> None:
        self.sheet = sheet
        self.run: BatchRun | None = None
        self.active = False  # a run (or a requeue) is under way
        self.estimate: Decimal | None = None  # everything sent, as confirmed
        self.dialog: QMessageBox | None = None

    def running(self) -> bool:
        """A run is under way or rows are still being sent or followed."""
        return self.run is not None and (self.active or any(
            r.state in (RowState.SENDING, RowState.RUNNING) for r in self.sheet.rows))

    def status(self) -> str:
        """The status line once the batch was sent: "Sending: 3 of 6 sent …", "Sent: …"."""
        run = self.run
        return batch_status(self.sheet.rows, sending=self.active, estimate=self.estimate,
                            stopped=run is not None and run.cancelled)

    def _confirm(self, question: str, details: str, on_yes: Callable[[], None]) -> None:
        self.dialog = ask_to_send(self.sheet, name="confirm_batch", title="Confirm the batch",
                                  question=question, details=details, send_text="Send all",
                                  send_name="confirm_batch_send", on_send=on_yes,
                                  send_is_default=False)

    def _money_note(self) -> str:
        return money_note(self.sheet.service.mode == Mode.SANDBOX)

    def request_send(self) -> None:
        sheet = self.sheet
        sheet.reprice()
        if not sheet.send_button.isEnabled() or sheet.dry is None:
            return
        self._confirm(f"Send {sheet.dry.sendable:,} {BY_KEY[sheet.target_key].title} jobs?",
                      sheet.status.text() + self._money_note(), self._send)

    def _send(self) -> None:
        sheet = self.sheet
        gen = BY_KEY[sheet.target_key]
        media = sheet.media_seconds.value() if gen.duration.kind is DurationKind.MEDIA \
            else None
        self.run = sheet.service.run_batch(
            sheet.target_key, sheet.shared_values(), sheet.rows,
            concurrency=sheet.concurrency.value(), media_seconds=media or None,
            on_row=self._row_changed)
        self.estimate = sheet.dry.credits if sheet.dry is not None else None
        sheet.lock_settings()
        self._start(failed_only=False)

    def _start(self, *, failed_only: bool) -> None:
        assert self.run is not None
        self.active = True
        task = self.sheet.service.start_batch(self.run, failed_only=failed_only)
        task.add_done_callback(lambda _t: self._finished())
        self.sheet.reprice()

    def request_requeue(self) -> None:
        run, sheet = self.run, self.sheet
        if run is None:
            return
        failed = run.failed_indexes()
        if not failed:
            return
        again = plan_batch(sheet.target_key, run.shared, [sheet.rows[i] for i in failed],
                           concurrency=run.concurrency, plan=sheet.plan_of(),
                           media_seconds=run.media_seconds)
        cost = format_credits(again.credits) if again.credits is not None else "unknown"
        self._confirm(f"Send the {len(failed)} failed row{'s' if len(failed) != 1 else ''} "
                      f"again?", f"Estimated cost: {cost} (a Link already made for a row is "
                      f"reused).{self._money_note()}", lambda: self._requeue(again.credits))

    def _requeue(self, estimate: Decimal | None) -> None:
        if self.run is None:
            return
        if self.estimate is not None:
            self.estimate = None if estimate is None else self.estimate + estimate
        self._start(failed_only=True)

    def stop(self) -> None:
        if self.run is not None:
            self.run.cancelled = True
            self.sheet.note.setText("No more rows will be sent; jobs already sent keep "
                                    "running.")
            self.sheet.reprice()

    def _row_changed(self, index: int, _row: BatchRow) -> None:
        if index < len(self.sheet.rows):
            self.sheet.model.row_changed(index)
        self.sheet.schedule_reprice()

    def _finished(self) -> None:
        """The run is over: the status line says how it ended (sent: N jobs …)."""
        self.active = False
        if self.run is not None:
            self.run.cancelled = False
        self.sheet.note.setText("")
        self.sheet.reprice()
