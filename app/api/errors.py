"""Typed errors for every way a Creatify call can fail, mapped from HTTP in one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_MAX_MESSAGE = 500
_MAX_MESSAGES = 20
_MAX_SUMMARY = 2000


class CreatifyError(Exception):
    """Base of every error the client raises. ``message`` is fit to show a user."""

    retryable: bool = False

    def __init__(self, message: str, *, status_code: int | None = None,
                 messages: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.messages = messages or (message,)


class AuthenticationError(CreatifyError):
    """401/403: the X-API-ID / X-API-KEY pair was missing or refused."""


class ValidationError(CreatifyError):
    """400: Creatify refused the request body. ``field_errors`` maps field -> messages."""

    def __init__(self, message: str, *, status_code: int | None = 400,
                 messages: tuple[str, ...] = (),
                 field_errors: Mapping[str, tuple[str, ...]] | None = None) -> None:
        super().__init__(message, status_code=status_code, messages=messages)
        self.field_errors: dict[str, tuple[str, ...]] = dict(field_errors or {})


class NotFoundError(CreatifyError):
    """404: no such job, link or resource."""


class InsufficientCreditsError(CreatifyError):
    """The workspace has too few credits for this request."""


class RateLimitedError(CreatifyError):
    """429: too many requests; ``retry_after`` seconds if the server said."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None,
                 status_code: int | None = 429) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(CreatifyError):
    """5xx: Creatify failed on its side."""

    retryable = True

    def __init__(self, message: str, *, status_code: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ConnectionFailedError(CreatifyError):
    """Could not connect: the request never left this machine."""

    retryable = True


class TimeoutFailedError(CreatifyError):
    """The server did not answer in time."""

    retryable = True


class MalformedResponseError(CreatifyError):
    """The server answered with something that is not the documented shape."""

    retryable = True


class AmbiguousCreateError(CreatifyError):
    """A paid request may have reached Creatify but its answer was lost.

    It may or may not have created (and billed) a job. It is never retried automatically:
    the caller reconciles through the resource's list endpoint instead.
    """

    def __init__(self, message: str, *, cause: CreatifyError | Exception | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.cause = cause


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _clip_summary(text: str) -> str:
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 1] + "…"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_strings(item))
        return out
    if isinstance(value, Mapping):
        out = []
        for item in value.values():
            out.extend(_strings(item))
        return out
    if value is None:
        return []
    return [str(value)]


def extract_messages(body: Any) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Human messages from any DRF error shape.

    Returns ``(messages, field_errors)``: a list of strings gives messages only; a field map
    gives ``"field: message"`` lines and the map; ``{"error": ...}`` and ``{"detail": ...}``
    give their text.
    """
    field_errors: dict[str, tuple[str, ...]] = {}
    messages: list[str] = []
    if isinstance(body, str):
        messages = [body] if body.strip() else []
    elif isinstance(body, list | tuple):
        messages = _strings(body)
    elif isinstance(body, Mapping):
        for key in ("error", "detail", "message"):
            if key in body and len(body) == 1:
                return tuple(_clip(m) for m in _strings(body[key])), {}
        for key, value in body.items():
            texts = tuple(_clip(t) for t in _strings(value))
            if key in ("error", "detail", "message", "non_field_errors"):
                messages.extend(texts)
            else:
                field_errors[str(key)] = texts
                messages.extend(f"{key}: {t}" for t in texts)
    return tuple(_clip(m) for m in messages if m.strip()), field_errors


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, 3600.0))


def _mentions_credits(messages: tuple[str, ...]) -> bool:
    return any("credit" in m.lower() for m in messages)


def error_from_response(status_code: int, text: str,
                        headers: Mapping[str, str] | None = None) -> CreatifyError:
    """The one mapping from an HTTP error answer to a typed :class:`CreatifyError`."""
    headers = headers or {}
    body: Any
    try:
        body = json.loads(text) if text else None
    except (ValueError, RecursionError):
        body = text if len(text) < 2000 and "<" not in text else None
    try:
        messages, field_errors = extract_messages(body)
    except RecursionError:
        messages, field_errors = (), {}
    summary = _clip_summary("; ".join(messages[:_MAX_MESSAGES]))
    retry_after = parse_retry_after(headers.get("retry-after") or headers.get("Retry-After"))

    if status_code in (400, 402, 403) and _mentions_credits(messages):
        return InsufficientCreditsError(
            summary or "Not enough Creatify credits for this request.",
            status_code=status_code, messages=messages)
    if status_code in (401, 403):
        return AuthenticationError(
            summary or "Creatify refused the API credentials.", status_code=status_code,
            messages=messages)
    if status_code == 404:
        return NotFoundError(summary or "Not found on Creatify.", status_code=404,
                             messages=messages)
    if status_code == 429:
        return RateLimitedError(summary or "Creatify is rate limiting requests.",
                                retry_after=retry_after)
    if 400 <= status_code < 500:
        return ValidationError(summary or f"Creatify refused the request (HTTP {status_code}).",
                               status_code=status_code, messages=messages,
                               field_errors=field_errors)
    return ServerError(
        f"Creatify had a server error (HTTP {status_code})" + (f": {summary}" if summary else "."),
        status_code=status_code, retry_after=retry_after)
