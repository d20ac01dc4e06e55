"""The AI Avatar v2 scene list: per scene an avatar, a voice, a script and a background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.catalogue import MAX_SCENE_TEXT, MAX_SCENES
from app.generators.spec import is_empty
from ui.common.theme import ERROR, set_tone
from ui.forms.base import FieldEditor
from ui.forms.controls import Combo
from ui.forms.pickers import (
    NOT_CONNECTED,
    CatalogueCombo,
    CatalogueModel,
    CatalogueWatcher,
    StatusRow,
    ThumbnailLoader,
    accent_rows,
    large_faces,
    persona_rows,
)

if TYPE_CHECKING:
    from ui.service import StudioService

SCENE_KEYS = ("avatar_id", "voice_id", "input_text", "background_url", "background_type")
BACKGROUND_TYPES = (("image", "Image"), ("video", "Video"))
_LOADING = "\0loading"


def counter_text(length: int, limit: int = MAX_SCENE_TEXT) -> str:
    return f"{length:,} / {limit:,}"


class SceneBox(QGroupBox):
    """One scene's controls; numbered (and named) by the editor."""

    changed = Signal()
    removeRequested = Signal(object)
    moveRequested = Signal(object, int)

    def __init__(self, field_name: str, avatars: CatalogueModel, voices: CatalogueModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field_name = field_name
        self._extra: dict[str, Any] = {}
        self.avatar = CatalogueCombo(avatars, "Choose an avatar…", self)
        large_faces(self.avatar, f"{field_name}_avatar")
        self.voice = CatalogueCombo(voices, "Choose a voice…", self)
        self.script = QPlainTextEdit(self)
        self.script.setTabChangesFocus(True)
        self.script.setPlaceholderText("What the avatar says in this scene")
        self.script.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.script.setFixedHeight(self.script.fontMetrics().lineSpacing() * 5 + 12)
        self.counter = QLabel(counter_text(0), self)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.background = QLineEdit(self)
        self.background.setPlaceholderText("Optional https:// image or video URL")
        self.background.setClearButtonEnabled(True)
        self.background_type = Combo(self)
        for value, label in BACKGROUND_TYPES:
            self.background_type.addItem(label, value)
        self.up = QPushButton("↑", self)
        self.down = QPushButton("↓", self)
        self.remove = QPushButton("Remove", self)
        for button in (self.up, self.down):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("↑") + 24)

        self.avatar.currentIndexChanged.connect(self.changed)
        self.voice.currentIndexChanged.connect(self.changed)
        self.script.textChanged.connect(self._on_script)
        self.background.textChanged.connect(self.changed)
        self.background_type.currentIndexChanged.connect(self.changed)
        self.up.clicked.connect(lambda: self.moveRequested.emit(self, -1))
        self.down.clicked.connect(lambda: self.moveRequested.emit(self, 1))
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Avatar", self.avatar)
        form.addRow("Voice", self.voice)
        script_box = QVBoxLayout()
        script_box.setContentsMargins(0, 0, 0, 0)
        script_box.setSpacing(2)
        script_box.addWidget(self.script)
        script_box.addWidget(self.counter)
        form.addRow("Script", script_box)
        background_row = QHBoxLayout()
        background_row.setContentsMargins(0, 0, 0, 0)
        background_row.addWidget(self.background, 1)
        background_row.addWidget(self.background_type)
        form.addRow("Background", background_row)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.set_position(1, 1, can_remove=False)

    def set_position(self, number: int, count: int, can_remove: bool) -> None:
        """Title, names and button states for scene ``number`` of ``count``."""
        self.setTitle(f"Scene {number}")
        self.setAccessibleName(f"Scene {number}")
        prefix = f"{self._field_name}_scene{number}"
        self.setObjectName(prefix)
        for widget, key, name in (
                (self.avatar, "avatar", "avatar"), (self.voice, "voice", "voice"),
                (self.script, "script", "script"), (self.counter, "counter", "script length"),
                (self.background, "background", "background URL"),
                (self.background_type, "background_type", "background type"),
                (self.up, "up", "move up"), (self.down, "down", "move down"),
                (self.remove, "remove", "remove")):
            widget.setObjectName(f"{prefix}_{key}")
            widget.setAccessibleName(f"Scene {number} {name}")
        self.up.setToolTip(f"Move scene {number} up")
        self.down.setToolTip(f"Move scene {number} down")
        self.remove.setToolTip(f"Remove scene {number}")
        self.up.setEnabled(number > 1)
        self.down.setEnabled(number < count)
        self.remove.setEnabled(can_remove)

    def _on_script(self) -> None:
        length = len(self.script.toPlainText())
        self.counter.setText(counter_text(length))
        over = length > MAX_SCENE_TEXT
        set_tone(self.counter, ERROR if over else None, bold=over)
        self.counter.setToolTip(f"{length - MAX_SCENE_TEXT:,} characters too many" if over
                                else f"At most {MAX_SCENE_TEXT:,} characters")
        self.changed.emit()

    def value(self) -> dict[str, Any]:
        background = self.background.text().strip()
        return {
            **self._extra,
            "avatar_id": self.avatar.value(),
            "voice_id": self.voice.value(),
            "input_text": self.script.toPlainText(),
            "background_url": background or None,
            "background_type": self.background_type.currentData() or "image",
        }

    def set_value(self, scene: Any) -> None:
        scene = dict(scene) if isinstance(scene, dict) else {}
        self._extra = {k: v for k, v in scene.items() if k not in SCENE_KEYS}
        self.avatar.set_value(scene.get("avatar_id"))
        self.voice.set_value(scene.get("voice_id"))
        text = scene.get("input_text")
        self.script.setPlainText("" if text is None else str(text))
        background = scene.get("background_url")
        self.background.setText("" if is_empty(background) else str(background))
        kind = self.background_type.findData(scene.get("background_type") or "image")
        self.background_type.setCurrentIndex(max(kind, 0))


