"""Local files for Creatify's URL inputs: uploaded to the creator's own S3-compatible
storage (AWS S3, Cloudflare R2, MinIO…), reused by content hash, sent as a presigned (or the
bucket's public) URL; plus what a local file really is and how long it plays.

Importing this package imports neither boto3 nor keyring (they load on first use).

- :class:`StorageConfig` (settings, no secrets) and :class:`StorageKeys` (the access key pair,
  kept by :class:`StorageKeyStore` in the system keyring);
- :class:`Uploader`: ``await upload(path, progress)`` → :class:`UploadedFile`; ``await
  check()`` for the Settings "Test" button; failures are :class:`UploadError` with a plain
  ``message``;
- :func:`detect_media` (kind and Content-Type from the bytes) and :func:`media_seconds`
  (playing time, or :class:`MediaLengthError`); :func:`inspect_local` runs both off the event
  loop for a dropped file (:class:`LocalMedia`: kind, size, seconds or why not).

A presigned link is made afresh by each ``upload`` (a HEAD and a signature when the content is
already there): ask again when sending a job rather than keeping an old link.
"""

from app.uploads._config import (
    MAX_PRESIGN_SECONDS,
    MIN_PRESIGN_SECONDS,
    StorageConfig,
    StorageKeys,
)
from app.uploads._errors import MediaLengthError, UnsupportedFile, UploadError
from app.uploads._fields import media_kinds, storage_config, unreachable_link
from app.uploads._keys import StorageKeyStore
from app.uploads._local import INDEX_NAME, LocalMedia, inspect_local
from app.uploads._media import ACCEPTED, Kind, MediaType, detect_media, media_seconds
from app.uploads._uploader import UploadedFile, Uploader

__all__ = [
    "ACCEPTED",
    "INDEX_NAME",
    "MAX_PRESIGN_SECONDS",
    "MIN_PRESIGN_SECONDS",
    "Kind",
    "LocalMedia",
    "MediaLengthError",
    "MediaType",
    "StorageConfig",
    "StorageKeyStore",
    "StorageKeys",
    "UnsupportedFile",
    "UploadError",
    "UploadedFile",
    "Uploader",
    "detect_media",
    "inspect_local",
    "media_kinds",
    "media_seconds",
    "storage_config",
    "unreachable_link",
]
