"""Where a voice's recording is uploaded before Creatify clones it: the creator's bucket.

Creatify clones a voice from a public URL (``original_audio_url``), so the chosen audio file
goes to the storage configured in Settings first (``app.uploads``). The settings hold the
bucket as ``storage_*`` fields and the access keys live in the keyring
(:class:`~app.uploads.StorageKeyStore`); :func:`storage_from_settings` reads both, the keyring
in a worker thread. A caller that has its storage in hand (a test, another window) passes a
:data:`StorageSource` of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from app.uploads import StorageConfig, StorageKeys, StorageKeyStore

StorageSource = Callable[[], Awaitable[tuple[StorageConfig, StorageKeys]]]
"""Gives the bucket and its keys, or raises ``ValueError`` saying what to set up."""

NO_STORAGE = ("Set up your storage in Settings first (a bucket and its access keys): Creatify "
              "clones a voice from a web address, so the recording is uploaded there.")


def config_from_settings(settings: Any) -> StorageConfig | None:
    """The bucket the settings name (``storage_*`` fields), or ``None`` when none is set;
    ``ValueError`` (naming the field) when what is set cannot be used."""
    bucket = str(getattr(settings, "storage_bucket", "") or "").strip()
    if not bucket:
        return None
    return StorageConfig(
        bucket=bucket,
        endpoint_url=str(getattr(settings, "storage_endpoint", "") or "") or None,
        region=str(getattr(settings, "storage_region", "") or ""),
        prefix=str(getattr(settings, "storage_folder", "creatify-uploads") or ""),
        url_mode="public" if getattr(settings, "storage_links", "") == "public"
        else "presigned",
        public_base_url=str(getattr(settings, "storage_public_url", "") or "") or None,
        presign_seconds=int(getattr(settings, "storage_link_seconds", 7 * 24 * 3600)),
        path_style=bool(getattr(settings, "storage_path_style", False)))


def storage_from_settings(settings: Callable[[], Any],
                          keys: StorageKeyStore | None = None) -> StorageSource:
    """A source reading the current settings and, in a worker thread, the keyring."""
    async def source() -> tuple[StorageConfig, StorageKeys]:
        config = config_from_settings(settings())
        if config is None:
            raise ValueError(NO_STORAGE)
        store = keys or StorageKeyStore()
        found = await asyncio.to_thread(store.load)
        if found is None:
            raise ValueError("The storage's access keys are not in the password store: enter "
                             "them in Settings.")
        return config, found
    return source


def fixed_storage(config: StorageConfig, keys: StorageKeys) -> StorageSource:
    """A source that always gives ``config`` and ``keys``."""
    async def source() -> tuple[StorageConfig, StorageKeys]:
        return config, keys
    return source


__all__ = ["NO_STORAGE", "StorageSource", "config_from_settings", "fixed_storage",
           "storage_from_settings"]
