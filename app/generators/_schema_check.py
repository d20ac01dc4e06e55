"""A form's typed values checked against a published JSON Schema, one sentence per problem.

The check itself is jsonschema's (the Draft the schema names, 2020-12 by default): every
keyword a catalogue schema may use is honoured, not a hand-picked subset. What it finds is
turned into a sentence a creator understands, named by the input's title ("Duration must be
one of 5, 10.", "Camera: Movement is required.", "References, row 2: …"). Three rules are the
app's own, on top of the schema: a web address must pass the app's one URL check
(``app.urls``), a number beyond :data:`LARGEST` is a typo, and a required prompt left empty
reads "Write a prompt.". The first problem in the form's order is shown (required inputs
first, then the inputs as the schema lists them).

A schema jsonschema cannot read (a broken catalogue entry) checks nothing: Creatify's own
answer then says what is wrong, and nothing is charged for a refused request.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from app.generators._fields import clip, url_problem
from app.generators._schema_values import properties_of, required_of
from app.json_schema import bounds, schema_type, title

log = logging.getLogger(__name__)

LARGEST = 10**15
"""No input the catalogues define takes a number beyond this; anything larger is a typo."""
_EXPECTED = {"integer": "a whole number", "number": "a number", "boolean": "yes or no",
             "string": "text", "array": "a list", "object": "a set of values",
             "null": "nothing"}
_URL_FORMATS = ("uri", "url", "uri-reference", "iri")
_RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")

Path = tuple[str | int, ...]

if TYPE_CHECKING:
    from jsonschema import exceptions as schema_errors


@functools.lru_cache(maxsize=256)
def _validator(schema_text: str) -> Any:
    """The validator for a schema (``None``: jsonschema cannot read it)."""
    from jsonschema import exceptions as schema_errors  # ~0.1 s: loaded on the first check
    from jsonschema import validators

    schema = json.loads(schema_text)
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except schema_errors.SchemaError as exc:
        log.warning("a published input schema cannot be read (%s): not checked here",
                    clip(exc.message, 120))
        return None
    return cls(schema)


def _sub_schema(schema: Mapping[str, Any], path: Sequence[str | int]) -> Mapping[str, Any]:
    """The schema of the value at ``path`` (``{}`` where the schema does not say)."""
    current: Mapping[str, Any] = schema
    for step in path:
        if isinstance(step, int):
            items = current.get("items")
            current = items if isinstance(items, Mapping) else {}
        else:
            current = properties_of(current).get(step, {})
    return current


def _label(schema: Mapping[str, Any], path: Sequence[str | int]) -> str:
    """How the input at ``path`` is named: its title, a nested one after its parent's
    ("Camera: Movement"), a list's row by number ("References, row 2")."""
    text = ""
    current: Mapping[str, Any] = schema
    for step in path:
        if isinstance(step, int):
            text += f", row {step + 1}"
            items = current.get("items")
            current = items if isinstance(items, Mapping) else {}
        else:
            current = properties_of(current).get(step, {})
            name = clip(title(step, current), 60)  # a typed-in key may be any length
            text = f"{text}: {name}" if text else name
    return text or "The inputs"


def _range(label: str, schema: Mapping[str, Any]) -> str:
    kind = schema_type(schema)
    low, high = bounds(schema, kind)
    if low is not None and high is not None:
        return f"{label} must be from {low:g} to {high:g}."
    if low is not None:
        return f"{label} must be at least {low:g}."
    return f"{label} must be at most {high:g}." if high is not None else f"{label} is out of range."


_SIMPLE = {
    "minLength": "{label} is too short (at least {wanted:,} characters).",
    "minItems": "{label}: give at least {wanted}.",
    "maxItems": "{label}: at most {wanted}.",
    "uniqueItems": "{label}: each one only once.",
    "pattern": "{label} is not written the way this input expects.",
    "multipleOf": "{label} must be a multiple of {wanted}.",
}
"""Findings whose sentence needs only the input's name and the rule's value."""


def _choices(wanted: Any) -> str:
    options = list(wanted) if isinstance(wanted, list | tuple) else [wanted]
    more = ", …" if len(options) > 12 else ""
    return ", ".join(clip(str(o), 30) for o in options[:12]) + more


