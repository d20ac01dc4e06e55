"""Galleries to choose from: avatars (large pictures, preview videos, filters, favourites),
voices (samples played in place, filters, favourites) and URL to Video's visual styles.

Each is a non-blocking dialog over a ``QListView`` with a model and a painting delegate (no
widget per card), opened by a "Browse …" button of the picker it fills
(:func:`open_gallery`); choosing a card sets the picker's value, so the form and the estimate
follow as if it had been picked in the combo. The Qt-free parts (favourites, the image cache,
the cards and their filters) are in :mod:`app.galleries`.

Modules: ``avatars``, ``voices``, ``styles`` (one dialog each), ``_avatar_delegate`` (how
an avatar card is painted), ``_cards`` (the model and the delegate base), ``_images``
(pictures: lazy, cached on disk, decoded off the GUI thread), ``_preview`` (the avatar's
detail pane and video), ``_sample`` (the voice sample player), ``_chrome`` (favourites per
service, filter boxes, search line), ``_reads`` (Creatify's filtered avatar list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

if TYPE_CHECKING:
    from ui.forms.base import FieldEditor
    from ui.service import StudioService

GALLERY_KINDS = ("avatars", "voices", "styles")


def open_gallery(kind: str, parent: QWidget, service: StudioService, current: Any,
                 on_chosen: Callable[[str], object],
                 choices: list[tuple[str, str]] | None = None) -> QWidget:
    """Open the ``kind`` gallery (non-blocking, over ``parent``'s window) showing ``current``;
    ``on_chosen(value)`` when a card is chosen. The dialog deletes itself when closed."""
    from ui.galleries.avatars import AvatarGallery
    from ui.galleries.styles import StyleGallery
    from ui.galleries.voices import VoiceGallery

    value = str(current) if current else None
    dialog: AvatarGallery | VoiceGallery | StyleGallery
    if kind == "avatars":
        dialog = AvatarGallery(service, value, parent.window())
    elif kind == "voices":
        dialog = VoiceGallery(service, value, parent.window())
    elif kind == "styles":
        dialog = StyleGallery(service, choices or [], value, parent.window())
    else:
        raise ValueError(f"no gallery of {kind!r} (kinds: {', '.join(GALLERY_KINDS)})")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.chosen.connect(on_chosen)
    dialog.open()
    return dialog


def browse_button(parent: QWidget, name: str, noun: str) -> QPushButton:
    """The "Browse …" button of a picker (the combo stays, for the keyboard)."""
    button = QPushButton(f"Browse {noun}…", parent)
    button.setObjectName(f"{name}_browse")
    button.setAccessibleName(f"Browse {noun}")
    button.setToolTip(f"Choose from a gallery of {noun}")
    return button


def attach_style_gallery(editor: FieldEditor, service: StudioService) -> QPushButton | None:
    """A "Browse…" button beside a visual-style choice editor, opening the style gallery
    (its choices are the field's); ``None`` when the editor has no row to put it in."""
    layout = editor.layout()
    if not isinstance(layout, QHBoxLayout):
        return None
    field = editor.field
    button = browse_button(editor, field.name, "visual styles")
    button.setText("Browse…")  # beside the combo: short
    choices = [(str(c.value), c.label) for c in field.choices]

    def browse() -> None:
        editor.gallery = open_gallery(  # type: ignore[attr-defined]
            "styles", editor, service, editor.value(), editor.set_value, choices)
    button.clicked.connect(browse)
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    layout.setStretch(0, 1)  # the combo takes the room, as beside the other pickers
    layout.addWidget(button)
    return button


__all__ = ["GALLERY_KINDS", "attach_style_gallery", "browse_button", "open_gallery"]
