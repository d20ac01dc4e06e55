"""Compare styles, then render one: the previews of a compare-styles job side by side.

Non-modal (opened with ``show()``): each style is a card with its thumbnail, name, length, a
link that opens the preview in the browser and a "Render this one" button with its price. The
dialog also says what the previews cost, what the render will cost and what rendering only
the chosen style saves against rendering every one of them. Choosing emits :attr:`chosen`;
the tab asks the usual confirmation and sends the render.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.api.snapshot import StylePreview
from app.generators import Flow, GeneratorSpec
from app.generators.quote import format_credits, quote
from app.jobs.ledger import JobRecord
from app.pricing import Estimate, Plan
from app.pricing.money import dollars_text
from ui.service import StudioService

THUMB_WIDTH = 240
THUMB_HEIGHT = 135
COLUMNS = 3


def _with_dollars(credits: Decimal, dollars: Decimal | None) -> str:
    return format_credits(credits) + (f" ({dollars_text(dollars)})" if dollars is not None else "")


@dataclass(frozen=True, slots=True)
class StyleCosts:
    """What comparing cost so far, what the render will cost, and what it saves."""

    count: int                    # styles previewed
    previews: Decimal | None      # what the previews cost (charged if known, else estimated)
    previews_charged: bool        # ``previews`` is Creatify's figure, not our estimate
    previews_dollars: Decimal | None
    render: Estimate | None       # the render of one style
    all_styles: Decimal | None    # making every style in one step
    saving: Decimal | None        # all_styles - (previews + render)

    @property
    def render_credits(self) -> Decimal | None:
        return self.render.credits if self.render is not None else None


def style_name(spec: GeneratorSpec, value: str) -> str:
    """A visual style as a creator reads it ("Avatar bubble" for ``AvatarBubbleTemplate``):
    its label in the spec's list of styles, else the name Creatify gave."""
    for name in (spec.style_field, spec.styles_field):
        if name:
            for choice in spec.field(name).choices:
                if choice.value == value:
                    return choice.label
    return value


def billed_seconds(spec: GeneratorSpec, record: JobRecord) -> float | None:
    """The length the render is billed on: Creatify's figure if it gave one, else the
    length that was asked for."""
    if record.duration:
        return record.duration
    for preview in record.previews:
        if preview.duration:
            return preview.duration
    try:
        return spec.derive_seconds(record.request)
    except ValueError:
        return None


def style_costs(spec: GeneratorSpec, record: JobRecord, plan: Plan | None) -> StyleCosts:
    """The figures the dialog shows for ``record``'s previews (at ``plan``'s price)."""
    styles = [p.visual_style for p in record.previews]
    values: Mapping[str, Any] = spec.with_styles(record.request, styles)
    seconds = billed_seconds(spec, record)
    q = quote(spec, values, seconds, flow=Flow.COMPARE_STYLES, plan=plan)
    preview = next((e for e in q.estimates if e.request.phase == "preview"), None)
    render = next((e for e in q.estimates if e.request.phase == "render"), None)
    charged = record.credits_used is not None
    previews = record.credits_used if charged else (preview.credits if preview else None)
    previews_dollars = None
    if previews is not None and plan is not None:
        previews_dollars = (previews * plan.price_per_credit).quantize(Decimal("0.01"))
    all_styles = saving = None
    if q.saving is not None and q.credits is not None:
        all_styles = q.saving + q.credits
        if previews is not None and render is not None and render.credits is not None:
            saving = all_styles - previews - render.credits
    return StyleCosts(len(styles), previews, charged, previews_dollars, render, all_styles,
                      saving)


