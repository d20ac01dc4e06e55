"""The preview dialog: one finished job's results, the finished jobs around it a key away.

A video shows its poster until Play and its last frame with "Replay" at the end
(:class:`~ui.jobs.preview.stage.MediaStage`); a sound gets a compact player with no picture
area; an image its view; a text its text. A job with several results shows them as a strip
under the view, each with its real pixel size. Save as…, Open file, Open link and Copy link
act on the result shown; Previous/Next (Page Up/Page Down, Alt+←/Alt+→) step through the
jobs the caller listed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.jobs.ledger import JobRecord
from ui.jobs.preview.actions import ResultActions
from ui.jobs.preview.files import result_link
from ui.jobs.preview.images import STRIP_ICON, ResultImages
from ui.jobs.preview.sequence import place
from ui.jobs.preview.stage import MediaStage
from ui.jobs.results import media_kind, media_sources, size_text

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

FULL = QSize(800, 600)
COMPACT_WIDTH = 560


def _button(text: str, name: str, tip: str, slot: Any) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text.rstrip("…"))
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class PreviewDialog(ResultImages, ResultActions, QDialog):
    """Plays a video or an audio result, shows an image or text; never blocks the loop.

    ``service`` (optional) reads an image or a thumbnail that is not downloaded yet. Without
    a job, ``sources`` and ``title`` say what to play (a template's preview video).
    ``records`` (and ``index``) are the jobs Previous/Next step through.
    """

    def __init__(self, record: JobRecord | None, parent: QWidget | None = None, *,
                 service: StudioService | None = None, title: str = "",
                 sources: list[QUrl] | None = None,
                 records: Sequence[JobRecord] | None = None, index: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview_dialog")
        self.service = service
        self.records, self.at = place(records or [], record, index) if records or record \
            else ([], 0)
        self.fixed_title = title
        self.fixed_sources = sources
        self.record: JobRecord | None = None
        self.title = ""
        self.sources: list[QUrl] = []
        self.source: QUrl | None = None
        self.kind = "text"
        self.pixmaps: dict[int, QPixmap] = {}
        self.current = 0
        self.thumbnail_url = ""
        self.saving: asyncio.Task[bool] | None = None
        self._compact: bool | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        self.text = QPlainTextEdit()
        self.text.setObjectName("preview_text")
        self.text.setAccessibleName("Result text")
        self.text.setReadOnly(True)
        layout.addWidget(self.text, 1)
        self._image(layout)
        self.stage = MediaStage()
        self.stage.problemFound.connect(self.say)
        layout.addWidget(self.stage, 1)
        self.strip = QListWidget()
        self.strip.setObjectName("preview_strip")
        self.strip.setAccessibleName("Results")
        self._strip(layout)
        layout.addLayout(self._buttons())
        self._keys()
        if service is not None:
            service.imageLoaded.connect(self._image_arrived)
        self.show_record(self.at)

    # ------------------------------------------------------------------ building

    def _header(self) -> QHBoxLayout:
        self.caption = QLabel()
        self.caption.setObjectName("preview_caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.previous_button = _button("‹ Previous", "preview_previous",
                                       "The finished job before this one (Page Up)",
                                       self.previous)
        self.next_button = _button("Next ›", "preview_next",
                                   "The finished job after this one (Page Down)", self.next)
        self.place_label = QLabel()
        self.place_label.setObjectName("preview_place")
        self.place_label.setToolTip("Where this job is among the finished jobs of the Jobs list")
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.previous_button)
        row.addWidget(self.place_label)
        row.addWidget(self.next_button)
        return row

    def _image(self, layout: QVBoxLayout) -> None:
        label = QLabel()
        label.setObjectName("preview_image")
        label.setAccessibleName("Result image")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setObjectName("preview_image_area")
        scroll.setWidgetResizable(True)
        scroll.setWidget(label)
        layout.addWidget(scroll, 1)
        self.image = label
        self.image_area = scroll

    def _strip(self, layout: QVBoxLayout) -> None:
        strip = self.strip
        strip.setViewMode(QListView.ViewMode.IconMode)
        strip.setFlow(QListView.Flow.LeftToRight)
        strip.setWrapping(False)
        strip.setMovement(QListView.Movement.Static)
        strip.setIconSize(QSize(STRIP_ICON, STRIP_ICON))
        strip.setGridSize(QSize(STRIP_ICON + 28, STRIP_ICON + 44))
        strip.setFixedHeight(STRIP_ICON + 64)
        strip.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        strip.currentRowChanged.connect(self.show_result)
        layout.addWidget(strip)

    def _buttons(self) -> QHBoxLayout:
        self.save_button = _button("Save as…", "preview_save",
                                   "Save a copy of the result shown", self.save_as)
        self.save_button.setAccessibleName("Save this result as")
        self.external = _button("Open file", "preview_external",
                                "Open the downloaded file in its usual app", self.open_external)
        self.open_link_button = _button("Open link", "preview_open_link",
                                        "Open the result's web address in the browser",
                                        self.open_link)
        self.copy_link_button = _button("Copy link", "preview_copy_link",
                                        "Copy the result's web address", self.copy_link)
        row = QHBoxLayout()
        for button in (self.save_button, self.external, self.open_link_button,
                       self.copy_link_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _keys(self) -> None:
        for keys, slot in ((("PgUp", "Alt+Left"), self.previous),
                           (("PgDown", "Alt+Right"), self.next)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

    # ------------------------------------------------------------------ jobs

    def show_record(self, at: int) -> None:
        """Show job ``at`` of the list (or the sources given, without a job)."""
        record = self.records[at] if 0 <= at < len(self.records) else None
        if record is not None and self.service is not None:
            # As the ledger has it now (a download may have finished since it was listed).
            record = self.service.job(record.key) or record
            self.records[at] = record
        self.at = at
        self.record = record
        self.title = self.fixed_title or (record.title if record is not None else "")
        self.setWindowTitle(f"Preview — {self.title}")
        self.sources = list(self.fixed_sources) if self.fixed_sources is not None else \
            media_sources(record) if record is not None else []
        self.pixmaps = {}
        self.thumbnail_url = record.thumbnails[0] if record is not None and \
            record.thumbnails else ""
        self.strip.blockSignals(True)
        self.strip.clear()
        for index, source in enumerate(self.sources):
            item = QListWidgetItem(self._label(index, None))
            item.setToolTip(source.fileName() or source.toString())
            self.strip.addItem(item)
        self.strip.blockSignals(False)
        self.strip.setVisible(len(self.sources) > 1)
        many = len(self.records) > 1
        for widget in (self.previous_button, self.next_button, self.place_label):
            widget.setVisible(many)
        self.previous_button.setEnabled(at > 0)
        self.next_button.setEnabled(at < len(self.records) - 1)
        self.place_label.setText(f"{at + 1} of {len(self.records)}")
        for index, source in enumerate(self.sources):
            if media_kind(source) == "image":
                self._load_image(index)
        self.text.setPlainText(record.response_text if record is not None
                               and record.response_text else "Nothing to preview yet.")
        if self.sources:
            self.show_result(0)
        else:
            self.source, self.kind = None, "text"
            self.stage.stop()
            self._show_kind()
            self.caption.setText(self.title)
        self._fit()

    def play_or_pause(self) -> None:
        """Play or pause the video or sound shown (nothing for an image or text)."""
        if self.kind in ("video", "audio"):
            self.stage.toggle()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space plays or pauses unless the focus is on a control that takes Space itself (a
        button it presses; the play button's press does the same)."""
        if event.key() == Qt.Key.Key_Space and \
                event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.play_or_pause()
            event.accept()
            return
        super().keyPressEvent(event)

    def previous(self) -> None:
        if self.at > 0:
            self.show_record(self.at - 1)

    def next(self) -> None:
        if self.at < len(self.records) - 1:
            self.show_record(self.at + 1)

    def _fit(self) -> None:
        """A sound gets a compact window; anything else the full one."""
        compact = bool(self.sources) and all(media_kind(s) == "audio" for s in self.sources)
        if compact == self._compact:
            return
        self._compact = compact
        if compact:
            layout = self.layout()
            width = max(COMPACT_WIDTH, self.minimumSizeHint().width())
            height = self.minimumSizeHint().height()
            if layout is not None:
                layout.activate()
                if layout.hasHeightForWidth():  # a long title wraps: its lines all show
                    height = max(height, layout.totalHeightForWidth(width))
            self.resize(width, height)
        else:
            self.resize(self.size().expandedTo(FULL))

    # ------------------------------------------------------------------ showing one result

    @property
    def player(self) -> Any:
        return self.stage.player

    @property
    def duration_ms(self) -> int:
        return self.stage.duration_ms

    @property
    def problem(self) -> str:
        return self.stage.problem

    def _thumbnail(self) -> QPixmap | None:
        if not self.thumbnail_url or self.service is None:
            return None
        data = self.service.image(self.thumbnail_url)  # cached, else imageLoaded follows
        pixmap = QPixmap()
        return pixmap if data is not None and pixmap.loadFromData(data) else None

    def _show_kind(self) -> None:
        self.text.setVisible(self.kind == "text")
        self.image_area.setVisible(self.kind == "image")
        self.stage.setVisible(self.kind in ("video", "audio"))
        link = result_link(self.record, self.sources, self.current)
        local = self.source is not None and self.source.isLocalFile()
        self.external.setEnabled(local)
        self.external.setToolTip("Open the downloaded file in its usual app" if local
                                 else "Not downloaded yet")
        for button in (self.open_link_button, self.copy_link_button):
            button.setEnabled(bool(link))
        self.save_button.setVisible(self.service is not None)
        self.save_button.setEnabled(local or self.current in self.pixmaps
                                    or self.kind == "image")

    def show_result(self, index: int) -> None:
        """Show result ``index`` in the view (image) or the player (video, audio)."""
        if not 0 <= index < len(self.sources):
            return
        self.current = index
        self.source = self.sources[index]
        self.kind = media_kind(self.source)
        if self.strip.currentRow() != index:
            self.strip.setCurrentRow(index)
        if self.kind == "image":
            self.stage.stop()
            pixmap = self.pixmaps.get(index)
            if pixmap is None:
                self.image.clear()
                self.image.setText("Loading the image…" if self.service is not None
                                   else "Download the image to preview it here.")
            else:
                self.image.setPixmap(pixmap)
                self.image.setToolTip(size_text(pixmap))
        else:
            self.stage.load(self.source, self.kind, self._thumbnail())
        self._show_kind()
        if self.kind in ("video", "audio") and self.stage.player is not None:
            self.stage.play_button.setFocus()  # Space plays; Tab reaches the rest
        self.caption.setText(self._heading())

    def _heading(self) -> str:
        count = f" — result {self.current + 1} of {len(self.sources)}" \
            if len(self.sources) > 1 else ""
        return f"{self.title}{count}"

    def say(self, message: str) -> None:
        self.caption.setText(f"{self._heading()} — {message}")

    def done(self, result: int) -> None:
        self.stage.stop(unload=True)
        super().done(result)
