"""The vocabulary of a generator spec: fields, duration sources, flows, result kinds.

A :class:`GeneratorSpec` is the single source of truth about one billing row: the form the
UI builds, the validation it runs, the request body the client sends, the billing rule and
billed length the estimator uses, and the resource the ledger polls.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from app.api.resources import Resource
from app.pricing import PriceRequest

DEFAULT_WPM = 150
"""Words per minute used to turn a script into seconds (a setting in the app)."""

MAX_URL_LENGTH = 2048
MAX_CHOICE_LENGTH = 200  # an open choice (a style, a language…) typed by hand
LINK_RULE = "links"  # the billing rule of making a Link from a product page
MAX_BILLED_SECONDS = 4 * 3600

Values = Mapping[str, Any]


class SpecError(ValueError):
    """The form values do not make a valid request; ``errors`` maps field -> message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    URL = "url"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    UUID = "uuid"
    PERSONA = "persona"          # avatar picker over /api/personas/
    ACCENT = "accent"            # voice/accent picker over /api/voices/
    MUSIC = "music"              # music picker over /api/musics/ (value: a URL)
    SCENES = "scenes"            # AI Avatar v2 scene list
    VARIABLES = "variables"      # Custom Template variables editor
    SCHEMA_FORM = "schema_form"  # Asset Generator input_params from a JSON Schema
    TEMPLATE = "template"        # a Custom Template id, picked from /api/custom_templates/


class DurationKind(StrEnum):
    CHOICE = "choice"    # a chosen length field (e.g. video_length)
    SCRIPT = "script"    # words of a script at words-per-minute
    MEDIA = "media"      # the length of an audio/video input, entered by the user
    NONE = "none"        # not priced by time


class Flow(StrEnum):
    CREATE = "create"                  # one paid request, then poll
    PREVIEW_RENDER = "preview_render"  # a cheap preview, then a render of it
    COMPARE_STYLES = "compare_styles"  # previews of several visual styles, render one
    REGENERATE = "regenerate"          # a new job from a finished one (Product Video regen_*)


class Action(StrEnum):
    """Which client call submits this generator."""

    CREATE = "create"
    GEN_IMAGE = "gen_image"
    GEN_VIDEO = "gen_video"
    TEXT_GENERATE = "text_generate"
    CREATE_LINK = "create_link"


class ResultKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IMAGE = "image"
    TEXT = "text"
    LINK = "link"
    ASSET = "asset"  # image or video, per model


@dataclass(frozen=True, slots=True)
class Choice:
    value: Any
    label: str


def choices(*values: Any, labels: Mapping[Any, str] | None = None) -> tuple[Choice, ...]:
    labels = labels or {}
    return tuple(Choice(v, labels.get(v, str(v))) for v in values)


