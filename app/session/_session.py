"""The :class:`Session`: one connection and what hangs on it (see the package notes)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.client import CreatifyClient, validate_base_url
from app.api.errors import CreatifyError
from app.downloads import DEFAULT_TEMPLATE
from app.generators import Flow, GeneratorSpec
from app.jobs.budget import BudgetLimits
from app.jobs.lease import WINDOW, FollowerLease
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerError
from app.jobs.manager import JobManager, Pricing, TaskGroup
from app.jobs.scheduler import PollPolicy
from app.pricing import Bound, LearnedCharge
from app.session._catalogues import CACHED_KINDS, CachedCatalogues
from app.session._events import Mode, MusicQuery, SessionEvents, describe
from app.session._following import Following
from app.session._learned import LearnedPrices
from app.session._ledger_views import LedgerViews
from app.session._reads import FreeReads
from app.session._sandbox import (
    SANDBOX_FOLDER,
    SANDBOX_LEDGER,
    SandboxElsewhere,
    forget_sandbox_ledger,
)
from app.session._sandbox_controls import SandboxDesk
from app.session._sandbox_process import SandboxProcess

if TYPE_CHECKING:
    from app.sandbox import Sandbox

log = logging.getLogger("app.session")

SANDBOX_SPEED = 20.0
"""The offline sandbox runs jobs this many times faster than Creatify (minutes → seconds)."""
BALANCE_DELAY = 0.5
"""Seconds after a job ends before the balance is read: one read for a burst of endings."""

Later = Callable[[float, Callable[[], None]], None]
"""``later(seconds, callback)``: run ``callback`` once, ``seconds`` from now."""


def _call_later(seconds: float, callback: Callable[[], None]) -> None:
    asyncio.get_running_loop().call_later(seconds, callback)


class Session(LedgerViews, Following, SandboxDesk):
    """Connection, credits, catalogues, images and the job ledger with its manager.

    Reports through ``events`` (a :class:`SessionEvents`, replaceable). ``later`` schedules
    the recount of committed credits (the event loop's ``call_later`` by default; the Qt
    adapter passes a single-shot ``QTimer``). ``cache_dir`` holds the catalogues kept on
    disk (``app.paths``' cache folder; ``data_dir / "cache"`` when not given). ``role``
    (``"window"``, ``"command line"``) is what another process on the same ledger says of
    this one while it follows the jobs.

    The offline sandbox runs in a child process (``sandbox_process``, see
    ``_sandbox_process``) unless ``sandbox_in_process``: then it is an ``app.sandbox.Sandbox``
    in this process (``sandbox``), whose logs and faults tests reach directly.
    """

    sandbox_in_process: bool = False
    """Serve the sandbox from this process (tests) instead of a child process (the app)."""

    def __init__(self, output_dir: Path, *, data_dir: Path | None = None,
                 cache_dir: Path | None = None,
                 auto_download: bool = True, sandbox_speed: float = SANDBOX_SPEED,
                 events: SessionEvents | None = None, later: Later = _call_later,
                 role: str = WINDOW, sandbox_in_process: bool | None = None) -> None:
        if sandbox_in_process is not None:
            self.sandbox_in_process = sandbox_in_process
        self.output_dir = output_dir
        self.role = role
        self.data_dir = data_dir or output_dir.parent / "data"
        self.cache_dir = cache_dir or self.data_dir / "cache"
        self.events = events or SessionEvents()
        self._later = later
        self._auto_download = auto_download
        self._name_template = DEFAULT_TEMPLATE
        self.ledger: Ledger | None = None
        self.jobs: JobManager | None = None
        self._finished: set[str] = set()
        self.sandbox_speed = sandbox_speed
        self.mode = Mode.NONE
        self.credits: Decimal | None = None
        self.client: CreatifyClient | None = None
        self.sandbox: Sandbox | None = None
        self.sandbox_process: SandboxProcess | None = None
        self.tasks = TaskGroup(self._report)
        self.reads = FreeReads(lambda: self.client, self.tasks, lambda: self.events)
        self.cached = CachedCatalogues(self.cache_dir, lambda: self.client, self.tasks,
                                       lambda: self.events)
        self.cached.use(Mode.NONE)  # the last catalogues, offline, before any connection
        self.learned = LearnedPrices()
        self.budget = BudgetLimits()  # kept current by the window from the settings
        self.committed = Decimal(0)
        self._committed_pending = False
        self._balance_pending = False

    def _report(self, name: str, exc: BaseException) -> None:
        self.events.error(f"{name}: {describe(exc)}")

    @property
    def auto_download(self) -> bool:
        return self._auto_download

    @auto_download.setter
    def auto_download(self, value: bool) -> None:
        self._auto_download = value
        if self.jobs is not None:
            self.jobs.auto_download = value

    @property
    def name_template(self) -> str:
        """How result files are named, for this connection and the next ones."""
        return self._name_template

    @name_template.setter
    def name_template(self, value: str) -> None:
        self._name_template = value
        if self.jobs is not None:
            self.jobs.name_template = value

    @property
    def connected(self) -> bool:
        return self.client is not None

    # ------------------------------------------------------------------ connection

    async def _replace_client(self, client: CreatifyClient | None,
                              ledger_file: Path | None = None,
                              policy: PollPolicy | None = None,
                              output_dir: Path | None = None) -> None:
        """Switch connection: the old jobs stop being followed, the new ledger is opened
        (its unfinished jobs reconciled and followed again)."""
        old, self.client = self.client, client
        self.reads.forget()
        self.credits = None
        if self.jobs is not None:
            await self.jobs.aclose()
            self.jobs = None
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        if old is not None:
            await old.aclose()
        if client is not None and ledger_file is not None:
            ledger_file.parent.mkdir(parents=True, exist_ok=True)
            self.ledger = Ledger(ledger_file)
            self.learned.load(self.ledger)
            self.jobs = JobManager(client, self.ledger, output_dir or self.output_dir,
                                   on_change=self._job_changed, policy=policy,
                                   auto_download=self._auto_download, on_error=self._report,
                                   name_template=self._name_template,
                                   budget=lambda: self.budget, on_balance=self._balance_read,
                                   lease=FollowerLease(ledger_file, self.role),
                                   on_role=self._role_changed)
            self.events.jobs_reloaded()
            self._committed_soon()
            await self.jobs.start()

    def _new_sandbox(self) -> Sandbox:
        """The in-process simulator (``sandbox_in_process``), made by this module's
        ``Sandbox``: imported on first use (tests replace it to shape the simulator)."""
        factory = sys.modules[__name__].Sandbox
        sandbox: Sandbox = factory(speed=self.sandbox_speed, state_path=self.sandbox_state_path)
        return sandbox

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        self.cached.use(mode)  # that mode's cached catalogues, refreshed when connected
        self.events.mode_changed(mode)

    async def use_client(self, client: CreatifyClient, ledger_file: Path,
                         policy: PollPolicy | None = None, mode: str = Mode.SANDBOX) -> None:
        """Talk to ``client`` (a simulator the caller runs, as tests do) over
        ``ledger_file``; the balance is not read (await :meth:`fetch_credits`)."""
        await self._replace_client(client, ledger_file, policy)
        self._set_mode(mode)

    async def use_sandbox(self) -> str:
        """Start the simulator on loopback and talk to it; returns its URL. It is persistent
        (``_sandbox``): its account and the sandbox ledger outlive the app, so sandbox jobs
        still running at close are followed to their end next time; results are saved in
        ``<output>/Sandbox/``. While another process on this data folder (the window, the
        command line) serves it, this one talks to that simulator instead of starting one
        (``sandbox_served_here`` is false)."""
        url = self._served_url()
        if url is None:
            try:
                url = await asyncio.to_thread(self._start_sandbox)
            except SandboxElsewhere as busy:
                if not busy.base_url:
                    raise RuntimeError("The sandbox is starting in another Creatify Studio; "
                                       "try again in a moment.") from None
                url = busy.base_url
        await self._replace_client(CreatifyClient("sandbox", "sandbox", base_url=url),
                                   self.data_dir / SANDBOX_LEDGER,
                                   PollPolicy().scaled(self.sandbox_speed),
                                   output_dir=self.output_dir / SANDBOX_FOLDER)
        self._set_mode(Mode.SANDBOX)
        self.refresh_credits()
        return url

    async def reset_sandbox(self) -> str:
        """Forget the simulator's account and the sandbox ledger and talk to the fresh
        account (the Developer menu's reset); returns its URL. Nothing is billed anywhere.
        ``RuntimeError`` while another process serves the sandbox (reset it there)."""
        if self.sandbox_process is not None and not self.sandbox_served_here:
            # Its process has ended: started again, then reset (unless another one serves
            # it now: said below).
            with contextlib.suppress(SandboxElsewhere):
                await asyncio.to_thread(self._start_sandbox)
        if not self.sandbox_served_here and self.mode == Mode.SANDBOX:
            raise RuntimeError("The sandbox is run by another Creatify Studio on this data "
                               "folder: reset it there.")
        if self.sandbox_served_here:
            await self._replace_client(None)
            if self.sandbox is not None:
                await asyncio.to_thread(self.sandbox.reset)
            elif self.sandbox_process is not None:
                await asyncio.to_thread(self.sandbox_process.reset)
            forget_sandbox_ledger(self.data_dir)
        return await self.use_sandbox()

    async def use_credentials(self, api_id: str, api_key: str, base_url: str) -> None:
        """Talk to Creatify at ``base_url`` with this key; a running sandbox stops."""
        await self._replace_client(CreatifyClient(api_id, api_key,
                                                  base_url=validate_base_url(base_url)),
                                   self.data_dir / "jobs.sqlite3")
        await self._stop_sandbox()
        self._set_mode(Mode.LIVE)
        self.refresh_credits()

    async def drop_connection(self) -> None:
        """Stop using any account: jobs stop being followed, the mode becomes ``NONE``."""
        await self._replace_client(None)
        self._set_mode(Mode.NONE)

    # ------------------------------------------------------------------ credits

    def _balance_read(self, credits: Decimal) -> None:
        """The budget guard read the balance before a paid call: show it."""
        self.credits = credits
        self.events.credits_changed(credits)

    def _committed_soon(self) -> None:
        """Recount the credits committed in flight once, a moment after a burst of changes."""
        if not self._committed_pending:
            self._committed_pending = True
            self._later(0.2, self._update_committed)

    def _update_committed(self) -> None:
        self._committed_pending = False
        committed = self.ledger.committed() if self.ledger is not None else Decimal(0)
        if committed != self.committed:
            self.committed = committed
            self.events.committed_changed(committed)

    def _job_changed(self, record: JobRecord) -> None:
        if record.state is JobState.SUBMITTING or record.state.is_terminal \
                or record.credits_used is not None:
            self._committed_soon()
        self.learned.seen(record)
        self.events.job_changed(record)
        if record.state.is_terminal and record.key not in self._finished:
            self._finished.add(record.key)
            self._balance_soon()

    def _balance_soon(self) -> None:
        """Read the balance once, a moment after a burst of jobs ending (a job ending while
        that read is already on its way asks for another one)."""
        if not self._balance_pending:
            self._balance_pending = True
            self._later(BALANCE_DELAY, self._read_balance_now)

    def _read_balance_now(self) -> None:
        self._balance_pending = False
        self.refresh_credits()

    def refresh_credits(self) -> None:
        """Read the balance (free) in the background; ``credits_changed`` follows."""
        if self.client is None:
            return
        client = self.client

        async def run() -> None:
            try:
                credits = await client.remaining_credits()
            except CreatifyError as exc:
                self.events.credits_failed(exc.message)
                return
            await self._record_balance(client, credits)  # kept before anyone is told
            self.credits = credits
            log.info("remaining credits: %s", credits)
            self.events.credits_changed(credits)
        self.tasks.spawn(run(), "refresh credits")

    async def fetch_credits(self) -> Decimal:
        """The balance now (free), awaited: for callers that must check before paying."""
        if self.client is None:
            raise RuntimeError("not connected")
        client = self.client
        credits = await client.remaining_credits()
        await self._record_balance(client, credits)
        self.credits = credits
        self.events.credits_changed(credits)
        return credits

    async def _record_balance(self, client: CreatifyClient, credits: Decimal) -> None:
        """Keep the reading for the spending view (if the connection is still that one),
        written by the ledger's writer thread."""
        if self.client is client and self.jobs is not None:
            try:
                await self.jobs.writer.record_balance(credits)
            except LedgerError as exc:
                log.warning("balance reading not kept: %s", exc)

    # ------------------------------------------------------------------ free reads

    async def read_catalogue(self, kind: str) -> list[dict[str, Any]]:
        """A catalogue read now (free, not cached), awaited: for checks such as the
        self-test."""
        if self.client is None:
            raise RuntimeError("not connected")
        items: list[dict[str, Any]] = await getattr(self.client, kind)()
        return items

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        """A loaded catalogue (``personas``, ``voices``, ``musics``, ``music_categories``,
        ``custom_templates``, ``asset_schemas``, ``inspirations``) or ``None``, in which case
        loading starts and ``catalogue_loaded`` follows. ``asset_schemas`` and
        ``inspirations`` answer at once from the disk cache, offline too, and are refreshed
        in the background (on connect, and when older than 12 hours)."""
        if kind in CACHED_KINDS:
            return self.cached.catalogue(kind)
        return self.reads.catalogue(kind)

    def load_catalogue(self, kind: str) -> None:
        """Read ``kind`` again (``catalogue_loaded`` or ``catalogue_failed`` follows)."""
        if kind in CACHED_KINDS:
            self.cached.refresh(kind)
        else:
            self.reads.load_catalogue(kind)

    def catalogue_date(self, kind: str) -> datetime | None:
        """When the cached ``asset_schemas`` or ``inspirations`` in use was fetched (UTC),
        or ``None`` when there is none yet."""
        return self.cached.date(kind)

    def learned_price(self, key: str) -> LearnedCharge | None:
        """What the latest finished job with this learned-price key really cost (from this
        connection's ledger), or ``None``: ``quote(..., learned=session.learned_price)``."""
        return self.learned.get(key)

    def template_detail(self, template_id: str) -> dict[str, Any] | None:
        """The detail of one Custom Template (``GET /api/custom_templates/{id}/``, with its
        ``variables``), cached for the session; ``None`` while ``template_loaded`` (or
        ``template_failed``) is on its way."""
        return self.reads.template_detail(template_id)

    def music_page(self, query: MusicQuery) -> Any:
        """One page of the music library (the client's ``MusicPage``), cached for the
        session; ``None`` while ``music_page_loaded`` (or ``music_page_failed``) follows."""
        return self.reads.music_page(query)

    def image(self, url: str) -> bytes | None:
        """Cached image bytes for ``url``, or ``None`` while ``image_loaded`` is on its way."""
        return self.reads.image(url)

    # ------------------------------------------------------------------ paid requests

    def _manager(self) -> JobManager:
        if self.jobs is None:
            raise RuntimeError("not connected")
        return self.jobs

    def submit(self, spec: GeneratorSpec, values: Mapping[str, Any], flow: Flow = Flow.CREATE,
               estimate: Decimal | None = None,
               bound: Bound | None = None) -> Coroutine[Any, Any, JobRecord]:
        """Record and send a paid request (``RuntimeError`` now when not connected).

        ``bound`` is the quote's (exact, at least, unknown). Not given, a missing estimate
        of a generator that is not priced by tokens counts as unknown — the budget guard
        then holds it to the per-job ceiling — never as free."""
        jobs = self._manager()
        if bound is None:
            bound = Bound.UNKNOWN if estimate is None and not spec.billed_by_tokens \
                else Bound.EXACT

        async def run() -> JobRecord:
            return await jobs.submit(spec, values, flow=flow,
                                     pricing=Pricing(estimate, self.credits, bound))
        return run()

    def render_preview(self, spec: GeneratorSpec, preview: JobRecord,
                       estimate: Decimal | None = None) -> Coroutine[Any, Any, JobRecord]:
        """Render a finished preview (paid)."""
        jobs = self._manager()

        async def run() -> JobRecord:
            return await jobs.render(spec, preview, pricing=Pricing(estimate, self.credits))
        return run()

    def render_style(self, spec: GeneratorSpec, compared: JobRecord, media_job: str,
                     estimate: Decimal | None = None) -> Coroutine[Any, Any, JobRecord]:
        """Render the chosen style of a compare-styles job (paid)."""
        jobs = self._manager()

        async def run() -> JobRecord:
            return await jobs.render_style(spec, compared, media_job, pricing=Pricing(estimate))
        return run()

    def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any],
                    on_delta: Callable[[str], None]) -> Coroutine[Any, Any, JobRecord]:
        """Stream a Text Generator answer (paid), each piece of text to ``on_delta``."""
        jobs = self._manager()

        async def run() -> JobRecord:
            return await jobs.stream_text(spec, values, on_delta=on_delta,
                                          pricing=Pricing(None, self.credits))
        return run()

    def batch_calls(self) -> tuple[
            Callable[[GeneratorSpec, dict[str, Any], Decimal | None],
                     Coroutine[Any, Any, JobRecord]],
            Callable[[str], Coroutine[Any, Any, JobRecord]]]:
        """``(submit, wait)`` for a batch runner over this connection's job manager."""
        jobs = self._manager()

        async def send(spec: GeneratorSpec, values: dict[str, Any],
                       estimate: Decimal | None) -> JobRecord:
            return await jobs.submit(spec, values, pricing=Pricing(estimate))
        return send, jobs.wait_ended

    def look_again(self, key: str) -> Coroutine[Any, Any, JobRecord]:
        """Ask Creatify about one job now (free)."""
        return self._manager().look_again(key)

    def download_again(self, key: str) -> None:
        self._manager().download(key)

    def stop_watching(self, key: str) -> None:
        self._manager().stop_watching(key)

    def set_hidden(self, key: str, hidden: bool) -> None:
        self._manager().set_hidden(key, hidden)

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        await self.tasks.aclose()
        await self._replace_client(None)
        await self.reads.media.aclose()
        await self._stop_sandbox()


def __getattr__(name: str) -> Any:
    """``Sandbox``, the in-process simulator, is imported only when a session first needs it:
    starting the app never imports ``app.sandbox``."""
    if name == "Sandbox":
        from app.sandbox import Sandbox

        globals()["Sandbox"] = Sandbox
        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BALANCE_DELAY", "SANDBOX_SPEED", "Later", "Session"]
