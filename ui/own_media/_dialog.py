"""The "My avatars and voices" window: upload an avatar video, watch its review, clone a voice
from a recording, delete a clone.

Nothing here waits in a nested loop: the file choosers and the delete confirmation are opened
with ``open()`` and answer through signals; the work runs in :class:`OwnMediaDesk`'s tasks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.uploads import UnsupportedFile, inspect_local
from ui.common.theme.tones import ERROR, MUTED, OK, tone_colour
from ui.common.widgets import named
from ui.own_media._desk import AVATAR_TYPES, OwnMediaDesk
from ui.own_media._parts import FileRow, Status, cell, table, wrapped
from ui.own_media._storage import StorageSource

if TYPE_CHECKING:
    from ui.service import StudioService

GENDERS = (("Female", "f"), ("Male", "m"), ("Non-binary", "nb"))
"""What a custom avatar's ``gender`` takes (``m``/``f``/``nb``), in words."""
NO_PRICE = "Creatify's billing page lists no price for this."
AVATAR_INTRO = ("Upload a video of the person the avatar will be (MP4 or MOV). Creatify "
                "reviews it first, usually within a day; once accepted it appears in every "
                "avatar list. " + NO_PRICE)
VOICE_INTRO = ("Clone a voice from a recording of it (MP3, WAV, M4A, AAC, OGG or FLAC). The "
               "recording goes to your storage (Settings) and Creatify clones the voice from "
               "there; the new voice appears in every voice list. " + NO_PRICE)
TONE_OF_STATE = {"ready": OK, "failed": ERROR, "review": MUTED}