class ScenesEditor(FieldEditor):
    """A list of scenes (1 to ``field.max_items``); the value is a list of scene dicts."""

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.max_items = field.max_items or MAX_SCENES
        name = field.name
        self.avatars = CatalogueModel(None, self)
        self.voices = CatalogueModel(None, self)
        self.thumbnails = ThumbnailLoader(service, self)
        self.thumbnails.ready.connect(self.avatars.set_thumbnail)
        self.watchers = {
            "personas": CatalogueWatcher(service, "personas", self),
            "voices": CatalogueWatcher(service, "voices", self),
        }
        self._problems: dict[str, tuple[str, bool]] = {}
        for kind, watcher in self.watchers.items():
            watcher.loading.connect(lambda k=kind: self._set_problem(k, _LOADING, False))
            watcher.failed.connect(lambda msg, retry, k=kind: self._set_problem(k, msg, retry))
            watcher.loaded.connect(lambda items, k=kind: self._on_loaded(k, items))

        self._status_box = StatusRow(field, "Retry loading avatars and voices", self.retry,
                                     self)
        self.status = self._status_box.label
        self.retry_button = self._status_box.retry_button

        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add scene", self)
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.setAccessibleName("Add scene")
        self.add_button.clicked.connect(self._on_add)
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"{name}_count")
        self.count_label.setAccessibleName("Number of scenes")
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.count_label, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._status_box)
        layout.addLayout(self._list)
        layout.addLayout(bottom)

        self.scenes: list[SceneBox] = []
        self._add_scene()
        self._last: Any = self.value()

    # -- catalogues

    def ensure_loaded(self) -> None:
        for watcher in self.watchers.values():
            watcher.request()

    def retry(self) -> None:
        for kind, watcher in self.watchers.items():
            if watcher.items is None or kind in self._problems:
                watcher.retry()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def _set_problem(self, kind: str, message: str, retry: bool) -> None:
        self._problems[kind] = (message, retry)
        self._show_status()

    def _show_status(self) -> None:
        nouns = {"personas": "avatars", "voices": "voices"}
        lines = []
        for kind, (message, _retry) in self._problems.items():
            if message == _LOADING:
                lines.append(f"Loading {nouns[kind]}…")
            elif message.startswith(NOT_CONNECTED):
                lines.append(message)
            else:
                lines.append(f"Could not load {nouns[kind]}: {message}")
        self.status.setText("\n".join(dict.fromkeys(lines)))
        self._status_box.setVisible(bool(lines))
        self.retry_button.setVisible(any(retry for _m, retry in self._problems.values()))

    def _on_loaded(self, kind: str, items: list[Any]) -> None:
        self._problems.pop(kind, None)
        self._show_status()
        if kind == "personas":
            self.avatars.set_rows(persona_rows(items))
            urls = [r.thumbnail for r in (self.avatars.row_info(i)
                                          for i in range(self.avatars.rowCount()))
                    if r is not None and r.thumbnail]
            self.thumbnails.want(urls)
            for url in dict.fromkeys(urls):
                pixmap: QPixmap | None = self.thumbnails.pixmap(url)
                if pixmap is not None:
                    self.avatars.set_thumbnail(url, pixmap)
        else:
            self.voices.set_rows(accent_rows(items))
        self._notify()

    # -- scenes

    def _add_scene(self, scene: Any = None) -> SceneBox:
        box = SceneBox(self.field.name, self.avatars, self.voices, self)
        if scene is not None:
            box.set_value(scene)
        box.changed.connect(self._notify)
        box.removeRequested.connect(self._on_remove)
        box.moveRequested.connect(self._on_move)
        self.scenes.append(box)
        self._list.addWidget(box)
        self._renumber()
        return box

    def _on_add(self) -> None:
        if len(self.scenes) >= self.max_items:
            return
        previous = self.scenes[-1].value() if self.scenes else {}
        box = self._add_scene({"avatar_id": previous.get("avatar_id"),
                               "voice_id": previous.get("voice_id")})
        box.script.setFocus()
        self._notify()

    def _on_remove(self, box: SceneBox) -> None:
        if len(self.scenes) <= 1 or box not in self.scenes:
            return
        index = self.scenes.index(box)
        self.scenes.remove(box)
        self._list.removeWidget(box)
        box.hide()
        box.deleteLater()
        self._renumber()
        self.scenes[min(index, len(self.scenes) - 1)].remove.setFocus()
        self._notify()

    def _on_move(self, box: SceneBox, step: int) -> None:
        index = self.scenes.index(box)
        target = index + step
        if not 0 <= target < len(self.scenes):
            return
        self.scenes.insert(target, self.scenes.pop(index))
        self._list.removeWidget(box)
        self._list.insertWidget(target, box)
        self._renumber()
        (box.up if step < 0 and box.up.isEnabled() else
         box.down if box.down.isEnabled() else box.script).setFocus()
        self._notify()

    def _renumber(self) -> None:
        count = len(self.scenes)
        if self.scenes:
            self.setFocusProxy(self.scenes[0].avatar)
        for number, box in enumerate(self.scenes, start=1):
            box.set_position(number, count, can_remove=count > 1)
        self.add_button.setEnabled(count < self.max_items)
        self.add_button.setToolTip(
            f"At most {self.max_items} scenes" if count >= self.max_items
            else "Add a scene after the last one (same avatar and voice)")
        self.count_label.setText(f"{count} of {self.max_items} scenes")

    # -- value

    def value(self) -> list[dict[str, Any]]:
        return [box.value() for box in self.scenes]

    def set_value(self, value: Any) -> None:
        scenes = list(value) if isinstance(value, list | tuple) else []
        for box in self.scenes:
            self._list.removeWidget(box)
            box.hide()
            box.deleteLater()
        self.scenes = []
        for scene in scenes or [None]:
            self._add_scene(scene)
        if any(isinstance(s, dict) and (s.get("avatar_id") or s.get("voice_id"))
               for s in scenes):
            self.ensure_loaded()
        self._notify()

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = ["SCENE_KEYS", "SceneBox", "ScenesEditor", "counter_text"]
