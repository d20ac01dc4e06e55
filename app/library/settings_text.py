""""The settings that made it": a job's request body as a creator reads it.

Each key of the body sent is shown under its form field's label where the wire name maps back
to a field of the generator (``video_length`` → "Length"), with a choice's label for its value
(``AvatarBubbleTemplate`` → "Avatar bubble"); keys no field sends are shown under their wire
name made readable (``caption_style`` → "Caption style"). The order is the form's, then the
rest in the body's order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.generators import BY_KEY, GeneratorSpec

MAX_VALUE = 2000


def readable_name(wire: str) -> str:
    text = wire.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else wire


def _value_text(value: Any, spec: GeneratorSpec | None, wire: str) -> str:
    labels: dict[str, str] = {}
    if spec is not None:
        for f in spec.fields:
            if f.wire_name == wire:
                labels = {str(c.value): c.label for c in f.choices}
                break
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        if all(isinstance(v, str | int | float) for v in value):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return json.dumps(value, ensure_ascii=False)[:MAX_VALUE]
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)[:MAX_VALUE]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return labels.get(text, text)[:MAX_VALUE]


def readable_settings(generator: str, request: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of ``request`` as sent by generator ``generator``."""
    spec = BY_KEY.get(generator)
    lines: list[tuple[str, str]] = []
    done: set[str] = set()
    if spec is not None:
        for f in spec.fields:
            wire = f.wire_name
            if f.wire != "" and wire in request and wire not in done:
                done.add(wire)
                lines.append((f.label, _value_text(request[wire], spec, wire)))
    for wire, value in request.items():
        if wire not in done:
            lines.append((readable_name(wire), _value_text(value, spec, wire)))
    return lines


__all__ = ["readable_name", "readable_settings"]
