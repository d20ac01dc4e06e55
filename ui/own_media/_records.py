"""Which avatars and voices are the creator's own (no Qt).

Creatify's lists do not say which avatar or voice an account made: a persona's ``type`` has no
documented values and a voice has no owner field. So the app keeps its own record of what it
uploaded and cloned, per connection mode (the sandbox's ids are not Creatify's), in
``own_media.json`` in the data folder, written atomically. An avatar's review is followed with
``GET /api/personas/{id}/`` (free) until ``is_active`` turns true.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from app.atomic import write_text_atomically

log = logging.getLogger("ui.own_media")

FILE_NAME = "own_media.json"
FORMAT = 1

AvatarState = Literal["review", "ready", "failed"]
STATE_WORDS: dict[str, str] = {"review": "In review", "ready": "Ready", "failed": "Not accepted"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True, slots=True)
class OwnAvatar:
    id: str
    name: str
    gender: str
    scene: str
    file: str
    uploaded: str = field(default_factory=_now)
    state: AvatarState = "review"
    reason: str = ""

    @property
    def status(self) -> str:
        """What its row says: "In review", "Ready", or "Not accepted: <reason>"."""
        words = STATE_WORDS[self.state]
        return f"{words}: {self.reason}" if self.state == "failed" and self.reason else words


@dataclass(frozen=True, slots=True)
class OwnVoice:
    accent_id: str
    name: str
    file: str
    cloned: str = field(default_factory=_now)


def review_state(persona: dict[str, Any]) -> tuple[AvatarState, str]:
    """An avatar's review as ``GET /api/personas/{id}/`` tells it: usable once ``is_active``
    is true (the BYOA guide: inactive means under review); a ``failed_reason`` on an inactive
    one means it was turned down; anything else is still in review (``process_status`` has
    no documented value but ``pending``, so it is not read for the outcome)."""
    active = persona.get("is_active")
    if active is True or (isinstance(active, str) and active.strip().lower() == "true"):
        return "ready", ""
    reason = str(persona.get("failed_reason") or "").strip()
    status = str(persona.get("process_status") or "").strip().lower()
    if reason and status in ("failed", "rejected", "error"):
        return "failed", reason
    return "review", ""


class OwnMediaBook:
    """The avatars and voices made from this app, for one mode (``sandbox`` or ``live``)."""

    def __init__(self, path: Path | None, mode: str) -> None:
        self.path = path
        self.mode = mode
        self.avatars: list[OwnAvatar] = []
        self.voices: list[OwnVoice] = []
        self._all: dict[str, Any] = {}
        self._read()

    def _read(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            self._all = dict(data)
            mine = data.get(self.mode) or {}
            self.avatars = [OwnAvatar(**a) for a in mine.get("avatars", [])]
            self.voices = [OwnVoice(**v) for v in mine.get("voices", [])]
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("%s could not be read (%s); starting an empty list", self.path, exc)
            self._all, self.avatars, self.voices = {}, [], []

    def text(self) -> str:
        """The whole file as it should now read (every mode's part kept)."""
        data = {**self._all, "format": FORMAT,
                self.mode: {"avatars": [asdict(a) for a in self.avatars],
                            "voices": [asdict(v) for v in self.voices]}}
        return json.dumps(data, indent=1, ensure_ascii=False)

    def save_now(self) -> None:
        """Write the file (blocking: callers run it in a worker thread)."""
        if self.path is not None:
            write_text_atomically(self.path, self.text())

    # -- changes

    def add_avatar(self, avatar: OwnAvatar) -> None:
        self.avatars = [a for a in self.avatars if a.id != avatar.id] + [avatar]

    def set_review(self, avatar_id: str, state: AvatarState, reason: str = "") -> bool:
        """Record an avatar's review; True when that changed anything."""
        changed = False
        for i, avatar in enumerate(self.avatars):
            if avatar.id == avatar_id and (avatar.state, avatar.reason) != (state, reason):
                self.avatars[i] = replace(avatar, state=state, reason=reason)
                changed = True
        return changed

    def forget_avatar(self, avatar_id: str) -> None:
        self.avatars = [a for a in self.avatars if a.id != avatar_id]

    def in_review(self) -> list[OwnAvatar]:
        return [a for a in self.avatars if a.state == "review"]

    def add_voice(self, voice: OwnVoice) -> None:
        self.voices = [v for v in self.voices if v.accent_id != voice.accent_id] + [voice]

    def forget_voice(self, accent_id: str) -> None:
        self.voices = [v for v in self.voices if v.accent_id != accent_id]


__all__ = ["FILE_NAME", "STATE_WORDS", "OwnAvatar", "OwnMediaBook", "OwnVoice", "review_state"]
