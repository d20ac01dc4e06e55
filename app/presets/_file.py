"""One small JSON file with a schema version: read it, write it atomically, and move a
damaged one aside (with a sentence saying so) instead of crashing or silently emptying it."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically

log = logging.getLogger("app.presets")

SCHEMA_VERSION = 1
"""The layout of the presets and drafts files this version writes (and reads)."""


class StoreError(Exception):
    """A store cannot do what was asked (a newer file kept read-only, a disk error)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading a store's file gave: its entries, and a sentence when something was
    wrong with it (moved aside, or kept read-only because a newer version wrote it)."""

    entries: dict[str, Any]
    problem: str | None = None
    read_only: bool = False


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it (tuples as lists, Decimals as numbers); a value that
    cannot be written raises ``TypeError``."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError("not a finite number")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__}")


def plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A form's values as they are kept (``TypeError`` for a value JSON cannot hold)."""
    return {str(k): _plain(v) for k, v in values.items()}


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 2
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
        number += 1
    return target


def read_store(path: Path, section: str, what: str) -> Loaded:
    """The entries under ``section`` of ``path``: ``{}`` when there is no file yet. A file that
    is not what this app writes is renamed ``<name>.damaged-<time>`` and the sentence says
    where it went; a file of a newer schema is kept and read-only."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded({})
    except (OSError, UnicodeDecodeError) as exc:
        return _damaged(path, what, f"could not be read ({exc})")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return _damaged(path, what, "is not valid JSON")
    if not isinstance(data, dict) or not isinstance(data.get("schema"), int) \
            or isinstance(data.get("schema"), bool):
        return _damaged(path, what, "is not a file this app wrote")
    if data["schema"] > SCHEMA_VERSION:
        return Loaded({}, f"Your {what} were saved by a newer version of Creatify Studio "
                          f"({path}); they are left as they are and cannot be changed here.",
                      read_only=True)
    entries = data.get(section)
    if not isinstance(entries, dict):
        return _damaged(path, what, f"has no {section!r} section")
    return Loaded(entries)


def _damaged(path: Path, what: str, why: str) -> Loaded:
    target = _aside(path)
    try:
        path.replace(target)
    except OSError as exc:
        log.warning("could not move the damaged %s file %s aside: %s", what, path, exc)
        return Loaded({}, f"The {what} file {path} {why} and could not be moved aside "
                          f"({exc}); nothing is saved to it until it is fixed.", read_only=True)
    log.warning("the %s file %s %s; moved to %s", what, path, why, target)
    return Loaded({}, f"The {what} file {why}: it was moved to {target.name} (in {path.parent}) "
                      f"and a new one is started.")


def write_store(path: Path, section: str, entries: Mapping[str, Any]) -> None:
    """Write ``entries`` under ``section`` atomically (the old file or the new, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"schema": SCHEMA_VERSION, section: entries}, ensure_ascii=False,
                      indent=1, sort_keys=True)
    write_text_atomically(path, text + "\n")


__all__ = ["SCHEMA_VERSION", "Loaded", "StoreError", "now_text", "plain_values", "read_store",
           "write_store"]
