"""The behaviour table: everything that differs between resources, in one place — the
fields each accepts, its cross-field check, price, billed length, output and schedule.

:data:`BEHAVIOURS` holds the built-in resources; :func:`with_behaviours` adds a family a
caller brings (``Sandbox(behaviours=...)``), served by the generic job handlers.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.api import resources as res
from app.api.resources import ProgressForm, Resource
from app.sandbox.billing import (
    AURORA_V2_RATES,
    IMAGE_AD_PRICE,
    ads_clone_price,
    asset_price,
    asset_reference_length,
    aurora_price,
    flat,
    inspiration_price,
    link_video_length,
    lipsync_length,
    lipsync_v2_length,
    media_field_length,
    script_length,
    template_length,
    text_price,
    tts_price,
    video_price,
)
from app.sandbox.catalogue import AI_SHORTS_STYLES, EDITING_STYLES, VIDEO_LENGTHS
from app.sandbox.jobs import (
    ASSET_STEPS,
    ASSETS_OUTPUT,
    AUDIO_OUTPUT,
    BANNERS_OUTPUT,
    IMAGE_STEPS,
    INSPIRATION_OUTPUT,
    LIPSYNC_OUTPUT,
    PHOTO_OUTPUT,
    RUNNING_STEPS,
    SCRIPTS_OUTPUT,
    TEXT_OUTPUT,
    TEXT_STEPS,
    Behaviour,
    Charge,
)
from app.sandbox.schema_check import check_asset, check_inspiration
from app.sandbox.validation import (
    F,
    anything,
    aspect,
    boolean,
    check_ai_script,
    check_aurora,
    check_link,
    check_lipsync,
    check_scenes,
    check_template,
    choice,
    image_file,
    json_object,
    list_of,
    number,
    text,
    url,
)

# --------------------------------------------------------------------------------------------
# Request bodies per resource

_WEBHOOK = F("webhook_url", url(200))
_NAME = F("name", text(255))
_ASPECT = F("aspect_ratio", aspect)
_MODEL_VERSION = F("model_version", choice("standard", "aurora_v1", "aurora_v1_fast"))
_VOLUMES = (F("background_music_volume", number(0, 1)),
            F("voiceover_volume", number(0, 1)))
_CAPTION = F("caption_setting", json_object)
_CAPTION_OFFSETS = (F("caption_offset_x", text()), F("caption_offset_y", text()))

_LINK_TO_VIDEO_COMMON = (
    F("link", text(), required=True), _NAME, F("target_platform", text()),
    F("target_audience", text()), F("language", text(16)),
    F("video_length", choice(*VIDEO_LENGTHS)), _ASPECT, F("script_style", text()),
    F("override_avatar", text()), F("override_avatar_by_image", text()),
    F("override_voice", text()), F("override_script", text()),
    F("background_music_url", url(255)), *_VOLUMES,
    F("caption_style", text()), *_CAPTION_OFFSETS, _CAPTION, F("no_caption", boolean),
    F("no_background_music", boolean), F("no_emotion", boolean), F("no_cta", boolean),
    F("no_stock_broll", boolean),
    F("model_version", choice("standard", "aurora_v1", "aurora_v1_fast", "aurora_v2", "boreal")),
    _WEBHOOK)
LINK_TO_VIDEO_FIELDS = (*_LINK_TO_VIDEO_COMMON, F("visual_style", text()))
PREVIEW_LIST_FIELDS = (*_LINK_TO_VIDEO_COMMON,
                       F("visual_styles", list_of(text(), min_items=1, max_items=6),
                         required=True),
                       F("aspect_ratios", list_of(aspect, min_items=1, max_items=3)))
LIPSYNC_FIELDS = (
    F("creator", text(), required=True), F("text", text(3600)), F("audio", url()),
    F("accent", text()), _ASPECT, _NAME, F("green_screen", boolean),
    F("transparent_background", boolean), F("no_caption", boolean), F("no_music", boolean),
    F("caption_style", text()), F("caption_position", choice("center")), *_CAPTION_OFFSETS,
    F("background_asset_image_url", url()), _MODEL_VERSION, _WEBHOOK)
LIPSYNC_V2_FIELDS = (
    F("video_inputs", list_of(json_object, min_items=1), required=True), _ASPECT, _NAME,
    F("background_music", json_object), F("cta_end", json_object), _MODEL_VERSION, _WEBHOOK)
AURORA_FIELDS = (
    F("image", url(), required=True), F("audio", url(), required=True), _NAME,
    F("text_prompt", text()), F("prompt_guidance_scale", number(0, 10)),
    F("model_version", choice("aurora_v1", "aurora_v1_fast", "aurora_v2")),
    F("resolution", choice(*AURORA_V2_RATES)), F("ttl_days", number(1)),
    F("output_upload_url", url()), _WEBHOOK)
TEMPLATE_FIELDS = (F("template_id", text(), required=True),
                   F("variables", json_object, required=True), _NAME, _MODEL_VERSION,
                   F("is_hidden", boolean), _WEBHOOK)
TEMPLATE_RENDER_FIELDS = tuple(F(f.name, f.check) for f in TEMPLATE_FIELDS)
"""A template render's body (the docs' example repeats the job's fields): all optional."""
LEGACY_TEMPLATE_FIELDS = (F("visual_style", text(), required=True),
                          F("data", json_object, required=True), _NAME, _WEBHOOK)
