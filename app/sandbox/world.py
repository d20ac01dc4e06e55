"""The Creatify simulator's state: jobs, clock, balance, faults and routing.

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

The rules it applies live beside it: ``wire`` (requests, responses, errors, faults),
``validation`` (field and body checks), ``catalogue`` (catalogues, asset models, generated
content), ``jobs`` (runs, jobs, outputs), ``billing`` (prices and billed lengths: the
sandbox's own reading of the billing page, which deliberately does not import
``app.pricing``) and ``behaviours`` (the table of what differs between resources). Money is
:class:`~decimal.Decimal`; it goes out as a JSON int when whole.

Routes are exactly the documented operations (``resources/creatify-openapi.json``) of the
resources the app uses, plus ``/_sandbox/`` control. A preview runs a short pass; when it is
ready ``preview`` (or ``previews[]``) is filled and, with the ``preview_pending`` quirk on,
the status reads ``pending`` again; the render is a second pass on the same job id.
:class:`~app.sandbox.wire.DocsQuirks` holds the docs' other awkward readings.

Thread safety: one :class:`threading.Lock` (``World.lock``) guards all state and the one
``random.Random``; public methods take it. Nothing here sleeps: a :class:`Response` carries
``delay`` / ``event_interval`` for the HTTP layer to wait outside the lock.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.api import resources as res
from app.api.resources import ProgressForm, Resource
from app.sandbox import media
from app.sandbox.behaviours import (
    BEHAVIOURS,
    DEFAULT_FAILED_REASON,
    FAILED_REASONS,
    LINK_FIELDS,
    LINK_PARAM_FIELDS,
    PERSONA_FIELDS,
    PREVIEW_LIST_FIELDS,
    PRODUCT_IMAGE_FIELDS,
    PRODUCT_VIDEO_FIELDS,
    REGEN_IMAGE_FIELDS,
    REJECTED_REASON,
    TEMPLATE_RENDER_FIELDS,
    TEXT_GENERATOR_FIELDS,
    VOICE_CLONE_FIELDS,
)
from app.sandbox.billing import (
    REGEN_IMAGE_PRICE,
    REGEN_VIDEO_PRICE,
    billed_blocks,
    length_of,
    preview_price,
    product_video_price,
    render_price,
)
from app.sandbox.catalogue import (
    ASSET_MODELS,
    TEMPLATES,
    TEXT_MODELS,
    generated_scripts,
    music_categories,
    musics,
    personas,
    reply_text,
    stream_chunks,
    title_from_url,
    voices,
)
from app.sandbox.jobs import (
    ASSETS_OUTPUT,
    FAILED_AT,
    PREVIEW_TIME_SHARE,
    PRODUCT_VIDEO_RUN_TIME,
    REJECTED_AT,
    TEXT_OUTPUT,
    VIDEO_STEPS,
    Behaviour,
    Charge,
    Job,
    Run,
    Stage,
    Steps,
)
from app.sandbox.validation import (
    F,
    check_link_media,
    check_scrape,
    check_template,
    validate_fields,
)
from app.sandbox.wire import (
    INSUFFICIENT_CREDITS,
    INVALID_KEY,
    JSON_PARSE_ERROR,
    MISSING_CREDENTIALS,
    NOT_FOUND,
    PREVIEW_NOT_READY,
    REQUIRED,
    UNDOCUMENTED_STATUS,
    ApiError,
    Category,
    CreateRecord,
    DocsQuirks,
    FaultPlan,
    Faults,
    Request,
    Response,
    UploadedFile,
    category_of,
    decode_body,
    field_errors,
    general_error,
    iso,
    json_number,
    parse_body_leniently,
    text_error,
)

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
                 quirks: DocsQuirks | None = None,
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
        self._quirks = quirks if quirks is not None else DocsQuirks()
        self._personas: dict[str, dict[str, Any]] = {}
        self._voices: list[dict[str, Any]] = []
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
    def quirks(self) -> DocsQuirks:
        with self.lock:
            return self._quirks

    def set_quirks(self, **changes: Any) -> DocsQuirks:
        """Turn docs quirks on or off now; an unknown name raises ``TypeError``."""
        with self.lock:
            self._quirks = self._quirks.updated(changes)
            return self._quirks

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
            request.path, parse_body_leniently(request.body), job_id, status,
            self._epoch + self._clock()))

    # ---- routing ---------------------------------------------------------------------------

    def _build_routes(self) -> dict[int, list[Route]]:
        """Exactly the documented operations of the resources the app uses (plus the
        ``/_sandbox/`` control endpoints)."""
        B = BEHAVIOURS
        routes = [
            Route(("_sandbox", "state"), {"GET": self._control_state}, auth=False),
            Route(("_sandbox", "faults"),
                  {"GET": self._control_faults, "POST": self._control_set_faults}, auth=False),
            Route(("_sandbox", "quirks"),
                  {"GET": self._control_quirks, "POST": self._control_set_quirks},
                  auth=False),
            Route(("_sandbox", "creates"), {"GET": self._control_creates}, auth=False),
            Route(("api", "remaining_credits"), {"GET": self._remaining_credits}),
            # catalogues
            Route(("api", "personas"), {"GET": self._list_personas,
                                        "POST": self._create_persona}),
            Route(("api", "personas", "paginated"), {"GET": self._personas_paginated}),
            Route(("api", "personas", _ANY), {"GET": self._get_persona}),
            Route(("api", "personas_v2"), {"GET": self._list_personas,
                                           "POST": self._create_persona_v2}),
            Route(("api", "voices"), {"GET": self._list_voices, "POST": self._clone_voice}),
            Route(("api", "voices", "paginated"), {"GET": self._voices_paginated}),
            Route(("api", "voices", "accents", _ANY), {"DELETE": self._delete_accent}),
            Route(("api", "musics"), {"GET": self._musics}),
            Route(("api", "music_categories"),
                  {"GET": lambda c: Response(200, music_categories())}),
            Route(("api", "custom_templates"), {"GET": self._list_templates}),
            Route(("api", "custom_templates", _ANY), {"GET": self._get_template}),
            Route(("api", "custom_templates", "preview"),
                  {"POST": self._bind(self._preview, B["custom_templates"])}, paid=True),
            Route(("api", "custom_templates", _ANY, "render"),
                  {"POST": self._bind(self._render, B["custom_templates"])}, paid=True),
            Route(("api", "asset_generator", "schemas"), {"GET": self._asset_schemas}),
            # links
            Route(("api", "links"), {"GET": self._list_links, "POST": self._create_link},
                  paid=True),
            Route(("api", "links", "link_with_params"), {"POST": self._link_with_params},
                  paid=True),
            Route(("api", "links", _ANY), {"GET": self._get_link, "PUT": self._put_link}),
            # actions beyond create/preview/render
            Route(("api", "link_to_videos", "preview_list_async"),
                  {"POST": self._preview_list}, paid=True),
            Route(("api", "link_to_videos", _ANY, "render_single_preview"),
                  {"POST": self._render_single_preview}, paid=True),
            Route(("api", "lipsyncs", "multi_avatar"),
                  {"POST": self._bind(self._create, B["lipsyncs_v2"])}, paid=True),
            Route(("api", "custom_template_jobs", "preview_async"),
                  {"POST": self._bind(self._preview_async, B["custom_template_jobs"])},
                  paid=True),
            Route(("api", "product_to_videos"),
                  {"GET": self._bind(self._list_jobs, B["product_to_videos"])}),
            Route(("api", "product_to_videos", _ANY),
                  {"GET": self._bind(self._get_job, B["product_to_videos"])}),
            Route(("api", "product_to_videos", "gen_image"),
                  {"POST": self._bind(self._create, B["product_to_videos"])}, paid=True),
            Route(("api", "product_to_videos", _ANY, "gen_video"), {"POST": self._gen_video},
                  paid=True),
            Route(("api", "product_to_videos", _ANY, "regen_image"),
                  {"POST": self._regen_image}, paid=True),
            Route(("api", "product_to_videos", _ANY, "regen_video"),
                  {"POST": self._regen_video}, paid=True),
            # the Text Generator: /sse/ (its reference pages) and the /api/ fallback read
            Route(("sse", "text_generator"),
                  {"GET": self._bind(self._list_jobs, B["text_generator"]),
                   "POST": self._text_generate}, paid=True, text_errors=True),
            Route(("sse", "text_generator", "stream"), {"POST": self._text_stream}, paid=True,
                  text_errors=True),
            Route(("sse", "text_generator", _ANY),
                  {"GET": self._bind(self._get_job, B["text_generator"])}),
            Route(("api", "text_generator", _ANY),
                  {"GET": self._bind(self._get_job, B["text_generator"])}),
            Route(("api", "ai_scripts"), {"GET": self._bind(self._list_jobs, B["ai_scripts"]),
                                          "POST": self._create_ai_scripts}, paid=True),
            Route(("api", "ai_scripts", _ANY),
                  {"GET": self._bind(self._get_job, B["ai_scripts"])}),
        ]
        for key in ("link_to_videos", "lipsyncs", "lipsyncs_v2", "aurora",
                    "custom_template_jobs", "asset_generator", "text_to_speech", "ai_shorts",
                    "ai_editing", "ads_clone"):
            b = B[key]
            routes.append(Route(("api", key), {"GET": self._bind(self._list_jobs, b),
                                               "POST": self._bind(self._create, b)},
                                paid=True))
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

    def served_operations(self) -> set[tuple[str, str]]:
        """(METHOD, path template with ``{id}``) of every route, control endpoints included."""
        return {(method, "/" + "/".join("{id}" if p == _ANY else p
                                        for p in route.segments) + "/")
                for routes in self._routes.values() for route in routes
                for method in route.handlers}

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
                body = decode_body(request)
            except (ValueError, UnicodeDecodeError):
                raise (text_error(JSON_PARSE_ERROR) if route.text_errors
                       else general_error(JSON_PARSE_ERROR)) from None
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
        return iso(self._epoch + clock_time)

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _owner_length(self, owner: str) -> Decimal | None:
        job = self._by_id.get(owner) or self._media_jobs.get(owner)
        return job.length if job is not None else None

    @staticmethod
    def _insufficient(text_errors: bool = False) -> ApiError:
        return (text_error(INSUFFICIENT_CREDITS) if text_errors
                else general_error(INSUFFICIENT_CREDITS))

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
                return "rejected", REJECTED_REASON, REJECTED_AT
            return "failed", REJECTED_REASON, REJECTED_AT
        if self._roll(f.fail_rate):
            return ("failed", FAILED_REASONS.get(resource.key, DEFAULT_FAILED_REASON),
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
        job.fields["failed_reason"] = b.no_reason
        self._set_status(job, run.steps[0][1], now)
        self._sync(job, now)

    def _set_status(self, job: Job, status: str, at: float) -> None:
        if status == job.status:
            return
        job.status = status
        job.updated = at

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
        outcome = run.outcome
        if run.reason is None:
            if run.charge is not Charge.GRADUAL:
                job.credits += run.cost
            self._charge(job, run, run.cost - run.charged)
            job.progress = 1.0
            self._complete(job, run.stage)
            if run.stage in (Stage.PREVIEW, Stage.PREVIEW_LIST) and self._quirks.preview_pending:
                outcome = "pending"  # the docs: a ready preview reads "pending" again
        else:
            job.progress = run.progress_at(run.end)
            self._reserved -= run.cost - run.charged
            self._balance += run.charged  # refund (Aurora's up-front charge, Ad Clone's parts)
            if run.charge is Charge.GRADUAL:
                job.credits -= run.charged
            job.fields["failed_reason"] = run.reason
        self._set_status(job, outcome, run.end)

    def _complete(self, job: Job, stage: Stage) -> None:
        """A successful run's effect on the wire object."""
        url = self.base_url
        match stage:
            case Stage.PREVIEW:
                job.fields["preview"] = f"{url}/preview/{job.id}/"
                if "editor_url" in job.fields:
                    job.fields["editor_url"] = f"{url}/preview/{job.id}/?editor=1"
                job.awaiting_render = True
            case Stage.PREVIEW_LIST:
                job.fields["previews"] = [
                    {**p, "url": f"{url}/preview/{p['media_job']}/",
                     "editor_url": f"{url}/preview/{p['media_job']}/?editor=1",
                     "duration": job.fields["duration"]}
                    for p in job.previews]
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
        fields_["failed_reason"] = b.no_reason
        fields_.update(copy.deepcopy(dict(b.extra)))
        if "media_job" in fields_:
            fields_["media_job"] = self._new_id()
        length = b.length(self, body) if b.length is not None else None
        if b.resource.has_credits_used:
            fields_["credits_used"] = 0
            if length is not None:
                fields_["duration"] = math.ceil(length)
        if b.resource is res.ASSET_GENERATOR:
            model = ASSET_MODELS[body["model_name"]]
            fields_["gen_type"] = model.generation_type
            fields_["output_nums"] = model.outputs(body["input_params"])
            fields_["duration"] = int(body["input_params"].get("duration", 0))
        fields_["created_at"] = self._wall(now)
        fields_["updated_at"] = fields_["created_at"]
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
            if job.resource is res.ASSET_GENERATOR and self._quirks.asset_credits_string:
                out["credits_used"] = str(out["credits_used"])
        if job.resource is res.AI_SCRIPTS and not self._quirks.scripts_as_string:
            out["generated_scripts"] = [
                {**script, "paragraphs": script["paragraphs"].split("\n\n")}
                for script in out.get("generated_scripts") or []]
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
            raise general_error("Invalid data. Expected a dictionary, but got "
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
        ignores_ids = b.resource.key == "ads_clone" and self._quirks.ads_clone_ignores_ids
        if raw_ids is not None and not ignores_ids:
            ids = [i for i in (part.strip() for part in raw_ids.split(",")) if i]
            if len(ids) > res.MAX_IDS_PER_LIST:
                raise general_error(f"Too many ids: at most {res.MAX_IDS_PER_LIST}.")
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
        blocks = billed_blocks(length_of(job), 5) if b.charge is Charge.GRADUAL else 1
        self._start_run(job, Stage.CREATE, call.now, cost=cost, blocks=blocks)
        return Response(201, self._wire(job, call.now))

    def _preview(self, b: Behaviour, call: Call) -> Response:
        """``POST .../preview/``: 200 with the job; ``preview`` is filled when it is ready
        (custom_template_jobs' and the legacy templates' preview is synchronous)."""
        job = self._start_preview(b, call)
        if b.resource.key in ("custom_template_jobs", "custom_templates"):
            self._settle_now(job, call.now)
            return Response(200, self._wire(job, call.now),
                            delay=b.run_time * PREVIEW_TIME_SHARE / self.speed)
        return Response(200, self._wire(job, call.now))

    def _preview_async(self, b: Behaviour, call: Call) -> Response:
        """``POST /api/custom_template_jobs/preview_async/``: 201, poll until ``preview``."""
        return Response(201, self._wire(self._start_preview(b, call), call.now))

    def _start_preview(self, b: Behaviour, call: Call) -> Job:
        body = self._validate(b, call)
        job = self._new_job(b, body, call.now, call.body)
        job.fields["preview"] = None
        cost = preview_price(job)
        self._ensure_credits(cost)
        self._register(job)
        self._start_run(job, Stage.PREVIEW, call.now, cost=cost,
                        base_time=b.run_time * PREVIEW_TIME_SHARE)
        return job

    def _render(self, b: Behaviour, call: Call) -> Response:
        job = self._find(b, call.args[0])
        body = self._object_body(call)
        if b.resource.key == "custom_template_jobs":
            # The docs' example repeats the job's fields: check them, keep the job's template.
            changes = validate_fields(TEMPLATE_RENDER_FIELDS, body)
            if changes.get("template_id") not in (None, job.body["template_id"]):
                raise field_errors({"template_id": ["Does not match this job's template."]})
            if changes.get("variables") is not None:
                check_template(self, {"template_id": job.body["template_id"],
                                      "variables": changes["variables"]})
            # The price was fixed by the preview: the template, its length and the model stay.
            kept = {k: v for k, v in changes.items()
                    if k in ("variables", "name", "webhook_url", "is_hidden")}
            job.body.update(kept)
            job.fields.update(kept)
        # A preview list has no single "preview": it renders through render_single_preview.
        if not job.awaiting_render or job.previews:
            raise general_error(PREVIEW_NOT_READY)
        return self._start_render(job, call.now)

    def _start_render(self, job: Job, now: float) -> Response:
        cost = render_price(job)
        self._ensure_credits(cost)
        self._start_run(job, Stage.RENDER, now, cost=cost)  # back to the first step
        return Response(200, self._wire(job, now))

    def _preview_list(self, call: Call) -> Response:
        b = BEHAVIOURS["link_to_videos"]
        body = self._validate(b, call, PREVIEW_LIST_FIELDS)
        styles = body.pop("visual_styles")
        ratios = body.pop("aspect_ratios", None) or [body["aspect_ratio"]]
        job = self._new_job(b, body, call.now, call.body)
        job.previews = [{"media_job": self._new_id(), "visual_style": style,
                         "aspect_ratio": ratio}
                        for style in styles for ratio in ratios]
        cost = preview_price(job) * len(job.previews)
        self._ensure_credits(cost)
        self._register(job)
        for preview in job.previews:
            self._media_jobs[preview["media_job"]] = job
        self._start_run(job, Stage.PREVIEW_LIST, call.now, cost=cost,
                        base_time=b.run_time * PREVIEW_TIME_SHARE)
        return Response(200, self._wire(job, call.now))

    def _render_single_preview(self, call: Call) -> Response:
        b = BEHAVIOURS["link_to_videos"]
        job = self._find(b, call.args[0])
        body = self._object_body(call)
        media_job = body.get("media_job")
        if not media_job:
            raise field_errors({"media_job": [REQUIRED]})
        chosen = next((p for p in job.previews if p["media_job"] == media_job), None)
        if chosen is None:
            raise field_errors({"media_job": [f'Invalid media job "{media_job}".']})
        if not job.awaiting_render:
            raise general_error(PREVIEW_NOT_READY)
        response = self._start_render(job, call.now)
        job.fields["visual_style"] = chosen["visual_style"]
        job.fields["aspect_ratio"] = chosen["aspect_ratio"]
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
        job.fields["generated_scripts"] = [
            {**script, "paragraphs": "\n\n".join(script["paragraphs"])}
            for script in generated_scripts(body)]
        return Response(201, self._wire(job, call.now))

    # ---- handlers: product video -----------------------------------------------------------

    def _gen_video(self, call: Call) -> Response:
        b = BEHAVIOURS["product_to_videos"]
        job = self._find(b, call.args[0])
        body = validate_fields(PRODUCT_VIDEO_FIELDS, self._object_body(call))
        if job.status != "image_generated" or job.run is not None:
            raise general_error("A video can only be generated from an image_generated "
                                f"record (this one is {job.status}).")
        return self._start_video(job, body, call.now, cost=product_video_price())

    def _start_video(self, job: Job, body: Mapping[str, Any], now: float, *,
                     cost: Decimal, new: bool = False) -> Response:
        """Run the video step on ``job`` (gen_video) or on a new record (regen_video)."""
        self._ensure_credits(cost)
        if new:
            self._register(job)
        job.body.update(body)
        job.fields.update(body)
        self._start_run(job, Stage.VIDEO, now, cost=cost, base_time=PRODUCT_VIDEO_RUN_TIME,
                        steps=VIDEO_STEPS, success="video_generated")
        return Response(200, self._wire(job, now))

    def _regen_image(self, call: Call) -> Response:
        """A NEW record from the source's inputs with another image (200, like the docs)."""
        b = BEHAVIOURS["product_to_videos"]
        source = self._find(b, call.args[0])
        image_inputs = {f.name for f in PRODUCT_IMAGE_FIELDS}
        body = {k: v for k, v in source.body.items() if k in image_inputs}
        body.update(validate_fields(REGEN_IMAGE_FIELDS, self._object_body(call)))
        job = self._new_job(b, body, call.now, source.fields)
        job.fields.update({"regen_type": "image", "regen_source_id": source.id})
        cost = REGEN_IMAGE_PRICE
        self._ensure_credits(cost)
        self._register(job)
        self._start_run(job, Stage.CREATE, call.now, cost=cost)
        return Response(200, self._wire(job, call.now))

    def _regen_video(self, call: Call) -> Response:
        """A NEW record with the source's image and a new video: 1 credit (200)."""
        b = BEHAVIOURS["product_to_videos"]
        source = self._find(b, call.args[0])
        if not source.fields.get("generated_photo_url"):
            raise general_error("The image of this record is not ready.")
        overrides = self._object_body(call)
        merged: dict[str, Any] = {k: source.body[k] for k in
                                  ("motion_style", "video_prompt", "webhook_url")
                                  if k in source.body}
        merged.update(overrides)
        video = validate_fields(PRODUCT_VIDEO_FIELDS, merged)
        job = self._new_job(b, dict(source.body), call.now, source.fields)
        job.fields.update({"generated_photo_url": source.fields["generated_photo_url"],
                           "regen_type": "video", "regen_source_id": source.id})
        return self._start_video(job, video, call.now, cost=REGEN_VIDEO_PRICE, new=True)

    # ---- handlers: text generator ----------------------------------------------------------

    def _text_body(self, call: Call) -> dict[str, Any]:
        body = call.body
        if not isinstance(body, dict):
            raise text_error("Request body must be a JSON object.")
        model = body.get("model_name")
        if not isinstance(model, str) or not model:
            raise text_error("model_name is required.")
        if model not in TEXT_MODELS:
            raise text_error(f"Unsupported model: {model}")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise text_error("messages is required: a non-empty list of {role, content}.")
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ("user", "model"):
                raise text_error(f'messages[{index}].role must be "user" or "model".')
            if not isinstance(message.get("content"), str):
                raise text_error(f"messages[{index}].content must be a string.")
        if not isinstance(body.get("system_instruction", ""), str | None):
            raise text_error("system_instruction must be a string.")
        if not isinstance(body.get("config", {}), dict | None):
            raise text_error("config must be an object.")
        if not isinstance(body.get("sync", False), bool):
            raise text_error("sync must be true or false.")
        out = {k: body[k] for k in TEXT_GENERATOR_FIELDS if body.get(k) is not None}
        out["messages"] = [{"role": m["role"], "content": m["content"]} for m in messages]
        out.setdefault("config", {})
        return out

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
        """Gemini-style chunks ``{"candidates": [{"content": {"parts": [{"text"}]}}]}``; the
        last also carries ``"creatify": {"id", "status", "credits_used", ...}``."""
        job = self._start_text(call)
        self._settle_now(job, call.now)
        wire = self._wire(job, call.now)
        creatify = {k: wire.get(k) for k in ("id", "status", "credits_used", "model_name",
                                             "failed_reason", "response_text",
                                             "created_at", "updated_at")}
        events: list[dict[str, Any]]
        if job.status == "done":
            events = [_gemini_chunk(chunk) for chunk in stream_chunks(job.answer)]
            last = _gemini_chunk("", finish=True)
            last["usageMetadata"] = {"totalTokenCount": _tokens(job)}
            last["creatify"] = creatify
            events.append(last)
        else:
            events = [{"creatify": creatify, "error": job.fields["failed_reason"]}]
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
                         **details},
                "credits_used": 1}
        self._links[link["id"]] = link
        return link

    def _create_link(self, call: Call) -> Response:
        body = validate_fields(LINK_FIELDS, self._object_body(call))
        url = body["url"]
        check_scrape(url)
        self._charge_link()
        title = title_from_url(url)
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
        check_link_media(details)
        self._charge_link()
        link = self._store_link(None, details)
        # The docs show both a Link and the flat fields: answer both (the top-level id is
        # the Link id).
        flat = {k: link["link"][k] for k in ("title", "description", "image_urls",
                                             "video_urls", "reviews", "logo_url")}
        return Response(200, copy.deepcopy({**link, **flat}))

    def _get_link(self, call: Call) -> Response:
        return Response(200, copy.deepcopy(self._find_link(call.args[0])))

    def _put_link(self, call: Call) -> Response:
        link = self._find_link(call.args[0])
        changes = validate_fields(LINK_PARAM_FIELDS, self._object_body(call))
        details = {**link["link"], **changes}
        check_link_media(details)
        link["link"] = details
        return Response(200, copy.deepcopy(link))

    def _list_links(self, call: Call) -> Response:
        return Response(200, copy.deepcopy(list(reversed(self._links.values()))))

    # ---- handlers: free endpoints and control ----------------------------------------------

    def _remaining_credits(self, call: Call) -> Response:
        return Response(200, {"remaining_credits": json_number(self._balance)})

    def _all_personas(self) -> list[dict[str, Any]]:
        return personas(self.base_url) + [copy.deepcopy(p) for p in self._personas.values()]

    def _list_personas(self, call: Call) -> Response:
        """``GET /api/personas/`` and ``/api/personas_v2/``: comma-separated filters."""
        found = self._all_personas()
        for name in ("age_range", "gender", "location", "style"):
            wanted = call.param(name)
            if wanted:
                allowed = {w.strip().lower() for w in wanted.split(",")}
                found = [p for p in found if str(p.get(name)).lower() in allowed]
        return Response(200, found)

    def _personas_paginated(self, call: Call) -> Response:
        return Response(200, self._paginated(call, self._all_personas()))

    def _paginated(self, call: Call, items: Sequence[Any]) -> dict[str, Any]:
        """DRF's ``{count, next, previous, results}``."""
        page = _page(call, items)
        base = f"{self.base_url}{call.request.path}?page_size={page.size}&page="
        return {"count": page.count,
                "next": f"{base}{page.number + 1}" if page.has_next else None,
                "previous": f"{base}{page.number - 1}" if page.number > 1 else None,
                "results": page.items}

    def _get_persona(self, call: Call) -> Response:
        found = next((p for p in self._all_personas() if p["id"] == call.args[0]), None)
        if found is None:
            raise ApiError(404, {"detail": "No Persona matches the given query."})
        return Response(200, found)

    def _store_persona(self, call: Call, body: dict[str, Any]) -> Response:
        """A custom avatar: stored as under review (``process_status`` ``pending``); the
        sandbox never finishes the review."""
        now = self._wall(call.now)
        pid = self._new_id()
        upload = body.get("lipsync_input")
        lipsync_url = (media.media_url(self.base_url, pid, "lipsync_input.mp4")
                       if isinstance(upload, UploadedFile) else upload)
        created = {"id": pid, "gender": body["gender"], "creator_name": body["creator_name"],
                   "video_scene": body.get("video_scene"), "keywords": body.get("keywords"),
                   "lipsync_input": lipsync_url, "consent_video": None,
                   "lipsync_input_url": lipsync_url, "labels": body.get("labels") or [],
                   "matching_voice_non_null": None, "process_status": "pending",
                   "failed_reason": None, "webhook_url": body.get("webhook_url"),
                   "created_at": now, "updated_at": now, "gdown_url": body.get("gdown_url")}
        self._personas[pid] = {
            "id": pid, "created_at": now, "updated_at": now, "gender": body["gender"],
            "creator_name": body["creator_name"], "video_scene": body.get("video_scene"),
            "keywords": body.get("keywords"), "is_active": False, "process_status": "pending",
            "failed_reason": "", "type": "custom",
            **{f"preview_{kind}_{ratio}": None for kind in ("image", "video")
               for ratio in ("16_9", "1_1", "9_16")},
            "landscape_preview_video": None, "squared_preview_video": None,
            "portrait_preview_video": None}
        return Response(201, created)

    def _create_persona(self, call: Call) -> Response:
        """``POST /api/personas/``: JSON with public URLs."""
        body = validate_fields(PERSONA_FIELDS, self._object_body(call))
        if isinstance(body.get("lipsync_input"), UploadedFile):
            raise field_errors({"lipsync_input": ["Send a URL here; upload files to "
                                                  "/api/personas_v2/."]})
        return self._store_persona(call, body)

    def _create_persona_v2(self, call: Call) -> Response:
        """``POST /api/personas_v2/``: multipart with the ``lipsync_input`` video file (or
        JSON with a URL)."""
        body = validate_fields(PERSONA_FIELDS, self._object_body(call))
        upload = body.get("lipsync_input")
        if upload is None or upload == "":
            raise field_errors({"lipsync_input": ["No file was submitted."]})
        if isinstance(upload, UploadedFile):
            if upload.content_type not in ("video/mp4", "video/quicktime"):
                raise field_errors({"lipsync_input": ["Upload a video/mp4 or video/quicktime "
                                                      "file."]})
            if upload.size == 0:
                raise field_errors({"lipsync_input": ["The submitted file is empty."]})
        elif not isinstance(upload, str):
            raise field_errors({"lipsync_input": ["Not a valid file."]})
        return self._store_persona(call, body)

    def _all_voices(self) -> list[dict[str, Any]]:
        return voices(self.base_url) + copy.deepcopy(self._voices)

    def _list_voices(self, call: Call) -> Response:
        return Response(200, self._all_voices())

    def _voices_paginated(self, call: Call) -> Response:
        return Response(200, self._paginated(call, self._all_voices()))

    def _clone_voice(self, call: Call) -> Response:
        """Voice clone: a new voice with one accent (free in the sandbox)."""
        body = validate_fields(VOICE_CLONE_FIELDS, self._object_body(call))
        name = body.get("name") or f"Cloned voice {len(self._voices) + 1}"
        accent_id = self._new_id()
        created = {"name": name, "accents": [
            {"id": accent_id, "accent_name": "Cloned",
             "preview_url": media.media_url(self.base_url, "voices", f"{accent_id}.mp3")}]}
        self._voices.append(created)
        return Response(201, copy.deepcopy(created))

    def _delete_accent(self, call: Call) -> Response:
        """Only a cloned voice's accent can be deleted; 204 with no body."""
        for voice_ in self._voices:
            if any(a["id"] == call.args[0] for a in voice_["accents"]):
                voice_["accents"] = [a for a in voice_["accents"] if a["id"] != call.args[0]]
                if not voice_["accents"]:
                    self._voices.remove(voice_)
                return Response(204)
        raise ApiError(404, {"detail": "No Accent matches the given query."})

    def _musics(self, call: Call) -> Response:
        """Filtered by ``category`` and ``search``, paged (``page_size`` 10 by default):
        ``{count, results, page, page_size}``, or the page as a plain array (quirk off)."""
        found = musics(self.base_url)
        category = call.param("category")
        if category:
            found = [m for m in found if m["category"].lower() == category.lower()]
        search = (call.param("search") or "").strip().lower()
        if search:
            found = [m for m in found if search in m["name"].lower()]
        page = _page(call, found)
        if not self._quirks.musics_paged:
            return Response(200, page.items)
        return Response(200, {"count": page.count, "results": page.items,
                              "page": page.number, "page_size": page.size})

    def _list_templates(self, call: Call) -> Response:
        return Response(200, [t.summary(self.base_url) for t in TEMPLATES.values()])

    def _get_template(self, call: Call) -> Response:
        template = TEMPLATES.get(call.args[0])
        if template is None:
            raise ApiError(404, {"detail": "No CustomTemplate matches the given query."})
        return Response(200, template.detail(self.base_url))

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

    def _control_quirks(self, call: Call) -> Response:
        return Response(200, asdict(self._quirks))

    def _control_set_quirks(self, call: Call) -> Response:
        if not isinstance(call.body, dict):
            raise ApiError(400, {"detail": "Expected a JSON object of quirk settings."})
        try:
            self._quirks = self._quirks.updated(call.body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, {"detail": str(exc)}) from None
        return Response(200, asdict(self._quirks))

    def _control_creates(self, call: Call) -> Response:
        return Response(200, [asdict(record) for record in self._create_log])


