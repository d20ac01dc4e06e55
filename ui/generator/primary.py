"""Small pieces of the generator page's layout: the primary action's button, and a flow
switch that leaves the form where it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QPushButton, QScrollArea, QWidget


class PrimaryButton(QPushButton):
    """The page's main action (Generate): the default button, larger and bold, filled with
    the palette's accent colour and its text in the accent's text colour — both read at each
    paint, so a theme switch recolours it at once; disabled, it is drawn as the theme draws
    any disabled button."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setDefault(True)
        self.setAutoDefault(True)
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(font.pointSizeF() * 1.15 if font.pointSizeF() > 0 else 11)
        self.setFont(font)
        self.setMinimumHeight(self.fontMetrics().height() + 18)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.isEnabled():  # disabled: exactly as the theme draws a disabled button
            super().paintEvent(event)
            return
        palette = self.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        if self.isDown():
            accent = accent.darker(118)
        elif self.underMouse():
            accent = accent.lighter(110)
        text = palette.color(QPalette.ColorRole.HighlightedText)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(accent.darker(125), 1))
        painter.setBrush(accent)
        painter.drawRoundedRect(frame, 4, 4)
        if self.hasFocus():
            painter.setPen(QPen(text, 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(frame.adjusted(3, 3, -3, -3), 3, 3)
        painter.setPen(text)
        painter.setFont(self.font())
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()


@contextmanager
def keep_scroll(area: QScrollArea) -> Iterator[None]:
    """Rows swapped inside ``area`` (another flow's fields) leave the form where it was: the
    page keeps at least its height while the creator is scrolled into it, so the scroll
    position is not clamped and nothing under the pointer moves."""
    body = area.widget()
    bar = area.verticalScrollBar()
    value = bar.value()
    if body is not None:
        body.setMinimumHeight(body.height() if value > 0 else 0)
    try:
        yield
    finally:
        bar.setValue(value)


__all__ = ["PrimaryButton", "keep_scroll"]
