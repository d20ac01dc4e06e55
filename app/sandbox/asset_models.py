"""The Asset Generator models the simulator serves: their JSON Schemas and what a task costs.

Model names, generation types and prices are the docs' (``resources/asset-models.json``, read
by :mod:`app.sandbox.asset_prices`); the docs never show an ``input_params`` schema, so the
schemas here are the simulator's plausible ones, with the awkward parts a client must handle:
durations as string enums (``"5"``) or integers with a range, resolution enums spelled unlike
the price tables' labels (``"768p"`` where the table says ``"768P"``), ``num_images`` /
``num_outputs`` counts, booleans, arrays of image URLs, a nested object, defaults,
descriptions and ``required``.

Charging (per output, × the number of outputs, as every model page says):

- a table model: the cell of its priced inputs; flat: the one price; Boreal-H3 text-to-video:
  ``ceil(2 × rate × seconds) / 2``;
- Boreal-H3 reference-to-video adds its reference surcharge (the ``/api/boreal/`` amounts: each
  second of reference video up to 15 s at 0.4 or 0.6 credit, each reference image beyond 5 at
  0.2 credit, rounded up to half a credit); Boreal models make one output per task;
- a "from N" model has a price hidden from the client that depends on its inputs:
  ``N × (1 + ¼ × steps)`` rounded up to a quarter credit, where ``steps`` adds up the position
  of each chosen ``duration`` / ``resolution`` / ``quality`` in its enum (cheapest first) — so
  the lowest choice costs exactly N and nothing costs less;
- a model the price file has no price for costs the same rule from a hidden base of 6
  credits (video) or 1 credit (image).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.sandbox.asset_prices import PriceRule, label_key, price_rules, round_up

__all__ = ["ASSET_MODELS", "HIDDEN_BASE", "PRICED_INPUTS", "AssetModel"]

PRICED_INPUTS = ("duration", "resolution", "quality")
"""The inputs a price table (or the hidden rule) reads."""
HIDDEN_BASE = {"video": Decimal(6), "image": Decimal(1)}
"""The hidden per-output base of a model the price file does not price."""
_HALF = Decimal("0.5")
_QUARTER = Decimal("0.25")

MediaLength = Callable[[str], Decimal]
"""Seconds of the media at a URL (the account's reading)."""


@dataclass(frozen=True, slots=True)
class AssetModel:
    name: str
    generation_type: str
    properties: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]
    rule: PriceRule

    @property
    def output_type(self) -> str:
        return "video" if self.generation_type.endswith("video") else "image"

    @property
    def count_input(self) -> str | None:
        return next((n for n in ("num_images", "num_outputs") if n in self.properties), None)

    def input_schema(self) -> dict[str, Any]:
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                "properties": copy.deepcopy(dict(self.properties)),
                "required": list(self.required)}

    def schema(self) -> dict[str, Any]:
        """The catalogue entry (``AIGenerateModelSchema``)."""
        return {"model_name": self.name, "generation_type": self.generation_type,
                "input_params_schema": self.input_schema()}

    def outputs(self, params: Mapping[str, Any]) -> int:
        name = self.count_input
        if name is None:
            return 1
        return int(params.get(name, self.properties[name].get("default", 1)))

    def price(self, params: Mapping[str, Any], reference_seconds: Decimal = Decimal(0)
              ) -> Decimal:
        """What a task with the validated ``params`` (defaults filled) costs;
        ``reference_seconds``: the length of its reference videos."""
        return (self._per_output(params) * self.outputs(params)
                + self._surcharge(params, reference_seconds))

    def reference_seconds(self, params: Mapping[str, Any], media_length: MediaLength
                          ) -> Decimal:
        """The combined length of the reference videos in ``params``."""
        return sum((media_length(u) for u in params.get("reference_video_urls") or []),
                   Decimal(0))

    def _per_output(self, params: Mapping[str, Any]) -> Decimal:
        rule = self.rule
        if rule.kind == "table":
            return rule.cells[tuple(label_key(params[name]) for name in rule.by)]
        if rule.kind == "flat":
            assert rule.flat is not None
            return rule.flat
        if rule.kind == "per_second":
            rate = rule.rates[label_key(params["resolution"])]
            return round_up(rate * Decimal(label_key(params["duration"])), _HALF)
        base = rule.minimum if rule.kind == "from" else HIDDEN_BASE[self.output_type]
        assert base is not None
        steps = sum(list(spec["enum"]).index(params[name])
                    for name, spec in self.properties.items()
                    if name in PRICED_INPUTS and "enum" in spec and name in params)
        return round_up(base * (1 + Decimal(steps) / 4), _QUARTER)

    def _surcharge(self, params: Mapping[str, Any], seconds: Decimal) -> Decimal:
        extra = self.rule.surcharge
        if extra is None:
            return Decimal(0)
        rate = extra.video_per_second[label_key(params["resolution"])]
        images = max(0, len(params.get("reference_image_urls") or []) - extra.free_images)
        total = rate * min(seconds, extra.video_seconds_cap) + extra.per_extra_image * images
        return round_up(total, _HALF)


