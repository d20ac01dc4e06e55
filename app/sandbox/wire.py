"""The sandbox's wire vocabulary: requests, responses, errors, faults and the create log.

What :class:`~app.sandbox.world.World` takes (:class:`Request`) and gives back
(:class:`Response`), the errors a handler raises (:class:`ApiError`, with Django REST
Framework's wording where DRF has one), the fault knobs (:class:`Faults`) and the plan one
request suffers (:class:`FaultPlan`), and the small helpers that shape values for JSON.
"""

from __future__ import annotations

import email.policy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from email.parser import BytesParser
from enum import Enum
from typing import Any
from urllib.parse import parse_qs

# --------------------------------------------------------------------------------------------
# Messages (Django REST Framework's wording where DRF has one)

NOT_FOUND = "Not found."
MISSING_CREDENTIALS = "Authentication credentials were not provided."
INVALID_KEY = "Invalid API key."
INSUFFICIENT_CREDITS = "Insufficient credits. Please upgrade your plan or buy more credits."
REQUIRED = "This field is required."
JSON_PARSE_ERROR = "JSON parse error"
PREVIEW_NOT_READY = "Preview is not ready."
UNDOCUMENTED_STATUS = "processing_v2"
"""What ``unknown_status_rate`` shows instead of a running job's status."""


# --------------------------------------------------------------------------------------------
# Public value types


@dataclass
class Faults:
    """What can go wrong, and how often. See the package docstring for each knob."""

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: float = 1.0
    latency: float = 0.0
    reset_rate: float = 0.0
    malformed_rate: float = 0.0
    fail_rate: float = 0.0
    reject_rate: float = 0.0
    unknown_status_rate: float = 0.0
    insufficient_credits: bool = False
    reset_next_create_after_processing: int = 0
    reset_next_request_before_processing: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            setattr(self, f.name, _coerce_fault(f.name, getattr(self, f.name)))

    def updated(self, changes: Mapping[str, Any]) -> Faults:
        """A copy with ``changes`` applied: ``TypeError`` for unknown names or wrong types,
        ``ValueError`` for out-of-range values."""
        return _updated(self, changes, "fault")


@dataclass(frozen=True)
class DocsQuirks:
    """The awkward parts of Creatify's docs the simulator reproduces; every one is on by
    default (that is what the docs say) and each can be turned off to serve the plainer
    reading the docs also allow.

    - ``preview_pending``: a ready preview job goes back to ``pending`` with ``preview`` /
      ``previews[]`` filled (off: its status reads ``done``);
    - ``scripts_as_string``: AI Scripts' ``generated_scripts[].paragraphs`` is one string
      (off: a list of paragraphs);
    - ``musics_paged``: ``GET /api/musics/`` answers ``{count, results, page, page_size}``
      (off: a plain array);
    - ``asset_credits_string``: the Asset Generator's ``credits_used`` is a string on its list
      and detail (off: a number);
    - ``ads_clone_ignores_ids``: the Ad Clone list returns every job whatever the query (it
      documents no ``ids``; off: ``ids`` filters like the other lists);
    - ``inspiration_strings``: an AI Ad Template job's ``input_params`` and ``output`` are
      strings — JSON text, ``output`` ``""`` until done (off: an object and a list of URLs,
      as their descriptions read).
    """

    preview_pending: bool = True
    scripts_as_string: bool = True
    musics_paged: bool = True
    asset_credits_string: bool = True
    ads_clone_ignores_ids: bool = True
    inspiration_strings: bool = True

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), bool):
                raise TypeError(f"{f.name} must be true or false, "
                                f"not {getattr(self, f.name)!r}")

    def updated(self, changes: Mapping[str, Any]) -> DocsQuirks:
        """A copy with ``changes`` applied: ``TypeError`` for unknown names or non-booleans."""
        return _updated(self, changes, "quirk")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


_RATE_FAULTS = frozenset({"error_rate", "rate_limit_rate", "reset_rate", "malformed_rate",
                          "fail_rate", "reject_rate", "unknown_status_rate"})
