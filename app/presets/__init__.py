"""Presets and drafts of the generator forms (Qt-free).

- :class:`PresetStore` (``_presets``): named presets per generator in ``presets.json``;
- :class:`DraftStore` (``_drafts``): one unfinished form per generator in ``drafts.json``,
  written a moment after the last change by one writer thread;
- ``_file``: the shared file rules — a schema version, atomic writes (``app.atomic``), a
  damaged file moved aside with a sentence saying where (never a crash, never silently
  emptied), a newer version's file kept read-only.

Both keep what ``GeneratorForm.values()`` returns, JSON-safe (tuples as lists).
"""

from app.presets._drafts import DRAFT_DELAY, DRAFTS_FILE, DraftStore
from app.presets._file import SCHEMA_VERSION, StoreError, plain_values
from app.presets._presets import MAX_NAME, PRESETS_FILE, Preset, PresetStore, clean_name

__all__ = [
    "DRAFTS_FILE", "DRAFT_DELAY", "MAX_NAME", "PRESETS_FILE", "SCHEMA_VERSION", "DraftStore",
    "Preset", "PresetStore", "StoreError", "clean_name", "plain_values",
]