# --------------------------------------------------------------------------------------------
# Inputs


def _prompt() -> dict[str, Any]:
    return {"type": "string", "title": "Prompt", "description": "What to generate.",
            "maxLength": 2500}


def _enum(title: str, values: tuple[str, ...], default: str, description: str
          ) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description,
            "enum": list(values), "default": default}


def _url(title: str, description: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description, "format": "uri",
            "pattern": "^https?://"}


def _urls(title: str, description: str, low: int, high: int) -> dict[str, Any]:
    return {"type": "array", "title": title, "description": description,
            "items": _url(title, "A public image URL."), "minItems": low, "maxItems": high}


def _count(name: str, high: int) -> tuple[str, dict[str, Any]]:
    title = "Number of images" if name == "num_images" else "Number of outputs"
    return name, {"type": "integer", "title": title, "minimum": 1, "maximum": high,
                  "default": 1, "description": "Each output is charged the per-output price."}


PROMPT = ("prompt", _prompt())
NEGATIVE = ("negative_prompt", {"type": "string", "title": "Negative prompt",
                                "description": "What to keep out of the result."})
AUDIO = ("generate_audio", {"type": "boolean", "title": "Generate audio", "default": True,
                            "description": "Add a soundtrack and sound effects."})
ENHANCE = ("enhance_prompt", {"type": "boolean", "title": "Enhance prompt", "default": False,
                              "description": "Let the model rewrite the prompt first."})
SEED = ("seed", {"type": "integer", "title": "Seed", "minimum": 0, "maximum": 2147483647,
                 "description": "The same seed and inputs give the same result."})
CFG = ("cfg_scale", {"type": "number", "title": "CFG scale", "minimum": 0, "maximum": 1,
                     "default": 0.5, "description": "How closely to follow the prompt."})
IMAGE = ("image_url", _url("Image", "The first frame (png, jpg or webp)."))
END_IMAGE = ("end_image_url", _url("Closing frame", "An optional last frame."))
FIRST_FRAME = ("first_frame_url", _url("First frame", "The opening frame."))
LAST_FRAME = ("last_frame_url", _url("Last frame", "The closing frame."))
VIDEO = ("video_url", _url("Reference video", "The video to restyle (mp4 or mov)."))
REF_IMAGES = ("reference_image_urls",
              _urls("Reference images", "Images of the subject or style.", 0, 9))
REF_VIDEOS = ("reference_video_urls",
              _urls("Reference videos", "Clips to follow (their first 15 s are billed).", 0, 3))
IMAGE_SIZE = ("image_size", {
    "type": "object", "title": "Image size", "description": "Width and height in pixels.",
    "properties": {
        "width": {"type": "integer", "title": "Width", "minimum": 256, "maximum": 2048,
                  "default": 1024},
        "height": {"type": "integer", "title": "Height", "minimum": 256, "maximum": 2048,
                   "default": 1024}},
    "required": ["width", "height"]})
CAMERA = ("camera_control", {
    "type": "object", "title": "Camera", "description": "An optional camera move.",
    "properties": {
        "movement": {"type": "string", "enum": ["static", "pan_left", "pan_right", "zoom_in",
                                                "zoom_out", "orbit"], "default": "static"},
        "strength": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5}}})


def _aspect(*values: str) -> tuple[str, dict[str, Any]]:
    return "aspect_ratio", _enum("Aspect ratio", values, values[0], "Frame shape.")


def _image_urls(low: int, high: int) -> tuple[str, dict[str, Any]]:
    return "image_urls", _urls("Images", "The images to edit or combine.", low, high)


def _duration(values: tuple[str, ...], default: str) -> tuple[str, dict[str, Any]]:
    return "duration", _enum("Duration (seconds)", values, default,
                             "Length of the video in seconds.")


def _seconds(low: int, high: int, default: int) -> tuple[str, dict[str, Any]]:
    return "duration", {"type": "integer", "title": "Duration (seconds)", "minimum": low,
                        "maximum": high, "default": default,
                        "description": "Length of the video in seconds."}