_COUNT_FAULTS = frozenset({"reset_next_create_after_processing",
                           "reset_next_request_before_processing"})


def _coerce_fault(name: str, value: Any) -> Any:
    if name == "insufficient_credits":
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, not {value!r}")
    if name in _COUNT_FAULTS:
        if value != int(value) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, not {value!r}")
        return int(value)
    number = float(value)
    if not math.isfinite(number) or number < 0 or (name in _RATE_FAULTS and number > 1):
        bound = "between 0 and 1" if name in _RATE_FAULTS else ">= 0"
        raise ValueError(f"{name} must be {bound}, not {value!r}")
    return number


def _updated[S: (Faults, DocsQuirks)](settings: S, changes: Mapping[str, Any], what: str) -> S:
    """A copy of the dataclass ``settings`` with ``changes`` applied (checked again by its
    ``__post_init__``); ``TypeError`` naming any unknown ``what``."""
    known = {f.name for f in fields(settings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise TypeError(f"unknown {what}(s): {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(known))})")
    return replace(settings, **changes)


@dataclass(frozen=True)
class CreateRecord:
    """One paid POST as the sandbox received it. ``status_code`` 0: the answer was lost (the
    connection was reset); ``job_id`` is ``None`` when no job or link came of it."""

    path: str
    body: Any
    job_id: str | None
    status_code: int
    time: float


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request, as the server read it. ``headers`` keys are lower-case."""

    method: str
    target: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass(slots=True)
class Response:
    """What to answer. ``body`` is a JSON value. ``delay``: seconds to wait (outside the
    lock) before answering. ``events``: answer ``text/event-stream`` with one ``data:`` line
    per event, ``event_interval`` seconds apart, instead of a JSON body."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    events: list[dict[str, Any]] | None = None
    event_interval: float = 0.0


class Category(Enum):
    """How the faults treat a path."""

    API = "api"          # every fault applies
    MEDIA = "media"      # /media/ and /preview/: latency and resets only
    CONTROL = "control"  # /_sandbox/: no fault ever


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """The faults one request will suffer, decided (under the lock) when it arrives."""

    latency: float = 0.0
    reset_before: bool = False
    reset_after: bool = False
    status: int | None = None
    """500/502/503/429 answered before any processing."""
    retry_after: float = 0.0
    malformed: bool = False


def category_of(path: str) -> Category:
    if path.startswith("/_sandbox/"):
        return Category.CONTROL
    if path.startswith(("/media/", "/preview/")):
        return Category.MEDIA
    return Category.API


class ApiError(Exception):
    """Raised by a handler to answer an error."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None):
        super().__init__(status, body)
        self.response = Response(status, body, dict(headers or {}))


def general_error(*messages: str) -> ApiError:
    return ApiError(400, list(messages))


def field_errors(errors: Mapping[str, list[str]]) -> ApiError:
    return ApiError(400, {name: list(msgs) for name, msgs in errors.items()})


def text_error(message: str) -> ApiError:
    return ApiError(400, {"error": message})


# --------------------------------------------------------------------------------------------
# Small helpers


def json_number(value: Decimal) -> int | float:
    """A Decimal as it goes out in JSON: an int when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_body_leniently(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")



@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    size: int


def decode_body(request: Request) -> Any:
    """A POST/PUT body as DRF parses it: JSON (the default), ``x-www-form-urlencoded`` or
    ``multipart/form-data`` (file parts become :class:`UploadedFile`). An empty body is
    ``{}``; ``ValueError`` when it cannot be parsed."""
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";", 1)[0].strip().lower()
    if not request.body.strip():
        return {}
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qs(request.body.decode(), keep_blank_values=True)
        return {name: values[-1] for name, values in pairs.items()}
    if kind == "multipart/form-data":
        message = BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + request.body)
        if not message.is_multipart():
            raise ValueError("not a multipart body")
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                out[name] = UploadedFile(filename, part.get_content_type(), len(data))
            else:
                out[name] = data.decode()
        return out
    return json.loads(request.body)
