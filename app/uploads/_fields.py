"""Where local files fit in the app: which form fields take one (and of which kind), the
storage settings as a :class:`StorageConfig`, and whether Creatify can fetch a link.

A URL field takes a local file when its spec says it holds an image, audio or video (its name,
label or help speak of one); a product *page* never does. The rule is read from the spec, so a
generator added later gets local files with no change here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.generators import Field, FieldKind
from app.settings import Settings
from app.uploads._config import StorageConfig, UrlMode
from app.uploads._media import Kind
from app.urls import LOCAL, url_problem

_WORDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("image", re.compile(r"\b(image|images|photo|picture|png|jpe?g|webp)\b")),
    ("audio", re.compile(r"\b(audio|mp3|wav|sound|voice ?over)\b")),
    ("video", re.compile(r"\b(video|footage|mp4|mov)\b")),
)
_PAGE = re.compile(r"\bpage\b")


def _words(text: str) -> str:
    return text.lower().replace("_", " ")


def media_kinds(field: Field) -> tuple[Kind, ...]:
    """The kinds of local file ``field`` takes (empty: none — not a URL, or a web page).

    The field's name and label decide; its help only when they name no kind ("Reference ad
    URL" is a video by its name ``video_url``). A product page URL takes no file.
    """
    if field.kind is not FieldKind.URL:
        return ()
    own = f"{_words(field.name)} {_words(field.label)}"
    if _PAGE.search(own):
        return ()
    for text in (own, _words(field.help)):
        kinds = tuple(kind for kind, pattern in _WORDS if pattern.search(text))
        if kinds:
            return kinds
    return ()


def storage_config(settings: Settings) -> StorageConfig | None:
    """The bucket the settings name, or None when no bucket is set (uploads are off).

    Raises ``ValueError`` (a sentence naming the setting to fix) for settings the storage
    cannot use."""
    if not settings.storage_bucket.strip():
        return None
    mode: UrlMode = "public" if settings.storage_links == "public" else "presigned"
    return StorageConfig(bucket=settings.storage_bucket,
                         endpoint_url=settings.storage_endpoint or None,
                         region=settings.storage_region, prefix=settings.storage_folder,
                         url_mode=mode, public_base_url=settings.storage_public_url or None,
                         presign_seconds=settings.storage_link_seconds,
                         path_style=settings.storage_path_style)


def unreachable_link(url: str) -> str | None:
    """Why Creatify (on the internet) cannot fetch ``url``: it points at this computer or a
    private network. None when the host is public (or the address is no web address at all:
    the field's own check says that)."""
    if url_problem(url, public=False) is not None:
        return None
    if url_problem(url, public=True) != LOCAL:
        return None
    host = urlsplit(url).hostname or "this computer"
    return (f"This link points at {host}, on your own computer or network: Creatify fetches "
            "the file from the internet and cannot reach it. Use storage with a public "
            "address (Settings → Storage).")


__all__ = ["media_kinds", "storage_config", "unreachable_link"]
