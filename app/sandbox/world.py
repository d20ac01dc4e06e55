"""The Creatify simulator's state: jobs, clock, balance, billing, validation and routing.

Pure: no sockets and no threads. :class:`World` takes a :class:`Request` (method, target,
headers, body) and gives back a :class:`Response` (status, JSON value, headers), so every rule
of the contract can be unit-tested without HTTP; ``server.py`` only moves bytes.

How a job lives: a create validates the body, computes the billed length (``length``) and the
price, checks the balance, then starts a :class:`Run` — a schedule fixed at creation of
(clock time → status) steps, an outcome (success, ``failed`` or ``rejected``, drawn from the
faults) and an end time, all divided by ``speed``. Nothing ticks: before each request the
world pops the due entries of a heap of "next event" times (status changes, ads_clone's
gradual charges, ends), so thousands of finished jobs cost nothing and reads compute
``progress`` on the fly.

Billing is this module's own reading of the billing page (``_video_price`` and friends) and
deliberately does not import ``app.pricing``: the sandbox is an independent check of the
estimator. Money is :class:`~decimal.Decimal`; it goes out as a JSON int when whole.

Thread safety: one :class:`threading.Lock` (``World.lock``) guards all state and the one
``random.Random``; public methods take it. Nothing here sleeps: a :class:`Response` carries
``delay`` / ``event_interval`` for the HTTP layer to wait outside the lock.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.api import resources as res
from app.api.resources import ProgressForm, Resource
from app.sandbox import media

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

WORDS_PER_MINUTE = 150
AURORA_MAX_AUDIO = Decimal(60)
PREVIEW_TIME_SHARE = 1 / 3
"""A preview takes a third of the one-step run time; a render the whole of it."""
FAILED_AT = 0.6
REJECTED_AT = 0.2
"""A failing run ends this far (fraction of its planned length) into its schedule."""

PRODUCT_VIDEO_RUN_TIME = 90.0
PRODUCT_VIDEO_LENGTH = Decimal(8)


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
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown fault(s): {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(known))})")
        return Faults(**{**asdict(self), **changes})


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


def _general(*messages: str) -> ApiError:
    return ApiError(400, list(messages))


def _field_errors(errors: Mapping[str, list[str]]) -> ApiError:
    return ApiError(400, {name: list(msgs) for name, msgs in errors.items()})


def _text_error(message: str) -> ApiError:
    return ApiError(400, {"error": message})


# --------------------------------------------------------------------------------------------
# Small helpers


def json_number(value: Decimal) -> int | float:
    """A Decimal as it goes out in JSON: an int when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _words(*texts: str) -> int:
    return sum(len(t.split()) for t in texts)


