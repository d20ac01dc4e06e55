"""The presets row of a generator page and the page's memory of its form.

A row above the form: a combo of the generator's presets (choosing one fills the form),
"Save as preset…", "Delete" and "Clear form", and a line that says what happened — above all
how the estimate moved when a preset (or a job's settings) changed it. The form's values are
kept as a draft whenever they change (``app.presets.DraftStore``: written a moment later in a
timer thread) and put back when the page is built again, after a restart too.

The stores live in the service's data folder, one pair per service (:func:`form_memory`);
the window closes them (:func:`close_memory`), which writes a pending draft at once.
"""

from __future__ import annotations

import logging
import weakref
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.generators.quote import Quote
from app.presets import DraftStore, PresetStore, StoreError
from ui.common.background import run_in_thread
from ui.common.theme import INFO, MUTED, WARNING, set_tone
from ui.common.widgets import named
from ui.forms.controls import Combo
from ui.generator.estimator import headline

if TYPE_CHECKING:
    from ui.generator.tab import GeneratorTab
    from ui.service import StudioService

log = logging.getLogger(__name__)


class FormMemory:
    """The presets and drafts of one service's data folder."""

    def __init__(self, service: StudioService) -> None:
        folder = service.data_dir
        self.presets = PresetStore(folder)
        self.drafts = DraftStore(folder, on_error=service.errorRaised.emit)

    def close(self) -> None:
        self.drafts.close()


_MEMORY: weakref.WeakKeyDictionary[StudioService, FormMemory] = weakref.WeakKeyDictionary()


def form_memory(service: StudioService) -> FormMemory:
    """The service's presets and drafts (opened on first use)."""
    memory = _MEMORY.get(service)
    if memory is None:
        memory = _MEMORY[service] = FormMemory(service)
    return memory


def close_memory(service: StudioService) -> None:
    """Write any pending draft now (the window is closing)."""
    memory = _MEMORY.pop(service, None)
    if memory is not None:
        memory.close()


def price_text(q: Quote | None) -> str:
    """The estimate in a few words ("12 credits", "at least 3 credits", "no price yet")."""
    if q is None or q.error is not None:
        return "no price yet"
    return headline(q)[0]


