"""A form's values against a published JSON Schema: in the schema's types, then checked.

The Asset Generator's models and the AI Ad Templates publish the JSON Schema of their
``input_params``; what the creator entered is sent **in the schema's types** (Creatify's video
models take ``duration: "6"``, a string, and ``num_images: 2``, an integer) and checked against
it before anything is sent, with one plain sentence per problem. The property readers are
``app.json_schema``'s (type, bounds, title), shared with the window's schema form, so the form
and the check read a schema the same way.

Only what the catalogues use is checked (types, ``enum``, ranges, lengths, ``required``,
``minItems``/``maxItems``, web addresses, nested objects); anything the schema says beyond
that is left to Creatify, whose refusal is shown as it comes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from app.generators._fields import clip, is_empty, url_problem
from app.json_schema import as_float, as_int, bounds, schema_type, title

_EXPECTED = {"integer": "a whole number", "number": "a number", "boolean": "yes or no",
             "string": "text", "array": "a list", "object": "a set of values"}
_URL_FORMATS = ("uri", "url", "uri-reference", "iri")
LARGEST = 10**15
"""No input the catalogues define takes a number beyond this; anything larger is a typo."""
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


def _typed(schema: Mapping[str, Any], value: Any, depth: int) -> Any:
    """``value`` in the type ``schema`` gives it, or ``value`` unchanged when it cannot be
    (the check then says why)."""
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


def _is_url(key: str, schema: Mapping[str, Any]) -> bool:
    return schema.get("format") in _URL_FORMATS or key.endswith(("_url", "_urls")) \
        or key in ("url", "urls")


def _range_problem(label: str, number: float, schema: Mapping[str, Any],
                   kind: str) -> str | None:
    low, high = bounds(schema, kind)
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return f"{label} must be from {low:g} to {high:g}."
        if low is not None:
            return f"{label} must be at least {low:g}."
        return f"{label} must be at most {high:g}."
    return None


def _string_problem(key: str, label: str, schema: Mapping[str, Any], value: str) -> str | None:
    longest, shortest = as_int(schema.get("maxLength")), as_int(schema.get("minLength"))
    if longest is not None and len(value) > longest:
        return f"{label} is too long: {len(value):,} characters (at most {longest:,})."
    if shortest is not None and len(value) < shortest:
        return f"{label} is too short (at least {shortest:,} characters)."
    if _is_url(key, schema) and (problem := url_problem(value)):
        return f"{label}: {problem}"
    return None


def _array_problem(key: str, label: str, schema: Mapping[str, Any], value: list[Any],
                   depth: int) -> str | None:
    fewest, most = as_int(schema.get("minItems")), as_int(schema.get("maxItems"))
    if fewest is not None and len(value) < fewest:
        return f"{label}: give at least {fewest}."
    if most is not None and len(value) > most:
        return f"{label}: at most {most}."
    item_schema = schema.get("items")
    item = item_schema if isinstance(item_schema, Mapping) else {}
    item_key = key[:-1] if key.endswith("s") else key
    for number, entry in enumerate(value, 1):
        problem = value_problem(item_key, item, entry, depth + 1,
                                label=f"{label}, row {number}")
        if problem:
            return problem
    return None


def _typed_problem(key: str, label: str, kind: str, schema: Mapping[str, Any], value: Any,
                   depth: int) -> str | None:
    expected = _EXPECTED.get(kind, kind)
    if kind == "string":
        return _string_problem(key, label, schema, value) if isinstance(value, str) \
            else f"{label}: expected {expected}."
    if kind in ("integer", "number"):
        whole = isinstance(value, int) or (kind == "number" and isinstance(value, float)
                                           and math.isfinite(value))
        if isinstance(value, bool) or not whole:
            return f"{label}: expected {expected}."
        if abs(value) > LARGEST:
            return f"{label} is far too large."
        return _range_problem(label, float(value), schema, kind)
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{label}: expected {expected}."
    if kind == "array":
        return _array_problem(key, label, schema, value, depth) if isinstance(value, list) \
            else f"{label}: expected {expected}."
    if kind == "object":
        if not isinstance(value, Mapping):
            return f"{label}: expected {expected}."
        return values_problem(schema, value, depth + 1, prefix=f"{label}: ") \
            if depth < MAX_DEPTH else None
    return None


def value_problem(key: str, schema: Mapping[str, Any], value: Any, depth: int = 0, *,
                  label: str | None = None) -> str | None:
    """Why ``value`` (already typed) does not fit ``schema``, as one sentence, or ``None``."""
    label = label or title(key, schema)
    options = schema.get("enum")
    if isinstance(options, list) and options:
        if not _enum_match(options, value)[0]:
            shown = ", ".join(clip(str(o), 30) for o in options[:12])
            more = ", …" if len(options) > 12 else ""
            return f"{label} must be one of {shown}{more}."
        return None
    if not any(k in schema for k in ("type", "anyOf", "oneOf")):
        return None
    return _typed_problem(key, label, schema_type(schema), schema, value, depth)


def values_problem(schema: Mapping[str, Any] | None, values: Mapping[str, Any],
                   depth: int = 0, *, prefix: str = "") -> str | None:
    """The first problem of typed ``values`` against an object ``schema``: a required input
    left empty ("Write a prompt."), then each given input in the schema's display order."""
    props = properties_of(schema)
    for name in required_of(schema):
        if is_empty(values.get(name)):
            if name == "prompt" and not prefix:
                return "Write a prompt."
            return f"{prefix}{title(name, props.get(name, {}))} is required."
    for name, prop in props.items():
        value = values.get(name)
        if not is_empty(value) and (problem := value_problem(name, prop, value, depth)):
            return prefix + problem
    return None


__all__ = ["LARGEST", "MAX_DEPTH", "properties_of", "required_of", "typed_values", "value_problem",
           "values_problem"]
