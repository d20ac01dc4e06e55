"""Names and targets: :func:`render_name` turns the naming template into a safe stem,
:func:`target_in` gives a path inside the output folder that is not taken yet
(``name (2).mp4`` ...).

The default name reads like a title: ``Meet the blue mug - Text to Speech - 2026-12-06``
(what was asked, the generator's title, the day). No job id in it: a second result of the
same name on the same day is saved as ``… (2).mp3`` by :func:`target_in` (its sidecar names
the job)."""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import datetime
from pathlib import Path, PurePath
from urllib.parse import urlsplit

from app.downloads._errors import DownloadError

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://(www\.)?", re.IGNORECASE)
MAX_NAME = 120

DEFAULT_TEMPLATE = "{title} - {generator_title} - {date}"
"""The default file-name template (the extension is added from the result)."""

RETIRED_TEMPLATES = frozenset({"{generator}_{title}_{date}_{short_id}"})
"""Defaults of earlier versions: settings that still hold one get :data:`DEFAULT_TEMPLATE`
(:func:`current_template`)."""

TEMPLATE_FIELDS = ("title", "generator_title", "generator", "date", "time", "short_id",
                   "job_id")
"""The placeholders a naming template may use."""

_GENERATOR_MAX = 30
_TITLE_MAX = 60

_WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL",
                               *(f"COM{i}" for i in range(1, 10)),
                               *(f"LPT{i}" for i in range(1, 10))})


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` reduced to a plain file name: no folders, no dot-files, no odd characters."""
    name = unicodedata.normalize("NFKC", name).replace("/", "_").replace("\\", "_")
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_+", "_", name)
    if not name:
        name = fallback
    base = name.split(".", 1)[0]
    if base.rstrip(" ").upper() in _WINDOWS_RESERVED:  # CON, NUL.mp4 ... are devices there
        name = base + "_" + name[len(base):]
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 8 and len(name) > MAX_NAME:
        return stem[: MAX_NAME - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME]


def _short(text: str, fallback: str, limit: int) -> str:
    return safe_filename(safe_filename(text, fallback)[:limit], fallback)


def current_template(template: str) -> str:
    """``template``, or today's default when it is the default of an earlier version."""
    return DEFAULT_TEMPLATE if template.strip() in RETIRED_TEMPLATES else template


def _words(title: str, limit: int) -> str:
    """What was asked, as words: punctuation and separators become spaces (``Meet the blue
    mug: double-walled`` → ``Meet the blue mug double-walled``; a product page without its
    ``https://www.``), cut at a word boundary within ``limit`` characters."""
    title = _SCHEME.sub("", title.strip())
    words = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFKC", title)
                                 .replace("/", " ").replace("\\", " ")).split())
    if title.endswith(("…", "...")) and " " in words:  # cut mid-word already: drop the stub
        words = words.rsplit(" ", 1)[0]
    if len(words) > limit:
        head = words[:limit + 1]
        cut = head.rsplit(" ", 1)[0] if " " in head else ""
        words = cut if len(cut) >= limit // 2 else words[:limit]
    return safe_filename(words.strip(" ._-"), "untitled")


def generator_title(generator: str) -> str:
    """The generator's title as the window shows it (``Text to Speech``); an unknown key in
    words (``link_to_videos`` → ``Link to videos``)."""
    from app.generators import BY_KEY  # (the catalogue: not needed to read a setting)

    spec = BY_KEY.get(generator)
    if spec is not None:
        return spec.title
    words = " ".join(generator.replace("_", " ").split())
    return words[:1].upper() + words[1:]


def render_name(template: str = DEFAULT_TEMPLATE, *, generator: str, title: str,
                created: datetime, job_id: str, title_of_generator: str | None = None) -> str:
    """The file name (without extension) for a result, from the naming ``template``.

    Placeholders: ``{title}`` (what was asked, in words, at most 60 characters),
    ``{generator_title}`` (``Text to Speech``), ``{generator}`` (its key,
    ``text_to_speech``), ``{date}`` (YYYY-MM-DD), ``{time}`` (HHMMSS), ``{short_id}`` (the
    job id's first 8 characters), ``{job_id}``. A retired default template gives today's
    (:func:`current_template`). Each value, and then the whole name, goes through
    :func:`safe_filename`:
    the result has no path separator, does not start with a dot and is at most
    :data:`MAX_NAME` characters. An unknown placeholder, a format spec or conversion
    (``{title:>9}``, ``{title!r}``) or a stray brace raises :class:`DownloadError`.
    ``title_of_generator`` stands in for the catalogue's title (checking a template needs no
    catalogue).
    """
    template = current_template(template)
    values = {
        "generator": _short(generator, "result", _GENERATOR_MAX),
        "generator_title": _short(generator_title(generator) if title_of_generator is None
                                  else title_of_generator, "result", _GENERATOR_MAX),
        "title": _words(title, _TITLE_MAX),
        "date": created.strftime("%Y-%m-%d"),
        "time": created.strftime("%H%M%S"),
        "short_id": safe_filename(job_id[:8], "job"),
        "job_id": safe_filename(job_id, "job"),
    }
    known = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise DownloadError(f"The file name template {template!r} is not valid ({exc}); "
                            f"use the placeholders {known}.") from None
    pieces: list[str] = []
    for literal, field, spec, conversion in parsed:
        pieces.append(literal)
        if field is None:
            continue
        if field not in values:
            shown = "{" + field + "}" if field else "{}"
            raise DownloadError(f"Unknown placeholder {shown} in the file name template; "
                                f"use {known}.")
        if spec or conversion:
            raise DownloadError(f"The placeholder {{{field}}} in the file name template takes "
                                "no format or conversion.")
        pieces.append(values[field])
    return safe_filename("".join(pieces), "download")


def suffix_for(url: str, content_type: str | None) -> str:
    """A file extension for the result: from the URL path, else from the content type."""
    path_suffix = Path(urlsplit(url).path).suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,5}", path_suffix):
        return path_suffix
    kinds = {"video/mp4": ".mp4", "audio/mpeg": ".mp3", "audio/wav": ".wav",
             "audio/x-wav": ".wav", "image/png": ".png", "image/jpeg": ".jpg",
             "image/webp": ".webp", "video/webm": ".webm"}
    return kinds.get((content_type or "").split(";")[0].strip().lower(), ".bin")


def unique_path(folder: Path, filename: str) -> Path:
    """``folder/filename``, or ``name (2).ext`` etc. if taken."""
    candidate = folder / filename
    stem, suffix = candidate.stem, candidate.suffix
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def target_in(folder: Path, filename: str) -> Path:
    """A path for ``filename`` directly inside ``folder`` that is not taken yet.

    ``filename`` must be a plain name (no separators, not ``.``/``..``); the resolved path's
    parent must be the resolved ``folder`` (so a symlink planted in the folder cannot lead
    out of it). Otherwise :class:`DownloadError`.
    """
    if (not filename or filename in (".", "..") or "/" in filename or "\\" in filename
            or "\x00" in filename or PurePath(filename).name != filename):
        raise DownloadError(f"Refusing to save as {filename!r}: not a plain file name.")
    candidate = unique_path(folder, filename)
    if candidate.resolve().parent != folder.resolve():
        raise DownloadError(f"Refusing to save {filename!r}: it would leave the output folder.")
    return candidate


def part_path(target: Path) -> Path:
    """Where :func:`fetch_resumable` keeps the incomplete ``target``."""
    return target.with_name(target.name + ".part")


__all__ = ["DEFAULT_TEMPLATE", "MAX_NAME", "RETIRED_TEMPLATES", "TEMPLATE_FIELDS",
           "current_template", "generator_title", "part_path", "render_name", "safe_filename",
           "suffix_for", "target_in", "unique_path"]
