"""Product pages dropped on the window: what a drop holds, read into batch rows.

One URL fills the form of the tab it goes to; several (or a file) open the batch sheet. What
goes where is the window's call; this module only reads the drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragMoveEvent

from app.batch import BatchRow, Table, load_file, rows_from_text, rows_from_urls

LIST_SUFFIXES = (".txt", ".csv", ".tsv")
"""Local files read as lists of URLs (any other dropped file is taken as an address)."""


def offer_drop(event: QDragMoveEvent) -> None:
    """Take links, text and files (what they hold is checked on drop)."""
    mime = event.mimeData()
    if mime.hasUrls() or mime.hasText():
        event.acceptProposedAction()
    else:
        event.ignore()


def dropped(mime: QMimeData) -> tuple[str, list[Path]]:
    """The text (one address a line) and the list files a drop holds."""
    files: list[Path] = []
    text_parts: list[str] = []
    if mime.hasUrls():
        for url in mime.urls():
            local = url.toLocalFile() if url.isLocalFile() else ""
            if local and Path(local).suffix.lower() in LIST_SUFFIXES:
                files.append(Path(local))
            else:
                text_parts.append(url.toString())
    elif mime.hasText():
        text_parts.append(mime.text())
    return "\n".join(text_parts), files


def read_rows(target: str, text: str, files: Sequence[Path]
              ) -> tuple[list[BatchRow], Table | None]:
    """The rows ``text`` and ``files`` hold for ``target``, and the one table they came from
    (None for several sources: one list of URLs, no single column mapping). Raises
    :class:`app.batch.BatchError` when a file cannot be read."""
    rows: list[BatchRow] = []
    table: Table | None = None
    for path in files:
        more, table = load_file(path, target)
        rows.extend(more)
    if text.strip():
        rows.extend(rows_from_text(text))
    if len(files) > 1 or (files and text.strip()):
        table = None
        rows = rows_from_urls([(r.url, r.where) for r in rows], [r.overrides for r in rows])
    return rows, table
