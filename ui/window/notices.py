"""What the window says when a job finishes: done, failed, preview ready, queue drained —
each behind its own setting."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from shiboken6 import isValid

from app import APP_NAME
from app.jobs.ledger import JobRecord, JobState
from app.platform import LaunchError, notify
from app.settings import Settings
from ui.jobs.model import preview_ready
from ui.service import StudioService


def finished_ok(record: JobRecord) -> bool:
    """A notice of good news (a result or a preview to look at) rather than a failure."""
    return preview_ready(record) or record.state in (JobState.DONE, JobState.IMAGE_DONE)


def notice(record: JobRecord, settings: Settings, drained: bool) -> str | None:
    """The notice for ``record`` having finished (None: nothing to say). ``drained``: no job
    is running any more."""
    ok = finished_ok(record)
    wanted = settings.notify_done if ok else settings.notify_failed
    if record.state is JobState.NOT_CREATED or not wanted:
        message = None
    elif preview_ready(record):
        message = f"The preview of {record.title} is ready: render it when you like it."
    elif ok:
        message = f"{record.title} is ready."
    else:
        message = f"{record.title} {record.state.value}: {record.failed_reason or ''}"
    if message is None and drained and settings.notify_drained:
        message = "All jobs have finished."
    return message


NOTICE_MS = 8000


def deliver(tray: QSystemTrayIcon | None, title: str, message: str, ok: bool) -> str:
    """Show a notice on the desktop and return what the status bar says.

    Through Qt's tray icon where the desktop has a tray; else through the platform's own
    notifier (``notify-send``, ``osascript``: :func:`app.platform.notify`). When that notifier
    is missing the status bar says so after the notice — once a session, not after every
    notice — instead of notifying nobody.
    """
    if tray is not None:
        icon = QSystemTrayIcon.MessageIcon.Information if ok \
            else QSystemTrayIcon.MessageIcon.Warning
        tray.showMessage(title, message, icon, NOTICE_MS)
        return message
    try:
        notify(title, message)
    except LaunchError as exc:
        problem = str(exc)
        if problem in _told:  # said once a session: the notice alone from then on
            return message
        _told.add(problem)
        return f"{message} — {problem}"
    return message


_told: set[str] = set()
"""Why desktop notices could not be shown, each said once a session in the status bar."""


class JobNotices:
    """The window's notices of finished jobs: each job said once, through a tray icon where
    the desktop has one; a click on a tray notice brings the window up with that job
    selected in the Jobs panel."""

    def __init__(self, window: QMainWindow, service: StudioService,
                 settings: Callable[[], Settings], show_job: Callable[[str], None]) -> None:
        self.window = window
        self.service = service
        self.settings = settings
        self.show_job = show_job
        self.notified: set[str] = set()
        self.last: str | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), window)
            self.tray.setObjectName("tray")
            self.tray.messageClicked.connect(self.clicked)
            self.tray.show()
        service.jobsChanged.connect(self.jobs_changed)

    def job_changed(self, record: JobRecord) -> None:
        """One changed job (as a batch of one)."""
        self.jobs_changed({record.key: record})

    def jobs_changed(self, batch: dict[str, JobRecord]) -> None:
        """Done / failed / queue drained, each with its own setting. A batch in which several
        jobs finished is one notice (a burst of a hundred is not a hundred pop-ups), and
        whether the queue drained is read at most once a batch (never once a job). A batch
        that comes after the window was closed and deleted is not said."""
        if not isValid(self.window):
            return
        ended = [record for record in batch.values()
                 if (record.state.is_terminal or preview_ready(record))
                 and record.key not in self.notified]
        if not ended:
            return
        self.notified.update(record.key for record in ended)
        settings = self.settings()
        said = [(record, message) for record in ended
                if (message := notice(record, settings, drained=False)) is not None]
        if not said:  # nothing to say of these jobs: perhaps that the queue drained
            message = notice(ended[-1], settings, self.service.all_finished())
            if message is None:
                return
            said = [(ended[-1], message)]
        record, message = said[-1]
        if len(said) > 1:
            ok = sum(finished_ok(each) for each, _message in said)
            message = (f"{len(said)} jobs finished ({ok} ready, {len(said) - ok} failed). "
                       f"Last: {message}")
        self.last = record.key
        self.window.statusBar().showMessage(
            deliver(self.tray, APP_NAME, message, all(finished_ok(r) for r, _m in said)),
            NOTICE_MS)

    def clicked(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        if self.last:
            self.show_job(self.last)
