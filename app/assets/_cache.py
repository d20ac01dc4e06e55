"""The catalogues kept on disk: Creatify's asset model schemas and its AI Ad Templates
(``inspirations``), each one JSON file with the date it was fetched.

Why: the Asset Generator's form, its price and the template browser all need the catalogue,
and the window must work with no connection (and start without waiting for one). So the last
catalogue read is kept in the cache folder (``app.paths``: ``cache/``) and answered at once;
the session refreshes it in the background.

Each file is written by :func:`app.atomic.write_text_atomically` (a crash leaves the old file
or the new one). A damaged file — not JSON, another shape, a missing or naive date — is
ignored with a log line, as if there were none: the next fetch writes a good one over it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically

log = logging.getLogger("app.assets")

KINDS = ("asset_schemas", "inspirations")
"""The catalogues kept on disk (the session's catalogue kinds of the same names)."""

FORMAT = 1
STALE_AFTER = timedelta(hours=12)
"""A cached catalogue older than this is refreshed when it is asked for."""


@dataclass(frozen=True, slots=True)
class CachedCatalogue:
    """One catalogue as it was fetched: its items and when (UTC-aware)."""

    kind: str
    items: list[dict[str, Any]]
    fetched_at: datetime

    def stale(self, now: datetime) -> bool:
        """Older than :data:`STALE_AFTER` (or dated in the future: a clock was wrong)."""
        return not (timedelta(0) <= now - self.fetched_at < STALE_AFTER)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"no cached catalogue is called {kind!r} (known: {', '.join(KINDS)})")
    return kind


class SchemaCache:
    """The cached catalogues in one folder (``<folder>/<kind>.json``), made when first saved."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, kind: str) -> Path:
        return self.folder / f"{_check_kind(kind)}.json"

    def load(self, kind: str) -> CachedCatalogue | None:
        """The cached catalogue, or ``None`` when there is none or it is damaged (logged)."""
        path = self.path(kind)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cached catalogue %s not read (%s): it will be fetched again", path,
                        exc)
            return None
        problem, cached = _parse(kind, text)
        if cached is None:
            log.warning("cached catalogue %s is damaged (%s): ignored, it will be fetched again",
                        path, problem)
        return cached

    def save(self, kind: str, items: Sequence[Mapping[str, Any]],
             fetched_at: datetime) -> CachedCatalogue:
        """Write the catalogue atomically; ``OSError`` if the folder cannot be written."""
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must carry its time zone")
        cached = CachedCatalogue(_check_kind(kind), [dict(item) for item in items], fetched_at)
        text = json.dumps({"format": FORMAT, "kind": kind,
                           "fetched_at": fetched_at.isoformat(), "items": cached.items},
                          ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.path(kind), text)
        return cached


def _parse(kind: str, text: str) -> tuple[str, CachedCatalogue | None]:
    """``("", catalogue)`` or ``(what is wrong, None)``."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        return f"not JSON: {exc}", None
    if not isinstance(body, dict) or body.get("format") != FORMAT or body.get("kind") != kind:
        return f"not a format-{FORMAT} {kind} cache file", None
    stamp = body.get("fetched_at")
    try:
        fetched_at = datetime.fromisoformat(stamp if isinstance(stamp, str) else "")
    except ValueError:
        return "no fetch date", None
    if fetched_at.tzinfo is None:
        return "a fetch date without its time zone", None
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return "its items are not a list of objects", None
    return "", CachedCatalogue(kind, items, fetched_at)


__all__ = ["FORMAT", "KINDS", "STALE_AFTER", "CachedCatalogue", "SchemaCache"]