ASSET_FIELDS = (F("model_name", text(), required=True),
                F("input_params", json_object, required=True), _WEBHOOK)
INSPIRATION_JOB_FIELDS = (F("inspiration_id", text(), required=True),
                          F("input_params", anything, required=True), _WEBHOOK)
"""``input_params``: an object, or its JSON text in a form body (``check_inspiration``)."""
IAB_IMAGE_FIELDS = (F("image", image_file, required=True), _WEBHOOK)
TTS_FIELDS = (F("script", text(8000), required=True), F("accent", text()), _WEBHOOK)
AI_SCRIPT_FIELDS = (
    F("url", url()), F("title", text()), F("description", text()), F("language", text(16)),
    F("target_audience", text()), F("video_length", choice(*VIDEO_LENGTHS)),
    F("script_styles", list_of(text(), max_items=5)))
AI_SHORTS_FIELDS = (
    F("script", text(), required=True), F("aspect_ratio", aspect, required=True),
    F("style", choice(*AI_SHORTS_STYLES), required=True), F("accent", text()),
    _CAPTION, F("background_music_url", url()), *_VOLUMES, _NAME, _WEBHOOK)
AI_EDITING_FIELDS = (
    F("video_url", url(255), required=True),
    F("editing_style", choice(*EDITING_STYLES), required=True),
    _CAPTION, F("background_music_url", url()), *_VOLUMES, _WEBHOOK)
PRODUCT_IMAGE_FIELDS = (
    F("product_url", url(200), required=True),
    F("type", choice("product_anyshot", "product_avatar")), _ASPECT,
    F("image_prompt", text()), F("override_avatar", text()),
    F("product_showcase_url", url()), _WEBHOOK)
PRODUCT_VIDEO_FIELDS = (F("motion_style", choice("talking", "display"), required=True),
                        F("video_prompt", text()), _WEBHOOK)
REGEN_IMAGE_FIELDS = (F("image_prompt", text()), _WEBHOOK)
ADS_CLONE_FIELDS = (F("link", text(), required=True), F("video_url", url(), required=True),
                    _ASPECT, F("language", text(16)), _WEBHOOK)
LINK_FIELDS = (F("url", url(1000), required=True),)
LINK_PARAM_FIELDS = (
    F("title", text(1000)), F("description", text()), F("image_urls", list_of(url())),
    F("video_urls", list_of(url())), F("reviews", anything), F("logo_url", url(200)))
PERSONA_FIELDS = (F("gender", choice("m", "f", "nb"), required=True),
                  F("creator_name", text(255), required=True), F("video_scene", text(255)),
                  F("keywords", text(255)), F("lipsync_input", anything),
                  F("consent_video", anything), F("labels", list_of(text())), _WEBHOOK,
                  F("gdown_url", url()))
VOICE_CLONE_FIELDS = (F("original_audio_url", url(1000), required=True), _NAME)
TEXT_GENERATOR_FIELDS = ("model_name", "messages", "system_instruction", "config", "tools",
                         "tool_config", "webhook_url")
"""What a text generation echoes (its errors have their own shape: see ``handlers.text``)."""


# --------------------------------------------------------------------------------------------
# The table


_HIDDEN = {"is_hidden": False, "media_job": None}
_PREVIEWED = {**_HIDDEN, "preview": None, "editor_url": None}
_APP_JOB = {**_PREVIEWED, "permission_type": "private", "user": None, "workspace": None,
            "created_from_api": True}


