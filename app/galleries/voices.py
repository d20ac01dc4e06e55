"""Voice cards and their filters (no Qt).

A card is one accent of a voice (the accent's id is what the forms send): the voice's name
and gender, the accent's name, its sample (``preview_url``) and a language. Creatify's voice
objects carry no language field, so the language is read from the accent's name ("American
English accent" → English; a bare "Mandarin" → Chinese; an accent of English such as
"British" or "Nigerian" → English), and "Other" when it cannot be told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

VOICE_GENDERS = (("female", "Female"), ("male", "Male"), ("non_binary", "Non-binary"))
OTHER_LANGUAGE = "Other"
_LANGUAGES = ("English", "Spanish", "French", "German", "Italian", "Portuguese", "Dutch",
              "Polish", "Japanese", "Korean", "Chinese", "Arabic", "Hindi", "Russian",
              "Turkish", "Swedish", "Greek", "Czech", "Danish", "Finnish", "Romanian",
              "Indonesian", "Malay", "Vietnamese", "Thai", "Filipino", "Ukrainian", "Hebrew")
_ACCENT_LANGUAGE = {
    "american": "English", "british": "English", "australian": "English",
    "canadian": "English", "irish": "English", "scottish": "English", "indian": "English",
    "nigerian": "English", "ghanaian": "English", "kenyan": "English",
    "south african": "English", "new zealand": "English", "welsh": "English",
    "mandarin": "Chinese", "cantonese": "Chinese", "taiwanese": "Chinese",
    "mexican": "Spanish", "argentinian": "Spanish", "castilian": "Spanish",
    "colombian": "Spanish", "brazilian": "Portuguese", "european portuguese": "Portuguese",
    "parisian": "French", "quebecois": "French", "flemish": "Dutch", "austrian": "German",
    "swiss": "German",
}


def language_of(accent_name: str) -> str:
    """The language an accent's name speaks of, or :data:`OTHER_LANGUAGE`."""
    text = " ".join(accent_name.casefold().replace("-", " ").split())
    for language in _LANGUAGES:
        if language.casefold() in text.split() or text == language.casefold():
            return language
    for word, language in sorted(_ACCENT_LANGUAGE.items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return language
    return OTHER_LANGUAGE


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def gender_word(gender: str) -> str:
    return dict(VOICE_GENDERS).get(gender, gender.replace("_", " "))


@dataclass(frozen=True, slots=True)
class VoiceCard:
    """One accent of one voice."""

    id: str            # the accent id
    name: str          # the voice's name
    accent: str
    gender: str = ""   # male / female / non_binary (the voices' words)
    language: str = OTHER_LANGUAGE
    sample: str | None = None
    search: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} — {self.accent}" if self.accent else self.name

    @property
    def details(self) -> str:
        return " · ".join(x for x in (gender_word(self.gender) if self.gender else "",
                                      self.language) if x)


def voice_cards(items: Iterable[Any]) -> list[VoiceCard]:
    """A card per accent of every voice, by voice name then accent."""
    cards = []
    for voice in items:
        if not isinstance(voice, Mapping):
            continue
        name = _text(voice.get("name")) or "Unnamed voice"
        gender = _text(voice.get("gender")).lower().replace("-", "_")
        for accent in voice.get("accents") or ():
            if not isinstance(accent, Mapping) or not _text(accent.get("id")):
                continue
            accent_name = _text(accent.get("accent_name"))
            sample = _text(accent.get("preview_url"))
            language = language_of(accent_name)
            cards.append(VoiceCard(
                id=_text(accent["id"]), name=name, accent=accent_name, gender=gender,
                language=language,
                sample=sample if sample.startswith(("http://", "https://")) else None,
                search=f"{name} {accent_name} {language}".casefold()))
    cards.sort(key=lambda c: (c.name.casefold(), c.accent.casefold(), c.id))
    return cards


@dataclass(frozen=True, slots=True)
class VoiceFilter:
    genders: frozenset[str] = frozenset()
    accents: frozenset[str] = frozenset()     # accent names
    languages: frozenset[str] = frozenset()
    text: str = ""
    favourites_only: bool = False


def filter_voices(cards: Iterable[VoiceCard], wanted: VoiceFilter,
                  favourites: frozenset[str] = frozenset()) -> list[VoiceCard]:
    words = wanted.text.casefold().split()
    return [c for c in cards
            if (not wanted.favourites_only or c.id in favourites)
            and (not wanted.genders or c.gender in wanted.genders)
            and (not wanted.accents or c.accent in wanted.accents)
            and (not wanted.languages or c.language in wanted.languages)
            and all(w in c.search for w in words)]


__all__ = ["OTHER_LANGUAGE", "VOICE_GENDERS", "VoiceCard", "VoiceFilter", "filter_voices",
           "gender_word", "language_of", "voice_cards"]
