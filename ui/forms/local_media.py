"""A URL field that also takes a local file: "Choose file…", or drop one (or a ``file://``
link) on it.

A local file is checked first (its bytes say whether it is an image, audio or video this field
takes; audio and video say how long they play, for the estimate: ``mediaLength``), then
uploaded to the creator's own storage (Settings → Storage) with a progress bar in the field,
and its link becomes the field's value. Uploading is free, so nothing asks first; while it
runs, :meth:`LocalMediaEditor.pending_problem` keeps Generate waiting. A file that cannot be
used leaves the field's value as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QUrl, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.generators import DurationKind, Field, GeneratorSpec
from app.uploads import (
    Kind,
    LocalMedia,
    UnsupportedFile,
    UploadedFile,
    UploadError,
    inspect_local,
    media_kinds,
    unreachable_link,
)
from ui.common.theme import ERROR, MUTED, OK, WARNING, set_tone
from ui.forms.base import FieldEditor
from ui.forms.editors import LineEditor
from ui.service import Mode
from ui.uploads import NOT_SET_UP

if TYPE_CHECKING:
    from ui.service import StudioService

_PATTERNS = {"image": "*.png *.jpg *.jpeg *.webp",
             "audio": "*.mp3 *.wav *.m4a *.aac *.ogg *.flac",
             "video": "*.mp4 *.mov *.webm"}
_SETTINGS_REASONS = frozenset({"config", "bad_keys", "no_bucket", "no_permission"})
LINK_MARGIN = timedelta(minutes=15)
"""A link that stops working sooner than this is not sent (a queued job may wait)."""
_DRAGS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def local_file_of(mime: QMimeData) -> Path | None:
    """The one local file a drag carries (a file, or a ``file://`` link as text), else None."""
    urls = mime.urls() if mime.hasUrls() else []
    if not urls and mime.hasText():
        text = mime.text().strip()
        urls = [QUrl(text)] if text.lower().startswith("file:") and "\n" not in text else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    return Path(urls[0].toLocalFile())


def takes_local_drop(widget: QWidget, mime: QMimeData) -> bool:
    """Whether ``mime`` is one local file dropped on (a part of) a field that uploads it —
    the window's drop router leaves such a drop to the field."""
    if local_file_of(mime) is None:
        return False
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, LocalMediaEditor):
            return True
        current = current.parentWidget()
    return False


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1e3))} kB"


