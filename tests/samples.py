"""Valid form values for every generator, for tests (unit and end-to-end)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keyring.backend
import keyring.errors

XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
            "XDG_VIDEOS_DIR", "XDG_CONFIG_DIRS", "XDG_DATA_DIRS")
"""Environment variables that move platformdirs' folders."""

SCRIPT_31S = " ".join(["word"] * 77)  # 77 words at 150 wpm -> 31 s


@dataclass(frozen=True)
class Inputs:
    """Ids and URLs a form needs; the e2e tests fill them from the simulator."""

    link_id: str = "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c"
    persona_id: str = "9d1e3b42-5f6a-4c7d-8e9f-0a1b2c3d4e5f"
    accent_id: str = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
    template_id: str = "f0ef2cac-6997-5b1f-8e95-97ca7935b4af"  # the simulator's "Product spotlight"
    inspiration_id: str = "1ae53cc0-f089-5f1d-8f4b-3efae91a6692"  # its "Product Spin 360"
    product_job: str = "2c3d4e5f-6a7b-4c9d-8e1f-2a3b4c5d6e7f"
    image_url: str = "https://cdn.example.com/face.png"
    audio_url: str = "https://cdn.example.com/voice.mp3?duration=12"
    video_url: str = "https://cdn.example.com/ad.mp4?duration=31"
    product_page: str = "https://shop.example.com/products/mug"


def valid_values(key: str, i: Inputs | None = None) -> dict[str, Any]:
    """Values that validate for every flow of generator ``key`` (``source_job`` is only read
    when regenerating; ``product_url`` only for a first image)."""
    i = i or Inputs()
    table: dict[str, dict[str, Any]] = {
        "url_to_video": {"link": i.link_id, "video_length": 30, "aspect_ratio": "9x16",
                         "override_avatar": i.persona_id, "override_voice": i.accent_id},
        "avatar_v1": {"creator": i.persona_id, "text": SCRIPT_31S, "accent": i.accent_id},
        "avatar_v2": {"scenes": [{"avatar_id": i.persona_id, "voice_id": i.accent_id,
                                  "input_text": SCRIPT_31S, "background_url": i.image_url}]},
        "aurora": {"image": i.image_url, "audio": i.audio_url},
        "aurora_fast": {"image": i.image_url, "audio": i.audio_url},
        "custom_template": {"template_id": i.template_id,
                            "variables": {"headline": {"type": "text", "value": "Hello"},
                                          "product_image": {"type": "image",
                                                            "value": i.image_url}}},
        "asset_generator": {"model_name": "veo3.1/fast",
                            "input_params": {"prompt": "A mug on a desk", "duration": "6"}},
        "ai_ad_template": {"inspiration_id": i.inspiration_id,
                           "input_params": {"Product Image": i.image_url}},
        "image_ad": {"image": i.image_url},
        "text_generator": {"model_name": "gemini-2.5-flash",
                           "prompt": "Write a tagline for a mug."},
        "text_to_speech": {"script": SCRIPT_31S, "accent": i.accent_id},
        "ai_scripts": {"url": i.product_page, "video_length": 30},
        "links": {"url": i.product_page},
        "ai_shorts": {"script": SCRIPT_31S, "aspect_ratio": "9x16", "style": "Cinematic"},
        "ai_editing": {"video_url": i.video_url, "editing_style": "film"},
        "product_image": {"product_url": i.image_url, "source_job": i.product_job},
        "product_video": {"source_job": i.product_job, "motion_style": "display"},
        "ad_clone": {"link": i.link_id, "video_url": i.video_url},
    }
    return table[key]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A dict-backed keyring for tests; used with ``CredentialStore(trust_backend=True)``."""

    priority = 1  # type: ignore[assignment]
    viable = False  # never chosen by keyring's own detection in a test process

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None
