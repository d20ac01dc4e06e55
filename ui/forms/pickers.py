"""Pickers over Creatify's free catalogues: avatars (personas), voices (accents) and music.

The pieces are reusable (the scenes editor builds on them):

- :class:`CatalogueWatcher` asks the service for one catalogue, lazily, and reports
  loading / loaded / failed (with a retry), reloading when the connection changes;
- :class:`ThumbnailLoader` asks the service for images a few at a time and caches pixmaps;
- :class:`CatalogueModel` holds one catalogue's rows (one model can feed many combos);
- :class:`CatalogueCombo` is a combo over such a model that keeps a value set before the
  rows arrive (so a saved form round-trips without the catalogue).

Editors never talk to the network: they call ``service.catalogue``/``service.image`` and
listen to ``catalogueLoaded``/``catalogueFailed``/``imageLoaded``.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QHideEvent, QIcon, QPixmap, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.generators import Field
from app.generators.spec import is_empty
from ui.forms.base import FieldEditor

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

NOT_CONNECTED = "Not connected: connect to Creatify or start the sandbox"
THUMBNAILS_IN_FLIGHT = 6
"""At most this many thumbnails are asked from the service at once (long avatar lists)."""
THUMBNAIL_TIMEOUT_MS = 20_000
"""A thumbnail not arrived by then is given up (the service reports no image failures)."""
THUMBNAIL_SIZE = 32
PREVIEW_SIZE = 128

VALUE_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


# ---------------------------------------------------------------------------- catalogue rows

@dataclass(frozen=True, slots=True)
class Row:
    """One choosable catalogue entry."""

    label: str
    value: str
    search: str = ""            # casefolded text the filter matches
    thumbnail: str | None = None
    sample: str | None = None   # an audio preview URL
    link: str | None = None     # a page or video to open (a template's preview)
    detail: str = ""            # a second line of description (a template's aspect ratio)


_GENDERS = {"m": "male", "f": "female", "nb": "non-binary", "non_binary": "non-binary"}
"""The docs' short gender codes (personas list ``m``/``f``/``nb``) in words."""


def _human(value: Any) -> str:
    text = str(value).strip()
    return _GENDERS.get(text.casefold(), text.replace("_", " "))


def _is_inactive(item: Mapping[str, Any]) -> bool:
    if "is_active" not in item:
        return False
    flag = item["is_active"]
    if isinstance(flag, str):
        return flag.strip().lower() in ("false", "0", "no", "")
    return not flag


def persona_rows(items: Iterable[Any]) -> list[Row]:
    """``creator_name — gender, age range, style`` for every active persona, by name."""
    rows = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("id") or _is_inactive(item):
            continue
        name = str(item.get("creator_name") or "Unnamed avatar").strip()
        details = ", ".join(_human(item[k]) for k in ("gender", "age_range", "style")
                            if item.get(k))
        label = f"{name} — {details}" if details else name
        thumb = next((str(item[k]) for k in ("preview_image_1_1", "preview_image_16_9",
                                             "preview_image_9_16") if item.get(k)), None)
        rows.append(Row(label, str(item["id"]), label.casefold(), thumb))
    rows.sort(key=lambda r: r.label.casefold())
    return rows


def accent_rows(items: Iterable[Any]) -> list[Row]:
    """``name (gender) — accent`` for every accent, grouped by voice (voices by name)."""
    rows = []
    voices = [v for v in items if isinstance(v, Mapping)]
    voices.sort(key=lambda v: str(v.get("name") or "").casefold())
    for voice in voices:
        name = str(voice.get("name") or "Unnamed voice").strip()
        head = f"{name} ({_human(voice['gender'])})" if voice.get("gender") else name
        for accent in voice.get("accents") or ():
            if not isinstance(accent, Mapping) or not accent.get("id"):
                continue
            label = f"{head} — {accent.get('accent_name') or 'default'}"
            rows.append(Row(label, str(accent["id"]), label.casefold(),
                            sample=str(accent.get("preview_url") or "") or None))
    return rows