class LocalMediaEditor(LineEditor):
    """The URL line (a :class:`LineEditor`), "Choose file…", drops of a local file, the
    upload's progress and a line saying what happened (or what to fix, with a button to the
    storage settings)."""

    mediaLength = Signal(str, object)  # field name, seconds (float) or None: read from a file
    settingsRequested = Signal()

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.kinds: tuple[Kind, ...] = media_kinds(field) or ("image", "audio", "video")
        self.local: LocalMedia | None = None
        self.uploaded: UploadedFile | None = None
        self.uploading: Path | None = None
        self.seconds: float | None = None
        # A signed link is long (~600 characters): never cut; the field's own limit is
        # said in words (pending_problem) instead.
        self.edit.setMaxLength(32767)
        self.edit.setPlaceholderText("https://… or drop a file here")
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._typed_file_link)
        self.choose = QPushButton("Choose file…")
        self.choose.setObjectName(f"{self.objectName()}_choose")
        self.choose.setAccessibleName(f"Choose a local file for {field.label}")
        self.choose.setToolTip(f"Upload {' or '.join(self.kinds)} from this computer to your "
                               "storage and use its link")
        self.choose.clicked.connect(self.choose_file)
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{self.objectName()}_progress")
        self.bar.setAccessibleName(f"Upload of {field.label}")
        self.bar.setVisible(False)
        self.note = QLabel("")
        self.note.setObjectName(f"{self.objectName()}_note")
        self.note.setAccessibleName(f"{field.label}: local file")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.settings_button = QPushButton("Open storage settings…")
        self.settings_button.setObjectName(f"{self.objectName()}_storage")
        self.settings_button.setAccessibleName("Open the storage settings")
        self.settings_button.setVisible(False)
        self.settings_button.clicked.connect(self.open_storage_settings)

        outer = self.layout()  # the line editor's own row: [line] becomes the column below
        assert outer is not None
        outer.removeWidget(self.edit)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.choose)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.bar)
        column.addWidget(self.note)
        button_row = QHBoxLayout()
        button_row.setContentsMargins(0, 0, 0, 0)
        button_row.addWidget(self.settings_button)
        button_row.addStretch(1)
        column.addLayout(button_row)
        assert isinstance(outer, QHBoxLayout)
        outer.addLayout(column)
        self.setAcceptDrops(True)
        self.edit.installEventFilter(self)

    # ------------------------------------------------------------------ FieldEditor

    def set_value(self, value: Any) -> None:
        super().set_value(value)
        self._forget()

    def pending_problem(self) -> str | None:
        """Why the form cannot be sent yet because of this field (None: it can)."""
        if self.uploading is not None:
            return f"Uploading “{self.uploading.name}”… Generate waits for it."
        url = self.value()
        if url is None:
            return None
        done = self.uploaded
        if done is not None and done.url == url and done.expires_at is not None \
                and done.expires_at - datetime.now(UTC) < LINK_MARGIN:
            return ("The link to the uploaded file expires in less than 15 minutes: choose the "
                    "file again for a new link (it is not uploaded twice).")
        limit = self.field.max_length
        if done is not None and done.url == url and limit is not None and len(url) > limit:
            return (f"The link to the uploaded file is {len(url)} characters; this field "
                    f"takes at most {limit}. Choose public links in Settings → Storage (they "
                    "are short), or paste a shorter link.")
        if self.service.mode == Mode.LIVE:
            return unreachable_link(url)
        return None

    # ------------------------------------------------------------------ choosing, dropping

    def choose_file(self) -> QFileDialog:
        patterns = " ".join(_PATTERNS[k] for k in self.kinds)
        dialog = QFileDialog(self, f"Choose a file for “{self.field.label}”")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([f"{' or '.join(self.kinds).capitalize()} ({patterns})",
                               "All files (*)"])
        dialog.setObjectName(f"{self.objectName()}_dialog")
        dialog.fileSelected.connect(lambda path: self.use_file(Path(path)))
        dialog.open()
        return dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _DRAGS and isinstance(event, QDropEvent):
            return self._drag(event)
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        if event.type() in _DRAGS and isinstance(event, QDropEvent):
            return self._drag(event)
        return super().event(event)

    def _drag(self, event: QDropEvent) -> bool:
        path = local_file_of(event.mimeData())
        if path is None:
            return False  # links and text: the line edit's own handling
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.use_file(path)
        return True

    def _typed(self) -> None:
        self._forget()

    def _typed_file_link(self) -> None:
        text = self.edit.text().strip()
        if text.lower().startswith("file:"):
            url = QUrl(text)
            if url.isLocalFile():
                self.edit.setText("")
                self.use_file(Path(url.toLocalFile()))

    def open_storage_settings(self) -> None:
        """Settings, at its Storage page (the main window's dialog)."""
        self.settingsRequested.emit()
        window = self.window()
        opener = getattr(window, "open_settings", None)
        if opener is None:
            return
        opener()
        from ui.dialogs.settings import SettingsDialog

        dialogs = window.findChildren(SettingsDialog)
        if dialogs:
            dialogs[-1].show_storage()

    # ------------------------------------------------------------------ a local file

    def use_file(self, path: Path) -> None:
        """Check ``path``, read its length, upload it and put its link in the field."""
        if self.uploading is not None:
            self._say(f"“{self.uploading.name}” is still uploading; drop the next file when "
                      "it is done.", WARNING)
            return
        self.uploading = path
        self.settings_button.setVisible(False)
        self._say(f"Reading “{path.name}”…", MUTED)
        self.changed.emit()
        self.service.uploads.spawn(self._use(path), f"upload {path.name}")

    async def _use(self, path: Path) -> None:
        try:
            await self._check_and_upload(path)
        except UnsupportedFile as exc:  # the field keeps what it had
            self._say(exc.message, ERROR)
        except UploadError as exc:
            self._say(f"“{path.name}” was not uploaded: {exc.message}", ERROR)
            self.settings_button.setVisible(exc.reason in _SETTINGS_REASONS)
        finally:
            self.uploading = None
            self.bar.setVisible(False)
            self.changed.emit()

    async def _check_and_upload(self, path: Path) -> None:
        local = await inspect_local(path, self.kinds)
        self.local, self.seconds = local, local.seconds
        if local.media.kind != "image":
            self.mediaLength.emit(self.field.name, local.seconds)
        length = f", {local.seconds:.1f} s" if local.seconds is not None else ""
        config = self.service.uploads.config_for(self)
        if config is None:
            self._say(f"“{path.name}” ({local.media.kind}{length}) cannot be used yet. "
                      f"{NOT_SET_UP}", WARNING)
            self.settings_button.setVisible(True)
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat(f"Uploading {path.name}… %p%")
        self.bar.setVisible(True)
        self._say(f"Uploading “{path.name}” ({_size(local.size)}{length}) to your storage…",
                  MUTED)
        done = await self.service.uploads.upload(config, path, self.kinds, self._progress)
        self.edit.setText(done.url)
        self.edit.setCursorPosition(0)  # the address's start (its host) in view
        self.edit.setToolTip(done.url)
        self.uploaded = done
        how = "already in your storage, not sent again" if done.reused else "uploaded"
        self._say(f"“{path.name}” ({local.media.kind}{length}) — {how}.", OK)
        if local.length_error:
            self._say(f"“{path.name}” — {how}. {local.length_error} Enter its length under "
                      "the estimate.", WARNING)

    def _progress(self, sent: int, total: int) -> None:
        self.bar.setValue(round(1000 * sent / total) if total else 1000)

    def _forget(self) -> None:
        """The value is no longer the uploaded file's (typed, set, cleared)."""
        if self.uploading is None:
            self.edit.setToolTip("")
            self.local = self.uploaded = None
            self.seconds = None
            self.note.setVisible(False)
            self.settings_button.setVisible(False)

    def _say(self, text: str, tone: str) -> None:
        self.note.setText(text)
        set_tone(self.note, tone)
        self.note.setVisible(True)


def media_too_long(spec: GeneratorSpec, editor: LocalMediaEditor,
                   values: dict[str, Any]) -> str | None:
    """The local file plays longer than the generator takes (its length is the billed
    one: Aurora's audio), said before anything is sent."""
    seconds, source = editor.seconds, spec.duration
    if seconds is None or source.kind is not DurationKind.MEDIA \
            or source.field != editor.field.name or editor.value() is None:
        return None
    limit = spec.max_seconds(values)
    if seconds <= limit:
        return None
    return (f"This file plays {seconds:.1f} s; {spec.title} takes at most {limit:g} s with "
            "these settings. Choose a shorter file.")


def url_editor(field: Field, service: StudioService) -> FieldEditor:
    """A URL field's editor: one that takes local files where the field holds media."""
    if media_kinds(field):
        return LocalMediaEditor(field, service)
    return LineEditor(field)


__all__ = ["LINK_MARGIN", "LocalMediaEditor", "local_file_of", "media_too_long",
           "takes_local_drop", "url_editor"]
