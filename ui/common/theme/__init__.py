"""System, light or dark, switched live and completely.

Light and dark are Fusion with a palette of our own, every role written out in every group
(:mod:`.palettes`); "system" is the platform's own style and palette (its Disabled text made
dimmer where the platform left it like the enabled text). :func:`apply_theme` then brings
along what a new application palette alone does not reach: widgets with a style sheet (whose
colours Qt resolves once, at polish time) are polished again, widgets with a tone
(:func:`set_tone`) get the new theme's shade, and rich-text labels are laid out again so their
links and known meaning colours follow.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QWidget

from ui.common.theme.palettes import build_palette, dim_disabled
from ui.common.theme.tones import (
    ACCENT,
    ALIASES,
    ERROR,
    INFO,
    MUTED,
    OK,
    TONE_PROPERTY,
    WARNING,
    contrast_ratio,
    is_dark,
    paint_tone,
    set_tone,
    themed_colour,
    tone_colour,
    tone_hex,
)

__all__ = ["ACCENT", "ERROR", "INFO", "MUTED", "OK", "THEME_NAMES", "WARNING", "apply_theme",
           "contrast_ratio", "current_theme", "is_dark", "refresh_widget", "set_tone",
           "themed_colour", "tone_colour", "tone_hex"]

THEME_NAMES = ("system", "light", "dark")

_system_style: str | None = None
_current: str | None = None


def current_theme() -> str | None:
    """The theme last applied (None before the first :func:`apply_theme`)."""
    return _current


def apply_theme(theme: str) -> None:
    """Switch the whole application to ``theme`` ("system", "light" or "dark") at once."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    global _system_style, _current
    # The first theme "system" keeps the style the platform gave (not even asking its name:
    # building QStyle's enums costs the first paint ~10 ms).
    if theme != "system" or _current not in (None, "system"):
        if _system_style is None:
            _system_style = app.style().name()
        style = _system_style if theme == "system" else "fusion"
        if app.style().name().lower() != style.lower():
            app.setStyle(QStyleFactory.create(style) or app.style())
    if theme in ("light", "dark"):
        app.setPalette(build_palette(theme))
    else:
        app.setPalette(QPalette())  # nothing set: the platform's palette, following it live
        dimmed = dim_disabled(app.palette())
        if dimmed != app.palette():
            app.setPalette(dimmed)
    _current = theme
    for widget in app.allWidgets():
        refresh_widget(widget)


_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def refresh_widget(widget: QWidget) -> None:
    """Bring one widget to the current palette (see the module's docstring)."""
    if widget.property(TONE_PROPERTY):
        paint_tone(widget)
    sheet = widget.styleSheet()
    if sheet:
        recoloured = _recolour(sheet)
        widget.setStyleSheet("")  # polished again: palette(...) and colours resolved anew
        widget.setStyleSheet(recoloured)
    if isinstance(widget, QLabel):
        text = widget.text()
        if "<" in text and ("#" in text or "<a" in text.lower()):
            widget.clear()
            widget.setText(_recolour(text))


def _recolour(text: str) -> str:
    """Known meaning colours (:data:`ALIASES`) in ``text`` in the current theme's shade."""
    def swap(match: re.Match[str]) -> str:
        tone = ALIASES.get(match.group(0).lower())
        return match.group(0) if tone is None else tone_colour(tone).name()
    return _HEX.sub(swap, text)

