"""Two results side by side: a player each (:class:`~ui.jobs.preview.stage.MediaStage`),
their names and the settings that made each, so the difference is easy to see. Play both plays
the two at once. A style preview of URL to Video (Creatify shows it as a web page, not a
file) gets its poster and a button that opens it in the browser where a result has its
player, so two styles — or a style and a finished video — are compared the same way."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.library import LibraryItem
from ui.jobs.preview.stage import MediaStage, PosterView
from ui.library.details import about_text, settings_html
from ui.library.model import display_name, style_label


def item_source(item: LibraryItem) -> QUrl | None:
    """The saved file when it is there, else the result's URL."""
    from pathlib import Path

    if item.path and Path(item.path).exists():
        return QUrl.fromLocalFile(item.path)
    return QUrl(item.url) if item.url else None


class ComparePane(QWidget):
    def __init__(self, side: str, item: LibraryItem, name: str, poster: QPixmap | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"compare_{side}")
        self.item = item
        self.caption = QLabel(f"<b>{escape(display_name(item, name))}</b>")
        self.caption.setObjectName(f"compare_caption_{side}")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.about = QLabel(about_text(item))
        self.about.setWordWrap(True)
        self.stage = MediaStage()
        self.stage.setObjectName(f"compare_stage_{side}")
        self.page = PosterView()  # a preview page: its poster, opened in the browser
        self.page.setObjectName(f"compare_page_{side}")
        self.page.show_still(poster, "" if poster is not None else
                             f"{style_label(item.generator, item.style or 'Preview')}: a "
                             "preview page — open it in the browser")
        self.open_button = QPushButton("Open preview in the browser")
        self.open_button.setObjectName(f"compare_open_{side}")
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.open_button.clicked.connect(self._open)
        self.settings = QTextBrowser()
        self.settings.setObjectName(f"compare_settings_{side}")
        self.settings.setHtml(settings_html(item))
        self.settings.setMaximumHeight(180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.about)
        layout.addWidget(self.stage, 1)
        layout.addWidget(self.page, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.settings)
        self.source = item_source(item)
        self.is_page = item.kind == "page"
        self.stage.setVisible(not self.is_page)
        self.page.setVisible(self.is_page)
        self.open_button.setVisible(self.is_page)
        if self.source is not None and not self.is_page:
            self.stage.load(self.source, item.kind)

    def _open(self) -> None:
        if self.source is not None:
            self.open_url(self.source)


class CompareDialog(QDialog):
    """Two items, each in its own player; not modal."""

    def __init__(self, left: tuple[LibraryItem, str, QPixmap | None],
                 right: tuple[LibraryItem, str, QPixmap | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_dialog")
        self.setWindowTitle("Compare two results")
        self.setModal(False)
        self.left = ComparePane("left", *left)
        self.right = ComparePane("right", *right)
        self.play_both = QPushButton("Play both")
        self.play_both.setObjectName("compare_play_both")
        self.play_both.setToolTip("Start both players together")
        self.play_both.clicked.connect(self._play_both)
        self.play_both.setVisible(not (self.left.is_page or self.right.is_page))
        close = QPushButton("Close")
        close.setObjectName("compare_close")
        close.clicked.connect(self.reject)
        panes = QHBoxLayout()
        panes.addWidget(self.left, 1)
        panes.addWidget(self.right, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.play_both)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(panes, 1)
        layout.addLayout(bar)
        self.resize(1100, 640)

    @property
    def stages(self) -> tuple[MediaStage, MediaStage]:
        return self.left.stage, self.right.stage

    def _play_both(self) -> None:
        for pane in (self.left, self.right):
            if not pane.is_page and not pane.stage.playing():
                pane.stage.toggle()

    def done(self, result: int) -> None:
        for stage in self.stages:
            stage.stop(unload=True)
        super().done(result)


__all__ = ["CompareDialog", "ComparePane", "item_source"]
