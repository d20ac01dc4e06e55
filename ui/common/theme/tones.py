"""Colours that mean something (a warning, an error, done, a link-like note, secondary text),
in a shade readable on the current theme's background.

Widgets never write a colour of their own: ``set_tone(label, WARNING)`` gives the label the
tone's colour through its palette (no style sheet, which would freeze the other colours at
polish time) and remembers the tone, so :func:`~ui.common.theme.apply_theme` repaints it in the
new theme's shade. Rich text takes :func:`tone_hex`; item models :func:`themed_colour`.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

WARNING = "warning"
ERROR = "error"
OK = "ok"
INFO = "info"
MUTED = "muted"
ACCENT = "accent"
"""Not a text colour: a button filled with the theme's accent (the page's main action)."""

TONES: dict[str, tuple[str, str]] = {
    WARNING: ("#a14a06", "#fbbf24"),
    ERROR: ("#b91c1c", "#f87171"),
    OK: ("#166534", "#4ade80"),
    INFO: ("#1d4ed8", "#60a5fa"),
    MUTED: ("#585e67", "#a3aab4"),
}
"""Each tone's shade on a light background and on a dark one (both ≥ 4.5:1 against the
theme's window and base colours)."""

ALIASES: dict[str, str] = {
    "#b45309": WARNING, "#d97706": WARNING, "#b91c1c": ERROR, "#c62828": ERROR,
    "#dc2626": ERROR, "#15803d": OK, "#16a34a": OK, "#2563eb": INFO, "#1d4ed8": INFO,
}
"""Light-theme colours written in the code before the tones: the tone each one means."""
for _tone, (_light, _dark) in TONES.items():
    ALIASES[_light] = ALIASES[_dark] = _tone

TONE_PROPERTY = "creatifyTone"
BOLD_PROPERTY = "creatifyToneBold"
_TEXT_ROLES = (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
               QPalette.ColorRole.ButtonText)


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) is a dark one."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_colour(tone: str, palette: QPalette | None = None) -> QColor:
    """``tone``'s colour for ``palette`` (the application's by default)."""
    light, dark = TONES[tone]
    return QColor(dark if is_dark(palette) else light)


def tone_hex(tone: str) -> str:
    """``tone``'s colour as ``#rrggbb`` for rich text, in the current theme."""
    return tone_colour(tone).name()


def themed_colour(colour: str) -> QColor:
    """A colour written for the light theme, in the current theme's shade when it is one of
    the known meaning colours (:data:`ALIASES`), else unchanged."""
    tone = ALIASES.get(colour.lower())
    return tone_colour(tone) if tone is not None else QColor(colour)


def set_tone(widget: QWidget, tone: str | None, *, bold: bool = False) -> None:
    """Give ``widget``'s text the colour of ``tone`` (None: the theme's ordinary text again),
    bold if asked; kept through theme switches."""
    was_bold = bool(widget.property(BOLD_PROPERTY))
    widget.setProperty(TONE_PROPERTY, tone or "")
    widget.setProperty(BOLD_PROPERTY, bold)
    paint_tone(widget)
    if bold or was_bold:
        font = QFont(widget.font())
        font.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
        widget.setFont(font)


def paint_tone(widget: QWidget) -> None:
    """Set ``widget``'s palette for its remembered tone in the current theme."""
    tone = widget.property(TONE_PROPERTY) or None
    palette = QPalette()  # nothing set: every other role still follows the parent's
    app = QGuiApplication.palette()
    if tone == ACCENT:
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Button,  # Fusion lightens its top
                             app.color(group, QPalette.ColorRole.Highlight).darker(180))
            palette.setColor(group, QPalette.ColorRole.ButtonText,
                             app.color(group, QPalette.ColorRole.HighlightedText))
    elif tone in TONES:
        colour = tone_colour(str(tone))
        back = app.color(QPalette.ColorRole.Window)
        disabled = QColor((colour.red() + back.red()) // 2, (colour.green() + back.green()) // 2,
                          (colour.blue() + back.blue()) // 2)
        for role in _TEXT_ROLES:
            palette.setColor(QPalette.ColorGroup.Active, role, colour)
            palette.setColor(QPalette.ColorGroup.Inactive, role, colour)
            palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    widget.setPalette(palette)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green())
            + 0.0722 * channel(colour.blue()))


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 … 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
