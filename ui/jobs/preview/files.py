"""What the preview does with a result outside the player: save a copy (in a worker thread:
a video may be large), the result's web address, where a save is first offered."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QPixmap

from app.jobs.ledger import JobRecord


class NotSaved(Exception):
    """A copy could not be made; the message says why in plain words."""


def _copy(path: Path, target: str) -> None:
    if not path.is_file():
        raise NotSaved(f"the downloaded file is gone ({path})")
    if Path(target).resolve() == path.resolve():
        raise NotSaved("that is the downloaded file itself: choose another name")
    try:
        shutil.copyfile(path, target)
    except OSError as exc:
        raise NotSaved(f"could not write {target}: {exc.strerror or exc}") from exc


async def save_copy(source: QUrl, pixmap: QPixmap | None, target: str) -> None:
    """Copy a saved result to ``target`` (in a worker thread), or write an image not saved
    yet from the picture shown. Raises :class:`NotSaved` with the reason."""
    if source.isLocalFile():
        await asyncio.to_thread(_copy, Path(source.toLocalFile()), target)
        return
    if pixmap is not None and not pixmap.isNull():
        if not pixmap.save(target):
            raise NotSaved(f"could not write {target} (is the folder writable, and the "
                           "name's ending .png or .jpg?)")
        return
    raise NotSaved("it is not downloaded yet: wait for the download, or use “Open link”")


def result_link(record: JobRecord | None, sources: list[QUrl], index: int) -> str:
    """The web address of result ``index``: the job's result URL, else the address played
    (a template's preview video), else the job's preview; "" when there is none."""
    if record is not None and 0 <= index < len(record.result_urls):
        return record.result_urls[index]
    if 0 <= index < len(sources) and not sources[index].isLocalFile():
        return sources[index].toString()
    if record is not None and record.preview_url:
        return record.preview_url
    return ""


def suggested_path(source: QUrl, kind: str, fallback: str) -> str:
    """Where Save as… starts: the user's Videos, Music or Pictures folder, the file's name."""
    name = source.fileName() or fallback
    where = {"video": QStandardPaths.StandardLocation.MoviesLocation,
             "audio": QStandardPaths.StandardLocation.MusicLocation,
             "image": QStandardPaths.StandardLocation.PicturesLocation}.get(kind)
    folder = QStandardPaths.writableLocation(where) if where is not None else ""
    return str(Path(folder) / name) if folder and Path(folder).is_dir() else name


__all__ = ["NotSaved", "result_link", "save_copy", "suggested_path"]