class StyleCard(QFrame):
    """One style: thumbnail, name, length, open the preview, render this one."""

    def __init__(self, index: int, preview: StylePreview, render_label: str,
                 title: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName(f"style_card_{index}")
        self.setAccessibleName(f"Style {preview.visual_style}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.thumb = QLabel("Loading the thumbnail…" if preview.thumbnail_url
                            else "No thumbnail")
        self.thumb.setObjectName(f"style_thumb_{index}")
        self.thumb.setAccessibleName(f"Thumbnail of {preview.visual_style}")
        self.thumb.setFixedSize(THUMB_WIDTH, THUMB_HEIGHT)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setStyleSheet("background: palette(midlight); color: palette(mid);")
        api = preview.visual_style
        title = title or api
        # The readable name, and under it the name Creatify's docs and editor use.
        self.name = QLabel(f"<b>{escape(title)}</b>" + (f"<br><small>{escape(api)}</small>"
                                                        if title != api else ""))
        self.name.setToolTip(f"Sent to Creatify as {api}")
        self.name.setObjectName(f"style_name_{index}")
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.length = QLabel(f"{preview.duration:g} s" if preview.duration else "")
        self.length.setObjectName(f"style_duration_{index}")
        self.length.setVisible(bool(preview.duration))
        self.aspect = QLabel(f"Aspect ratio {preview.aspect_ratio}" if preview.aspect_ratio
                             else "")
        self.aspect.setObjectName(f"style_aspect_{index}")
        self.aspect.setVisible(bool(preview.aspect_ratio))
        self.editor_button = QPushButton("Open in Creatify's editor")
        self.editor_button.setObjectName(f"style_editor_{index}")
        self.editor_button.setAccessibleName(f"Open {preview.visual_style} in Creatify's "
                                             "editor")
        self.editor_button.setVisible(bool(preview.editor_url))
        self.open_button = QPushButton("Open preview")
        self.open_button.setObjectName(f"style_open_{index}")
        self.open_button.setAccessibleName(f"Open the preview of {preview.visual_style} "
                                           "in the browser")
        self.open_button.setEnabled(bool(preview.preview_url))
        if not preview.preview_url:
            self.open_button.setToolTip("Creatify gave no preview link for this style.")
        self.render_button = QPushButton(render_label)
        self.render_button.setObjectName(f"style_render_{index}")
        self.render_button.setAccessibleName(f"Render {preview.visual_style}")
        column = QVBoxLayout(self)
        column.addWidget(self.thumb)
        column.addWidget(self.name)
        column.addWidget(self.length)
        column.addWidget(self.aspect)
        column.addStretch(1)
        column.addWidget(self.open_button)
        column.addWidget(self.editor_button)
        column.addWidget(self.render_button)

    @property
    def thumbnail_shown(self) -> bool:
        pixmap = self.thumb.pixmap()
        return pixmap is not None and not pixmap.isNull()

    def show_thumbnail(self, data: bytes) -> bool:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self.thumb.setText("Thumbnail not readable")
            return False
        self.thumb.setPixmap(pixmap.scaled(THUMB_WIDTH, THUMB_HEIGHT,
                                           Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
        return True


class StylesDialog(QDialog):
    """The previews of one compare-styles job side by side; emits :attr:`chosen` with the
    ``media_job`` of the style to render."""

    chosen = Signal(str)  # media_job

    def __init__(self, spec: GeneratorSpec, record: JobRecord, service: StudioService,
                 plan: Plan | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.record = record
        self.service = service
        self.costs = style_costs(spec, record, plan)
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.setObjectName("styles_dialog")
        self.setAccessibleName("Choose a style to render")
        self.setWindowTitle(f"Choose a style — {record.title}")
        self.setModal(False)

        intro = QLabel(f"{self.costs.count} style previews of <b>{record.title}</b>. Open "
                       "them in the browser, then render the one you like: only that one is "
                       "rendered.")
        intro.setObjectName("styles_intro")
        intro.setWordWrap(True)
        self.summary = QLabel(self._summary())
        self.summary.setObjectName("styles_costs")
        self.summary.setAccessibleName("What comparing costs")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        render = self.costs.render
        if render is not None and render.credits is not None:
            label = f"Render this one — {_with_dollars(render.credits, render.dollars)}"
        else:
            label = "Render this one"
        grid_box = QWidget()
        grid_box.setObjectName("styles_grid")
        grid = QGridLayout(grid_box)
        self.cards: list[StyleCard] = []
        for i, preview in enumerate(record.previews):
            card = StyleCard(i, preview, label, style_name(spec, preview.visual_style))
            card.open_button.clicked.connect(lambda _c=False, p=preview: self._open(p))
            card.editor_button.clicked.connect(
                lambda _c=False, p=preview: self._open(p, editor=True))
            card.render_button.clicked.connect(
                lambda _c=False, p=preview: self.chosen.emit(p.media_job))
            grid.addWidget(card, i // COLUMNS, i % COLUMNS)
            self.cards.append(card)
        scroll = QScrollArea()
        scroll.setObjectName("styles_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("styles_buttons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("styles_close")
        close.setAccessibleName("Close without rendering")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)

        service.imageLoaded.connect(self._image_loaded)
        service.imageFailed.connect(self._image_failed)
        for card in self.cards:
            url = card.preview.thumbnail_url
            if url:
                data = service.image(url)  # cached bytes, or imageLoaded follows
                if data is not None:
                    card.show_thumbnail(data)

    def _summary(self) -> str:
        c = self.costs
        lines = []
        if c.previews is not None:
            how = "charged" if c.previews_charged else "estimated"
            lines.append(f"Previews made: {c.count} styles, "
                         f"{_with_dollars(c.previews, c.previews_dollars)} ({how}).")
        render = c.render
        if render is not None and render.credits is not None:
            lines.append(f"Render of the chosen one: "
                         f"{_with_dollars(render.credits, render.dollars)} — "
                         f"{render.breakdown.removeprefix('Render: ')}")
        if c.saving is not None and c.all_styles is not None:
            lines.append(f"Rendering all {c.count} styles would cost "
                         f"{format_credits(c.all_styles)}: rendering only the chosen one "
                         f"saves {format_credits(c.saving)}.")
        return "\n".join(lines)

    def card_for(self, media_job: str) -> StyleCard | None:
        return next((c for c in self.cards if c.preview.media_job == media_job), None)

    def _open(self, preview: StylePreview, *, editor: bool = False) -> None:
        url = preview.editor_url if editor else preview.preview_url
        if url:
            self.open_url(QUrl(url))

    def _image_loaded(self, url: str, data: bytes) -> None:
        for card in self.cards:
            if card.preview.thumbnail_url == url:
                card.show_thumbnail(data)

    def _image_failed(self, url: str, message: str) -> None:
        for card in self.cards:
            if card.preview.thumbnail_url == url and not card.thumbnail_shown:
                card.thumb.setText(message)


__all__ = ["StyleCard", "StyleCosts", "StylesDialog", "billed_seconds", "style_costs",
           "style_name"]
