"""What the library lists: the finished jobs that made something, one item per result to look
at, and how an item is found by its generator or by words.

A job done with a result is one item. A compare-styles job whose previews are ready gives one
item per style preview (so two styles can be compared side by side like any two results); a
preview-render job whose preview is ready gives one item for its preview. Creatify's previews
are web pages (``…/preview/<id>/``), not media files: such an item's kind is ``page`` (opened
in the browser; its poster is its thumbnail when Creatify gives one). Failed, running and
resultless jobs (a text answer, a Link) are not in the library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from app.jobs.ledger import JobRecord, JobState

STYLE_SEPARATOR = "#"
"""An item key of a style preview: ``<job key>#<media_job>``."""

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".m4v", ".mkv"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})
AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".aac", ".ogg"})


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """One result in the library."""

    key: str                 # the job key, or ``<job key>#<media_job>`` for a style preview
    job_key: str
    generator: str           # the spec key
    title: str               # what was asked (the ledger's title)
    created_at: datetime
    duration: float | None   # seconds, when Creatify said
    url: str | None          # the result's (or preview's) URL
    path: str | None         # the saved file, when there is one
    thumbnail_url: str | None
    style: str | None        # the visual style of a style preview
    request: Mapping[str, Any]
    record: JobRecord
    page: bool = False       # a preview Creatify shows as a web page (opened in the browser)

    @property
    def kind(self) -> str:
        """``video``, ``image`` or ``audio``, from the file's (else the URL's) suffix;
        ``page`` for a preview that is a web page."""
        if self.page:
            return "page"
        name = self.path or (self.url or "").split("?", 1)[0]
        suffix = PurePath(name).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            return "image"
        if suffix in AUDIO_SUFFIXES:
            return "audio"
        return "video"


def is_page(url: str) -> bool:
    """A preview's URL that names no media file (Creatify's preview pages)."""
    suffix = PurePath(url.split("?", 1)[0].split("#", 1)[0]).suffix.lower()
    return suffix not in VIDEO_SUFFIXES | IMAGE_SUFFIXES | AUDIO_SUFFIXES


def _finished(record: JobRecord) -> list[LibraryItem]:
    common: dict[str, Any] = {
        "job_key": record.key, "generator": record.generator, "title": record.title,
        "created_at": record.created_at, "request": record.request, "record": record}
    if record.state in (JobState.DONE, JobState.IMAGE_DONE) and record.result_urls:
        thumb = record.thumbnails[0] if record.thumbnails else None
        return [LibraryItem(key=record.key, duration=record.duration,
                            url=record.result_urls[0], path=record.download_path,
                            thumbnail_url=thumb, style=None, **common)]
    if record.state is not JobState.PREVIEW_READY:
        return []
    if record.previews:
        return [LibraryItem(key=f"{record.key}{STYLE_SEPARATOR}{p.media_job}",
                            duration=p.duration, url=p.preview_url, path=None,
                            thumbnail_url=p.thumbnail_url, style=p.visual_style,
                            page=is_page(p.preview_url), **common)
                for p in record.previews if p.preview_url]
    if record.preview_url:
        thumb = record.thumbnails[0] if record.thumbnails else None
        return [LibraryItem(key=record.key, duration=record.duration, url=record.preview_url,
                            path=None, thumbnail_url=thumb, style=None,
                            page=is_page(record.preview_url), **common)]
    return []


def library_items(records: Iterable[JobRecord]) -> list[LibraryItem]:
    """The library's items of ``records`` (in their order; hidden jobs left out)."""
    items: list[LibraryItem] = []
    for record in records:
        if not record.hidden:
            items.extend(_finished(record))
    return items


def search_words(text: str) -> list[str]:
    """The words of a search, lower-cased (every one must be found)."""
    return [word for word in text.casefold().split() if word]


def matches(item: LibraryItem, words: Sequence[str], *, name: str = "",
            tags: Sequence[str] = (), generator_title: str = "") -> bool:
    """Whether every word is in the item's name (its own or the creator's), title, tags,
    generator, style or file name."""
    if not words:
        return True
    haystack = " ".join((name, item.title, " ".join(tags), generator_title, item.generator,
                         item.style or "", PurePath(item.path).name if item.path else "",
                         )).casefold()
    return all(word in haystack for word in words)


__all__ = ["AUDIO_SUFFIXES", "IMAGE_SUFFIXES", "STYLE_SEPARATOR", "VIDEO_SUFFIXES",
           "LibraryItem", "is_page", "library_items", "matches", "search_words"]
