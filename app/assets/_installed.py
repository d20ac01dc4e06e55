"""The catalogues in use: what the session installed last (from the disk cache or a fresh
fetch), read by the generator specs and the window without a session at hand.

Why a module-level state: the Asset Generator's spec checks and builds a form from the chosen
model's schema (``schema_for``), and the AI Ad Template's from the chosen template's
(``inspiration_schema``); a spec is a constant that cannot hold the session. The session is
the only writer (:func:`install`); each install replaces the whole index at once, so a reader
sees the old catalogue or the new one, never half of each.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.assets._cache import KINDS

_items: dict[str, list[dict[str, Any]]] = {}
_dates: dict[str, datetime] = {}
_schemas: dict[str, dict[str, Any]] = {}        # model_name → input_params_schema
_inspirations: dict[str, dict[str, Any]] = {}   # inspiration id → the inspiration


def _by(entries: Iterable[Any], key: str) -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if isinstance(entry, Mapping):
            value = entry.get(key)
            if isinstance(value, str) and value and value not in index:
                index[value] = dict(entry)
    return index


def install(kind: str, items: list[dict[str, Any]], fetched_at: datetime | None) -> None:
    """Use ``items`` as the ``kind`` catalogue (``asset_schemas`` or ``inspirations``)."""
    if kind not in KINDS:
        raise ValueError(f"no installed catalogue is called {kind!r}")
    if kind == "asset_schemas":
        global _schemas
        _schemas = {name: dict(schema) for name, entry in _by(items, "model_name").items()
                    if isinstance(schema := entry.get("input_params_schema"), Mapping)}
    else:
        global _inspirations
        _inspirations = _by(items, "id")
    _items[kind] = items
    if fetched_at is None:
        _dates.pop(kind, None)
    else:
        _dates[kind] = fetched_at


def uninstall() -> None:
    """Forget every installed catalogue (a test's clean slate)."""
    global _schemas, _inspirations
    _schemas, _inspirations = {}, {}
    _items.clear()
    _dates.clear()


def installed(kind: str) -> list[dict[str, Any]] | None:
    """The installed ``kind`` catalogue's items (``None`` before any install)."""
    return _items.get(kind)


def installed_date(kind: str) -> datetime | None:
    """When the installed ``kind`` catalogue was fetched from Creatify."""
    return _dates.get(kind)


def schema_for(model_name: str) -> dict[str, Any] | None:
    """The ``input_params_schema`` the catalogue publishes for ``model_name`` (a copy), or
    ``None`` when no catalogue is installed or it does not list the model."""
    schema = _schemas.get(model_name)
    return copy.deepcopy(schema) if schema is not None else None


def inspiration(inspiration_id: str) -> dict[str, Any] | None:
    """The AI Ad Template ``inspiration_id`` as the catalogue lists it (a copy), or ``None``."""
    found = _inspirations.get(inspiration_id.strip())
    return copy.deepcopy(found) if found is not None else None


def inspiration_schema(inspiration_id: str) -> dict[str, Any] | None:
    """The ``input_params_schema`` of AI Ad Template ``inspiration_id`` (a copy), or ``None``."""
    found = _inspirations.get(inspiration_id.strip())
    schema = found.get("input_params_schema") if found is not None else None
    return copy.deepcopy(dict(schema)) if isinstance(schema, Mapping) else None


__all__ = ["inspiration", "inspiration_schema", "install", "installed", "installed_date",
           "schema_for", "uninstall"]
