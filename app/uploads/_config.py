"""Where local files are uploaded: the creator's own S3-compatible bucket.

:class:`StorageConfig` is the settings half (no secrets; stored with the other settings via
:meth:`StorageConfig.to_dict` / :meth:`StorageConfig.from_dict`); :class:`StorageKeys` is the
access key pair, which lives only in the system keyring (:mod:`app.uploads._keys`).
Every check raises ``ValueError`` whose message names the field and how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from app.logsafe import register_secret

URL_MODES = ("presigned", "public")
UrlMode = Literal["presigned", "public"]

MAX_PRESIGN_SECONDS = 7 * 24 * 3600
"""Seven days: the longest a SigV4 presigned URL may live (S3, R2 and MinIO refuse more).
The default, because Creatify fetches the file when the job runs, and a job may wait in the
queue (or behind a paused batch) for hours after it is sent; a short-lived URL would make a
paid job fail on an expired link."""
MIN_PRESIGN_SECONDS = 15 * 60
"""A shorter life than this would expire before a queued job reaches the file."""

DEFAULT_REGION = "us-east-1"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_PREFIX_CHARS = re.compile(r"^[A-Za-z0-9!_.*'()/-]*$")


def _check_bucket(bucket: str) -> None:
    if not bucket:
        raise ValueError("Bucket: enter the name of the bucket to upload to (create it first "
                         "in your storage provider's console).")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ValueError(f"Bucket: {bucket!r} is not a valid bucket name. Names are 3 to 63 "
                         "characters: lowercase letters, digits, dots and hyphens, starting "
                         "and ending with a letter or digit.")


def _check_http_url(url: str, label: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{label}: {url!r} is not a web address; it should look like "
                         "https://s3.example.com.")
    if parts.username or parts.password:
        raise ValueError(f"{label}: do not put a user name or password in the address; the "
                         "access keys go in their own fields.")
    if parts.query or parts.fragment:
        raise ValueError(f"{label}: the address must not contain '?' or '#'.")


def _check_prefix(prefix: str) -> None:
    if not _PREFIX_CHARS.match(prefix) or any(p in (".", "..") for p in prefix.split("/")):
        raise ValueError(f"Folder in the bucket: {prefix!r} may contain only letters, digits, "
                         "'/', '-', '_' and '.' (and no '.' or '..' folders).")
    if len(prefix) > 200:
        raise ValueError("Folder in the bucket: keep it under 200 characters.")


@dataclass(frozen=True)
class StorageConfig:
    """The bucket local files go to (no secrets).

    ``endpoint_url`` None means AWS S3 itself; otherwise the provider's S3 address
    (``https://<account>.r2.cloudflarestorage.com``, ``http://localhost:9000`` for MinIO…).
    ``prefix`` is the folder inside the bucket (slashes at either end are dropped).
    ``url_mode`` "presigned" sends Creatify a time-limited signed link (the bucket stays
    private); "public" sends ``public_base_url`` + the object's key (a bucket, or a CDN in
    front of it, that anyone may read). ``path_style`` addresses the bucket as
    ``endpoint/bucket/key`` instead of ``bucket.endpoint/key`` (MinIO and most self-hosted
    servers need it).
    """

    bucket: str
    endpoint_url: str | None = None
    region: str = DEFAULT_REGION
    prefix: str = "creatify-uploads"
    url_mode: UrlMode = "presigned"
    public_base_url: str | None = None
    presign_seconds: int = MAX_PRESIGN_SECONDS
    path_style: bool = False

    def __post_init__(self) -> None:
        clean = {
            "bucket": self.bucket.strip(),
            "endpoint_url": (self.endpoint_url or "").strip().rstrip("/") or None,
            "region": (self.region or "").strip() or DEFAULT_REGION,
            "prefix": self.prefix.strip().strip("/"),
            "public_base_url": (self.public_base_url or "").strip().rstrip("/") or None,
        }
        for name, value in clean.items():
            object.__setattr__(self, name, value)
        self._validate()

    def _validate(self) -> None:
        _check_bucket(self.bucket)
        if self.endpoint_url is not None:
            _check_http_url(self.endpoint_url, "Endpoint")
        if not _REGION.match(self.region):
            raise ValueError(f"Region: {self.region!r} is not a region name; use the one your "
                             "provider shows (e.g. us-east-1, eu-west-3; 'auto' for Cloudflare "
                             "R2; us-east-1 for MinIO).")
        _check_prefix(self.prefix)
        if self.url_mode not in URL_MODES:
            raise ValueError(f"Link type: choose 'presigned' or 'public', not {self.url_mode!r}.")
        if self.url_mode == "public":
            if self.public_base_url is None:
                raise ValueError("Public address: with public links, enter the address your "
                                 "bucket is readable at (e.g. https://pub-….r2.dev or your "
                                 "CDN), or choose presigned links instead.")
            _check_http_url(self.public_base_url, "Public address")
        if isinstance(self.presign_seconds, bool) or not isinstance(self.presign_seconds, int):
            raise ValueError("Link lifetime: enter a whole number of seconds.")
        if not MIN_PRESIGN_SECONDS <= self.presign_seconds <= MAX_PRESIGN_SECONDS:
            raise ValueError("Link lifetime: choose between 15 minutes and 7 days (7 days is "
                             "the longest a signed link may live; jobs can wait in the queue "
                             "for hours before Creatify reads the file).")

    def object_key(self, sha256: str, extension: str) -> str:
        """``{prefix}/{sha256}{extension}``: the same content always has the same key."""
        name = f"{sha256}{extension}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StorageConfig:
        """The config from :meth:`to_dict`'s output; unknown keys are ignored (a newer
        version's settings), wrong types raise ``ValueError``."""
        if not isinstance(data, dict):
            raise ValueError("The storage settings are not a table of values.")
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("bucket", "region", "prefix", "url_mode"):
            if name in values and not isinstance(values[name], str):
                raise ValueError(f"The storage setting {name!r} must be text.")
        for name in ("endpoint_url", "public_base_url"):
            if values.get(name) is not None and not isinstance(values[name], str):
                raise ValueError(f"The storage setting {name!r} must be text.")
        if "path_style" in values and not isinstance(values["path_style"], bool):
            raise ValueError("The storage setting 'path_style' must be true or false.")
        if "bucket" not in values:
            raise ValueError("Bucket: enter the name of the bucket to upload to.")
        return cls(**values)


def _clean_key(value: str, label: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValueError(f"{label}: paste it from your storage provider's console (the "
                         "access keys page).")
    if any(ch.isspace() for ch in text) or not (text.isascii() and text.isprintable()):
        raise ValueError(f"{label}: it contains spaces or characters keys never have; copy it "
                         "again, whole and alone.")
    return text


@dataclass(frozen=True)
class StorageKeys:
    """The access key id and secret access key (kept only in the keyring). The secret is
    registered with :func:`app.logsafe.register_secret` and never shown by ``repr``."""

    access_key_id: str
    secret_access_key: str = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "access_key_id",
                           _clean_key(self.access_key_id, "Access key ID"))
        object.__setattr__(self, "secret_access_key",
                           _clean_key(self.secret_access_key, "Secret access key"))
        register_secret(self.secret_access_key)
