"""Reading a model's JSON Schema for the Asset Generator's ``input_params`` form (no Qt).

The Asset Generator's models publish a JSON Schema of their inputs (``asset_schemas``). The
form (``ui.forms.schema_form``) shows one editor per property; this module says which editor
a property gets (:func:`read_property`: a choice, a check box, a spin box, a number line, a
text area, a text line or JSON by hand), with its limits, default and choices, in which
order the properties come (:func:`ordered_properties`), and converts what the user entered to
the schema's types (:func:`coerce`: Creatify takes ``"6"``, a string, where the schema says
so). :func:`stand_in_schema` is the minimal form shown until the published schema arrives.

Imports nothing from the rest of ``app``: it sits with the utilities (``atomic``, ``logsafe``,
``paths``) at the bottom of the core's layers.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SPIN_LIMIT = 1_000_000_000
"""Bounds of a spin box when the schema gives none (QSpinBox holds 32-bit ints)."""
MAX_DECIMALS = 323
"""The most decimals a double spin box shows (Qt's bound: DBL_MAX_10_EXP + DBL_DIG)."""


class Editor(StrEnum):
    """Which editor a property gets."""

    CHOICE = "choice"            # an ``enum``: a combo (with a blank row when optional)
    CHECK = "check"              # a boolean: a check box (partly checked = not set)
    SPIN = "spin"                # a number with a default or both bounds: a spin box
    NUMBER_TEXT = "number_text"  # any other number: a line accepting digits only
    TEXT_AREA = "text_area"      # a prompt, a ``textarea`` or a long string
    LINE = "line"                # any other string
    STRING_LIST = "string_list"  # an array of strings (image URLs): one row each, add/remove
    GROUP = "group"              # an object with its own properties: a box of its own fields
    JSON = "json"                # other arrays and objects, anything else: JSON typed by hand


def schema_type(schema: Mapping[str, Any]) -> str:
    """The JSON type of a property (first non-null of a type list; from ``enum`` if absent)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if isinstance(kind, str):
        return kind
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            for option in options:
                if isinstance(option, Mapping) and option.get("type") not in (None, "null"):
                    return schema_type(option)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        first = enum[0]
        if isinstance(first, bool):
            return "boolean"
        if isinstance(first, int):
            return "integer"
        if isinstance(first, float):
            return "number"
    return "string"


def ordered_properties(schema: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The properties in display order: an explicit ``x-order``/``order`` first, then the
    required ones (in ``required`` order), then the rest as listed (JSON objects may arrive
    with their keys sorted, so the listed order alone says little)."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    required = [str(k) for k in schema.get("required") or ()]

    def rank(item: tuple[int, tuple[str, Mapping[str, Any]]]) -> tuple[float, int, int]:
        index, (key, prop) = item
        explicit = as_float(prop.get("x-order", prop.get("order")))
        return (explicit if explicit is not None else math.inf,
                required.index(key) if key in required else len(required), index)

    items = [(str(k), v) for k, v in properties.items() if isinstance(v, Mapping)]
    return [pair for _index, pair in sorted(enumerate(items), key=rank)]


def title(key: str, schema: Mapping[str, Any]) -> str:
    """The property's ``title``, else its key in words (``num_images`` → ``Num images``)."""
    text = schema.get("title")
    return str(text) if text else key.replace("_", " ").capitalize()


def as_int(value: Any) -> int | None:
    """``value`` as a whole number (from an int, a whole float or digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_float(value: Any) -> float | None:
    """``value`` as a finite float (not a bool), else ``None``."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def coerce(kind: str, value: Any) -> Any:
    """``value`` as the Python type for a JSON ``kind`` (``None`` if it cannot be)."""
    if kind == "integer":
        return as_int(value)
    if kind == "number":
        return as_float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "string":
        return None if value is None or isinstance(value, dict | list) else str(value)
    return value


def bounds(schema: Mapping[str, Any], kind: str) -> tuple[float | None, float | None]:
    """The inclusive ``(low, high)`` of a number (an exclusive bound of an integer moves in
    by one; of a number it is kept); ``None`` where the schema gives none."""
    low = as_float(schema.get("minimum"))
    high = as_float(schema.get("maximum"))
    step = 1 if kind == "integer" else 0
    if low is None and as_float(schema.get("exclusiveMinimum")) is not None:
        low = float(schema["exclusiveMinimum"]) + step
    if high is None and as_float(schema.get("exclusiveMaximum")) is not None:
        high = float(schema["exclusiveMaximum"]) - step
    return low, high


@dataclass(frozen=True, slots=True)
class SchemaProperty:
    """What the form needs to know about one property to build its editor."""

    key: str
    schema: Mapping[str, Any]
    kind: str                     # the JSON type (:func:`schema_type`)
    editor: Editor
    required: bool
    default: Any                  # the default in the property's type; ``None``: none
    optional: bool                # not required and no default: the editor offers "not set"
    choices: tuple[Any, ...] = ()
    low: float | None = None      # numbers: the inclusive bounds (:func:`bounds`)
    high: float | None = None
    max_length: int | None = None  # strings
    min_items: int | None = None   # arrays
    max_items: int | None = None

    @property
    def is_url(self) -> bool:
        """Whether the string (or, for a list, each of its strings) is a web address."""
        schema = self.schema
        if self.editor is Editor.STRING_LIST:
            items = schema.get("items")
            schema = items if isinstance(items, Mapping) else {}
        return schema.get("format") in URL_FORMATS or _url_key(self.key)

    @property
    def short_help(self) -> str | None:
        """The description's first sentence, short enough for a line under the input."""
        return short_help(self.description)

    def choice_label(self, option: Any) -> str:
        """What the choice ``option`` reads as (see :func:`choice_label`)."""
        return choice_label(self.key, option)

    @property
    def title(self) -> str:
        return title(self.key, self.schema)

    @property
    def description(self) -> str | None:
        text = self.schema.get("description")
        return str(text) if text else None

    def matches_choice(self, option: Any, value: Any) -> bool:
        """Whether the choice ``option`` is ``value`` (as given, in the property's type, or
        written the same way: ``6`` chooses ``"6"``); the blank ``None`` option never is."""
        return option is not None and (option == value or coerce(self.kind, value) == option
                                       or str(option) == str(value))


URL_FORMATS = ("uri", "url", "uri-reference", "iri")
"""The ``format`` values that mark a string as a web address."""
SHORT_HELP = 90
"""The most characters of a description shown under its input (all of it is the tooltip)."""


def _url_key(key: str) -> bool:
    """A key that names web addresses (``image_url``, ``reference_image_urls``)."""
    return key.endswith(("_url", "_urls")) or key in ("url", "urls")


def _seconds_key(key: str) -> bool:
    """A key whose numbers are seconds (``duration``, ``video_duration``, ``seconds``)."""
    return "duration" in key or key in ("seconds", "length")


def choice_label(key: str, option: Any) -> str:
    """What a choice reads as in its list: a duration's number (``"5"``, ``5``) as ``5 s``,
    anything else as written (the value sent stays the schema's own)."""
    if option is None:
        return ""
    if _seconds_key(key) and not isinstance(option, bool):
        number = as_float(option)
        if number is not None:
            return f"{number:g} s"
    return str(option)


def short_help(text: str | None) -> str | None:
    """``text``'s first sentence, cut to :data:`SHORT_HELP` characters (``None``: none)."""
    if not text:
        return None
    text = " ".join(str(text).split())
    end = text.find(". ")
    first = text[:end + 1] if end >= 0 else text
    if len(first) <= SHORT_HELP:
        return first
    return first[:SHORT_HELP - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _string_items(schema: Mapping[str, Any]) -> bool:
    """Whether an array property holds strings (its ``items`` say so, or say nothing)."""
    items = schema.get("items")
    if items is None:
        return True
    return isinstance(items, Mapping) and schema_type(items) == "string" \
        and "enum" not in items


def _multiline(key: str, schema: Mapping[str, Any]) -> bool:
    return key.endswith("prompt") or schema.get("format") == "textarea" or (
        (as_int(schema.get("maxLength")) or 0) > 500)


def read_property(key: str, schema: Mapping[str, Any], required: bool) -> SchemaProperty:
    """Which editor the property ``key`` gets, with its default, choices and limits."""
    kind = schema_type(schema)
    default = coerce(kind, schema.get("default")) if "default" in schema else None
    optional = not required and default is None
    enum = schema.get("enum")
    choices = tuple(enum) if isinstance(enum, list) else ()
    low = high = None
    if choices:
        editor = Editor.CHOICE
    elif kind == "boolean":
        editor = Editor.CHECK
    elif kind in ("integer", "number"):
        low, high = bounds(schema, kind)
        spin = default is not None or (low is not None and high is not None)
        editor = Editor.SPIN if spin else Editor.NUMBER_TEXT
    elif kind == "string":
        editor = Editor.TEXT_AREA if _multiline(key, schema) else Editor.LINE
    elif kind == "array" and _string_items(schema):
        editor = Editor.STRING_LIST
        default = schema.get("default") if isinstance(schema.get("default"), list) else None
        optional = not required and default is None
    elif kind == "object" and isinstance(schema.get("properties"), Mapping):
        editor = Editor.GROUP
        default = None
        optional = not required
    else:
        editor = Editor.JSON
    return SchemaProperty(key, schema, kind, editor, required, default, optional,
                          choices, low, high,
                          as_int(schema.get("maxLength")), as_int(schema.get("minItems")),
                          as_int(schema.get("maxItems")))


def string_list(value: Any) -> list[str] | None:
    """What a list editor shows for ``value``: a list of strings (one string is a list of
    one; ``None`` an empty list), else ``None`` (it cannot be shown)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def list_problem(prop: SchemaProperty, values: list[str],
                 url_problem: Callable[[str], str | None] | None = None) -> str | None:
    """Why the strings of a list property do not fit its schema (too few, too many, a row
    that is not a web address per ``url_problem``), as a sentence; ``None`` when they do."""
    if url_problem is not None and prop.is_url:
        for number, value in enumerate(values, 1):
            problem = url_problem(value)
            if problem:
                return f"Row {number}: {problem}"
    if values and prop.min_items and len(values) < prop.min_items:
        return f"{prop.title}: at least {prop.min_items} needed."
    if prop.max_items is not None and len(values) > prop.max_items:
        return f"{prop.title}: at most {prop.max_items}."
    return None


@dataclass(frozen=True, slots=True)
class SpinRange:
    """A spin box for a number property: its range, step and, when the property is optional,
    the "not set" value one tick below the lowest."""

    integer: bool
    lo: float                # the lowest value the schema allows (``-SPIN_LIMIT`` if none)
    hi: float
    step: float | None       # numbers only: the step and the decimals shown
    decimals: int | None
    unset: float | None      # the value that reads "(not set)"; ``None``: always set
    start: float             # the value shown first

    @property
    def bottom(self) -> float:
        """The spin box's minimum (the "not set" value when there is one)."""
        return self.unset if self.unset is not None else self.lo

    def read(self, value: float) -> int | float | None:
        """The property's value for what the box shows (``None``: not set)."""
        if self.unset is not None and value <= self.unset:
            return None
        return int(value) if self.integer else float(value)

    def accept(self, kind: str, value: Any) -> int | float | None:
        """``value`` in the property's type when it fits the range, else ``None``."""
        number: int | float | None = coerce(kind, value)
        if number is None or not self.lo <= number <= self.hi:
            return None
        return number


def spin_range(prop: SchemaProperty) -> SpinRange:
    """The spin box for ``prop`` (an :attr:`Editor.SPIN` property)."""
    integer = prop.kind == "integer"
    lo = prop.low if prop.low is not None else -SPIN_LIMIT
    hi = prop.high if prop.high is not None else SPIN_LIMIT
    tick: float = 1  # the smallest step the box shows
    step = decimals = None
    if not integer:
        step = as_float(prop.schema.get("multipleOf")) or (0.1 if hi - lo <= 10 else 1.0)
        places = max(0, -math.floor(math.log10(step))) if step < 1 else 0
        decimals = min(max(places, 2), MAX_DECIMALS)
        tick = 10 ** -decimals
    unset = lo - tick if prop.optional else None
    bottom = unset if unset is not None else lo
    start = prop.default if prop.default is not None else (
        bottom if unset is not None else max(lo, 0))
    return SpinRange(integer, lo, hi, step, decimals, unset, start)


def accepts_text(value: Any) -> bool:
    """Whether a text editor can show ``value`` (``None``, a string or a number)."""
    return value is None or isinstance(value, str | int | float)


def parse_json(text: str) -> Any:
    """What a JSON editor holds: the parsed JSON, the text itself when it is not JSON,
    ``None`` when blank."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def stand_in_schema(model: Mapping[str, Any] | None) -> dict[str, Any]:
    """The built-in stand-in form for an asset ``model`` (its ``ASSET_MODELS`` entry, or
    ``None`` for a model the app does not know): the schema the entry holds, else a prompt
    plus what pricing needs (a duration enum keeps its values' JSON type: Creatify's video
    models take ``"6"``, a string)."""
    known = model.get("schema") if model is not None else None
    if isinstance(known, Mapping) and isinstance(known.get("properties"), Mapping):
        return copy.deepcopy(dict(known))
    properties: dict[str, Any] = {
        "prompt": {"type": "string", "title": "Prompt", "description": "What to generate."}}
    if model is not None and model["output"] == "video" and model.get("durations"):
        durations = list(model["durations"])
        kind = "integer" if all(isinstance(d, int) and not isinstance(d, bool)
                                for d in durations) else "string"
        properties["duration"] = {"type": kind, "enum": durations,
                                  "default": durations[0], "title": "Duration (seconds)"}
    elif model is not None and model["output"] == "image":
        properties["num_images"] = {"type": "integer", "minimum": 1, "maximum": 4,
                                    "default": 1, "title": "Number of images"}
    return {"type": "object", "properties": properties, "required": ["prompt"]}


def published_schema(entries: Iterable[Any], model_name: str | None,
                     key: str = "model_name") -> Mapping[str, Any] | None:
    """The input schema a catalogue publishes for ``model_name`` (``asset_schemas`` names
    its entries by ``model_name``, ``inspirations`` by ``id``: ``key``), one with
    ``properties``, else ``None``."""
    if model_name is None:
        return None
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get(key) is not None \
                and str(entry.get(key)) == str(model_name):
            schema = entry.get("input_params_schema")
            if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
                return schema
    return None


__all__ = [
    "MAX_DECIMALS",
    "SHORT_HELP",
    "SPIN_LIMIT",
    "URL_FORMATS",
    "Editor",
    "SchemaProperty",
    "SpinRange",
    "accepts_text",
    "as_float",
    "as_int",
    "bounds",
    "choice_label",
    "coerce",
    "list_problem",
    "ordered_properties",
    "parse_json",
    "published_schema",
    "read_property",
    "schema_type",
    "short_help",
    "spin_range",
    "stand_in_schema",
    "string_list",
    "title",
]