def _seconds(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f" ({round(number)} s)" if math.isfinite(number) else ""


def music_rows(items: Iterable[Any]) -> list[Row]:
    """``name — mood (duration s)`` for every track; the value is the track's URL."""
    rows = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("url"):
            continue
        name = str(item.get("name") or "Untitled track").strip()
        mood = f" — {item['mood']}" if item.get("mood") else ""
        label = f"{name}{mood}{_seconds(item.get('duration'))}"
        rows.append(Row(label, str(item["url"]), label.casefold(), sample=str(item["url"])))
    return rows


# ---------------------------------------------------------------------------- watcher

class CatalogueWatcher(QObject):
    """One catalogue of the service, asked for lazily.

    ``request()`` asks once (later calls do nothing); ``retry()`` asks again. The watcher
    re-asks after the connection changes (the service drops its cache then).
    """

    loading = Signal()
    loaded = Signal(list)
    failed = Signal(str, bool)  # message, whether a retry can help

    def __init__(self, service: StudioService, kind: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.kind = kind
        self.items: list[Any] | None = None
        self.requested = False
        self.error: str | None = None
        service.catalogueLoaded.connect(self._on_loaded)
        service.catalogueFailed.connect(self._on_failed)
        service.modeChanged.connect(self._on_mode)

    def request(self) -> None:
        if self.requested:
            return
        self.requested = True
        self._ask()

    def retry(self) -> None:
        self.requested = True
        if not self._connected():
            self._report(NOT_CONNECTED + ".", retry=False)
            return
        self.error = None
        self.loading.emit()
        self.service.load_catalogue(self.kind)

    def _connected(self) -> bool:
        return getattr(self.service, "client", None) is not None

    def _ask(self) -> None:
        if not self._connected():
            if self.items is None:
                self._report(NOT_CONNECTED + ".", retry=False)
            return
        items = self.service.catalogue(self.kind)
        if items is None:
            if self.items is None:
                self.error = None
                self.loading.emit()
            return
        self._take(items)

    def _take(self, items: list[Any]) -> None:
        self.items = list(items)
        self.error = None
        self.loaded.emit(self.items)

    def _report(self, message: str, retry: bool) -> None:
        self.error = message
        self.failed.emit(message, retry)

    def _on_loaded(self, kind: str, items: list[Any]) -> None:
        if kind == self.kind:
            self._take(items)

    def _on_failed(self, kind: str, message: str) -> None:
        if kind == self.kind and self.requested:
            self._report(message, retry=True)

    def _on_mode(self, _mode: str) -> None:
        if self.requested:
            self._ask()


# ---------------------------------------------------------------------------- thumbnails

class ThumbnailLoader(QObject):
    """Pixmaps for image URLs, fetched through the service a few at a time."""

    ready = Signal(str, QPixmap)

    def __init__(self, service: StudioService, parent: QObject | None = None,
                 in_flight: int = THUMBNAILS_IN_FLIGHT,
                 timeout_ms: int = THUMBNAIL_TIMEOUT_MS) -> None:
        super().__init__(parent)
        self.service = service
        self._limit = max(1, in_flight)
        self._timeout = timeout_ms
        self._pixmaps: dict[str, QPixmap] = {}
        self._queue: deque[str] = deque()
        self._flying: set[str] = set()
        self._failed: set[str] = set()
        service.imageLoaded.connect(self._on_image)
        service.imageFailed.connect(lambda url, _message: self._give_up(url))

    def pixmap(self, url: str | None) -> QPixmap | None:
        return self._pixmaps.get(url) if url else None

    def want(self, urls: Iterable[str | None], urgent: bool = False) -> None:
        """Fetch ``urls`` (``urgent``: before the ones already queued)."""
        fresh = [u for u in urls if u and u not in self._pixmaps and u not in self._flying
                 and u not in self._failed]
        if urgent:
            for url in reversed(fresh):
                if url in self._queue:
                    self._queue.remove(url)
                self._queue.appendleft(url)
        else:
            queued = set(self._queue)
            self._queue.extend(u for u in dict.fromkeys(fresh) if u not in queued)
        self._pump()

    def _pump(self) -> None:
        while self._queue and len(self._flying) < self._limit:
            url = self._queue.popleft()
            data = self.service.image(url)
            if data is not None:
                self._take(url, data)
                continue
            self._flying.add(url)
            QTimer.singleShot(self._timeout, self, lambda u=url: self._give_up(u))

    def _take(self, url: str, data: bytes) -> None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self._failed.add(url)
            return
        self._pixmaps[url] = pixmap
        self.ready.emit(url, pixmap)

    def _on_image(self, url: str, data: bytes) -> None:
        wanted = url in self._flying or url in self._queue
        self._flying.discard(url)
        if url in self._queue:
            self._queue.remove(url)
        if wanted:
            self._take(url, data)
        self._pump()

    def _give_up(self, url: str) -> None:
        if url in self._flying:
            self._flying.discard(url)
            self._failed.add(url)
            self._pump()


# ---------------------------------------------------------------------------- model and combo

class CatalogueModel(QStandardItemModel):
    """The rows of one catalogue (plus an optional "none" entry and kept unknown values)."""

    aboutToRepopulate = Signal()
    repopulated = Signal()

    def __init__(self, none_label: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.none_label = none_label
        self.loaded = False
        self._thumb_rows: dict[str, list[int]] = defaultdict(list)

    @property
    def none_row(self) -> int:
        return 0 if self.none_label is not None and self.loaded else -1

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.aboutToRepopulate.emit()
        self.clear()
        self._thumb_rows = defaultdict(list)
        items = []
        if self.none_label is not None:
            none = QStandardItem(self.none_label)
            none.setData(None, VALUE_ROLE)
            items.append(none)
        for row in rows:
            item = QStandardItem(row.label)
            item.setData(row.value, VALUE_ROLE)
            item.setData(row, ROW_ROLE)
            item.setToolTip(row.label)
            if row.thumbnail:
                self._thumb_rows[row.thumbnail].append(len(items))
            items.append(item)
        if items:
            self.invisibleRootItem().appendRows(items)
        self.loaded = True
        self.repopulated.emit()

    def value_at(self, row: int) -> str | None:
        if row < 0 or row >= self.rowCount():
            return None
        value = self.item(row).data(VALUE_ROLE)
        return None if value is None else str(value)

    def row_info(self, row: int) -> Row | None:
        if row < 0 or row >= self.rowCount():
            return None
        info = self.item(row).data(ROW_ROLE)
        return info if isinstance(info, Row) else None

    def find(self, value: str) -> int:
        for row in range(self.rowCount()):
            if self.item(row).data(VALUE_ROLE) == value:
                return row
        return -1

    def ensure(self, value: str) -> int:
        """The row of ``value``, added as "not in the list" when the catalogue lacks it."""
        row = self.find(value)
        if row >= 0:
            return row
        label = f"{value} (not in the list)"
        item = QStandardItem(label)
        item.setData(value, VALUE_ROLE)
        item.setData(Row(label, value, label.casefold()), ROW_ROLE)
        item.setToolTip("Kept from the saved form; the catalogue does not list it.")
        self.appendRow(item)
        return self.rowCount() - 1

    def set_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        rows = self._thumb_rows.get(url)
        if not rows:
            return
        icon = QIcon(pixmap)
        for row in rows:
            self.item(row).setIcon(icon)


def filter_rows(combo: QComboBox, model: CatalogueModel, text: str) -> int:
    """Hide ``combo``'s rows not matching every word of ``text``; returns how many match."""
    words = text.casefold().split()
    view = combo.view()
    shown = 0
    for row in range(model.rowCount()):
        info = model.row_info(row)
        hide = bool(words) and info is not None and not all(w in info.search for w in words)
        if isinstance(view, QListView):
            view.setRowHidden(row, hide)
        shown += 0 if hide or info is None else 1
    return shown


def editable_value(combo: QComboBox, model: CatalogueModel) -> str | None:
    """The value of an editable combo over ``model``: the row whose label is the text, else
    the text itself (an id or URL typed or pasted); ``None`` when empty."""
    text = combo.currentText()
    if not text.strip():
        return None
    index = combo.currentIndex()
    if index < 0 or combo.itemText(index) != text:
        index = combo.findText(text, Qt.MatchFlag.MatchExactly)
    if index >= 0:
        value = model.value_at(index)
        if value is not None:
            return value
    return text.strip()


class CatalogueCombo(QComboBox):
    """A combo over a :class:`CatalogueModel` keeping a value set before the rows arrive."""

    def __init__(self, model: CatalogueModel, placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._pending: str | None = None
        self._saved: str | None = None
        self.setPlaceholderText(placeholder)
        self.setModel(model)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMaxVisibleItems(15)
        model.aboutToRepopulate.connect(self._before_repopulate)
        model.repopulated.connect(self._after_repopulate)
        self.setCurrentIndex(model.none_row)

    @property
    def catalogue_model(self) -> CatalogueModel:
        return self._model

    def value(self) -> str | None:
        if not self._model.loaded:
            return self._pending
        return self._model.value_at(self.currentIndex())

    def set_value(self, value: Any) -> None:
        text = None if is_empty(value) else str(value).strip()
        if not self._model.loaded:
            self._pending = text
            return
        self.setCurrentIndex(self._model.none_row if text is None else self._model.ensure(text))

    def current_row(self) -> Row | None:
        return self._model.row_info(self.currentIndex())

    def apply_filter(self, text: str) -> int:
        """Hide the rows not matching every word of ``text``; returns how many match."""
        return filter_rows(self, self._model, text)

    def _before_repopulate(self) -> None:
        self._saved = self.value()
        self.blockSignals(True)

    def _after_repopulate(self) -> None:
        try:
            self.set_value(self._saved)
        finally:
            self.blockSignals(False)


# ---------------------------------------------------------------------------- editors

class StatusRow(QWidget):
    """A status line with a Retry button, hidden until there is something to say."""

    def __init__(self, field: Field, retry_name: str, on_retry: Callable[[], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName(f"{field.name}_status")
        self.label.setAccessibleName(f"{field.label} status")
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName(f"{field.name}_retry")
        self.retry_button.setAccessibleName(retry_name)
        self.retry_button.clicked.connect(on_retry)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.retry_button)
        self.hide()


class CatalogueEditor(FieldEditor):
    """A field editor fed by one catalogue: lazy loading, a status line and a Retry button."""

    kind = ""
    noun = "items"

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        self.watcher = CatalogueWatcher(service, self.kind, self)
        self.watcher.loading.connect(self._on_loading)
        self.watcher.loaded.connect(self._on_loaded)
        self.watcher.failed.connect(self._on_failed)

        self._status_box = StatusRow(field, f"Retry loading {self.noun}", self.retry, self)
        self.status = self._status_box.label
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = self._status_box.retry_button
        self.retry_button.setToolTip(f"Ask Creatify for the {self.noun} again")
        self.retry_button.hide()

        self.main = QVBoxLayout(self)
        self.main.setContentsMargins(0, 0, 0, 0)
        self._last: Any = None

    # -- loading

    def ensure_loaded(self) -> None:
        self.watcher.request()

    def retry(self) -> None:
        self.watcher.retry()

    @property
    def loaded(self) -> bool:
        return self.watcher.items is not None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def _set_status(self, text: str | None, retry: bool = False) -> None:
        self._status_box.setVisible(bool(text))
        self.status.setText(text or "")
        self.retry_button.setVisible(retry)

    def _on_loading(self) -> None:
        self._set_status(f"Loading {self.noun}…")

    def _on_failed(self, message: str, retry: bool) -> None:
        if message.startswith(NOT_CONNECTED):
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
        else:
            self._set_status(f"Could not load {self.noun}: {message}", retry)

    def _on_loaded(self, items: list[Any]) -> None:
        self._set_status(None)
        self.populate(items)
        self._refresh()
        self._notify()

    # -- to implement

    def populate(self, items: list[Any]) -> None:
        raise NotImplementedError

    def _refresh(self) -> None:
        """Update what depends on the current choice (preview, buttons)."""

    # -- value bookkeeping

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


class _ComboPicker(CatalogueEditor):
    """A filter line and a combo over the catalogue's rows; the value is the row's id."""

    none_label = "(none — Creatify chooses)"
    choose = "Choose…"
    row_builder: Callable[[Iterable[Any]], list[Row]] = staticmethod(persona_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        name = field.name
        self.model = CatalogueModel(None if field.required else self.none_label, self)
        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"{name}_filter")
        self.filter.setAccessibleName(f"Filter {self.noun}")
        self.filter.setPlaceholderText("Filter…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(f"Show only the {self.noun} whose description has these words")
        self.filter.setMaximumWidth(160)
        self.filter.textChanged.connect(self._on_filter)
        self.combo = CatalogueCombo(self.model, self.choose, self)
        self.combo.setObjectName(f"{name}_combo")
        self.combo.setAccessibleName(field.label)
        if field.help:
            self.combo.setToolTip(field.help)
        self.combo.currentIndexChanged.connect(self._on_current)

        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.combo, 1)
        self.row.addWidget(self.filter)
        self.main.addLayout(self.row)
        self.main.addWidget(self._status_box)
        self.setFocusProxy(self.combo)
        self._last = self.value()

    def value(self) -> str | None:
        return self.combo.value()

    def set_value(self, value: Any) -> None:
        self.combo.set_value(value)
        if not self.loaded and not is_empty(value):
            self.ensure_loaded()
        self._refresh()
        self._notify()

    def populate(self, items: list[Any]) -> None:
        self.model.set_rows(type(self).row_builder(items))
        self.combo.setPlaceholderText(self.choose)
        self._on_filter(self.filter.text())

    def _on_loading(self) -> None:
        super()._on_loading()
        if not self.loaded:
            self.combo.setPlaceholderText(f"Loading {self.noun}…")

    def _on_failed(self, message: str, retry: bool) -> None:
        super()._on_failed(message, retry)
        if not self.loaded:
            self.combo.setPlaceholderText(f"No {self.noun} (see below)")

    def _on_filter(self, text: str) -> None:
        shown = self.combo.apply_filter(text)
        if text.strip():
            self.filter.setToolTip(f"{shown} matching {self.noun}")

    def _on_current(self, _index: int) -> None:
        self._refresh()
        self._notify()


class PersonaPicker(_ComboPicker):
    """Choose an avatar; the value is the persona ``id`` (or ``None``)."""

    kind = "personas"
    noun = "avatars"
    choose = "Choose an avatar…"
    row_builder = staticmethod(persona_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        self.combo.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.thumbnails = ThumbnailLoader(service, self)
        self.thumbnails.ready.connect(self._on_thumbnail)
        self.preview = QLabel(self)
        self.preview.setObjectName(f"{field.name}_preview")
        self.preview.setAccessibleName(f"{field.label} preview")
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.hide()
        self.main.addWidget(self.preview)

    def populate(self, items: list[Any]) -> None:
        super().populate(items)
        rows = (self.model.row_info(r) for r in range(self.model.rowCount()))
        urls = list(dict.fromkeys(r.thumbnail for r in rows if r is not None and r.thumbnail))
        current = self.combo.current_row()
        if current is not None and current.thumbnail:
            self.thumbnails.want([current.thumbnail], urgent=True)
        self.thumbnails.want(urls)
        for url in urls:
            pixmap = self.thumbnails.pixmap(url)
            if pixmap is not None:
                self.model.set_thumbnail(url, pixmap)

    def _on_thumbnail(self, url: str, pixmap: QPixmap) -> None:
        self.model.set_thumbnail(url, pixmap)
        current = self.combo.current_row()
        if current is not None and current.thumbnail == url:
            self._show_preview(pixmap)

    def _show_preview(self, pixmap: QPixmap | None) -> None:
        if pixmap is None:
            self.preview.clear()
            self.preview.setText("…")
        else:
            self.preview.setPixmap(pixmap.scaled(
                PREVIEW_SIZE, PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))

    def _refresh(self) -> None:
        current = self.combo.current_row()
        if current is None or not current.thumbnail:
            self.preview.hide()
            self.preview.clear()
            return
        self.preview.show()
        self.preview.setToolTip(current.label)
        pixmap = self.thumbnails.pixmap(current.thumbnail)
        self._show_preview(pixmap)
        if pixmap is None:
            self.thumbnails.want([current.thumbnail], urgent=True)


class AccentPicker(_ComboPicker):
    """Choose a voice accent; the value is the accent ``id`` (or ``None``)."""

    kind = "voices"
    noun = "voices"
    choose = "Choose a voice…"
    row_builder = staticmethod(accent_rows)

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, service, parent)
        self.player: Any = None
        self._audio_output: Any = None
        self._audio_problem: str | None = None   # playback impossible here (permanent)
        self._sample_problem: str | None = None  # this sample failed (until the choice changes)
        self._playing = False
        self.play_button = QPushButton("▶ Play sample", self)
        self.play_button.setObjectName(f"{field.name}_play")
        self.play_button.setAccessibleName("Play voice sample")
        self.play_button.clicked.connect(self.toggle_sample)
        self.row.insertWidget(1, self.play_button)
        self._refresh()

    # -- playback

    def toggle_sample(self) -> None:
        if self._playing and self.player is not None:
            self.player.stop()
            return
        current = self.combo.current_row()
        if current is None or not current.sample:
            return
        player = self._ensure_player()
        if player is None:
            return
        try:
            player.setSource(QUrl(current.sample))
            player.play()
        except Exception as exc:  # a broken multimedia backend must not take the app down
            log.warning("voice sample failed: %s", exc)
            self._sample_failed(f"{type(exc).__name__}: {exc}")

    def _ensure_player(self) -> Any:
        if self.player is not None:
            return self.player
        if self._audio_problem:
            return None
        try:
            multimedia = importlib.import_module("PySide6.QtMultimedia")
            output = multimedia.QAudioOutput(self)
            player = multimedia.QMediaPlayer(self)
            player.setAudioOutput(output)
            if not player.isAvailable():
                raise RuntimeError("no multimedia backend is available")
        except Exception as exc:  # ImportError (no QtMultimedia/libpulse), backend errors
            log.info("audio playback unavailable: %s", exc)
            self._audio_problem = (f"Samples cannot be played here: {exc}. "
                                   "(QtMultimedia needs the PySide6-Addons package and "
                                   "libpulse0.)")
            self._refresh()
            return None
        player.errorOccurred.connect(self._on_player_error)
        player.playbackStateChanged.connect(self._on_playback_state)
        self.player, self._audio_output = player, output
        return player

    def _on_player_error(self, _error: Any, message: str) -> None:
        self._sample_failed(message or "the sample could not be played")

    def _sample_failed(self, message: str) -> None:
        self._sample_problem = f"Could not play this sample: {message}"
        self._playing = False
        self._refresh()

    def _on_playback_state(self, state: Any) -> None:
        name = getattr(state, "name", str(state))
        self._playing = name == "PlayingState"
        self._refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self.release_player()
        super().hideEvent(event)

    def release_player(self) -> None:
        """Stop and unload the sample: FFmpeg's reader thread must end before the widget (or
        the server it streams from) goes away."""
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl())

    def _on_current(self, index: int) -> None:
        self._sample_problem = None
        if self.player is not None and self._playing:
            self.player.stop()
        super()._on_current(index)

    def _refresh(self) -> None:
        button = getattr(self, "play_button", None)
        if button is None:
            return
        current = self.combo.current_row()
        problem = self._audio_problem or self._sample_problem
        if self._playing:
            button.setText("■ Stop")
            button.setAccessibleName("Stop voice sample")
            button.setToolTip("Stop the sample")
            button.setEnabled(True)
            return
        button.setText("▶ Play sample")
        button.setAccessibleName("Play voice sample")
        if problem:
            button.setEnabled(False)
            button.setToolTip(problem)
        elif current is None or not current.sample:
            button.setEnabled(False)
            button.setToolTip("Choose a voice to hear a sample")
        else:
            button.setEnabled(True)
            button.setToolTip(f"Play a sample of {current.label}")


class MusicPicker(FieldEditor):
    """Background music: a track from Creatify's library or any pasted http(s) URL.

    The library is paged (``service.music_page``): a search (debounced), a category (from
    ``music_categories``) and "More tracks" for the next page. The value is the URL string
    (``None`` when empty); a track chosen before a new search stays chosen.
    """

    noun = "music tracks"
    page_size = 20
    search_delay_ms = 350

    def __init__(self, field: Field, service: StudioService,
                 parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.service = service
        name = field.name
        self.model = CatalogueModel("", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName(f"{name}_combo")
        self.combo.setAccessibleName(field.label)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setModel(self.model)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.combo.setMaxVisibleItems(15)
        self.combo.setToolTip(field.help or "Pick a track from Creatify's library or paste "
                                            "an http(s) URL of your own")
        edit = self.combo.lineEdit()
        assert edit is not None  # the combo is editable
        edit.setObjectName(f"{name}_edit")
        edit.setAccessibleName(f"{field.label} URL")
        edit.setPlaceholderText("None — pick a track or paste an https:// URL")
        edit.setClearButtonEnabled(True)
        self.combo.setEditText("")
        self.combo.currentIndexChanged.connect(self._on_edit)
        self.combo.editTextChanged.connect(self._on_edit)

        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}_search")
        self.search.setAccessibleName("Search music")
        self.search.setPlaceholderText("Search music…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Ask Creatify's library for tracks by name or category")
        self.search.textChanged.connect(self._on_search_typed)
        self.category = QComboBox(self)
        self.category.setObjectName(f"{name}_category")
        self.category.setAccessibleName("Music category")
        self.category.addItem("All categories", "")
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.currentIndexChanged.connect(self._on_category)
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"{name}_count")
        self.count_label.setAccessibleName(f"{field.label} tracks shown")
        self.more_button = QPushButton("More tracks", self)
        self.more_button.setObjectName(f"{name}_more")
        self.more_button.setAccessibleName("Load more music tracks")
        self.more_button.setToolTip("Ask Creatify for the next page of tracks")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)
        self._status_box = StatusRow(field, f"Retry loading {self.noun}", self.retry, self)
        self.status = self._status_box.label
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = self._status_box.retry_button
        self.retry_button.setToolTip(f"Ask Creatify for the {self.noun} again")
        self.retry_button.hide()

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.search_delay_ms)
        self._debounce.timeout.connect(self._apply_query)

        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(
            self.search.placeholderText()) + 40)
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.category)
        paging = QHBoxLayout()
        paging.setContentsMargins(0, 0, 0, 0)
        paging.addWidget(self.count_label, 1)
        paging.addWidget(self.more_button)
        self.main = QVBoxLayout(self)
        self.main.setContentsMargins(0, 0, 0, 0)
        self.main.addWidget(self.combo)
        self.main.addLayout(tools)
        self.main.addLayout(paging)
        self.main.addWidget(self._status_box)
        self.setFocusProxy(self.combo)

        self.categories = CatalogueWatcher(service, "music_categories", self)
        self.categories.loaded.connect(self._on_categories)
        self.categories.failed.connect(self._on_categories_failed)
        service.musicPageLoaded.connect(self._on_page)
        service.musicPageFailed.connect(self._on_page_failed)
        service.modeChanged.connect(self._on_mode)

        self.requested = False
        self.items: list[dict[str, Any]] = []   # the tracks of the pages shown, in order
        self.pages = 0                           # pages of the current query shown
        self.count: int | None = None            # tracks matching, when Creatify says
        self.has_more = False
        self._query: tuple[str, str] = ("", "")  # search, category
        self._waiting: Any = None                # the MusicQuery asked and not answered
        self._failed: Any = None                 # the MusicQuery that failed (Retry)
        self._labels: dict[str, str] = {}        # URL -> label of every track seen
        self._last: Any = self.value()

    # -- loading

    @property
    def loaded(self) -> bool:
        return self.pages > 0

    @property
    def busy(self) -> bool:
        """A page has been asked for and not answered yet."""
        return self._waiting is not None

    @property
    def query(self) -> tuple[str, str]:
        """The search and the category the tracks shown answer."""
        return self._query

    def ensure_loaded(self) -> None:
        if self.requested:
            return
        self.requested = True
        self.categories.request()
        self._ask(1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def retry(self) -> None:
        self.requested = True
        if self.categories.error and not self.categories.items:
            self.categories.retry()
        failed = self._failed
        self._ask(failed.page if failed is not None and
                  (failed.search, failed.category) == self._query else 1)

    def load_more(self) -> None:
        if self.has_more and self._waiting is None:
            self._ask(self.pages + 1)

    def _ask(self, page: int) -> None:
        from ui.service import MusicQuery  # (the service imports the forms' modules late)
        if getattr(self.service, "client", None) is None:
            self._waiting = None
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
            self._update_controls()
            return
        search, category = self._query
        query = MusicQuery(search=search, category=category, page=page,
                           page_size=self.page_size)
        self._waiting = query
        self._failed = None
        page_obj = self.service.music_page(query)
        if page_obj is not None:
            self._take(query, page_obj)
        elif self._waiting == query:
            self._set_status(f"Loading {self.noun}…" if page == 1 else
                             f"Loading more {self.noun}…")
            self._update_controls()

    def _on_page(self, query: Any, page: Any) -> None:
        if query == self._waiting:
            self._take(query, page)

    def _on_page_failed(self, query: Any, message: str) -> None:
        if query != self._waiting:
            return
        self._waiting = None
        self._failed = query
        if message.startswith(NOT_CONNECTED.split(":")[0]):
            self._set_status(f"{NOT_CONNECTED} to list {self.noun}.")
        else:
            self._set_status(f"Could not load {self.noun}: {message}", retry=True)
        self._update_controls()

    def _take(self, query: Any, page: Any) -> None:
        self._waiting = None
        tracks = [dict(t) for t in getattr(page, "items", ()) if isinstance(t, Mapping)]
        if query.page == 1:
            self.items = tracks
        else:
            seen = {t.get("url") for t in self.items}
            self.items.extend(t for t in tracks if t.get("url") not in seen)
        self.pages = query.page
        count = getattr(page, "count", None)
        self.count = count if isinstance(count, int) else None
        self.has_more = bool(getattr(page, "has_more", False))
        self._set_status(None)
        self._repopulate()
        self._update_controls()
        self._notify()

    def _on_mode(self, _mode: str) -> None:
        """A new connection: its library from the first page."""
        self._waiting = None
        self.items, self.pages, self.count, self.has_more = [], 0, None, False
        if self.requested:
            self._ask(1)

    # -- query

    def _on_search_typed(self, _text: str) -> None:
        self._debounce.start()

    def _on_category(self, _index: int) -> None:
        self._debounce.stop()
        self._apply_query()

    def _apply_query(self) -> None:
        query = (self.search.text().strip(), str(self.category.currentData() or ""))
        if query == self._query and (self.loaded or self._waiting is not None):
            return
        self._query = query
        self.requested = True
        self._ask(1)

    def _on_categories(self, items: list[Any]) -> None:
        current = self.category.currentData()
        names = [str(i.get("name")).strip() for i in items
                 if isinstance(i, Mapping) and str(i.get("name") or "").strip()]
        self.category.blockSignals(True)
        try:
            self.category.clear()
            self.category.addItem("All categories", "")
            for name in dict.fromkeys(names):
                self.category.addItem(name, name)
            index = self.category.findData(current)
            self.category.setCurrentIndex(max(index, 0))
        finally:
            self.category.blockSignals(False)
        self.category.setToolTip("Show only the tracks of one category")

    def _on_categories_failed(self, message: str, _retry: bool) -> None:
        self.category.setToolTip(f"Categories not loaded: {message}")

    # -- showing

    def _set_status(self, text: str | None, retry: bool = False) -> None:
        self._status_box.setVisible(bool(text))
        self.status.setText(text or "")
        self.retry_button.setVisible(retry)

    def _update_controls(self) -> None:
        shown = len(self.items)
        tracks = "track" if shown == 1 else "tracks"
        if not self.loaded:
            self.count_label.setText("")
        elif self.count is not None:
            self.count_label.setText(f"{shown:,} of {max(self.count, shown):,} {tracks} listed")
        else:
            self.count_label.setText(f"{shown:,} {tracks} listed")
        self.count_label.setToolTip("“More tracks” asks Creatify for the next page"
                                    if self.has_more else "")
        self.more_button.setEnabled(self.has_more and self._waiting is None)
        self.more_button.setVisible(self.loaded and (self.has_more or self.pages > 1))

    def _repopulate(self) -> None:
        keep = self.value()
        rows = music_rows(self.items)
        for row in rows:
            self._labels[row.value] = row.label
        if keep is not None and keep in self._labels \
                and all(row.value != keep for row in rows):
            label = self._labels[keep]
            rows.insert(0, Row(label, keep, label.casefold(), sample=keep))
        self.combo.blockSignals(True)
        try:
            self.model.set_rows(rows)
            self._select(keep)
        finally:
            self.combo.blockSignals(False)

    # -- value

    def value(self) -> str | None:
        return editable_value(self.combo, self.model)

    def set_value(self, value: Any) -> None:
        text = None if is_empty(value) else str(value).strip()
        self._select(text)
        self._notify()

    def _select(self, url: str | None) -> None:
        if url is None:
            self.combo.setCurrentIndex(self.model.none_row)
            self.combo.setEditText("")
            return
        index = self.model.find(url) if self.model.loaded else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self.combo.setEditText(self.combo.itemText(index))
        else:
            self.combo.setCurrentIndex(-1)
            self.combo.setEditText(url)

    def _on_edit(self, *_args: Any) -> None:
        self._notify()

    def _notify(self) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.changed.emit()


__all__ = [
    "AccentPicker",
    "CatalogueCombo",
    "CatalogueEditor",
    "CatalogueModel",
    "CatalogueWatcher",
    "MusicPicker",
    "PersonaPicker",
    "Row",
    "ThumbnailLoader",
    "accent_rows",
    "editable_value",
    "filter_rows",
    "music_rows",
    "persona_rows",
]