def _choice(name: str, values: tuple[str, ...], default: str) -> tuple[str, dict[str, Any]]:
    title = {"resolution": "Resolution", "quality": "Quality"}[name]
    return name, _enum(title, values, default, f"{title} of the result.")


def _table(model: str, name: str, spell: Callable[[str], str] = str,
           default: int = 0) -> tuple[str, dict[str, Any]]:
    """A priced input whose values are the price table's labels (complete rows only),
    spelled by ``spell``."""
    values = tuple(spell(v) for v in price_rules()[model].complete_values(name))
    if name == "duration":
        return _duration(values, values[default])
    return _choice(name, values, values[default])


def _per_second(model: str, spell: Callable[[str], str]) -> list[tuple[str, dict[str, Any]]]:
    rule = price_rules()[model]
    assert rule.duration_range is not None
    low, high = rule.duration_range
    return [_duration(tuple(str(s) for s in range(low, high + 1)), "10"),
            _choice("resolution", tuple(spell(v) for v in rule.labels["resolution"]),
                    spell(rule.labels["resolution"][0]))]


def _model(name: str, generation_type: str, *inputs: tuple[str, dict[str, Any]],
           required: tuple[str, ...] = ("prompt",)) -> AssetModel:
    rule = price_rules().get(name) or PriceRule("unknown")
    return AssetModel(name, generation_type, dict(inputs), required, rule)


def _lower(label: str) -> str:
    return label.lower()


_T2V, _I2V, _V2V, _T2I, _I2I = ("text_to_video", "image_to_video", "video_to_video",
                                "text_to_image", "image_to_image")
_RATIOS = ("16:9", "9:16", "1:1")

