"""The Creatify simulator's world: one account behind a lock, requests in, answers out.

Pure: no sockets and no threads. :class:`World` takes a :class:`Request` (method, target,
headers, body) and gives back a :class:`Response` (status, JSON value, headers), so every rule
of the contract can be unit-tested without HTTP; ``httpd`` only moves bytes. Per request
it advances the clock (``runs.advance``), resolves the route, authenticates, decodes the body,
calls the handler, and logs a paid POST in the create log; before that, :meth:`World.admit`
decides which faults the request suffers.

How a job lives: a create validates the body, computes the billed length (``length``) and the
price, checks the balance, then starts a run — a schedule fixed at creation of (clock time →
status) steps, an outcome and an end time, all divided by ``speed`` (see ``runs``). Nothing
ticks; reads compute ``progress`` on the fly.

Modules: ``account`` (the state: balance, jobs, links, faults, quirks, clock, logs),
``routing`` (what a handler sees, routes and their resolution), ``routes`` (the table of
documented operations), ``runs`` (jobs on the clock, charging, finishing), ``objects`` (jobs
as wire objects) and ``handlers`` (one module per family of resources), over the rules they
apply: ``wire`` (requests, responses, errors, faults), ``validation`` (field and body checks)
and ``schema_check`` (``input_params`` against a JSON Schema), ``catalogue`` (catalogues and
generated content), ``asset_models`` (the Asset Generator's models, schemas and charges, over
``asset_prices``, its reading of the price file), ``inspirations`` (the AI Ad Templates),
``jobs`` (runs, jobs, outputs),
``billing`` (prices and billed lengths: the sandbox's own reading of the billing page, which
deliberately does not import ``app.pricing``) and ``behaviours`` (the table of what differs
between resources). Money is :class:`~decimal.Decimal`; it goes out as a JSON int when whole.

A preview runs a short pass; when it is ready ``preview`` (or ``previews[]``) is filled and,
with the ``preview_pending`` quirk on, the status reads ``pending`` again; the render is a
second pass on the same job id. :class:`~app.sandbox.wire.DocsQuirks` holds the docs' other
awkward readings.

Thread safety: one :class:`threading.Lock` (``World.lock``) guards all state and the one
``random.Random``; public methods take it. Nothing here sleeps: a :class:`Response` carries
``delay`` / ``event_interval`` for the HTTP layer to wait outside the lock.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from app.api import resources as res
from app.sandbox import media, state
from app.sandbox.account import Account, insufficient
from app.sandbox.behaviours import with_behaviours
from app.sandbox.jobs import Behaviour
from app.sandbox.objects import wire
from app.sandbox.routes import build_routes
from app.sandbox.routing import Call, Route
from app.sandbox.runs import advance
from app.sandbox.wire import (
    INVALID_KEY,
    JSON_PARSE_ERROR,
    MISSING_CREDENTIALS,
    NOT_FOUND,
    ApiError,
    Category,
    CreateRecord,
    DocsQuirks,
    FaultPlan,
    Faults,
    Request,
    Response,
    category_of,
    decode_body,
    general_error,
    parse_body_leniently,
    text_error,
)

__all__ = ["World"]


class World:
    """The simulated Creatify account: catalogues, links, jobs, balance and faults.

    ``behaviours`` adds resource families of the caller's (see ``app.sandbox.family``),
    served like the built-in job resources under their resource's path."""

    def __init__(self, *, api_id: str = "sandbox", api_key: str = "sandbox",
                 balance: Decimal | int = 500, speed: float = 1.0, faults: Faults | None = None,
                 quirks: DocsQuirks | None = None,
                 seed: int | None = None, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 behaviours: Iterable[Behaviour] = ()) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, not {speed!r}")
        self.lock = threading.Lock()
        self._account = Account(api_id=api_id, api_key=api_key, balance=balance, speed=speed,
                                faults=faults, quirks=quirks, seed=seed, clock=clock,
                                wall_clock=wall_clock, behaviours=with_behaviours(behaviours))
        self._fresh_balance = Decimal(balance)
        self._routes = build_routes(self._account)
        self.on_change: Callable[[bool], None] | None = None
        """Called after each request (outside the lock) with ``True`` when it may have
        changed the account (any method but GET/HEAD), ``False`` for a read (which may have
        moved jobs along the clock): the persistent sandbox saves on it."""

    # ---- public, thread-safe ------------------------------------------------------------

    @property
    def api_id(self) -> str:
        return self._account.api_id

    @property
    def api_key(self) -> str:
        return self._account.api_key

    @property
    def speed(self) -> float:
        return self._account.speed

    @property
    def base_url(self) -> str:
        """Where the HTTP layer serves this world (set with the lock held)."""
        return self._account.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        """Serve at ``value`` (lock held): URLs a restored state made under another address
        are rewritten to it."""
        state.rebase(self._account, self._account.base_url, value)
        self._account.base_url = value

    # ---- persistence -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The account as JSON data (see ``state``)."""
        with self.lock:
            return state.dump(self._account)

    def restore(self, data: Any) -> None:
        """Take the account from state ``data`` (before serving); ``state.StateError``
        when it cannot be read back, and the world is then unchanged."""
        with self.lock:
            state.load(self._account, data)

    def reset(self) -> None:
        """A fresh account: the starting balance, no jobs, links, custom avatars, voices or
        create log (faults, quirks and speed stay as they are)."""
        with self.lock:
            a = self._account
            fresh = Account(api_id=a.api_id, api_key=a.api_key, balance=self._fresh_balance,
                            speed=a.speed, faults=a.faults, quirks=a.quirks, seed=None,
                            clock=a.clock, wall_clock=lambda: a.epoch + a.clock(),
                            behaviours=a.behaviours)
            fresh.base_url = a.base_url
            self._account = fresh
            self._routes = build_routes(fresh)
        if self.on_change is not None:
            self.on_change(True)

    @property
    def balance(self) -> Decimal:
        with self.lock:
            a = self._account
            advance(a, a.clock())
            return a.balance

    @property
    def faults(self) -> Faults:
        with self.lock:
            return copy.copy(self._account.faults)

    def set_faults(self, **changes: Any) -> Faults:
        with self.lock:
            a = self._account
            a.faults = a.faults.updated(changes)
            return copy.copy(a.faults)

    @property
    def quirks(self) -> DocsQuirks:
        with self.lock:
            return self._account.quirks

    def set_quirks(self, **changes: Any) -> DocsQuirks:
        """Turn docs quirks on or off now; an unknown name raises ``TypeError``."""
        with self.lock:
            a = self._account
            a.quirks = a.quirks.updated(changes)
            return a.quirks

    @property
    def create_log(self) -> list[CreateRecord]:
        with self.lock:
            return list(self._account.create_log)

    @property
    def request_log(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self._account.request_log)

    def jobs(self, resource: str) -> list[dict[str, Any]]:
        """Copies of the current wire objects of ``resource`` (``"links"`` too), oldest first."""
        with self.lock:
            a = self._account
            now = a.clock()
            advance(a, now)
            if resource == res.LINKS.key:
                return copy.deepcopy(list(a.links.values()))
            return [copy.deepcopy(wire(a, job, now)) for job in a.jobs[resource].values()]

    def served_operations(self) -> set[tuple[str, str]]:
        """(METHOD, path template with ``{id}``) of every route, control endpoints included."""
        return self._routes.operations()

    def admit(self, request: Request) -> FaultPlan:
        """Log ``request`` and decide which faults it suffers (the HTTP layer applies them)."""
        with self.lock:
            self._account.request_log.append((request.method, request.target))
            return self._plan(request)

    def record_unanswered(self, request: Request, status: int) -> None:
        """A request answered by a fault before processing: log it if it was a paid POST."""
        with self.lock:
            if not self._is_paid(request):
                return
            self._record(request, None, status)
        if self.on_change is not None:
            self.on_change(False)

    def handle(self, request: Request, *, lost: bool = False) -> Response:
        """Process ``request``. ``lost``: its answer will not be delivered (the create log
        says status 0)."""
        response = self._handle(request, lost)
        if self.on_change is not None:
            self.on_change(request.method not in ("GET", "HEAD"))
        return response

    def _handle(self, request: Request, lost: bool) -> Response:
        with self.lock:
            now = self._account.clock()
            advance(self._account, now)
            route, args, allowed = self._routes.resolve(request)
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
            a = self._account
            job = a.by_id.get(preview_id) or a.media_jobs.get(preview_id)
            if job is None:
                return None
            video = media.media_url(a.base_url, preview_id, "preview.mp4")
            poster = media.media_url(a.base_url, preview_id, "thumb.png")
            title = f"{job.resource.model_label} preview {preview_id}"
            return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                    f"<title>{title}</title></head>\n<body style=\"margin:0;background:#111\">"
                    f"<video controls autoplay muted style=\"width:100%\" poster=\"{poster}\" "
                    f"src=\"{video}\"></video></body></html>\n")

    def media_length(self, url: str) -> Decimal:
        """The length the sandbox assumes for the media at ``url`` (see media.url_length).
        Called with the lock held."""
        return self._account.media_length(url)

    def has_link(self, link_id: str) -> bool:
        return self._account.has_link(link_id)

    # ---- faults ----------------------------------------------------------------------------

    def _plan(self, request: Request) -> FaultPlan:
        a = self._account
        kind = category_of(request.path)
        f = a.faults
        if kind is Category.CONTROL:
            return FaultPlan()
        if f.reset_next_request_before_processing > 0:
            f.reset_next_request_before_processing -= 1
            return FaultPlan(f.latency, reset_before=True)
        if kind is Category.MEDIA:
            return FaultPlan(f.latency, reset_before=a.roll(f.reset_rate))
        paid = self._is_paid(request)
        if paid and f.reset_next_create_after_processing > 0:
            f.reset_next_create_after_processing -= 1
            return FaultPlan(f.latency, reset_after=True)
        if a.roll(f.reset_rate):
            after = paid and a.rng.random() < 0.5
            return FaultPlan(f.latency, reset_before=not after, reset_after=after)
        if a.roll(f.error_rate):
            return FaultPlan(f.latency, status=a.rng.choice((500, 502, 503)))
        if a.roll(f.rate_limit_rate):
            return FaultPlan(f.latency, status=429, retry_after=f.retry_after)
        return FaultPlan(f.latency, malformed=a.roll(f.malformed_rate))

    def _is_paid(self, request: Request) -> bool:
        route, _, _ = self._routes.resolve(request)
        return route is not None and route.paid and request.method == "POST"

    def _record(self, request: Request, job_id: str | None, status: int) -> None:
        a = self._account
        a.create_log.append(CreateRecord(
            request.path, parse_body_leniently(request.body), job_id, status,
            a.epoch + a.clock()))

    # ---- dispatch --------------------------------------------------------------------------

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
            if route.paid and self._account.faults.insufficient_credits:
                raise insufficient(route.text_errors)
        call = Call(request, args, body, parse_qs(request.query), now)
        return route.handlers[method](call)

    def _authenticate(self, request: Request) -> None:
        api_id = request.headers.get("x-api-id")
        api_key = request.headers.get("x-api-key")
        if not api_id or not api_key:
            raise ApiError(401, {"detail": MISSING_CREDENTIALS},
                           {"WWW-Authenticate": "Api-Key"})
        if api_id != self._account.api_id or api_key != self._account.api_key:
            raise ApiError(403, {"detail": INVALID_KEY})


def _created_id(response: Response) -> str | None:
    """The id of the job or link a paid POST made, if it made one."""
    if not 200 <= response.status < 300:
        return None
    body = response.events[-1].get("creatify") if response.events else response.body
    job_id = body.get("id") if isinstance(body, dict) else None
    return job_id if isinstance(job_id, str) else None