def _created_id(response: Response) -> str | None:
    """The id of the job or link a paid POST made, if it made one."""
    if not 200 <= response.status < 300:
        return None
    body = response.events[-1].get("creatify") if response.events else response.body
    job_id = body.get("id") if isinstance(body, dict) else None
    return job_id if isinstance(job_id, str) else None


def _gemini_chunk(text: str, *, finish: bool = False) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}}
    if finish:
        candidate["finishReason"] = "STOP"
    return {"candidates": [candidate]}


def _tokens(job: Job) -> int:
    return math.ceil(len(job.answer.split()) * 1.3)


@dataclass(frozen=True, slots=True)
class _Page:
    items: list[Any]
    number: int
    size: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count


def _page(call: Call, items: Sequence[Any], default_size: int = 10) -> _Page:
    """DRF page-number pagination: ``page`` from 1, ``page_size`` (invalid or above 100:
    the default, DRF's way); a page past the end is 404 "Invalid page."."""
    try:
        size = int(call.param("page_size") or default_size)
    except ValueError:
        size = default_size
    size = size if 1 <= size <= 100 else default_size
    try:
        number = int(call.param("page") or 1)
    except ValueError:
        raise ApiError(404, {"detail": "Invalid page."}) from None
    if number < 1 or (number > 1 and (number - 1) * size >= len(items)):
        raise ApiError(404, {"detail": "Invalid page."})
    return _Page(list(items[(number - 1) * size:number * size]), number, size, len(items))


def _format_progress(form: ProgressForm, scale: int, progress: float) -> str | int | float:
    if scale == 100:
        value: int | float = int(progress * 100)
    else:
        value = round(progress, 2)
    if form is ProgressForm.STRING:
        return format(value, "g")
    return value
