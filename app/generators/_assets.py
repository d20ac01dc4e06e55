"""Specs that make images and clips: the Asset Generator (per model, from its JSON Schema)
and Product Video's two steps (image, then video)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from app.api import resources as R
from app.assets import schema_for
from app.generators._common import ASPECT_RATIOS
from app.generators._schema_check import values_problem
from app.generators._schema_values import properties_of, typed_values
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
)
from app.json_schema import stand_in_schema
from app.pricing import PriceRequest, PricingError, asset_prices
from app.pricing.assets import asset_price_requests


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
"""Stand-ins for a few documented models, used only until the catalogue
(``GET /api/asset_generator/schemas/``, kept by ``app.assets``) is known: a prompt plus the
inputs their price depends on, so a first estimate and send work offline. Once the catalogue is
installed, each model's published schema is the truth for the form, the check and the body."""
DEFAULT_ASSET_MODEL = "veo3.1/fast"


def asset_schema(model_name: str | None) -> tuple[dict[str, Any], bool]:
    """The JSON Schema ``model_name``'s ``input_params`` follow, and whether it is the one
    the catalogue publishes (``False``: the stand-in — a prompt, plus what the price needs
    for the models above)."""
    name = (model_name or "").strip()
    published = schema_for(name) if name else None
    if published is not None and properties_of(published):
        return published, True
    return stand_in_schema(ASSET_MODELS.get(name)), False


def asset_input_schema(model_name: str | None) -> dict[str, Any] | None:
    """The JSON Schema of ``model_name``'s ``input_params``: the catalogue's, else a
    stand-in's; ``None`` for a model neither knows."""
    schema, published = asset_schema(model_name)
    if published or (model_name or "").strip() in ASSET_MODELS:
        return copy.deepcopy(schema)
    return None


def _asset_check(values: Values) -> dict[str, str]:
    params = values.get("input_params")
    if not isinstance(params, Mapping):
        return {}
    name = str(values.get("model_name") or "").strip()
    schema, published = asset_schema(name)
    if not published and name not in ASSET_MODELS:
        # A model the catalogue (not loaded yet) will describe: insist only on some input;
        # its price shows as unknown until then.
        if not any(not is_empty(v) for v in params.values()):
            return {"input_params": "Fill in the model's inputs."}
        # Still no number that cannot go on the wire, no broken address, no typo of a number.
        problem = values_problem({}, params)
        return {"input_params": problem} if problem else {}
    problem = values_problem(schema, typed_values(schema, params))
    return {"input_params": problem} if problem else {}


def _defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults of the schema's plain inputs (choices, numbers, switches): sent when left
    unset, so what is sent is what was priced whatever Creatify's own default becomes."""
    out: dict[str, Any] = {}
    for name, prop in properties_of(schema).items():
        if "default" in prop and prop["default"] is not None and (
                "enum" in prop or prop.get("type") in ("string", "integer", "number",
                                                       "boolean")) \
                and not isinstance(prop["default"], dict | list):
            out[name] = prop["default"]
    return out


def asset_params(model_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as sent: blanks left out, in the schema's types (``duration`` 6 → "6"),
    the schema's defaults filled in; with the catalogue's schema, inputs it does not declare
    are left out (Creatify would ignore them)."""
    schema, published = asset_schema(model_name)
    typed = typed_values(schema, params, only_declared=published)
    if not published and model_name not in ASSET_MODELS:
        return typed
    return typed_values(schema, {**_defaults(schema), **typed})


def _asset_body(values: Values) -> dict[str, Any]:
    name = str(values["model_name"]).strip()
    return {"model_name": name, "input_params": asset_params(name, values["input_params"])}


def _asset_prices(values: Values) -> list[PriceRequest]:
    """The asset model's price requests: its per-output cell for these inputs × the number
    of outputs, plus a reference-input surcharge where the docs give one (the price file's
    reading, ``app.pricing.asset_price_requests``)."""
    name = str(values.get("model_name") or "").strip()
    params = values.get("input_params")
    problem = _asset_check(values).get("input_params")
    if problem:  # priced only once the inputs make a request (the form shows why not)
        raise PricingError(problem)
    sent = asset_params(name, params if isinstance(params, Mapping) else {})
    schema, published = asset_schema(name)
    return asset_price_requests(name, sent, schema if published or name in ASSET_MODELS
                                else None)


def model_title(model_name: str) -> str:
    """What a creator calls the model: its title in the price file in force, else its
    name."""
    info = asset_prices().info(model_name) if model_name else None
    return info.title.split(" (")[0] if info is not None and info.title else model_name


def _asset_describe(values: Values) -> str:
    name = str(values.get("model_name") or "").strip()
    params = values.get("input_params")
    prompt = params.get("prompt") if isinstance(params, Mapping) else None
    start = clip(" ".join(prompt.split()), 48) if isinstance(prompt, str) \
        and prompt.strip() else ""
    label = model_title(name) if name else "Asset Generator"
    return f"{label} · {start}" if start else label


ASSET_GENERATOR = GeneratorSpec(
    key="asset_generator",
    title="Asset Generator",
    billing_row="Asset Generator",
    resource=R.ASSET_GENERATOR,
    description="Images and clips from the latest models (Veo, Kling, Seedance, Nano Banana, "
                "GPT image, Flux…), priced per model and per output.",
    fields=(
        Field("model_name", "Model", FieldKind.CHOICE, required=True,
              default=DEFAULT_ASSET_MODEL,
              choices=tuple(Choice(k, v["label"]) for k, v in ASSET_MODELS.items()),
              open_choices=True, max_length=255,
              help="Any model of Creatify's catalogue. Priced per output (× the number of "
                   "images or clips); where only a minimum or no price is published, the "
                   "estimate says so."),
        Field("input_params", "Inputs", FieldKind.SCHEMA_FORM, required=True, default={},
              help="Built from the model's published JSON Schema."),
    ),
    duration=DurationSource(DurationKind.NONE),
    check=_asset_check,
    build=_asset_body,
    price_list=_asset_prices,
    describer=_asset_describe,
    price_rule="asset_generator",
    result_kind=ResultKind.ASSET,
    expected_seconds=600,
)


# ---------------------------------------------------------------------------- Product Video

_FIRST_IMAGE = (Flow.CREATE,)

PRODUCT_IMAGE = GeneratorSpec(
    key="product_image",
    title_fields=("product_url", "source_job"),
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
    source_field="source_job",
    regen_price_rule="product_image_regen",
    price_rule="product_image",
    result_kind=ResultKind.IMAGE,
    expected_seconds=300,
)

PRODUCT_VIDEO = GeneratorSpec(
    key="product_video",
    title_fields=("source_job",),
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
    source_field="source_job",
    regen_price_rule="product_video_regen",
    price_rule="product_video",
    result_kind=ResultKind.VIDEO,
    expected_seconds=600,
)

