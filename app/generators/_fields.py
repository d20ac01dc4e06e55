"""One input of a generator form (:class:`Field`) and how its value is checked: one small
validator per :class:`FieldKind`, looked up in a registry instead of one long branch."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from app.generators._vocab import Choice, FieldKind, Flow
from app.urls import MAX_URL_LENGTH
from app.urls import url_problem as web_url_problem

MAX_CHOICE_LENGTH = 200  # an open choice (a style, a language…) typed by hand

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                      r"[0-9a-fA-F]{12}$")


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an http(s) URL Creatify can read, or ``None`` — the app's one
    web-address check (:func:`app.urls.url_problem`); a form accepts hosts on this machine
    (the offline sandbox serves its sample media there)."""
    return web_url_problem(value.strip(), public=False)


def _scalar(value: Any) -> bool:
    """A value a choice can be: text or a number (not a list, a mapping, or anything odd)."""
    return isinstance(value, str | int | float | Decimal)


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut for a message that echoes user input (a huge input is not repeated)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0) \
        or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a generator form."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    default: Any = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    max_items: int | None = None
    min_items: int | None = None
    help: str = ""
    wire: str | None = None       # body key when it differs from ``name``; "" = not sent as is
    advanced: bool = False
    open_choices: bool = False    # the choice list is a suggestion; other values allowed
    flows: tuple[Flow, ...] = ()  # only asked for (and checked) in these flows; () = all
    # Other names a batch table's column header may give this field ("length" for
    # video_length); the field's own name always counts.
    aliases: tuple[str, ...] = ()

    def applies_to(self, flow: Flow) -> bool:
        return not self.flows or flow in self.flows

    @property
    def wire_name(self) -> str:
        return self.name if self.wire is None else self.wire

    def validate(self, value: Any) -> str | None:
        """A user-facing message if ``value`` is not acceptable, else ``None``."""
        if is_empty(value):
            return "This field is required." if self.required else None
        check = _VALIDATORS.get(self.kind)
        return None if check is None else check(self, value)


# ---------------------------------------------------------------------------- validators

Validator = Callable[[Field, Any], "str | None"]
"""Checks a non-empty value of one field kind: a user-facing message, or ``None``."""

_VALIDATORS: dict[FieldKind, Validator] = {}
VALIDATORS: Mapping[FieldKind, Validator] = MappingProxyType(_VALIDATORS)
"""Field kind -> its validator (read-only; every kind has one)."""


def _validates(*kinds: FieldKind) -> Callable[[Validator], Validator]:
    def register(check: Validator) -> Validator:
        for kind in kinds:
            _VALIDATORS[kind] = check
        return check
    return register


def _text_problem(field: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return "Expected text."
    if field.max_length is not None and len(value) > field.max_length:
        return f"Too long: {len(value):,} characters (at most {field.max_length:,})."
    return None


@_validates(FieldKind.TEXT, FieldKind.MULTILINE, FieldKind.PERSONA, FieldKind.ACCENT)
def _text(field: Field, value: Any) -> str | None:
    return _text_problem(field, value)


@_validates(FieldKind.UUID, FieldKind.TEMPLATE, FieldKind.INSPIRATION)
def _uuid(field: Field, value: Any) -> str | None:
    if problem := _text_problem(field, value):
        return problem
    if not _UUID_RE.match(value.strip()):
        return "Expected an id like 3f2a…-…-…-…-… (a UUID)."
    return None


@_validates(FieldKind.URL, FieldKind.MUSIC)
def _url(field: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return "Expected a URL."
    if field.max_length is not None and len(value.strip()) > field.max_length:
        return (f"URL is too long ({len(value.strip()):,} characters; Creatify takes at "
                f"most {field.max_length:,} here).")
    return url_problem(value)


def _finite(value: Any) -> float | str:
    """``value`` as a finite float, or the message saying why it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "Expected a number."
    if isinstance(value, Decimal) and not value.is_finite():
        return "Expected a finite number."
    try:
        number = float(value)
    except OverflowError:
        return "Expected a finite number."
    if math.isnan(number) or math.isinf(number):
        return "Expected a finite number."
    return number


@_validates(FieldKind.INT, FieldKind.FLOAT)
def _number(field: Field, value: Any) -> str | None:
    number = _finite(value)
    if isinstance(number, str):
        return number
    if field.kind is FieldKind.INT and number != int(number):
        return "Expected a whole number."
    if field.minimum is not None and number < field.minimum:
        return f"At least {field.minimum:g}."
    if field.maximum is not None and number > field.maximum:
        return f"At most {field.maximum:g}."
    return None


@_validates(FieldKind.BOOL)
def _bool(field: Field, value: Any) -> str | None:
    return None if isinstance(value, bool) else "Expected yes or no."


@_validates(FieldKind.CHOICE)
def _choice(field: Field, value: Any) -> str | None:
    one_of = f"Choose one of: {', '.join(c.label for c in field.choices)}."
    if not _scalar(value):
        return one_of
    if isinstance(value, str) and len(value) > MAX_CHOICE_LENGTH:
        return f"Too long: {len(value):,} characters (at most {MAX_CHOICE_LENGTH})."
    if field.open_choices or value in {c.value for c in field.choices}:
        return None
    return one_of


@_validates(FieldKind.MULTI_CHOICE)
def _multi_choice(field: Field, value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return "Expected a list."
    if field.max_items is not None and len(value) > field.max_items:
        return f"Choose at most {field.max_items}."
    if field.min_items is not None and len(value) < field.min_items:
        return f"Choose at least {field.min_items}."
    if not all(_scalar(v) for v in value):
        return "Expected a list of choices."
    if any(isinstance(v, str) and len(v) > MAX_CHOICE_LENGTH for v in value):
        return f"A choice is too long (at most {MAX_CHOICE_LENGTH} characters)."
    allowed = {c.value for c in field.choices}
    bad = [v for v in value if v not in allowed]
    if bad and not field.open_choices:
        return f"Unknown choice: {clip(str(bad[0]))}."
    return None


@_validates(FieldKind.SCENES)
def _scenes(field: Field, value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return "Expected a list of scenes."
    if field.max_items is not None and len(value) > field.max_items:
        return f"At most {field.max_items} scenes."
    return None


@_validates(FieldKind.VARIABLES, FieldKind.SCHEMA_FORM)
def _mapping(field: Field, value: Any) -> str | None:
    return None if isinstance(value, Mapping) else "Expected a set of values."


__all__ = [
    "MAX_CHOICE_LENGTH", "MAX_URL_LENGTH", "VALIDATORS", "Field", "Validator", "clip",
    "is_empty", "url_problem",
]