class OwnMediaDialog(QDialog):
    """Your own avatars and voices (File → My avatars and voices…)."""

    def __init__(self, service: StudioService, storage: StorageSource,
                 parent: QWidget | None = None, *, poll_seconds: float | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("own_media_dialog")
        self.setWindowTitle("My avatars and voices")
        self.service = service
        self.desk = (OwnMediaDesk(service, storage, self) if poll_seconds is None else
                     OwnMediaDesk(service, storage, self, poll_seconds=poll_seconds))
        self.tabs = named(QTabWidget(self), "own_media_tabs", "Avatars and voices")
        self.tabs.addTab(self._avatars_page(), "Avatars")
        self.tabs.addTab(self._voices_page(), "Voices")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(720, 560)

        desk = self.desk
        desk.changed.connect(self.refresh)
        desk.avatarProgress.connect(self.avatar_status.progress)
        desk.avatarDone.connect(self._avatar_done)
        desk.voiceProgress.connect(self.voice_status.progress)
        desk.voiceDone.connect(self._voice_done)
        desk.deleteDone.connect(self._delete_done)
        self.refresh()
        self._update_buttons()

    # ------------------------------------------------------------------ pages

    def _avatars_page(self) -> QWidget:
        page = QWidget(self)
        self.avatar_file = FileRow("own_avatar", "avatar video",
                                    "Videos (*.mp4 *.mov *.MP4 *.MOV);;All files (*)", page)
        self.avatar_name = named(QLineEdit(page), "own_avatar_name", "Avatar name")
        self.avatar_name.setPlaceholderText("Whose avatar this is")
        self.avatar_name.setMaxLength(255)
        self.avatar_gender = named(QComboBox(page), "own_avatar_gender", "Gender")
        for label, value in GENDERS:
            self.avatar_gender.addItem(label, value)
        self.avatar_scene = named(QLineEdit(page), "own_avatar_scene", "Scene")
        self.avatar_scene.setPlaceholderText("Where it was filmed: office, kitchen, studio…")
        self.avatar_scene.setMaxLength(255)
        self.avatar_upload = named(QPushButton("Upload for review", page), "own_avatar_upload",
                                   "Upload the avatar video for review")
        self.avatar_upload.clicked.connect(self.upload_avatar)
        self.avatar_status = Status("own_avatar", page)
        self.avatars = table(page, "own_avatars", ("Name", "Scene", "Status", "Uploaded"),
                             stretch=2)

        form = QFormLayout()
        form.addRow("Video:", self.avatar_file)
        form.addRow("Name:", self.avatar_name)
        form.addRow("Gender:", self.avatar_gender)
        form.addRow("Scene:", self.avatar_scene)
        send = QHBoxLayout()
        send.addWidget(self.avatar_upload)
        send.addWidget(self.avatar_status, 1)
        column = QVBoxLayout(page)
        column.addWidget(wrapped(AVATAR_INTRO, page, "own_avatar_intro"))
        column.addLayout(form)
        column.addLayout(send)
        column.addWidget(QLabel("Your avatars", page))
        column.addWidget(self.avatars, 1)
        for edit in (self.avatar_name, self.avatar_scene):
            edit.textChanged.connect(self._update_buttons)
        self.avatar_file.on_chosen.append(self._avatar_chosen)
        return page

    def _voices_page(self) -> QWidget:
        page = QWidget(self)
        self.voice_file = FileRow(
            "own_voice", "recording",
            "Audio (*.mp3 *.wav *.m4a *.aac *.ogg *.flac);;All files (*)", page)
        self.voice_name = named(QLineEdit(page), "own_voice_name", "Voice name")
        self.voice_name.setPlaceholderText("What to call the voice")
        self.voice_name.setMaxLength(255)
        self.voice_clone = named(QPushButton("Clone voice", page), "own_voice_clone",
                                 "Clone a voice from the recording")
        self.voice_clone.clicked.connect(self.clone_voice)
        self.voice_status = Status("own_voice", page)
        self.voices = table(page, "own_voices", ("Name", "From file", "Cloned"), stretch=0)
        self.voices.itemSelectionChanged.connect(self._update_buttons)
        self.voice_delete = named(QPushButton("Delete voice…", page), "own_voice_delete",
                                  "Delete the chosen voice")
        self.voice_delete.clicked.connect(self.ask_delete_voice)
        self.delete_status = Status("own_voice_delete", page)

        form = QFormLayout()
        form.addRow("Recording:", self.voice_file)
        form.addRow("Name:", self.voice_name)
        send = QHBoxLayout()
        send.addWidget(self.voice_clone)
        send.addWidget(self.voice_status, 1)
        below = QHBoxLayout()
        below.addWidget(self.voice_delete)
        below.addWidget(self.delete_status, 1)
        column = QVBoxLayout(page)
        column.addWidget(wrapped(VOICE_INTRO, page, "own_voice_intro"))
        column.addLayout(form)
        column.addLayout(send)
        column.addWidget(QLabel("Your cloned voices", page))
        column.addWidget(self.voices, 1)
        column.addLayout(below)
        self.voice_file.on_chosen.append(self._voice_chosen)
        self._named_after = ""  # the file name the voice's name was filled from
        return page

    # ------------------------------------------------------------------ lists

    def refresh(self) -> None:
        """Fill both tables from the desk's record."""
        book = self.desk.book
        self.avatars.setRowCount(len(book.avatars))
        for row, avatar in enumerate(book.avatars):
            status = cell(avatar.status)
            status.setForeground(tone_colour(TONE_OF_STATE[avatar.state]))
            for column, item in enumerate((cell(avatar.name), cell(avatar.scene), status,
                                           cell(avatar.uploaded))):
                item.setData(Qt.ItemDataRole.UserRole, avatar.id)
                self.avatars.setItem(row, column, item)
        chosen = self.chosen_voice()
        self.voices.setRowCount(len(book.voices))
        for row, voice in enumerate(book.voices):
            for column, item in enumerate((cell(voice.name), cell(voice.file),
                                           cell(voice.cloned))):
                item.setData(Qt.ItemDataRole.UserRole, voice.accent_id)
                self.voices.setItem(row, column, item)
            if voice.accent_id == chosen:
                self.voices.selectRow(row)
        self._update_buttons()

    def avatar_status_of(self, avatar_id: str) -> str | None:
        """The status cell of an avatar's row ("In review", "Ready" …), None if not listed."""
        for row in range(self.avatars.rowCount()):
            item = self.avatars.item(row, 2)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == avatar_id:
                return item.text()
        return None

    def chosen_voice(self) -> str | None:
        rows = self.voices.selectionModel().selectedRows() if self.voices.selectionModel() \
            else []
        if not rows:
            return None
        item = self.voices.item(rows[0].row(), 0)
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme switch: the status colours
            self.refresh()

    # ------------------------------------------------------------------ avatars

    def _update_buttons(self) -> None:
        desk = self.desk
        self.avatar_upload.setEnabled(
            not desk.uploading_avatar and self.avatar_file.path is not None
            and bool(self.avatar_name.text().strip()) and bool(self.avatar_scene.text().strip()))
        self.voice_clone.setEnabled(not desk.cloning_voice and self.voice_file.path is not None)
        chosen = self.chosen_voice()
        self.voice_delete.setEnabled(chosen is not None and chosen not in desk.deleting)

    def _avatar_chosen(self) -> None:
        path = self.avatar_file.path
        self._update_buttons()
        if path is None:
            return
        self.avatar_status.say(f"Checking “{path.name}”…", MUTED)
        self.service.tasks.spawn(self._check_avatar_file(path), "check avatar video")

    async def _check_avatar_file(self, path: Path) -> None:
        try:
            local = await inspect_local(path, ("video",))
        except UnsupportedFile as exc:
            problem: str | None = exc.message
        except OSError as exc:
            problem = f"“{path.name}” could not be read ({exc.strerror or exc})."
        else:
            kind = AVATAR_TYPES.get(local.media.content_type)
            problem = None if kind else (
                f"“{path.name}” is a {local.media.extension[1:].upper()} video; Creatify "
                f"takes a custom avatar's video as MP4 or MOV only.")
        if self.avatar_file.path != path:
            return  # another file was chosen meanwhile
        if problem is not None:
            self.avatar_file.set_path(None)
            self.avatar_status.say(problem, ERROR)
            return
        length = f", {local.seconds:.0f} s" if local.seconds else ""
        self.avatar_status.say(f"{kind} video, {local.size / 1_048_576:.1f} MB{length}.")

    def upload_avatar(self) -> None:
        path = self.avatar_file.path
        if path is None:
            return
        if self.desk.upload_avatar(path, self.avatar_name.text(),
                                   str(self.avatar_gender.currentData()),
                                   self.avatar_scene.text()):
            self.avatar_status.start(f"Uploading “{path.name}”…", MUTED)
        self._update_buttons()

    def _avatar_done(self, ok: bool, text: str) -> None:
        self.avatar_status.done(ok, text)
        if ok:
            self.avatar_file.set_path(None)
            self.avatar_name.clear()
            self.avatar_scene.clear()
        self._update_buttons()

    # ------------------------------------------------------------------ voices

    def _voice_chosen(self) -> None:
        path = self.voice_file.path
        self._update_buttons()
        if path is None:
            return
        if self.voice_name.text().strip() in ("", self._named_after):
            self.voice_name.setText(path.stem[:255])  # a start the creator may change
            self._named_after = path.stem[:255]
        self.service.tasks.spawn(self._check_voice_file(path), "check recording")

    async def _check_voice_file(self, path: Path) -> None:
        try:
            local = await inspect_local(path, ("audio",))
        except (UnsupportedFile, OSError) as exc:
            if self.voice_file.path == path:
                self.voice_file.set_path(None)
                self.voice_status.say(getattr(exc, "message", None) or
                                      f"“{path.name}” could not be read.", ERROR)
            return
        if self.voice_file.path == path:
            length = f", {local.seconds:.0f} s" if local.seconds else ""
            self.voice_status.say(f"Recording of {local.size / 1_048_576:.1f} MB{length}.")

    def clone_voice(self) -> None:
        path = self.voice_file.path
        if path is None:
            return
        if self.desk.clone_voice(path, self.voice_name.text()):
            self.voice_status.start(f"Uploading “{path.name}” to your storage…", MUTED)
        self._update_buttons()

    def _voice_done(self, ok: bool, text: str) -> None:
        self.voice_status.done(ok, text)
        if ok:
            self.voice_file.set_path(None)
            self.voice_name.clear()
        self._update_buttons()

    def ask_delete_voice(self) -> QMessageBox | None:
        """Ask before deleting the chosen voice (opened with ``open()``)."""
        accent_id = self.chosen_voice()
        if accent_id is None:
            return None
        name = next((v.name for v in self.desk.book.voices if v.accent_id == accent_id),
                    "this voice")
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete voice",
                          f"Delete “{name}” at Creatify?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("confirm_delete_voice")
        box.setInformativeText("Jobs already made with it keep their sound; new jobs can no "
                               "longer use it. This cannot be undone.")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("Delete")
        yes.setObjectName("confirm_delete")

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes and self.desk.delete_voice(accent_id):
                self.delete_status.say(f"Deleting “{name}”…", MUTED)
            self._update_buttons()
        box.finished.connect(answered)
        box.open()
        return box

    def _delete_done(self, ok: bool, text: str) -> None:
        self.delete_status.done(ok, text)
        self._update_buttons()


__all__ = ["GENDERS", "OwnMediaDialog"]
