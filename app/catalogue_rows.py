"""What a catalogue entry shows in a picker, and how the pickers search it (no Qt).

Creatify's free catalogues — personas (avatars), voices with their accents, music tracks and
music categories, the workspace's Custom Templates — arrive as JSON lists. The functions here
turn them into :class:`Row` objects (a label, the value the form sends, the casefolded text a
filter matches, a thumbnail or a sample), skipping entries the app cannot use.
``ui.forms.pickers`` and ``ui.forms.templates`` show them.

Imports nothing from the rest of ``app``: it sits with the utilities (``atomic``, ``logsafe``,
``paths``) at the bottom of the core's layers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Row:
    """One choosable catalogue entry."""

    label: str
    value: str
    search: str = ""            # casefolded text the filter matches
    thumbnail: str | None = None
    sample: str | None = None   # an audio preview URL
    link: str | None = None     # a page or video to open (a template's preview)
    detail: str = ""            # a second line of description (a template's aspect ratio)


_GENDERS = {"m": "male", "f": "female", "nb": "non-binary", "non_binary": "non-binary"}
"""The docs' short gender codes (personas list ``m``/``f``/``nb``) in words."""


def _human(value: Any) -> str:
    text = str(value).strip()
    return _GENDERS.get(text.casefold(), text.replace("_", " "))


def _is_inactive(item: Mapping[str, Any]) -> bool:
    if "is_active" not in item:
        return False
    flag = item["is_active"]
    if isinstance(flag, str):
        return flag.strip().lower() in ("false", "0", "no", "")
    return not flag


def persona_rows(items: Iterable[Any]) -> list[Row]:
    """``creator_name — gender, age range, style`` for every active persona, by name."""
    rows = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("id") or _is_inactive(item):
            continue
        name = str(item.get("creator_name") or "Unnamed avatar").strip()
        details = ", ".join(_human(item[k]) for k in ("gender", "age_range", "style")
                            if item.get(k))
        label = f"{name} — {details}" if details else name
        thumb = next((str(item[k]) for k in ("preview_image_1_1", "preview_image_16_9",
                                             "preview_image_9_16") if item.get(k)), None)
        rows.append(Row(label, str(item["id"]), label.casefold(), thumb))
    rows.sort(key=lambda r: r.label.casefold())
    return rows


def accent_rows(items: Iterable[Any]) -> list[Row]:
    """``name (gender) — accent`` for every accent, grouped by voice (voices by name)."""
    rows = []
    voices = [v for v in items if isinstance(v, Mapping)]
    voices.sort(key=lambda v: str(v.get("name") or "").casefold())
    for voice in voices:
        name = str(voice.get("name") or "Unnamed voice").strip()
        head = f"{name} ({_human(voice['gender'])})" if voice.get("gender") else name
        for accent in voice.get("accents") or ():
            if not isinstance(accent, Mapping) or not accent.get("id"):
                continue
            label = f"{head} — {accent.get('accent_name') or 'default'}"
            rows.append(Row(label, str(accent["id"]), label.casefold(),
                            sample=str(accent.get("preview_url") or "") or None))
    return rows


def _seconds(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f" ({round(number)} s)" if math.isfinite(number) else ""


def music_rows(items: Iterable[Any]) -> list[Row]:
    """``name — mood (duration s)`` for every track; the value is the track's URL."""
    rows = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("url"):
            continue
        name = str(item.get("name") or "Untitled track").strip()
        mood = f" — {item['mood']}" if item.get("mood") else ""
        label = f"{name}{mood}{_seconds(item.get('duration'))}"
        rows.append(Row(label, str(item["url"]), label.casefold(), sample=str(item["url"])))
    return rows


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")


def _http(url: Any) -> str | None:
    text = str(url or "").strip()
    return text if urlsplit(text).scheme in ("http", "https") else None


def _is_image(url: str) -> bool:
    return urlsplit(url).path.casefold().endswith(_IMAGE_SUFFIXES)


def template_rows(items: Iterable[Any]) -> list[Row]:
    """``name (aspect ratio)`` for every template, by name; the value is ``template_id``.

    The preview is the row's link, and its thumbnail too when it is an image and the
    template names no thumbnail of its own; only http(s) addresses are kept.
    """
    rows = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        template_id = str(item.get("template_id") or item.get("id") or "").strip()
        if not template_id:
            continue
        name = str(item.get("name") or "Untitled template").strip()
        aspect = str(item.get("aspect_ratio") or "").strip()
        label = f"{name} ({aspect})" if aspect else name
        preview = _http(item.get("preview"))
        thumbnail = next((u for u in (_http(item.get(k)) for k in
                                      ("thumbnail", "preview_image", "cover_image"))
                          if u), None)
        if thumbnail is None and preview is not None and _is_image(preview):
            thumbnail = preview
        rows.append(Row(label, template_id, f"{name} {aspect} {template_id}".casefold(),
                        thumbnail=thumbnail, link=preview, detail=aspect))
    rows.sort(key=lambda r: r.label.casefold())
    return rows


def music_rows_keeping(items: Iterable[Any], seen: dict[str, str],
                       keep: str | None) -> list[Row]:
    """:func:`music_rows` for the tracks shown, with the chosen track ``keep`` first when a
    new search no longer lists it but an earlier page did.

    ``seen`` maps the URL of every track shown so far to its label; it is updated with these
    tracks.
    """
    rows = music_rows(items)
    for row in rows:
        seen[row.value] = row.label
    if keep is not None and keep in seen and all(row.value != keep for row in rows):
        label = seen[keep]
        rows.insert(0, Row(label, keep, label.casefold(), sample=keep))
    return rows


def merge_tracks(shown: list[dict[str, Any]], page: Iterable[Any],
                 first: bool) -> list[dict[str, Any]]:
    """The tracks shown after one more page arrives: the page's tracks alone for a first page,
    else ``shown`` followed by the page's tracks not already shown (same URL)."""
    tracks = [dict(t) for t in page if isinstance(t, Mapping)]
    if first:
        return tracks
    seen = {t.get("url") for t in shown}
    return [*shown, *(t for t in tracks if t.get("url") not in seen)]


def category_names(items: Iterable[Any]) -> list[str]:
    """The music categories' names, trimmed, without blanks or repeats, in the given order."""
    names = [str(i.get("name")).strip() for i in items
             if isinstance(i, Mapping) and str(i.get("name") or "").strip()]
    return list(dict.fromkeys(names))


def tracks_listed(shown: int, count: int | None) -> str:
    """``"20 of 245 tracks listed"`` (or ``"20 tracks listed"`` when the total is unknown)."""
    tracks = "track" if shown == 1 else "tracks"
    if count is not None:
        return f"{shown:,} of {max(count, shown):,} {tracks} listed"
    return f"{shown:,} {tracks} listed"


def search_words(text: str) -> list[str]:
    """The words of a filter line, casefolded."""
    return text.casefold().split()


def matches(row: Row, words: Iterable[str]) -> bool:
    """Whether ``row`` matches every one of the :func:`search_words` (no words: it does)."""
    return all(word in row.search for word in words)


__all__ = [
    "Row",
    "accent_rows",
    "category_names",
    "matches",
    "merge_tracks",
    "music_rows",
    "music_rows_keeping",
    "persona_rows",
    "search_words",
    "template_rows",
    "tracks_listed",
]
