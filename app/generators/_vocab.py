"""The words a spec is written in: the kinds of fields, durations, flows, actions and results,
choices, and the error a form's values raise."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Values = Mapping[str, Any]


class SpecError(ValueError):
    """The form values do not make a valid request; ``errors`` maps field -> message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    URL = "url"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    UUID = "uuid"
    PERSONA = "persona"          # avatar picker over /api/personas/
    ACCENT = "accent"            # voice/accent picker over /api/voices/
    MUSIC = "music"              # music picker over /api/musics/ (value: a URL)
    SCENES = "scenes"            # AI Avatar v2 scene list
    VARIABLES = "variables"      # Custom Template variables editor
    SCHEMA_FORM = "schema_form"  # Asset Generator input_params from a JSON Schema
    TEMPLATE = "template"        # a Custom Template id, picked from /api/custom_templates/
    INSPIRATION = "inspiration"  # an AI Ad Template id, picked from /api/inspirations/


class DurationKind(StrEnum):
    CHOICE = "choice"    # a chosen length field (e.g. video_length)
    SCRIPT = "script"    # words of a script at words-per-minute
    MEDIA = "media"      # the length of an audio/video input, entered by the user
    NONE = "none"        # not priced by time


class Flow(StrEnum):
    CREATE = "create"                  # one paid request, then poll
    PREVIEW_RENDER = "preview_render"  # a cheap preview, then a render of it
    COMPARE_STYLES = "compare_styles"  # previews of several visual styles, render one
    REGENERATE = "regenerate"          # a new job from a finished one (Product Video regen_*)


class Action(StrEnum):
    """Which client call submits this generator."""

    CREATE = "create"
    GEN_IMAGE = "gen_image"
    GEN_VIDEO = "gen_video"
    TEXT_GENERATE = "text_generate"
    CREATE_LINK = "create_link"


class ResultKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IMAGE = "image"
    TEXT = "text"
    LINK = "link"
    ASSET = "asset"  # image or video, per model


@dataclass(frozen=True, slots=True)
class Choice:
    value: Any
    label: str


def choices(*values: Any, labels: Mapping[Any, str] | None = None) -> tuple[Choice, ...]:
    labels = labels or {}
    return tuple(Choice(v, labels.get(v, str(v))) for v in values)


_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ACRONYMS = {"DIY", "CTA", "UGC", "AI"}


def readable_name(api_name: str) -> str:
    """An API name as a creator reads it: ``GreenScreenEffectTemplate`` → "Green screen
    effect", ``ProblemSolutionV2`` → "Problem solution", ``deep-blue`` → "Deep blue" (a
    trailing "Template" or version is the API's bookkeeping, not the style's name)."""
    words = _WORD_RE.findall(api_name.replace("-", " ").replace("_", " "))
    while len(words) > 1 and (words[-1] == "Template" or words[-1].isdigit()
                              or words[-1] in ("V", "v")):
        words.pop()
    if len(words) > 1 and words[-2:] == ["V", "2"]:
        words = words[:-2]
    if not words or words == ["V"]:
        return api_name
    shown = [w if w in _ACRONYMS else w.lower() for w in words]
    first = shown[0]
    shown[0] = first if first in _ACRONYMS else first[:1].upper() + first[1:]
    return " ".join(shown)


def readable_choices(*values: str, labels: Mapping[str, str] | None = None
                     ) -> tuple[Choice, ...]:
    """Choices whose labels are :func:`readable_name` of the API value (``labels`` where a
    better wording is known); the value sent stays the API's exactly."""
    labels = labels or {}
    return tuple(Choice(v, labels.get(v) or readable_name(v)) for v in values)


__all__ = [
    "Action", "Choice", "DurationKind", "FieldKind", "Flow", "ResultKind", "SpecError",
    "Values", "choices", "readable_choices", "readable_name",
]
