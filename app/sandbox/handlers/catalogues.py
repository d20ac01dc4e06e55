"""Handlers of the free endpoints: credits, avatars, voices, music, templates, asset schemas.

The built-in catalogues come from ``catalogue``; custom avatars and cloned voices live in
the account (free in the sandbox: the billing page prices neither). A custom avatar is under
review for :data:`REVIEW_SECONDS` of simulated time (see :func:`_store_persona`). Lists that
the docs page use DRF's page-number pagination (:func:`_page`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.sandbox import media
from app.sandbox.account import Account
from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.behaviours import PERSONA_FIELDS, VOICE_CLONE_FIELDS
from app.sandbox.catalogue import (
    TEMPLATES,
    music_categories,
    musics,
    personas,
    voices,
)
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.objects import object_body
from app.sandbox.routing import Call
from app.sandbox.validation import validate_fields
from app.sandbox.wire import (
    ApiError,
    Response,
    UploadedFile,
    field_errors,
    iso,
    json_number,
)

__all__ = ["REVIEW_SECONDS", "asset_schemas", "clone_voice", "create_persona", "create_persona_v2",
           "delete_accent", "get_inspiration", "get_persona", "get_template",
           "list_inspirations", "list_music_categories", "list_musics", "list_personas",
           "list_templates", "list_voices",
           "personas_paginated", "remaining_credits", "voices_paginated"]


def remaining_credits(a: Account, call: Call) -> Response:
    return Response(200, {"remaining_credits": json_number(a.balance)})


# ---- avatars -----------------------------------------------------------------------------


REVIEW_SECONDS = 600.0
"""How long a custom avatar's review takes at speed 1 (divided by the speed, like a job's
run). The BYOA guide says "Reviews are typically completed within 24 hours"; the sandbox
compresses that to ten minutes (30 s at the app's sandbox speed)."""
_REVIEW_ENDS = "_review_ends"
"""The wall-clock time a persona's review ends, kept in the account (so a persistent sandbox
finishes a review that ended while it was stopped) and never sent."""


def _reviewed(a: Account, now: float) -> None:
    """Finish the reviews whose time has come: the avatar becomes usable as the sandbox's
    stock ones are (``is_active`` true, ``process_status`` ``done``, previews filled)."""
    wall = a.epoch + now
    for pid, persona in a.personas.items():
        ends = persona.get(_REVIEW_ENDS)
        if not isinstance(ends, int | float) or wall < ends:
            continue
        del persona[_REVIEW_ENDS]
        persona.update({"is_active": True, "process_status": "done", "failed_reason": "",
                        "updated_at": iso(ends)})
        for ratio in ("16_9", "1_1", "9_16"):
            persona[f"preview_image_{ratio}"] = media.media_url(
                a.base_url, "personas", f"{pid}_{ratio}.png")
            persona[f"preview_video_{ratio}"] = media.media_url(
                a.base_url, "personas", f"{pid}_{ratio}.mp4")
        persona["landscape_preview_video"] = persona["preview_video_16_9"]
        persona["squared_preview_video"] = persona["preview_video_1_1"]
        persona["portrait_preview_video"] = persona["preview_video_9_16"]


def _all_personas(a: Account, now: float) -> list[dict[str, Any]]:
    _reviewed(a, now)
    own = [{k: copy.deepcopy(v) for k, v in p.items() if not k.startswith("_")}
           for p in a.personas.values()]
    return personas(a.base_url) + own


def list_personas(a: Account, call: Call) -> Response:
    """``GET /api/personas/`` and ``/api/personas_v2/``: comma-separated filters."""
    found = _all_personas(a, call.now)
    for name in ("age_range", "gender", "location", "style"):
        wanted = call.param(name)
        if wanted:
            allowed = {w.strip().lower() for w in wanted.split(",")}
            found = [p for p in found if str(p.get(name)).lower() in allowed]
    return Response(200, found)


def personas_paginated(a: Account, call: Call) -> Response:
    return Response(200, _paginated(a, call, _all_personas(a, call.now)))


def get_persona(a: Account, call: Call) -> Response:
    found = next((p for p in _all_personas(a, call.now) if p["id"] == call.args[0]), None)
    if found is None:
        raise ApiError(404, {"detail": "No Persona matches the given query."})
    return Response(200, found)


def _store_persona(a: Account, call: Call, body: dict[str, Any]) -> Response:
    """A custom avatar, stored as under review: ``process_status`` ``pending`` (the only
    value the docs show, in the create answer) and ``is_active`` false (the BYOA guide's
    "under review"), without previews. :data:`REVIEW_SECONDS` later (over the speed) the
    review passes: ``is_active`` true, ``process_status`` ``done`` (the docs name no value
    for a reviewed avatar; ``done`` is what the sandbox's stock avatars read), previews
    filled. Nothing is charged."""
    now = a.wall(call.now)
    pid = a.new_id()
    upload = body.get("lipsync_input")
    lipsync_url = (media.media_url(a.base_url, pid, "lipsync_input.mp4")
                   if isinstance(upload, UploadedFile) else upload)
    created = {"id": pid, "gender": body["gender"], "creator_name": body["creator_name"],
               "video_scene": body.get("video_scene"), "keywords": body.get("keywords"),
               "lipsync_input": lipsync_url, "consent_video": None,
               "lipsync_input_url": lipsync_url, "labels": body.get("labels") or [],
               "matching_voice_non_null": None, "process_status": "pending",
               "failed_reason": None, "webhook_url": body.get("webhook_url"),
               "created_at": now, "updated_at": now, "gdown_url": body.get("gdown_url")}
    a.personas[pid] = {
        "id": pid, "created_at": now, "updated_at": now, "gender": body["gender"],
        "creator_name": body["creator_name"], "video_scene": body.get("video_scene"),
        "keywords": body.get("keywords"), "is_active": False, "process_status": "pending",
        "failed_reason": "", "type": "custom",
        **{f"preview_{kind}_{ratio}": None for kind in ("image", "video")
           for ratio in ("16_9", "1_1", "9_16")},
        "landscape_preview_video": None, "squared_preview_video": None,
        "portrait_preview_video": None,
        _REVIEW_ENDS: a.epoch + call.now + REVIEW_SECONDS / a.speed}
    return Response(201, created)


def create_persona(a: Account, call: Call) -> Response:
    """``POST /api/personas/``: JSON with public URLs."""
    body = validate_fields(PERSONA_FIELDS, object_body(call))
    if isinstance(body.get("lipsync_input"), UploadedFile):
        raise field_errors({"lipsync_input": ["Send a URL here; upload files to "
                                              "/api/personas_v2/."]})
    return _store_persona(a, call, body)


def create_persona_v2(a: Account, call: Call) -> Response:
    """``POST /api/personas_v2/``: multipart with the ``lipsync_input`` video file (or
    JSON with a URL)."""
    body = validate_fields(PERSONA_FIELDS, object_body(call))
    upload = body.get("lipsync_input")
    if upload is None or upload == "":
        raise field_errors({"lipsync_input": ["No file was submitted."]})
    if isinstance(upload, UploadedFile):
        if upload.content_type not in ("video/mp4", "video/quicktime"):
            raise field_errors({"lipsync_input": ["Upload a video/mp4 or video/quicktime "
                                                  "file."]})
        if upload.size == 0:
            raise field_errors({"lipsync_input": ["The submitted file is empty."]})
    elif not isinstance(upload, str):
        raise field_errors({"lipsync_input": ["Not a valid file."]})
    return _store_persona(a, call, body)


# ---- voices ------------------------------------------------------------------------------


def _all_voices(a: Account) -> list[dict[str, Any]]:
    return voices(a.base_url) + copy.deepcopy(a.voices)


def list_voices(a: Account, call: Call) -> Response:
    return Response(200, _all_voices(a))


def voices_paginated(a: Account, call: Call) -> Response:
    return Response(200, _paginated(a, call, _all_voices(a)))


def clone_voice(a: Account, call: Call) -> Response:
    """Voice clone: a new voice with one accent (free in the sandbox)."""
    body = validate_fields(VOICE_CLONE_FIELDS, object_body(call))
    name = body.get("name") or f"Cloned voice {len(a.voices) + 1}"
    accent_id = a.new_id()
    created = {"name": name, "accents": [
        {"id": accent_id, "accent_name": "Cloned",
         "preview_url": media.media_url(a.base_url, "voices", f"{accent_id}.mp3")}]}
    a.voices.append(created)
    return Response(201, copy.deepcopy(created))


def delete_accent(a: Account, call: Call) -> Response:
    """Only a cloned voice's accent can be deleted; 204 with no body."""
    for voice_ in a.voices:
        if any(x["id"] == call.args[0] for x in voice_["accents"]):
            voice_["accents"] = [x for x in voice_["accents"] if x["id"] != call.args[0]]
            if not voice_["accents"]:
                a.voices.remove(voice_)
            return Response(204)
    raise ApiError(404, {"detail": "No Accent matches the given query."})


# ---- music, templates, asset schemas -----------------------------------------------------


def list_music_categories(a: Account, call: Call) -> Response:
    return Response(200, music_categories())


def list_musics(a: Account, call: Call) -> Response:
    """Filtered by ``category`` and ``search``, paged (``page_size`` 10 by default):
    ``{count, results, page, page_size}``, or the page as a plain array (quirk off)."""
    found = musics(a.base_url)
    category = call.param("category")
    if category:
        found = [m for m in found if m["category"].lower() == category.lower()]
    search = (call.param("search") or "").strip().lower()
    if search:
        found = [m for m in found if search in m["name"].lower()]
    page = _page(call, found)
    if not a.quirks.musics_paged:
        return Response(200, page.items)
    return Response(200, {"count": page.count, "results": page.items,
                          "page": page.number, "page_size": page.size})


def list_templates(a: Account, call: Call) -> Response:
    return Response(200, [t.summary(a.base_url) for t in TEMPLATES.values()])


def get_template(a: Account, call: Call) -> Response:
    template = TEMPLATES.get(call.args[0])
    if template is None:
        raise ApiError(404, {"detail": "No CustomTemplate matches the given query."})
    return Response(200, template.detail(a.base_url))


def asset_schemas(a: Account, call: Call) -> Response:
    names = call.param("model_name")
    models = (list(ASSET_MODELS.values()) if not names else
              [ASSET_MODELS[n] for n in (s.strip() for s in names.split(","))
               if n in ASSET_MODELS])
    return Response(200, [m.schema() for m in models])


def list_inspirations(a: Account, call: Call) -> Response:
    """``GET /api/inspirations/``: the AI Ad Templates with their schemas."""
    return Response(200, [i.wire(a.base_url) for i in INSPIRATIONS.values()])


def get_inspiration(a: Account, call: Call) -> Response:
    template = INSPIRATIONS.get(call.args[0])
    if template is None:
        raise ApiError(404, {"detail": "No CommunityCreation matches the given query."})
    return Response(200, template.wire(a.base_url))


# ---- pagination --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Page:
    items: list[Any]
    number: int
    size: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count


def _page(call: Call, items: Sequence[Any], default_size: int = 10) -> _Page:
    """DRF page-number pagination: ``page`` from 1, ``page_size`` (invalid or above 100:
    the default, DRF's way); a page past the end is 404 "Invalid page."."""
    try:
        size = int(call.param("page_size") or default_size)
    except ValueError:
        size = default_size
    size = size if 1 <= size <= 100 else default_size
    try:
        number = int(call.param("page") or 1)
    except ValueError:
        raise ApiError(404, {"detail": "Invalid page."}) from None
    if number < 1 or (number > 1 and (number - 1) * size >= len(items)):
        raise ApiError(404, {"detail": "Invalid page."})
    return _Page(list(items[(number - 1) * size:number * size]), number, size, len(items))


def _paginated(a: Account, call: Call, items: Sequence[Any]) -> dict[str, Any]:
    """DRF's ``{count, next, previous, results}``."""
    page = _page(call, items)
    base = f"{a.base_url}{call.request.path}?page_size={page.size}&page="
    return {"count": page.count,
            "next": f"{base}{page.number + 1}" if page.has_next else None,
            "previous": f"{base}{page.number - 1}" if page.number > 1 else None,
            "results": page.items}
