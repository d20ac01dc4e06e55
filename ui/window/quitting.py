"""Quitting with jobs still running: one plain question, never when nothing runs.

Closing the window (File → Quit, Ctrl+Q, the title bar's close button) stops nothing at
Creatify: the jobs go on there and the next start follows them again from the ledger (the
sandbox keeps its jobs with its account, so the same holds there). The window asks once,
with a box that is not modal to the event loop (``open``, not ``exec``): ``Quit`` closes it
for good, ``Cancel`` keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app import APP_NAME
from ui.service import Mode, StudioService


def running_words(count: int, sandbox: bool) -> tuple[str, str]:
    """The question's text and its explanation, for ``count`` running jobs."""
    jobs = "1 job is" if count == 1 else f"{count} jobs are"
    them = "it" if count == 1 else "them"
    if sandbox:
        return (f"{jobs} still running in the sandbox.",
                f"Quitting does not stop {them}: the sandbox keeps {them} with its account, "
                f"and {APP_NAME} picks {them} up and saves the results the next time you "
                "open the sandbox.")
    they_go = "it goes" if count == 1 else "they go"
    return (f"{jobs} still running at Creatify.",
            f"Quitting does not stop or cancel {them}: {they_go} on at Creatify, and "
            f"{APP_NAME} picks {them} up and saves the results the next time you open it.")


class QuitGuard(QObject):
    """Asks before the window closes while jobs run; :meth:`allows_close` from ``closeEvent``."""

    def __init__(self, window: QMainWindow, service: StudioService) -> None:
        super().__init__(window)
        self.window, self.service = window, service
        self.box: QMessageBox | None = None
        self._confirmed = False

    def allows_close(self) -> bool:
        """Whether the window may close now. ``False``: the question is showing (the window
        closes itself when the creator answers Quit)."""
        if self._confirmed:
            self._confirmed = False  # once: a window shown again asks again
            return True
        running = self.service.running_jobs()
        if not running:
            return True
        if self.box is not None:  # asked already: bring the question back, not a second one
            self.box.raise_()
            self.box.activateWindow()
            return False
        self.box = self._ask(len(running))
        return False

    def _ask(self, count: int) -> QMessageBox:
        text, more = running_words(count, self.service.mode == Mode.SANDBOX)
        box = QMessageBox(QMessageBox.Icon.Information, f"Quit {APP_NAME}", text,
                          parent=self.window)
        box.setObjectName("confirm_quit_running")
        box.setInformativeText(more)
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.AcceptRole)
        quit_button.setObjectName("quit_button")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancel_button")
        box.setDefaultButton(quit_button)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.box = None
            if box.clickedButton() is quit_button:
                self._confirmed = True
                self.window.close()
        box.finished.connect(answered)
        box.open()
        return box
