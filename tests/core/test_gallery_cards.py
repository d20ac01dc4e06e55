"""The galleries' cards and filters (no Qt): avatars from the docs' Persona objects, the
server query of their facets, voices with a language read from the accent, and the visual
styles' example pictures from the creator's own jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.galleries import (
    AvatarFilter,
    VoiceFilter,
    avatar_cards,
    filter_avatars,
    filter_voices,
    language_of,
    server_filters,
    voice_cards,
)
from app.galleries.styles import NO_EXAMPLE, style_cards
from app.sandbox import catalogue

BASE = "http://127.0.0.1:9"


def test_avatar_cards_put_the_creators_own_first_and_mark_those_in_review() -> None:
    stock = catalogue.personas(BASE)
    own = {**stock[0], "id": "own-1", "creator_name": "Zed", "type": "custom",
           "is_active": False, "preview_image_1_1": None}
    cards = avatar_cards([*stock, own, {"creator_name": "no id"}, "junk"])
    assert len(cards) == len(stock) + 1
    assert cards[0].id == "own-1" and cards[0].custom and not cards[0].usable
    assert cards[0].status == "In review" and cards[0].image is not None  # another ratio
    names = [c.name for c in cards[1:]]
    assert names == sorted(names, key=str.casefold)
    olivia = next(c for c in cards if c.name == "Olivia")
    assert olivia.image and olivia.image.endswith("_1_1.png")
    assert olivia.video and olivia.video.endswith("_1_1.mp4")
    assert olivia.details == "Female · Adult · Indoor · Selfie"
    assert olivia.detail_lines == ("Female · Adult", "Indoor · Selfie")


def test_filters_run_alike_here_and_as_the_server_query() -> None:
    cards = avatar_cards(catalogue.personas(BASE))
    wanted = AvatarFilter({"gender": frozenset({"f", "nb"}), "style": frozenset({"selfie"})})
    assert server_filters(wanted) == {"gender": ["f", "nb"], "style": ["selfie"]}
    assert server_filters(AvatarFilter()) == {}
    shown = filter_avatars(cards, wanted)
    assert sorted(c.name for c in shown) == ["Noah", "Olivia"]
    assert [c.name for c in filter_avatars(cards, AvatarFilter(text="  OLI "))] == ["Olivia"]
    favourites = frozenset({shown[0].id})
    only = filter_avatars(cards, AvatarFilter(favourites_only=True), favourites)
    assert [c.id for c in only] == [shown[0].id]


def test_voice_cards_one_per_accent_with_a_language() -> None:
    cards = voice_cards([*catalogue.voices(BASE), {"name": "Broken", "accents": [{}]}])
    assert [c.label for c in cards][:3] == ["Aria — American", "Aria — British",
                                             "Elena — Spanish"]
    mei = next(c for c in cards if c.name == "Mei")
    assert mei.language == "Chinese" and mei.gender == "female"
    assert mei.sample and mei.sample.endswith(".mp3")
    english = filter_voices(cards, VoiceFilter(genders=frozenset({"female"}),
                                               languages=frozenset({"English"})))
    assert [c.label for c in english] == ["Aria — American", "Aria — British"]
    assert [c.label for c in filter_voices(cards, VoiceFilter(accents=frozenset({"Nigerian"})))
            ] == ["Kofi — Nigerian"]


def test_language_is_read_from_the_accent_name() -> None:
    assert language_of("American English accent") == "English"
    assert language_of("Brazilian") == "Portuguese"
    assert language_of("French") == "French"
    assert language_of("Cloned") == "Other"


@dataclass
class Preview:
    visual_style: str
    thumbnail_url: str | None


@dataclass
class Job:
    generator: str
    request: dict[str, Any]
    state: str
    thumbnails: tuple[str, ...]
    title: str
    created_at: datetime
    previews: list[Preview] = field(default_factory=list)


def test_styles_show_the_creators_own_latest_video_or_say_there_is_none() -> None:
    day = datetime(2026, 12, 1, tzinfo=UTC)
    later = datetime(2026, 12, 5, tzinfo=UTC)
    jobs = [
        Job("url_to_video", {"visual_style": "FullScreenTemplate"}, "done",
            ("https://cdn.example/old.png",), "Old mug", day),
        Job("url_to_video", {"visual_style": "FullScreenTemplate"}, "done",
            ("https://cdn.example/new.png",), "New mug", later),
        Job("url_to_video", {"visual_style": "AvatarBubbleTemplate"}, "failed",
            ("https://cdn.example/failed.png",), "Failed", later),
        Job("url_to_video", {}, "preview_ready", (), "Compared", day,
            [Preview("MysteryTemplate", "https://cdn.example/mystery.png")]),
        Job("text_to_speech", {"visual_style": "AvatarBubbleTemplate"}, "done",
            ("https://cdn.example/tts.png",), "Other", later),
    ]
    cards = style_cards([("AvatarBubbleTemplate", "Avatar bubble"),
                         ("FullScreenTemplate", "Full screen")], jobs)
    assert [c.id for c in cards] == ["AvatarBubbleTemplate", "FullScreenTemplate",
                                     "MysteryTemplate"]
    bubble, full, mystery = cards
    assert bubble.image is None and bubble.example == NO_EXAMPLE
    assert full.image == "https://cdn.example/new.png" and "New mug" in full.example
    assert "2026-12-05" in full.example
    assert mystery.image == "https://cdn.example/mystery.png"
    assert "style preview" in mystery.example
