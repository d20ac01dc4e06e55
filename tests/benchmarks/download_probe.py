"""Child process of the download benchmark; prints one JSON line.

``fetch URL TARGET SIZE [ROUTE]``: the app's download path — ``app.downloads.fetch_resumable``
with a progress callback — into TARGET; ROUTE ``wire`` (the default: a ``FileFetcher`` with
``JobManager``'s timeouts, the whole transfer in a worker thread) or ``httpx`` (an
``httpx.AsyncClient`` made as ``JobManager`` made it: reads on the loop, writes in a writer
thread); seconds, VmRSS sampled every 5 ms (start, peak), ``ru_maxrss``, and the event loop's
worst lateness (a 10 ms ticker: how long the loop's thread, the GUI thread in the app, was
held), CPU seconds of the whole process during the transfer (every thread); the file is
checked (size, and 64 KiB at 16 offsets against the sandbox's synthetic
bytes).

``baseline``: the same imports and client, no transfer: its ``ru_maxrss`` is what the
fetch child would reach without downloading anything.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.downloads import FileFetcher, fetch_resumable  # noqa: E402
from app.sandbox import media  # noqa: E402
from tests.benchmarks.common import PeakRss, max_rss_kib, rss_kib  # noqa: E402


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=10.0))  # as JobManager


async def _ticker(lags: list[float], interval: float = 0.01) -> None:
    """Wakes every ``interval`` s; notes how late each wake-up was."""
    while True:
        due = time.perf_counter() + interval
        await asyncio.sleep(interval)
        lags.append(time.perf_counter() - due)


async def fetch(url: str, target: Path, size: int, route: str = "wire") -> dict[str, object]:
    reports: list[int] = []
    lags: list[float] = []
    async with _client() as http:
        client = FileFetcher(connect_timeout=10.0, read_timeout=120.0) if route == "wire" \
            else http
        ticker = asyncio.create_task(_ticker(lags))
        with PeakRss() as rss:
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            result = await fetch_resumable(client, url, target,
                                           progress=lambda done, _total: reports.append(done))
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
        ticker.cancel()
    if result.bytes != size or target.stat().st_size != size or result.resumed_from:
        raise SystemExit(f"fetched {result.bytes} bytes (resumed from {result.resumed_from}), "
                         f"file {target.stat().st_size}, expected {size}")
    rng = random.Random(size)
    with target.open("rb") as saved:
        for offset in [0, max(0, size - 65536)] + [rng.randrange(size) for _ in range(14)]:
            saved.seek(offset)
            got = saved.read(65536)
            if got != b"".join(media.synthetic_chunks(offset, offset + len(got))):
                raise SystemExit(f"wrong bytes at offset {offset}")
    cpu_s = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
    return {"route": route, "seconds": seconds, "cpu_s": cpu_s, "bytes": result.bytes,
            "rss_start_kib": rss.start_kib, "rss_peak_kib": rss.peak_kib,
            "rss_growth_kib": rss.growth_kib, "rss_samples": rss.samples,
            "max_rss_kib": max_rss_kib(), "progress_reports": len(reports),
            "loop_lag_ms_max": round(max(lags, default=0.0) * 1000, 1)}


async def baseline() -> dict[str, object]:
    async with _client():
        await asyncio.sleep(0.05)
    return {"rss_kib": rss_kib(), "max_rss_kib": max_rss_kib()}


def main(argv: list[str]) -> int:
    if argv[:1] == ["baseline"]:
        figures = asyncio.run(baseline())
    elif argv[:1] == ["fetch"] and len(argv) in (4, 5) and argv[4:] in ([], ["wire"], ["httpx"]):
        figures = asyncio.run(fetch(argv[1], Path(argv[2]), int(argv[3]), *argv[4:]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
