"""A Custom Template's variables as the app reads them (no Qt).

``GET /api/custom_templates/{id}/`` describes a template's ``variables``; the docs show a map
of name to description without naming its fields, so :func:`template_variables` and
:func:`required_variables` read every shape seen (a mapping with ``type`` and
``value``/``default``/``properties``, a bare type string, a list of ``{name, type}``).
:func:`variable_entries` reads a form's saved value back into rows. The variables editor
(``ui.forms.variables``) shows them.

Imports ``app.generators`` (the variable types and ``is_empty``): it sits above the
generators in the core's layers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from app.generators.catalogue import TEMPLATE_VARIABLE_TYPES
from app.generators.spec import is_empty


def _variable_content(kind: str, spec: Mapping[str, Any]) -> Any:
    """The value held by a variable entry: ``value``, ``default`` or the type's property."""
    for key in ("value", "default"):
        if not is_empty(spec.get(key)):
            return spec[key]
    properties = spec.get("properties")
    if isinstance(properties, Mapping):
        prop = TEMPLATE_VARIABLE_TYPES.get(kind)
        if prop and not is_empty(properties.get(prop)):
            return properties[prop]
        present = [v for v in properties.values() if isinstance(v, str | int | float)]
        if len(present) == 1:
            return present[0]
    return None


def template_variables(detail: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, type, the template's own value)`` of each variable of a template's detail.

    The docs show ``variables`` as a map of name to a variable description without naming
    its fields; a description may be a mapping (``type`` plus ``value``/``default``/
    ``properties``), a bare type string, or the map may come as a list of ``{name, type}``.
    """
    raw = detail.get("variables")
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(raw, Mapping):
        pairs = raw.items()
    elif isinstance(raw, list):
        pairs = ((v.get("name"), v) for v in raw if isinstance(v, Mapping))
    else:
        pairs = ()
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for name, spec in pairs:
        name = str(name or "").strip()
        if not name or name in seen:
            continue
        seen.add(name)
        if isinstance(spec, Mapping):
            kind = str(spec.get("type") or "text").strip() or "text"
            content = _variable_content(kind, spec)
        else:
            kind = str(spec).strip() if isinstance(spec, str) and spec.strip() else "text"
            content = None
        out.append((name, kind, "" if content is None or isinstance(content, Mapping | list)
                    else str(content)))
    return out


def required_variables(detail: Mapping[str, Any]) -> set[str]:
    """The names of a template's variables marked ``required`` (where the detail says so)."""
    raw = detail.get("variables")
    pairs: Iterable[tuple[Any, Any]] = (
        raw.items() if isinstance(raw, Mapping) else
        ((v.get("name"), v) for v in raw if isinstance(v, Mapping))
        if isinstance(raw, list) else ())
    out = set()
    for name, spec in pairs:
        flag = spec.get("required") if isinstance(spec, Mapping) else None
        if isinstance(flag, str):
            flag = flag.strip().lower() in ("true", "1", "yes")
        if flag is True and str(name or "").strip():
            out.add(str(name).strip())
    return out


def template_uuid(value: Any) -> str | None:
    """``value`` as a template id to look up, when it is a well-formed UUID."""
    text = "" if is_empty(value) else str(value).strip()
    try:
        uuid.UUID(text)
    except ValueError:
        return None
    return text


def variable_entries(value: Any) -> list[tuple[str, str, str]]:
    """``(name, type, value)`` of each variable of a form's value
    (``{name: {"type": t, "value": v}}``; a bare value is a text variable's)."""
    entries = []
    for name, spec in (value.items() if isinstance(value, Mapping) else ()):
        spec = spec if isinstance(spec, Mapping) else {"value": spec}
        kind = str(spec.get("type") or "text")
        content = spec.get("value")
        properties = spec.get("properties")
        if content is None and isinstance(properties, Mapping):
            content = properties.get(TEMPLATE_VARIABLE_TYPES.get(kind, ""))
        entries.append((str(name), kind, "" if content is None else str(content)))
    return entries


def duplicate_names(names: Iterable[str]) -> list[str]:
    """The names given more than once, sorted."""
    names = list(names)
    return sorted({n for n in names if names.count(n) > 1})


__all__ = ["duplicate_names", "required_variables", "template_uuid", "template_variables",
           "variable_entries"]
