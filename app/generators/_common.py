"""What several specs share: the choice lists the docs give, and the fields more than one
generator asks for (a product page or its Link, a job name, an aspect ratio, a model, music)."""

from __future__ import annotations

from app.generators._vocab import readable_choices
from app.generators.spec import (
    Field,
    FieldKind,
    Values,
    choices,
    is_empty,
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
SCRIPT_STYLES = readable_choices("BenefitsV2", "DIY", "DiscoveryWriter", "ProblemSolutionV2",
                                 "CallToActionV2",
                                 labels={"ProblemSolutionV2": "Problem and solution"})
"""Script styles the docs name (their list is partial: other names may be typed), shown by
readable names and sent as the docs write them."""
MAX_COMPARED_STYLES = 6
VISUAL_STYLES = readable_choices("AvatarBubbleTemplate", "GreenScreenEffectTemplate",
                                 "SimpleAvatarOverlayTemplate", "DynamicProductTemplate",
                                 "FullScreenTemplate", "QuickTransitionTemplate",
                                 "EnhancedVanillaTemplate", "DynamicGreenScreenEffect",
                                 "FeatureHighlightTemplate")
"""Visual styles as the docs write them (their list is partial: other names may be typed),
shown by readable names ("Green screen effect")."""
CAPTION_STYLES = readable_choices("normal-black", "normal-white", "normal-red", "normal-blue",
                                  "neo", "brick", "frenzy", "verana", "mustard", "glow", "mint",
                                  "coolers", "bilo", "toons", "deep-blue", "mystique", "caution",
                                  "duality")
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
AURORA_MODELS = ("aurora",)
"""``model_version`` values starting with these are Aurora-priced: charged up front and
refunded in full when the job fails (``GeneratorSpec.refund_models``)."""


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
                 aliases=("title", "product", "product name"),
                 help="Shown in Creatify's dashboard; the app also tags it to find the job.")


def _aspect(default: str) -> Field:
    return Field("aspect_ratio", "Aspect ratio", FieldKind.CHOICE, default=default,
                 choices=ASPECT_RATIOS, aliases=("aspect", "aspect ratio", "ratio", "format"))


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

