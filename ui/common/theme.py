"""System, light or dark: Fusion with a palette, or the platform's own look."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

_system_style: str | None = None
_system_palette: QPalette | None = None


def apply_theme(theme: str) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    global _system_style, _system_palette
    if _system_style is None:
        _system_style = app.style().name()
        _system_palette = QPalette(app.palette())
    if theme == "system":
        app.setStyle(QStyleFactory.create(_system_style) or app.style())
        if _system_palette is not None:
            app.setPalette(_system_palette)
        return
    app.setStyle("Fusion")
    palette = QPalette()
    if theme == "dark":
        colours = {
            QPalette.ColorRole.Window: "#1f2227", QPalette.ColorRole.WindowText: "#e6e6e6",
            QPalette.ColorRole.Base: "#16181c", QPalette.ColorRole.AlternateBase: "#23262c",
            QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#2a2e35",
            QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3b82f6",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#2a2e35",
            QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.Link: "#60a5fa",
            QPalette.ColorRole.LinkVisited: "#a5b4fc",
            QPalette.ColorRole.PlaceholderText: "#8b929c", QPalette.ColorRole.Mid: "#8b929c",
        }
        for role, colour in colours.items():
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)
