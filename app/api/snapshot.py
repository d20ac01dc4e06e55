"""One normalised view of any Creatify job object, whatever resource it came from."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.api._values import decimal_or_none
from app.api.errors import MalformedResponseError
from app.api.resources import Resource

log = logging.getLogger(__name__)


class JobStatus(StrEnum):
    """Normalised job status. ``UNKNOWN`` is a value we did not recognise: never terminal."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    IMAGE_DONE = "image_done"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_success(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.IMAGE_DONE)


_TERMINAL = frozenset({JobStatus.DONE, JobStatus.IMAGE_DONE, JobStatus.FAILED,
                       JobStatus.REJECTED})

_RAW_TO_STATUS: dict[str, JobStatus] = {
    "pending": JobStatus.PENDING,
    "initializing": JobStatus.PENDING,
    "in_queue": JobStatus.QUEUED,
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "generating": JobStatus.RUNNING,
    "image_generating": JobStatus.RUNNING,
    "video_generating": JobStatus.RUNNING,
    "image_generated": JobStatus.IMAGE_DONE,
    "video_generated": JobStatus.DONE,
    "done": JobStatus.DONE,
    "failed": JobStatus.FAILED,
    "error": JobStatus.FAILED,
    "rejected": JobStatus.REJECTED,
}

_warned_unknown: set[tuple[str, str]] = set()


def normalize_status(raw: object, resource_key: str = "", *,
                     free: bool = False) -> JobStatus:
    """Map a wire status to :class:`JobStatus`; unknown values warn once and stay non-terminal.
    Where the status is a ``free`` string the docs do not enumerate, a word we do not know
    means the job is still running (no warning: it is expected)."""
    if not isinstance(raw, str) or not raw:
        return JobStatus.RUNNING if free else JobStatus.UNKNOWN
    status = _RAW_TO_STATUS.get(raw.strip().lower())
    if status is None and free:
        return JobStatus.RUNNING
    if status is None:
        if (resource_key, raw) not in _warned_unknown:
            _warned_unknown.add((resource_key, raw))
            log.warning("unknown status %r from %s: treated as still running", raw[:80],
                        resource_key or "Creatify")
        return JobStatus.UNKNOWN
    return status


def normalize_progress(raw: object) -> float | None:
    """``progress`` as 0..1 whatever its wire form: number or string, 0-1 or 0-100."""
    if raw is None or isinstance(raw, bool):
        return None
    value: float
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            return None
    elif isinstance(raw, str):
        text = raw.strip().rstrip("%").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    else:
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    if value > 1.0:
        value /= 100.0
    return min(max(value, 0.0), 1.0)


