"""The window's one :class:`app.uploads.Uploader`, built from the settings and the keyring, so
forms never each build one.

:class:`UploadService` lives on the :class:`ui.service.StudioService` (``service.uploads``).
The storage access keys are read from the keyring once, in a worker thread (a keyring call
never waits on the GUI thread), and kept in memory; the settings dialog calls
:meth:`UploadService.keys_saved` after it changes them. The bucket comes from the settings in
force — the window's (:func:`settings_of`) — each time an upload starts, so a change saved in
Settings applies to the next upload without any wiring. The boto3 client is kept while the
bucket and keys stay the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.credentials import KeyringUnavailable
from app.settings import Settings
from app.uploads import (
    INDEX_NAME,
    Kind,
    StorageConfig,
    StorageKeys,
    StorageKeyStore,
    UploadedFile,
    Uploader,
    UploadError,
    storage_config,
)

Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]

NOT_SET_UP = ("Local files are uploaded to your own storage (Amazon S3, Cloudflare R2, "
              "MinIO…) so Creatify can fetch them. Set it up once in Settings → Storage.")
NO_KEYS = ("No storage access keys are saved: enter the access key ID and secret in "
           "Settings → Storage.")


def settings_of(widget: QWidget) -> Settings | None:
    """The settings in force where ``widget`` is: the main window keeps them as its
    ``settings`` (replaced on every save); a form in a window of its own (a sheet, a dialog)
    asks the window that opened it. None outside the main window."""
    window: QWidget | None = widget.window()
    while window is not None:
        settings = getattr(window, "settings", None)
        if isinstance(settings, Settings):
            return settings
        parent = window.parentWidget()
        window = parent.window() if parent is not None else None
    return None


class UploadService(QObject):
    """Uploads local files for the forms; ``spawn`` starts (and keeps) the tasks.

    ``key_store`` is the keyring's storage entry (tests give it an in-memory backend);
    ``index_file`` remembers the content hashes of files already uploaded."""

    keysChanged = Signal()

    def __init__(self, spawn: Spawn, data_dir: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spawn = spawn
        self.key_store = StorageKeyStore()
        self.index_file = data_dir / INDEX_NAME if data_dir is not None else None
        self._keys: StorageKeys | None = None
        self._keys_read = False
        self._uploader: Uploader | None = None
        self._made_with: tuple[StorageConfig, StorageKeys] | None = None

    # ------------------------------------------------------------------ configuration

    @staticmethod
    def config_for(widget: QWidget) -> StorageConfig | None:
        """The bucket of ``widget``'s window's settings; None when none is set up. Raises
        :class:`UploadError` ("config") for settings the storage cannot use."""
        settings = settings_of(widget)
        if settings is None:
            return None
        try:
            return storage_config(settings)
        except ValueError as exc:
            raise UploadError(f"The storage settings need a fix (Settings → Storage): {exc}",
                              "config") from exc

    async def keys(self) -> StorageKeys | None:
        """The saved access keys (read from the keyring once, in a worker thread)."""
        if not self._keys_read:
            try:
                self._keys = await asyncio.to_thread(self.key_store.load)
            except KeyringUnavailable as exc:
                raise UploadError(f"The storage access keys cannot be read: {exc}",
                                  "bad_keys") from exc
            self._keys_read = True
        return self._keys

    def keys_saved(self, keys: StorageKeys | None) -> None:
        """The settings dialog stored (or removed) the keys: use these from now on."""
        self._keys, self._keys_read = keys, True
        self._uploader = self._made_with = None
        self.keysChanged.emit()

    async def save_keys(self, keys: StorageKeys | None) -> None:
        """Store ``keys`` in the keyring (None: remove them), in a worker thread."""
        store = self.key_store
        try:
            if keys is None:
                await asyncio.to_thread(store.delete)
            else:
                await asyncio.to_thread(store.save, keys)
        except KeyringUnavailable as exc:
            raise UploadError(f"The storage access keys could not be saved: {exc}",
                              "bad_keys") from exc
        self.keys_saved(keys)

    async def uploader(self, config: StorageConfig) -> Uploader:
        """The uploader for ``config`` with the saved keys (kept while both stay the same).
        Raises :class:`UploadError` when no keys are saved."""
        keys = await self.keys()
        if keys is None:
            raise UploadError(NO_KEYS, "bad_keys")
        if self._uploader is None or self._made_with != (config, keys):
            self._uploader = Uploader(config, keys, self.index_file)
            self._made_with = (config, keys)
        return self._uploader

    # ------------------------------------------------------------------ work

    async def upload(self, config: StorageConfig, path: Path, kinds: tuple[Kind, ...],
                     progress: Callable[[int, int], None] | None = None) -> UploadedFile:
        uploader = await self.uploader(config)
        return await uploader.upload(path, progress, kinds)

    @staticmethod
    async def check(config: StorageConfig, keys: StorageKeys) -> None:
        """Settings → Test storage: write, read and delete a tiny object (in a worker
        thread); raises :class:`UploadError` saying what to fix."""
        await Uploader(config, keys).check()


__all__ = ["NOT_SET_UP", "NO_KEYS", "UploadService", "settings_of"]
