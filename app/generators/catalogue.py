"""One :class:`GeneratorSpec` per row of Creatify's billing page.

Adding a generator is adding a spec here (plus a custom widget only when a field kind needs
one). Nothing else in the app may hold generator details.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from app.api import resources as R
from app.generators.spec import (
    Action,
    Choice,
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

ASPECT_RATIOS = choices("16x9", "9x16", "1x1",
                        labels={"16x9": "16:9 landscape", "9x16": "9:16 portrait",
                                "1x1": "1:1 square"})
VIDEO_LENGTHS = choices(15, 30, 45, 60, labels={15: "15 s", 30: "30 s", 45: "45 s", 60: "60 s"})
_MODEL_LABELS = {"standard": "Standard (5 credits per 30 s)",
                 "aurora_v1": "Aurora (1 credit per second)",
                 "aurora_v1_fast": "Aurora Fast (0.5 credit per second)",
                 "aurora_v2": "Aurora 2.0 (0.7 credit per second)",
                 "boreal": "Boreal (10 credits per 30 s)"}
MODEL_VERSIONS = choices("standard", "aurora_v1", "aurora_v1_fast", labels=_MODEL_LABELS)
"""``model_version`` on AI Avatar (v1, v2) and Custom Template: the values their pages list."""
URL_TO_VIDEO_MODELS = choices("standard", "aurora_v1", "aurora_v1_fast", "aurora_v2", "boreal",
                              labels=_MODEL_LABELS)
"""``model_version`` on URL to Video: its page also lists ``aurora_v2`` and ``boreal``."""
_LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ja": "Japanese", "ko": "Korean",
    "zh": "Chinese", "ar": "Arabic", "hi": "Hindi", "af": "Afrikaans", "bg": "Bulgarian",
    "cs": "Czech", "da": "Danish", "el": "Greek", "fi": "Finnish", "hr": "Croatian",
    "id": "Indonesian", "ms": "Malay", "ro": "Romanian"}
LANGUAGES = choices(*_LANGUAGE_NAMES, labels=_LANGUAGE_NAMES)
"""ISO-639-1 codes: the docs' (partial) list and a few more; other codes may be typed."""
SCRIPT_STYLES = choices("BenefitsV2", "DIY", "DiscoveryWriter", "ProblemSolutionV2",
                        "CallToActionV2")
"""Script styles the docs name (their list is partial: other names may be typed)."""
MAX_COMPARED_STYLES = 6
VISUAL_STYLES = choices("AvatarBubbleTemplate", "GreenScreenEffectTemplate",
                        "SimpleAvatarOverlayTemplate", "DynamicProductTemplate",
                        "FullScreenTemplate", "QuickTransitionTemplate", "EnhancedVanillaTemplate",
                        "DynamicGreenScreenEffect", "FeatureHighlightTemplate")
"""Visual styles as the docs write them (their list is partial: other names may be typed)."""
CAPTION_STYLES = choices("normal-black", "normal-white", "normal-red", "normal-blue", "neo",
                         "brick", "frenzy", "verana", "mustard", "glow", "mint", "coolers", "bilo",
                         "toons", "deep-blue", "mystique", "caution", "duality")
TARGET_PLATFORMS = choices("TikTok", "Instagram", "YouTube", "Facebook", "Snapchat")
SHORTS_STYLES = choices("4K realistic", "3D", "Cinematic", "Cartoonish", "Line art",
                        "Pixel art", "Mysterious", "Steam punk", "Collage", "Kawaii")
EDITING_STYLES = choices("film", "geometric_gradient", "glitch", "glitter_gradient", "paper",
                         labels={"film": "Film", "geometric_gradient": "Geometric gradient",
                                 "glitch": "Glitch", "glitter_gradient": "Glitter gradient",
                                 "paper": "Paper"})
TEXT_MODELS = choices("gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview",
                      "gemini-3.1-pro-preview", "gemini-3.1-flash-lite-preview")
"""The Text Generator models the docs name (others may be typed)."""

def _prompt() -> dict[str, Any]:
    return {"type": "string", "title": "Prompt", "description": "What to generate."}


def _num_images() -> dict[str, Any]:
    return {"type": "integer", "title": "Number of images", "minimum": 1, "maximum": 4,
            "default": 1}


def _string_enum(title: str, values: tuple[str, ...], default: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "enum": list(values), "default": default}


KLING_O3_DURATIONS = tuple(str(n) for n in range(3, 16))

