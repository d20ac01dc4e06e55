"""Specs of words and voice: Text Generator, Text to Speech, AI Scripts, and the two
deprecated video generators driven by a script or a video (AI Shorts, AI Editing)."""

from __future__ import annotations

from typing import Any

from app.api import resources as R
from app.generators._common import (
    EDITING_STYLES,
    LANGUAGES,
    SCRIPT_STYLES,
    SHORTS_STYLES,
    TEXT_MODELS,
    VIDEO_LENGTHS,
    _aspect,
    _music,
    _volume,
)
from app.generators.spec import (
    Action,
    DurationKind,
    DurationSource,
    Field,
    FieldKind,
    Flow,
    GeneratorSpec,
    ResultKind,
    Values,
    is_empty,
)

# ---------------------------------------------------------------------------- Text Generator

def _text_body(values: Values) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model_name": values["model_name"],
        "messages": [{"role": "user", "content": values["prompt"].strip()}],
    }
    if not is_empty(values.get("system_instruction")):
        body["system_instruction"] = values["system_instruction"].strip()
    config = {k: values[k] for k in ("temperature", "max_output_tokens")
              if not is_empty(values.get(k))}
    if config:
        body["config"] = config
    return body


TEXT_GENERATOR = GeneratorSpec(
    key="text_generator",
    title_fields=("prompt",),
    title="Text Generator",
    billing_row="Text Generator",
    resource=R.TEXT_GENERATOR,
    description="Ask a Gemini model; the answer streams in as it is written.",
    action=Action.TEXT_GENERATE,
    fields=(
        Field("model_name", "Model", FieldKind.CHOICE, required=True,
              default="gemini-2.5-flash", choices=TEXT_MODELS, open_choices=True),
        Field("prompt", "Prompt", FieldKind.MULTILINE, required=True, max_length=100_000),
        Field("system_instruction", "System instruction", FieldKind.MULTILINE,
              max_length=20_000, advanced=True),
        Field("temperature", "Temperature", FieldKind.FLOAT, minimum=0, maximum=2,
              advanced=True),
        Field("max_output_tokens", "Max output tokens", FieldKind.INT, minimum=1,
              maximum=65536, advanced=True),
    ),
    duration=DurationSource(DurationKind.NONE),
    build=_text_body,
    price_rule="text_generator",
    billed_by_tokens=True,  # the charge is known after the run (credits_used)
    result_kind=ResultKind.TEXT,
    expected_seconds=120,
)


# ---------------------------------------------------------------------------- Text to Speech

TEXT_TO_SPEECH = GeneratorSpec(
    key="text_to_speech",
    title_fields=("script",),
    title="Text to Speech",
    billing_row="Text to Speech",
    resource=R.TEXT_TO_SPEECH,
    description="A voice reads your script; you get an audio file.",
    fields=(
        Field("script", "Script", FieldKind.MULTILINE, required=True, max_length=8000),
        Field("accent", "Voice", FieldKind.ACCENT, required=True),
    ),
    duration=DurationSource(DurationKind.SCRIPT, "script", None, "Audio length",
                            note="Follows the script at your words-per-minute setting."),
    script_fields=("script",),
    price_rule="text_to_speech",
    result_kind=ResultKind.AUDIO,
    expected_seconds=300,
)


# ---------------------------------------------------------------------------- AI Scripts

def _scripts_check(values: Values) -> dict[str, str]:
    has_url = not is_empty(values.get("url"))
    has_text = not is_empty(values.get("title")) and not is_empty(values.get("description"))
    if not has_url and not has_text:
        return {"url": "Give a product URL, or a title and a description."}
    return {}


AI_SCRIPTS = GeneratorSpec(
    key="ai_scripts",
    title_fields=("url",),
    title="AI Scripts",
    billing_row="AI Scripts",
    resource=R.AI_SCRIPTS,
    description="Draft ad scripts from a product page or a short description.",
    fields=(
        Field("url", "Product URL", FieldKind.URL),
        Field("title", "…or product title", max_length=500),
        Field("description", "Product description", FieldKind.MULTILINE, max_length=5000),
        Field("language", "Language", FieldKind.CHOICE, default="en", choices=LANGUAGES,
              open_choices=True),
        Field("target_audience", "Audience", max_length=500),
        Field("video_length", "Video length", FieldKind.CHOICE, default=30,
              choices=VIDEO_LENGTHS),
        Field("script_styles", "Styles", FieldKind.MULTI_CHOICE, default=[],
              choices=SCRIPT_STYLES, max_items=5, open_choices=True),
    ),
    duration=DurationSource(DurationKind.NONE),
    check=_scripts_check,
    price_rule="ai_scripts",
    result_kind=ResultKind.TEXT,
    expected_seconds=120,
)



# ---------------------------------------------------------------------------- AI Shorts

AI_SHORTS = GeneratorSpec(
    key="ai_shorts",
    title_fields=("script",),
    title="AI Shorts",
    billing_row="AI Shorts",
    resource=R.AI_SHORTS,
    description="A short video drawn from your script in one visual style.",
    deprecated=True,
    fields=(
        Field("script", "Script", FieldKind.MULTILINE, required=True, max_length=10000),
        _aspect("9x16"),
        Field("style", "Style", FieldKind.CHOICE, required=True, default="Cinematic",
              choices=SHORTS_STYLES),
        Field("accent", "Voice", FieldKind.ACCENT),
        *_music(),
        _volume("voiceover_volume", "Voice volume"),
    ),
    duration=DurationSource(DurationKind.SCRIPT, "script", None, "Video length",
                            note="Follows the script at your words-per-minute setting."),
    script_fields=("script",),
    price_rule="ai_shorts",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER),
)


# ---------------------------------------------------------------------------- AI Editing

AI_EDITING = GeneratorSpec(
    key="ai_editing",
    title_fields=("video_url",),
    title="AI Editing",
    billing_row="AI Editing",
    resource=R.AI_EDITING,
    description="Creatify edits your footage in a chosen style.",
    deprecated=True,
    fields=(
        Field("video_url", "Video URL", FieldKind.URL, required=True, max_length=255),
        Field("editing_style", "Editing style", FieldKind.CHOICE, required=True,
              default="film", choices=EDITING_STYLES),
        *_music(),
        _volume("voiceover_volume", "Voice volume"),
    ),
    duration=DurationSource(DurationKind.MEDIA, "video_url", 30, "Video length",
                            note="Billed on the video's length: enter it."),
    price_rule="ai_editing",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER),
)

