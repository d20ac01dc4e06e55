"""A form's values from the command line: ``--values FILE|-`` (a JSON object, as the window's
form holds it) and ``--set FIELD=VALUE`` (typed by the field's kind; ``FIELD.KEY=VALUE``
fills one input of a set of values such as the Asset Generator's ``input_params``).

A value the field does not accept is a usage error (exit 2) with the field's own message,
before anything is priced or sent.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.cli._exit import CliError, Exit
from app.generators import FieldKind, GeneratorSpec

MAX_VALUES_BYTES = 8 << 20

_JSON_KINDS = frozenset({FieldKind.SCENES, FieldKind.VARIABLES, FieldKind.SCHEMA_FORM,
                         FieldKind.MULTI_CHOICE})
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _json_or_text(text: str) -> Any:
    """A sub-value: JSON where it reads as JSON (numbers, lists, true), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def typed_value(spec: GeneratorSpec, name: str, text: str) -> Any:
    """``text`` as the value field ``name`` holds (a number, a choice's own type, a list…)."""
    kind = spec.field(name).kind
    field = spec.field(name)
    if kind in _JSON_KINDS:
        try:
            return json.loads(text)
        except ValueError:
            if kind is FieldKind.MULTI_CHOICE:
                return [part.strip() for part in text.split(",") if part.strip()]
            raise CliError(f"--set {name}: expected JSON ({kind.value}).", Exit.USAGE) from None
    if kind in (FieldKind.INT, FieldKind.FLOAT):
        try:
            number = float(text)
        except ValueError:
            raise CliError(f"--set {name}: {text[:40]!r} is not a number.", Exit.USAGE) from None
        return int(number) if kind is FieldKind.INT and number.is_integer() else number
    if kind is FieldKind.BOOL:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise CliError(f"--set {name}: expected yes or no.", Exit.USAGE)
    if kind is FieldKind.CHOICE:
        for choice in field.choices:  # a choice of numbers (a length) keeps its type
            if str(choice.value) == text or choice.label == text:
                return choice.value
    return text


def read_values(source: str) -> dict[str, Any]:
    """A JSON object of form values from a file, or from stdin for ``-``."""
    try:
        if source == "-":
            text = sys.stdin.read(MAX_VALUES_BYTES + 1)
        else:
            path = Path(source)
            if path.stat().st_size > MAX_VALUES_BYTES:
                raise CliError(f"--values {source}: the file is over 8 MB.", Exit.USAGE)
            text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"--values {source}: {exc.strerror or exc}.", Exit.USAGE) from None
    except UnicodeDecodeError:
        raise CliError(f"--values {source}: not UTF-8 text.", Exit.USAGE) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(f"--values {source}: not JSON ({exc}).", Exit.USAGE) from None
    if not isinstance(data, dict):
        raise CliError(f"--values {source}: expected a JSON object of field: value.",
                       Exit.USAGE)
    return data


def form_values(spec: GeneratorSpec, values_file: str | None,
                settings: Sequence[str]) -> dict[str, Any]:
    """The spec's defaults, then the ``--values`` file, then each ``--set`` in order."""
    values = dict(spec.defaults())
    if values_file is not None:
        values.update(read_values(values_file))
    names = {f.name for f in spec.fields}
    for item in settings:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set {item!r}: expected FIELD=VALUE.", Exit.USAGE)
        head, dot, sub = name.partition(".")
        if head not in names:
            raise CliError(f"{spec.key} has no field {head!r}; its fields: "
                           f"{', '.join(sorted(names))}.", Exit.USAGE)
        if dot:
            inner = values.get(head)
            inner = dict(inner) if isinstance(inner, dict) else {}
            inner[sub] = _json_or_text(text)
            values[head] = inner
        else:
            values[head] = typed_value(spec, head, text)
    unknown = sorted(set(values) - names)
    if unknown:
        raise CliError(f"{spec.key} has no field {unknown[0]!r}; its fields: "
                       f"{', '.join(sorted(names))}.", Exit.USAGE)
    return values


def field_problems(spec: GeneratorSpec, problems: dict[str, str]) -> str:
    """The form's findings as one message naming each field."""
    parts = []
    for name, message in problems.items():
        label = ""
        if name:
            try:
                label = f"{name} ({spec.field(name).label}): "
            except KeyError:
                label = f"{name}: "
        parts.append(label + message)
    return "; ".join(parts)


__all__ = ["field_problems", "form_values", "read_values", "typed_value"]