ASSET_MODELS: dict[str, dict[str, Any]] = {
    "veo3.1/fast": {
        "label": "Veo 3.1 Fast · text to video", "output": "video",
        "generation_type": "text_to_video", "priced_by": "duration",
        "durations": ("4", "6", "8"),
        "schema": {"type": "object", "required": ["prompt"], "properties": {
            "prompt": _prompt(),
            "duration": _string_enum("Duration (seconds)", ("4", "6", "8"), "8")}},
    },
    "kling-video/o3/pro/text-to-video": {
        "label": "Kling O3 Pro · text to video", "output": "video",
        "generation_type": "text_to_video", "priced_by": "duration",
        "durations": KLING_O3_DURATIONS,
        "schema": {"type": "object", "required": ["prompt"], "properties": {
            "prompt": _prompt(),
            "duration": _string_enum("Duration (seconds)", KLING_O3_DURATIONS, "5")}},
    },
    "nano-banana": {
        "label": "Nano Banana · text to image", "output": "image",
        "generation_type": "text_to_image", "priced_by": None,
        "schema": {"type": "object", "required": ["prompt"], "properties": {
            "prompt": _prompt(), "num_images": _num_images()}},
    },
    "nano-banana-pro": {
        "label": "Nano Banana Pro · text to image", "output": "image",
        "generation_type": "text_to_image", "priced_by": "resolution",
        "schema": {"type": "object", "required": ["prompt"], "properties": {
            "prompt": _prompt(),
            "resolution": _string_enum("Resolution", ("1K", "2K", "4K"), "1K"),
            "num_images": _num_images()}},
    },
    "flux-pro/kontext/text-to-image": {
        "label": "FLUX.1 Kontext Pro · text to image", "output": "image",
        "generation_type": "text_to_image", "priced_by": None,
        "schema": {"type": "object", "required": ["prompt"], "properties": {
            "prompt": _prompt(), "num_images": _num_images()}},
    },
}
"""Asset models we know a price for, with the JSON Schema of their ``input_params`` (the
names and types Creatify's ``GET /api/asset_generator/schemas/`` gives; the window prefers the
server's schema and falls back to this one). ``priced_by`` names the input whose value picks
the price cell; ``num_images`` multiplies it (prices are per output)."""
DEFAULT_ASSET_MODEL = "veo3.1/fast"


def asset_input_schema(model_name: str | None) -> dict[str, Any] | None:
    """The JSON Schema of ``model_name``'s ``input_params`` we know, or ``None``."""
    model = ASSET_MODELS.get(model_name or "")
    return None if model is None else copy.deepcopy(model["schema"])


TEMPLATE_VARIABLE_TYPES = {
    "text": "content", "image": "url", "video": "url", "audio": "url",
    "avatar": "avatar_id", "voiceover": "voice_id",
}
"""Custom Template variable type -> the property that carries its value."""

MAX_SCENES = 20
MAX_SCENE_TEXT = 2000


def _product_page() -> tuple[Field, Field]:
    """A Link id, or a product page URL from which a Link is made first (1 credit)."""
    return (
        Field("product_url", "Product page URL", FieldKind.URL, wire="", max_length=1000,
              help="Paste or drop the product page: a Link is made from it first (1 credit), "
                   "then the video. Or give a Link id below."),
        Field("link", "…or Link id", FieldKind.UUID,
              help="The top-level id of a Link already made on the Links tab."),
    )


def _link_check(values: Values) -> dict[str, str]:
    if is_empty(values.get("link")) and is_empty(values.get("product_url")):
        return {"product_url": "Give the product page URL (or a Link id)."}
    return {}


def _name() -> Field:
    return Field("name", "Job name", max_length=200, advanced=True,
                 help="Shown in Creatify's dashboard; the app also tags it to find the job.")


def _aspect(default: str) -> Field:
    return Field("aspect_ratio", "Aspect ratio", FieldKind.CHOICE, default=default,
                 choices=ASPECT_RATIOS)


def _model_version() -> Field:
    return Field("model_version", "Model", FieldKind.CHOICE, default="standard",
                 choices=MODEL_VERSIONS,
                 help="Aurora models are billed per second instead of per 30 s block.")


def _volume(name: str, label: str) -> Field:
    return Field(name, label, FieldKind.FLOAT, minimum=0, maximum=1, advanced=True,
                 help="From 0.0 to 1.0; empty keeps the style's default.")


