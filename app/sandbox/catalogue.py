"""The sandbox's catalogues and canned content: what its free endpoints list and what its
jobs "generate".

Personas, voices and musics (fixed ids, URLs under ``/media/``), the Asset Generator models
with their JSON Schemas and prices, the accepted text models and styles, and the
deterministic generated content (text replies, AI scripts, a link's title).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from app.sandbox import media
from app.sandbox.wire import json_number

# --------------------------------------------------------------------------------------------
# Catalogues (free endpoints). Ids are fixed (uuid5 of the name); URLs point at /media/.


def _catalogue_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.creatify.invalid/{kind}/{name}"))


_PERSONAS = (  # creator_name, gender, age_range, style
    ("Olivia", "female", "young_adult", "selfie"),
    ("Marcus", "male", "adult", "presenter"),
    ("Aiko", "female", "adult", "professional"),
    ("Diego", "male", "young_adult", "casual"),
    ("Grace", "female", "senior", "presenter"),
    ("Samuel", "male", "senior", "casual"),
    ("Priya", "female", "young_adult", "professional"),
    ("Noah", "male", "adult", "selfie"),
)
_VOICES = (  # name, gender, accents
    ("Aria", "female", ("American", "British")),
    ("Leo", "male", ("American",)),
    ("Mei", "female", ("Mandarin",)),
    ("Kofi", "male", ("Nigerian", "Ghanaian")),
    ("Elena", "female", ("Spanish",)),
)
_MUSICS = (("Upbeat Pop", "happy"), ("Calm Piano", "calm"), ("Epic Drums", "energetic"),
           ("Lo-fi Chill", "relaxed"))


def personas(base_url: str) -> list[dict[str, Any]]:
    out = []
    for name, gender, age_range, style in _PERSONAS:
        pid = _catalogue_id("persona", name)
        entry: dict[str, Any] = {"id": pid, "creator_name": name, "gender": gender,
                                 "age_range": age_range, "style": style}
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_image_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.png")
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_video_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.mp4")
        entry["is_active"] = True
        out.append(entry)
    return out


def voices(base_url: str) -> list[dict[str, Any]]:
    return [{"name": name, "gender": gender,
             "accents": [{"id": (aid := _catalogue_id("accent", f"{name}/{accent}")),
                          "accent_name": accent,
                          "preview_url": media.media_url(base_url, "voices", f"{aid}.mp3")}
                         for accent in accents]}
            for name, gender, accents in _VOICES]


def musics(base_url: str) -> list[dict[str, Any]]:
    assert media.MP3.duration is not None
    return [{"id": (mid := _catalogue_id("music", name)), "name": name,
             "url": media.media_url(base_url, "musics", f"{mid}.mp3"),
             "duration": json_number(media.MP3.duration), "mood": mood}
            for name, mood in _MUSICS]


# Asset Generator models: the JSON Schema a client builds its form from, and the price.

_PROMPT = {"type": "string", "title": "Prompt", "description": "What to generate."}
_IMAGE_URL = {"type": "string", "format": "uri", "title": "Image URL",
              "description": "Optional reference image."}


@dataclass(frozen=True, slots=True)
class AssetModel:
    name: str
    display_name: str
    output_type: str  # "video" | "image"
    properties: Mapping[str, Mapping[str, Any]]
    price: Callable[[Mapping[str, Any]], Decimal]
    required: tuple[str, ...] = ("prompt",)

    def schema(self) -> dict[str, Any]:
        return {"model_name": self.name, "display_name": self.display_name,
                "output_type": self.output_type,
                "input_params_schema": {"type": "object",
                                        "properties": copy.deepcopy(dict(self.properties)),
                                        "required": list(self.required)}}


def _video_model(name: str, display: str, prices: Mapping[int, int], default: int,
                 ratios: tuple[str, ...], extra: Mapping[str, Mapping[str, Any]]) -> AssetModel:
    props: dict[str, Mapping[str, Any]] = {
        "prompt": _PROMPT,
        "duration": {"type": "integer", "enum": sorted(prices), "default": default,
                     "title": "Duration (seconds)"},
        "aspect_ratio": {"type": "string", "enum": list(ratios), "default": ratios[0],
                         "title": "Aspect ratio"},
        **extra}
    return AssetModel(name, display, "video", props,
                      lambda params: Decimal(prices[int(params["duration"])]))


def _image_model(name: str, display: str) -> AssetModel:
    props: dict[str, Mapping[str, Any]] = {
        "prompt": _PROMPT, "image_url": _IMAGE_URL,
        "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1,
                       "title": "Number of images"}}
    return AssetModel(name, display, "image", props,
                      lambda params: 4 * Decimal(int(params["num_images"])))


_AUDIO = {"generate_audio": {"type": "boolean", "default": True, "title": "Generate audio"}}
ASSET_MODELS: dict[str, AssetModel] = {m.name: m for m in (
    _video_model("kling-v1.6-pro", "Kling v1.6 Pro", {5: 12, 10: 24}, 5,
                 ("16:9", "9:16", "1:1"), {"image_url": _IMAGE_URL}),
    _video_model("veo-3.1", "Veo 3.1", {4: 32, 6: 48, 8: 64}, 8, ("16:9", "9:16"), _AUDIO),
    _video_model("veo-3.1-fast", "Veo 3.1 Fast", {4: 16, 6: 24, 8: 32}, 8, ("16:9", "9:16"),
                 _AUDIO),
    _image_model("flux-pro-kontext", "FLUX.1 Kontext [pro]"),
    _image_model("nano-banana", "Nano Banana"),
)}


# Accepted text models, styles and video lengths

TEXT_MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
               "gemini-2.0-flash")
AI_SHORTS_STYLES = ("4K realistic", "3D", "Cinematic", "Cartoonish", "Line art", "Pixel art",
                    "Mysterious", "Steam punk", "Collage", "Kawaii")
EDITING_STYLES = ("film", "commercial", "music", "tutorial", "vlog", "social")
DEFAULT_SCRIPT_STYLES = ("BenefitsV2", "ProblemSolutionV2", "CallToActionV2")
VIDEO_LENGTHS = (15, 30, 45, 60)


# --------------------------------------------------------------------------------------------
# Generated content (deterministic)


def reply_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text generator's answer: a plausible reply echoing the last user message."""
    last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"),
                messages[-1]["content"])
    snippet = " ".join(str(last).split())[:280]
    return (f'Here is a suggestion for "{snippet}":\n\n'
            "1. Open with a bold hook that names the problem in the first three seconds.\n"
            "2. Show the product solving it, close up and in real use.\n"
            "3. Finish with one clear call to action.\n\n"
            "(A simulated answer from the Creatify sandbox.)")