def _parse_time(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _url(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw.strip() else None


def _result_urls(resource: Resource, body: Mapping[str, Any]) -> tuple[str, ...]:
    urls: list[str] = []
    for name in resource.result_fields:
        if name in ("response_text", "generated_scripts"):
            continue
        value = body.get(name)
        # A field the docs type as one URL keeps any text; one that holds several results
        # (``assets``, Image Ads' and Inspiration jobs' ``output``) is read as a list, which
        # may come as JSON text.
        if name == "assets" or resource.result_lists:
            urls.extend(_urls_in(value))
        elif u := _url(value):
            urls.append(u)
    # Keep order, drop repeats (``output`` and ``video_output`` may both carry the same URL).
    return tuple(dict.fromkeys(urls))


def _urls_in(value: object, depth: int = 0) -> list[str]:
    """The result URLs one field holds, in every form the docs give one: a web address; a
    list of them or of objects with ``url`` (``assets[]``, Image Ads' ``output[]``); or such a
    list (or one object) written as JSON text (Asset Generator ``assets`` and Inspiration
    ``output`` are typed string though described as lists)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")) and depth == 0 and len(text) <= 1_000_000:
            try:
                decoded = json.loads(text)
            except (ValueError, RecursionError):
                return []
            return _urls_in(decoded, 1)
        return [text] if text.lower().startswith(("https://", "http://")) else []
    if isinstance(value, Mapping) and depth > 0:
        return [u] if (u := _url(value.get("url"))) else []
    if isinstance(value, list) and depth < 2:
        return [u for item in value[:1000] for u in _urls_in(item, 2)]
    return []


def _thumbnails(body: Mapping[str, Any]) -> tuple[str, ...]:
    thumbs = [u for key in ("video_thumbnail", "thumbnail_url", "thumbnail")
              if (u := _url(body.get(key)))]
    assets = body.get("assets")
    if isinstance(assets, list):
        thumbs.extend(u for a in assets if isinstance(a, Mapping)
                      if (u := _url(a.get("thumbnail_url"))))
    photo = _url(body.get("generated_photo_url"))
    if photo:
        thumbs.append(photo)
    return tuple(dict.fromkeys(thumbs))


def _paragraphs_text(paragraphs: object) -> str:
    """A script's ``paragraphs``: one string (the docs) or a list of strings (older copies)."""
    if isinstance(paragraphs, str):
        return paragraphs.strip()
    if isinstance(paragraphs, list):
        return "\n".join(p.strip() for p in paragraphs if isinstance(p, str) and p.strip())
    return ""


def _scripts_text(value: object) -> str | None:
    """AI Scripts' ``generated_scripts`` as readable text: each script's title, then its whole
    script (``paragraphs``, one string in the docs; a list of strings is accepted too)."""
    if not isinstance(value, list):
        return None
    blocks = []
    for script in value:
        if not isinstance(script, Mapping):
            continue
        title = next((t.strip() for key in ("title", "script_name")
                      if isinstance(t := script.get(key), str) and t.strip()), "")
        body = _paragraphs_text(script.get("paragraphs"))
        blocks.append("\n".join(part for part in (title, body) if part))
    return "\n\n".join(b for b in blocks if b) or None


def normalize_aspect_ratio(raw: object) -> str | None:
    """``9x16`` whether the wire wrote ``9x16`` or the older ``9:16``; ``None`` for anything
    that is not a ratio of two whole numbers."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower().replace(":", "x")
    left, sep, right = text.partition("x")
    if not sep or not left.isdigit() or not right.isdigit() or len(text) > 11:
        return None
    return f"{int(left)}x{int(right)}"


@dataclass(frozen=True, slots=True)
class StylePreview:
    """One visual style's preview from URL to Video's "compare styles" (``previews[]``).

    The docs' item is ``{media_job, visual_style, aspect_ratio, url, editor_url, duration}``;
    ``preview_url`` holds its ``url`` (older copies and our own ledger wrote ``preview_url``).
    """

    media_job: str
    visual_style: str
    status: str = ""
    preview_url: str | None = None
    thumbnail_url: str | None = None
    duration: float | None = None
    editor_url: str | None = None
    aspect_ratio: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"media_job": self.media_job, "visual_style": self.visual_style,
                "status": self.status, "url": self.preview_url,
                "preview_url": self.preview_url, "editor_url": self.editor_url,
                "aspect_ratio": self.aspect_ratio, "thumbnail_url": self.thumbnail_url,
                "duration": self.duration}


def parse_previews(raw: object) -> tuple[StylePreview, ...]:
    """``previews[]`` as :class:`StylePreview` s; entries without a ``media_job`` are skipped,
    odd values are dropped, never raised on."""
    if not isinstance(raw, list):
        return ()
    previews: list[StylePreview] = []
    for item in raw[:100]:
        if not isinstance(item, Mapping):
            continue
        media_job = item.get("media_job")
        if isinstance(media_job, int) and not isinstance(media_job, bool):
            media_job = str(media_job)
        if not isinstance(media_job, str) or not media_job.strip() or len(media_job) > 200:
            continue
        style = item.get("visual_style")
        status = item.get("status")
        duration = decimal_or_none(item.get("duration"))
        previews.append(StylePreview(
            media_job=media_job,
            visual_style=style[:200] if isinstance(style, str) and style else "(unnamed)",
            status=status[:80] if isinstance(status, str) else "",
            preview_url=_url(item.get("url")) or _url(item.get("preview_url")),
            thumbnail_url=_url(item.get("thumbnail_url")),
            duration=float(duration) if duration is not None and 0 <= duration < 10**7
            else None,
            editor_url=_url(item.get("editor_url")),
            aspect_ratio=normalize_aspect_ratio(item.get("aspect_ratio"))))
    return tuple(previews)


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """What one response says about one job, in the app's own terms."""

    resource: str
    id: str
    status: JobStatus
    raw_status: str
    progress: float | None = None
    result_urls: tuple[str, ...] = ()
    preview_url: str | None = None
    response_text: str | None = None
    credits_used: Decimal | None = None
    duration: float | None = None
    failed_reason: str | None = None
    thumbnails: tuple[str, ...] = ()
    name: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    previews: tuple[StylePreview, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def result_url(self) -> str | None:
        return self.result_urls[0] if self.result_urls else None

    @property
    def preview_ready(self) -> bool:
        """A preview to look at is there: ``preview`` is set or ``previews[]`` is not empty.

        The docs make this the signal, whatever ``status`` says: a preview job may go back to
        ``pending`` once its preview is filled (the render then runs on the same id)."""
        return self.preview_url is not None or bool(self.previews)


def _finite_seconds(value: Decimal | None) -> float | None:
    """A non-negative length that a float can hold; anything else is unknown."""
    if value is None or value < 0:
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) else None


def snapshot_from(resource: Resource, body: object) -> JobSnapshot:
    """Normalise one job object. Extra fields are ignored; a body that is not a job raises
    :class:`MalformedResponseError` (never anything else)."""
    if not isinstance(body, Mapping):
        raise MalformedResponseError(
            f"expected a {resource.key} job object, got {type(body).__name__}")
    job_id = body.get("id")
    if not isinstance(job_id, str | int) or isinstance(job_id, bool) or not str(job_id):
        raise MalformedResponseError(f"{resource.key} job object has no id")
    raw_status_value = body.get("status")
    raw_status = raw_status_value if isinstance(raw_status_value, str) else ""
    status = normalize_status(raw_status, resource.key, free=resource.free_status)
    reason = body.get("failed_reason")
    if resource.failed_by_reason and isinstance(reason, str) and reason.strip():
        status = JobStatus.FAILED
    progress = normalize_progress(body.get("progress"))
    if status is JobStatus.DONE:
        progress = 1.0
    response_text = body.get("response_text")
    duration = decimal_or_none(body.get("duration"))
    name = body.get("name")
    return JobSnapshot(
        resource=resource.key,
        id=str(job_id),
        status=status,
        raw_status=raw_status,
        progress=progress,
        result_urls=_result_urls(resource, body),
        preview_url=_url(body.get("preview")),
        response_text=(response_text if isinstance(response_text, str)
                       else _scripts_text(body.get("generated_scripts"))),
        credits_used=decimal_or_none(body.get("credits_used")),
        duration=_finite_seconds(duration),
        failed_reason=str(reason) if reason not in (None, "") else None,
        thumbnails=_thumbnails(body),
        name=name if isinstance(name, str) else None,
        created_at=_parse_time(body.get("created_at")),
        updated_at=_parse_time(body.get("updated_at")),
        previews=parse_previews(body.get("previews")),
        raw=dict(body),
    )