def _sentence(root: Mapping[str, Any], error: schema_errors.ValidationError) -> tuple[Path, str]:
    """Where a jsonschema finding is and what it says, in a creator's words."""
    path: Path = tuple(error.absolute_path)
    here = error.schema if isinstance(error.schema, Mapping) else {}
    label = _label(root, path)
    rule = str(error.validator)
    wanted: Any = error.validator_value
    if rule == "required" and isinstance(error.instance, Mapping):
        missing = next((str(n) for n in wanted if n not in error.instance), "")
        path = (*path, missing)
        return path, "Write a prompt." if path == ("prompt",) \
            else f"{_label(root, path)} is required."
    if rule in _SIMPLE:
        return path, _SIMPLE[rule].format(label=label, wanted=wanted)
    if rule in ("enum", "const"):
        return path, f"{label} must be one of {_choices(wanted)}."
    if rule == "type":
        kinds = [wanted] if isinstance(wanted, str) else list(wanted)
        expected = " or ".join(_EXPECTED.get(str(k), str(k)) for k in kinds)
        return path, f"{label}: expected {expected}."
    if rule in _RANGE:
        return path, _range(label, here)
    if rule == "maxLength" and isinstance(error.instance, str):
        return path, f"{label} is too long: {len(error.instance):,} characters " \
                     f"(at most {wanted:,})."
    if rule == "additionalProperties" and isinstance(error.instance, Mapping):
        known = properties_of(here)
        extra = ", ".join(str(k) for k in error.instance if k not in known)
        return path, f"{label}: {clip(extra, 60)} is not an input it takes."
    return path, f"{label}: {clip(error.message, 120)}"


def _own_rules(root: Mapping[str, Any], schema: Mapping[str, Any], value: Any,
               path: Path) -> Iterator[tuple[Path, str]]:
    """The app's rules on top of the schema: web addresses, absurd numbers."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _own_rules(root, properties_of(schema).get(str(key), {}), item,
                                  (*path, str(key)))
        return
    if isinstance(value, list):
        items = schema.get("items")
        item_schema = items if isinstance(items, Mapping) else {}
        for index, item in enumerate(value[:1000]):
            yield from _own_rules(root, item_schema, item, (*path, index))
        return
    key = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    if isinstance(value, str) and value and (
            schema.get("format") in _URL_FORMATS or key.endswith(("_url", "_urls"))
            or key in ("url", "urls")) and (problem := url_problem(value)):
        yield path, f"{_label(root, path)}: {problem}"
    if isinstance(value, float) and not math.isfinite(value):
        yield path, f"{_label(root, path)}: expected a number."
    elif isinstance(value, int | float) and not isinstance(value, bool) \
            and abs(value) > LARGEST:
        yield path, f"{_label(root, path)} is far too large."


def _rank(root: Mapping[str, Any], path: Path) -> tuple[int, int, str]:
    """Required inputs first, then the inputs in the schema's order."""
    top = str(path[0]) if path else ""
    required = required_of(root)
    order = list(properties_of(root))
    if top in required:
        return (0, required.index(top), repr(path[1:]))
    return (1, order.index(top) if top in order else len(order), repr(path[1:]))


def values_problem(schema: Mapping[str, Any] | None, values: Mapping[str, Any]) -> str | None:
    """The first problem of the typed ``values`` against ``schema``, as a sentence, or
    ``None`` when they fit (or the schema cannot be read)."""
    if not isinstance(schema, Mapping):
        return None
    own = list(_own_rules(schema, schema, dict(values), ()))
    if any(message.endswith("far too large.") for _, message in own):
        # Not handed to jsonschema: its messages would spell out the number.
        return min(own, key=lambda item: _rank(schema, item[0]))[1]
    from jsonschema import exceptions as schema_errors  # loaded on the first check, not at start
    from referencing.exceptions import Unresolvable

    try:
        validator = _validator(json.dumps(schema, sort_keys=True, default=str))
        found = [] if validator is None else [_sentence(schema, e)
                                              for e in validator.iter_errors(dict(values))]
    except (Unresolvable, schema_errors.SchemaError, RecursionError) as exc:
        log.warning("a published input schema could not be applied: %s", clip(str(exc), 120))
        found = []
    found.extend(own)
    if not found:
        return None
    return min(found, key=lambda item: _rank(schema, item[0]))[1]


__all__ = ["LARGEST", "values_problem"]
