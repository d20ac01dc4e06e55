"""The side panel of the library: the selected item's name and tags (edited in place), what
it is, the settings that made it, and what can be done with it."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.library import LibraryItem, readable_settings
from ui.library.delegate import date_text, length_text
from ui.library.model import display_name, generator_title, style_label


def settings_html(item: LibraryItem) -> str:
    """The request body sent, as a two-column table of labels and values."""
    lines = readable_settings(item.generator, item.request)
    if not lines:
        return "<p>No settings were recorded for this job.</p>"
    rows = "".join(f"<tr><td style='padding-right:10px; vertical-align:top'><b>{escape(label)}"
                   f"</b></td><td>{escape(value)}</td></tr>" for label, value in lines)
    return f"<table cellspacing='2'>{rows}</table>"


def about_text(item: LibraryItem) -> str:
    parts = [generator_title(item.generator), date_text(item.created_at)]
    if item.duration:
        parts.append(length_text(item.duration))
    if item.style:
        parts.append(f"style {style_label(item.generator, item.style)}")
    where = Path(item.path).name if item.path else "not saved on this computer"
    return " · ".join(parts) + f"\nFile: {where}"


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text.rstrip("…"))
    button.setToolTip(tip)
    return button


class ItemDetails(QWidget):
    """Name, tags, about, settings, and the actions of the selected item."""

    renamed = Signal(str, str)     # item key, new name
    tagged = Signal(str, str)      # item key, tags text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library_details")
        self.item: LibraryItem | None = None
        self.heading = QLabel("Select a result")
        self.heading.setObjectName("library_heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("library_name")
        self.name_edit.setAccessibleName("Name")
        self.name_edit.setToolTip("Your own name for this result (kept on this computer)")
        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("library_tags")
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setPlaceholderText("tags, separated by commas")
        self.about = QLabel("")
        self.about.setObjectName("library_about")
        self.about.setWordWrap(True)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.settings = QTextBrowser()
        self.settings.setObjectName("library_settings")
        self.settings.setAccessibleName("The settings that made it")
        self.settings.setOpenLinks(False)
        self.preview_button = _button("Preview", "library_preview", "Play it here")
        self.open_button = _button("Open file", "library_open",
                                   "Open the saved file in your player")
        self.reveal_button = _button("Show in folder", "library_reveal",
                                     "Show the saved file in your file manager")
        self.compare_button = _button("Compare two", "library_compare",
                                      "Select two results (Ctrl+click) to see them side by side")

        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Tags", self.tags_edit)
        buttons = QGridLayout()
        buttons.addWidget(self.preview_button, 0, 0)
        buttons.addWidget(self.compare_button, 0, 1)
        buttons.addWidget(self.open_button, 1, 0)
        buttons.addWidget(self.reveal_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.about)
        layout.addLayout(form)
        settings_title = QLabel("The settings that made it")
        settings_title.setObjectName("library_settings_title")
        layout.addWidget(settings_title)
        layout.addWidget(self.settings, 1)
        layout.addLayout(buttons)
        self.name_edit.editingFinished.connect(self._name_done)
        self.tags_edit.editingFinished.connect(self._tags_done)
        self.show_item(None, "", ())

    def show_item(self, item: LibraryItem | None, name: str, tags: tuple[str, ...]) -> None:
        self.item = item
        for widget in (self.name_edit, self.tags_edit, self.preview_button):
            widget.setEnabled(item is not None)
        if item is not None:
            page = item.kind == "page"
            self.preview_button.setText("Open preview" if page else "Preview")
            self.preview_button.setToolTip("Open the preview page in the browser" if page
                                           else "Play it here")
        saved = item is not None and bool(item.path) and Path(item.path or "").exists()
        self.open_button.setEnabled(saved)
        self.reveal_button.setEnabled(saved)
        if item is None:
            self.heading.setText("Select a result")
            self.about.setText("")
            self.name_edit.clear()
            self.tags_edit.clear()
            self.settings.setHtml("")
            return
        self.heading.setText(display_name(item, name))
        self.about.setText(about_text(item))
        self.name_edit.setPlaceholderText(item.title)
        self.name_edit.setText(name)
        self.tags_edit.setText(", ".join(tags))
        self.settings.setHtml(settings_html(item))

    def _name_done(self) -> None:
        if self.item is not None:
            self.renamed.emit(self.item.key, self.name_edit.text())

    def _tags_done(self) -> None:
        if self.item is not None:
            self.tagged.emit(self.item.key, self.tags_edit.text())


__all__ = ["ItemDetails", "about_text", "settings_html"]
