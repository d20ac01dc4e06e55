"""Named presets per generator: a form's values kept under a name the creator chose."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.presets._file import Loaded, StoreError, now_text, plain_values, read_store, write_store

PRESETS_FILE = "presets.json"
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Preset:
    """One saved form: its values (``GeneratorForm.values()``), the length entered beside
    the form where the generator has one (``None``: worked out from the form), and when it
    was saved (UTC, ISO 8601)."""

    name: str
    values: dict[str, Any]
    seconds: float | None = None
    saved_at: str = ""


def clean_name(name: str) -> str:
    """A preset's name as kept: inner whitespace collapsed; ``ValueError`` when it is empty or
    longer than :data:`MAX_NAME` characters."""
    text = " ".join(name.split())
    if not text:
        raise ValueError("Give the preset a name.")
    if len(text) > MAX_NAME:
        raise ValueError(f"A preset name has at most {MAX_NAME} characters.")
    return text


def _preset(name: str, raw: object) -> Preset | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("values"), Mapping):
        return None
    seconds = raw.get("seconds")
    saved = raw.get("saved_at")
    return Preset(name, dict(raw["values"]),
                  float(seconds) if isinstance(seconds, int | float)
                  and not isinstance(seconds, bool) else None,
                  saved if isinstance(saved, str) else "")


class PresetStore:
    """The presets of every generator, kept in ``<data dir>/presets.json``.

    Changes (:meth:`put`, :meth:`remove`) take effect in memory at once; :meth:`persist`
    writes the file atomically and may run in a worker thread (it fsyncs). A damaged file is
    moved aside when the store opens and :attr:`problem` says so.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PRESETS_FILE
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        loaded: Loaded = read_store(self.path, "presets", "presets")
        self.problem = loaded.problem
        self.read_only = loaded.read_only
        self._presets: dict[str, dict[str, Preset]] = {}
        for generator, named in loaded.entries.items():
            if not isinstance(named, Mapping):
                continue
            kept = {str(n): p for n, raw in named.items() if (p := _preset(str(n), raw))}
            if kept:
                self._presets[str(generator)] = kept

    def names(self, generator: str) -> list[str]:
        """``generator``'s preset names, sorted case-insensitively."""
        with self._lock:
            return sorted(self._presets.get(generator, {}), key=str.casefold)

    def get(self, generator: str, name: str) -> Preset | None:
        with self._lock:
            return self._presets.get(generator, {}).get(name)

    def put(self, generator: str, name: str, values: Mapping[str, Any],
            seconds: float | None = None) -> Preset:
        """Keep ``values`` as ``generator``'s preset ``name`` (replacing one of that name).
        ``ValueError`` for a bad name, ``TypeError`` for a value a file cannot hold,
        :class:`StoreError` when the file is read-only."""
        self._writable()
        preset = Preset(clean_name(name), plain_values(values), seconds, now_text())
        with self._lock:
            self._presets.setdefault(generator, {})[preset.name] = preset
        return preset

    def remove(self, generator: str, name: str) -> bool:
        self._writable()
        with self._lock:
            named = self._presets.get(generator, {})
            found = named.pop(name, None) is not None
            if not named:
                self._presets.pop(generator, None)
        return found

    def persist(self) -> None:
        """Write every preset to the file (atomically; safe from a worker thread)."""
        self._writable()
        with self._write_lock:
            with self._lock:
                entries = {g: {n: {"values": p.values, "seconds": p.seconds,
                                   "saved_at": p.saved_at} for n, p in named.items()}
                           for g, named in self._presets.items()}
            write_store(self.path, "presets", entries)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(self.problem or "The presets cannot be changed.")


__all__ = ["MAX_NAME", "PRESETS_FILE", "Preset", "PresetStore", "clean_name"]
