"""Which visible labels, buttons and group box titles do not fit their text.

A label that wraps must be as tall as its ``heightForWidth`` at its width; one that does not
must be as wide as the font's advance of its longest line (rich text measured as the
document Qt lays out) and as tall as its lines. A button needs its text beside its icon inside
the style's contents rectangle; a group box its title across its top. Each widget counts on
its own geometry (inside a scroll area, scrolling to it is fine); text cut with "…" is fine
only where the widget's tooltip gives it whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QWidget,
)

SLACK = 1
"""Pixels of rounding forgiven."""


@dataclass(frozen=True)
class Clipped:
    """One widget whose text does not fit."""

    widget: str
    text: str
    needed: tuple[int, int]
    size: tuple[int, int]

    def line(self, where: str) -> str:
        return (f"{where}: {self.widget} {self.text!r} needs {self.needed[0]}×{self.needed[1]}"
                f" px, has {self.size[0]}×{self.size[1]}")


def describe(widget: QWidget) -> str:
    name = widget.objectName() or "(no name)"
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    inside = f" in {parent.objectName()}" if parent is not None else ""
    return f"{type(widget).__name__} '{name}'{inside}"


def plain(text: str) -> str:
    """Rich text as the words it shows."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def _mnemonic_free(text: str) -> str:
    return re.sub(r"&(.)", r"\1", text)


def _elided_with_tip(widget: QWidget, text: str) -> bool:
    return "…" in text and bool(widget.toolTip().strip())


def _rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(label.text()))


def label_problem(label: QLabel) -> Clipped | None:
    text = label.text()
    if not text.strip() or not label.pixmap().isNull():
        return None
    shown = plain(text) if _rich(label) else text
    if _elided_with_tip(label, shown):
        return None
    rect = label.contentsRect()
    margin = 2 * label.margin()
    width, height = rect.width() - margin, rect.height() - margin
    if label.wordWrap():
        need_h = label.heightForWidth(label.width())
        if need_h > label.height() + SLACK:
            return Clipped(describe(label), shown[:80], (label.width(), need_h),
                           (label.width(), label.height()))
        return None
    if _rich(label):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        need_w, need_h = int(doc.idealWidth() + 0.99), int(doc.size().height() + 0.99)
    else:
        metrics = QFontMetrics(label.font())
        lines = text.split("\n")
        need_w = max(metrics.horizontalAdvance(line) for line in lines)
        need_h = metrics.height() * len(lines)
    if need_w > width + SLACK or need_h > height + SLACK:
        return Clipped(describe(label), shown[:80], (need_w + margin, need_h + margin),
                       (label.width(), label.height()))
    return None


def _button_room(button: QAbstractButton) -> int:
    """The width the style leaves a button's text."""
    style = button.style()
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    else:
        element = QStyle.SubElement.SE_PushButtonContents
    room = style.subElementRect(element, option, button).width()
    if not button.icon().isNull():
        room -= button.iconSize().width() + 4
    if isinstance(button, QPushButton) and button.menu() is not None:
        room -= style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
    return room


def button_problem(button: QAbstractButton) -> Clipped | None:
    text = _mnemonic_free(button.text()).strip()
    if not text:
        return None
    if isinstance(button, QToolButton):
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return None
        room = button.width() - 6
        if button.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonTextOnly \
                and not button.icon().isNull():
            room -= button.iconSize().width() + 4
    elif isinstance(button, (QPushButton, QCheckBox, QRadioButton)):
        room = _button_room(button)
    else:
        return None
    if _elided_with_tip(button, text):
        return None
    metrics = QFontMetrics(button.font())
    need = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
    lines = text.count("\n") + 1
    if need > room + SLACK or metrics.height() * lines > button.height() + SLACK:
        return Clipped(describe(button), text[:80], (need, metrics.height() * lines),
                       (room, button.height()))
    return None


def group_problem(box: QGroupBox) -> Clipped | None:
    title = _mnemonic_free(box.title()).strip()
    if not title:
        return None
    metrics = QFontMetrics(box.font())
    need = metrics.horizontalAdvance(title) + 8
    if box.isCheckable():
        need += box.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 4
    if need > box.width() + SLACK:
        return Clipped(describe(box), title[:80], (need, metrics.height()),
                       (box.width(), box.height()))
    return None


def clipped_in(top: QWidget) -> list[Clipped]:
    """Every visible label, button and group box title in ``top`` (itself included) that
    does not fit its text."""
    found: list[Clipped] = []
    widgets = [top, *top.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisible():
            continue
        problem: Clipped | None = None
        if isinstance(widget, QLabel):
            problem = label_problem(widget)
        elif isinstance(widget, QAbstractButton):
            problem = button_problem(widget)
        elif isinstance(widget, QGroupBox):
            problem = group_problem(widget)
        if problem is not None:
            found.append(problem)
    return found
