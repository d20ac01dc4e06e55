"""The errors of the uploads package: each carries a ``message`` a creator understands."""

from __future__ import annotations


class UploadError(Exception):
    """An upload (or the storage test) failed; ``message`` says why in plain words and what
    to do. ``reason`` is a short machine-readable cause (``bad_keys``, ``no_bucket``,
    ``no_permission``, ``unreachable``, ``clock_skew``, ``not_media``, ``unreadable``,
    ``config``, ``other``) for the UI to pick an icon or a Settings field to highlight."""

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class UnsupportedFile(UploadError):
    """The file is not an image, audio or video Creatify takes (or not the kind asked for)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "not_media")


class MediaLengthError(Exception):
    """The playing time of a local audio or video file could not be read; ``message`` says
    so (the app never guesses a length)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
