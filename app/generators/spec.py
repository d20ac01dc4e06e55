"""The vocabulary of a generator spec: fields, duration sources, flows, result kinds.

A :class:`GeneratorSpec` is the single source of truth about one billing row: the form the
UI builds, the validation it runs, the request body the client sends, the billing rule and
billed length the estimator uses, the resource the ledger polls, and how the spending view
reads its charge (refunded on failure, billed by tokens). The words it is written in live in
small private modules (``_vocab``: kinds and flows; ``_fields``: a form field and its
validators) and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.api.resources import Resource
from app.generators._fields import (
    MAX_CHOICE_LENGTH,
    MAX_URL_LENGTH,
    VALIDATORS,
    Field,
    Validator,
    clip,
    is_empty,
    url_problem,
)
from app.generators._vocab import (
    Action,
    Choice,
    DurationKind,
    FieldKind,
    Flow,
    ResultKind,
    SpecError,
    Values,
    choices,
)
from app.pricing import PriceRequest

DEFAULT_WPM = 150
"""Words per minute used to turn a script into seconds (a setting in the app)."""

MAX_BILLED_SECONDS = 4 * 3600


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
    # The create flow's price requests when one form is priced as several (an asset model's
    # per-output cell × outputs, plus a reference-input surcharge): replaces ``price_rule``,
    # ``model_field`` and ``price_details`` for that flow.
    price_list: Callable[[Values], list[PriceRequest]] | None = None
    # What names a job in the Jobs panel when ``title_fields`` cannot say it (the asset
    # model's title and the prompt's start).
    describer: Callable[[Values], str] | None = None
    script_fields: tuple[str, ...] = field(default=())
    # A Link made first from a product page: the spec that makes it (its price comes first in
    # the estimate) and the field that then carries the Link's id; ``url_field`` is the page.
    link_maker: GeneratorSpec | None = None
    link_field: str | None = None
    # Flow.PREVIEW_RENDER through the documented asynchronous preview (``preview_async/``,
    # answers at once) instead of the synchronous ``preview/`` that may outlast a timeout.
    preview_async: bool = False
    # Product pages dropped on the window or imported in a batch: the field a URL fills
    # (None: this generator takes no batches) and the settings a batch shares across rows.
    url_field: str | None = None
    batch_fields: tuple[str, ...] = ()
    # The fields whose text names a job in the Jobs panel (the first one filled in wins; else
    # the first scene's script, else the title).
    title_fields: tuple[str, ...] = ()
    # Where a drop of product pages (or a batch) goes when the tab showing takes none.
    default_page_target: bool = False
    # Flow.COMPARE_STYLES: the single style the other flows send, replaced by the list of
    # styles to preview.
    style_field: str | None = None
    styles_field: str | None = None
    # Flow.REGENERATE and Action.GEN_VIDEO: the field naming the finished job to start from.
    source_field: str | None = None
    # Flow.REGENERATE: the billing rule of a regeneration (a new job from a finished one).
    regen_price_rule: str | None = None
    # The longest billed length these values allow (e.g. Aurora's audio per model); None: the
    # duration source's fixed maximum.
    duration_limit: Callable[[Values], float] | None = None
    # How Creatify charges it, for the spending view: charged up front and refunded in full
    # when the job fails or is rejected (Aurora pricing) — always, or when the request's
    # ``model_field`` names a model starting with one of ``refund_models``; billed by tokens
    # (no estimate: the charge is known only after the run, as ``credits_used``).
    refunded_on_failure: bool = False
    refund_models: tuple[str, ...] = ()
    billed_by_tokens: bool = False

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

    @property
    def makes_link(self) -> bool:
        """Takes a product page and makes its Link first (a paid job of ``link_maker``)."""
        return self.link_maker is not None and self.link_field is not None

    def with_page(self, values: Values, url: str, link_id: str | None = None) -> dict[str, Any]:
        """``values`` with a product page filled in: its ``url_field``, or — once a Link was
        made from that page — the Link's id instead (so it is not made again)."""
        if self.url_field is None:
            raise SpecError({"": f"{self.title} does not take a product page."})
        page = {**values}
        if self.link_field is not None and self.makes_link and link_id:
            page.update({self.url_field: None, self.link_field: link_id})
        else:
            page[self.url_field] = url
            if self.link_field is not None and self.makes_link:
                page[self.link_field] = None
        return page

    def needs_link(self, values: Values) -> bool:
        """True when the form gives a product URL and no Link id: a Link is made first."""
        return self.makes_link and self.url_field is not None \
            and is_empty(values.get(self.link_field or "")) \
            and not is_empty(values.get(self.url_field))

    def link_values(self, values: Values) -> dict[str, Any]:
        """The form of ``link_maker`` that makes the Link of this form's product page."""
        if self.link_maker is None or self.link_maker.url_field is None \
                or self.url_field is None:
            raise SpecError({"": f"{self.title} makes no Link."})
        return {self.link_maker.url_field: values[self.url_field]}

    def with_link(self, values: Values, link_id: str) -> dict[str, Any]:
        """``values`` with the Link's id filled in (the page it was made from stays)."""
        if self.link_field is None:
            raise SpecError({"": f"{self.title} takes no Link."})
        return {**values, self.link_field: link_id}

    def style_count(self, values: Values) -> int:
        """How many visual styles the compare-styles flow would preview."""
        styles = values.get(self.styles_field) if self.styles_field else None
        return len(styles) if isinstance(styles, list | tuple) else 0

    def with_styles(self, values: Values, styles: Sequence[str]) -> dict[str, Any]:
        """``values`` asking to compare ``styles`` (the compare-styles flow)."""
        if self.styles_field is None:
            raise SpecError({"": f"{self.title} has no styles to compare."})
        return {**values, self.styles_field: list(styles)}

    def source_job(self, values: Values) -> str:
        """The id of the finished job a regeneration (or a video from an image) starts from."""
        if self.source_field is None:
            raise SpecError({"": f"{self.title} does not start from a finished job."})
        return str(values[self.source_field]).strip()

    def describe(self, values: Values) -> str:
        """What was asked, in a few words, for the Jobs panel (a product URL, a script's
        start…)."""
        if self.describer is not None:
            return self.describer(values)
        texts = [values.get(name) for name in self.title_fields]
        for f in self.fields:  # a list of scenes: the first one's script
            scenes = values.get(f.name) if f.kind is FieldKind.SCENES else None
            if isinstance(scenes, list) and scenes and isinstance(scenes[0], Mapping):
                texts.append(scenes[0].get("input_text", ""))
        for value in texts:
            if isinstance(value, str) and value.strip():
                return clip(" ".join(value.split()))
        return self.title

    def values_from_request(self, request: Values) -> dict[str, Any]:
        """The form values a sent request body holds (fields sent under their wire names)."""
        return {f.name: request[f.wire_name] for f in self.fields
                if f.wire != "" and f.wire_name in request}

    def refunds_on_failure(self, request: Values) -> bool:
        """Charged up front and refunded in full if the job fails: always for this spec, or
        because ``request`` asks for a model priced that way."""
        if self.refunded_on_failure:
            return True
        model = request.get(self.model_field) if self.model_field else None
        return bool(self.refund_models) and isinstance(model, str) \
            and model.startswith(self.refund_models)

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
        if self.price_list is not None and flow is Flow.CREATE:
            return self.price_list(values)
        details: dict[str, Any] = dict(self.price_details(values)) if self.price_details else {}
        if self.model_field and "model" not in details:
            model = values.get(self.model_field)
            details["model"] = model if isinstance(model, str) and model else None
        secs = Decimal(str(seconds)) if (self.timed(flow) and seconds is not None) else None
        link = [PriceRequest(self.link_maker.price_rule)] \
            if self.link_maker is not None and self.needs_link(values) else []
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


__all__ = [
    "DEFAULT_WPM", "MAX_BILLED_SECONDS", "MAX_CHOICE_LENGTH", "MAX_URL_LENGTH", "VALIDATORS",
    "Action", "Choice", "DurationKind", "DurationSource", "Field", "FieldKind", "Flow",
    "GeneratorSpec", "ResultKind", "SpecError", "Validator", "Values", "choices", "clip",
    "count_words", "is_empty", "plain_body", "script_seconds", "url_problem",
]
