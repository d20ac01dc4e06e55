"""One :class:`GeneratorSpec` per row of Creatify's billing page.

Adding a generator is adding a spec here (plus a custom widget only when a field kind needs
one). Nothing else in the app may hold generator details.
"""

from __future__ import annotations

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
MODEL_VERSIONS = choices("standard", "aurora_v1", "aurora_v1_fast",
                         labels={"standard": "Standard", "aurora_v1": "Aurora (per second)",
                                 "aurora_v1_fast": "Aurora Fast (per second)"})
LANGUAGES = choices("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "ko", "zh", "ar", "hi",
                    labels={"en": "English", "es": "Spanish", "fr": "French", "de": "German",
                            "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
                            "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "ar": "Arabic",
                            "hi": "Hindi"})
SCRIPT_STYLES = choices("BenefitsV2", "DIY", "DiscoveryWriter", "ProblemSolutionV2",
                        "CallToActionV2", "EmotionalWriter", "HowToV2", "StoryTime")
MAX_COMPARED_STYLES = 6
VISUAL_STYLES = choices("AvatarBubbleTemplate", "GreenScreenEffectTemplate",
                        "FullScreenTemplate", "DynamicProductTemplate", "SimpleAvatarOverlay",
                        "VanillaTemplate")
TARGET_PLATFORMS = choices("TikTok", "Instagram", "YouTube", "Facebook", "Snapchat")
SHORTS_STYLES = choices("4K realistic", "3D", "Cinematic", "Cartoonish", "Line art",
                        "Pixel art", "Mysterious", "Steam punk", "Collage", "Kawaii")
EDITING_STYLES = choices("film", "commercial", "music", "tutorial", "vlog", "social")
TEXT_MODELS = choices("gemini-2.5-flash", "gemini-2.5-pro")

ASSET_MODELS: dict[str, dict[str, Any]] = {
    "kling-v1.6-pro": {"output": "video", "durations": (5, 10), "label": "Kling v1.6 Pro"},
    "veo-3.1": {"output": "video", "durations": (4, 6, 8), "label": "Veo 3.1"},
    "veo-3.1-fast": {"output": "video", "durations": (4, 6, 8), "label": "Veo 3.1 Fast"},
    "flux-pro-kontext": {"output": "image", "label": "FLUX.1 Kontext Pro"},
    "nano-banana": {"output": "image", "label": "Nano Banana"},
}
"""Asset models we know a price for (the form itself comes from each model's JSON Schema)."""

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
        Field("product_url", "Product page URL", FieldKind.URL, wire="",
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
    return Field(name, label, FieldKind.FLOAT, minimum=0, maximum=1, advanced=True)


def _music() -> tuple[Field, Field]:
    return (Field("background_music_url", "Background music", FieldKind.MUSIC, advanced=True),
            _volume("background_music_volume", "Music volume"))


# ---------------------------------------------------------------------------- URL to Video

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
              open_choices=True),
        Field("visual_style", "Visual style", FieldKind.CHOICE, default="AvatarBubbleTemplate",
              choices=VISUAL_STYLES, open_choices=True,
              flows=(Flow.CREATE, Flow.PREVIEW_RENDER)),
        Field("visual_styles", "Styles to compare", FieldKind.MULTI_CHOICE, required=True,
              default=("AvatarBubbleTemplate", "FullScreenTemplate"), choices=VISUAL_STYLES,
              min_items=2, max_items=MAX_COMPARED_STYLES, wire="",
              flows=(Flow.COMPARE_STYLES,),
              help="A preview is made for each style (1 credit per 30 s each); you then render "
                   "the one you like."),
        Field("override_avatar", "Avatar", FieldKind.PERSONA),
        Field("override_voice", "Voice", FieldKind.ACCENT),
        Field("override_script", "Script (optional)", FieldKind.MULTILINE, max_length=10000,
              help="Leave empty to let Creatify write it (AI Scripts can draft one)."),
        *_music(),
        _volume("voiceover_volume", "Voice volume"),
        Field("caption_style", "Caption style", advanced=True, max_length=100),
        Field("no_caption", "No captions", FieldKind.BOOL, default=False, advanced=True),
        Field("no_music", "No music", FieldKind.BOOL, default=False, advanced=True),
        _model_version(),
    ),
    duration=DurationSource(DurationKind.CHOICE, "video_length", 30, "Video length",
                            note="Billed on the finished video's length."),
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
        Field("text", "Script", FieldKind.MULTILINE, max_length=10000),
        Field("audio", "…or audio URL", FieldKind.URL,
              help="An mp3/wav URL to lip-sync instead of a script."),
        Field("accent", "Voice", FieldKind.ACCENT),
        _aspect("16x9"),
        _name(),
        Field("green_screen", "Green screen", FieldKind.BOOL, default=False, advanced=True),
        Field("no_caption", "No captions", FieldKind.BOOL, default=False, advanced=True),
        Field("no_music", "No music", FieldKind.BOOL, default=False, advanced=True),
        Field("caption_style", "Caption style", advanced=True, max_length=100),
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
              help="An mp3 or wav, at most 60 seconds."),
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


