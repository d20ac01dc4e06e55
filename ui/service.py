"""The one QObject that bridges the core to the widgets.

Widgets never import httpx and never await the client: they call methods here (which start
tasks) and listen to the signals. Underneath is a Qt-free :class:`app.session.Session`: this
adapter turns its callbacks into signals and its calls into tasks, and is the only module of
``ui`` that reaches the ledger or the job manager (through the session). Two controllers that
are not widgets reach the connected client through :attr:`StudioService.client` for calls that
are not jobs: the galleries' filtered avatar read and "My avatars and voices" (custom avatars,
voice clones), each on the service's task group.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.api.client import DEFAULT_BASE_URL
from app.batch import BatchRow, BatchRun
from app.credentials import Credentials, KeyCheck, check_credentials
from app.generators import Flow, GeneratorSpec
from app.jobs.budget import BudgetLimits
from app.jobs.ledger import JobRecord, JobState, Ledger, LedgerError
from app.pricing import Bound
from app.pricing.learned import LearnedCharge
from app.session import (
    MAX_CACHED_LOOKUPS,
    PAID_ERRORS,
    SANDBOX_SPEED,
    Mode,
    MusicQuery,
    SandboxControlError,
    SandboxState,
    Session,
    SessionEvents,
    describe,
)
from app.spending import SpendingRow, export_balance_csv, export_csv, spending_rows
from ui.common.background import Batcher, run_in_thread
from ui.uploads import UploadService

if TYPE_CHECKING:
    from app.api.client import CreatifyClient


def _qt_later(seconds: float, callback: Callable[[], None]) -> None:
    QTimer.singleShot(round(seconds * 1000), callback)


def export_in_thread(parent: QObject, ledger_path: str, path: str,
                     done: Callable[[int | None, str | None], None], *,
                     balance: bool = False) -> None:
    """Write the ledger's jobs (or balance readings) to ``path`` as CSV in a worker thread,
    over the thread's own connection to the ledger file, so a long history never holds the
    window up; then ``done(count, None)`` — or ``done(None, reason)`` when it failed
    (nothing written) — in the GUI thread."""
    write = export_balance_csv if balance else export_csv

    def work() -> int:
        with Ledger(ledger_path) as own:
            return write(own, path)

    def finished(count: object, error: Exception | None) -> None:
        if error is None:
            done(count if isinstance(count, int) else None, None)
        else:
            done(None, error.strerror if isinstance(error, OSError) and error.strerror
                 else str(error))
    run_in_thread(parent, work, finished, errors=(OSError, LedgerError), name="csv export")


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
    jobsChanged = Signal(object)              # {key: JobRecord}: a moment's changes, batched
    jobsReloaded = Signal()                   # a new connection: the queue shows its ledger
    textDelta = Signal(str)                   # streamed Text Generator text
    textFinished = Signal(object)             # the Text Generator's JobRecord
    errorRaised = Signal(str)                 # something failed in the background
    imageLoaded = Signal(str, bytes)          # url, image bytes (thumbnails for pickers)
    imageFailed = Signal(str, str)            # url, message
    committedChanged = Signal(object)         # Decimal: credits committed to jobs in flight
    followerChanged = Signal(bool, object)    # this window polls the jobs?, who does (or None)

    def __init__(self, output_dir: Path, *, data_dir: Path | None = None,
                 auto_download: bool = True, sandbox_speed: float = SANDBOX_SPEED,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        events = SessionEvents(
            mode_changed=self.modeChanged.emit, credits_changed=self.creditsChanged.emit,
            credits_failed=self.creditsFailed.emit, catalogue_loaded=self.catalogueLoaded.emit,
            catalogue_failed=self.catalogueFailed.emit, template_loaded=self.templateLoaded.emit,
            template_failed=self.templateFailed.emit,
            music_page_loaded=self.musicPageLoaded.emit,
            music_page_failed=self.musicPageFailed.emit, image_loaded=self.imageLoaded.emit,
            image_failed=self.imageFailed.emit, job_changed=self._job_changed,
            jobs_reloaded=self._jobs_reloaded, committed_changed=self.committedChanged.emit,
            follower_changed=self.followerChanged.emit, error=self.errorRaised.emit)
        self.session = Session(output_dir, data_dir=data_dir, auto_download=auto_download,
                               sandbox_speed=sandbox_speed, events=events, later=_qt_later)
        self.tasks = self.session.tasks
        # The API address connections use (the entry point sets it, from ``api_base_url``):
        # the credentials dialog checks a key there, never anywhere else.
        self.base_url: str | None = None
        self._batches: Batcher[str, JobRecord] = Batcher(self.jobsChanged.emit,
                                                         self.BATCH_MS, self)
        # Local files for URL fields: the one uploader, its tasks in this task group.
        self.uploads = UploadService(self.tasks.spawn, self.session.data_dir, self)

    BATCH_MS = 50
    """``jobsChanged`` comes at most this often: a burst of changes (a poll's page of jobs,
    a thousand submissions) is one batch; a lone change goes out on the next loop turn."""

    def _job_changed(self, record: JobRecord) -> None:
        """Each change: ``jobChanged`` now, and (the last one per job) in the next
        ``jobsChanged`` batch: a dict from job key to the job's latest record, in the order
        the jobs first changed (a page looks up its own job; the Jobs list takes them all)."""
        self.jobChanged.emit(record)
        self._batches.add(record.key, record)

    def flush_job_changes(self) -> None:
        """Send the changes kept so far as a ``jobsChanged`` batch now."""
        self._batches.flush()

    def _jobs_reloaded(self) -> None:
        self.flush_job_changes()  # the old ledger's last changes first, as they happened
        self.jobsReloaded.emit()

    # ------------------------------------------------------------------ state (the session's)

    @property
    def output_dir(self) -> Path:
        return self.session.output_dir

    @property
    def data_dir(self) -> Path:
        return self.session.data_dir

    @property
    def cache_dir(self) -> Path:
        """Where the session keeps what can be fetched again (catalogues, pictures)."""
        return self.session.cache_dir

    @property
    def client(self) -> CreatifyClient | None:
        """The connected API client for free reads and account changes outside the job
        queue (filtered avatars, custom avatars, voice clones); None when not connected.
        Paid creates go through :meth:`submit` and the ledger, never through this."""
        return self.session.client

    @property
    def mode(self) -> str:
        return self.session.mode

    @property
    def credits(self) -> Decimal | None:
        return self.session.credits

    @property
    def committed(self) -> Decimal:
        return self.session.committed

    @property
    def connected(self) -> bool:
        return self.session.connected

    @property
    def budget(self) -> BudgetLimits:
        return self.session.budget

    @budget.setter
    def budget(self, value: BudgetLimits) -> None:
        self.session.budget = value

    @property
    def auto_download(self) -> bool:
        return self.session.auto_download

    @auto_download.setter
    def auto_download(self, value: bool) -> None:
        self.session.auto_download = value

    @property
    def name_template(self) -> str:
        return self.session.name_template

    @name_template.setter
    def name_template(self, value: str) -> None:
        self.session.name_template = value

    # ------------------------------------------------------------------ connection

    async def use_sandbox(self) -> str:
        """Start the simulator on a free loopback port and talk to it; returns its URL."""
        return await self.session.use_sandbox()

    async def use_credentials(self, creds: Credentials, base_url: str) -> None:
        await self.session.use_credentials(creds.api_id, creds.api_key, base_url)

    async def drop_connection(self) -> None:
        """Stop using any account: jobs stop being followed, the mode becomes ``NONE``.

        (Not ``disconnect``: that name is ``QObject.disconnect``, which Qt code may call.)
        """
        await self.session.drop_connection()

    def test_connection(self, creds: Credentials, base_url: str,
                        done: Callable[[KeyCheck], None] | None = None) -> None:
        """Ask ``base_url`` for the free balance with ``creds`` (``app.credentials.
        check_credentials``); report through ``connectionTested`` and ``done``."""
        async def run() -> None:
            check = await check_credentials(creds, base_url)
            self.connectionTested.emit(check.accepted, check.message)
            if done is not None:
                done(check)
        self.tasks.spawn(run(), "test connection")

    # ------------------------------------------------------------------ credits, free reads

    def refresh_credits(self) -> None:
        self.session.refresh_credits()

    async def fetch_credits(self) -> Decimal:
        """The balance now (free), awaited: for callers that must check before paying."""
        return await self.session.fetch_credits()

    async def read_catalogue(self, kind: str) -> list[dict[str, Any]]:
        """A catalogue read now (free, not cached), awaited: for checks such as the
        self-test."""
        return await self.session.read_catalogue(kind)

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        """A loaded catalogue (``personas``, ``voices``, ``musics``, ``music_categories``,
        ``custom_templates``, ``asset_schemas``) or ``None``, in which case loading starts
        and ``catalogueLoaded`` follows."""
        return self.session.catalogue(kind)

    def load_catalogue(self, kind: str) -> None:
        self.session.load_catalogue(kind)

    def catalogue_date(self, kind: str) -> datetime | None:
        """When the catalogue shown was fetched from Creatify (a cached one's fetch date);
        ``None`` when none is held."""
        return self.session.catalogue_date(kind)

    def learned_price(self, key: str) -> LearnedCharge | None:
        """What the last finished job with this price key was charged (``quote``'s
        ``learned``): the estimate of a model without a table price shows it."""
        return self.session.learned_price(key)

    def template_detail(self, template_id: str) -> dict[str, Any] | None:
        """The detail of one Custom Template, cached for the session; ``None`` while
        ``templateLoaded`` (or ``templateFailed``) is on its way."""
        return self.session.template_detail(template_id)

    def music_page(self, query: MusicQuery) -> Any:
        """One page of the music library (the client's ``MusicPage``), cached for the
        session; ``None`` while ``musicPageLoaded`` (or ``musicPageFailed``) is on its way."""
        return self.session.music_page(query)

    def image(self, url: str) -> bytes | None:
        """Cached image bytes for ``url``, or ``None`` while ``imageLoaded`` is on its way."""
        return self.session.image(url)

    # ------------------------------------------------------------------ paid requests

    def _paid(self, key: str, send: Coroutine[Any, Any, JobRecord], name: str,
              done: Callable[[JobRecord], None]) -> asyncio.Task[JobRecord | None]:
        """Run one paid request as a task: a refusal becomes ``submitFailed`` (and ``None``),
        the record goes to ``done``."""
        async def run() -> JobRecord | None:
            try:
                record = await send
            except PAID_ERRORS as exc:
                self.submitFailed.emit(key, describe(exc))
                return None
            done(record)
            return record
        return self.tasks.spawn(run(), name)

    def _submitted(self, key: str) -> Callable[[JobRecord], None]:
        return lambda record: self.jobSubmitted.emit(key, record)

    def submit(self, spec: GeneratorSpec, values: Mapping[str, Any],
               flow: Flow = Flow.CREATE, estimate: Decimal | None = None,
               bound: Bound | None = None) -> asyncio.Task[JobRecord | None]:
        """Record and send the paid request (the user has confirmed); the job manager follows
        it to the end and saves its result. ``bound`` says how sure ``estimate`` is (a
        minimum, unknown) for the budget guard; ``None`` lets the session decide."""
        send = self.session.submit(spec, values, flow, estimate, bound)
        self.submitStarted.emit(spec.key)
        return self._paid(spec.key, send, f"submit {spec.key}", self._submitted(spec.key))

    def renders_of(self, preview: JobRecord) -> list[JobRecord]:
        """The renders sent for a preview's server job (refused or failed ones left out)."""
        return self.session.renders_of(preview)

    def render_preview(self, spec: GeneratorSpec, preview: JobRecord,
                       estimate: Decimal | None = None) -> None:
        """Render a finished preview (paid, confirmed by the user); a preview already
        rendered is not rendered again (the job manager refuses it: nothing is sent)."""
        send = self.session.render_preview(spec, preview, estimate)
        self._paid(spec.key, send, f"render {spec.key}", self._submitted(spec.key))

    def render_style(self, spec: GeneratorSpec, compared: JobRecord, media_job: str,
                     estimate: Decimal | None = None) -> None:
        """Render the chosen style of a compare-styles job (paid, confirmed by the user)."""
        send = self.session.render_style(spec, compared, media_job, estimate)
        self._paid(spec.key, send, f"render style {spec.key}", self._submitted(spec.key))

    def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any]) -> None:
        """Stream a Text Generator answer (paid, confirmed by the user)."""
        send = self.session.stream_text(spec, values, self.textDelta.emit)
        self.submitStarted.emit(spec.key)

        def done(record: JobRecord) -> None:
            self.textFinished.emit(record)
            self.session.refresh_credits()
        self._paid(spec.key, send, f"stream {spec.key}", done)

    def run_batch(self, target: str, shared: Mapping[str, Any], rows: list[BatchRow], *,
                  concurrency: int, media_seconds: float | None = None,
                  on_row: Callable[[int, BatchRow], None] | None = None) -> BatchRun:
        """A batch runner over this connection's job manager (the caller confirmed the
        batch and starts it with :meth:`start_batch`)."""
        send, wait = self.session.batch_calls()
        return BatchRun(target, shared, rows, submit=send, wait=wait,
                        concurrency=concurrency, on_row=on_row, media_seconds=media_seconds)

    def start_batch(self, run: BatchRun, *, failed_only: bool = False) -> asyncio.Task[Any]:
        return self.tasks.spawn(run.requeue_failed() if failed_only else run.run(), "batch")

    # ------------------------------------------------------------------ jobs

    def look_again(self, key: str) -> None:
        self.tasks.spawn(self.session.look_again(key), "look again")

    def download_again(self, key: str) -> None:
        self.session.download_again(key)

    def stop_watching(self, key: str) -> None:
        self.session.stop_watching(key)

    def set_hidden(self, key: str, hidden: bool) -> None:
        self.session.set_hidden(key, hidden)

    def jobs_page(self, limit: int = 5000) -> list[JobRecord]:
        """The newest ``limit`` jobs of this connection's ledger (none when not connected)."""
        return self.session.jobs_page(limit)

    def jobs_page_in_thread(self, parent: QObject, limit: int, done: Callable[
            [list[JobRecord] | None, str | None], None], *, chunk: int = 0,
            pause_s: float = 0.004) -> bool:
        """Read the newest ``limit`` jobs in a worker thread over its own connection to this
        connection's ledger, then ``done(jobs, None)`` — or ``done(None, reason)`` — in
        ``parent``'s thread (nothing once ``parent`` is deleted); False when not connected.
        ``chunk``: read that many at a time, the interpreter lock let go for ``pause_s`` between
        reads (decoding rows holds it: a GUI thread painting meanwhile would wait for it)."""
        ledger = self.session.ledger
        if ledger is None:
            return False
        path = ledger.path

        def work() -> list[JobRecord]:
            with Ledger(path) as own:
                if chunk <= 0:
                    return own.page(limit=limit)
                jobs: list[JobRecord] = []
                seen: set[str] = set()
                offset = 0
                while len(jobs) < limit:
                    part = own.page(offset=offset, limit=min(chunk, limit - len(jobs)))
                    offset += len(part)
                    # A job sent meanwhile pushes the pages down by one: never listed twice.
                    jobs.extend(r for r in part if r.key not in seen)
                    seen.update(r.key for r in part)
                    if len(part) < chunk:
                        break
                    time.sleep(pause_s)
                return jobs

        def finished(jobs: object, error: Exception | None) -> None:
            done(jobs if isinstance(jobs, list) else None, None if error is None else str(error))
        run_in_thread(parent, work, finished, errors=(OSError, LedgerError, sqlite3.Error),
                      name="jobs page")
        return True

    def job(self, key: str) -> JobRecord | None:
        """One job as the ledger holds it now, or ``None``."""
        return self.session.job(key)

    def all_finished(self) -> bool:
        """Connected, and no job is followed any more."""
        return self.session.all_finished()

    # ------------------------------------------------------------------ spending

    def spending_since(self, since: datetime) -> tuple[
            list[SpendingRow], list[tuple[datetime, Decimal]]] | None:
        """The paid jobs and balance readings since ``since``; ``None`` when not connected.
        Raises :class:`~app.jobs.ledger.LedgerError` when the ledger cannot be read."""
        ledger = self.session.ledger
        if ledger is None:
            return None
        return spending_rows(ledger, since), ledger.balance_readings(since)

    def export_jobs(self, path: str) -> int | None:
        """Write every job to ``path`` as CSV: the count, or ``None`` when not connected.
        Raises ``OSError`` or :class:`~app.jobs.ledger.LedgerError` (nothing written)."""
        ledger = self.session.ledger
        return export_csv(ledger, path) if ledger is not None else None

    def export_balance(self, path: str) -> int | None:
        """Write every balance reading to ``path`` as CSV (as :meth:`export_jobs`)."""
        ledger = self.session.ledger
        return export_balance_csv(ledger, path) if ledger is not None else None

    def export_in_thread(self, path: str, done: Callable[[int | None, str | None], None],
                         *, balance: bool = False) -> bool:
        """:meth:`export_jobs` (or :meth:`export_balance`) in a worker thread, over its own
        connection to the ledger file (:func:`export_in_thread`); False (and no call of
        ``done``) when not connected."""
        ledger = self.session.ledger
        if ledger is None:
            return False
        export_in_thread(self, ledger.path, path, done, balance=balance)
        return True

    def running_jobs(self) -> list[JobRecord]:
        """The jobs still running (sent, not ended; an unknown create left out), oldest first:
        they go on at Creatify when the window closes. None when not connected."""
        ledger = self.session.ledger
        if ledger is None:
            return []
        return [r for r in ledger.active() if r.state is not JobState.UNKNOWN]

    # ------------------------------------------------------------------ the sandbox's controls

    @property
    def sandbox_address(self) -> str | None:
        """Where the sandbox in use is served (``http://127.0.0.1:PORT``); ``None`` outside
        sandbox mode."""
        return self.session.sandbox_address

    @property
    def sandbox_served_here(self) -> bool:
        """Whether this window runs the sandbox (else another Creatify Studio does)."""
        return self.session.sandbox_served_here

    async def sandbox_status(self) -> tuple[SandboxState, dict[str, Any], dict[str, bool]]:
        """The sandbox's account state, fault knobs and docs quirks, read now (free, over its
        ``/_sandbox/*`` endpoints). :class:`SandboxControlError` says why not."""
        controls = self.session.sandbox_controls()
        return await controls.state(), await controls.faults(), await controls.quirks()

    async def set_sandbox_faults(self, **changes: Any) -> dict[str, Any]:
        """Change some of the sandbox's faults now (they last until it stops); every knob's
        new value. :class:`SandboxControlError` with the sandbox's reason when refused."""
        return await self.session.sandbox_controls().set_faults(**changes)

    async def set_sandbox_quirks(self, **changes: bool) -> dict[str, bool]:
        """Turn some of the sandbox's docs quirks on or off now; every quirk's new value."""
        return await self.session.sandbox_controls().set_quirks(**changes)

    async def reset_sandbox(self) -> str:
        """Forget the sandbox's account and its jobs and start it afresh (the Jobs list and
        the balance follow through ``jobsReloaded`` and ``creditsChanged``); its URL.
        ``RuntimeError`` while another Creatify Studio serves it."""
        return await self.session.reset_sandbox()

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        await self.session.aclose()


__all__ = ["DEFAULT_BASE_URL", "MAX_CACHED_LOOKUPS", "SANDBOX_SPEED", "Mode", "MusicQuery",
           "SandboxControlError", "SandboxState", "StudioService", "describe",
           "export_in_thread"]
