"""Following a job to its end (``--wait``), saving its results (``--download``), and the exit
code its final state means.

The session's job manager does the following (batched, backed-off polling; reconciling a lost
answer; never re-sending); this module only listens to its changes and reports them — a JSON
event per change, a progress bar on a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

from app.cli._context import Context
from app.cli._exit import CliError, Exit
from app.cli._output import job_dict
from app.jobs.ledger import DownloadState, JobRecord, JobState

SUCCESS = (JobState.DONE, JobState.IMAGE_DONE, JobState.PREVIEW_READY)
FAILED = (JobState.FAILED, JobState.REJECTED, JobState.NOT_CREATED)
SETTLED_DOWNLOADS = (DownloadState.DONE, DownloadState.FAILED)


def exit_code(record: JobRecord, *, download: bool = False) -> Exit:
    """What the job's state means for the caller (a job still running is 0: it was sent)."""
    if record.state in FAILED:
        return Exit.FAILED
    if record.state is JobState.UNKNOWN:
        return Exit.UNKNOWN
    if download and record.state in SUCCESS and record.download_state is DownloadState.FAILED:
        return Exit.FAILED
    return Exit.DONE


def find_job(records: list[JobRecord], ref: str) -> JobRecord:
    """A job by its local key, the key's first characters (8 are shown) or Creatify's id."""
    ref = ref.strip()
    exact = [r for r in records if ref in (r.key, r.server_id)]
    if exact:
        return exact[-1] if len(exact) == 1 else max(exact, key=lambda r: r.created_at)
    found = [r for r in records if len(ref) >= 4 and r.key.startswith(ref)]
    if len(found) == 1:
        return found[0]
    if found:
        raise CliError(f"{ref!r} names {len(found)} jobs: give more of the key.", Exit.USAGE)
    raise CliError(f"No job {ref!r} in this data folder's ledger "
                   "(see `creatify-studio jobs`).", Exit.USAGE)


class Reporter:
    """Reports changes of the jobs a command follows, once per visible change."""

    def __init__(self, ctx: Context, keys: Callable[[str], bool]) -> None:
        self.ctx = ctx
        self.keys = keys
        self.changed = asyncio.Event()
        self._last: dict[str, tuple[str, float | None, str]] = {}
        self._lines: dict[str, str] = {}  # the state last written as a plain line, per job

    def __call__(self, record: JobRecord) -> None:
        if not self.keys(record.key):
            return
        self.changed.set()
        progress = round(record.progress, 2) if record.progress is not None else None
        seen = (record.state.value, progress, record.download_state.value)
        if self._last.get(record.key) == seen:
            return
        self._last[record.key] = seen
        out = self.ctx.out
        out.emit("job", job=job_dict(record))
        label = f"{record.short_key} {record.generator}"
        state = record.state.value if record.download_state in (
            DownloadState.NONE, DownloadState.DONE) else f"saving ({record.download_state})"
        if out.tty:
            out.progress(label, record.progress if not record.state.is_terminal else 1.0, state)
        elif not out.json and self._lines.get(record.key) != state:
            self._lines[record.key] = state
            out.line(f"{label}: {state}")

    async def next_change(self, within: float = 1.0) -> None:
        """Until the next change of a followed job, or ``within`` seconds (a safety net)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self.changed.wait()
        self.changed.clear()


async def follow(ctx: Context, record: JobRecord, *, wait: bool, download: bool) -> JobRecord:
    """Report ``record``'s changes; with ``wait`` until it ends (a preview: until it is
    ready; a lost answer: at once, ``unknown``), then with ``download`` save its results."""
    session = ctx.connected()
    reporter = Reporter(ctx, lambda key: key == record.key)
    ctx.changes.append(reporter)
    try:
        reporter(record)
        if wait:  # polled here, or seen in the ledger while another process follows
            record = await session.wait_ended(record.key)
        if download and record.state in (JobState.DONE, JobState.IMAGE_DONE) \
                and record.result_urls:
            record = await save(ctx, record, reporter)
    finally:
        ctx.changes.remove(reporter)
    return session.job(record.key) or record


async def save(ctx: Context, record: JobRecord, reporter: Reporter, *,
               again: bool = False) -> JobRecord:
    """Save the job's results into the session's output folder and wait for the end
    (``again``: even when a copy was saved there before).

    A download already under way — resumed by the job manager at start, or the window's
    automatic one when it follows the jobs — is waited for, never started twice; a copy
    that landed elsewhere (the window's output folder) is then saved here too."""
    session = ctx.connected()
    folder = ctx.output_dir()
    asked = False
    while True:
        current = session.job(record.key) or record
        if current.download_state in (DownloadState.QUEUED, DownloadState.DOWNLOADING):
            await reporter.next_change()
            continue
        if asked and current.download_state in SETTLED_DOWNLOADS:
            return current
        here = current.download_path is not None \
            and Path(current.download_path).is_relative_to(folder)
        if current.download_state is DownloadState.DONE and here and not again:
            return current
        session.download_again(record.key)
        asked = True


__all__ = ["FAILED", "SUCCESS", "Reporter", "exit_code", "find_job", "follow", "save"]
