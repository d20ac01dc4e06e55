"""Upload and hash speed against moto's S3 server on loopback (figures for PERFORMANCE.md).

Small by default (8 MB, part of the suite); the full figure is
``CREATIFY_UPLOAD_BENCH_MB=50 .venv/bin/python -m pytest tests/core/test_uploads_speed.py -q -s``.
Asserts only that the right bytes arrived; the speeds are printed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

from app.sandbox.media import WAV
from app.uploads import Uploader
from app.uploads._index import sha256_file
from tests.core.s3_server import S3Server, s3_server
from tests.core.test_uploads import KEYS, config

__all__ = ["s3_server"]


async def test_upload_and_hash_speed(s3_server: S3Server, tmp_path: Path) -> None:
    megabytes = int(os.environ.get("CREATIFY_UPLOAD_BENCH_MB", "8"))
    local = tmp_path / "long.wav"
    shutil.copyfile(WAV.path, local)
    with local.open("ab") as fh:
        for _ in range(megabytes):
            fh.write(os.urandom(1_000_000))
    size = local.stat().st_size

    started = time.perf_counter()
    digest = sha256_file(local)
    hashing = time.perf_counter() - started

    bucket = s3_server.new_bucket()
    uploader = Uploader(config(s3_server, bucket), KEYS, tmp_path / "uploads.json")
    gaps: list[float] = []

    async def ticker() -> None:  # the loop's longest wait between 5 ms ticks: its lag
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last - 0.005)
            last = now

    ticks = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        done = await uploader.upload(local)  # hash (not yet remembered) + HEAD + PUT(s)
    finally:
        first = time.perf_counter() - started
        ticks.cancel()
        await asyncio.gather(ticks, return_exceptions=True)
    started = time.perf_counter()
    again = await uploader.upload(local)  # remembered hash + HEAD: no bytes sent
    reuse = time.perf_counter() - started

    assert done.sha256 == digest and again.reused
    head = s3_server.client().head_object(Bucket=bucket, Key=done.key)  # type: ignore[attr-defined]
    assert head["ContentLength"] == size
    mb = size / 1e6
    print(f"\n{mb:.1f} MB: sha256 {mb / hashing:.0f} MB/s; first upload {first:.2f} s "
          f"({mb / first:.1f} MB/s incl. hashing); reuse {reuse * 1000:.0f} ms; "
          f"loop lag during the upload: max {max(gaps) * 1000:.1f} ms")
