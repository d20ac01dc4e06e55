"""Save a job's result to the output folder: streamed to ``.part``, size-checked, renamed."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from app.generators.spec import url_problem

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_NAME = 120


class DownloadError(Exception):
    """The file could not be fetched or saved; the message says why."""


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` reduced to a plain file name: no folders, no dot-files, no odd characters."""
    name = unicodedata.normalize("NFKC", name).replace("/", "_").replace("\\", "_")
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_+", "_", name)
    if not name:
        name = fallback
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 8 and len(name) > MAX_NAME:
        return stem[: MAX_NAME - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME]


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
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


async def download(http: httpx.AsyncClient, url: str, folder: Path, stem: str) -> Path:
    """Fetch ``url`` into ``folder`` as ``stem`` + its extension; return the final path.

    Only http(s) URLs are fetched; the file name can never leave ``folder``.
    """
    problem = url_problem(url)
    if problem:
        raise DownloadError(f"Refusing to download the result: {problem}")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        async with http.stream("GET", url, follow_redirects=True) as response:
            if response.status_code != 200:
                raise DownloadError(f"The result could not be downloaded (HTTP "
                                    f"{response.status_code}).")
            name = safe_filename(stem) + suffix_for(url, response.headers.get("content-type"))
            target = unique_path(folder, name)
            part = target.with_name(target.name + ".part")
            expected = response.headers.get("content-length")
            size = 0
            with part.open("wb") as out:
                async for chunk in response.aiter_bytes(1 << 16):
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
    except httpx.HTTPError as exc:
        raise DownloadError(f"The download failed: {type(exc).__name__}.") from exc
    if expected is not None and expected.isdigit() and int(expected) != size:
        part.unlink(missing_ok=True)
        raise DownloadError(f"The download was cut short ({size:,} of {int(expected):,} bytes).")
    if target.resolve().parent != folder.resolve():
        part.unlink(missing_ok=True)
        raise DownloadError("Refusing to write outside the output folder.")
    os.replace(part, target)
    return target
