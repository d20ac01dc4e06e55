"""The creator's own names and tags of library items, kept apart from the ledger.

A small JSON file in the data folder (``library.json``), keyed by the item key (the job key,
or ``<job key>#<media_job>`` for a style preview): ``{"version": 1, "items": {key: {"name":
..., "tags": [...]}}}``. The ledger's schema is not touched: removing this file forgets the
names and tags, nothing else.

Changes are made in memory at once (:meth:`LibraryStore.rename`, :meth:`LibraryStore.set_tags`)
and written by :meth:`LibraryStore.save` — atomically and durably, so the window calls it
from a worker thread; saves from several threads are serialised and each writes the latest
state. An unreadable file is kept aside (``library.json.unreadable``) and the library starts
empty, so a damaged file never stops the window.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.atomic import write_text_atomically

log = logging.getLogger(__name__)

FILE_NAME = "library.json"
VERSION = 1
MAX_NAME = 200
MAX_TAG = 40
MAX_TAGS = 20


@dataclass(frozen=True, slots=True)
class ItemMeta:
    """What the creator gave an item: a name (``""``: none) and tags."""

    name: str = ""
    tags: tuple[str, ...] = ()


EMPTY = ItemMeta()


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as kept: trimmed, inner spaces squeezed, empty ones and repeats (ignoring case)
    left out, each at most :data:`MAX_TAG` characters, at most :data:`MAX_TAGS`."""
    kept: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        text = " ".join(str(tag).split())[:MAX_TAG]
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return tuple(kept[:MAX_TAGS])


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as text: separated by commas."""
    return clean_tags(text.split(","))


class LibraryStore:
    """Names and tags by item key, read from ``path`` (created on the first save)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._items: dict[str, ItemMeta] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._version = 0
        self._written = 0
        self._load()

    @classmethod
    def in_folder(cls, data_dir: Path) -> LibraryStore:
        return cls(data_dir / FILE_NAME)

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("library names not read (%s): starting empty", exc)
            return
        try:
            data = json.loads(text)
            items = data["items"] if isinstance(data, dict) else None
            if not isinstance(items, dict):
                raise ValueError("no items")
            for key, value in items.items():
                if not isinstance(value, dict):
                    continue
                name = value.get("name", "")
                tags = value.get("tags", [])
                meta = ItemMeta(str(name)[:MAX_NAME] if isinstance(name, str) else "",
                                clean_tags(tags) if isinstance(tags, list) else ())
                if meta != EMPTY:
                    self._items[str(key)] = meta
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("library names unreadable (%s): kept aside, starting empty", exc)
            self._items.clear()
            with contextlib.suppress(OSError):
                self.path.replace(self.path.with_name(self.path.name + ".unreadable"))

    # ------------------------------------------------------------------ reading

    def meta(self, key: str) -> ItemMeta:
        return self._items.get(key, EMPTY)

    def name(self, key: str) -> str:
        return self.meta(key).name

    def tags(self, key: str) -> tuple[str, ...]:
        return self.meta(key).tags

    def all_tags(self) -> list[str]:
        """Every tag in use, sorted ignoring case."""
        found = {tag for meta in self._items.values() for tag in meta.tags}
        return sorted(found, key=str.casefold)

    def __len__(self) -> int:
        return len(self._items)

    # ------------------------------------------------------------------ changing

    def _set(self, key: str, meta: ItemMeta) -> bool:
        with self._lock:
            if self._items.get(key, EMPTY) == meta:
                return False
            if meta == EMPTY:
                self._items.pop(key, None)
            else:
                self._items[key] = meta
            self._version += 1
            return True

    def rename(self, key: str, name: str) -> bool:
        """Give item ``key`` a name (``""`` takes it away); whether anything changed."""
        text = " ".join(name.split())[:MAX_NAME]
        return self._set(key, ItemMeta(text, self.meta(key).tags))

    def set_tags(self, key: str, tags: Iterable[str]) -> bool:
        """Replace item ``key``'s tags; whether anything changed."""
        return self._set(key, ItemMeta(self.meta(key).name, clean_tags(tags)))

    @property
    def dirty(self) -> bool:
        """Changed since the last save."""
        return self._version != self._written

    def dump(self) -> str:
        with self._lock:
            items = {key: {"name": meta.name, "tags": list(meta.tags)}
                     for key, meta in sorted(self._items.items())}
        data: dict[str, Any] = {"version": VERSION, "items": items}
        return json.dumps(data, ensure_ascii=False, indent=1)

    def save(self) -> bool:
        """Write the latest names and tags (atomically, fsynced: call it off the GUI thread);
        False when nothing had changed since the last save."""
        with self._write_lock:
            with self._lock:
                version = self._version
            if version == self._written:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(self.path, self.dump())
            self._written = version
            return True


__all__ = ["EMPTY", "FILE_NAME", "MAX_NAME", "MAX_TAG", "MAX_TAGS", "ItemMeta", "LibraryStore",
           "clean_tags", "parse_tags"]