def _music(max_length: int | None = None) -> tuple[Field, Field]:
    return (Field("background_music_url", "Background music", FieldKind.MUSIC, advanced=True,
                  max_length=max_length),
            _volume("background_music_volume", "Music volume"))


# ---------------------------------------------------------------------------- captions

CAPTION_SETTING_FIELDS: dict[str, tuple[str, ...]] = {
    # form field -> path inside the CaptionSetting object
    "caption_font_family": ("font_family",),
    "caption_font_size": ("font_size",),
    "caption_text_color": ("text_color",),
    "caption_highlight_color": ("highlight_text_color",),
    "caption_background_color": ("background_color",),
    "caption_offset_x": ("offset", "x"),
    "caption_offset_y": ("offset", "y"),
    "caption_hidden": ("hidden",),
}
"""The plain fields that build ``caption_setting`` (only what the user set is sent)."""


def _caption_fields() -> tuple[Field, ...]:
    colour = "A CSS colour such as #FFFFFF."
    offset = "Relative to the centre of the frame, from -0.5 to 0.5; empty keeps the style's."
    return (
        Field("caption_font_family", "Caption font", wire="", advanced=True, max_length=100,
              help="A font name such as Montserrat."),
        Field("caption_font_size", "Caption font size", FieldKind.INT, wire="", advanced=True,
              minimum=1, maximum=500),
        Field("caption_text_color", "Caption colour", wire="", advanced=True, max_length=50,
              help=colour),
        Field("caption_highlight_color", "Caption highlight colour", wire="", advanced=True,
              max_length=50, help=colour),
        Field("caption_background_color", "Caption background colour", wire="", advanced=True,
              max_length=50, help=colour),
        Field("caption_offset_x", "Caption offset (across)", FieldKind.FLOAT, wire="",
              advanced=True, minimum=-0.5, maximum=0.5, help=offset),
        Field("caption_offset_y", "Caption offset (down)", FieldKind.FLOAT, wire="",
              advanced=True, minimum=-0.5, maximum=0.5, help=offset),
        Field("caption_hidden", "Hide captions (keep their settings)", FieldKind.BOOL,
              default=False, wire="", advanced=True),
    )


def caption_setting(values: Values) -> dict[str, Any]:
    """The ``caption_setting`` object from the plain caption fields the user set."""
    setting: dict[str, Any] = {}
    for name, path in CAPTION_SETTING_FIELDS.items():
        value = values.get(name)
        if is_empty(value) or (name == "caption_hidden" and value is not True):
            continue
        target = setting
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value.strip() if isinstance(value, str) else value
    return setting


# ---------------------------------------------------------------------------- URL to Video

def _url_to_video_body(values: Values) -> dict[str, Any]:
    body = plain_body(URL_TO_VIDEO.fields, values)
    if setting := caption_setting(values):
        body["caption_setting"] = setting
    return body


