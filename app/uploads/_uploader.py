"""Upload a local file to the creator's bucket and hand back the URL Creatify will fetch.

Every blocking step (hashing, boto3's calls) runs in a worker thread; the event loop only
awaits. The object's key is the file's SHA-256 (:meth:`StorageConfig.object_key`), so the same
content is uploaded once: a ``HEAD`` first, and an object already there (of the same size) is
reused without a ``PUT``. Big files go up in parts (boto3's ``upload_file`` with a
``TransferConfig``); progress is delivered on the loop's thread, at most every
:data:`PROGRESS_INTERVAL` seconds, and always once at 100 %.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from app.uploads._config import StorageConfig, StorageKeys
from app.uploads._errors import UploadError
from app.uploads._index import HashIndex
from app.uploads._media import Kind, MediaType, detect_media
from app.uploads._s3 import make_client, plain_error

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Progress = Callable[[int, int], None]
"""``progress(sent_bytes, total_bytes)``, called on the event loop's thread."""

PROGRESS_INTERVAL = 0.1
MULTIPART_THRESHOLD = 16 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
"""Parts of 8 MiB (S3's minimum is 5 MiB): a 1 GB video is 120 parts, well under 10,000."""
CHECK_PREFIX = ".creatify-studio-check"


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A local file that is in the bucket: ``url`` is what the job's field gets."""

    url: str
    key: str
    sha256: str
    size: int
    media: MediaType
    reused: bool
    """True when the object was already there and no bytes were sent."""
    expires_at: datetime | None
    """When a presigned ``url`` stops working (None for a public URL)."""


class _Throttle:
    """Collects boto3's byte counts (from its worker threads) and forwards the running total
    to ``progress`` on the loop's thread, rate-limited."""

    def __init__(self, loop: asyncio.AbstractEventLoop, progress: Progress | None,
                 total: int) -> None:
        self._loop, self._progress, self._total = loop, progress, total
        self._lock = threading.Lock()
        self._sent = 0
        self._last = 0.0

    def add(self, amount: int) -> None:
        with self._lock:
            self._sent = min(self._total, self._sent + amount)
            now = time.monotonic()
            if self._sent < self._total and now - self._last < PROGRESS_INTERVAL:
                return
            self._last = now
            self.emit(self._sent)  # under the lock: the loop sees the totals in order

    def emit(self, sent: int) -> None:
        if self._progress is not None:
            self._loop.call_soon_threadsafe(self._progress, sent, self._total)


class Uploader:
    """Uploads local files to ``config``'s bucket with ``keys``.

    ``index_file`` is where content hashes are remembered (e.g. the data folder's
    ``uploads.json``; None: remember nothing). ``multipart_threshold``/``part_size`` are
    boto3's ``TransferConfig`` values.
    """

    def __init__(self, config: StorageConfig, keys: StorageKeys,
                 index_file: Path | None = None, *,
                 multipart_threshold: int = MULTIPART_THRESHOLD,
                 part_size: int = PART_SIZE) -> None:
        self.config = config
        self._keys = keys
        self._index = HashIndex(index_file)
        self._threshold = multipart_threshold
        self._part_size = part_size
        self._client: S3Client | None = None
        self._client_lock = threading.Lock()

    def _s3(self) -> S3Client:
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.config, self._keys)
            return self._client

    async def upload(self, path: str | Path, progress: Progress | None = None,
                     kinds: tuple[Kind, ...] = ("image", "audio", "video")) -> UploadedFile:
        """Upload ``path`` (or find it already uploaded) and return its URL.

        Raises :class:`UnsupportedFile` for a file that is not of ``kinds`` and
        :class:`UploadError` (plain ``message``) for anything else. Cancelling the awaiting
        task does not stop a transfer already under way in its thread (it finishes, and the
        next upload of the same content finds it there).
        """
        loop = asyncio.get_running_loop()
        return await asyncio.to_thread(self._upload, Path(path), loop, progress, kinds)

    def _upload(self, path: Path, loop: asyncio.AbstractEventLoop, progress: Progress | None,
                kinds: tuple[Kind, ...]) -> UploadedFile:
        media = detect_media(path, kinds)
        try:
            size = path.stat().st_size
            digest = self._index.sha256(path)
        except OSError as exc:
            raise UploadError(f"“{path.name}” could not be read ({exc.strerror or exc}).",
                              "unreadable") from exc
        key = self.config.object_key(digest, media.extension)
        throttle = _Throttle(loop, progress, size)
        try:
            reused = self._exists(key, size)
            if not reused:
                self._put(path, key, media, throttle)
            url, expires = self._url(key)
        except UploadError:
            raise
        except Exception as exc:
            raise plain_error(exc, self.config) from exc
        throttle.emit(size)
        return UploadedFile(url, key, digest, size, media, reused, expires)

    def _exists(self, key: str, size: int) -> bool:
        from botocore.exceptions import ClientError

        try:
            head = self._s3().head_object(Bucket=self.config.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            if exc.response.get("Error", {}).get("Code") == "403":
                # A HEAD answer has no body, so a 403 says nothing of why: S3 answers a
                # missing object 403 to keys without s3:ListBucket, and wrong keys too. The
                # PUT that follows names the cause (or simply works).
                return False
            raise
        return head.get("ContentLength") == size

    def _put(self, path: Path, key: str, media: MediaType, throttle: _Throttle) -> None:
        from boto3.s3.transfer import TransferConfig

        transfer = TransferConfig(multipart_threshold=self._threshold,
                                  multipart_chunksize=self._part_size, use_threads=True,
                                  max_concurrency=4)
        self._s3().upload_file(str(path), self.config.bucket, key, Config=transfer,
                               Callback=throttle.add,
                               ExtraArgs={"ContentType": media.content_type})

    def _url(self, key: str) -> tuple[str, datetime | None]:
        if self.config.url_mode == "public":
            assert self.config.public_base_url is not None  # StorageConfig checks it
            return f"{self.config.public_base_url}/{quote(key)}", None
        expires = datetime.now(UTC) + timedelta(seconds=self.config.presign_seconds)
        url = self._s3().generate_presigned_url(
            "get_object", Params={"Bucket": self.config.bucket, "Key": key},
            ExpiresIn=self.config.presign_seconds)
        return url, expires

    async def check(self) -> None:
        """The Settings "Test" button: write, read back and delete a tiny object with these
        settings. Returns when all three worked; raises :class:`UploadError` saying what to
        fix otherwise."""
        await asyncio.to_thread(self._check)

    def _check(self) -> None:
        key = self.config.object_key(f"{CHECK_PREFIX}-{uuid.uuid4().hex}", ".txt")
        bucket = self.config.bucket
        try:
            client = self._s3()
            client.put_object(Bucket=bucket, Key=key, Body=b"Creatify Studio storage test\n",
                              ContentType="text/plain")
            client.head_object(Bucket=bucket, Key=key)
            client.delete_object(Bucket=bucket, Key=key)
        except Exception as exc:
            raise plain_error(exc, self.config) from exc
