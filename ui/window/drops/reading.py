"""What a drop holds, read into batch rows.

One URL fills a form; several (or a file) open the batch sheet. What goes where is the
router's and the window's call; this module only reads the drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragMoveEvent

from app.batch import (
    BatchError,
    BatchRow,
    Table,
    load_file,
    rows_from_text,
    rows_from_urls,
    urls_in_text,
)

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


def only_links(text: str) -> bool:
    """Whether ``text`` is nothing but addresses (one or more, ``#`` comment lines aside) —
    links to route — rather than prose a text box should take as it is."""
    tokens = [token for line in text.splitlines() if not line.strip().startswith("#")
              for token in line.split()]
    if not tokens:
        return False
    try:
        return len(urls_in_text(text)) == len(tokens)
    except BatchError:  # more addresses than a batch takes: links all the same
        return True


def holds_links(mime: QMimeData) -> bool:
    """Links, not text: a ``text/uri-list`` (browser links, files) or text of addresses only."""
    return mime.hasUrls() or (mime.hasText() and only_links(mime.text()))


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


@dataclass(frozen=True)
class DropReading:
    """A drop read for ``target``: its rows and table, or why it could not be read."""

    target: str
    text: str
    files: tuple[Path, ...]
    rows: list[BatchRow] = field(default_factory=list)
    table: Table | None = None
    error: str = ""

    @property
    def one_link(self) -> bool:
        """One address for a form (not a table: a one-row CSV still opens the sheet)."""
        return len(self.rows) == 1 and self.table is None


def read_drop(target: str, text: str, files: Sequence[Path]) -> DropReading:
    """:func:`read_rows`, with a file that cannot be read kept as the reason."""
    try:
        rows, table = read_rows(target, text, files)
    except BatchError as exc:
        return DropReading(target, text, tuple(files), error=str(exc))
    return DropReading(target, text, tuple(files), rows, table)
