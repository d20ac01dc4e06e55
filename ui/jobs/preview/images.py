"""The images of a job's results in the preview: each read from its saved file or, not
saved yet, through the service's image loading; shown in the strip with its real pixel size
("300×250"). The job's thumbnail (the video's poster) arrives the same way. Mixed into
:class:`~ui.jobs.preview.dialog.PreviewDialog`, which holds the state named below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget

from ui.jobs.preview.stage import MediaStage
from ui.jobs.results import media_kind, size_text

if TYPE_CHECKING:
    from ui.service import StudioService

STRIP_ICON = 120
"""The side of a result's thumbnail in the strip."""


class ResultImages:
    """Loads and shows the image results and the poster thumbnail."""

    sources: list[QUrl]
    pixmaps: dict[int, QPixmap]
    current: int
    thumbnail_url: str
    service: StudioService | None
    strip: QListWidget
    image: QLabel
    stage: MediaStage

    def _label(self, index: int, pixmap: QPixmap | None) -> str:
        source = self.sources[index]
        if media_kind(source) != "image":
            return f"{index + 1} · {media_kind(source)}"
        return f"{index + 1} · {size_text(pixmap)}"

    def _load_image(self, index: int) -> None:
        """A saved image is read from its file; one not saved yet through the service's
        image loading (cached; ``imageLoaded`` follows)."""
        source = self.sources[index]
        if source.isLocalFile():
            pixmap = QPixmap(source.toLocalFile())
            if not pixmap.isNull():
                self._take(index, pixmap)
        elif self.service is not None:
            data = self.service.image(source.toString())
            if data is not None:
                self._image_arrived(source.toString(), data)

    def _image_arrived(self, url: str, data: bytes) -> None:
        if url == self.thumbnail_url:
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                self.stage.set_thumbnail(pixmap)
        for index, source in enumerate(self.sources):
            if not source.isLocalFile() and source.toString() == url \
                    and index not in self.pixmaps:
                pixmap = QPixmap()
                if pixmap.loadFromData(data):
                    self._take(index, pixmap)

    def _take(self, index: int, pixmap: QPixmap) -> None:
        self.pixmaps[index] = pixmap
        item = self.strip.item(index)
        if item is not None:
            item.setIcon(QIcon(pixmap.scaled(
                STRIP_ICON, STRIP_ICON, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation)))
            item.setText(self._label(index, pixmap))
        if index == self.current and media_kind(self.sources[index]) == "image":
            self.image.setPixmap(pixmap)
            self.image.setToolTip(size_text(pixmap))

    def sizes(self) -> list[str]:
        """Each result's pixel size as shown ("300×250"; "…" while it loads)."""
        return [size_text(self.pixmaps.get(i)) for i in range(len(self.sources))]


__all__ = ["STRIP_ICON", "ResultImages"]
