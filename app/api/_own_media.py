"""Your own avatars and voices: a custom avatar uploaded, read while under review; a voice
cloned from an audio URL and deleted.

* ``POST /api/personas_v2/`` — multipart/form-data: the training video as the file part
  ``lipsync_input`` (``video/mp4`` or ``video/quicktime``) with ``creator_name``, ``gender``
  (``m``/``f``/``nb``) and ``video_scene`` (the BYOA guide). The answer's ``process_status``
  reads ``pending``; ``GET /api/personas/{id}/`` tells when the review ended (``is_active``).
* ``POST /api/voices/`` — ``{original_audio_url, name}`` → the new voice with its accent.
* ``DELETE /api/voices/accents/{accent_id}/`` — no body.

The billing page prices neither an avatar nor a clone, but each changes the account: like a
paid create they are sent **once** (:meth:`OwnMediaEndpoints._once`): a failure after the
request may have left this machine is :class:`AmbiguousCreateError`, never a retry. The
video is streamed from its file by httpx (in 64 KiB reads), never held whole in memory.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from app.api import resources as R
from app.api._addresses import path_segment
from app.api._transport import NOT_SENT, BaseClient
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    MalformedResponseError,
    ServerError,
)

PERSONA_GENDERS = ("m", "f", "nb")
"""What a persona's ``gender`` takes (voices write ``male``/``female``/``non_binary``)."""
AVATAR_VIDEO_TYPES = ("video/mp4", "video/quicktime")
"""The training video's types the BYOA guide accepts."""
MAX_TEXT = 255
"""``creator_name``, ``video_scene`` and a voice's ``name``: at most 255 characters."""


