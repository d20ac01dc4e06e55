"""The ``httpx`` route's body: read on the event loop (``aiter_raw``), written by a writer
thread in batches of 1 MiB or more (one batch in flight while the next one fills), so no
``write``/``fsync`` runs on the loop's thread (the GUI thread)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from pathlib import Path

import httpx

from app.downloads._answer import checked_span, cut_short, too_large
from app.downloads._part import PartFile

Report = Callable[[int, int | None, bool], None]

BATCH = 1 << 20
"""Bytes gathered before they are handed to the writer thread."""


class _Writer:
    """``part`` from ``start`` written in a thread of its own, in the order given."""

    def __init__(self, part: Path, start: int) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, "download-writer")
        self._file = self._pool.submit(PartFile, part, start)
        self._unchecked: list[concurrent.futures.Future[None]] = []
        self._batch: list[bytes] = []
        self._size = 0
        self._closed: concurrent.futures.Future[None] | None = None

    async def add(self, data: bytes) -> None:
        self._batch.append(data)
        self._size += len(data)
        if self._size >= BATCH:
            await self._check()  # one batch in flight at most
            self._hand_over()

    def _hand_over(self) -> None:
        self._unchecked.append(self._pool.submit(self._write, self._batch))
        self._batch, self._size = [], 0

    def _write(self, batch: list[bytes]) -> None:
        self._file.result().write_all(batch)  # the pool's one thread: in order

    async def _check(self) -> None:
        """Wait for the writes handed over; the first failure is raised."""
        while self._unchecked:
            await asyncio.shield(asyncio.wrap_future(self._unchecked.pop(0)))

    async def close(self, *, sync: bool) -> None:
        """Close the file once every byte given is written and fsynced (``sync``), or at once
        dropping what was not handed over yet (not ``sync``). Cancelled while waiting: the
        thread still writes and closes it."""
        if self._closed is None:
            if sync and self._batch:
                self._hand_over()
            self._closed = self._pool.submit(self._close, sync)
            self._pool.shutdown(wait=False)
        await asyncio.shield(asyncio.wrap_future(self._closed))
        await self._check()

    def _close(self, sync: bool) -> None:
        self._file.result().close(sync=sync)


async def receive(response: httpx.Response, part: Path, offset: int, report: Report,
                  max_bytes: int | None) -> tuple[int, int, int | None, str | None]:
    """Write one answer into ``part``: ``(where it started writing, bytes now in part, file
    total, content type)``."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type")
    span = checked_span(response.status_code, headers, offset, part, max_bytes)
    if span is None:
        return offset, offset, offset, content_type  # the .part is already whole
    done = span.start
    writer = _Writer(part, span.start)
    try:
        report(done, span.total, True)
        async for data in response.aiter_raw():
            done += len(data)
            if max_bytes is not None and done > max_bytes:
                await writer.close(sync=False)
                raise too_large(part, max_bytes)
            await writer.add(data)
            report(done, span.total, False)
        await writer.close(sync=True)
    finally:
        with contextlib.suppress(Exception):  # the first error is the one to tell
            await writer.close(sync=True)  # what came before an error is kept, to resume
    if span.end is not None and done != span.end:
        raise cut_short(done, span.end)
    return span.start, done, span.total, content_type


__all__ = ["BATCH", "receive"]
