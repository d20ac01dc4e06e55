"""The light and dark palettes, every role in every group written out.

Nothing is left to the platform's or the style's defaults (a desktop in dark mode would
otherwise leak its colours into the "light" theme), and the Disabled group is set on its
own: dimmer text and flatter buttons, so a disabled button never looks like an enabled one.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

LIGHT: dict[Role, str] = {
    Role.Window: "#eff0f2", Role.WindowText: "#1b1d21",
    Role.Base: "#ffffff", Role.AlternateBase: "#f5f6f8",
    Role.Text: "#1b1d21", Role.PlaceholderText: "#62676f",
    Role.Button: "#e6e8eb", Role.ButtonText: "#1b1d21", Role.BrightText: "#ffffff",
    Role.Light: "#ffffff", Role.Midlight: "#d5d8dd", Role.Mid: "#8a9099",
    Role.Dark: "#9ea3ab", Role.Shadow: "#70757d",
    Role.Highlight: "#2563eb", Role.HighlightedText: "#ffffff", Role.Accent: "#2563eb",
    Role.Link: "#1d4ed8", Role.LinkVisited: "#6d28d9",
    Role.ToolTipBase: "#fffbe6", Role.ToolTipText: "#1b1d21",
}
LIGHT_DISABLED: dict[Role, str] = {
    Role.Window: "#eff0f2", Role.WindowText: "#a3a8b0",
    Role.Base: "#f3f4f6", Role.AlternateBase: "#f3f4f6",
    Role.Text: "#a3a8b0", Role.PlaceholderText: "#b9bdc4",
    Role.Button: "#eceef0", Role.ButtonText: "#a3a8b0", Role.BrightText: "#ffffff",
    Role.Light: "#ffffff", Role.Midlight: "#e1e3e7", Role.Mid: "#b9bdc4",
    Role.Dark: "#c3c7cd", Role.Shadow: "#b1b5bb",
    Role.Highlight: "#b9bdc4", Role.HighlightedText: "#f3f4f6", Role.Accent: "#b9bdc4",
    Role.Link: "#8aa4e0", Role.LinkVisited: "#a88fd6",
    Role.ToolTipBase: "#fffbe6", Role.ToolTipText: "#1b1d21",
}

DARK: dict[Role, str] = {
    Role.Window: "#1f2227", Role.WindowText: "#e6e8eb",
    Role.Base: "#282c33", Role.AlternateBase: "#2d3139",
    Role.Text: "#e6e8eb", Role.PlaceholderText: "#8b929c",
    Role.Button: "#30353d", Role.ButtonText: "#e6e8eb", Role.BrightText: "#ffffff",
    Role.Light: "#454b55", Role.Midlight: "#383d45", Role.Mid: "#8b929c",
    Role.Dark: "#121417", Role.Shadow: "#000000",
    Role.Highlight: "#2563eb", Role.HighlightedText: "#ffffff", Role.Accent: "#2563eb",
    Role.Link: "#60a5fa", Role.LinkVisited: "#a5b4fc",
    Role.ToolTipBase: "#2a2e35", Role.ToolTipText: "#e6e8eb",
}
DARK_DISABLED: dict[Role, str] = {
    Role.Window: "#1f2227", Role.WindowText: "#5f656e",
    Role.Base: "#23262b", Role.AlternateBase: "#23262b",
    Role.Text: "#5f656e", Role.PlaceholderText: "#4c515a",
    Role.Button: "#23262c", Role.ButtonText: "#5f656e", Role.BrightText: "#9aa0a8",
    Role.Light: "#2a2e35", Role.Midlight: "#272a30", Role.Mid: "#4c515a",
    Role.Dark: "#16181c", Role.Shadow: "#000000",
    Role.Highlight: "#2f343c", Role.HighlightedText: "#8b929c", Role.Accent: "#2f343c",
    Role.Link: "#4a6a96", Role.LinkVisited: "#6c7396",
    Role.ToolTipBase: "#2a2e35", Role.ToolTipText: "#e6e8eb",
}

THEMES = {"light": (LIGHT, LIGHT_DISABLED), "dark": (DARK, DARK_DISABLED)}
"""Each theme's Active (also used for Inactive) and Disabled colours, by role."""


def build_palette(theme: str) -> QPalette:
    """The complete palette of ``"light"`` or ``"dark"``: every role set in the Active,
    Inactive and Disabled groups (so nothing resolves against the platform's palette)."""
    active, disabled = THEMES[theme]
    palette = QPalette()
    for role, colour in active.items():
        palette.setColor(Group.Active, role, QColor(colour))
        palette.setColor(Group.Inactive, role, QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(colour))
    return palette


def dim_disabled(palette: QPalette) -> QPalette:
    """The system palette with its Disabled text made clearly dimmer where the platform left
    it (nearly) the same as the enabled text: halfway towards the background."""
    result = QPalette(palette)
    pairs = ((Role.WindowText, Role.Window), (Role.Text, Role.Base),
             (Role.ButtonText, Role.Button))
    for text_role, back_role in pairs:
        enabled = palette.color(Group.Active, text_role)
        shown = palette.color(Group.Disabled, text_role)
        back = palette.color(Group.Active, back_role)
        if _distance(enabled, shown) < 60:
            result.setColor(Group.Disabled, text_role, _mix(enabled, back, 0.55))
    return result


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0…1) of the way towards ``b``."""
    return QColor(round(a.red() + (b.red() - a.red()) * amount),
                  round(a.green() + (b.green() - a.green()) * amount),
                  round(a.blue() + (b.blue() - a.blue()) * amount))