_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                      r"[0-9a-fA-F]{12}$")


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable public http(s) URL, or ``None``."""
    text = value.strip()
    if len(text) > MAX_URL_LENGTH:
        return f"URL is too long ({len(text)} characters; at most {MAX_URL_LENGTH})."
    if any(c.isspace() for c in text):
        return "URL must not contain spaces."
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return "Not a valid URL."
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        return f"URL must start with http:// or https:// (got {shown})."
    if not host:
        return "URL has no host name."
    return None


def _scalar(value: Any) -> bool:
    """A value a choice can be: text or a number (not a list, a mapping, or anything odd)."""
    return isinstance(value, str | int | float | Decimal)


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut for a message that echoes user input (a huge input is not repeated)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0) \
        or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a generator form."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    default: Any = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    max_items: int | None = None
    min_items: int | None = None
    help: str = ""
    wire: str | None = None       # body key when it differs from ``name``; "" = not sent as is
    advanced: bool = False
    open_choices: bool = False    # the choice list is a suggestion; other values allowed
    flows: tuple[Flow, ...] = ()  # only asked for (and checked) in these flows; () = all

    def applies_to(self, flow: Flow) -> bool:
        return not self.flows or flow in self.flows

    @property
    def wire_name(self) -> str:
        return self.name if self.wire is None else self.wire

    def validate(self, value: Any) -> str | None:
        """A user-facing message if ``value`` is not acceptable, else ``None``."""
        if is_empty(value):
            return "This field is required." if self.required else None
        kind = self.kind
        if kind in (FieldKind.TEXT, FieldKind.MULTILINE, FieldKind.UUID, FieldKind.PERSONA,
                    FieldKind.ACCENT, FieldKind.TEMPLATE):
            if not isinstance(value, str):
                return "Expected text."
            if self.max_length is not None and len(value) > self.max_length:
                return f"Too long: {len(value):,} characters (at most {self.max_length:,})."
            if kind in (FieldKind.UUID, FieldKind.TEMPLATE) and not _UUID_RE.match(value.strip()):
                return "Expected an id like 3f2a…-…-…-…-… (a UUID)."
            return None
        if kind in (FieldKind.URL, FieldKind.MUSIC):
            if not isinstance(value, str):
                return "Expected a URL."
            if self.max_length is not None and len(value.strip()) > self.max_length:
                return (f"URL is too long ({len(value.strip()):,} characters; Creatify takes at "
                        f"most {self.max_length:,} here).")
            return url_problem(value)
        if kind in (FieldKind.INT, FieldKind.FLOAT):
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                return "Expected a number."
            if isinstance(value, Decimal) and not value.is_finite():
                return "Expected a finite number."
            try:
                number = float(value)
            except OverflowError:
                return "Expected a finite number."
            if math.isnan(number) or math.isinf(number):
                return "Expected a finite number."
            if kind is FieldKind.INT and number != int(number):
                return "Expected a whole number."
            if self.minimum is not None and number < self.minimum:
                return f"At least {self.minimum:g}."
            if self.maximum is not None and number > self.maximum:
                return f"At most {self.maximum:g}."
            return None
        if kind is FieldKind.BOOL:
            return None if isinstance(value, bool) else "Expected yes or no."
        if kind is FieldKind.CHOICE:
            if not _scalar(value):
                return f"Choose one of: {', '.join(c.label for c in self.choices)}."
            if isinstance(value, str) and len(value) > MAX_CHOICE_LENGTH:
                return f"Too long: {len(value):,} characters (at most {MAX_CHOICE_LENGTH})."
            if self.open_choices or value in {c.value for c in self.choices}:
                return None
            return f"Choose one of: {', '.join(c.label for c in self.choices)}."
        if kind is FieldKind.MULTI_CHOICE:
            if not isinstance(value, list | tuple):
                return "Expected a list."
            if self.max_items is not None and len(value) > self.max_items:
                return f"Choose at most {self.max_items}."
            if self.min_items is not None and len(value) < self.min_items:
                return f"Choose at least {self.min_items}."
            if not all(_scalar(v) for v in value):
                return "Expected a list of choices."
            if any(isinstance(v, str) and len(v) > MAX_CHOICE_LENGTH for v in value):
                return f"A choice is too long (at most {MAX_CHOICE_LENGTH} characters)."
            allowed = {c.value for c in self.choices}
            bad = [v for v in value if v not in allowed]
            if bad and not self.open_choices:
                return f"Unknown choice: {clip(str(bad[0]))}."
            return None
        if kind is FieldKind.SCENES:
            if not isinstance(value, list | tuple):
                return "Expected a list of scenes."
            if self.max_items is not None and len(value) > self.max_items:
                return f"At most {self.max_items} scenes."
            return None
        if kind in (FieldKind.VARIABLES, FieldKind.SCHEMA_FORM):
            return None if isinstance(value, Mapping) else "Expected a set of values."
        return None


@dataclass(frozen=True, slots=True)
class DurationSource:
    """Where the billed length comes from, before the job has run."""

    kind: DurationKind
    field: str | None = None
    default_seconds: float | None = None
    label: str = "Length"
    maximum: float = MAX_BILLED_SECONDS
    note: str = ""


def count_words(text: str) -> int:
    return len(text.split())


def script_seconds(text: str, wpm: int = DEFAULT_WPM) -> float:
    """Seconds a script takes to speak at ``wpm`` words per minute (whole seconds, >= 1)."""
    if wpm <= 0:
        raise ValueError("words per minute must be positive")
    words = count_words(text)
    return float(max(1, math.ceil(words * 60 / wpm))) if words else 0.0


@dataclass(frozen=True)
class GeneratorSpec:
    """Everything the app knows about one generator."""

    key: str
    title: str
    billing_row: str
    resource: Resource
    fields: tuple[Field, ...]
    duration: DurationSource
    price_rule: str
    result_kind: ResultKind
    expected_seconds: float
    action: Action = Action.CREATE
    flows: tuple[Flow, ...] = (Flow.CREATE,)
    deprecated: bool = False
    description: str = ""
    model_field: str | None = None
    build: Callable[[Values], dict[str, Any]] | None = None
    check: Callable[[Values], dict[str, str]] | None = None
    price_details: Callable[[Values], dict[str, Any]] | None = None
    script_fields: tuple[str, ...] = field(default=())
    makes_link: bool = False  # takes a product URL and makes its Link first (1 credit)
    # Flow.PREVIEW_RENDER through the documented asynchronous preview (``preview_async/``,
    # answers at once) instead of the synchronous ``preview/`` that may outlast a timeout.
    preview_async: bool = False
    # Product pages dropped on the window or imported in a batch: the field a URL fills
    # (None: this generator takes no batches) and the settings a batch shares across rows.
    url_field: str | None = None
    batch_fields: tuple[str, ...] = ()
    # Flow.REGENERATE: the billing rule of a regeneration (a new job from a finished one).
    regen_price_rule: str | None = None
    # The longest billed length these values allow (e.g. Aurora's audio per model); None: the
    # duration source's fixed maximum.
    duration_limit: Callable[[Values], float] | None = None

    # ------------------------------------------------------------------ fields and values

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.key} has no field {name!r}")

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields if f.default is not None}

    def validate(self, values: Values, flow: Flow = Flow.CREATE) -> dict[str, str]:
        """Field name -> message for every problem (``""`` for the form as a whole). Fields
        that belong to other flows are not checked."""
        errors: dict[str, str] = {}
        for f in self.fields:
            if not f.applies_to(flow):
                continue
            message = f.validate(values.get(f.name))
            if message:
                errors[f.name] = message
        if self.check is not None:
            for name, message in self.check(values).items():
                errors.setdefault(name, message)
        return errors

    def build_body(self, values: Values, flow: Flow = Flow.CREATE) -> dict[str, Any]:
        """The JSON body for the paid request; :class:`SpecError` if the values are invalid."""
        errors = self.validate(values, flow)
        if errors:
            raise SpecError(errors)
        if self.build is not None:
            return self.build(values)
        return plain_body([f for f in self.fields if f.applies_to(flow)], values)

    # ------------------------------------------------------------------ length and price

    def timed(self, flow: Flow = Flow.CREATE) -> bool:
        """True when this flow is priced by a length (a regeneration is a flat price)."""
        return self.duration.kind is not DurationKind.NONE and flow is not Flow.REGENERATE

    def max_seconds(self, values: Values) -> float:
        """The longest length these values allow (the duration control's maximum)."""
        if self.duration_limit is not None:
            return min(self.duration_limit(values), self.duration.maximum)
        return self.duration.maximum

    def derive_seconds(self, values: Values, wpm: int = DEFAULT_WPM) -> float | None:
        """The billed length implied by the form (before any user override), or ``None``."""
        source = self.duration
        if source.kind is DurationKind.CHOICE and source.field:
            value = values.get(source.field)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            return source.default_seconds
        if source.kind is DurationKind.SCRIPT:
            text = " ".join(str(t) for t in self.script_texts(values))
            seconds = script_seconds(text, wpm)
            return seconds if seconds > 0 else source.default_seconds
        if source.kind is DurationKind.MEDIA:
            return source.default_seconds
        return None

    def with_page(self, values: Values, url: str, link_id: str | None = None) -> dict[str, Any]:
        """``values`` with a product page filled in: its ``url_field``, or — once a Link was
        made from that page — the Link's id instead (so it is not made again)."""
        if self.url_field is None:
            raise SpecError({"": f"{self.title} does not take a product page."})
        page = {**values}
        if self.makes_link and link_id:
            page.update({self.url_field: None, "link": link_id})
        else:
            page[self.url_field] = url
            if self.makes_link:
                page["link"] = None
        return page

    def needs_link(self, values: Values) -> bool:
        """True when the form gives a product URL and no Link id: a Link is made first."""
        return self.makes_link and is_empty(values.get("link")) \
            and not is_empty(values.get("product_url"))

    @staticmethod
    def style_count(values: Values) -> int:
        """How many visual styles the compare-styles flow would preview."""
        styles = values.get("visual_styles")
        return len(styles) if isinstance(styles, list | tuple) else 0

    def script_texts(self, values: Values) -> list[str]:
        """The spoken texts in the form (scenes included)."""
        texts: list[str] = []
        for name in self.script_fields:
            value = values.get(name)
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list | tuple):
                texts.extend(str(s.get("input_text", "")) for s in value if isinstance(s, Mapping))
        return texts

    def price_requests(self, values: Values, seconds: float | None,
                       flow: Flow = Flow.CREATE) -> list[PriceRequest]:
        """What the estimator should price for this form and flow (one entry per paid call)."""
        details: dict[str, Any] = dict(self.price_details(values)) if self.price_details else {}
        if self.model_field and "model" not in details:
            model = values.get(self.model_field)
            details["model"] = model if isinstance(model, str) and model else None
        secs = Decimal(str(seconds)) if (self.timed(flow) and seconds is not None) else None
        link = [PriceRequest(LINK_RULE)] if self.needs_link(values) else []
        return link + self._job_price_requests(details, secs, values, flow)

    def _job_price_requests(self, details: dict[str, Any], secs: Decimal | None,
                            values: Values, flow: Flow) -> list[PriceRequest]:
        if flow is Flow.REGENERATE:
            if self.regen_price_rule is None:
                raise SpecError({"": f"{self.title} cannot be regenerated."})
            return [PriceRequest(self.regen_price_rule)]
        if flow is Flow.PREVIEW_RENDER:
            return [PriceRequest(self.price_rule, phase="preview", seconds=secs, **details),
                    PriceRequest(self.price_rule, phase="render", seconds=secs, **details)]
        if flow is Flow.COMPARE_STYLES:
            return [PriceRequest(self.price_rule, phase="preview", seconds=secs,
                                 count=max(1, self.style_count(values)), **details),
                    PriceRequest(self.price_rule, phase="render", seconds=secs, **details)]
        return [PriceRequest(self.price_rule, seconds=secs, **details)]


def plain_body(fields: Sequence[Field], values: Values) -> dict[str, Any]:
    """Each non-empty field under its wire name; text is stripped."""
    body: dict[str, Any] = {}
    for f in fields:
        if f.wire == "":
            continue
        value = values.get(f.name)
        if is_empty(value):
            continue
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, tuple):
            value = list(value)
        body[f.wire_name] = value
    return body
