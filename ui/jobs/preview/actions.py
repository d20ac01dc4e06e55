"""What the preview does with the result shown besides playing it: Save as… (copied in a
worker thread), Open file, Open link and Copy link. Mixed into
:class:`~ui.jobs.preview.dialog.PreviewDialog`, which holds the state named below."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

from app.jobs.ledger import JobRecord
from app.platform import LaunchError, open_path
from ui.jobs.preview.files import NotSaved, result_link, save_copy, suggested_path

if TYPE_CHECKING:
    from ui.service import StudioService


class ResultActions:
    """Save, open and copy the result shown (``sources[current]``)."""

    record: JobRecord | None
    sources: list[QUrl]
    source: QUrl | None
    current: int
    kind: str
    pixmaps: dict[int, QPixmap]
    service: StudioService | None
    saving: asyncio.Task[bool] | None

    def say(self, message: str) -> None:
        raise NotImplementedError

    def open_external(self) -> None:
        """A saved file opens in its default app (app.platform, which says when the file or
        the launcher is missing)."""
        if self.source is None or not self.source.isLocalFile():
            return
        try:
            open_path(self.source.toLocalFile())
        except LaunchError as exc:
            self.say(str(exc))

    def open_link(self) -> None:
        link = result_link(self.record, self.sources, self.current)
        if link and not QDesktopServices.openUrl(QUrl(link)):
            self.say("no browser could be started: use “Copy link”")

    def copy_link(self) -> None:
        link = result_link(self.record, self.sources, self.current)
        if link:
            QGuiApplication.clipboard().setText(link)
            self.say("link copied")

    def save_as(self) -> QFileDialog | None:
        """Ask where to save a copy of the result shown. Returns the dialog (opened with
        ``open()``: no nested loop)."""
        if self.source is None:
            return None
        start = suggested_path(self.source, self.kind, f"result-{self.current + 1}")
        parent = self if isinstance(self, QWidget) else None
        dialog = QFileDialog(parent, "Save the result as", start)
        dialog.setObjectName("preview_save_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path, index=self.current: self._save(index, path))
        dialog.open()
        return dialog

    def _save(self, index: int, target: str) -> None:
        if self.service is not None:
            self.saving = self.service.tasks.spawn(self.save_to(index, target), "save a result")

    async def save_to(self, index: int, target: str) -> bool:
        """Save result ``index`` to ``target``; the caption says what was done or why not."""
        self.say(f"saving to {target}…")
        try:
            await save_copy(self.sources[index], self.pixmaps.get(index), target)
        except NotSaved as exc:
            self.say(f"not saved: {exc}")
            return False
        self.say(f"saved as {target}")
        return True


__all__ = ["ResultActions"]
