"""Specs around a product page: Links (which make the Link the others use), URL to Video
and its captions, and Ad Clone."""

from __future__ import annotations

from typing import Any

from app.api import resources as R
from app.generators._common import (
    AURORA_MODELS,
    CAPTION_STYLES,
    LANGUAGES,
    MAX_COMPARED_STYLES,
    SCRIPT_STYLES,
    TARGET_PLATFORMS,
    URL_TO_VIDEO_MODELS,
    VIDEO_LENGTHS,
    VISUAL_STYLES,
    _aspect,
    _link_check,
    _music,
    _name,
    _product_page,
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
    plain_body,
)

# ---------------------------------------------------------------------------- Links

LINKS = GeneratorSpec(
    key="links",
    title_fields=("url",),
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
    title_fields=("product_url", "link"),
    title="URL to Video",
    billing_row="URL to Video",
    resource=R.LINK_TO_VIDEOS,
    description="Turn a product page (a Link) into a short video ad.",
    fields=(
        *_product_page(),
        _name(),
        Field("video_length", "Length", FieldKind.CHOICE, default=30, choices=VIDEO_LENGTHS,
              aliases=("length", "duration", "seconds", "video length")),
        _aspect("16x9"),
        Field("language", "Language", FieldKind.CHOICE, default="en", choices=LANGUAGES,
              open_choices=True, aliases=("lang",)),
        Field("target_platform", "Platform", FieldKind.CHOICE, choices=TARGET_PLATFORMS,
              open_choices=True),
        Field("target_audience", "Audience", max_length=500),
        Field("script_style", "Script style", FieldKind.CHOICE, choices=SCRIPT_STYLES,
              open_choices=True, aliases=("script style",),
              help="Names as Creatify writes them; others may be typed."),
        Field("visual_style", "Visual style", FieldKind.CHOICE, default="AvatarBubbleTemplate",
              choices=VISUAL_STYLES, open_choices=True,
              aliases=("style", "visual style", "template"),
              flows=(Flow.CREATE, Flow.PREVIEW_RENDER)),
        Field("visual_styles", "Styles to compare", FieldKind.MULTI_CHOICE, required=True,
              default=("AvatarBubbleTemplate", "FullScreenTemplate"), choices=VISUAL_STYLES,
              min_items=2, max_items=MAX_COMPARED_STYLES, wire="", open_choices=True,
              flows=(Flow.COMPARE_STYLES,),
              help="A preview is made for each style (1 credit per 30 s each); you then render "
                   "the one you like."),
        Field("override_avatar", "Avatar", FieldKind.PERSONA,
              aliases=("avatar", "persona", "creator")),
        Field("override_voice", "Voice", FieldKind.ACCENT, aliases=("voice", "accent")),
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
    refund_models=AURORA_MODELS,
    check=_link_check,
    link_maker=LINKS,
    link_field="link",
    url_field="product_url",
    default_page_target=True,
    style_field="visual_style",
    styles_field="visual_styles",
    batch_fields=("video_length", "aspect_ratio", "visual_style", "script_style",
                  "override_avatar", "override_voice", "language", "name"),
)



# ---------------------------------------------------------------------------- Ad Clone

AD_CLONE = GeneratorSpec(
    key="ad_clone",
    title_fields=("product_url", "link", "video_url"),
    title="Ad Clone",
    billing_row="Ad Clone",
    resource=R.ADS_CLONE,
    description="Remake a reference ad for your product.",
    fields=(
        *_product_page(),
        Field("video_url", "Reference ad URL", FieldKind.URL, required=True,
              aliases=("reference", "reference ad", "reference video", "ad url")),
        _aspect("9x16"),
        Field("language", "Language", FieldKind.CHOICE, choices=LANGUAGES, open_choices=True,
              aliases=("lang",), help="Leave empty to keep the reference's language."),
    ),
    duration=DurationSource(DurationKind.MEDIA, "video_url", 30, "Reference video length",
                            note="Billed per started 5 s of the reference video: enter its "
                                 "length."),
    price_rule="ad_clone",
    result_kind=ResultKind.VIDEO,
    expected_seconds=900,
    check=_link_check,
    link_maker=LINKS,
    link_field="link",
    url_field="product_url",
    batch_fields=("video_url", "aspect_ratio", "language"),
)