ASSET_MODELS: dict[str, AssetModel] = {m.name: m for m in (
    # text to video
    _model("veo3.1/fast", _T2V, PROMPT, _table("veo3.1/fast", "duration", default=2)),
    _model("kling-video/o3/pro/text-to-video", _T2V, PROMPT,
           _table("kling-video/o3/pro/text-to-video", "duration", default=2)),
    _model("boreal-h3/text-to-video", _T2V, PROMPT,
           *_per_second("boreal-h3/text-to-video", _lower), _aspect(*_RATIOS), ENHANCE),
    _model("minimax/h3-max/text-to-video", _T2V, PROMPT,
           _table("minimax/h3-max/text-to-video", "duration"),
           _table("minimax/h3-max/text-to-video", "resolution", _lower, default=1)),
    _model("grok-imagine-video/text-to-video", _T2V, PROMPT, _seconds(1, 15, 6),
           _table("grok-imagine-video/text-to-video", "resolution"), _aspect(*_RATIOS)),
    _model("kling-video/v4/text-to-video", _T2V, PROMPT,
           _table("kling-video/v4/text-to-video", "duration", default=2),
           _table("kling-video/v4/text-to-video", "resolution"), NEGATIVE, AUDIO),
    _model("veo3.1", _T2V, PROMPT, _duration(("4", "6", "8"), "8"),
           _choice("resolution", ("720p", "1080p"), "720p"), _aspect("16:9", "9:16"), AUDIO,
           _count("num_outputs", 2)),
    _model("bytedance/seedance-2.0/text-to-video", _T2V, PROMPT,
           _duration(("5", "10"), "5"), _choice("resolution", ("480p", "720p", "1080p"),
                                                "720p"), _aspect(*_RATIOS), SEED),
    _model("gemini-omni-flash", _T2V, PROMPT, _duration(("4", "6", "8", "10"), "6"), AUDIO),
    _model("kling-video/v2.6/pro/text-to-video", _T2V, PROMPT, _duration(("5", "10"), "5"),
           NEGATIVE, CFG, CAMERA),
    # image to video
    _model("boreal-h3/image-to-video", _I2V, PROMPT, IMAGE, END_IMAGE,
           _table("boreal-h3/image-to-video", "duration", default=5),
           _table("boreal-h3/image-to-video", "resolution", _lower),
           required=("prompt", "image_url")),
    _model("veo3.1-lite/image-to-video", _I2V, PROMPT, IMAGE, _duration(("4", "6", "8"), "8"),
           AUDIO, required=("prompt", "image_url")),
    _model("veo3.1/fast/first-last-frame-to-video", _I2V, PROMPT, FIRST_FRAME, LAST_FRAME,
           _duration(("4", "6", "8"), "8"),
           required=("prompt", "first_frame_url", "last_frame_url")),
    _model("minimax/h3/image-to-video", _I2V, PROMPT, IMAGE, _duration(("6", "10"), "6"),
           _choice("resolution", ("768p", "1080p"), "768p"), required=("prompt", "image_url")),
    _model("grok-imagine-video/reference-to-video", _I2V, PROMPT,
           ("reference_image_urls", _urls("Reference images", "Images of the subject.", 1, 4)),
           _duration(("6", "10"), "6"), required=("prompt", "reference_image_urls")),
    _model("kling-video/v1.6/pro/image-to-video", _I2V, PROMPT, IMAGE,
           _duration(("5", "10"), "5"), CFG, NEGATIVE, required=("prompt", "image_url")),
    # video to video
    _model("boreal-h3/reference-to-video", _V2V, PROMPT, REF_IMAGES, REF_VIDEOS,
           _table("boreal-h3/reference-to-video", "duration", default=5),
           _table("boreal-h3/reference-to-video", "resolution", _lower)),
    _model("minimax/h3/reference-to-video", _V2V, PROMPT,
           ("reference_image_urls", _urls("Reference images", "Images of the subject.", 1, 4)),
           _table("minimax/h3/reference-to-video", "duration", default=2),
           _table("minimax/h3/reference-to-video", "resolution", _lower),
           required=("prompt", "reference_image_urls")),
    _model("wan3.0/reference-to-video", _V2V, PROMPT, VIDEO,
           _table("wan3.0/reference-to-video", "duration", default=3),
           _table("wan3.0/reference-to-video", "resolution", _lower, default=1),
           required=("prompt", "video_url")),
    # text to image
    _model("nano-banana", _T2I, PROMPT, _count("num_images", 4)),
    _model("nano-banana-pro", _T2I, PROMPT, _table("nano-banana-pro", "resolution"),
           _count("num_images", 4)),
    _model("flux-pro/kontext/text-to-image", _T2I, PROMPT, _count("num_images", 4)),
    _model("gpt-image-2", _T2I, PROMPT, _table("gpt-image-2", "quality", default=1),
           _table("gpt-image-2", "resolution", _lower), _count("num_images", 4)),
    _model("bytedance/seedream/v5/pro/text-to-image", _T2I, PROMPT,
           _table("bytedance/seedream/v5/pro/text-to-image", "resolution"),
           _count("num_images", 4), SEED),
    _model("grok-imagine-image/v2.0", _T2I, PROMPT, _table("grok-imagine-image/v2.0", "quality"),
           _table("grok-imagine-image/v2.0", "resolution"), _count("num_images", 4)),
    _model("flux-pro/v1.1-ultra", _T2I, PROMPT, _aspect("1:1", "16:9", "9:16", "21:9"),
           _count("num_images", 2), ("raw", {"type": "boolean", "title": "Raw",
                                             "default": False,
                                             "description": "Less processed, more natural."})),
    _model("recraft/v3/text-to-image", _T2I, PROMPT, IMAGE_SIZE,
           ("style", _enum("Style", ("realistic_image", "digital_illustration",
                                     "vector_illustration"), "realistic_image",
                           "The look of the image."))),
    _model("nano-banana-2", _T2I, PROMPT, _choice("resolution", ("1k", "2k", "4k"), "1k"),
           _count("num_images", 4)),
    _model("gpt-image-1.5", _T2I, PROMPT, _choice("quality", ("low", "medium", "high"), "low"),
           _count("num_images", 4)),
    # image edit
    _model("nano-banana-2.1/edit", _I2I, PROMPT, _image_urls(1, 4),
           _choice("resolution", ("1k", "2k"), "1k"), _count("num_images", 4),
           required=("prompt", "image_urls")),
    _model("flux-2-pro/edit", _I2I, PROMPT, _image_urls(1, 4),
           required=("prompt", "image_urls")),
    _model("flux-pro/kontext/max/multi", _I2I, PROMPT, _image_urls(2, 4),
           _count("num_images", 4), required=("prompt", "image_urls")),
    _model("bytedance/seedream/v4/edit", _I2I, PROMPT, _image_urls(1, 6),
           _count("num_images", 4), required=("prompt", "image_urls")),
    _model("grok-imagine-image/edit", _I2I, PROMPT, _image_urls(1, 1),
           required=("prompt", "image_urls")),
    _model("gpt-image-1.5/edit", _I2I, PROMPT, _image_urls(1, 4),
           _choice("quality", ("low", "medium", "high"), "medium"),
           required=("prompt", "image_urls")),
)}
"""The catalogue ``GET /api/asset_generator/schemas/`` serves, in the docs' family order."""
