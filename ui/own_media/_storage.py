"""Where a voice's recording is uploaded before Creatify clones it: the creator's bucket.

Creatify clones a voice from a public URL (``original_audio_url``), so the chosen audio file
goes to the storage set up in Settings → Storage first, through the window's one
:class:`ui.uploads.UploadService` (``service.uploads``: the bucket from the settings in force
where the dialog is, the access keys read from the keyring once, in a worker thread, the
uploader kept while both stay the same) — the same path a form's local file takes. A caller
that has its storage in hand (a test) passes a :data:`StorageSource` of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.uploads import StorageConfig, StorageKeys, Uploader
from ui.uploads import NO_KEYS, NOT_SET_UP, UploadService

if TYPE_CHECKING:
    from ui.service import StudioService

StorageSource = Callable[[], Awaitable[Uploader]]
"""Gives the uploader of the creator's bucket, or raises ``ValueError`` / ``UploadError``
saying what to set up."""


def window_storage(service: StudioService, where: QWidget) -> StorageSource:
    """The bucket of the settings in force where ``where`` is, with the saved keys."""
    async def source() -> Uploader:
        uploads: UploadService = service.uploads
        config = uploads.config_for(where)
        if config is None:
            raise ValueError(NOT_SET_UP)
        if await uploads.keys() is None:
            raise ValueError(NO_KEYS)
        return await uploads.uploader(config)
    return source


def fixed_storage(config: StorageConfig, keys: StorageKeys,
                  index_file: Path | None = None) -> StorageSource:
    """Always ``config``'s bucket with ``keys`` (one uploader, made on first use)."""
    made: list[Uploader] = []

    async def source() -> Uploader:
        if not made:
            made.append(Uploader(config, keys, index_file))
        return made[0]
    return source


__all__ = ["StorageSource", "fixed_storage", "window_storage"]
