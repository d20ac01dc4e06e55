"""A job as the ledger knows it, one line of its history, and how a ``jobs`` row is written
and read back.

Storage: Decimals as TEXT, datetimes as fixed-width ISO-8601 UTC TEXT (so they sort as
text), tuples and request bodies as JSON TEXT; free text is stored with secrets masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from app.api.snapshot import StylePreview, parse_previews
from app.jobs.ledger._errors import LedgerError
from app.jobs.ledger._states import DownloadState, JobState
from app.logsafe import find_secret, redact


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as the ledger knows it (a row of ``jobs``)."""

    key: str  # local key: uuid4 hex (short form key[:8] used in names/tags)
    generator: str  # spec key, e.g. "url_to_video"
    resource: str  # resource key, e.g. "link_to_videos"
    flow: str  # "create" | "preview_render" | ... (free text from the caller)
    title: str  # what was asked, short (product, script start…)
    request: Mapping[str, Any]  # the body sent (no secrets); read-only
    name_tag: str | None  # tag added to the job's ``name`` to find it in lists
    estimate: Decimal | None  # credits estimated before sending
    balance_before: Decimal | None
    state: JobState
    raw_status: str
    server_id: str | None
    progress: float | None
    result_urls: tuple[str, ...]
    preview_url: str | None
    thumbnails: tuple[str, ...]
    response_text: str | None
    credits_used: Decimal | None
    duration: float | None
    failed_reason: str | None
    created_at: datetime  # local, UTC aware
    submitted_at: datetime | None  # when the create answered
    updated_at: datetime
    finished_at: datetime | None
    last_polled_at: datetime | None
    download_state: DownloadState
    download_path: str | None
    download_bytes: int
    download_error: str | None
    hidden: bool  # removed from the list by the user (local only, undoable)
    watching: bool  # False after "stop watching"
    previews: tuple[StylePreview, ...] = ()  # URL to Video's "compare styles" previews
    price_key: str | None = None  # learned-price key of its price (model + parameters)

    @property
    def short_key(self) -> str:
        return self.key[:8]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One line of a job's history."""

    key: str
    at: datetime
    kind: str
    detail: str


# ---------------------------------------------------------------------------- rows

COLUMNS: tuple[str, ...] = (
    "key", "generator", "resource", "flow", "title", "request", "name_tag", "estimate",
    "balance_before", "state", "raw_status", "server_id", "progress", "result_urls",
    "preview_url", "thumbnails", "response_text", "credits_used", "duration", "failed_reason",
    "created_at", "submitted_at", "updated_at", "finished_at", "last_polled_at",
    "download_state", "download_path", "download_bytes", "download_error", "hidden", "watching",
    "previews", "price_key",
)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM jobs"


def now_utc() -> datetime:
    return datetime.now(UTC)


def ts(value: datetime) -> str:
    """Fixed-width UTC text. A naive datetime is local time (Python's own convention)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def dec(value: Decimal | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
    return str(value)


def parse_dec(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def url_list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def parse_url_list(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text != "[]" else ()


def _parse_previews(text: str | None) -> tuple[StylePreview, ...]:
    try:
        return parse_previews(json.loads(text or "[]"))
    except ValueError:
        return ()


def clean(text: str | None, limit: int = 4000) -> str | None:
    """Free text as stored: secrets masked, bounded."""
    if text is None:
        return None
    return redact(text)[:limit]


def check_no_secret(value: object, what: str) -> None:
    where = find_secret(value, what)
    if where is not None:
        raise LedgerError(f"refused to store the job: {where} contains a secret (an API key?)")


def encode_request(request: Mapping[str, Any]) -> str:
    if not isinstance(request, Mapping):
        raise LedgerError(f"a request body must be a mapping, not {type(request).__name__}")
    check_no_secret(request, "request")
    try:
        return json.dumps(dict(request), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"the request body cannot be stored as JSON: {exc}") from None


def record_from_row(row: Sequence[Any]) -> JobRecord:
    """The job in one row read with :data:`SELECT` (columns in :data:`COLUMNS` order)."""
    (key, generator, resource, flow, title, request, name_tag, estimate, balance_before, state,
     raw_status, server_id, progress, result_urls, preview_url, thumbnails, response_text,
     credits_used, duration, failed_reason, created_at, submitted_at, updated_at, finished_at,
     last_polled_at, download_state, download_path, download_bytes, download_error, hidden,
     watching, previews, price_key) = row
    created = parse_ts(created_at)
    updated = parse_ts(updated_at)
    assert created is not None and updated is not None
    return JobRecord(
        key=key, generator=generator, resource=resource, flow=flow, title=title,
        request=MappingProxyType(json.loads(request)), name_tag=name_tag,
        estimate=parse_dec(estimate), balance_before=parse_dec(balance_before),
        state=JobState(state), raw_status=raw_status, server_id=server_id, progress=progress,
        result_urls=parse_url_list(result_urls), preview_url=preview_url,
        thumbnails=parse_url_list(thumbnails), response_text=response_text,
        credits_used=parse_dec(credits_used), duration=duration, failed_reason=failed_reason,
        created_at=created, submitted_at=parse_ts(submitted_at), updated_at=updated,
        finished_at=parse_ts(finished_at), last_polled_at=parse_ts(last_polled_at),
        download_state=DownloadState(download_state), download_path=download_path,
        download_bytes=download_bytes, download_error=download_error, hidden=bool(hidden),
        watching=bool(watching), previews=_parse_previews(previews), price_key=price_key,
    )
