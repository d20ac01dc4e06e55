"""The AI Ad Templates the simulator lists (the docs' "inspirations", ``GET /api/inspirations/``).

Each is an ``Inspiration`` as the docs give it: ``id``, ``name``, ``gen_type``, ``categories``
and ``labels`` (objects), ``description``, a ``preview_image`` and ``preview_video`` the sandbox
serves, ``credit_cost`` (an integer: what a job with it costs) and ``input_params_schema``
``{schema_uri, required, properties}`` whose property names read like the docs' example
(``"Product Image"``): image URLs, texts, an enum, a number. A job's ``input_params`` must
match it (``schema_check``); a finished job's ``output`` lists ``outputs`` assets.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox import media

__all__ = ["INSPIRATIONS", "SCHEMA_URI", "Inspiration"]

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def _tag(kind: str, name: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL,
                                 f"https://sandbox.creatify.invalid/{kind}/{name}")),
            "name": name}


@dataclass(frozen=True, slots=True)
class Inspiration:
    name: str
    gen_type: str
    credit_cost: int
    description: str
    categories: tuple[str, ...]
    labels: tuple[str, ...]
    properties: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]
    outputs: int = 1
    """How many assets a finished job lists."""

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL,
                              f"https://sandbox.creatify.invalid/inspiration/{self.name}"))

    @property
    def output_type(self) -> str:
        return "video" if self.gen_type.endswith("video") else "image"

    def input_schema(self) -> dict[str, Any]:
        """The schema a job's ``input_params`` is checked against."""
        return {"type": "object", "properties": copy.deepcopy(dict(self.properties)),
                "required": list(self.required)}

    def wire(self, base_url: str) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "gen_type": self.gen_type,
                "input_params_schema": {"schema_uri": SCHEMA_URI,
                                        "required": list(self.required),
                                        "properties": copy.deepcopy(dict(self.properties))},
                "credit_cost": self.credit_cost,
                "categories": [_tag("category", c) for c in self.categories],
                "labels": [_tag("label", c) for c in self.labels],
                "description": self.description,
                "preview_image": media.media_url(base_url, self.id, "preview.png"),
                "preview_video": media.media_url(base_url, self.id, "preview.mp4")}


def _image(title: str, description: str) -> dict[str, Any]:
    return {"type": "string", "format": "uri", "pattern": "^https?://", "title": title,
            "description": description}


def _text(title: str, description: str, max_length: int) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description,
            "maxLength": max_length}


def _enum(title: str, description: str, *values: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description,
            "enum": list(values), "default": values[0]}


def _number(title: str, description: str, low: float, high: float,
            default: float) -> dict[str, Any]:
    return {"type": "number", "title": title, "description": description, "minimum": low,
            "maximum": high, "default": default}


_PRODUCT = _image("Product Image", "A clear photo of the product (png, jpg or webp).")

INSPIRATIONS: dict[str, Inspiration] = {i.id: i for i in (
    Inspiration(
        "Product Spin 360", "image_to_video", 10,
        "Your product turns on a clean pedestal while the light sweeps across it.",
        ("E-commerce", "Product"), ("Popular",),
        {"Product Image": _PRODUCT,
         "Background": _enum("Background", "The set behind the product.",
                             "Studio white", "Marble", "Outdoor"),
         "Spin Speed": _number("Spin Speed", "Turns per five seconds.", 0.5, 2, 1)},
        ("Product Image",)),
    Inspiration(
        "Unboxing Moment", "image_to_video", 12,
        "Hands open a box and lift your product into the light.",
        ("E-commerce",), ("New",),
        {"Product Image": _PRODUCT,
         "Box Color": _enum("Box Color", "The colour of the box.", "Kraft", "Black", "White"),
         "Headline": _text("Headline", "A line shown at the end.", 60)},
        ("Product Image",)),
    Inspiration(
        "UGC Testimonial", "image_to_video", 25,
        "A creator holds your product and tells the camera why they love it.",
        ("UGC", "Social"), ("Popular", "Talking"),
        {"Product Image": _PRODUCT,
         "Script": _text("Script", "What the creator says.", 300),
         "Voice": _enum("Voice", "Who speaks.", "Warm female", "Calm male",
                        "Energetic female")},
        ("Product Image", "Script")),
    Inspiration(
        "Flash Sale Pack", "image_to_image", 3,
        "Four sale posts around your product with the discount up front.",
        ("Promotion",), ("Sale",),
        {"Product Image": _PRODUCT,
         "Discount": _number("Discount", "Percent off.", 5, 90, 20),
         "Headline": _text("Headline", "The offer in a few words.", 40)},
        ("Product Image", "Discount"), outputs=4),
    Inspiration(
        "Lifestyle Scene", "image_to_image", 4,
        "Your product placed in a real room, lit to match.",
        ("Product", "Lifestyle"), (),
        {"Product Image": _PRODUCT,
         "Scene": _enum("Scene", "Where the product stands.", "Kitchen", "Living room",
                        "Beach", "Office")},
        ("Product Image",), outputs=2),
    Inspiration(
        "Before & After", "image_to_video", 8,
        "A wipe from the problem to the result, with a caption.",
        ("Beauty", "Home"), ("Trending",),
        {"Before Image": _image("Before Image", "The 'before' photo."),
         "After Image": _image("After Image", "The 'after' photo."),
         "Caption": _text("Caption", "A short caption.", 80)},
        ("Before Image", "After Image")),
    Inspiration(
        "Holiday Greeting", "text_to_video", 6,
        "A seasonal card with your brand name in falling snow or confetti.",
        ("Seasonal",), ("Limited",),
        {"Brand Name": _text("Brand Name", "Shown in the greeting.", 40),
         "Theme": _enum("Theme", "The season.", "Winter", "New Year", "Spring"),
         "Length": _number("Length", "Seconds.", 5, 15, 8)},
        ("Brand Name",)),
    Inspiration(
        "Product Hero Shot", "image_to_image", 2,
        "A studio hero image of your product with soft reflections.",
        ("Product",), (),
        {"Product Image": _PRODUCT,
         "Lighting": _enum("Lighting", "The light setup.", "Soft box", "Rim light", "Sunset"),
         "Sharpness": _number("Sharpness", "From soft to crisp.", 0, 1, 0.7)},
        ("Product Image",)),
)}
"""By id (fixed: uuid5 of the name)."""
