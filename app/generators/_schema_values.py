"""A form's values in a published JSON Schema's types.

The Asset Generator's models and the AI Ad Templates publish the JSON Schema of their
``input_params``; what the creator entered is sent **in the schema's types**: Creatify's video
models take ``duration: "6"``, a string, where a form may hold 6, and ``num_images: 2``, an
integer, where a text box holds "2". Blank inputs are left out, text is trimmed, a single
address becomes a list of one where the schema wants a list, nested objects follow their own
properties. A value that cannot be written in the schema's type is left as it is, for the
check (``_schema_check``, jsonschema's) to name. The property readers are ``app.json_schema``'s,
shared with the window's schema form, so the form and the body read a schema the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from app.generators._fields import is_empty
from app.json_schema import as_float, as_int, schema_type

MAX_DEPTH = 8
"""Nested objects deeper than this are sent as they are (no schema nests that far)."""


def properties_of(schema: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The schema's ``properties`` that are objects (``{}`` for anything else)."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return {}
    return {str(k): v for k, v in props.items() if isinstance(v, Mapping)}


def required_of(schema: Mapping[str, Any] | None) -> list[str]:
    names = schema.get("required") if isinstance(schema, Mapping) else None
    return [str(n) for n in names] if isinstance(names, list) else []


def _whole_text(value: Any) -> str | None:
    """A number as the digits a string input takes (``6`` and ``6.0`` → ``"6"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 10**15 else repr(value)
    return None


def _enum_match(options: list[Any], value: Any) -> tuple[bool, Any]:
    """The enum option ``value`` stands for (``6`` chooses ``"6"``, ``"5"`` chooses ``5``)."""
    for option in options:
        if option == value and type(option) is type(value):
            return True, option
    text = value.strip() if isinstance(value, str) else _whole_text(value)
    for option in options:
        if isinstance(option, bool) or isinstance(value, bool):
            continue
        shown = option if isinstance(option, str) else _whole_text(option)
        if text is not None and shown is not None and shown.strip() == text:
            return True, option
    return False, value


def _typed_scalar(kind: str | None, value: Any) -> Any:
    """A string, number or switch in the schema's type (``value`` itself when it cannot be)."""
    if kind == "string":
        if isinstance(value, str):
            return value.strip()
        text = _whole_text(value)
        return text if text is not None else value
    if kind == "integer":
        number = as_int(value)
        return value if number is None else number
    if kind == "number":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number_f = as_float(value)
        if number_f is None:
            return value
        whole = number_f.is_integer() and isinstance(value, str) and "." not in value
        return int(number_f) if whole else number_f
    if kind == "boolean" and isinstance(value, str) \
            and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value.strip() if isinstance(value, str) else value


def _typed_list(schema: Mapping[str, Any], value: Any, depth: int) -> Any:
    """A list in the schema's item type; one text is a list of one; blank rows dropped."""
    items = [value] if isinstance(value, str) and value.strip() else value
    if not isinstance(items, list | tuple):
        return value
    item_schema = schema.get("items")
    cleaned = [v for v in items if not is_empty(v)]
    if isinstance(item_schema, Mapping):
        return [_typed(item_schema, v, depth + 1) for v in cleaned]
    return [v.strip() if isinstance(v, str) else v for v in cleaned]


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (Mapping,)}


def _fits(option: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` already has the type ``option`` gives (a bool is no number)."""
    choices = option.get("enum")
    if isinstance(choices, list):
        return value in choices
    kind = schema_type(option)
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, _PYTHON_TYPES.get(kind, (object,)))


def _typed(schema: Mapping[str, Any], value: Any, depth: int) -> Any:
    """``value`` in the type ``schema`` gives it, or ``value`` unchanged when it cannot be
    (the check then says why). Of several shapes (``anyOf``/``oneOf``), the one the value
    already has, else the first."""
    shapes = schema.get("anyOf", schema.get("oneOf"))
    if "type" not in schema and isinstance(shapes, list):
        usable = [o for o in shapes if isinstance(o, Mapping) and o.get("type") != "null"]
        chosen = next((o for o in usable if _fits(o, value)), usable[0] if usable else None)
        if chosen is not None:
            return _typed(chosen, value, depth + 1)
    options = schema.get("enum")
    if isinstance(options, list) and options:
        return _enum_match(options, value)[1]
    typed = any(k in schema for k in ("type", "anyOf", "oneOf"))
    kind = schema_type(schema) if typed else None
    if kind == "array":
        return _typed_list(schema, value, depth)
    if kind == "object":
        if isinstance(value, Mapping) and properties_of(schema) and depth < MAX_DEPTH:
            return typed_values(schema, value, depth=depth + 1)
        return value
    return _typed_scalar(kind, value)


def typed_values(schema: Mapping[str, Any] | None, values: Mapping[str, Any], *,
                 only_declared: bool = False, depth: int = 0) -> dict[str, Any]:
    """``values`` without the blank ones and in the schema's types. With ``only_declared``,
    keys the schema does not declare are left out (Creatify ignores them silently, so the
    setting would do nothing)."""
    props = properties_of(schema)
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = str(key)
        if is_empty(value) or (only_declared and props and name not in props):
            continue
        prop = props.get(name)
        out[name] = _typed(prop, value, depth) if prop is not None else (
            value.strip() if isinstance(value, str) else value)
    return out


__all__ = ["MAX_DEPTH", "properties_of", "required_of", "typed_values"]
