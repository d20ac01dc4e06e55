"""The sandbox's catalogues and canned content: what its free endpoints list and what its
jobs "generate".

Personas, voices and musics (fixed ids, URLs under ``/media/``), custom templates, the
accepted text models and styles, and the deterministic generated content (text replies, AI
scripts, a link's title). The Asset Generator's models are in ``asset_models``, the AI Ad
Templates in ``inspirations``.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.sandbox import media
from app.sandbox.wire import json_number

# --------------------------------------------------------------------------------------------
# Catalogues (free endpoints). Ids are fixed (uuid5 of the name); URLs point at /media/.


def _catalogue_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.creatify.invalid/{kind}/{name}"))


_PERSONAS = (  # creator_name, gender, age_range, location, style
    ("Olivia", "f", "adult", "indoor", "selfie"),
    ("Marcus", "m", "adult", "indoor", "presenter"),
    ("Aiko", "f", "adult", "outdoor", "other"),
    ("Diego", "m", "teen", "outdoor", "selfie"),
    ("Grace", "f", "senior", "indoor", "presenter"),
    ("Samuel", "m", "senior", "other", "other"),
    ("Priya", "f", "adult", "fantasy", "presenter"),
    ("Noah", "nb", "adult", "indoor", "selfie"),
)
_VOICES = (  # name, gender, accents
    ("Aria", "female", ("American", "British")),
    ("Leo", "male", ("American",)),
    ("Mei", "female", ("Mandarin",)),
    ("Kofi", "male", ("Nigerian", "Ghanaian")),
    ("Elena", "female", ("Spanish",)),
    ("Robin", "non_binary", ("Australian",)),
)
MUSIC_CATEGORIES = ("Happy", "Calm", "Energetic", "Relaxed", "Cinematic")
_MUSICS = (("Upbeat Pop", "Happy"), ("Sunny Ukulele", "Happy"), ("Calm Piano", "Calm"),
           ("Soft Strings", "Calm"), ("Epic Drums", "Energetic"), ("Night Run", "Energetic"),
           ("Lo-fi Chill", "Relaxed"), ("Beach Walk", "Relaxed"), ("Rising Hope", "Cinematic"),
           ("Last Stand", "Cinematic"), ("Coffee Shop", "Relaxed"), ("Morning Light", "Calm"))
CATALOGUE_TIME = "2026-01-05T09:00:00.000000Z"
"""created_at/updated_at of every catalogue entry."""


def personas(base_url: str) -> list[dict[str, Any]]:
    """``Persona`` objects as the docs list them (gender ``m``/``f``/``nb``)."""
    out = []
    for name, gender, age_range, location, style in _PERSONAS:
        pid = _catalogue_id("persona", name)
        entry: dict[str, Any] = {"id": pid, "created_at": CATALOGUE_TIME,
                                 "updated_at": CATALOGUE_TIME, "creator_name": name,
                                 "gender": gender, "age_range": age_range,
                                 "location": location, "style": style,
                                 "suitable_industries": "general", "video_scene": None,
                                 "keywords": None}
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_image_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.png")
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_video_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.mp4")
        entry["landscape_preview_video"] = entry["preview_video_16_9"]
        entry["squared_preview_video"] = entry["preview_video_1_1"]
        entry["portrait_preview_video"] = entry["preview_video_9_16"]
        entry.update({"is_active": True, "process_status": "done", "failed_reason": "",
                      "type": "public"})
        out.append(entry)
    return out


def voices(base_url: str) -> list[dict[str, Any]]:
    return [voice(base_url, name, gender, accents) for name, gender, accents in _VOICES]


def voice(base_url: str, name: str, gender: str | None,
          accents: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "accents": [{"id": (aid := _catalogue_id("accent", f"{name}/{accent}")),
                     "accent_name": accent,
                     "preview_url": media.media_url(base_url, "voices", f"{aid}.mp3")}
                    for accent in accents]}
    if gender is not None:
        out["gender"] = gender
    return out


def musics(base_url: str) -> list[dict[str, Any]]:
    assert media.MP3.duration is not None
    return [{"id": (mid := _catalogue_id("music", name)), "name": name,
             "url": media.media_url(base_url, "musics", f"{mid}.mp3"),
             "duration": json_number(media.MP3.duration), "category": category,
             "mood": category.lower()}
            for name, category in _MUSICS]


def music_categories() -> list[dict[str, Any]]:
    return [{"name": name} for name in MUSIC_CATEGORIES]


# Custom templates: the workspace's templates and their variables (CustomTemplateDetail)

@dataclass(frozen=True, slots=True)
class Template:
    name: str
    aspect_ratio: str
    variables: Mapping[str, Mapping[str, Any]]
    """name -> VariableDetail: ``type`` (text/image/video/audio/avatar/voiceover) and the
    properties a job may set."""

    @property
    def template_id(self) -> str:
        return _catalogue_id("template", self.name)

    def summary(self, base_url: str) -> dict[str, Any]:
        return {"template_id": self.template_id, "name": self.name,
                "preview": media.media_url(base_url, self.template_id, "preview.mp4"),
                "aspect_ratio": self.aspect_ratio, "created_at": CATALOGUE_TIME,
                "updated_at": CATALOGUE_TIME}

    def detail(self, base_url: str) -> dict[str, Any]:
        return {**self.summary(base_url), "variables": copy.deepcopy(dict(self.variables))}


VARIABLE_PROPERTY = {"text": "content", "image": "url", "video": "url", "audio": "url",
                     "avatar": "avatar_id", "voiceover": "voice_id"}
"""The property a job's variable of each type carries."""


def _variable(kind: str, default: Any, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "properties": {VARIABLE_PROPERTY[kind]: default}, **extra}


TEMPLATES: dict[str, Template] = {t.template_id: t for t in (
    Template("Product spotlight", "9x16", {
        "headline": _variable("text", "Meet the upgrade", required=True, max_length=80),
        "product_image": _variable("image", None, required=True),
        "presenter": _variable("avatar", None, required=False),
        "narration": _variable("voiceover", None, required=False),
    }),
    Template("Testimonial cut", "16x9", {
        "quote": _variable("text", "It changed my mornings.", required=True, max_length=200),
        "clip": _variable("video", None, required=True),
        "soundtrack": _variable("audio", None, required=False),
    }),
)}


# Accepted text models, styles and video lengths

TEXT_MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview",
               "gemini-3.1-pro-preview", "gemini-3.1-flash-lite-preview")
"""The Gemini models the docs name (TextGenRequest.model_name's known values)."""
AI_SHORTS_STYLES = ("4K realistic", "3D", "Cinematic", "Cartoonish", "Line art", "Pixel art",
                    "Mysterious", "Steam punk", "Collage", "Kawaii")
EDITING_STYLES = ("film", "geometric_gradient", "glitch", "glitter_gradient", "paper")
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
