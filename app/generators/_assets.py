"""Specs that make images and clips: the Asset Generator (per model, from its JSON Schema)
and Product Video's two steps (image, then video)."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from app.api import resources as R
from app.generators._common import ASPECT_RATIOS
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
    is_empty,
)


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