class PresetsRow(QWidget):
    """Presets, "Save as preset…", "Delete" and "Clear form" for ``tab``'s form; keeps the
    form's draft and restores it when built."""

    def __init__(self, tab: GeneratorTab) -> None:
        super().__init__(tab)
        self.tab = tab
        key = tab.spec.key
        self.key = key
        self.memory = form_memory(tab.service)
        self.setObjectName(f"presets_{key}")
        self.combo = named(Combo(), f"presets_combo_{key}", "Presets")
        self.combo.setMinimumContentsLength(10)
        self.combo.setToolTip("Fill the form with a preset you saved")
        self.combo.activated.connect(self._chosen)
        caption = QLabel("Preset")
        caption.setBuddy(self.combo)
        self.save_button = named(QPushButton("Save as preset…"), f"presets_save_{key}",
                                 "Save the form as a preset")
        self.save_button.clicked.connect(self.ask_name)
        self.delete_button = named(QPushButton("Delete"), f"presets_delete_{key}",
                                   "Delete the chosen preset")
        self.delete_button.clicked.connect(self.ask_delete)
        self.clear_button = named(QPushButton("Clear form"), f"form_clear_{key}",
                                  "Clear the form back to its defaults")
        self.clear_button.clicked.connect(self.clear_form)
        self.note = named(QLabel(""), f"presets_note_{key}", "About the form's settings")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.setVisible(False)

        # Two short lines, so the row never makes a page wider than its form.
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(caption)
        row.addWidget(self.combo, 1)
        row.addWidget(self.delete_button)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self._dialog: QWidget | None = None
        self._restoring = False
        self._reload_names()
        problem = self.memory.presets.problem or self.memory.drafts.problem
        if problem:
            self.say(problem, WARNING)
        self._restore_draft()
        tab.form.changed.connect(self.keep_draft)
        body = tab.form.parentWidget()  # the form's column: this row goes above the form
        column = body.layout() if body is not None else None
        if isinstance(column, QVBoxLayout):
            column.insertWidget(column.indexOf(tab.form), self)

    # ------------------------------------------------------------------ names

    def _reload_names(self, chosen: str | None = None) -> None:
        names = self.memory.presets.names(self.key)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(names)
        self.combo.setCurrentIndex(names.index(chosen) if chosen in names else -1)
        self.combo.setPlaceholderText("Choose a preset…" if names else "No presets yet")
        self.combo.blockSignals(False)
        self.combo.setEnabled(bool(names))
        self.delete_button.setEnabled(bool(names) and chosen in names)
        writable = not self.memory.presets.read_only
        self.save_button.setEnabled(writable)
        if not writable:
            self.delete_button.setEnabled(False)

    def chosen(self) -> str | None:
        return self.combo.currentText() or None if self.combo.currentIndex() >= 0 else None

    # ------------------------------------------------------------------ notes

    def say(self, text: str, tone: str = MUTED) -> None:
        self.note.setText(text)
        set_tone(self.note, tone)
        self.note.setVisible(bool(text))

    def _blank(self) -> dict[str, Any]:
        """Every field unset, then the spec's defaults: what a fresh form holds."""
        return {**{f.name: None for f in self.tab.spec.fields}, **self.tab.spec.defaults()}

    def fill(self, values: dict[str, Any], what: str, *, seconds: float | None = None,
             flow: str | None = None) -> None:
        """Fill the form with ``values`` (over a fresh form) and say how the estimate moved:
        a change of price is never silent."""
        tab = self.tab
        before = price_text(tab.current_quote)
        self._restoring = True
        try:
            if flow is not None:
                index = tab.flow.findData(flow)
                if index >= 0:
                    tab.flow.setCurrentIndex(index)
            tab.form.set_values({**self._blank(), **values})
            if seconds is not None and tab.duration is not None:
                tab.duration.set_seconds(seconds)
        finally:
            self._restoring = False
        tab.refresh()
        self.keep_draft()
        after = price_text(tab.current_quote)
        if after != before:
            self.say(f"{what} — the estimate is now <b>{escape(after)}</b> (it was "
                     f"{escape(before)}).", WARNING)
        else:
            self.say(f"{what} — the estimate stays {escape(after)}.", INFO)

    # ------------------------------------------------------------------ presets

    def _chosen(self, _index: int) -> None:
        name = self.chosen()
        preset = self.memory.presets.get(self.key, name) if name else None
        self.delete_button.setEnabled(preset is not None)
        if preset is not None:
            self.apply(preset.name)

    def apply(self, name: str) -> None:
        """Fill the form with preset ``name``."""
        preset = self.memory.presets.get(self.key, name)
        if preset is None:
            return
        self._reload_names(name)
        self.fill(dict(preset.values), f"Preset “{escape(name)}” applied",
                  seconds=preset.seconds)

    def ask_name(self) -> None:
        """"Save as preset…": the name is asked in a dialog opened with ``open()``."""
        dialog = QInputDialog(self)
        dialog.setObjectName("preset_name_dialog")
        dialog.setWindowTitle("Save as preset")
        dialog.setLabelText(f"A name for these {self.tab.spec.title} settings:")
        dialog.setTextValue(self.chosen() or "")
        dialog.setOkButtonText("Save")
        dialog.textValueSelected.connect(self.save_as)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()
        edit = dialog.findChild(QLineEdit)
        if edit is not None:
            edit.setObjectName("preset_name_edit")
            edit.selectAll()

    def _seconds(self) -> float | None:
        duration = self.tab.duration
        if duration is None or not (duration.overridden or duration.entered_by_user):
            return None
        return duration.seconds()

    def save_as(self, name: str) -> None:
        """Keep the form as preset ``name`` (in memory at once; written in a worker thread)."""
        presets = self.memory.presets
        try:
            preset = presets.put(self.key, name, self.tab.values(), self._seconds())
        except (ValueError, TypeError, StoreError) as exc:
            self.say(f"Not saved: {escape(str(exc))}", WARNING)
            return
        self._reload_names(preset.name)
        self.say(f"Saved as preset “{escape(preset.name)}”.", INFO)
        self._write()

    def ask_delete(self) -> None:
        name = self.chosen()
        if name is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete preset",
                          f"Delete the preset “{name}”?",
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("preset_delete_box")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("preset_delete_confirm")
        delete.clicked.connect(lambda: self.delete(name))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = box
        box.open()

    def delete(self, name: str) -> None:
        try:
            self.memory.presets.remove(self.key, name)
        except StoreError as exc:
            self.say(escape(str(exc)), WARNING)
            return
        self._reload_names()
        self.say(f"Preset “{escape(name)}” deleted.", INFO)
        self._write()

    def _write(self) -> None:
        def written(_result: object, error: Exception | None) -> None:
            if error is not None:
                log.warning("presets not written: %s", error)
                self.say(f"The presets could not be saved to disk: {escape(str(error))}",
                         WARNING)
        run_in_thread(self, self.memory.presets.persist, written, name="presets writer")

    # ------------------------------------------------------------------ drafts

    def keep_draft(self) -> None:
        """The form changed: keep it as this generator's draft (written a moment later)."""
        if self._restoring:
            return
        try:
            self.memory.drafts.put(self.key, self.tab.form.values())
        except TypeError as exc:  # (every editor gives plain values; said, not raised)
            log.warning("draft of %s not kept: %s", self.key, exc)

    def _restore_draft(self) -> None:
        draft = self.memory.drafts.get(self.key)
        if not draft or draft == self.tab.form.values():
            return
        self._restoring = True
        try:
            self.tab.form.set_values({**self._blank(), **draft})
        finally:
            self._restoring = False
        self.say("Your unfinished form is back as you left it (Clear form starts afresh).")

    def clear_form(self) -> None:
        """Back to the spec's defaults; the draft goes."""
        self._restoring = True
        try:
            self.tab.form.set_values(self._blank())
            self.tab.form.touched.clear()
            self.tab.form.show_all_errors = False
            if self.tab.duration is not None and not self.tab.duration.entered_by_user:
                self.tab.duration.reset_to_auto()
        finally:
            self._restoring = False
        self.memory.drafts.clear(self.key)
        self._reload_names()
        self.tab.refresh()
        self.say("The form is back to its defaults.")


__all__ = ["FormMemory", "PresetsRow", "close_memory", "form_memory", "price_text"]