URL_TO_VIDEO = GeneratorSpec(
    key="url_to_video",
    title="URL to Video",
    billing_row="URL to Video",
    resource=R.LINK_TO_VIDEOS,
    description="Turn a product page (a Link) into a short video ad.",
    fields=(
        *_product_page(),
        _name(),
        Field("video_length", "Length", FieldKind.CHOICE, default=30, choices=VIDEO_LENGTHS),
        _aspect("16x9"),
        Field("language", "Language", FieldKind.CHOICE, default="en", choices=LANGUAGES,
              open_choices=True),
        Field("target_platform", "Platform", FieldKind.CHOICE, choices=TARGET_PLATFORMS,
              open_choices=True),
        Field("target_audience", "Audience", max_length=500),
        Field("script_style", "Script style", FieldKind.CHOICE, choices=SCRIPT_STYLES,
              open_choices=True, help="Names as Creatify writes them; others may be typed."),
        Field("visual_style", "Visual style", FieldKind.CHOICE, default="AvatarBubbleTemplate",
              choices=VISUAL_STYLES, open_choices=True,
              flows=(Flow.CREATE, Flow.PREVIEW_RENDER)),
        Field("visual_styles", "Styles to compare", FieldKind.MULTI_CHOICE, required=True,
              default=("AvatarBubbleTemplate", "FullScreenTemplate"), choices=VISUAL_STYLES,
              min_items=2, max_items=MAX_COMPARED_STYLES, wire="", open_choices=True,
              flows=(Flow.COMPARE_STYLES,),
              help="A preview is made for each style (1 credit per 30 s each); you then render "
                   "the one you like."),
        Field("override_avatar", "Avatar", FieldKind.PERSONA),
        Field("override_voice", "Voice", FieldKind.ACCENT),
        Field("override_script", "Script (optional)", FieldKind.MULTILINE, max_length=10000,
              help="Leave empty to let Creatify write it (AI Scripts can draft one)."),
        *_music(max_length=255),
        _volume("voiceover_volume", "Voice volume"),
        Field("caption_style", "Caption style", FieldKind.CHOICE, choices=CAPTION_STYLES,
              open_choices=True, advanced=True),
        *_caption_fields(),
        Field("no_caption", "No captions", FieldKind.BOOL, default=False, advanced=True),
        Field("no_background_music", "No background music", FieldKind.BOOL, default=False,
              advanced=True),
        Field("no_emotion", "No emotion (plain voice-over)", FieldKind.BOOL, default=False,
              advanced=True),
        Field("no_cta", "No call to action at the end", FieldKind.BOOL, default=False,
              advanced=True),
        Field("no_stock_broll", "No stock b-roll footage", FieldKind.BOOL, default=False,
              advanced=True),
        Field("model_version", "Model", FieldKind.CHOICE, default="standard",
              choices=URL_TO_VIDEO_MODELS,
              help="Aurora models are billed per second; Boreal at 10 credits per 30 s."),
    ),
    duration=DurationSource(DurationKind.CHOICE, "video_length", 30, "Video length",
                            note="Billed on the finished video's length."),
    build=_url_to_video_body,
    price_rule="url_to_video",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
    flows=(Flow.CREATE, Flow.PREVIEW_RENDER, Flow.COMPARE_STYLES),
    model_field="model_version",
    check=_link_check,
    makes_link=True,
    url_field="product_url",
    batch_fields=("video_length", "aspect_ratio", "visual_style", "script_style",
                  "override_avatar", "override_voice", "language", "name"),
)


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
    result_kind=ResultKind.VIDEO,
    expected_seconds=900,
)


def _aurora_fast_body(values: Values) -> dict[str, Any]:
    return {**plain_body(AURORA_FAST.fields, values), "model_version": "aurora_v1_fast"}


AURORA_FAST = GeneratorSpec(
    key="aurora_fast",
    title="Aurora Fast",
    billing_row="Aurora Fast",
    resource=R.AURORA,
    description="Aurora at half the price per second, faster and a little less polished.",
    fields=_aurora_fields(fast=True),
    duration=_AURORA_LENGTH,
    duration_limit=_aurora_limit,
    build=_aurora_fast_body,
    price_rule="aurora_fast",
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
)


# ---------------------------------------------------------------------------- Asset Generator

def _as_text(value: Any) -> str | None:
    """``value`` as a string input takes it: text as is, a whole number as its digits (a form
    may hold ``duration`` 6 where the schema wants "6"); None for anything else."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) < 10**9:
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() \
            and abs(value) < 10**9:
        return str(int(value))
    return None


def _param_problem(name: str, schema: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit the input's JSON Schema (the subset our models use)."""
    title = str(schema.get("title") or name)
    kind = schema.get("type")
    enum = schema.get("enum")
    if kind == "string":
        text = _as_text(value)
        if text is None:
            return f"{title}: expected text."
        if isinstance(enum, list) and text not in enum:
            return f"{title} must be one of {', '.join(map(str, enum))}."
        return None
    if kind == "integer":
        whole = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)
                                           and value.is_integer())
        if isinstance(value, bool) or not whole:
            return f"{title}: expected a whole number."
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{title} must be from {low} to {high}."
    return None


def _asset_check(values: Values) -> dict[str, str]:
    params = values.get("input_params")
    if not isinstance(params, Mapping):
        return {}
    model = ASSET_MODELS.get(str(values.get("model_name")))
    if model is None:
        # A model the server lists but we have no schema for: the window's form follows the
        # server's schema; we only insist on some input (its price shows as unknown).
        if not any(not is_empty(v) for v in params.values()):
            return {"input_params": "Fill in the model's inputs."}
        return {}
    schema = model["schema"]
    for name in schema.get("required", ()):
        if is_empty(params.get(name)):
            title = schema["properties"].get(name, {}).get("title", name)
            return {"input_params": "Write a prompt." if name == "prompt"
                    else f"{title} is required."}
    for name, prop in schema["properties"].items():
        value = params.get(name)
        if not is_empty(value) and (problem := _param_problem(name, prop, value)):
            return {"input_params": problem}
    return {}


