"""The one QObject that bridges the core to the widgets.

Widgets never import httpx and never await the client: they call methods here (which start
tasks) and listen to the signals. Everything the service does is plain core code underneath.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal

from app.api.client import CreatifyClient, validate_base_url
from app.api.errors import CreatifyError
from app.api.snapshot import JobSnapshot, JobStatus
from app.credentials import Credentials
from app.downloads import DownloadError, download
from app.generators import Flow, GeneratorSpec, SpecError
from app.generators.submit import render, request_body, submit
from app.sandbox import Sandbox

log = logging.getLogger(__name__)

SANDBOX_SPEED = 20.0
"""The offline sandbox runs jobs this many times faster than Creatify (minutes → seconds)."""
POLL_INTERVAL = (1.0, 10.0)
"""Seconds between reads of a followed job: quick at first, then backing off."""


class Mode:
    NONE = "none"
    SANDBOX = "sandbox"
    LIVE = "live"


class TaskGroup:
    """Owns the service's tasks: keeps references, reports failures, cancels on close."""

    def __init__(self, on_error: Any) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("task %s failed", task.get_name(), exc_info=exc)
            self._on_error(task.get_name(), exc)

    def __len__(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def describe(exc: BaseException) -> str:
    """A message for the user from any error the core raises."""
    if isinstance(exc, CreatifyError):
        return exc.message
    if isinstance(exc, SpecError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, DownloadError | ValueError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


class StudioService(QObject):
    """Connection, credits, catalogues, submissions, following jobs and downloads."""

    modeChanged = Signal(str)                 # Mode.*
    creditsChanged = Signal(object)           # Decimal | None
    creditsFailed = Signal(str)
    catalogueLoaded = Signal(str, list)       # kind, items
    catalogueFailed = Signal(str, str)        # kind, message
    connectionTested = Signal(bool, str)      # ok, message
    submitStarted = Signal(str)               # generator key
    submitFailed = Signal(str, str)           # generator key, message
    jobSubmitted = Signal(str, object)        # generator key, JobSnapshot
    jobUpdated = Signal(str, object)          # generator key, JobSnapshot
    jobFinished = Signal(str, object)         # generator key, JobSnapshot (terminal)
    downloadFinished = Signal(str, str)       # job id, path
    downloadFailed = Signal(str, str)         # job id, message
    textDelta = Signal(str)                   # streamed Text Generator text
    textFinished = Signal(object)             # the final StreamEvent
    errorRaised = Signal(str)                 # something failed in the background
    imageLoaded = Signal(str, bytes)          # url, image bytes (thumbnails for pickers)
    imageFailed = Signal(str, str)            # url, message

    def __init__(self, output_dir: Path, *, auto_download: bool = True,
                 sandbox_speed: float = SANDBOX_SPEED, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.output_dir = output_dir
        self.auto_download = auto_download
        self.sandbox_speed = sandbox_speed
        self.mode = Mode.NONE
        self.credits: Decimal | None = None
        self.client: CreatifyClient | None = None
        self.sandbox: Sandbox | None = None
        self._catalogues: dict[str, list[dict[str, Any]]] = {}
        self._loading: set[str] = set()           # catalogue kinds being fetched
        self._images: dict[str, bytes] = {}
        self._images_loading: set[str] = set()
        self._web: httpx.AsyncClient | None = None  # made on first use (TLS set-up is slow)
        self.tasks = TaskGroup(lambda name, exc: self.errorRaised.emit(
            f"{name}: {describe(exc)}"))

    def _http(self) -> httpx.AsyncClient:
        """The client for public media (thumbnails, results): no API credentials on it."""
        if self._web is None:
            self._web = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        return self._web

    # ------------------------------------------------------------------ connection

    async def _replace_client(self, client: CreatifyClient | None) -> None:
        old, self.client = self.client, client
        self._catalogues.clear()
        self._loading.clear()
        self.credits = None
        if old is not None:
            await old.aclose()

    async def use_sandbox(self) -> str:
        """Start the simulator on a free loopback port and talk to it; returns its URL."""
        if self.sandbox is None:
            self.sandbox = Sandbox(speed=self.sandbox_speed)
            await asyncio.to_thread(self.sandbox.start)
        await self._replace_client(CreatifyClient("sandbox", "sandbox",
                                                  base_url=self.sandbox.base_url))
        self.mode = Mode.SANDBOX
        self.modeChanged.emit(self.mode)
        self.refresh_credits()
        return self.sandbox.base_url

    async def use_credentials(self, creds: Credentials, base_url: str) -> None:
        await self._replace_client(CreatifyClient(creds.api_id, creds.api_key,
                                                  base_url=validate_base_url(base_url)))
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None
        self.mode = Mode.LIVE
        self.modeChanged.emit(self.mode)
        self.refresh_credits()

    async def disconnect(self) -> None:
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
            log.info("remaining credits: %s", self.credits)
            self.creditsChanged.emit(self.credits)
        self.tasks.spawn(run(), "refresh credits")

    async def fetch_credits(self) -> Decimal:
        """The balance now (free), awaited: for callers that must check before paying."""
        if self.client is None:
            raise RuntimeError("not connected")
        self.credits = await self.client.remaining_credits()
        self.creditsChanged.emit(self.credits)
        return self.credits

    def catalogue(self, kind: str) -> list[dict[str, Any]] | None:
        """A loaded catalogue (``personas``, ``voices``, ``musics``, ``asset_schemas``) or
        ``None``, in which case loading starts and ``catalogueLoaded`` follows."""
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

    def image(self, url: str) -> bytes | None:
        """Cached image bytes for ``url``, or ``None`` while ``imageLoaded`` is on its way."""
        if url in self._images:
            return self._images[url]
        if url in self._images_loading:
            return None
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

    def submit(self, spec: GeneratorSpec, values: Mapping[str, Any],
               flow: Flow = Flow.CREATE) -> asyncio.Task[JobSnapshot | None]:
        """Send the paid request (the user has confirmed), then follow the job to its end."""
        if self.client is None:
            raise RuntimeError("not connected")
        client = self.client
        self.submitStarted.emit(spec.key)

        async def run() -> JobSnapshot | None:
            try:
                snap = await submit(client, spec, values, flow=flow)
            except (CreatifyError, SpecError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return None
            self.jobSubmitted.emit(spec.key, snap)
            return await self._follow(client, spec, snap)
        return self.tasks.spawn(run(), f"submit {spec.key}")

    def render_preview(self, spec: GeneratorSpec, job_id: str) -> None:
        """Render a finished preview (paid, confirmed by the user)."""
        if self.client is None:
            raise RuntimeError("not connected")
        client = self.client

        async def run() -> None:
            try:
                snap = await render(client, spec, job_id)
            except CreatifyError as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return
            self.jobSubmitted.emit(spec.key, snap)
            await self._follow(client, spec, snap)
        self.tasks.spawn(run(), f"render {spec.key}")

    async def _follow(self, client: CreatifyClient, spec: GeneratorSpec,
                      snap: JobSnapshot) -> JobSnapshot:
        started = time.monotonic()
        while not snap.is_terminal:
            age = time.monotonic() - started
            await asyncio.sleep(min(POLL_INTERVAL[1], POLL_INTERVAL[0] + age / 10)
                                / (self.sandbox_speed if self.mode == Mode.SANDBOX else 1))
            try:
                snap = await client.get_job(snap.resource, snap.id)
            except CreatifyError as exc:
                if not exc.retryable:
                    raise
                log.info("reading %s %s failed (%s); trying again", snap.resource, snap.id,
                         exc.message)
                continue
            self.jobUpdated.emit(spec.key, snap)
        self.jobFinished.emit(spec.key, snap)
        self.refresh_credits()
        if snap.status.is_success and self.auto_download and snap.result_urls:
            await self.download(spec, snap)
        return snap

    async def download(self, spec: GeneratorSpec, snap: JobSnapshot) -> Path | None:
        url = snap.result_urls[0]
        stem = f"{spec.key}_{time.strftime('%Y%m%d-%H%M%S')}_{snap.id[:8]}"
        try:
            path = await download(self._http(), url, self.output_dir, stem)
        except DownloadError as exc:
            self.downloadFailed.emit(snap.id, str(exc))
            return None
        self.downloadFinished.emit(snap.id, str(path))
        return path

    def stream_text(self, spec: GeneratorSpec, values: Mapping[str, Any]) -> None:
        """Stream a Text Generator answer (paid, confirmed by the user)."""
        if self.client is None:
            raise RuntimeError("not connected")
        client = self.client
        self.submitStarted.emit(spec.key)

        async def run() -> None:
            final = None
            try:
                body = request_body(spec, values)
                async for event in client.text_generate_stream(body):
                    if event.delta:
                        self.textDelta.emit(event.delta)
                    if event.done:
                        final = event
            except (CreatifyError, SpecError) as exc:
                self.submitFailed.emit(spec.key, describe(exc))
                return
            self.textFinished.emit(final)
            self.refresh_credits()
        self.tasks.spawn(run(), f"stream {spec.key}")

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        await self.tasks.aclose()
        await self._replace_client(None)
        if self._web is not None:
            await self._web.aclose()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None


__all__ = ["JobStatus", "Mode", "StudioService", "TaskGroup", "describe"]
