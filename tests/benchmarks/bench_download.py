"""The ``download`` benchmark: the app's download path vs ``curl`` on the same URL."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.base import HERE, ROOT, child_env, today
from tests.benchmarks.common import (
    ratio,
)


def _curl_seconds(curl: str, url: str, target: Path, size: int) -> tuple[float, float]:
    """``curl -s -o FILE URL``: curl's own transfer time (its start-up not counted) and its
    CPU seconds (start-up included: a few ms)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([curl, "-s", "-S", "-f", "-o", str(target),
                             "-w", "%{time_total} %{size_download}", url],
                            capture_output=True, text=True, timeout=900, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise RuntimeError(f"curl failed ({result.returncode}): {result.stderr[-500:]}")
    seconds, got = result.stdout.split()
    if int(got) != size or target.stat().st_size != size:
        raise RuntimeError(f"curl fetched {got} bytes, not {size}")
    target.unlink()
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return float(seconds), cpu


def _app_download(mode: str, *args: str) -> dict[str, Any]:
    """One child ``download_probe.py MODE ...``: its JSON line."""
    result = subprocess.run([sys.executable, str(HERE / "download_probe.py"), mode, *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
                            env=child_env())
    if result.returncode:
        raise RuntimeError(f"download probe {mode} failed: {result.stderr[-1500:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _spread(values: list[float], digits: int) -> dict[str, float]:
    return {"min": round(min(values), digits),
            "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


def download(size: int = 1 << 30, runs: int = 5) -> dict[str, Any]:
    """A ``size``-byte sandbox output over loopback: the app's download path
    (``app.downloads.fetch_resumable`` in a child process) by its two routes — ``wire`` (a
    ``FileFetcher``: the whole transfer in a worker thread; what ``JobManager`` uses) and
    ``httpx`` (an ``httpx.AsyncClient``: reads on the loop, writes in a writer thread) — next
    to ``curl -s -o FILE URL`` on the same URL, interleaved; the child's peak memory growth
    during the transfer (VmRSS sampled every 5 ms), its ``ru_maxrss`` next to a child that
    only imports and makes the client, and the event loop's worst lateness (a 10 ms ticker)."""
    from app.sandbox import media

    curl = shutil.which("curl")
    if curl is None:
        raise RuntimeError("curl is not installed")
    shm = Path("/dev/shm")
    on_tmpfs = shm.is_dir() and os.access(shm, os.W_OK) \
        and shutil.disk_usage(shm).free > 3 * size
    with tempfile.TemporaryDirectory(dir=shm if on_tmpfs else None,
                                     prefix="creatify-bench-") as folder:
        # The simulator in a process of its own: the server's work never shares a GIL with
        # the download being measured.
        server = subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", "0"],
                                  cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            found = re.search(r"http://\S+", server.stdout.readline())
            if found is None:
                raise RuntimeError("the sandbox did not start")
            url = media.synthetic_url(found.group(0), size)
            target = Path(folder) / "result.bin"
            warm = media.synthetic_url(found.group(0), 8 << 20)
            _curl_seconds(curl, warm, target, 8 << 20)
            for route in ("wire", "httpx"):
                _app_download("fetch", warm, str(target), str(8 << 20), route)
                target.unlink()
            baseline = [_app_download("baseline") for _ in range(3)]
            curl_s: list[float] = []
            curl_cpu: list[float] = []
            app_runs: dict[str, list[dict[str, Any]]] = {"wire": [], "httpx": []}
            for number in range(runs):  # interleaved, who goes first turning round
                order = ["curl", "wire", "httpx"]
                order = order[number % 3:] + order[:number % 3]
                for who in order:
                    if who == "curl":
                        seconds, cpu = _curl_seconds(curl, url, target, size)
                        curl_s.append(seconds)
                        curl_cpu.append(cpu)
                    else:
                        app_runs[who].append(_app_download("fetch", url, str(target),
                                                           str(size), who))
                        target.unlink()
        finally:
            server.terminate()
            server.wait(10)
    mb = size / 1e6
    gib = size / (1 << 30)
    curl_mbps = [mb / s for s in curl_s]
    wire, httpx_runs = app_runs["wire"], app_runs["httpx"]
    app_mbps = [mb / r["seconds"] for r in wire]
    httpx_mbps = [mb / r["seconds"] for r in httpx_runs]
    # Each app run against the curl run of the same round: a busy moment slows both.
    paired = [a / c for a, c in zip(app_mbps, curl_mbps, strict=True)]
    base_maxrss = statistics.median(b["max_rss_kib"] for b in baseline)
    app_maxrss = statistics.median(r["max_rss_kib"] for r in wire)
    return {
        "benchmark": "download", "bytes": size, "runs": runs,
        "target": "tmpfs (/dev/shm)" if on_tmpfs else "temporary folder on disk",
        "app_MBps_median": round(statistics.median(app_mbps), 1),
        "curl_MBps_median": round(statistics.median(curl_mbps), 1),
        "ratio_app_to_curl": ratio(statistics.median(app_mbps), statistics.median(curl_mbps)),
        "ratio_app_to_curl_per_round": _spread(paired, 2),
        "app_MBps_runs": [round(x, 1) for x in app_mbps],
        "curl_MBps_runs": [round(x, 1) for x in curl_mbps],
        "httpx_route_MBps_median": round(statistics.median(httpx_mbps), 1),
        "ratio_httpx_route_to_curl": ratio(statistics.median(httpx_mbps),
                                           statistics.median(curl_mbps)),
        "httpx_route_MBps_runs": [round(x, 1) for x in httpx_mbps],
        # CPU seconds per GiB: steadier than speed on a shared machine (waiting costs none).
        "app_cpu_s_per_GiB_median": round(statistics.median(r["cpu_s"] for r in wire) / gib, 2),
        "curl_cpu_s_per_GiB_median": round(statistics.median(curl_cpu) / gib, 2),
        "httpx_route_cpu_s_per_GiB_median": round(
            statistics.median(r["cpu_s"] for r in httpx_runs) / gib, 2),
        "app_rss_growth_MiB_median": round(
            statistics.median(r["rss_growth_kib"] for r in wire) / 1024, 1),
        "app_rss_growth_MiB_max": round(max(r["rss_growth_kib"] for r in wire) / 1024, 1),
        "httpx_route_rss_growth_MiB_max": round(
            max(r["rss_growth_kib"] for r in httpx_runs) / 1024, 1),
        "app_maxrss_MiB_median": round(app_maxrss / 1024, 1),
        "baseline_maxrss_MiB_median": round(base_maxrss / 1024, 1),
        "maxrss_growth_MiB": round((app_maxrss - base_maxrss) / 1024, 1),
        "progress_reports_median": statistics.median(r["progress_reports"] for r in wire),
        "app_loop_lag_ms_max": max(r["loop_lag_ms_max"] for r in wire),
        "httpx_route_loop_lag_ms_max": max(r["loop_lag_ms_max"] for r in httpx_runs),
        "note": "MB = 10^6 bytes; the simulator (python -m app.sandbox) serves in its own "
                "process; the app writes a .part, fsyncs and renames; content spot-checked; "
                "app = the FileFetcher route (worker thread), httpx_route = an AsyncClient; "
                "loop lag = the event loop's (the GUI thread's) worst lateness",
        "checked_at": today(),
    }
