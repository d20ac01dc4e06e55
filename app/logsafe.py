"""Keep secrets out of every log line.

Secrets (the API key above all) are registered once, when they enter memory; the
:class:`RedactingFilter` attached to every handler the app installs replaces them in the
final message, whatever code logged it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

_MASK = "***"
_lock = threading.Lock()
_secrets: set[str] = set()


MIN_SECRET_LENGTH = 12
"""Shorter strings are not treated as secrets: masking (or refusing) every text that contains
a short word like the sandbox's key ``sandbox`` would garble logs and refuse honest input.
Creatify's API keys are much longer."""


def register_secret(secret: str) -> None:
    """Remember ``secret`` so that :func:`redact` masks it (from 12 characters up)."""
    if secret and len(secret) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


def find_secret(value: object, where: str = "") -> str | None:
    """Where in ``value`` (a string, or mappings and sequences of them at any depth) the first
    registered secret sits — ``"request.headers.X-API-KEY"``, ``"… (a key)"`` for a mapping
    key — or ``None`` when there is none. The one secret finder behind every store that must
    never hold one (the ledger, sidecar files)."""
    if isinstance(value, str):
        return (where or "the text") if redact(value) != value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            label = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and redact(key) != key:
                return f"{where} (a key)" if where else "a key"
            found = find_secret(item, label)
            if found:
                return found
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = find_secret(item, f"{where}[{index}]")
            if found:
                return found
    return None


class RedactingFilter(logging.Filter):
    """A handler filter that masks registered secrets in the formatted message and args."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
        return True
