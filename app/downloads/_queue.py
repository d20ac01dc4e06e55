"""The queue: how many transfers run at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class DownloadQueue:
    """At most ``limit`` downloads at once; the others wait their turn (first come, first
    served). Create and use it on one event loop."""

    def __init__(self, limit: int = 3) -> None:
        if limit < 1:
            raise ValueError("the download limit must be at least 1")
        self._limit = limit
        self._slots = asyncio.Semaphore(limit)
        self._in_flight = 0
        self._waiting = 0

    async def run[T](self, job: Callable[[], Awaitable[T]]) -> T:
        """Wait for a free slot, then ``await job()`` and return its result."""
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        self._in_flight += 1
        try:
            return await job()
        finally:
            self._in_flight -= 1
            self._slots.release()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_flight(self) -> int:
        """Jobs running now."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot."""
        return self._waiting


__all__ = ["DownloadQueue"]
