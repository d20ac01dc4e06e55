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
    PREVIEW_LIST_FIELDS,
    PRODUCT_IMAGE_FIELDS,
    PRODUCT_VIDEO_FIELDS,
    REJECTED_REASON,
    TEXT_GENERATOR_FIELDS,
)
from app.sandbox.billing import (
    billed_blocks,
    length_of,
    preview_price,
    product_video_price,
    render_price,
)
from app.sandbox.catalogue import (
    ASSET_MODELS,
    TEXT_MODELS,
    generated_scripts,
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
from app.sandbox.validation import F, check_link_media, check_scrape, validate_fields
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
    FaultPlan,
    Faults,
    Request,
    Response,
    category_of,
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
            request.path, parse_body_leniently(request.body), job_id, status,
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
        if raw_ids is not None and b.resource.supports_ids:
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
        body = self._validate(b, call)
        job = self._new_job(b, body, call.now, call.body)
        job.fields["preview"] = None
        cost = preview_price(job)
        self._ensure_credits(cost)
        self._register(job)
        self._start_run(job, Stage.PREVIEW, call.now, cost=cost,
                        base_time=b.run_time * PREVIEW_TIME_SHARE)
        return Response(200, self._wire(job, call.now))

    def _render(self, b: Behaviour, call: Call) -> Response:
        job = self._find(b, call.args[0])
        # A preview list has no single "preview": it renders through render_single_preview.
        if not job.awaiting_render or "preview" not in job.fields:
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
        job = self._new_job(b, body, call.now, call.body)
        job.fields["previews"] = [
            {"visual_style": style, "media_job": self._new_id(), "status": job.status,
             "preview_url": None, "thumbnail_url": None, "duration": None}
            for style in styles]
        cost = preview_price(job) * len(styles)
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
            raise field_errors({"media_job": [REQUIRED]})
        previews = job.fields.get("previews") or []
        chosen = next((p for p in previews if p["media_job"] == media_job), None)
        if chosen is None:
            raise field_errors({"media_job": [f'Invalid media job "{media_job}".']})
        if not job.awaiting_render:
            raise general_error(PREVIEW_NOT_READY)
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
        job.fields["generated_scripts"] = generated_scripts(body)
        return Response(201, self._wire(job, call.now))

    # ---- handlers: product video -----------------------------------------------------------

    def _gen_video(self, call: Call) -> Response:
        b = BEHAVIOURS["product_to_videos"]
        job = self._find(b, call.args[0])
        body = validate_fields(PRODUCT_VIDEO_FIELDS, self._object_body(call))
        if job.status != "image_generated" or job.run is not None:
            raise general_error("A video can only be generated from an image_generated "
                                f"record (this one is {job.status}).")
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
            raise general_error("The image of this record is not ready.")
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
                                            for chunk in stream_chunks(job.answer)]
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
        return Response(200, copy.deepcopy(self._store_link(None, details)))

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
