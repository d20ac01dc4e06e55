"""What a download raises."""

from __future__ import annotations


class DownloadError(Exception):
    """The file could not be fetched or saved; the message says why.

    ``resumable``: the same call may succeed later and will continue from the ``.part`` kept
    on disk (network errors, a transfer cut short, a 5xx/429 answer).
    """

    def __init__(self, message: str, *, resumable: bool = False) -> None:
        super().__init__(message)
        self.resumable = resumable


class ExpiredURLError(DownloadError):
    """The result URL was refused or has expired (HTTP 403/404/410): fetch the job again for a
    fresh URL. The ``.part`` is kept, so the new URL continues where this one stopped."""


__all__ = ["DownloadError", "ExpiredURLError"]
