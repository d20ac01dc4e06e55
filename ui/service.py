"""The one QObject that bridges the core to the widgets.

Widgets never import httpx and never await the client: they call methods here (which start
tasks) and listen to the signals. Everything the service does is plain core code underneath.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QObject, QTimer, Signal

from app.api.client import CreatifyClient, validate_base_url
from app.api.errors import CreatifyError
from app.batch import BatchRow, BatchRun
from app.credentials import Credentials
from app.downloads import DEFAULT_TEMPLATE, DownloadError
from app.generators import Flow, GeneratorSpec, SpecError
from app.jobs.budget import BudgetError, BudgetLimits
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerError
from app.jobs.manager import JobManager, Pricing, TaskGroup
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox

log = logging.getLogger(__name__)

SANDBOX_SPEED = 20.0
"""The offline sandbox runs jobs this many times faster than Creatify (minutes → seconds)."""


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Mode:
    NONE = "none"
    SANDBOX = "sandbox"
    LIVE = "live"


@dataclass(frozen=True, slots=True)
class MusicQuery:
    """One page of Creatify's music library: what the picker asked for."""

    search: str = ""
    category: str = ""
    page: int = 1
    page_size: int = 20


MAX_CACHED_LOOKUPS = 500
"""Template details and music pages kept for the session (the oldest dropped beyond)."""