def _asset_params(model_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` in the schema's types (``duration`` 6 -> "6"), with the priced input filled
    from its default so what is sent is what was priced."""
    out = {str(k): (v.strip() if isinstance(v, str) else v) for k, v in params.items()
           if not is_empty(v)}
    model = ASSET_MODELS.get(model_name)
    if model is None:
        return out
    properties = model["schema"]["properties"]
    for name, prop in properties.items():
        value = out.get(name)
        if value is None:
            continue
        if prop.get("type") == "string" and (text := _as_text(value)) is not None:
            out[name] = text
        elif prop.get("type") == "integer" and isinstance(value, float) \
                and math.isfinite(value) and value.is_integer():
            out[name] = int(value)
    priced = model["priced_by"]
    if priced and priced not in out:
        out[priced] = properties[priced]["default"]
    return out


def _asset_body(values: Values) -> dict[str, Any]:
    name = str(values["model_name"]).strip()
    return {"model_name": name, "input_params": _asset_params(name, values["input_params"])}


def _asset_price(values: Values) -> dict[str, Any]:
    name = str(values.get("model_name") or "").strip()
    params = values.get("input_params")
    model = ASSET_MODELS.get(name)
    if model is None:
        return {"model": name or None}
    sent = _asset_params(name, params if isinstance(params, Mapping) else {})
    details: dict[str, Any] = {"model": name, "variant": None}
    priced = model["priced_by"]
    if priced:
        text = _as_text(sent[priced])
        option = "(not a valid choice)" if text is None else text
        details["variant"] = f"{option}s" if priced == "duration" and text is not None \
            else option
    if "num_images" in model["schema"]["properties"]:
        count = sent.get("num_images", 1)
        details["count"] = count if isinstance(count, int) and not isinstance(count, bool) \
            and count >= 1 else 1
    return details


ASSET_GENERATOR = GeneratorSpec(
    key="asset_generator",
    title="Asset Generator",
    billing_row="Asset Generator",
    resource=R.ASSET_GENERATOR,
    description="Images and clips from the latest models, priced per model and output.",
    fields=(
        Field("model_name", "Model", FieldKind.CHOICE, required=True,
              default=DEFAULT_ASSET_MODEL,
              choices=tuple(Choice(k, v["label"]) for k, v in ASSET_MODELS.items()),
              open_choices=True, max_length=255,
              help="Priced per output (× the number of images). Other models the server lists "
                   "can be chosen, but their price is not known yet."),
        Field("input_params", "Inputs", FieldKind.SCHEMA_FORM, required=True, default={},
              help="Built from the model's JSON Schema."),
    ),
    duration=DurationSource(DurationKind.NONE),
    check=_asset_check,
    build=_asset_body,
    price_details=_asset_price,
    price_rule="asset_generator",
    result_kind=ResultKind.ASSET,
    expected_seconds=600,
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
    result_kind=ResultKind.TEXT,
    expected_seconds=120,
)


# ---------------------------------------------------------------------------- Text to Speech

TEXT_TO_SPEECH = GeneratorSpec(
    key="text_to_speech",
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


# ---------------------------------------------------------------------------- Links

LINKS = GeneratorSpec(
    key="links",
    title="Links",
    billing_row="Links",
    resource=R.LINKS,
    description="Scrape a product page into a Link that the video generators use.",
    action=Action.CREATE_LINK,
    fields=(Field("url", "Product page URL", FieldKind.URL, required=True, max_length=1000),),
    duration=DurationSource(DurationKind.NONE),
    price_rule="links",
    result_kind=ResultKind.LINK,
    expected_seconds=60,
    url_field="url",
)


# ---------------------------------------------------------------------------- AI Shorts

AI_SHORTS = GeneratorSpec(
    key="ai_shorts",
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


# ---------------------------------------------------------------------------- Product Video

_FIRST_IMAGE = (Flow.CREATE,)

PRODUCT_IMAGE = GeneratorSpec(
    key="product_image",
    title="Product Video (image)",
    billing_row="Product Video (image)",
    resource=R.PRODUCT_TO_VIDEOS,
    description="Stage your product photo in a generated scene (step 1 of Product Video).",
    action=Action.GEN_IMAGE,
    fields=(
        Field("source_job", "Product image job", FieldKind.UUID, required=True, wire="",
              flows=(Flow.REGENERATE,),
              help="The id of the Product Video (image) job whose image to make again; the "
                   "new image is a new job."),
        Field("product_url", "Product image URL", FieldKind.URL, required=True, max_length=200,
              flows=_FIRST_IMAGE, help="A direct link to the product's image."),
        Field("type", "Shot", FieldKind.CHOICE, default="product_anyshot", flows=_FIRST_IMAGE,
              choices=choices("product_anyshot", "product_avatar",
                              labels={"product_anyshot": "Product shot",
                                      "product_avatar": "With an avatar"})),
        Field("aspect_ratio", "Aspect ratio", FieldKind.CHOICE, default="9x16",
              choices=ASPECT_RATIOS, flows=_FIRST_IMAGE),
        Field("image_prompt", "Image prompt", FieldKind.MULTILINE, max_length=2000),
        Field("override_avatar", "Avatar", FieldKind.PERSONA, advanced=True, flows=_FIRST_IMAGE),
        Field("product_showcase_url", "Showcase image URL", FieldKind.URL, advanced=True,
              flows=_FIRST_IMAGE),
    ),
    duration=DurationSource(DurationKind.NONE),
    flows=(Flow.CREATE, Flow.REGENERATE),
    regen_price_rule="product_image_regen",
    price_rule="product_image",
    result_kind=ResultKind.IMAGE,
    expected_seconds=300,
)

PRODUCT_VIDEO = GeneratorSpec(
    key="product_video",
    title="Product Video (video)",
    billing_row="Product Video (video)",
    resource=R.PRODUCT_TO_VIDEOS,
    description="Animate a finished product image (step 2 of Product Video).",
    action=Action.GEN_VIDEO,
    fields=(
        Field("source_job", "Product job", FieldKind.UUID, required=True, wire="",
              help="A new video: the id of a finished Product Video (image) job. Regenerate: "
                   "the id of the job whose video to make again (a new job, 1 credit)."),
        Field("motion_style", "Motion", FieldKind.CHOICE, default="display",
              choices=choices("display", "talking",
                              labels={"display": "Display", "talking": "Talking"})),
        Field("video_prompt", "Video prompt", FieldKind.MULTILINE, max_length=2000),
    ),
    duration=DurationSource(DurationKind.MEDIA, None, 15, "Expected video length",
                            note="Billed per started 30 s of the video Creatify makes."),
    flows=(Flow.CREATE, Flow.REGENERATE),
    regen_price_rule="product_video_regen",
    price_rule="product_video",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
)


# ---------------------------------------------------------------------------- Ad Clone

AD_CLONE = GeneratorSpec(
    key="ad_clone",
    title="Ad Clone",
    billing_row="Ad Clone",
    resource=R.ADS_CLONE,
    description="Remake a reference ad for your product.",
    fields=(
        *_product_page(),
        Field("video_url", "Reference ad URL", FieldKind.URL, required=True),
        _aspect("9x16"),
        Field("language", "Language", FieldKind.CHOICE, choices=LANGUAGES, open_choices=True,
              help="Leave empty to keep the reference's language."),
    ),
    duration=DurationSource(DurationKind.MEDIA, "video_url", 30, "Reference video length",
                            note="Billed per started 5 s of the reference video: enter its "
                                 "length."),
    price_rule="ad_clone",
    result_kind=ResultKind.VIDEO,
    expected_seconds=900,
    check=_link_check,
    makes_link=True,
    url_field="product_url",
    batch_fields=("video_url", "aspect_ratio", "language"),
)


SPECS: tuple[GeneratorSpec, ...] = (
    URL_TO_VIDEO, AVATAR_V1, AVATAR_V2, AURORA, AURORA_FAST, CUSTOM_TEMPLATE, ASSET_GENERATOR,
    TEXT_GENERATOR, TEXT_TO_SPEECH, AI_SCRIPTS, LINKS, AI_SHORTS, AI_EDITING, PRODUCT_IMAGE,
    PRODUCT_VIDEO, AD_CLONE,
)
"""Every generator, in the order of the billing page (the order of the window's tabs)."""

BY_KEY: dict[str, GeneratorSpec] = {s.key: s for s in SPECS}


def spec(key: str) -> GeneratorSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown generator {key!r}; known: {', '.join(BY_KEY)}") from None
