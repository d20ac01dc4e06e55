"""Downloads of finished results: queued behind a concurrency limit, resumable, a fresh URL
fetched when the old one expired, a sidecar JSON beside each file. Their ledger writes go
through the writer (off the event-loop thread); progress is written at most one at a time
per job, the latest figure winning."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from pathlib import Path
from typing import Any

from app.api.errors import CreatifyError
from app.downloads import DownloadError, fetch_results, render_name, result_targets
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.jobs.manager._base import ManagerBase

log = logging.getLogger(__package__)


class Downloads(ManagerBase):
    """Saves finished results: on a change (when automatic), at start-up (resumed) and on
    demand (:meth:`download`)."""

    def _changed(self, record: JobRecord) -> None:
        self._on_change(record)
        self._maybe_download(record)

    def _maybe_download(self, record: JobRecord, *, resume: bool = False) -> None:
        wanted = record.state in (JobState.DONE, JobState.IMAGE_DONE) and record.result_urls \
            and record.download_state in (DownloadState.NONE, DownloadState.QUEUED,
                                          DownloadState.DOWNLOADING)
        # Saving automatically is the follower's duty; any process may download on demand.
        if wanted and (self.auto_download or resume) and self.is_follower \
                and record.key not in self._downloading:
            if resume:  # at start-up or on taking over: queued before anyone else looks
                self.download(record.key)
            else:  # a poll's answer marked it queued as it finished (else the writer does)
                self._start(record.key, mark=record.download_state is not DownloadState.QUEUED)

    def download(self, key: str) -> asyncio.Task[Any]:
        """Save job ``key``'s result (again): queued behind the concurrency limit. The row
        says ``queued`` when this returns (a caller waiting for the download reads it)."""
        self._on_change(self.ledger.set_download(key, DownloadState.QUEUED))
        return self._start(key, mark=False)

    def _start(self, key: str, *, mark: bool) -> asyncio.Task[Any]:
        """The download task; ``mark``: the writer marks the row queued first (an automatic
        download: nothing is written on the loop thread)."""
        self._downloading.add(key)

        async def run() -> None:
            try:
                if mark:
                    self._on_change(await self.writer.set_download(key, DownloadState.QUEUED))
                await self.downloads.run(lambda: self._download(key))
            finally:
                self._downloading.discard(key)
        return self.tasks.spawn(run(), f"download {key[:8]}")

    async def _download(self, key: str) -> None:
        """Save every result of job ``key`` (an Image Ad's images, an asset task's outputs),
        each under its own name with its sidecar; the first one's path is recorded."""
        record = self.ledger.get(key)
        first = Path(record.download_path) if record.download_path else None
        progress = _Progress(self, key)

        async def refresh() -> tuple[str, ...]:
            # Result links expire: read the job again for fresh ones.
            nonlocal record
            if record.server_id is None:
                return ()
            record = await self.writer.apply_snapshot(
                key, await self.client.get_job(record.resource, record.server_id))
            return record.result_urls
        try:
            stem = render_name(self.name_template, generator=record.generator,
                               title=record.title, created=record.created_at,
                               job_id=record.server_id or record.key)
            targets = result_targets(self.output_dir, stem, record.result_urls, first,
                                     reserve=True)
            if targets:
                first = targets[0]
                self._on_change(await self.writer.set_download(
                    key, DownloadState.DOWNLOADING, path=str(first)))
            saved = await fetch_results(self._web, record.result_urls, self.output_dir, stem,
                                        first=first, info=self._sidecar_info(record),
                                        refresh=refresh, progress=progress)
        except (DownloadError, CreatifyError) as exc:
            message = exc.message if isinstance(exc, CreatifyError) else str(exc)
            await progress.settled()
            self._on_change(await self.writer.set_download(key, DownloadState.FAILED,
                                                           error=message))
            return
        await progress.settled()
        self._on_change(await self.writer.set_download(key, DownloadState.DONE,
                                                       path=str(saved.first),
                                                       bytes_done=saved.bytes))

    @staticmethod
    def _sidecar_info(record: JobRecord) -> dict[str, Any]:
        return {
            "job": {"local_key": record.key, "server_id": record.server_id,
                    "generator": record.generator, "resource": record.resource,
                    "flow": record.flow, "status": record.raw_status},
            "inputs": dict(record.request), "estimate_credits": record.estimate,
            "credits_used": record.credits_used, "duration": record.duration,
            "created_at": record.created_at, "finished_at": record.finished_at,
        }


class _Progress:
    """A download's progress written through the writer: one write at a time per job, the
    latest figure winning (bytes that came meanwhile do not queue a write each); reported
    from the loop thread or from a transfer's own thread."""

    def __init__(self, manager: Downloads, key: str) -> None:
        self._manager = manager
        self._key = key
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._latest = 0
        self._writing: asyncio.Task[Any] | None = None

    def __call__(self, done: int, _total: int | None) -> None:
        if threading.get_ident() == self._thread:
            self._report(done)
        else:
            self._loop.call_soon_threadsafe(self._report, done)

    def _report(self, done: int) -> None:
        self._latest = done
        if self._writing is None or self._writing.done():
            self._writing = self._manager.tasks.spawn(self._write(),
                                                      f"progress {self._key[:8]}")

    async def _write(self) -> None:
        written = None
        while written != self._latest:
            written = self._latest
            self._manager._on_change(await self._manager.writer.set_download(
                self._key, DownloadState.DOWNLOADING, bytes_done=written))

    async def settled(self) -> None:
        """The progress writes are over, so the final state is the last word."""
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await self._writing
