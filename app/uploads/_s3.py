"""The boto3 S3 client for a :class:`StorageConfig`, and boto3's errors in plain words.

boto3 is imported here, on first use, never at start-up. The client is thread-safe and is
used only from worker threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from app.uploads._config import StorageConfig, StorageKeys
from app.uploads._errors import UploadError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0


def make_client(config: StorageConfig, keys: StorageKeys) -> S3Client:
    """An S3 client signing with SigV4 (the only signature R2 and MinIO take), path-style
    when asked, with bounded timeouts and boto3's standard retries.

    Otherwise virtual-hosted, which on AWS names the region (``bucket.s3.<region>.amazonaws
    .com``): botocore's "auto" signs links for the global ``bucket.s3.amazonaws.com``, which
    S3 may answer with a redirect to the region (a new bucket outside us-east-1), and a signed
    link does not survive a change of host: Creatify's fetch would fail.

    Away from AWS (an ``endpoint_url``), checksums are sent only where the operation requires
    them: since botocore 1.36 every upload carries ``x-amz-checksum-crc32`` (and the transfer
    manager ``x-amz-sdk-checksum-algorithm``) by default, which several S3-compatible servers
    refuse (InvalidArgument, "Unsupported header", SignatureDoesNotMatch; boto/boto3#4392).
    AWS itself keeps the default integrity checks."""
    import boto3.session
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id=keys.access_key_id,
                                    aws_secret_access_key=keys.secret_access_key,
                                    region_name=config.region)
    checksums: Literal["when_supported", "when_required"] = (
        "when_supported" if config.endpoint_url is None else "when_required")
    client: S3Client = session.client(
        "s3", endpoint_url=config.endpoint_url,
        config=Config(signature_version="s3v4",
                      s3={"addressing_style": "path" if config.path_style else "virtual"},
                      connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                      retries={"mode": "standard", "max_attempts": 3},
                      request_checksum_calculation=checksums,
                      response_checksum_validation=checksums))
    return client


def _where(config: StorageConfig) -> str:
    return config.endpoint_url or "Amazon S3"


_BY_CODE: dict[str, tuple[str, str]] = {
    "InvalidAccessKeyId": ("bad_keys", "The storage did not recognise the access key ID: check "
                           "it in Settings → Storage (copy it again from your provider)."),
    "SignatureDoesNotMatch": ("bad_keys", "The storage refused the secret access key: check "
                              "it in Settings → Storage (copy it again from your provider)."),
    "InvalidToken": ("bad_keys", "The storage refused the access keys: check them in "
                     "Settings → Storage."),
    "NoSuchBucket": ("no_bucket", "The bucket {bucket!r} does not exist at {where}: check its "
                     "name (and the endpoint) in Settings → Storage, or create it."),
    "AccessDenied": ("no_permission", "These access keys may not write to and read from the "
                     "bucket {bucket!r}: give them read and write permission on it (object "
                     "read, write and delete) in your provider's console."),
    "AllAccessDisabled": ("no_permission", "All access to the bucket {bucket!r} is disabled "
                          "by its owner."),
    "RequestTimeTooSkewed": ("clock_skew", "This computer's clock is too far from the "
                             "storage's time for signed requests: set the clock to the right "
                             "time (turn on automatic time) and try again."),
    "AuthorizationHeaderMalformed": ("config", "The region {region!r} is not the bucket's "
                                     "region: set the region your provider shows for it."),
    "PermanentRedirect": ("config", "The bucket {bucket!r} is in another region than "
                          "{region!r}: set the bucket's region in Settings → Storage."),
    "EntityTooLarge": ("other", "The file is larger than the storage accepts."),
}
_BY_STATUS = {"403": "AccessDenied", "301": "PermanentRedirect"}


def _client_error_text(exc: BaseException) -> tuple[str, str] | None:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return None
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    code = _BY_STATUS.get(code, code)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status == 403:
        return _BY_CODE["AccessDenied"]
    text = str(error.get("Message") or code or status)
    return "other", f"The storage refused the request: {text}."


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def plain_error(exc: BaseException, config: StorageConfig) -> UploadError:
    """``exc`` (from boto3, botocore or the network) as an :class:`UploadError` whose message
    a creator can act on."""
    from botocore import exceptions as bx

    for cause in _chain(exc):
        if isinstance(cause, UploadError):
            return cause
        found = _client_error_text(cause)
        if found is not None:
            reason, text = found
            return UploadError(text.format(bucket=config.bucket, region=config.region,
                                           where=_where(config)), reason)
        if isinstance(cause, bx.NoCredentialsError | bx.PartialCredentialsError):
            return UploadError("No storage access keys are set: enter them in Settings → "
                               "Storage.", "bad_keys")
        if isinstance(cause, bx.SSLError):
            return UploadError(f"The secure connection to {_where(config)} failed (its "
                               "certificate was not accepted): check the endpoint address.",
                               "unreachable")
        if isinstance(cause, bx.EndpointConnectionError | bx.ConnectTimeoutError
                      | bx.ConnectionClosedError | bx.ReadTimeoutError
                      | bx.HTTPClientError | ConnectionError):
            return UploadError(f"The storage at {_where(config)} could not be reached: check "
                               "the endpoint address and your internet connection.",
                               "unreachable")
    return UploadError(f"The upload failed: {exc}", "other")
