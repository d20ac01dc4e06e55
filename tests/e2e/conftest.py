"""Fixtures for end-to-end tests: a simulator on loopback and a real client pointed at it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from app.api.client import CreatifyClient, RetryPolicy
from app.api.snapshot import JobSnapshot
from app.sandbox import Sandbox

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)

PNG = b"\x89PNG\r\n\x1a\n"


def file_kind(data: bytes) -> str:
    """What a downloaded file really is, from its first bytes."""
    if data.startswith(PNG):
        return "image"
    if data[4:8] == b"ftyp":
        return "video"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "audio"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio"
    return "unknown"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=2000, seed=7, balance=100_000) as server:
        yield server


def sandbox_client(server: Sandbox, timeout: float = 10) -> CreatifyClient:
    """The real client pointed at a simulator, with fast retries."""
    return CreatifyClient("sandbox", "sandbox", base_url=server.base_url, retry=FAST_RETRY,
                          timeout=timeout)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(sandbox) as api:
        yield api


async def wait_terminal(client: CreatifyClient, snap: JobSnapshot,
                        timeout: float = 30.0) -> JobSnapshot:
    """Poll one job until it reaches a terminal state."""
    deadline = time.monotonic() + timeout
    while not snap.is_terminal:
        if time.monotonic() > deadline:
            raise AssertionError(f"{snap.resource} {snap.id} stuck at {snap.raw_status}")
        await asyncio.sleep(0.02)
        snap = await client.get_job(snap.resource, snap.id)
    return snap


async def wait_preview(client: CreatifyClient, snap: JobSnapshot,
                       timeout: float = 30.0) -> JobSnapshot:
    """Poll a preview job until its preview is ready — ``preview`` or ``previews[]`` filled,
    whatever the status reads (the docs let it go back to ``pending``) — or it ends."""
    deadline = time.monotonic() + timeout
    while not snap.preview_ready and not snap.is_terminal:
        if time.monotonic() > deadline:
            raise AssertionError(f"{snap.resource} {snap.id}: no preview, at {snap.raw_status}")
        await asyncio.sleep(0.02)
        snap = await client.get_job(snap.resource, snap.id)
    return snap
