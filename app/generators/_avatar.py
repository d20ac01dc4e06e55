"""Specs of a speaking person: AI Avatar (v1 and v2 with scenes), Aurora and Aurora Fast,
and the Custom Template (whose variables may name an avatar or a voice)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.api import resources as R
from app.generators._common import (
    AURORA_MODELS,
    CAPTION_STYLES,
    _aspect,
    _model_version,
    _music,
    _name,
)
from app.generators.spec import (
    DurationKind,
    DurationSource,
    Field,
    FieldKind,
    Flow,
    GeneratorSpec,
    ResultKind,
    Values,
    choices,
    clip,
    is_empty,
    plain_body,
    url_problem,
)

TEMPLATE_VARIABLE_TYPES = {
    "text": "content", "image": "url", "video": "url", "audio": "url",
    "avatar": "avatar_id", "voiceover": "voice_id",
}
"""Custom Template variable type -> the property that carries its value."""

MAX_SCENES = 20
MAX_SCENE_TEXT = 2000


# ---------------------------------------------------------------------------- AI Avatar

def _avatar_v1_check(values: Values) -> dict[str, str]:
    has_text = not is_empty(values.get("text"))
    has_audio = not is_empty(values.get("audio"))
    if has_text and has_audio:
        return {"audio": "Give a script or an audio URL, not both."}
    if not has_text and not has_audio:
        return {"text": "Write a script or give an audio URL."}
    return {}


AVATAR_V1 = GeneratorSpec(
    key="avatar_v1",
    title_fields=("text",),
    title="AI Avatar",
    billing_row="AI Avatar",
    resource=R.LIPSYNCS,
    description="An avatar speaks your script (or lip-syncs your audio).",
    fields=(
        Field("creator", "Avatar", FieldKind.PERSONA, required=True),
        Field("text", "Script", FieldKind.MULTILINE, max_length=3600),
        Field("audio", "…or audio URL", FieldKind.URL,
              help="An mp3/wav URL to lip-sync instead of a script."),
        Field("accent", "Voice", FieldKind.ACCENT),
        _aspect("16x9"),
        _name(),
        Field("green_screen", "Green screen", FieldKind.BOOL, default=False, advanced=True),
        Field("no_caption", "No captions", FieldKind.BOOL, default=False, advanced=True),
        Field("no_music", "No music", FieldKind.BOOL, default=False, advanced=True),
        Field("caption_style", "Caption style", FieldKind.CHOICE, choices=CAPTION_STYLES,
              open_choices=True, advanced=True),
        Field("background_asset_image_url", "Background image", FieldKind.URL, advanced=True),
        _model_version(),
    ),
    duration=DurationSource(DurationKind.SCRIPT, "text", None, "Video length",
                            note="Follows the script at your words-per-minute setting, or the "
                                 "audio's length (enter it)."),
    script_fields=("text",),
    check=_avatar_v1_check,
    price_rule="avatar",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER),
    model_field="model_version",
    refund_models=AURORA_MODELS,
)


def _scene_problems(values: Values) -> dict[str, str]:
    scenes = values.get("scenes")
    if not isinstance(scenes, list | tuple) or not scenes:
        return {}
    for number, scene in enumerate(scenes, start=1):
        if not isinstance(scene, Mapping):
            return {"scenes": f"Scene {number} is not filled in."}
        if is_empty(scene.get("avatar_id")):
            return {"scenes": f"Scene {number}: choose an avatar."}
        if is_empty(scene.get("voice_id")):
            return {"scenes": f"Scene {number}: choose a voice."}
        text = scene.get("input_text")
        if not isinstance(text, str) or not text.strip():
            return {"scenes": f"Scene {number}: write what the avatar says."}
        if len(text) > MAX_SCENE_TEXT:
            return {"scenes": f"Scene {number}: {len(text):,} characters "
                              f"(at most {MAX_SCENE_TEXT:,})."}
        background = scene.get("background_url")
        if not is_empty(background) and (problem := url_problem(str(background))):
            return {"scenes": f"Scene {number} background: {problem}"}
    return {}


def _avatar_v2_body(values: Values) -> dict[str, Any]:
    inputs = []
    for scene in values["scenes"]:
        item: dict[str, Any] = {
            "character": {"type": "avatar", "avatar_id": scene["avatar_id"],
                          "avatar_style": scene.get("avatar_style") or "normal"},
            "voice": {"type": "text", "input_text": scene["input_text"].strip(),
                      "voice_id": scene["voice_id"]},
        }
        if not is_empty(scene.get("background_url")):
            item["background"] = {"type": scene.get("background_type") or "image",
                                  "url": scene["background_url"].strip()}
        inputs.append(item)
    body = plain_body([f for f in AVATAR_V2_FIELDS if f.wire != ""], values)
    body["video_inputs"] = inputs
    music = body.pop("background_music_url", None)
    volume = body.pop("background_music_volume", None)
    if music:
        body["background_music"] = {"url": music, **({"volume": volume} if volume is not None
                                                     else {})}
    return body


AVATAR_V2_FIELDS = (
    Field("scenes", "Scenes", FieldKind.SCENES, required=True, max_items=MAX_SCENES, wire="",
          help="Each scene: an avatar, a voice and up to 2,000 characters of script."),
    _aspect("9x16"),
    _name(),
    *_music(),
    _model_version(),
)

AVATAR_V2 = GeneratorSpec(
    key="avatar_v2",
    title="AI Avatar v2",
    billing_row="AI Avatar",
    resource=R.LIPSYNCS_V2,
    description="Several scenes, each with its own avatar, voice and background.",
    fields=AVATAR_V2_FIELDS,
    duration=DurationSource(DurationKind.SCRIPT, "scenes", None, "Video length",
                            note="Follows all scenes' scripts at your words-per-minute setting."),
    script_fields=("scenes",),
    check=_scene_problems,
    build=_avatar_v2_body,
    price_rule="avatar",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER),
    model_field="model_version",
    refund_models=AURORA_MODELS,
)


# ---------------------------------------------------------------------------- Aurora

AURORA_RESOLUTIONS = choices("480p", "720p", "1080p", "2k")


def _aurora_fields(fast: bool) -> tuple[Field, ...]:
    fields = [
        Field("image", "Image URL", FieldKind.URL, required=True,
              help="A png, jpg or webp of the person or character."),
        Field("audio", "Audio URL", FieldKind.URL, required=True,
              help="An mp3 or wav: up to 5 minutes (Aurora 2.0: 59.7 s, 14.375 s at 2k)."),
        _name(),
        Field("text_prompt", "Prompt", FieldKind.MULTILINE, max_length=2000),
        Field("prompt_guidance_scale", "Prompt guidance", FieldKind.FLOAT, default=1.0,
              minimum=0, maximum=10, advanced=True),
    ]
    if not fast:
        fields += [
            Field("model_version", "Model", FieldKind.CHOICE, default="aurora_v1",
                  choices=choices("aurora_v1", "aurora_v2",
                                  labels={"aurora_v1": "Aurora", "aurora_v2": "Aurora 2.0"})),
            Field("resolution", "Resolution (Aurora 2.0)", FieldKind.CHOICE, default="720p",
                  choices=AURORA_RESOLUTIONS),
        ]
    return tuple(fields)


def _aurora_body(values: Values) -> dict[str, Any]:
    body = plain_body(AURORA.fields, values)
    if body.get("model_version") != "aurora_v2":
        body.pop("resolution", None)
    return body


def _aurora_price(values: Values) -> dict[str, Any]:
    model = values.get("model_version") or "aurora_v1"
    return {"model": model, "variant": values.get("resolution") if model == "aurora_v2" else None}


AURORA_MAX_AUDIO = 300.0
"""aurora_v1 and aurora_v1_fast take up to 5 minutes of audio."""
AURORA_V2_MAX_AUDIO = {"2k": 14.375}
AURORA_V2_MAX_AUDIO_DEFAULT = 59.7


def _aurora_limit(values: Values) -> float:
    """The longest audio the chosen model takes (Aurora 2.0: 59.7 s, 14.375 s at 2k)."""
    if values.get("model_version") == "aurora_v2":
        return AURORA_V2_MAX_AUDIO.get(str(values.get("resolution")),
                                       AURORA_V2_MAX_AUDIO_DEFAULT)
    return AURORA_MAX_AUDIO


_AURORA_LENGTH = DurationSource(DurationKind.MEDIA, "audio", 10, "Audio length",
                                maximum=AURORA_MAX_AUDIO,
                                note="Billed per started second of the audio (up to 5 minutes; "
                                     "Aurora 2.0: 59.7 s, 14.375 s at 2k).")

AURORA = GeneratorSpec(
    key="aurora",
    title_fields=("image",),
    title="Aurora",
    billing_row="Aurora",
    resource=R.AURORA,
    description="Animate a still image to speak an audio track, with studio quality.",
    fields=_aurora_fields(fast=False),
    duration=_AURORA_LENGTH,
    duration_limit=_aurora_limit,
    build=_aurora_body,
    price_details=_aurora_price,
    price_rule="aurora",
    refunded_on_failure=True,  # charged up front, refunded in full on failure
    result_kind=ResultKind.VIDEO,
    expected_seconds=900,
)


def _aurora_fast_body(values: Values) -> dict[str, Any]:
    return {**plain_body(AURORA_FAST.fields, values), "model_version": "aurora_v1_fast"}


AURORA_FAST = GeneratorSpec(
    key="aurora_fast",
    title_fields=("image",),
    title="Aurora Fast",
    billing_row="Aurora Fast",
    resource=R.AURORA,
    description="Aurora at half the price per second, faster and a little less polished.",
    fields=_aurora_fields(fast=True),
    duration=_AURORA_LENGTH,
    duration_limit=_aurora_limit,
    build=_aurora_fast_body,
    price_rule="aurora_fast",
    refunded_on_failure=True,  # charged up front, refunded in full on failure
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
)


# ---------------------------------------------------------------------------- Custom Template

def _template_check(values: Values) -> dict[str, str]:
    variables = values.get("variables")
    if not isinstance(variables, Mapping):
        return {}
    if not variables:
        return {"variables": "Add at least one template variable."}
    for name, spec in variables.items():
        if not str(name).strip():
            return {"variables": "A variable has no name."}
        if not isinstance(spec, Mapping) or not isinstance(spec.get("type"), str) \
                or spec["type"] not in TEMPLATE_VARIABLE_TYPES:
            kinds = ", ".join(TEMPLATE_VARIABLE_TYPES)
            return {"variables": f"Variable {clip(str(name))!r}: choose a type ({kinds})."}
        value = spec.get("value")
        if is_empty(value):
            return {"variables": f"Variable {clip(str(name))!r} has no value."}
        if TEMPLATE_VARIABLE_TYPES[spec["type"]] == "url" and (problem := url_problem(str(value))):
            return {"variables": f"Variable {clip(str(name))!r}: {problem}"}
    return {}


def _template_body(values: Values) -> dict[str, Any]:
    body = plain_body([f for f in CUSTOM_TEMPLATE.fields if f.name != "variables"], values)
    body["variables"] = {
        str(name).strip(): {"type": spec["type"],
                            "properties": {TEMPLATE_VARIABLE_TYPES[spec["type"]]:
                                           str(spec["value"]).strip()}}
        for name, spec in values["variables"].items()
    }
    return body


CUSTOM_TEMPLATE = GeneratorSpec(
    key="custom_template",
    title_fields=("template_id",),
    title="Custom Template",
    billing_row="Custom Template Video",
    resource=R.CUSTOM_TEMPLATE_JOBS,
    description="Fill the variables of a template made in Creatify's editor.",
    fields=(
        Field("template_id", "Template", FieldKind.TEMPLATE, required=True,
              help="Pick one of your templates (made in Creatify's editor), or paste its id."),
        Field("variables", "Variables", FieldKind.VARIABLES, required=True, default={},
              help="Name, type (text, image, video, audio, avatar, voiceover) and value."),
        _name(),
        _model_version(),
    ),
    duration=DurationSource(DurationKind.MEDIA, None, 30, "Template length",
                            note="The length follows the template: enter it."),
    check=_template_check,
    build=_template_body,
    price_rule="custom_template",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER),
    preview_async=True,  # the docs recommend it over the synchronous preview
    model_field="model_version",
    refund_models=AURORA_MODELS,
)

