"""The words a spec is written in: the kinds of fields, durations, flows, actions and results,
choices, and the error a form's values raise."""

from __future__ import annotations

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


__all__ = [
    "Action", "Choice", "DurationKind", "FieldKind", "Flow", "ResultKind", "SpecError",
    "Values", "choices",
]