_AURORA_LENGTH = DurationSource(DurationKind.MEDIA, "audio", 10, "Audio length", maximum=60,
                                note="Billed per started second of the audio (60 s at most).")

AURORA = GeneratorSpec(
    key="aurora",
    title="Aurora",
    billing_row="Aurora",
    resource=R.AURORA,
    description="Animate a still image to speak an audio track, with studio quality.",
    fields=_aurora_fields(fast=False),
    duration=_AURORA_LENGTH,
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
        Field("template_id", "Template id", FieldKind.UUID, required=True),
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
    model_field="model_version",
)


# ---------------------------------------------------------------------------- Asset Generator

def _asset_check(values: Values) -> dict[str, str]:
    params = values.get("input_params")
    if not isinstance(params, Mapping):
        return {}
    prompt = params.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return {"input_params": "Write a prompt."}
    model = ASSET_MODELS.get(str(values.get("model_name")))
    duration = params.get("duration")
    if model and model["output"] == "video" and duration is not None \
            and duration not in model["durations"]:
        allowed = ", ".join(f"{d} s" for d in model["durations"])
        return {"input_params": f"Duration must be one of {allowed}."}
    return {}


def _asset_body(values: Values) -> dict[str, Any]:
    params = {k: v for k, v in dict(values["input_params"]).items() if not is_empty(v)}
    return {"model_name": values["model_name"], "input_params": params}


def _asset_price(values: Values) -> dict[str, Any]:
    name = str(values.get("model_name") or "")
    params = values.get("input_params")
    params = params if isinstance(params, Mapping) else {}
    model = ASSET_MODELS.get(name)
    if model is None:
        return {"model": name or None}
    if model["output"] == "image":
        count = params.get("num_images", 1)
        count = count if isinstance(count, int) and not isinstance(count, bool) else 1
        return {"model": name, "variant": "image", "count": max(count, 1)}
    duration = params.get("duration", model["durations"][-1])
    return {"model": name, "variant": f"{duration}s"}


ASSET_GENERATOR = GeneratorSpec(
    key="asset_generator",
    title="Asset Generator",
    billing_row="Asset Generator",
    resource=R.ASSET_GENERATOR,
    description="Images and clips from the latest models, priced per model and output.",
    fields=(
        Field("model_name", "Model", FieldKind.CHOICE, required=True, default="kling-v1.6-pro",
              choices=tuple(Choice(k, v["label"]) for k, v in ASSET_MODELS.items()),
              open_choices=True),
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
    fields=(Field("url", "Product page URL", FieldKind.URL, required=True),),
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
        Field("video_url", "Video URL", FieldKind.URL, required=True),
        Field("editing_style", "Editing style", FieldKind.CHOICE, required=True,
              default="film", choices=EDITING_STYLES, open_choices=True),
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

PRODUCT_IMAGE = GeneratorSpec(
    key="product_image",
    title="Product Video (image)",
    billing_row="Product Video (image)",
    resource=R.PRODUCT_TO_VIDEOS,
    description="Stage your product photo in a generated scene (step 1 of Product Video).",
    action=Action.GEN_IMAGE,
    fields=(
        Field("product_url", "Product image URL", FieldKind.URL, required=True,
              help="A direct link to the product's image."),
        Field("type", "Shot", FieldKind.CHOICE, default="product_anyshot",
              choices=choices("product_anyshot", "product_avatar",
                              labels={"product_anyshot": "Product shot",
                                      "product_avatar": "With an avatar"})),
        _aspect("9x16"),
        Field("image_prompt", "Image prompt", FieldKind.MULTILINE, max_length=2000),
        Field("override_avatar", "Avatar", FieldKind.PERSONA, advanced=True),
        Field("product_showcase_url", "Showcase image URL", FieldKind.URL, advanced=True),
    ),
    duration=DurationSource(DurationKind.NONE),
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
        Field("source_job", "Product image job", FieldKind.UUID, required=True, wire="",
              help="The id of a finished Product Video (image) job."),
        Field("motion_style", "Motion", FieldKind.CHOICE, default="display",
              choices=choices("display", "talking",
                              labels={"display": "Display", "talking": "Talking"})),
        Field("video_prompt", "Video prompt", FieldKind.MULTILINE, max_length=2000),
    ),
    duration=DurationSource(DurationKind.MEDIA, None, 15, "Expected video length",
                            note="Billed per started 30 s of the video Creatify makes."),
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
