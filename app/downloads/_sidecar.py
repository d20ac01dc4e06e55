"""Sidecar files: ``<file>.json`` beside a result (inputs, job id, credits ...; never a
secret)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePath
from typing import Any
from uuid import UUID

from app.atomic import write_text_atomically
from app.downloads._errors import DownloadError
from app.logsafe import find_secret, redact


def sidecar_path(media: Path) -> Path:
    return media.with_name(media.name + ".json")


def _plain(value: Any, where: str) -> Any:
    """``value`` as JSON-ready data; :class:`DownloadError` for values that cannot be saved
    (secrets are refused afterwards, by :func:`app.logsafe.find_secret`)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DownloadError(f"Refusing to write the sidecar file: {redact(where)} is "
                                f"{value}.")
        return value
    if isinstance(value, Enum):
        return _plain(value.value, where)
    if isinstance(value, Decimal | UUID | PurePath):
        return _plain(str(value), where)
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for name, item in value.items():
            label = f"{where}.{name}" if where else str(name)
            result[_plain(str(name), label)] = _plain(item, label)
        return result
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item, f"{where}[{index}]") for index, item in enumerate(items)]
    raise DownloadError(f"Refusing to write the sidecar file: {redact(where)} is a "
                        f"{type(value).__name__}, which cannot be saved.")


def write_sidecar(media: Path, info: Mapping[str, Any]) -> Path:
    """Write ``<media>.json`` beside ``media``: ``info`` as pretty JSON, atomically.

    ``info`` holds what the file came from (inputs, job id, generator, credits, estimate,
    timestamps ...). ``Decimal``, dates and times, UUIDs, paths and enums are written as
    strings. Any string (key or value, at any depth) that contains a registered secret
    (:func:`app.logsafe.register_secret`) makes it refuse with :class:`DownloadError`, and
    nothing is written.
    """
    plain = _plain(info, "")  # paths, ids, enums … as the strings that will be written
    where = find_secret(plain)
    if where is not None:
        raise DownloadError(f"Refusing to write the sidecar file: {where} contains a secret.")
    text = json.dumps(plain, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    target = sidecar_path(media)
    try:
        write_text_atomically(target, text)
    except OSError as exc:
        raise DownloadError(f"The sidecar file could not be saved: {exc.strerror or exc}."
                            ) from exc
    return target


__all__ = ["sidecar_path", "write_sidecar"]
