"""The creator's favourite avatars and voices: a small JSON file in the data folder.

``{"version": 1, "personas": [id, …], "voices": [accent id, …]}``, written whole and
atomically (:func:`app.atomic.write_text_atomically`), so a crash leaves the old list or the
new one. A missing, unreadable or odd file reads as no favourites (and is replaced at the next
save). Changes are in memory at once; :meth:`Favourites.save` writes them and may run in a
worker thread (it fsyncs): saves are serialised and each writes the state of its start, and
a change made meanwhile never waits for the disk.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from app.atomic import write_text_atomically

log = logging.getLogger(__name__)

FAVOURITES_FILE = "favourites.json"
KINDS = ("personas", "voices")
_VERSION = 1


class Favourites:
    """Favourite ids per kind (``personas``: persona ids; ``voices``: accent ids)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._ids: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self._load()

    @classmethod
    def in_folder(cls, data_dir: Path) -> Favourites:
        return cls(data_dir / FAVOURITES_FILE)

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("favourites not read from %s (%s): starting with none", self.path, exc)
            return
        if not isinstance(raw, dict):
            return
        for kind in KINDS:
            values = raw.get(kind)
            if isinstance(values, list):
                self._ids[kind] = list(dict.fromkeys(
                    v for v in values if isinstance(v, str) and v.strip()))

    def _kind(self, kind: str) -> list[str]:
        if kind not in self._ids:
            raise ValueError(f"no favourites of kind {kind!r} (kinds: {', '.join(KINDS)})")
        return self._ids[kind]

    def ids(self, kind: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._kind(kind))

    def contains(self, kind: str, item_id: str) -> bool:
        with self._lock:
            return item_id in self._kind(kind)

    def set(self, kind: str, item_id: str, favourite: bool) -> bool:
        """Mark or unmark ``item_id``; whether anything changed."""
        if not item_id:
            raise ValueError("a favourite needs an id")
        with self._lock:
            ids = self._kind(kind)
            if favourite == (item_id in ids):
                return False
            if favourite:
                ids.append(item_id)
            else:
                ids.remove(item_id)
            return True

    def toggle(self, kind: str, item_id: str) -> bool:
        """Flip ``item_id``; whether it is a favourite now."""
        now = not self.contains(kind, item_id)
        self.set(kind, item_id, now)
        return now

    def update(self, kind: str, item_ids: Iterable[str]) -> None:
        with self._lock:
            self._ids[kind] = list(dict.fromkeys(i for i in item_ids if i))

    def save(self) -> None:
        """Write the current favourites (atomically; raises ``OSError``)."""
        with self._writing:  # one write at a time, each of the state when it starts
            with self._lock:  # (held only to copy: a change never waits for the disk)
                text = json.dumps({"version": _VERSION,
                                   **{k: list(v) for k, v in self._ids.items()}}, indent=1)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(self.path, text)


__all__ = ["FAVOURITES_FILE", "KINDS", "Favourites"]
