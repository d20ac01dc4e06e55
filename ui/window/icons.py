"""The sidebar's icons, drawn in code: a rounded tile in the group's colour with a white glyph
named by ``app.generators.groups`` (no image files to ship or theme)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

GROUP_COLOURS = {
    "product_page": "#2563eb", "avatars": "#7c3aed", "photo": "#db2777",
    "templates": "#c2410c", "assets": "#0f766e", "writing": "#15803d",
    "deprecated": "#6b7280", "more": "#475569",
}
"""The tile colour of each group (white glyphs read on all of them, light or dark theme)."""

Glyph = Callable[[QPainter], None]
"""Draws in a 24 × 24 box, pen and brush already white."""


def _poly(p: QPainter, *points: tuple[float, float]) -> None:
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))


def _play(p: QPainter) -> None:
    _poly(p, (9, 7), (18, 12), (9, 17))


def _box(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    _poly(p, (12, 5.5), (18.5, 9), (18.5, 15.5), (12, 19), (5.5, 15.5), (5.5, 9))
    p.drawPolyline(QPolygonF([QPointF(5.5, 9), QPointF(12, 12.5), QPointF(18.5, 9)]))
    p.drawLine(QPointF(12, 12.5), QPointF(12, 19))


def _film(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(5.5, 6.5, 13, 11), 1.5, 1.5)
    p.setBrush(QBrush(Qt.GlobalColor.white))
    _poly(p, (10.5, 9.5), (14.5, 12), (10.5, 14.5))


def _clone(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(5.5, 5.5, 9, 9), 1.5, 1.5)
    p.drawRoundedRect(QRectF(9.5, 9.5, 9, 9), 1.5, 1.5)


def _link(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.save()
    p.translate(12, 12)
    p.rotate(-45)
    p.drawRoundedRect(QRectF(-8, -3, 9, 6), 3, 3)
    p.drawRoundedRect(QRectF(-1, -3, 9, 6), 3, 3)
    p.restore()


def _person(p: QPainter) -> None:
    p.drawEllipse(QPointF(12, 9), 3.2, 3.2)
    path = QPainterPath(QPointF(6, 19))
    path.cubicTo(QPointF(6, 13.5), QPointF(18, 13.5), QPointF(18, 19))
    p.drawPath(path)


def _people(p: QPainter) -> None:
    p.drawEllipse(QPointF(9, 9.5), 2.6, 2.6)
    p.drawEllipse(QPointF(15.5, 9.5), 2.6, 2.6)
    for x in (9.0, 15.5):
        path = QPainterPath(QPointF(x - 4.5, 18.5))
        path.cubicTo(QPointF(x - 4.5, 13.5), QPointF(x + 4.5, 13.5), QPointF(x + 4.5, 18.5))
        p.drawPath(path)


def _photo(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(5.5, 6.5, 13, 11), 1.5, 1.5)
    p.setBrush(QBrush(Qt.GlobalColor.white))
    _poly(p, (7, 16), (10.5, 11.5), (13, 14), (14.5, 12.5), (17, 16))
    p.drawEllipse(QPointF(15, 9.5), 1.2, 1.2)


def _bolt(p: QPainter) -> None:
    _poly(p, (13.5, 5), (7.5, 13), (11.5, 13), (10.5, 19), (16.5, 11), (12.5, 11))


def _template(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(5.5, 5.5, 13, 13), 1.5, 1.5)
    p.drawLine(QPointF(5.5, 10), QPointF(18.5, 10))
    p.drawLine(QPointF(10.5, 10), QPointF(10.5, 18.5))


def _gallery(p: QPainter) -> None:
    for x, y in ((6, 6), (12.5, 6), (6, 12.5), (12.5, 12.5)):
        p.drawRoundedRect(QRectF(x, y, 5.5, 5.5), 1, 1)


def _layers(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    _poly(p, (12, 5.5), (19, 9.5), (12, 13.5), (5, 9.5))
    p.drawPolyline(QPolygonF([QPointF(5, 13), QPointF(12, 17), QPointF(19, 13)]))
    p.drawPolyline(QPolygonF([QPointF(5, 16), QPointF(12, 20), QPointF(19, 16)]))


def _sparkle(p: QPainter) -> None:
    _poly(p, (11, 4.5), (12.8, 10.2), (18.5, 12), (12.8, 13.8), (11, 19.5), (9.2, 13.8),
          (3.5, 12), (9.2, 10.2))
    _poly(p, (17.5, 4.5), (18.3, 6.7), (20.5, 7.5), (18.3, 8.3), (17.5, 10.5), (16.7, 8.3),
          (14.5, 7.5), (16.7, 6.7))


def _wave(p: QPainter) -> None:
    for x, half in ((6, 2), (9, 5), (12, 7), (15, 4), (18, 2.5)):
        p.drawLine(QPointF(x, 12 - half), QPointF(x, 12 + half))


def _script(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(6.5, 5, 11, 14), 1.5, 1.5)
    for y, end in ((9, 15), (12, 15), (15, 12.5)):
        p.drawLine(QPointF(9, y), QPointF(end, y))


def _chat(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    path.addRoundedRect(QRectF(5, 6, 14, 10), 3, 3)
    p.drawPath(path)
    _poly(p, (8.5, 16), (8.5, 19.5), (12, 16))
    p.setBrush(QBrush(Qt.GlobalColor.white))
    for x in (9.0, 12.0, 15.0):
        p.drawEllipse(QPointF(x, 11), 0.9, 0.9)


def _scissors(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(8, 16.5), 2.3, 2.3)
    p.drawEllipse(QPointF(16, 16.5), 2.3, 2.3)
    p.drawLine(QPointF(9.5, 14.7), QPointF(16, 5.5))
    p.drawLine(QPointF(14.5, 14.7), QPointF(8, 5.5))


def _gear(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(12, 12), 3, 3)
    for turn in range(8):
        p.save()
        p.translate(12, 12)
        p.rotate(turn * 45)
        p.drawLine(QPointF(0, -5.5), QPointF(0, -7.5))
        p.restore()
    p.drawEllipse(QPointF(12, 12), 5.5, 5.5)


GLYPHS: dict[str, Glyph] = {
    "play": _play, "box": _box, "film": _film, "clone": _clone, "link": _link,
    "person": _person, "people": _people, "photo": _photo, "bolt": _bolt,
    "template": _template, "gallery": _gallery, "layers": _layers, "sparkle": _sparkle,
    "wave": _wave, "script": _script, "chat": _chat, "scissors": _scissors, "gear": _gear,
}


def _tile(glyph: str, colour: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 24, size / 24)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(0.5, 0.5, 23, 23), 6, 6)
    pen = QPen(QColor("white"), 1.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(QBrush(QColor("white")))
    GLYPHS.get(glyph, _sparkle)(painter)
    painter.end()
    return pixmap


@cache
def generator_icon(glyph: str, group: str) -> QIcon:
    """The tile for a sidebar entry (crisp at 1× and 2×)."""
    colour = GROUP_COLOURS.get(group, GROUP_COLOURS["more"])
    icon = QIcon()
    for size in (24, 32, 48):
        icon.addPixmap(_tile(glyph, colour, size))
    return icon
