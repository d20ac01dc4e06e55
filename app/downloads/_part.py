"""The ``.part`` file and the worker threads that write it: nothing here runs on the event
loop's thread (the GUI thread) except :func:`in_thread`'s waiting."""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from app.atomic import fsync_directory
from app.downloads._errors import DownloadError
from app.downloads._names import unique_path

_MAX_IOV = 512
"""Buffers handed to one ``os.writev`` (POSIX allows at least 16, Linux 1024)."""


def part_size(part: Path) -> int:
    """Bytes in ``part`` (0 when there is none); refuses a ``part`` that is not a file."""
    try:
        info = part.lstat()
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(info.st_mode):
        raise DownloadError(f"Refusing to write to {part.name}: it is not a regular file.")
    return info.st_size


class PartFile:
    """``part`` opened for writing from ``start`` (what lies beyond is cut off): unbuffered
    writes of whole buffers; :meth:`close` fsyncs. Used from one worker thread."""

    def __init__(self, part: Path, start: int) -> None:
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
        if not start:
            flags |= os.O_TRUNC
        self._fd = os.open(part, flags, 0o644)
        try:
            if start:
                os.ftruncate(self._fd, start)
                os.lseek(self._fd, start, os.SEEK_SET)
        except BaseException:
            os.close(self._fd)
            raise
        self._closed = False

    def write(self, data: memoryview | bytes) -> None:
        """All of ``data`` (a short write is continued)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def write_all(self, pieces: Sequence[bytes]) -> None:
        """Every piece, in order, with as few system calls as the platform allows."""
        if not hasattr(os, "writev"):
            for piece in pieces:
                self.write(piece)
            return
        for first in range(0, len(pieces), _MAX_IOV):
            batch = pieces[first:first + _MAX_IOV]
            written = os.writev(self._fd, batch)
            if written != sum(len(piece) for piece in batch):
                self._rest(batch, written)

    def _rest(self, batch: Sequence[bytes], written: int) -> None:
        for piece in batch:
            if written >= len(piece):
                written -= len(piece)
                continue
            self.write(memoryview(piece)[written:])
            written = 0

    def close(self, *, sync: bool = True) -> None:
        """Fsync (unless ``sync`` is false) and close; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            if sync:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)

    def __enter__(self) -> PartFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def finish(part: Path, target: Path) -> Path:
    """Rename the complete ``part`` to ``target`` (or a free ``name (n).ext``), atomically,
    and make the rename durable."""
    final = target
    if target.exists() or target.is_symlink():
        final = unique_path(target.parent, target.name)
    os.replace(part, final)
    fsync_directory(final.parent)
    return final


async def in_thread[T](work: Callable[[], T], *, name: str,
                       on_cancel: Callable[[], None] | None = None) -> T:
    """Run ``work`` in a thread of its own and wait for it without holding the loop.

    Cancelled while waiting: ``on_cancel()`` (from the loop's thread; it should make ``work``
    stop soon), then wait for ``work`` to end (its files closed and synced, as a cancelled
    transfer always left them) unless cancelled once more; the cancellation goes on.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def main() -> None:
        try:
            value = work()
        except BaseException as exc:  # handed to the waiting coroutine
            outcome: tuple[T | None, BaseException | None] = (None, exc)
        else:
            outcome = (value, None)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, *outcome)

    # An outcome nobody waits for any more (cancelled twice) is not reported as lost.
    future.add_done_callback(lambda done: done.cancelled() or done.exception())
    threading.Thread(target=main, name=name, daemon=True).start()
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        if on_cancel is not None:
            on_cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.shield(future)
        raise


__all__ = ["PartFile", "finish", "in_thread", "part_size"]