def stream_chunks(text: str, words_per_chunk: int = 4) -> list[str]:
    pieces = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(pieces[i:i + words_per_chunk])
            for i in range(0, len(pieces), words_per_chunk)]


def generated_scripts(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    subject = body.get("title") or title_from_url(body.get("url") or "")
    audience = body.get("target_audience") or "people who want results fast"
    count = max(2, int(body.get("video_length") or 30) // 15)
    lines = (f"Meet {subject}: the upgrade you did not know you needed.",
             f"Made for {audience}, it fixes the everyday problem in seconds.",
             "Here is why people love it: it is simple, fast and built to last.",
             f"Tap the link and try {subject} today.")
    return [{"paragraphs": [*lines[:count - 1], lines[-1]],
             "script_name": f"{style} script", "script_style": style,
             "title": f"{subject} — {style}"}
            for style in body.get("script_styles") or DEFAULT_SCRIPT_STYLES]


def title_from_url(url: str) -> str:
    parts = urlsplit(url)
    slug = next((p for p in reversed(parts.path.split("/")) if p), "")
    words = re.sub(r"\.[a-z0-9]+$", "", slug).replace("-", " ").replace("_", " ").split()
    if words:
        return " ".join(w.capitalize() for w in words)
    host = parts.hostname or "product"
    return host.removeprefix("www.").split(".")[0].capitalize()
