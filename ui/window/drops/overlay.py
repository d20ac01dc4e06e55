"""The highlight shown while links are dragged over the window: where the drop will go and,
in one line, what it will do."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

REFUSED_COLOUR = "#dc2626"
"""The border of a drop that will be refused (readable on light and dark backgrounds)."""


class DropOverlay(QWidget):
    """A layer over the whole window, transparent to the mouse (so it is never the drop
    target itself): a translucent panel with a border over the target area, and a label with
    one line ("Drop 12 links to open the batch sheet for URL to Video"). Its colours come from
    the palette when painted, so a theme switched mid-session is followed."""

    MARGIN = 8
    PADDING = 10

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("drop_overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.area = QRect()
        self.line = ""
        self.refused = False
        self.hide()

    def show_over(self, area: QWidget, line: str, *, refused: bool = False) -> None:
        """Highlight ``area`` (a widget of the window) with ``line`` as the label."""
        window = self.window_
        top_left = area.mapTo(window, QPoint(0, 0))
        self.area = QRect(top_left, area.size()).intersected(window.rect())
        self.line, self.refused = line, refused
        self.setAccessibleName(line)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()
        self.update()

    def label_rect(self) -> QRect:
        """Where the label goes: inside the area when it fits, else just below (or above)."""
        font = self.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        pad = self.PADDING
        widest = max(120, min(self.width() - 2 * self.MARGIN, max(self.area.width() - 24, 420)))
        text = metrics.boundingRect(QRect(0, 0, widest - 2 * pad, 10_000),
                                    int(Qt.TextFlag.TextWordWrap), self.line)
        size = text.size().grownBy(QMargins(pad, pad, pad, pad))
        box = QRect(QPoint(0, 0), size)
        if size.width() + 16 <= self.area.width() and size.height() + 16 <= self.area.height():
            box.moveCenter(self.area.center())
        else:
            box.moveLeft(self.area.left())
            if self.area.bottom() + 6 + size.height() <= self.height() - self.MARGIN:
                box.moveTop(self.area.bottom() + 6)
            else:
                box.moveBottom(self.area.top() - 6)
        left = max(self.MARGIN, min(box.left(), self.width() - self.MARGIN - box.width()))
        top = max(self.MARGIN, min(box.top(), self.height() - self.MARGIN - box.height()))
        box.moveTo(left, top)
        return box

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.area.isEmpty():
            return
        palette = self.palette()
        accent = QColor(REFUSED_COLOUR) if self.refused \
            else palette.color(QPalette.ColorRole.Highlight)
        fill = QColor(accent)
        fill.setAlpha(48)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(accent, 2))
        painter.setBrush(fill)
        painter.drawRoundedRect(self.area.adjusted(1, 1, -1, -1), 6, 6)
        box = self.label_rect()
        painter.setPen(QPen(accent, 1.5))
        painter.setBrush(palette.color(QPalette.ColorRole.Window))
        painter.drawRoundedRect(box, 6, 6)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(box.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING),
                         int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.line)
        painter.end()

