"""One :class:`GeneratorSpec` per row of Creatify's billing page, and the registry of them.

Adding a generator is adding a spec (plus a custom widget only when a field kind needs one):
a module of specs by family (``_links``: product pages; ``_avatar``: speaking people;
``_assets``: images and clips; ``_ads``: the catalogue's ad makers; ``_text``: words and
voice; ``_common``: what they share), then
its entry in :data:`SPECS`. Nothing else in the app may hold generator details: the rest of
the app asks a spec (or the look-ups below) what it needs. :func:`register` adds a generator
at run time (a test's made-up one) to :data:`BY_KEY`.
"""

from __future__ import annotations

from app.generators._ads import AI_AD_TEMPLATE, IMAGE_AD
from app.generators._assets import (
    ASSET_GENERATOR,
    ASSET_MODELS,
    DEFAULT_ASSET_MODEL,
    KLING_O3_DURATIONS,
    PRODUCT_IMAGE,
    PRODUCT_VIDEO,
    asset_input_schema,
    asset_params,
    asset_schema,
    model_title,
)
from app.generators._avatar import (
    AURORA,
    AURORA_FAST,
    AURORA_MAX_AUDIO,
    AURORA_RESOLUTIONS,
    AURORA_V2_MAX_AUDIO,
    AURORA_V2_MAX_AUDIO_DEFAULT,
    AVATAR_V1,
    AVATAR_V2,
    AVATAR_V2_FIELDS,
    CUSTOM_TEMPLATE,
    MAX_SCENE_TEXT,
    MAX_SCENES,
    TEMPLATE_VARIABLE_TYPES,
)
from app.generators._common import (
    ASPECT_RATIOS,
    AURORA_MODELS,
    CAPTION_STYLES,
    EDITING_STYLES,
    LANGUAGES,
    MAX_COMPARED_STYLES,
    MODEL_VERSIONS,
    SCRIPT_STYLES,
    SHORTS_STYLES,
    TARGET_PLATFORMS,
    TEXT_MODELS,
    URL_TO_VIDEO_MODELS,
    VIDEO_LENGTHS,
    VISUAL_STYLES,
)
from app.generators._links import (
    AD_CLONE,
    CAPTION_SETTING_FIELDS,
    LINKS,
    URL_TO_VIDEO,
    caption_setting,
)
from app.generators._text import (
    AI_EDITING,
    AI_SCRIPTS,
    AI_SHORTS,
    TEXT_GENERATOR,
    TEXT_TO_SPEECH,
)
from app.generators.spec import GeneratorSpec, Values

SPECS: tuple[GeneratorSpec, ...] = (
    URL_TO_VIDEO, AVATAR_V1, AVATAR_V2, AURORA, AURORA_FAST, CUSTOM_TEMPLATE, ASSET_GENERATOR,
    AI_AD_TEMPLATE, IMAGE_AD, TEXT_GENERATOR, TEXT_TO_SPEECH, AI_SCRIPTS, LINKS, AI_SHORTS,
    AI_EDITING, PRODUCT_IMAGE, PRODUCT_VIDEO, AD_CLONE,
)
"""The built-in generators, in the order the window shows their tabs."""

BY_KEY: dict[str, GeneratorSpec] = {s.key: s for s in SPECS}
"""Every generator by key: the built-in ones and any :func:`register`-ed since."""


def spec(key: str) -> GeneratorSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown generator {key!r}; known: {', '.join(BY_KEY)}") from None


def register(gen: GeneratorSpec) -> GeneratorSpec:
    """Add ``gen`` to :data:`BY_KEY` (the ledger, the Jobs panel, batches and spending find
    it there); a key already taken raises ``ValueError``."""
    if gen.key in BY_KEY:
        raise ValueError(f"a generator {gen.key!r} is already registered")
    BY_KEY[gen.key] = gen
    return gen


def unregister(key: str) -> None:
    """Remove a generator :func:`register` added (the built-in ones stay)."""
    if any(s.key == key for s in SPECS):
        raise ValueError(f"{key!r} is a built-in generator")
    BY_KEY.pop(key, None)


def default_page_target() -> str:
    """The generator a dropped product page (or a batch) goes to when no tab asks for it."""
    return next(s.key for s in BY_KEY.values() if s.default_page_target)


def billed_by_tokens(generator: str) -> bool:
    """True for a generator charged by tokens (its cost is known only after the run)."""
    gen = BY_KEY.get(generator)
    return gen is not None and gen.billed_by_tokens


def refunds_on_failure(generator: str, request: Values) -> bool:
    """A job of ``generator`` sent as ``request`` is charged up front and refunded in full if
    it fails (Aurora pricing). A generator no longer known is judged by its request alone: it
    is when the request asks for a model some spec refunds."""
    gen = BY_KEY.get(generator)
    if gen is not None:
        return gen.refunds_on_failure(request)
    return any(s.refunds_on_failure(request) for s in BY_KEY.values()
               if not s.refunded_on_failure)


__all__ = [
    "AD_CLONE", "AI_AD_TEMPLATE", "AI_EDITING", "AI_SCRIPTS", "AI_SHORTS", "ASPECT_RATIOS",
    "ASSET_GENERATOR",
    "ASSET_MODELS", "AURORA", "AURORA_FAST", "AURORA_MAX_AUDIO", "AURORA_MODELS",
    "AURORA_RESOLUTIONS", "AURORA_V2_MAX_AUDIO", "AURORA_V2_MAX_AUDIO_DEFAULT", "AVATAR_V1",
    "AVATAR_V2", "AVATAR_V2_FIELDS", "BY_KEY", "CAPTION_SETTING_FIELDS", "CAPTION_STYLES",
    "CUSTOM_TEMPLATE", "DEFAULT_ASSET_MODEL", "EDITING_STYLES", "IMAGE_AD", "KLING_O3_DURATIONS",
    "LANGUAGES", "LINKS", "MAX_COMPARED_STYLES", "MAX_SCENES", "MAX_SCENE_TEXT",
    "MODEL_VERSIONS", "PRODUCT_IMAGE", "PRODUCT_VIDEO", "SCRIPT_STYLES", "SHORTS_STYLES",
    "SPECS", "TARGET_PLATFORMS", "TEMPLATE_VARIABLE_TYPES", "TEXT_GENERATOR", "TEXT_MODELS",
    "TEXT_TO_SPEECH", "URL_TO_VIDEO", "URL_TO_VIDEO_MODELS", "VIDEO_LENGTHS", "VISUAL_STYLES",
    "asset_input_schema", "asset_params", "asset_schema", "billed_by_tokens", "caption_setting",
    "default_page_target",
    "model_title", "refunds_on_failure", "register", "spec", "unregister",
]