def _text(value: str | None, label: str, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValueError(f"{label}: enter one.")
        return None
    if len(text) > MAX_TEXT:
        raise ValueError(f"{label}: at most {MAX_TEXT} characters (this one has {len(text)}).")
    return text


def _object_with(key: str, what: str) -> Callable[[Any], dict[str, Any]]:
    def parse(body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping) or not body.get(key):
            raise MalformedResponseError(f"expected {what} with its {key}")
        return dict(body)
    return parse


def _voice(body: Any) -> dict[str, Any]:
    voice = _object_with("accents", "a voice")(body)
    accents = voice["accents"]
    if not isinstance(accents, list) or not any(
            isinstance(a, Mapping) and a.get("id") for a in accents):
        raise MalformedResponseError("expected a voice with at least one accent id")
    return voice


class _Counted:
    """A file httpx streams as a multipart part, reporting ``progress(sent, total)`` as it
    is read (httpx reads it on the event loop's thread, in 64 KiB pieces)."""

    def __init__(self, handle: BinaryIO, total: int,
                 progress: Callable[[int, int], None]) -> None:
        self._handle, self._total, self._progress = handle, total, progress
        self._sent = 0

    def fileno(self) -> int:
        return self._handle.fileno()

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        where = self._handle.seek(offset, whence)
        self._sent = where
        return where

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._sent = min(self._total, self._sent + len(data))
        self._progress(self._sent, self._total)
        return data


class OwnMediaEndpoints(BaseClient):
    """Custom avatars and cloned voices."""

    async def _once[T](self, method: str, path: str, parse: Callable[[Any], T], what: str, *,
                       body: Any = None, files: Any = None, data: Any = None) -> T:
        """One request that changes the account, sent exactly once (never retried)."""
        try:
            response = await self._send_once(method, path, params=None, body=body,
                                             files=files, data=data)
        except NOT_SENT as exc:
            raise ConnectionFailedError(
                f"Could not reach Creatify ({type(exc).__name__}); nothing was sent.") from exc
        except httpx.TransportError as exc:
            raise AmbiguousCreateError(
                f"{method} {path}: the connection failed after the request was sent "
                f"({type(exc).__name__}). The {what} may or may not have been done; look at "
                f"the list before trying again.", cause=exc) from exc
        except httpx.DecodingError as exc:
            raise AmbiguousCreateError(
                f"{method} {path}: Creatify's answer could not be decoded. The {what} may or "
                f"may not have been done.", cause=exc) from exc
        try:
            return parse(self._decode(response))
        except (ServerError, MalformedResponseError) as exc:
            raise AmbiguousCreateError(
                f"{method} {path}: {exc.message} The {what} may or may not have been done.",
                cause=exc, status_code=response.status_code) from exc

    async def upload_avatar(self, video: str | Path, content_type: str, *, creator_name: str,
                            gender: str, video_scene: str | None = None,
                            keywords: str | None = None,
                            progress: Callable[[int, int], None] | None = None,
                            ) -> dict[str, Any]:
        """Upload a custom avatar's training video (``POST /api/personas_v2/``, multipart);
        the answer is the new persona, under review (``process_status`` ``pending``).

        ``content_type`` is the video's real type (read from its bytes:
        ``app.uploads.detect_media``); ``progress(sent, total)`` follows the bytes as they
        go. ``ValueError`` before anything is sent for a type, gender or text the docs do not
        take, or a file that cannot be opened."""
        if content_type not in AVATAR_VIDEO_TYPES:
            raise ValueError("Creatify takes a custom avatar's video as MP4 or MOV only.")
        if gender not in PERSONA_GENDERS:
            raise ValueError(f"Gender: one of {', '.join(PERSONA_GENDERS)}, not {gender!r}.")
        fields = {"creator_name": _text(creator_name, "Name", required=True), "gender": gender,
                  "video_scene": _text(video_scene, "Scene"),
                  "keywords": _text(keywords, "Keywords")}
        data = {k: v for k, v in fields.items() if v is not None}
        path = Path(video)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except OSError as exc:
            raise ValueError(f"“{path.name}” could not be read "
                             f"({exc.strerror or exc}).") from exc
        with handle:
            total = os.fstat(handle.fileno()).st_size
            part: BinaryIO | _Counted = handle if progress is None else _Counted(
                handle, total, progress)
            files = {"lipsync_input": (path.name, part, content_type)}
            return await self._once("POST", R.PERSONAS_V2.path, _object_with("id", "a persona"),
                                    "avatar upload", files=files, data=data)

    async def persona(self, persona_id: str) -> dict[str, Any]:
        """One avatar, ``GET /api/personas/{id}/`` (free): how a custom avatar's review is
        followed (``is_active`` false while under review)."""
        segment = path_segment(persona_id, "avatar id")
        body = await self._free("GET", R.PERSONAS.item_path(segment))
        return _object_with("id", "a persona")(body)

    async def clone_voice(self, original_audio_url: str,
                          name: str | None = None) -> dict[str, Any]:
        """Clone a voice from a public audio URL (``POST /api/voices/``); the answer is the
        new voice, whose accent id is what ``accent`` / ``voice_id`` take."""
        url = (original_audio_url or "").strip()
        if not url.startswith(("https://", "http://")) or len(url) > 1000:
            raise ValueError("The recording must be a web address (http or https) of at most "
                             "1,000 characters.")
        body: dict[str, Any] = {"original_audio_url": url}
        clean = _text(name, "Name")
        if clean is not None:
            body["name"] = clean
        return await self._once("POST", R.VOICES.path, _voice, "voice clone", body=body)

    async def delete_voice(self, accent_id: str) -> None:
        """Delete a cloned voice (``DELETE /api/voices/accents/{accent_id}/``), once; a 404
        raises :class:`NotFoundError` (it is not there, or not yours to delete)."""
        segment = path_segment(accent_id, "voice id")
        await self._once("DELETE", f"{R.VOICE_ACCENTS_PATH}{segment}/", lambda _body: None,
                         "voice deletion")


__all__ = ["AVATAR_VIDEO_TYPES", "PERSONA_GENDERS", "OwnMediaEndpoints"]