def _behaviours() -> dict[str, Behaviour]:
    table = (
        Behaviour(res.LINK_TO_VIDEOS, 90, LINK_TO_VIDEO_FIELDS, video_price,
                  link_video_length, previewable=True, check=check_link,
                  defaults={"video_length": 30, "aspect_ratio": "16x9"},
                  extra={**_PREVIEWED, "previews": []}),
        Behaviour(res.LIPSYNCS, 60, LIPSYNC_FIELDS, video_price, lipsync_length,
                  LIPSYNC_OUTPUT, progress_scale=1, previewable=True, check=check_lipsync,
                  defaults={"aspect_ratio": "16x9"}, extra=_PREVIEWED),
        Behaviour(res.LIPSYNCS_V2, 60, LIPSYNC_V2_FIELDS, video_price, lipsync_v2_length,
                  LIPSYNC_OUTPUT, progress_scale=1, previewable=True, check=check_scenes,
                  defaults={"aspect_ratio": "9x16"}, extra=_PREVIEWED),
        Behaviour(res.AURORA, 120, AURORA_FIELDS, aurora_price, media_field_length("audio"),
                  steps=RUNNING_STEPS, progress_scale=1, charge=Charge.AT_START,
                  check=check_aurora, defaults={"model_version": "aurora_v1"},
                  extra=_PREVIEWED, no_reason=""),
        Behaviour(res.CUSTOM_TEMPLATE_JOBS, 90, TEMPLATE_FIELDS, video_price,
                  template_length, previewable=True, check=check_template,
                  extra=_PREVIEWED, no_reason=""),
        Behaviour(res.ASSET_GENERATOR, 60, ASSET_FIELDS, asset_price,
                  asset_reference_length, ASSETS_OUTPUT,
                  steps=ASSET_STEPS, check=check_asset),
        Behaviour(res.TEXT_GENERATOR, 5, (), text_price, None, TEXT_OUTPUT, steps=TEXT_STEPS,
                  extra={"response_function_calls": []}),
        Behaviour(res.TEXT_TO_SPEECH, 10, TTS_FIELDS, tts_price, script_length,
                  AUDIO_OUTPUT, extra=_HIDDEN),
        Behaviour(res.AI_SCRIPTS, 0, AI_SCRIPT_FIELDS, flat(1), None, SCRIPTS_OUTPUT,
                  check=check_ai_script),
        Behaviour(res.AI_SHORTS, 90, AI_SHORTS_FIELDS, video_price, script_length,
                  previewable=True, extra=_APP_JOB),
        Behaviour(res.AI_EDITING, 90, AI_EDITING_FIELDS, video_price,
                  media_field_length("video_url"), previewable=True, extra=_APP_JOB),
        Behaviour(res.PRODUCT_TO_VIDEOS, 30, PRODUCT_IMAGE_FIELDS, flat(2), None,
                  PHOTO_OUTPUT, steps=IMAGE_STEPS, success="image_generated",
                  defaults={"type": "product_anyshot"},
                  extra={"generated_video_url": None, "regen_type": None,
                         "regen_source_id": None}),
        Behaviour(res.ADS_CLONE, 120, ADS_CLONE_FIELDS, ads_clone_price,
                  media_field_length("video_url"), charge=Charge.GRADUAL, check=check_link,
                  defaults={"aspect_ratio": "9x16"}),
        Behaviour(res.INSPIRATION_JOBS, 60, INSPIRATION_JOB_FIELDS, inspiration_price, None,
                  INSPIRATION_OUTPUT, steps=TEXT_STEPS, check=check_inspiration,
                  defaults={"webhook_url": None}, no_reason=""),
        Behaviour(res.IAB_IMAGES, 30, IAB_IMAGE_FIELDS, flat(int(IMAGE_AD_PRICE)), None,
                  BANNERS_OUTPUT, defaults={"webhook_url": None}),
        Behaviour(LEGACY_TEMPLATES, 90, LEGACY_TEMPLATE_FIELDS, video_price,
                  lambda account, body: Decimal(30), previewable=True,
                  extra={"media_job": None, "preview": None}),
    )
    return {b.resource.key: b for b in table}


LEGACY_TEMPLATES = Resource(
    "custom_templates", "/api/custom_templates/",
    ("pending", "in_queue", "running", "failed", "done"), ("video_output",),
    ProgressForm.NUMBER, supports_ids=False, has_name=True, model_label="CustomTemplate")
"""The legacy (deprecated) ``POST /api/custom_templates/preview/`` + ``{id}/render/`` jobs:
the sandbox's own resource (the app does not use it)."""


BEHAVIOURS = _behaviours()


def with_behaviours(extra: Iterable[Behaviour]) -> dict[str, Behaviour]:
    """:data:`BEHAVIOURS` and ``extra``, by resource key. A key the sandbox already serves
    (a built-in job resource, Links) or given twice raises ``ValueError`` (a path already
    served is refused by ``routes``)."""
    table = dict(BEHAVIOURS)
    for b in extra:
        if not isinstance(b, Behaviour):
            raise TypeError(f"a sandbox behaviour must be a Behaviour, not {b!r}")
        key = b.resource.key
        if key in table or key == res.LINKS.key:
            raise ValueError(f"the sandbox already serves a resource {key!r}")
        table[key] = b
    return table


# --------------------------------------------------------------------------------------------
# Why a simulated failure or rejection ended a job

FAILED_REASONS = {
    "text_generator": "The model returned no candidates (simulated failure).",
    "asset_generator": "Generation failed: the model provider returned an error "
                       "(simulated failure).",
    "text_to_speech": "Speech synthesis failed (simulated failure).",
    "inspiration_jobs": "Generation failed: the template could not use the input image "
                        "(simulated failure).",
    "iab_images": "Banner generation failed: the image could not be read (simulated failure).",
}
DEFAULT_FAILED_REASON = "Video rendering failed: internal error (simulated failure)."
REJECTED_REASON = "Rejected by content moderation (simulated rejection)."