def describe(exc: BaseException) -> str:
    """A message for the user from any error the core raises."""
    if isinstance(exc, CreatifyError):
        return exc.message
    if isinstance(exc, BudgetError):
        return exc.message
    if isinstance(exc, SpecError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, DownloadError | LedgerError | ValueError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


class StudioService(QObject):
    """Connection, credits, catalogues, submissions, following jobs and downloads."""

    modeChanged = Signal(str)                 # Mode.*
    creditsChanged = Signal(object)           # Decimal | None
    creditsFailed = Signal(str)
    catalogueLoaded = Signal(str, list)       # kind, items
    catalogueFailed = Signal(str, str)        # kind, message
    templateLoaded = Signal(str, object)      # template id, its detail dict (key order kept)
    templateFailed = Signal(str, str)         # template id, message
    musicPageLoaded = Signal(object, object)  # MusicQuery, the client's MusicPage
    musicPageFailed = Signal(object, str)     # MusicQuery, message
    connectionTested = Signal(bool, str)      # ok, message
    submitStarted = Signal(str)               # generator key
    submitFailed = Signal(str, str)           # generator key, message
    jobSubmitted = Signal(str, object)        # generator key, JobRecord (the answer arrived)
    jobChanged = Signal(object)               # JobRecord: any change, from any job
    jobsReloaded = Signal()                   # a new connection: the queue shows its ledger
    textDelta = Signal(str)                   # streamed Text Generator text
    textFinished = Signal(object)             # the Text Generator's JobRecord
    errorRaised = Signal(str)                 # something failed in the background
    imageLoaded = Signal(str, bytes)          # url, image bytes (thumbnails for pickers)
    imageFailed = Signal(str, str)            # url, message
    committedChanged = Signal(object)         # Decimal: credits committed to jobs in flight

    def __init__(self, output_dir: Path, *, data_dir: Path | None = None,
                 auto_download: bool = True, sandbox_speed: float = SANDBOX_SPEED,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.output_dir = output_dir
        self.data_dir = data_dir or output_dir.parent / "data"
        self._auto_download = auto_download
        self.name_template = DEFAULT_TEMPLATE
        self.ledger: Ledger | None = None
        self.jobs: JobManager | None = None
        self._finished: set[str] = set()
        self.sandbox_speed = sandbox_speed
        self.mode = Mode.NONE
        self.credits: Decimal | None = None
        self.client: CreatifyClient | None = None
        self.sandbox: Sandbox | None = None
        self._catalogues: dict[str, list[dict[str, Any]]] = {}
        self._loading: set[str] = set()           # catalogue kinds being fetched
        self._lookups: dict[Hashable, Any] = {}   # template details, music pages (session)
        self._lookups_loading: set[Hashable] = set()
        self._images: dict[str, bytes] = {}
        self._images_loading: set[str] = set()
        self._web: httpx.AsyncClient | None = None  # made on first use (TLS set-up is slow)
        self.tasks = TaskGroup(self._report)
        self.budget = BudgetLimits()  # kept current by the window from the settings
        self.committed = Decimal(0)
        self._committed_pending = False

    def _report(self, name: str, exc: BaseException) -> None:
        self.errorRaised.emit(f"{name}: {describe(exc)}")

    @property
    def auto_download(self) -> bool:
        return self._auto_download

    @auto_download.setter
    def auto_download(self, value: bool) -> None:
        self._auto_download = value
        if self.jobs is not None:
            self.jobs.auto_download = value

    def _http(self) -> httpx.AsyncClient:
        """The client for public media (thumbnails, results): no API credentials on it."""
        if self._web is None:
            self._web = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        return self._web

    # ------------------------------------------------------------------ connection

    async def _replace_client(self, client: CreatifyClient | None,
                              ledger_file: Path | None = None,
                              policy: PollPolicy | None = None) -> None:
        """Switch connection: the old jobs stop being followed, the new ledger is opened
        (its unfinished jobs reconciled and followed again)."""
        old, self.client = self.client, client
        self._catalogues.clear()
        self._loading.clear()
        self._lookups.clear()
        self._lookups_loading.clear()
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
            self.jobs = JobManager(client, self.ledger, self.output_dir,
                                   on_change=self._job_changed, policy=policy,
                                   auto_download=self._auto_download, on_error=self._report,
                                   name_template=self.name_template,
                                   budget=lambda: self.budget, on_balance=self._balance_read)
            self.jobsReloaded.emit()
            self._committed_soon()
            await self.jobs.start()

    def _balance_read(self, credits: Decimal) -> None:
        """The budget guard read the balance before a paid call: show it."""
        self.credits = credits
        self.creditsChanged.emit(credits)

    def _committed_soon(self) -> None:
        """Recount the credits committed in flight once, a moment after a burst of changes."""
        if not self._committed_pending:
            self._committed_pending = True
            QTimer.singleShot(200, self._update_committed)

    def _update_committed(self) -> None:
        self._committed_pending = False
        committed = self.ledger.committed() if self.ledger is not None else Decimal(0)
        if committed != self.committed:
            self.committed = committed
            self.committedChanged.emit(committed)

    def _job_changed(self, record: JobRecord) -> None:
        if record.state is JobState.SUBMITTING or record.state.is_terminal \
                or record.credits_used is not None:
            self._committed_soon()
        self.jobChanged.emit(record)
        if record.state.is_terminal and record.key not in self._finished:
            self._finished.add(record.key)
            self.refresh_credits()

    async def use_sandbox(self) -> str:
        """Start the simulator on a free loopback port and talk to it; returns its URL."""
        ledger_file = self.data_dir / "sandbox-jobs.sqlite3"
        if self.sandbox is None:
            self.sandbox = Sandbox(speed=self.sandbox_speed)
            await asyncio.to_thread(self.sandbox.start)
            # A new simulator knows none of the old sandbox jobs: a fresh sandbox ledger.
            for stale in self.data_dir.glob(ledger_file.name + "*"):
                stale.unlink(missing_ok=True)
        await self._replace_client(CreatifyClient("sandbox", "sandbox",
                                                  base_url=self.sandbox.base_url),
                                   ledger_file, PollPolicy().scaled(self.sandbox_speed))
        self.mode = Mode.SANDBOX
        self.modeChanged.emit(self.mode)
        self.refresh_credits()
        return self.sandbox.base_url

    async def use_credentials(self, creds: Credentials, base_url: str) -> None:
        await self._replace_client(CreatifyClient(creds.api_id, creds.api_key,
                                                  base_url=validate_base_url(base_url)),
                                   self.data_dir / "jobs.sqlite3")
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None
        self.mode = Mode.LIVE
        self.modeChanged.emit(self.mode)
        self.refresh_credits()

    async def drop_connection(self) -> None:
        """Stop using any account: jobs stop being followed, the mode becomes ``NONE``.

        (Not ``disconnect``: that name is ``QObject.disconnect``, which Qt code may call.)
        """
        await self._replace_client(None)
        self.mode = Mode.NONE
        self.modeChanged.emit(self.mode)

    def test_connection(self, creds: Credentials, base_url: str) -> None:
        """Call the free remaining-credits endpoint with ``creds``; report through a signal."""
        async def run() -> None:
            try:
                async with CreatifyClient(creds.api_id, creds.api_key,
                                          base_url=validate_base_url(base_url)) as probe:
                    credits = await probe.remaining_credits()
            except (CreatifyError, ValueError) as exc:
                self.connectionTested.emit(False, describe(exc))
                return
            self.connectionTested.emit(True, f"Connected. {credits:,} credits remaining.")
        self.tasks.spawn(run(), "test connection")

    # ------------------------------------------------------------------ credits, catalogues

    def refresh_credits(self) -> None:
        if self.client is None:
            return
        client = self.client

        async def run() -> None:
            try:
                self.credits = await client.remaining_credits()
            except CreatifyError as exc:
                self.creditsFailed.emit(exc.message)
                return
            self._record_balance(client, self.credits)
            log.info("remaining credits: %s", self.credits)
            self.creditsChanged.emit(self.credits)
        self.tasks.spawn(run(), "refresh credits")

    async def fetch_credits(self) -> Decimal:
        """The balance now (free), awaited: for callers that must check before paying."""
        if self.client is None:
            raise RuntimeError("not connected")
        client = self.client
        self.credits = await client.remaining_credits()
        self._record_balance(client, self.credits)
        self.creditsChanged.emit(self.credits)
        return self.credits

    def _record_balance(self, client: CreatifyClient, credits: Decimal) -> None:
        """Keep the reading for the spending view (if the connection is still that one)."""
        if self.client is client and self.ledger is not None:
            try:
                self.ledger.record_balance(credits)
            except LedgerError as exc:
                log.warning("balance reading not kept: %s", exc)

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        """A loaded catalogue (``personas``, ``voices``, ``musics``, ``music_categories``,
        ``custom_templates``, ``asset_schemas``) or ``None``, in which case loading starts
        and ``catalogueLoaded`` follows."""
        if kind in self._catalogues:
            return self._catalogues[kind]
        self.load_catalogue(kind)
        return None

    @property
    def connected(self) -> bool:
        return self.client is not None

    def load_catalogue(self, kind: str) -> None:
        if self.client is None:
            self.catalogueFailed.emit(kind, "Not connected: enter your API credentials or try "
                                            "the sandbox.")
            return
        if kind in self._loading:
            return
        client = self.client
        self._loading.add(kind)

        async def run() -> None:
            try:
                items: list[dict[str, Any]] = await getattr(client, kind)()
            except Exception as exc:
                if self.client is client:
                    self._loading.discard(kind)
                    self.catalogueFailed.emit(kind, describe(exc))
                return
            if self.client is not client:  # the connection changed meanwhile: stale answer
                return
            self._loading.discard(kind)
            self._catalogues[kind] = items
            self.catalogueLoaded.emit(kind, items)
        self.tasks.spawn(run(), f"load {kind}")

    def template_detail(self, template_id: str) -> dict[str, Any] | None:
        """The detail of one Custom Template (``GET /api/custom_templates/{id}/``, with its
        ``variables``), cached for the session; ``None`` while ``templateLoaded`` (or
        ``templateFailed``) is on its way."""
        template_id = template_id.strip()

        async def fetch(client: CreatifyClient) -> Any:
            return await client.custom_template(template_id)
        detail: dict[str, Any] | None = self._lookup(
            ("custom_template", template_id), fetch,
            lambda detail: self.templateLoaded.emit(template_id, detail),
            lambda message: self.templateFailed.emit(template_id, message))
        return detail

    def music_page(self, query: MusicQuery) -> Any:
        """One page of the music library (the client's ``MusicPage``), cached for the
        session; ``None`` while ``musicPageLoaded`` (or ``musicPageFailed``) is on its way."""
        async def fetch(client: CreatifyClient) -> Any:
            return await client.music_page(page=query.page, page_size=query.page_size,
                                           search=query.search or None,
                                           category=query.category or None)
        return self._lookup(("music_page", query), fetch,
                            lambda page: self.musicPageLoaded.emit(query, page),
                            lambda message: self.musicPageFailed.emit(query, message))

    def _lookup(self, key: Hashable, fetch: Callable[[CreatifyClient], Awaitable[Any]],
                loaded: Callable[[Any], None], failed: Callable[[str], None]) -> Any:
        """A cached free read, or ``None`` and a task that fetches it (one at a time per key;
        a failure is not cached, so asking again retries)."""
        if key in self._lookups:
            return self._lookups[key]
        if self.client is None:
            failed("Not connected: enter your API credentials or try the sandbox.")
            return None
        if key in self._lookups_loading or not _loop_running():
            return None
        client = self.client
        self._lookups_loading.add(key)

        async def run() -> None:
            try:
                result = await fetch(client)
            except Exception as exc:
                if self.client is client:
                    self._lookups_loading.discard(key)
                    failed(describe(exc))
                return
            if self.client is not client:  # the connection changed meanwhile: stale answer
                return
            self._lookups_loading.discard(key)
            if len(self._lookups) >= MAX_CACHED_LOOKUPS:
                self._lookups.pop(next(iter(self._lookups)))
            self._lookups[key] = result
            loaded(result)
        self.tasks.spawn(run(), f"load {key[0] if isinstance(key, tuple) else key}")
        return None

    def image(self, url: str) -> bytes | None:
        """Cached image bytes for ``url``, or ``None`` while ``imageLoaded`` is on its way."""
        if url in self._images:
            return self._images[url]
        if url in self._images_loading or not _loop_running():
            return None  # (a Qt timer may ask while the app is shutting down)
        self._images_loading.add(url)

        async def run() -> None:
            try:
                response = await self._http().get(url, follow_redirects=True)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                log.info("thumbnail %s not loaded: %s", url, type(exc).__name__)
                self.imageFailed.emit(url, f"Image not loaded ({type(exc).__name__}).")
                return
            finally:
                self._images_loading.discard(url)
            self._images[url] = response.content[: 8 << 20]
            self.imageLoaded.emit(url, self._images[url])
        self.tasks.spawn(run(), "load image")
        return None

    # ------------------------------------------------------------------ jobs

    def _manager(self) -> JobManager:
        if self.jobs is None:
            raise RuntimeError("not connected")
        return self.jobs

    def submit(self, spec: GeneratorSpec, values: Mapping[str, Any],
               flow: Flow = Flow.CREATE,
               estimate: Decimal | None = None) -> asyncio.Task[JobRecord | None]:
        """Record and send the paid request (the user has confirmed); the job manager follows
        it to the end and saves its result."""
        jobs = self._manager()
        self.submitStarted.emit(spec.key)

        async def run() -> JobRecord | None:
            try:
                record = await jobs.submit(spec, values, flow=flow,
                                           pricing=Pricing(estimate, self.credits))
            except (CreatifyError, SpecError, LedgerError, BudgetError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return None
            self.jobSubmitted.emit(spec.key, record)
            return record
        return self.tasks.spawn(run(), f"submit {spec.key}")

    def renders_of(self, preview: JobRecord) -> list[JobRecord]:
        """The renders sent for a preview's server job (refused or failed ones left out)."""
        if self.ledger is None or preview.server_id is None:
            return []
        over = (JobState.NOT_CREATED, JobState.FAILED, JobState.REJECTED)
        return [r for r in self.ledger.on_server_job(preview.resource, preview.server_id)
                if r.key != preview.key and r.flow == "render" and r.state not in over]

    def render_preview(self, spec: GeneratorSpec, preview: JobRecord,
                       estimate: Decimal | None = None) -> None:
        """Render a finished preview (paid, confirmed by the user); a preview already
        rendered is not rendered again (nothing is sent)."""
        jobs = self._manager()
        done = self.renders_of(preview)
        if done:
            self.submitFailed.emit(spec.key, f"This preview is already rendered (job "
                                             f"{done[-1].short_key}): nothing was sent.")
            return

        async def run() -> None:
            try:
                record = await jobs.render(spec, preview,
                                           pricing=Pricing(estimate, self.credits))
            except (CreatifyError, SpecError, LedgerError, BudgetError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return
            self.jobSubmitted.emit(spec.key, record)
        self.tasks.spawn(run(), f"render {spec.key}")

    def render_style(self, spec: GeneratorSpec, compared: JobRecord, media_job: str,
                     estimate: Decimal | None = None) -> None:
        """Render the chosen style of a compare-styles job (paid, confirmed by the user)."""
        jobs = self._manager()

        async def run() -> None:
            try:
                record = await jobs.render_style(spec, compared, media_job,
                                                 pricing=Pricing(estimate))
            except (CreatifyError, SpecError, LedgerError, BudgetError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return
            self.jobSubmitted.emit(spec.key, record)
        self.tasks.spawn(run(), f"render style {spec.key}")

    def run_batch(self, target: str, shared: Mapping[str, Any], rows: list[BatchRow], *,
                  concurrency: int, media_seconds: float | None = None,
                  on_row: Callable[[int, BatchRow], None] | None = None) -> BatchRun:
        """A batch runner over this connection's job manager (the caller confirmed the
        batch and starts it with :meth:`start_batch`)."""
        jobs = self._manager()

        async def send(spec: GeneratorSpec, values: dict[str, Any],
                       estimate: Decimal | None) -> JobRecord:
            return await jobs.submit(spec, values, pricing=Pricing(estimate))
        return BatchRun(target, shared, rows, submit=send, wait=jobs.wait_ended,
                        concurrency=concurrency, on_row=on_row, media_seconds=media_seconds)

    def start_batch(self, run: BatchRun, *, failed_only: bool = False) -> asyncio.Task[Any]:
        return self.tasks.spawn(run.requeue_failed() if failed_only else run.run(), "batch")

    def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any]) -> None:
        """Stream a Text Generator answer (paid, confirmed by the user)."""
        jobs = self._manager()
        self.submitStarted.emit(spec.key)

        async def run() -> None:
            try:
                record = await jobs.stream_text(spec, values, on_delta=self.textDelta.emit,
                                                pricing=Pricing(None, self.credits))
            except (CreatifyError, SpecError, LedgerError, BudgetError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return
            self.textFinished.emit(record)
            self.refresh_credits()
        self.tasks.spawn(run(), f"stream {spec.key}")

    def look_again(self, key: str) -> None:
        jobs = self._manager()
        self.tasks.spawn(jobs.look_again(key), "look again")

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
        if self._web is not None:
            await self._web.aclose()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None


__all__ = ["Mode", "MusicQuery", "StudioService", "describe"]