def _speech_seconds(words: int) -> Decimal:
    """Seconds of speech at 150 words per minute, rounded up, at least 1."""
    return Decimal(max(1, -(-words * 60 // WORDS_PER_MINUTE)))


def _blocks(length: Decimal, size: int | Decimal) -> int:
    """How many started ``size``-second blocks ``length`` seconds bill (at least one)."""
    return max(1, math.ceil(length / Decimal(size)))


def _title_from_url(url: str) -> str:
    parts = urlsplit(url)
    slug = next((p for p in reversed(parts.path.split("/")) if p), "")
    words = re.sub(r"\.[a-z0-9]+$", "", slug).replace("-", " ").replace("_", " ").split()
    if words:
        return " ".join(w.capitalize() for w in words)
    host = parts.hostname or "product"
    return host.removeprefix("www.").split(".")[0].capitalize()


def _parse_body_leniently(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Request-body validation: one small check per field kind, DRF's messages


class _Invalid(Exception):
    """A field value was refused; ``args[0]`` is the message."""


Check = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class F:
    """One accepted body field: its check (returns the normalised value) and if required."""

    name: str
    check: Check
    required: bool = False


def _text(max_length: int | None = None) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise _Invalid("Not a valid string.")
        if max_length is not None and len(value) > max_length:
            raise _Invalid(f"Ensure this field has no more than {max_length} characters.")
        return value
    return check


def _url(max_length: int | None = None) -> Check:
    as_text = _text(max_length)

    def check(value: Any) -> Any:
        text = as_text(value)
        parts = urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _Invalid("Enter a valid URL.")
        return text
    return check


def _number(low: float | None = None, high: float | None = None) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid("A valid number is required.")
        if low is not None and value < low:
            raise _Invalid(f"Ensure this value is greater than or equal to {low}.")
        if high is not None and value > high:
            raise _Invalid(f"Ensure this value is less than or equal to {high}.")
        return value
    return check


def _boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Invalid("Must be a valid boolean.")
    return value


def _object(value: Any) -> Any:
    if not isinstance(value, dict):
        raise _Invalid(f'Expected a dictionary of items but got type "{type(value).__name__}".')
    return value


def _choice(*choices: str | int) -> Check:
    by_text = {str(c): c for c in choices}

    def check(value: Any) -> Any:
        if isinstance(value, bool) or str(value) not in by_text:
            raise _Invalid(f'"{value}" is not a valid choice.')
        return by_text[str(value)]
    return check


ASPECT_RATIOS = ("16x9", "1x1", "9x16")
_aspect_choice = _choice(*ASPECT_RATIOS)


def _aspect(value: Any) -> Any:
    """``9x16``; the older ``9:16`` spelling is accepted and normalised."""
    return _aspect_choice(value.replace(":", "x") if isinstance(value, str) else value)


def _list(item: Check, *, min_items: int = 0, max_items: int | None = None) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Invalid(f'Expected a list of items but got type "{type(value).__name__}".')
        if len(value) < min_items:
            raise _Invalid("This list may not be empty." if min_items == 1
                           else f"Ensure this field has at least {min_items} elements.")
        if max_items is not None and len(value) > max_items:
            raise _Invalid(f"Ensure this field has no more than {max_items} elements.")
        out = []
        for index, element in enumerate(value, 1):
            try:
                out.append(item(element))
            except _Invalid as exc:
                raise _Invalid(f"Item {index}: {exc.args[0]}") from None
        return out
    return check


def _anything(value: Any) -> Any:
    return value


def validate_fields(specs: Sequence[F], body: Mapping[str, Any],
                    defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The accepted fields of ``body``, normalised (unknown fields dropped, defaults filled);
    :class:`ApiError` with a field map listing every refused field."""
    defaults = defaults or {}
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in specs:
        if spec.name not in body:
            if spec.required:
                errors[spec.name] = [REQUIRED]
            elif spec.name in defaults:
                out[spec.name] = defaults[spec.name]
            continue
        value = body[spec.name]
        if value is None:
            if spec.required:
                errors[spec.name] = ["This field may not be null."]
            else:
                out[spec.name] = None
            continue
        if spec.required and isinstance(value, str) and not value.strip():
            errors[spec.name] = ["This field may not be blank."]
            continue
        try:
            out[spec.name] = spec.check(value)
        except _Invalid as exc:
            errors[spec.name] = [str(exc.args[0])]
    if errors:
        raise _field_errors(errors)
    return out


# --------------------------------------------------------------------------------------------
# Catalogues (free endpoints). Ids are fixed (uuid5 of the name); URLs point at /media/.


def _catalogue_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.creatify.invalid/{kind}/{name}"))


_PERSONAS = (  # creator_name, gender, age_range, style
    ("Olivia", "female", "young_adult", "selfie"),
    ("Marcus", "male", "adult", "presenter"),
    ("Aiko", "female", "adult", "professional"),
    ("Diego", "male", "young_adult", "casual"),
    ("Grace", "female", "senior", "presenter"),
    ("Samuel", "male", "senior", "casual"),
    ("Priya", "female", "young_adult", "professional"),
    ("Noah", "male", "adult", "selfie"),
)
_VOICES = (  # name, gender, accents
    ("Aria", "female", ("American", "British")),
    ("Leo", "male", ("American",)),
    ("Mei", "female", ("Mandarin",)),
    ("Kofi", "male", ("Nigerian", "Ghanaian")),
    ("Elena", "female", ("Spanish",)),
)
_MUSICS = (("Upbeat Pop", "happy"), ("Calm Piano", "calm"), ("Epic Drums", "energetic"),
           ("Lo-fi Chill", "relaxed"))


def personas(base_url: str) -> list[dict[str, Any]]:
    out = []
    for name, gender, age_range, style in _PERSONAS:
        pid = _catalogue_id("persona", name)
        entry: dict[str, Any] = {"id": pid, "creator_name": name, "gender": gender,
                                 "age_range": age_range, "style": style}
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_image_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.png")
        for ratio in ("16_9", "1_1", "9_16"):
            entry[f"preview_video_{ratio}"] = media.media_url(base_url, "personas",
                                                              f"{pid}_{ratio}.mp4")
        entry["is_active"] = True
        out.append(entry)
    return out


def voices(base_url: str) -> list[dict[str, Any]]:
    return [{"name": name, "gender": gender,
             "accents": [{"id": (aid := _catalogue_id("accent", f"{name}/{accent}")),
                          "accent_name": accent,
                          "preview_url": media.media_url(base_url, "voices", f"{aid}.mp3")}
                         for accent in accents]}
            for name, gender, accents in _VOICES]


def musics(base_url: str) -> list[dict[str, Any]]:
    assert media.MP3.duration is not None
    return [{"id": (mid := _catalogue_id("music", name)), "name": name,
             "url": media.media_url(base_url, "musics", f"{mid}.mp3"),
             "duration": json_number(media.MP3.duration), "mood": mood}
            for name, mood in _MUSICS]


# Asset Generator models: the JSON Schema a client builds its form from, and the price.

_PROMPT = {"type": "string", "title": "Prompt", "description": "What to generate."}
_IMAGE_URL = {"type": "string", "format": "uri", "title": "Image URL",
              "description": "Optional reference image."}


@dataclass(frozen=True, slots=True)
class AssetModel:
    name: str
    display_name: str
    output_type: str  # "video" | "image"
    properties: Mapping[str, Mapping[str, Any]]
    price: Callable[[Mapping[str, Any]], Decimal]
    required: tuple[str, ...] = ("prompt",)

    def schema(self) -> dict[str, Any]:
        return {"model_name": self.name, "display_name": self.display_name,
                "output_type": self.output_type,
                "input_params_schema": {"type": "object",
                                        "properties": copy.deepcopy(dict(self.properties)),
                                        "required": list(self.required)}}


def _video_model(name: str, display: str, prices: Mapping[int, int], default: int,
                 ratios: tuple[str, ...], extra: Mapping[str, Mapping[str, Any]]) -> AssetModel:
    props: dict[str, Mapping[str, Any]] = {
        "prompt": _PROMPT,
        "duration": {"type": "integer", "enum": sorted(prices), "default": default,
                     "title": "Duration (seconds)"},
        "aspect_ratio": {"type": "string", "enum": list(ratios), "default": ratios[0],
                         "title": "Aspect ratio"},
        **extra}
    return AssetModel(name, display, "video", props,
                      lambda params: Decimal(prices[int(params["duration"])]))


def _image_model(name: str, display: str) -> AssetModel:
    props: dict[str, Mapping[str, Any]] = {
        "prompt": _PROMPT, "image_url": _IMAGE_URL,
        "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1,
                       "title": "Number of images"}}
    return AssetModel(name, display, "image", props,
                      lambda params: 4 * Decimal(int(params["num_images"])))


_AUDIO = {"generate_audio": {"type": "boolean", "default": True, "title": "Generate audio"}}
ASSET_MODELS: dict[str, AssetModel] = {m.name: m for m in (
    _video_model("kling-v1.6-pro", "Kling v1.6 Pro", {5: 12, 10: 24}, 5,
                 ("16:9", "9:16", "1:1"), {"image_url": _IMAGE_URL}),
    _video_model("veo-3.1", "Veo 3.1", {4: 32, 6: 48, 8: 64}, 8, ("16:9", "9:16"), _AUDIO),
    _video_model("veo-3.1-fast", "Veo 3.1 Fast", {4: 16, 6: 24, 8: 32}, 8, ("16:9", "9:16"),
                 _AUDIO),
    _image_model("flux-pro-kontext", "FLUX.1 Kontext [pro]"),
    _image_model("nano-banana", "Nano Banana"),
)}

_SCHEMA_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate_input_params(model: AssetModel, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` checked against the model's JSON Schema (the subset it uses), defaults
    filled; refused → field map ``{"input_params": ["<name>: <message>", ...]}``."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, schema in model.properties.items():
        if name not in params or params[name] is None:
            if name in model.required:
                problems.append(f"{name}: {REQUIRED}")
            elif "default" in schema:
                out[name] = schema["default"]
            continue
        value = params[name]
        if not _SCHEMA_TYPES[schema["type"]](value):
            problems.append(f"{name}: expected {schema['type']}, got {json.dumps(value)}.")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f'{name}: "{value}" is not a valid choice.')
        elif "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{name}: must be at least {schema['minimum']}.")
        elif "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{name}: must be at most {schema['maximum']}.")
        elif schema.get("format") == "uri" and urlsplit(value).scheme not in ("http", "https"):
            problems.append(f"{name}: Enter a valid URL.")
        elif name in model.required and isinstance(value, str) and not value.strip():
            problems.append(f"{name}: This field may not be blank.")
        else:
            out[name] = value
    if problems:
        raise _field_errors({"input_params": problems})
    return out


TEXT_MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
               "gemini-2.0-flash")
AI_SHORTS_STYLES = ("4K realistic", "3D", "Cinematic", "Cartoonish", "Line art", "Pixel art",
                    "Mysterious", "Steam punk", "Collage", "Kawaii")
EDITING_STYLES = ("film", "commercial", "music", "tutorial", "vlog", "social")
DEFAULT_SCRIPT_STYLES = ("BenefitsV2", "ProblemSolutionV2", "CallToActionV2")
VIDEO_LENGTHS = (15, 30, 45, 60)


# --------------------------------------------------------------------------------------------
# Jobs and runs


class Charge(Enum):
    """When a run's cost leaves the balance."""

    AT_END = "at_end"      # when the run succeeds (most resources)
    AT_START = "at_start"  # at creation, refunded in full on failure (Aurora)
    GRADUAL = "gradual"    # in equal parts as progress passes each block (Ad Clone)


class Stage(Enum):
    """What a run produces when it succeeds."""

    CREATE = "create"              # the resource's result (product_to_videos: the photo)
    PREVIEW = "preview"            # a preview page; the job then waits for /render/
    PREVIEW_LIST = "preview_list"  # one preview per visual style
    RENDER = "render"              # the result, after a preview (or one of a preview list)
    VIDEO = "video"                # product_to_videos: the video


Steps = tuple[tuple[float, str], ...]
"""(fraction of the run, status) from 0; progress counts from the last step."""

QUEUED_STEPS: Steps = ((0.0, "pending"), (0.05, "in_queue"), (0.15, "running"))
RUNNING_STEPS: Steps = ((0.0, "running"),)
ASSET_STEPS: Steps = ((0.0, "initializing"), (0.1, "generating"))
TEXT_STEPS: Steps = ((0.0, "pending"), (0.2, "running"))
IMAGE_STEPS: Steps = ((0.0, "initializing"), (0.1, "image_generating"))
VIDEO_STEPS: Steps = ((0.0, "video_generating"),)


@dataclass(eq=False, slots=True)
class Run:
    """One pass of processing, fixed when it starts. Times are on the world's clock."""

    stage: Stage
    steps: tuple[tuple[float, str], ...]
    planned_end: float
    end: float
    outcome: str
    reason: str | None
    cost: Decimal
    charge: Charge
    blocks: int = 1
    charged: Decimal = Decimal(0)

    @property
    def progress_from(self) -> float:
        return self.steps[-1][0]

    def step_at(self, now: float) -> tuple[float, str]:
        current = self.steps[0]
        for step in self.steps:
            if step[0] > now:
                break
            current = step
        return current

    def progress_at(self, now: float) -> float:
        span = self.planned_end - self.progress_from
        if span <= 0:
            return 1.0 if now >= self.planned_end else 0.0
        return min(1.0, max(0.0, (min(now, self.end) - self.progress_from) / span))

    def blocks_due(self, now: float) -> int:
        """Gradual charging: how many blocks have started by ``now`` (one at each 1/blocks of
        progress, the first as soon as the job runs)."""
        if now < self.progress_from:
            return 0
        span = self.planned_end - self.progress_from
        if span <= 0:
            return self.blocks
        return min(self.blocks, math.floor((now - self.progress_from) / span * self.blocks) + 1)

    def next_event(self, now: float) -> float:
        times = [t for t, _ in self.steps if t > now]
        if self.charge is Charge.GRADUAL:
            due = self.blocks_due(now)
            if due < self.blocks:
                span = self.planned_end - self.progress_from
                times.append(self.progress_from + span * due / self.blocks)
        times.append(self.end)
        return min(times)


@dataclass(eq=False, slots=True)
class Job:
    """One job (or product record). ``fields`` is the wire object minus the live values
    (status, progress, credits_used, updated_at), which :meth:`World._wire` fills in."""

    id: str
    number: int
    """Creation order."""
    behaviour: Behaviour
    body: dict[str, Any]
    fields: dict[str, Any]
    length: Decimal | None
    created: float
    status: str
    updated: float
    credits: Decimal = Decimal(0)
    progress: float = 0.0
    run: Run | None = None
    awaiting_render: bool = False
    answer: str = ""
    """text_generator: the reply, known at creation (it sets the price)."""

    @property
    def resource(self) -> Resource:
        return self.behaviour.resource


# --------------------------------------------------------------------------------------------
# Billing: the sandbox's own reading of the billing page


AURORA_MODEL_RATES = {"aurora_v1": Decimal(1), "aurora_v1_fast": Decimal("0.5")}
AURORA_V2_RATES = {"480p": Decimal("0.4"), "720p": Decimal("0.7"), "1080p": Decimal("1.4"),
                   "2k": Decimal("2.8")}


def _length_of(job: Job) -> Decimal:
    assert job.length is not None
    return job.length


def _video_price(job: Job) -> Decimal:
    """5 per started 30 s; per started second when ``model_version`` is an Aurora model."""
    rate = AURORA_MODEL_RATES.get(job.body.get("model_version") or "")
    if rate is not None:
        return rate * _blocks(_length_of(job), 1)
    return 5 * Decimal(_blocks(_length_of(job), 30))


def _preview_price(job: Job) -> Decimal:
    """A preview costs 1 per started 30 s, whatever the model (the billing page's split)."""
    return Decimal(_blocks(_length_of(job), 30))


def _render_price(job: Job) -> Decimal:
    """The render: the rest of the one-step price (4 per 30 s) — or, for an Aurora
    ``model_version``, the full per-second price (the billing page gives no split for Aurora;
    our estimator assumes the same, so that it never under-estimates)."""
    full = job.behaviour.price(job)
    if (job.body.get("model_version") or "") in AURORA_MODEL_RATES:
        return full
    return full - _preview_price(job)


def _aurora_price(job: Job) -> Decimal:
    model = job.body.get("model_version") or "aurora_v1"
    if model == "aurora_v2":
        rate = AURORA_V2_RATES[job.body.get("resolution") or "720p"]
    else:
        rate = AURORA_MODEL_RATES[model]
    return rate * _blocks(_length_of(job), 1)


def _tts_price(job: Job) -> Decimal:
    return Decimal(_blocks(_length_of(job), 30))


def _ads_clone_price(job: Job) -> Decimal:
    return 12 * Decimal(_blocks(_length_of(job), 5))


def _asset_price(job: Job) -> Decimal:
    return ASSET_MODELS[job.body["model_name"]].price(job.body["input_params"])


def _text_tokens(job: Job) -> int:
    prompt = [m["content"] for m in job.body["messages"]]
    prompt.append(job.body.get("system_instruction") or "")
    return math.ceil(Decimal(_words(*prompt, job.answer)) * Decimal("1.3"))


def _text_price(job: Job) -> Decimal:
    """1 credit per started 1,000 tokens (tokens ≈ 1.3 × words of prompt and answer)."""
    return Decimal(_blocks(Decimal(_text_tokens(job)), 1000))


def _flat(credits: int) -> Callable[[Job], Decimal]:
    return lambda job: Decimal(credits)


def product_video_price() -> Decimal:
    return 10 * Decimal(_blocks(PRODUCT_VIDEO_LENGTH, 30))


# --------------------------------------------------------------------------------------------
# Billed lengths (seconds)

Length = Callable[["World", Mapping[str, Any]], Decimal]


def _link_video_length(world: World, body: Mapping[str, Any]) -> Decimal:
    return Decimal(body.get("video_length") or 30)


def _lipsync_length(world: World, body: Mapping[str, Any]) -> Decimal:
    if body.get("text"):
        return _speech_seconds(_words(body["text"]))
    return world.media_length(body["audio"])


def _lipsync_v2_length(world: World, body: Mapping[str, Any]) -> Decimal:
    words = 0
    audio = Decimal(0)
    for scene in body["video_inputs"]:
        voice = scene.get("voice") or {}
        if voice.get("type") == "audio":
            audio += world.media_length(voice["audio_url"])
        else:
            words += _words(voice.get("input_text") or "")
    speech = _speech_seconds(words) if words or not audio else Decimal(0)
    return audio + speech


def _script_length(world: World, body: Mapping[str, Any]) -> Decimal:
    return _speech_seconds(_words(body["script"]))


def _media_field_length(name: str) -> Length:
    return lambda world, body: world.media_length(body[name])


def _template_length(world: World, body: Mapping[str, Any]) -> Decimal:
    lengths = [world.media_length(url)
               for var in body["variables"].values() if isinstance(var, dict)
               if var.get("type") in ("audio", "video")
               if isinstance(url := (var.get("properties") or {}).get("url"), str)]
    return max(lengths, default=Decimal(30))


# --------------------------------------------------------------------------------------------
# Outputs: which field carries the result, which sample file it points at


@dataclass(frozen=True, slots=True)
class Output:
    field: str
    file: str | None = None
    thumbnail: bool = False

    def placeholders(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.field: [] if self.field == "assets" else None}
        if self.thumbnail:
            out["video_thumbnail"] = None
        return out


VIDEO_OUTPUT = Output("video_output", "output.mp4", thumbnail=True)
LIPSYNC_OUTPUT = Output("output", "output.mp4", thumbnail=True)
AUDIO_OUTPUT = Output("output", "output.wav")
ASSETS_OUTPUT = Output("assets")
TEXT_OUTPUT = Output("response_text")
SCRIPTS_OUTPUT = Output("generated_scripts")
PHOTO_OUTPUT = Output("generated_photo_url", "photo.png")


# --------------------------------------------------------------------------------------------
# Request bodies per resource

_WEBHOOK = F("webhook_url", _url(200))
_NAME = F("name", _text(255))
_ASPECT = F("aspect_ratio", _aspect)
_MODEL_VERSION = F("model_version", _choice("standard", "aurora_v1", "aurora_v1_fast"))
_VOLUMES = (F("background_music_volume", _number()), F("voiceover_volume", _number()))

LINK_TO_VIDEO_FIELDS = (
    F("link", _text(), required=True), _NAME, F("target_platform", _text()),
    F("target_audience", _text()), F("language", _text(16)),
    F("video_length", _choice(*VIDEO_LENGTHS)), _ASPECT, F("script_style", _text()),
    F("visual_style", _text()), F("override_avatar", _text()), F("override_voice", _text()),
    F("override_script", _text()), F("background_music_url", _url()), *_VOLUMES,
    F("caption_style", _text()), F("no_caption", _boolean), F("no_music", _boolean),
    _MODEL_VERSION, _WEBHOOK)
PREVIEW_LIST_FIELDS = (*LINK_TO_VIDEO_FIELDS,
                       F("visual_styles", _list(_text(), min_items=1, max_items=6),
                         required=True))
LIPSYNC_FIELDS = (
    F("creator", _text(), required=True), F("text", _text()), F("audio", _url()),
    F("accent", _text()), _ASPECT, _NAME, F("green_screen", _boolean),
    F("no_caption", _boolean), F("no_music", _boolean), F("caption_style", _text()),
    F("background_asset_image_url", _url()), _MODEL_VERSION, _WEBHOOK)
LIPSYNC_V2_FIELDS = (
    F("video_inputs", _list(_object, min_items=1), required=True), _ASPECT, _NAME,
    F("background_music", _object), _MODEL_VERSION, _WEBHOOK)
AURORA_FIELDS = (
    F("image", _url(), required=True), F("audio", _url(), required=True), _NAME,
    F("text_prompt", _text()), F("prompt_guidance_scale", _number(0, 10)),
    F("model_version", _choice("aurora_v1", "aurora_v1_fast", "aurora_v2")),
    F("resolution", _choice(*AURORA_V2_RATES)), _WEBHOOK)
TEMPLATE_FIELDS = (F("template_id", _text(), required=True),
                   F("variables", _object, required=True), _NAME, _MODEL_VERSION, _WEBHOOK)
ASSET_FIELDS = (F("model_name", _text(), required=True), F("input_params", _object), _WEBHOOK)
TTS_FIELDS = (F("script", _text(8000), required=True), F("accent", _text(), required=True),
              _WEBHOOK)
AI_SCRIPT_FIELDS = (
    F("url", _url()), F("title", _text()), F("description", _text()), F("language", _text(16)),
    F("target_audience", _text()), F("video_length", _choice(*VIDEO_LENGTHS)),
    F("script_styles", _list(_text(), max_items=5)))
AI_SHORTS_FIELDS = (
    F("script", _text(), required=True), F("aspect_ratio", _aspect, required=True),
    F("style", _choice(*AI_SHORTS_STYLES), required=True), F("accent", _text()),
    F("caption_setting", _object), F("background_music_url", _url()), *_VOLUMES, _WEBHOOK)
AI_EDITING_FIELDS = (
    F("video_url", _url(), required=True),
    F("editing_style", _choice(*EDITING_STYLES), required=True),
    F("caption_setting", _object), *_VOLUMES, _WEBHOOK)
PRODUCT_IMAGE_FIELDS = (
    F("product_url", _url(), required=True),
    F("type", _choice("product_anyshot", "product_avatar")), _ASPECT,
    F("image_prompt", _text()), F("override_avatar", _text()),
    F("product_showcase_url", _url()), _WEBHOOK)
PRODUCT_VIDEO_FIELDS = (F("motion_style", _choice("talking", "display"), required=True),
                        F("video_prompt", _text()), _WEBHOOK)
ADS_CLONE_FIELDS = (F("link", _text(), required=True), F("video_url", _url(), required=True),
                    _ASPECT, F("language", _text(16)), _WEBHOOK)
LINK_FIELDS = (F("url", _url(), required=True),)
LINK_PARAM_FIELDS = (
    F("title", _text()), F("description", _text()), F("image_urls", _list(_url())),
    F("video_urls", _list(_url())), F("reviews", _anything), F("logo_url", _url()))
TEXT_GENERATOR_FIELDS = ("model_name", "messages", "system_instruction", "config", "webhook_url")
"""What a text generation echoes (its errors have their own shape: see ``_text_body``)."""


# Cross-field checks (after the fields passed). They may normalise ``body`` in place.

BodyCheck = Callable[["World", dict[str, Any]], None]


def _check_link(world: World, body: dict[str, Any]) -> None:
    if not world.has_link(body["link"]):
        raise _field_errors({"link": ["Invalid link ID"]})


def _check_lipsync(world: World, body: dict[str, Any]) -> None:
    if not body.get("text") and not body.get("audio"):
        raise _general("Either text or audio must be provided.")


def _check_scenes(world: World, body: dict[str, Any]) -> None:
    problems: list[str] = []
    for index, scene in enumerate(body["video_inputs"], 1):
        character = scene.get("character")
        if not isinstance(character, dict) or not isinstance(character.get("avatar_id"), str):
            problems.append(f"Scene {index}: character.avatar_id: {REQUIRED}")
        voice = scene.get("voice")
        if not isinstance(voice, dict):
            problems.append(f"Scene {index}: voice: {REQUIRED}")
        elif voice.get("type", "text") == "audio":
            try:
                _url()(voice.get("audio_url"))
            except _Invalid as exc:
                problems.append(f"Scene {index}: voice.audio_url: {exc.args[0]}")
        else:
            text = voice.get("input_text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"Scene {index}: voice.input_text: {REQUIRED}")
            elif len(text) > 2000:
                problems.append(f"Scene {index}: voice.input_text: Ensure this field has no "
                                "more than 2000 characters.")
        background = scene.get("background")
        if isinstance(background, dict) and background.get("url") is not None:
            try:
                _url()(background["url"])
            except _Invalid as exc:
                problems.append(f"Scene {index}: background.url: {exc.args[0]}")
    if problems:
        raise _field_errors({"video_inputs": problems})


def _check_aurora(world: World, body: dict[str, Any]) -> None:
    if world.media_length(body["audio"]) > AURORA_MAX_AUDIO:
        raise _field_errors({"audio": [f"Audio must be at most {AURORA_MAX_AUDIO} seconds."]})


def _check_asset(world: World, body: dict[str, Any]) -> None:
    model = ASSET_MODELS.get(body["model_name"])
    if model is None:
        raise _general("AI model not found")
    body["input_params"] = validate_input_params(model, body.get("input_params") or {})


def _check_scrape(url: str) -> None:
    if "fail-scrape" in url:
        raise _general(f"Failed to scrape url: {url}")


def _check_ai_script(world: World, body: dict[str, Any]) -> None:
    if body.get("url"):
        _check_scrape(body["url"])
    elif not (body.get("title") and body.get("description")):
        raise _general("Either url, or title and description, must be provided.")


def _check_link_media(link: Mapping[str, Any]) -> None:
    if not link.get("video_urls") and len(link.get("image_urls") or []) < 3:
        raise _general("Link must have at least one image or one video.",
                       "Without videos, a link needs at least 3 image_urls.")


# --------------------------------------------------------------------------------------------
# The behaviour table: everything that differs between resources, in one place


@dataclass(frozen=True, slots=True)
class Behaviour:
    resource: Resource
    run_time: float
    """Seconds a one-step create takes at speed 1."""
    fields: tuple[F, ...]
    price: Callable[[Job], Decimal]
    """The one-step price (see ``_preview_price`` and ``_render_price`` for the split)."""
    length: Length | None = None
    """Billed seconds; also the wire ``duration``. ``None``: the resource has no duration."""
    output: Output = VIDEO_OUTPUT
    steps: Steps = QUEUED_STEPS
    success: str = "done"
    progress_scale: int = 100
    """``progress`` on the wire: 0..100 or 0..1 (only when the resource has a progress)."""
    charge: Charge = Charge.AT_END
    previewable: bool = False
    check: BodyCheck | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)


def _behaviours() -> dict[str, Behaviour]:
    table = (
        Behaviour(res.LINK_TO_VIDEOS, 90, LINK_TO_VIDEO_FIELDS, _video_price,
                  _link_video_length, previewable=True, check=_check_link,
                  defaults={"video_length": 30, "aspect_ratio": "16x9"}),
        Behaviour(res.LIPSYNCS, 60, LIPSYNC_FIELDS, _video_price, _lipsync_length,
                  LIPSYNC_OUTPUT, progress_scale=1, previewable=True, check=_check_lipsync),
        Behaviour(res.LIPSYNCS_V2, 60, LIPSYNC_V2_FIELDS, _video_price, _lipsync_v2_length,
                  LIPSYNC_OUTPUT, progress_scale=1, previewable=True, check=_check_scenes,
                  defaults={"aspect_ratio": "9x16"}),
        Behaviour(res.AURORA, 120, AURORA_FIELDS, _aurora_price, _media_field_length("audio"),
                  steps=RUNNING_STEPS, progress_scale=1, charge=Charge.AT_START,
                  check=_check_aurora, defaults={"model_version": "aurora_v1"}),
        Behaviour(res.CUSTOM_TEMPLATE_JOBS, 90, TEMPLATE_FIELDS, _video_price,
                  _template_length, previewable=True),
        Behaviour(res.ASSET_GENERATOR, 60, ASSET_FIELDS, _asset_price, None, ASSETS_OUTPUT,
                  steps=ASSET_STEPS, check=_check_asset),
        Behaviour(res.TEXT_GENERATOR, 5, (), _text_price, None, TEXT_OUTPUT, steps=TEXT_STEPS),
        Behaviour(res.TEXT_TO_SPEECH, 10, TTS_FIELDS, _tts_price, _script_length,
                  AUDIO_OUTPUT),
        Behaviour(res.AI_SCRIPTS, 0, AI_SCRIPT_FIELDS, _flat(1), None, SCRIPTS_OUTPUT,
                  check=_check_ai_script),
        Behaviour(res.AI_SHORTS, 90, AI_SHORTS_FIELDS, _video_price, _script_length,
                  previewable=True),
        Behaviour(res.AI_EDITING, 90, AI_EDITING_FIELDS, _video_price,
                  _media_field_length("video_url"), previewable=True),
        Behaviour(res.PRODUCT_TO_VIDEOS, 30, PRODUCT_IMAGE_FIELDS, _flat(2), None,
                  PHOTO_OUTPUT, steps=IMAGE_STEPS, success="image_generated",
                  defaults={"type": "product_anyshot"}),
        Behaviour(res.ADS_CLONE, 120, ADS_CLONE_FIELDS, _ads_clone_price,
                  _media_field_length("video_url"), charge=Charge.GRADUAL, check=_check_link,
                  defaults={"aspect_ratio": "9x16"}),
    )
    return {b.resource.key: b for b in table}


BEHAVIOURS = _behaviours()

_FAILED_REASONS = {
    "text_generator": "The model returned no candidates (simulated failure).",
    "asset_generator": "Generation failed: the model provider returned an error "
                       "(simulated failure).",
    "text_to_speech": "Speech synthesis failed (simulated failure).",
}
_DEFAULT_FAILED_REASON = "Video rendering failed: internal error (simulated failure)."
_REJECTED_REASON = "Rejected by content moderation (simulated rejection)."


# --------------------------------------------------------------------------------------------
# Generated content (deterministic)


def reply_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text generator's answer: a plausible reply echoing the last user message."""
    last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"),
                messages[-1]["content"])
    snippet = " ".join(str(last).split())[:280]
    return (f'Here is a suggestion for "{snippet}":\n\n'
            "1. Open with a bold hook that names the problem in the first three seconds.\n"
            "2. Show the product solving it, close up and in real use.\n"
            "3. Finish with one clear call to action.\n\n"
            "(A simulated answer from the Creatify sandbox.)")


def _stream_chunks(text: str, words_per_chunk: int = 4) -> list[str]:
    pieces = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(pieces[i:i + words_per_chunk])
            for i in range(0, len(pieces), words_per_chunk)]


def _generated_scripts(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    subject = body.get("title") or _title_from_url(body.get("url") or "")
    audience = body.get("target_audience") or "people who want results fast"
    count = max(2, int(body.get("video_length") or 30) // 15)
    lines = (f"Meet {subject}: the upgrade you did not know you needed.",
             f"Made for {audience}, it fixes the everyday problem in seconds.",
             "Here is why people love it: it is simple, fast and built to last.",
             f"Tap the link and try {subject} today.")
    return [{"paragraphs": [*lines[:count - 1], lines[-1]],
             "script_name": f"{style} script", "script_style": style,
             "title": f"{subject} — {style}"}
            for style in body.get("script_styles") or DEFAULT_SCRIPT_STYLES]


# --------------------------------------------------------------------------------------------
# Routing


Handler = Callable[["Call"], Response]


@dataclass(frozen=True, slots=True)
class Call:
    """One routed request, as a handler sees it."""

    request: Request
    args: tuple[str, ...]
    body: Any
    query: dict[str, list[str]]
    now: float

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass(frozen=True, slots=True)
class Route:
    segments: tuple[str, ...]
    """Path segments; ``"*"`` matches an id."""
    handlers: Mapping[str, Handler]
    paid: bool = False
    """Its POST spends credits (logged in the create log, refused by insufficient_credits)."""
    auth: bool = True
    text_errors: bool = False
    """The text generator's ``{"error": ...}`` error shape."""


_ANY = "*"


class World:
    """The simulated Creatify account: catalogues, links, jobs, balance and faults."""

    def __init__(self, *, api_id: str = "sandbox", api_key: str = "sandbox",
                 balance: Decimal | int = 500, speed: float = 1.0, faults: Faults | None = None,
                 seed: int | None = None, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, not {speed!r}")
        self.lock = threading.Lock()
        self.api_id = api_id
        self.api_key = api_key
        self.speed = float(speed)
        self.base_url = ""
        self._balance = Decimal(balance)
        self._reserved = Decimal(0)
        self._faults = copy.copy(faults) if faults is not None else Faults()
        self._rng = random.Random(seed)
        self._clock = clock
        self._epoch = wall_clock() - clock()
        self._jobs: dict[str, dict[str, Job]] = {key: {} for key in BEHAVIOURS}
        self._by_id: dict[str, Job] = {}
        self._media_jobs: dict[str, Job] = {}
        self._links: dict[str, dict[str, Any]] = {}
        self._events: list[tuple[float, int, Job, Run]] = []
        self._sequence = itertools.count()
        self._create_log: list[CreateRecord] = []
        self._request_log: list[tuple[str, str]] = []
        self._routes = self._build_routes()

    # ---- public, thread-safe ------------------------------------------------------------

    @property
    def balance(self) -> Decimal:
        with self.lock:
            self._advance(self._clock())
            return self._balance

    @property
    def faults(self) -> Faults:
        with self.lock:
            return copy.copy(self._faults)

    def set_faults(self, **changes: Any) -> Faults:
        with self.lock:
            self._faults = self._faults.updated(changes)
            return copy.copy(self._faults)

    @property
    def create_log(self) -> list[CreateRecord]:
        with self.lock:
            return list(self._create_log)

    @property
    def request_log(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self._request_log)

    def jobs(self, resource: str) -> list[dict[str, Any]]:
        """Copies of the current wire objects of ``resource`` (``"links"`` too), oldest first."""
        with self.lock:
            now = self._clock()
            self._advance(now)
            if resource == res.LINKS.key:
                return copy.deepcopy(list(self._links.values()))
            return [copy.deepcopy(self._wire(job, now)) for job in self._jobs[resource].values()]

    def admit(self, request: Request) -> FaultPlan:
        """Log ``request`` and decide which faults it suffers (the HTTP layer applies them)."""
        with self.lock:
            self._request_log.append((request.method, request.target))
            return self._plan(request)

    def record_unanswered(self, request: Request, status: int) -> None:
        """A request answered by a fault before processing: log it if it was a paid POST."""
        with self.lock:
            if self._is_paid(request):
                self._record(request, None, status)

    def handle(self, request: Request, *, lost: bool = False) -> Response:
        """Process ``request``. ``lost``: its answer will not be delivered (the create log
        says status 0)."""
        with self.lock:
            now = self._clock()
            self._advance(now)
            route, args, allowed = self._resolve(request)
            try:
                response = self._dispatch(request, route, args, allowed, now)
            except ApiError as exc:
                response = exc.response
            if route is not None and route.paid and request.method == "POST":
                self._record(request, _created_id(response), 0 if lost else response.status)
            return response

    def preview_page(self, preview_id: str) -> str | None:
        """The HTML page a job's ``preview`` (or a ``previews[].preview_url``) points at."""
        with self.lock:
            job = self._by_id.get(preview_id) or self._media_jobs.get(preview_id)
            if job is None:
                return None
            video = media.media_url(self.base_url, preview_id, "preview.mp4")
            poster = media.media_url(self.base_url, preview_id, "thumb.png")
            title = f"{job.resource.model_label} preview {preview_id}"
            return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                    f"<title>{title}</title></head>\n<body style=\"margin:0;background:#111\">"
                    f"<video controls autoplay muted style=\"width:100%\" poster=\"{poster}\" "
                    f"src=\"{video}\"></video></body></html>\n")

    def media_length(self, url: str) -> Decimal:
        """The length the sandbox assumes for the media at ``url`` (see media.url_length).
        Called with the lock held."""
        return media.url_length(url, self.base_url, self._owner_length)

    def has_link(self, link_id: str) -> bool:
        return link_id in self._links

    # ---- faults ----------------------------------------------------------------------------

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def _plan(self, request: Request) -> FaultPlan:
        kind = category_of(request.path)
        f = self._faults
        if kind is Category.CONTROL:
            return FaultPlan()
        if f.reset_next_request_before_processing > 0:
            f.reset_next_request_before_processing -= 1
            return FaultPlan(f.latency, reset_before=True)
        if kind is Category.MEDIA:
            return FaultPlan(f.latency, reset_before=self._roll(f.reset_rate))
        paid = self._is_paid(request)
        if paid and f.reset_next_create_after_processing > 0:
            f.reset_next_create_after_processing -= 1
            return FaultPlan(f.latency, reset_after=True)
        if self._roll(f.reset_rate):
            after = paid and self._rng.random() < 0.5
            return FaultPlan(f.latency, reset_before=not after, reset_after=after)
        if self._roll(f.error_rate):
            return FaultPlan(f.latency, status=self._rng.choice((500, 502, 503)))
        if self._roll(f.rate_limit_rate):
            return FaultPlan(f.latency, status=429, retry_after=f.retry_after)
        return FaultPlan(f.latency, malformed=self._roll(f.malformed_rate))

    def _is_paid(self, request: Request) -> bool:
        route, _, _ = self._resolve(request)
        return route is not None and route.paid and request.method == "POST"

    def _record(self, request: Request, job_id: str | None, status: int) -> None:
        self._create_log.append(CreateRecord(
            request.path, _parse_body_leniently(request.body), job_id, status,
            self._epoch + self._clock()))

    # ---- routing ---------------------------------------------------------------------------

    def _build_routes(self) -> dict[int, list[Route]]:
        routes = [
            Route(("_sandbox", "state"), {"GET": self._control_state}, auth=False),
            Route(("_sandbox", "faults"),
                  {"GET": self._control_faults, "POST": self._control_set_faults}, auth=False),
            Route(("_sandbox", "creates"), {"GET": self._control_creates}, auth=False),
            Route(("api", "remaining_credits"), {"GET": self._remaining_credits}),
            Route(("api", "personas"), {"GET": lambda c: Response(200, personas(self.base_url))}),
            Route(("api", "personas_v2"), {"GET": self._personas_v2}),
            Route(("api", "voices"), {"GET": lambda c: Response(200, voices(self.base_url))}),
            Route(("api", "musics"), {"GET": lambda c: Response(200, musics(self.base_url))}),
            Route(("api", "asset_generator", "schemas"), {"GET": self._asset_schemas}),
            Route(("api", "links"), {"GET": self._list_links, "POST": self._create_link},
                  paid=True),
            Route(("api", "links", "link_with_params"), {"POST": self._link_with_params},
                  paid=True),
            Route(("api", "links", _ANY), {"GET": self._get_link, "PUT": self._put_link}),
            Route(("api", "link_to_videos", "preview_list_async"),
                  {"POST": self._preview_list}, paid=True),
            Route(("api", "link_to_videos", _ANY, "render_single_preview"),
                  {"POST": self._render_single_preview}, paid=True),
            Route(("api", "product_to_videos", "gen_image"),
                  {"POST": self._bind(self._create, BEHAVIOURS["product_to_videos"])},
                  paid=True),
            Route(("api", "product_to_videos", _ANY, "gen_video"), {"POST": self._gen_video},
                  paid=True),
            Route(("api", "product_to_videos", _ANY, "regen_image"),
                  {"POST": self._regen_image}, paid=True),
            Route(("api", "product_to_videos", _ANY, "regen_video"),
                  {"POST": self._regen_video}, paid=True),
            Route(("sse", "text_generator"), {"POST": self._text_generate}, paid=True,
                  text_errors=True),
            Route(("sse", "text_generator", "stream"), {"POST": self._text_stream}, paid=True,
                  text_errors=True),
        ]
        creatable = {key for key in BEHAVIOURS
                     if key not in ("text_generator", "product_to_videos", "ai_scripts")}
        for key, b in BEHAVIOURS.items():
            collection: dict[str, Handler] = {"GET": self._bind(self._list_jobs, b)}
            if key in creatable:
                collection["POST"] = self._bind(self._create, b)
            elif key == "ai_scripts":
                collection["POST"] = self._create_ai_scripts
            routes.append(Route(("api", key), collection, paid="POST" in collection))
            routes.append(Route(("api", key, _ANY), {"GET": self._bind(self._get_job, b)}))
            if b.previewable:
                routes.append(Route(("api", key, "preview"),
                                    {"POST": self._bind(self._preview, b)}, paid=True))
                routes.append(Route(("api", key, _ANY, "render"),
                                    {"POST": self._bind(self._render, b)}, paid=True))
        table: dict[int, list[Route]] = {}
        for route in sorted(routes, key=lambda r: r.segments.count(_ANY)):
            table.setdefault(len(route.segments), []).append(route)
        return table

    @staticmethod
    def _bind(handler: Callable[[Behaviour, Call], Response], b: Behaviour) -> Handler:
        return lambda call: handler(b, call)

    def _resolve(self, request: Request) -> tuple[Route | None, tuple[str, ...], bool]:
        """(route, id arguments, method allowed); ``None`` when no route matches."""
        path = request.path
        if category_of(path) is Category.CONTROL and not path.endswith("/"):
            path += "/"  # the control endpoints are for people with curl: be lenient
        if not path.endswith("/") or not path.startswith("/"):
            return None, (), False
        segments = path.strip("/").split("/")
        for route in self._routes.get(len(segments), ()):
            pairs = tuple(zip(route.segments, segments, strict=True))
            if all(p == s or (p == _ANY and s != "") for p, s in pairs):
                args = tuple(s for p, s in pairs if p == _ANY)
                method = "GET" if request.method == "HEAD" else request.method
                return route, args, method in route.handlers
        return None, (), False

    def _dispatch(self, request: Request, route: Route | None, args: tuple[str, ...],
                  allowed: bool, now: float) -> Response:
        if route is None:
            raise ApiError(404, {"detail": NOT_FOUND})
        if route.auth:
            self._authenticate(request)
        if not allowed:
            raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'},
                           {"Allow": ", ".join(route.handlers)})
        method = "GET" if request.method == "HEAD" else request.method
        body: Any = None
        if method in ("POST", "PUT"):
            try:
                body = json.loads(request.body) if request.body.strip() else {}
            except (ValueError, UnicodeDecodeError):
                raise (_text_error(JSON_PARSE_ERROR) if route.text_errors
                       else _general(JSON_PARSE_ERROR)) from None
            if route.paid and self._faults.insufficient_credits:
                raise self._insufficient(route.text_errors)
        call = Call(request, args, body, parse_qs(request.query), now)
        return route.handlers[method](call)

    def _authenticate(self, request: Request) -> None:
        api_id = request.headers.get("x-api-id")
        api_key = request.headers.get("x-api-key")
        if not api_id or not api_key:
            raise ApiError(401, {"detail": MISSING_CREDENTIALS},
                           {"WWW-Authenticate": "Api-Key"})
        if api_id != self.api_id or api_key != self.api_key:
            raise ApiError(403, {"detail": INVALID_KEY})

    # ---- clock, runs and money -------------------------------------------------------------

    def _wall(self, clock_time: float) -> str:
        return _iso(self._epoch + clock_time)

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _owner_length(self, owner: str) -> Decimal | None:
        job = self._by_id.get(owner) or self._media_jobs.get(owner)
        return job.length if job is not None else None

    @staticmethod
    def _insufficient(text_errors: bool = False) -> ApiError:
        return _text_error(INSUFFICIENT_CREDITS) if text_errors else _general(INSUFFICIENT_CREDITS)

    def _ensure_credits(self, cost: Decimal, text_errors: bool = False) -> None:
        """Refuse when the balance, less what running jobs will still charge, is short."""
        if self._balance - self._reserved < cost:
            raise self._insufficient(text_errors)

    def _spend(self, amount: Decimal) -> None:
        self._balance -= amount

    def _roll_outcome(self, resource: Resource, success: str) -> tuple[str, str | None, float]:
        """(outcome status, failed_reason, end as a fraction of the planned run)."""
        f = self._faults
        if self._roll(f.reject_rate):
            if "rejected" in resource.statuses:
                return "rejected", _REJECTED_REASON, REJECTED_AT
            return "failed", _REJECTED_REASON, REJECTED_AT
        if self._roll(f.fail_rate):
            return ("failed", _FAILED_REASONS.get(resource.key, _DEFAULT_FAILED_REASON),
                    FAILED_AT)
        return success, None, 1.0

    def _start_run(self, job: Job, stage: Stage, now: float, *, cost: Decimal,
                   base_time: float | None = None, steps: Steps | None = None,
                   success: str | None = None, blocks: int = 1) -> None:
        """Start a processing pass on ``job``: its schedule, outcome and charging are fixed
        now (``base_time``/``steps``/``success`` default to the behaviour's)."""
        b = job.behaviour
        length = (b.run_time if base_time is None else base_time) / self.speed
        success = success or b.success
        outcome, reason, end_share = self._roll_outcome(job.resource, success)
        run = Run(stage=stage,
                  steps=tuple((now + share * length, status) for share, status in
                              (steps or b.steps)),
                  planned_end=now + length, end=now + end_share * length, outcome=outcome,
                  reason=reason, cost=cost, charge=b.charge, blocks=blocks)
        if run.charge is Charge.AT_START:
            self._spend(cost)
            run.charged = cost
        self._reserved += cost - run.charged
        job.run = run
        job.awaiting_render = False
        job.fields["failed_reason"] = None
        self._set_status(job, run.steps[0][1], now)
        self._sync(job, now)

    def _set_status(self, job: Job, status: str, at: float) -> None:
        if status == job.status:
            return
        job.status = status
        job.updated = at
        previews = job.fields.get("previews")
        if previews and job.run is not None and job.run.stage is Stage.PREVIEW_LIST:
            job.fields["previews"] = [{**p, "status": status} for p in previews]

    def _advance(self, now: float) -> None:
        events = self._events
        while events and events[0][0] <= now:
            _, _, job, run = heapq.heappop(events)
            if job.run is run:
                self._sync(job, now)

    def _sync(self, job: Job, now: float) -> None:
        """Bring ``job``'s running pass up to ``now``; schedule its next event."""
        run = job.run
        assert run is not None
        at, status = run.step_at(min(now, run.end))
        self._set_status(job, status, at)
        if run.charge is Charge.GRADUAL:
            due = run.blocks_due(min(now, run.end))
            part = run.cost / run.blocks
            while run.charged < part * due:
                self._charge(job, run, part)
        if now >= run.end:
            self._finish(job, run)
        else:
            heapq.heappush(self._events, (run.next_event(now), next(self._sequence), job, run))

    def _charge(self, job: Job, run: Run, amount: Decimal) -> None:
        amount = min(amount, run.cost - run.charged)
        self._spend(amount)
        self._reserved -= amount
        run.charged += amount
        if run.charge is Charge.GRADUAL:
            job.credits += amount

    def _finish(self, job: Job, run: Run) -> None:
        job.run = None
        if run.reason is None:
            if run.charge is not Charge.GRADUAL:
                job.credits += run.cost
            self._charge(job, run, run.cost - run.charged)
            job.progress = 1.0
            self._complete(job, run.stage)
        else:
            job.progress = run.progress_at(run.end)
            self._reserved -= run.cost - run.charged
            self._balance += run.charged  # refund (Aurora's up-front charge, Ad Clone's parts)
            if run.charge is Charge.GRADUAL:
                job.credits -= run.charged
            job.fields["failed_reason"] = run.reason
            if run.stage is Stage.PREVIEW_LIST:
                job.fields["previews"] = [{**p, "status": run.outcome}
                                          for p in job.fields["previews"]]
        self._set_status(job, run.outcome, run.end)

    def _complete(self, job: Job, stage: Stage) -> None:
        """A successful run's effect on the wire object."""
        url = self.base_url
        if job.length is not None and job.resource.has_credits_used:
            job.fields["duration"] = math.ceil(job.length)
        match stage:
            case Stage.PREVIEW:
                job.fields["preview"] = f"{url}/preview/{job.id}/"
                job.awaiting_render = True
            case Stage.PREVIEW_LIST:
                job.fields["previews"] = [
                    {**p, "status": "done",
                     "preview_url": f"{url}/preview/{p['media_job']}/",
                     "thumbnail_url": media.media_url(url, p["media_job"], "thumb.png"),
                     "duration": job.fields["duration"]}
                    for p in job.fields["previews"]]
                job.awaiting_render = True
            case Stage.VIDEO:
                job.fields["generated_video_url"] = media.media_url(url, job.id, "output.mp4")
            case _:
                job.fields.update(self._result(job))

    def _result(self, job: Job) -> dict[str, Any]:
        out = job.behaviour.output
        if out is ASSETS_OUTPUT:
            return {"assets": self._assets(job)}
        if out is TEXT_OUTPUT:
            return {"response_text": job.answer}
        result: dict[str, Any] = {}
        if out.file is not None:
            result[out.field] = media.media_url(self.base_url, job.id, out.file)
        if out.thumbnail:
            result["video_thumbnail"] = media.media_url(self.base_url, job.id, "thumb.png")
        return result

    def _assets(self, job: Job) -> list[dict[str, Any]]:
        model = ASSET_MODELS[job.body["model_name"]]
        thumb = media.media_url(self.base_url, job.id, "thumb.png")
        if model.output_type == "video":
            names = ["output.mp4"]
        else:
            names = [f"image_{n}.png" for n in range(1, int(job.body["input_params"]
                                                              ["num_images"]) + 1)]
        return [{"id": self._new_id(), "type": model.output_type,
                 "url": media.media_url(self.base_url, job.id, name),
                 "thumbnail_url": thumb, "name": name} for name in names]

    # ---- wire objects ----------------------------------------------------------------------

    def _new_job(self, b: Behaviour, body: dict[str, Any], now: float,
                 raw: Mapping[str, Any]) -> Job:
        job_id = self._new_id()
        fields_: dict[str, Any] = {"id": job_id}
        name = body.get("name", raw.get("name"))
        if b.resource.has_name or isinstance(name, str):
            fields_["name"] = name if isinstance(name, str) else None
        fields_.update({k: v for k, v in body.items() if k != "name"})
        fields_["status"] = b.steps[0][1]
        if b.resource.progress is not ProgressForm.NONE:
            fields_["progress"] = None
        fields_.update(b.output.placeholders())
        fields_["failed_reason"] = None
        if b.resource.has_credits_used:
            fields_["credits_used"] = 0
            if b.length is not None:
                fields_["duration"] = None
        fields_["created_at"] = self._wall(now)
        fields_["updated_at"] = fields_["created_at"]
        length = b.length(self, body) if b.length is not None else None
        return Job(job_id, next(self._sequence), b, body, fields_, length, now,
                   fields_["status"], now)

    def _register(self, job: Job) -> None:
        self._jobs[job.resource.key][job.id] = job
        self._by_id[job.id] = job

    def _wire(self, job: Job, now: float, *, read: bool = False) -> dict[str, Any]:
        out = dict(job.fields)
        status = job.status
        if read and job.run is not None and self._roll(self._faults.unknown_status_rate):
            status = UNDOCUMENTED_STATUS
        out["status"] = status
        form = job.resource.progress
        if form is not ProgressForm.NONE:
            progress = job.run.progress_at(now) if job.run is not None else job.progress
            out["progress"] = _format_progress(form, job.behaviour.progress_scale, progress)
        if job.resource.has_credits_used:
            out["credits_used"] = json_number(job.credits)
        out["updated_at"] = self._wall(job.updated)
        return out

    def _find(self, b: Behaviour, job_id: str) -> Job:
        job = self._jobs[b.resource.key].get(job_id)
        if job is None:
            raise ApiError(404, {"detail": f"No {b.resource.model_label} matches the given "
                                           "query."})
        return job

    @staticmethod
    def _object_body(call: Call) -> dict[str, Any]:
        if not isinstance(call.body, dict):
            raise _general("Invalid data. Expected a dictionary, but got "
                           f"{type(call.body).__name__}.")
        return call.body

    def _validate(self, b: Behaviour, call: Call, specs: Sequence[F] | None = None
                  ) -> dict[str, Any]:
        body = validate_fields(b.fields if specs is None else specs, self._object_body(call),
                               b.defaults)
        if b.check is not None:
            b.check(self, body)
        return body

    # ---- handlers: jobs --------------------------------------------------------------------

    def _list_jobs(self, b: Behaviour, call: Call) -> Response:
        jobs = self._jobs[b.resource.key]
        raw_ids = call.param("ids")
        if raw_ids is not None and b.resource.supports_ids:
            ids = [i for i in (part.strip() for part in raw_ids.split(",")) if i]
            if len(ids) > res.MAX_IDS_PER_LIST:
                raise _general(f"Too many ids: at most {res.MAX_IDS_PER_LIST}.")
            chosen = sorted((jobs[i] for i in set(ids) if i in jobs), key=lambda j: j.number)
        else:
            chosen = list(jobs.values())
        if call.param("ordering") not in ("created_at", "updated_at"):
            chosen.reverse()
        return Response(200, [self._wire(job, call.now, read=True) for job in chosen])

    def _get_job(self, b: Behaviour, call: Call) -> Response:
        return Response(200, self._wire(self._find(b, call.args[0]), call.now, read=True))

    def _create(self, b: Behaviour, call: Call) -> Response:
        body = self._validate(b, call)
        job = self._new_job(b, body, call.now, call.body)
        cost = b.price(job)
        self._ensure_credits(cost)
        self._register(job)
        blocks = _blocks(_length_of(job), 5) if b.charge is Charge.GRADUAL else 1
        self._start_run(job, Stage.CREATE, call.now, cost=cost, blocks=blocks)
        return Response(201, self._wire(job, call.now))

    def _preview(self, b: Behaviour, call: Call) -> Response:
        body = self._validate(b, call)
        job = self._new_job(b, body, call.now, call.body)
        job.fields["preview"] = None
        cost = _preview_price(job)
        self._ensure_credits(cost)
        self._register(job)
        self._start_run(job, Stage.PREVIEW, call.now, cost=cost,
                        base_time=b.run_time * PREVIEW_TIME_SHARE)
        return Response(200, self._wire(job, call.now))

    def _render(self, b: Behaviour, call: Call) -> Response:
        job = self._find(b, call.args[0])
        # A preview list has no single "preview": it renders through render_single_preview.
        if not job.awaiting_render or "preview" not in job.fields:
            raise _general(PREVIEW_NOT_READY)
        return self._start_render(job, call.now)

    def _start_render(self, job: Job, now: float) -> Response:
        cost = _render_price(job)
        self._ensure_credits(cost)
        self._start_run(job, Stage.RENDER, now, cost=cost)  # back to the first step
        return Response(200, self._wire(job, now))

    def _preview_list(self, call: Call) -> Response:
        b = BEHAVIOURS["link_to_videos"]
        body = self._validate(b, call, PREVIEW_LIST_FIELDS)
        styles = body.pop("visual_styles")
        job = self._new_job(b, body, call.now, call.body)
        job.fields["previews"] = [
            {"visual_style": style, "media_job": self._new_id(), "status": job.status,
             "preview_url": None, "thumbnail_url": None, "duration": None}
            for style in styles]
        cost = _preview_price(job) * len(styles)
        self._ensure_credits(cost)
        self._register(job)
        for preview in job.fields["previews"]:
            self._media_jobs[preview["media_job"]] = job
        self._start_run(job, Stage.PREVIEW_LIST, call.now, cost=cost,
                        base_time=b.run_time * PREVIEW_TIME_SHARE)
        return Response(201, self._wire(job, call.now))

    def _render_single_preview(self, call: Call) -> Response:
        b = BEHAVIOURS["link_to_videos"]
        job = self._find(b, call.args[0])
        body = self._object_body(call)
        media_job = body.get("media_job")
        if not media_job:
            raise _field_errors({"media_job": [REQUIRED]})
        previews = job.fields.get("previews") or []
        chosen = next((p for p in previews if p["media_job"] == media_job), None)
        if chosen is None:
            raise _field_errors({"media_job": [f'Invalid media job "{media_job}".']})
        if not job.awaiting_render:
            raise _general(PREVIEW_NOT_READY)
        response = self._start_render(job, call.now)
        job.fields["visual_style"] = chosen["visual_style"]
        job.fields["media_job"] = media_job
        response.body = self._wire(job, call.now)
        return response

    def _create_ai_scripts(self, call: Call) -> Response:
        b = BEHAVIOURS["ai_scripts"]
        body = self._validate(b, call)
        job = self._new_job(b, body, call.now, call.body)
        cost = b.price(job)
        self._ensure_credits(cost)
        self._register(job)
        self._spend(cost)
        job.credits = cost
        job.status = "done"
        job.progress = 1.0
        job.fields["generated_scripts"] = _generated_scripts(body)
        return Response(201, self._wire(job, call.now))

    # ---- handlers: product video -----------------------------------------------------------

    def _gen_video(self, call: Call) -> Response:
        b = BEHAVIOURS["product_to_videos"]
        job = self._find(b, call.args[0])
        body = validate_fields(PRODUCT_VIDEO_FIELDS, self._object_body(call))
        if job.status != "image_generated" or job.run is not None:
            raise _general("A video can only be generated from an image_generated record "
                           f"(this one is {job.status}).")
        return self._start_video(job, body, call.now, new=False)

    def _start_video(self, job: Job, body: Mapping[str, Any], now: float, *,
                     new: bool) -> Response:
        """Run the video step on ``job`` (gen_video: 200) or on a new copy (regen: 201)."""
        cost = product_video_price()
        self._ensure_credits(cost)
        if new:
            self._register(job)
        job.body.update(body)
        job.fields.update(body)
        self._start_run(job, Stage.VIDEO, now, cost=cost, base_time=PRODUCT_VIDEO_RUN_TIME,
                        steps=VIDEO_STEPS, success="video_generated")
        return Response(201 if new else 200, self._wire(job, now))

    def _regen_image(self, call: Call) -> Response:
        b = BEHAVIOURS["product_to_videos"]
        source = self._find(b, call.args[0])
        image_inputs = {f.name for f in PRODUCT_IMAGE_FIELDS}
        body = {k: v for k, v in source.body.items() if k in image_inputs}
        body.update(validate_fields(PRODUCT_IMAGE_FIELDS[1:], self._object_body(call)))
        job = self._new_job(b, body, call.now, source.fields)
        cost = b.price(job)
        self._ensure_credits(cost)
        self._register(job)
        self._start_run(job, Stage.CREATE, call.now, cost=cost)
        return Response(201, self._wire(job, call.now))

    def _regen_video(self, call: Call) -> Response:
        b = BEHAVIOURS["product_to_videos"]
        source = self._find(b, call.args[0])
        if not source.fields.get("generated_photo_url"):
            raise _general("The image of this record is not ready.")
        overrides = self._object_body(call)
        merged: dict[str, Any] = {k: source.body[k] for k in
                                  ("motion_style", "video_prompt", "webhook_url")
                                  if k in source.body}
        merged.update(overrides)
        video = validate_fields(PRODUCT_VIDEO_FIELDS, merged)
        job = self._new_job(b, dict(source.body), call.now, source.fields)
        job.fields["generated_photo_url"] = source.fields["generated_photo_url"]
        return self._start_video(job, video, call.now, new=True)

    # ---- handlers: text generator ----------------------------------------------------------

    def _text_body(self, call: Call) -> dict[str, Any]:
        body = call.body
        if not isinstance(body, dict):
            raise _text_error("Request body must be a JSON object.")
        model = body.get("model_name")
        if not isinstance(model, str) or not model:
            raise _text_error("model_name is required.")
        if model not in TEXT_MODELS:
            raise _text_error(f"Unsupported model: {model}")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _text_error("messages is required: a non-empty list of {role, content}.")
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ("user", "model"):
                raise _text_error(f'messages[{index}].role must be "user" or "model".')
            if not isinstance(message.get("content"), str):
                raise _text_error(f"messages[{index}].content must be a string.")
        if not isinstance(body.get("system_instruction", ""), str | None):
            raise _text_error("system_instruction must be a string.")
        if not isinstance(body.get("config", {}), dict | None):
            raise _text_error("config must be an object.")
        return {k: body[k] for k in TEXT_GENERATOR_FIELDS if k in body}

    def _start_text(self, call: Call) -> Job:
        b = BEHAVIOURS["text_generator"]
        body = self._text_body(call)
        job = self._new_job(b, body, call.now, call.body)
        job.answer = reply_text(body["messages"])
        cost = b.price(job)
        self._ensure_credits(cost, text_errors=True)
        self._register(job)
        self._start_run(job, Stage.CREATE, call.now, cost=cost)
        return job

    def _settle_now(self, job: Job, now: float) -> None:
        """Finish ``job``'s run at once (sync and streamed generations); the HTTP layer
        spends the run time waiting instead."""
        run = job.run
        if run is not None:
            run.end = min(run.end, now)
            self._sync(job, now)

    def _text_generate(self, call: Call) -> Response:
        job = self._start_text(call)
        if call.body.get("sync") is True:
            self._settle_now(job, call.now)
            return Response(201, self._wire(job, call.now),
                            delay=job.behaviour.run_time / self.speed)
        return Response(201, self._wire(job, call.now))

    def _text_stream(self, call: Call) -> Response:
        job = self._start_text(call)
        self._settle_now(job, call.now)
        if job.status == "done":
            events: list[dict[str, Any]] = [{"delta": chunk}
                                            for chunk in _stream_chunks(job.answer)]
            events.append({"done": True, "id": job.id, "credits_used": json_number(job.credits),
                           "response_text": job.answer})
        else:
            events = [{"error": job.fields["failed_reason"], "id": job.id}]
        return Response(200, events=events,
                        event_interval=job.behaviour.run_time / self.speed / len(events))

    # ---- handlers: links -------------------------------------------------------------------

    def _find_link(self, link_id: str) -> dict[str, Any]:
        link = self._links.get(link_id)
        if link is None:
            raise ApiError(404, {"detail": f"No {res.LINKS.model_label} matches the given query."})
        return link

    def _charge_link(self, text_errors: bool = False) -> None:
        self._ensure_credits(Decimal(1), text_errors)
        self._spend(Decimal(1))

    def _store_link(self, url: str | None, details: Mapping[str, Any]) -> dict[str, Any]:
        link: dict[str, Any] = {"id": self._new_id(), "url": url,
                "link": {"id": self._new_id(), "url": url, "title": None, "description": None,
                         "image_urls": [], "video_urls": [], "reviews": None, "logo_url": None,
                         **details}}
        self._links[link["id"]] = link
        return link

    def _create_link(self, call: Call) -> Response:
        body = validate_fields(LINK_FIELDS, self._object_body(call))
        url = body["url"]
        _check_scrape(url)
        self._charge_link()
        title = _title_from_url(url)
        host = urlsplit(url).hostname or "the shop"
        images = [media.media_url(self.base_url, "links", f"{title.lower().replace(' ', '-')}"
                                  f"-{n}.png") for n in range(1, 4)]
        link = self._store_link(url, {
            "title": title,
            "description": f"{title}, as described on {host}: simple, sturdy and loved by "
                           "its buyers.",
            "image_urls": images, "video_urls": [],
            "reviews": "4.6 out of 5 stars (128 reviews)",
            "logo_url": media.media_url(self.base_url, "links", "logo.png")})
        return Response(201, copy.deepcopy(link))

    def _link_with_params(self, call: Call) -> Response:
        details = validate_fields(LINK_PARAM_FIELDS, self._object_body(call))
        _check_link_media(details)
        self._charge_link()
        return Response(200, copy.deepcopy(self._store_link(None, details)))

    def _get_link(self, call: Call) -> Response:
        return Response(200, copy.deepcopy(self._find_link(call.args[0])))

    def _put_link(self, call: Call) -> Response:
        link = self._find_link(call.args[0])
        changes = validate_fields(LINK_PARAM_FIELDS, self._object_body(call))
        details = {**link["link"], **changes}
        _check_link_media(details)
        link["link"] = details
        return Response(200, copy.deepcopy(link))

    def _list_links(self, call: Call) -> Response:
        return Response(200, copy.deepcopy(list(reversed(self._links.values()))))

    # ---- handlers: free endpoints and control ----------------------------------------------

    def _remaining_credits(self, call: Call) -> Response:
        return Response(200, {"remaining_credits": json_number(self._balance)})

    def _personas_v2(self, call: Call) -> Response:
        found = personas(self.base_url)
        for name in ("gender", "age_range", "style"):
            wanted = call.param(name)
            if wanted:
                found = [p for p in found if p[name].lower() == wanted.lower()]
        return Response(200, found)

    def _asset_schemas(self, call: Call) -> Response:
        names = call.param("model_name")
        models = (list(ASSET_MODELS.values()) if not names else
                  [ASSET_MODELS[n] for n in (s.strip() for s in names.split(","))
                   if n in ASSET_MODELS])
        return Response(200, [m.schema() for m in models])

    def _control_state(self, call: Call) -> Response:
        counts = {key: len(jobs) for key, jobs in self._jobs.items()}
        counts[res.LINKS.key] = len(self._links)
        return Response(200, {"balance": json_number(self._balance), "jobs": counts,
                              "creates": len(self._create_log), "speed": self.speed})

    def _control_faults(self, call: Call) -> Response:
        return Response(200, asdict(self._faults))

    def _control_set_faults(self, call: Call) -> Response:
        if not isinstance(call.body, dict):
            raise ApiError(400, {"detail": "Expected a JSON object of fault settings."})
        try:
            self._faults = self._faults.updated(call.body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, {"detail": str(exc)}) from None
        return Response(200, asdict(self._faults))

    def _control_creates(self, call: Call) -> Response:
        return Response(200, [asdict(record) for record in self._create_log])


def _created_id(response: Response) -> str | None:
    """The id of the job or link a paid POST made, if it made one."""
    if not 200 <= response.status < 300:
        return None
    body = response.events[-1] if response.events else response.body
    job_id = body.get("id") if isinstance(body, dict) else None
    return job_id if isinstance(job_id, str) else None


def _format_progress(form: ProgressForm, scale: int, progress: float) -> str | int | float:
    if scale == 100:
        value: int | float = int(progress * 100)
    else:
        value = round(progress, 2)
    if form is ProgressForm.STRING:
        return format(value, "g")
    return value
