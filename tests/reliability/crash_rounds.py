"""Crash rounds: SIGKILL the headless job runner at a random moment, restart it, count.

One round:

1. a fresh simulator (:class:`app.sandbox.Sandbox`, its own seed) behind a
   :class:`~tests.reliability.media_front.MediaFront` that serves every result as a
   multi-MiB file and records every byte it sends;
2. ``crash_child.py submit N`` (the app's ``JobManager``, headless, on its own data folder)
   creates a link and submits N URL-to-Video jobs, follows them and downloads the results;
3. a phase is drawn — *submitting*, *polling* or *downloading* — and a moment inside it:
   after the k-th create reached the simulator plus a random delay, a random time while the
   jobs run, or once a random share of the result bytes has been sent; the runner is killed
   there with SIGKILL;
4. what is on disk is noted (each result's ``.part`` or finished file), then
   ``crash_child.py resume`` runs on the same folder until every job is settled;
5. the ledger is compared with the simulator's create log and its jobs, the saved files with
   the bytes the front served.

Counts (over all rounds):

- ``lost_jobs``: a job the simulator created that the ledger does not follow to its end (no
  row, a row without that server id, or a row never settled);
- ``duplicate_creates``: the same name tag created more than once (the create log);
- ``wrong_states``: a settled row whose status is not the simulator's;
- ``files_bad``: a finished job whose file is missing or differs from what was served;
- ``stray_files``: anything else left in the output folder (a ``.part``, a second copy);
- ``bytes_redownloaded``: result bytes served more than once (at a kill, what was in flight —
  in socket buffers, in the client, in the file buffer — is fetched again on resume);
- ``bytes_redownloaded_beyond_resume``: of those, the bytes that were already on disk at the
  kill (in the ``.part`` or the finished file) and were fetched again anyway: a resume that
  did not continue from its ``.part``.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.jobs.ledger import DownloadState, JobState, Ledger
from app.sandbox import Sandbox
from tests.reliability.media_front import MediaFront, Transfer, below, served_twice

CHILD = Path(__file__).with_name("crash_child.py")
CREATES = "/api/link_to_videos/"
PHASES = ("submitting", "polling", "downloading")
SPEED = 90.0
"""Simulator speed: a URL-to-Video job (90 s on Creatify) runs for one second."""
RUN_SECONDS = 90.0 / SPEED
JOBS = 4
MEDIA_SIZE = 3 << 20
MEDIA_RATE = 12 << 20
"""Bytes a second per transfer: a 3 MiB result takes a quarter of a second."""
TRIGGER_TIMEOUT = 60.0
RESUME_TIMEOUT = 180.0
_TAG = re.compile(r"\[(\w+)\]$")


@dataclass
class Round:
    index: int
    phase: str
    seed: int
    kill_point: str = ""
    creates: int = 0
    done: int = 0
    not_sent: int = 0
    in_doubt: int = 0
    """Jobs the simulator had created while the ledger still said ``submitting``."""
    lost_jobs: int = 0
    duplicate_creates: int = 0
    wrong_states: int = 0
    files_bad: int = 0
    stray_files: int = 0
    bytes_sent: int = 0
    bytes_redownloaded: int = 0
    bytes_redownloaded_beyond_resume: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.lost_jobs or self.duplicate_creates or self.wrong_states
                    or self.files_bad or self.stray_files
                    or self.bytes_redownloaded_beyond_resume or self.errors)


def _child(base_url: str, data: Path, mode: str, arg: str) -> list[str]:
    return [sys.executable, str(CHILD), base_url, str(data), mode, arg, str(SPEED)]


def _creates(server: Sandbox) -> list[Any]:
    return [c for c in server.create_log if c.path == CREATES]


def _wait(condition: Any, child: subprocess.Popen[bytes], timeout: float) -> str | None:
    """Poll ``condition`` every 2 ms; an error text if the child ended or time ran out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if child.poll() is not None:
            return f"the runner ended (exit {child.returncode}) before the kill point"
        if time.monotonic() > deadline:
            return "the kill point was not reached in time"
        time.sleep(0.002)
    return None


def _arm(phase: str, rng: random.Random, server: Sandbox, front: MediaFront,
         child: subprocess.Popen[bytes]) -> tuple[str, str | None]:
    """Wait for the drawn moment of ``phase``; (what it was, error or None)."""
    if phase == "submitting":
        k = rng.randrange(JOBS)  # creates already received; then a moment into the next one
        delay = rng.uniform(0.0, 0.06)
        error = _wait(lambda: any(c.path == "/api/links/" for c in server.create_log)
                      and len(_creates(server)) >= k, child, TRIGGER_TIMEOUT)
        time.sleep(delay)
        return f"{delay * 1000:.0f} ms after create {k}", error
    if phase == "polling":
        delay = rng.uniform(0.0, 0.8 * RUN_SECONDS)
        error = _wait(lambda: len(_creates(server)) >= JOBS, child, TRIGGER_TIMEOUT)
        time.sleep(delay)
        return f"{delay * 1000:.0f} ms after the last create", error
    share = rng.uniform(0.02, 0.98)
    target = int(share * JOBS * MEDIA_SIZE)
    error = _wait(lambda: front.bytes_sent() >= target, child, TRIGGER_TIMEOUT)
    return f"{share:.0%} of the result bytes sent", error


def _on_disk(data: Path) -> tuple[dict[str, int], set[str]]:
    """At the kill: per result URL path, the bytes saved (finished file, else ``.part``);
    the name tags of rows still ``submitting`` (their create's fate unknown to the app)."""
    ledger_file = data / "jobs.sqlite3"
    if not ledger_file.exists():
        return {}, set()
    found: dict[str, int] = {}
    with Ledger(ledger_file) as ledger:
        records = ledger.page(limit=10_000, include_hidden=True)
        submitting = {r.name_tag for r in records
                      if r.state is JobState.SUBMITTING and r.name_tag}
        for record in records:
            if not record.result_urls or not record.download_path:
                continue
            path = Path(record.download_path)
            part = path.with_name(path.name + ".part")
            size = path.stat().st_size if path.exists() else (
                part.stat().st_size if part.exists() else 0)
            found[urlsplit(record.result_urls[0]).path] = size
    return found, submitting


def run_round(index: int, phase: str, seed: int, folder: Path) -> Round:
    rng = random.Random(seed)
    result = Round(index, phase, seed)
    started = time.monotonic()
    data = folder / "data"
    data.mkdir(parents=True)
    with Sandbox(speed=SPEED, balance=10**7, seed=seed) as server, \
            MediaFront(server.base_url, size=MEDIA_SIZE, rate=MEDIA_RATE) as front:
        with open(folder / "runner.err", "wb") as errors:
            child = subprocess.Popen(_child(front.base_url, data, "submit", str(JOBS)),
                                     stdout=subprocess.DEVNULL, stderr=errors)
            try:
                result.kill_point, error = _arm(phase, rng, server, front, child)
            finally:
                if child.poll() is None:
                    os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=30)
        if error:
            result.errors.append(error)
        on_disk, submitting = _on_disk(data)
        result.in_doubt = sum(1 for c in _creates(server) if c.job_id
                              and (m := _TAG.search(str((c.body or {}).get("name", ""))))
                              and m.group(1) in submitting)
        with front.lock:
            front.epoch = 1
        try:
            resumed = subprocess.run(_child(front.base_url, data, "resume", "0"),
                                     capture_output=True, text=True, timeout=RESUME_TIMEOUT,
                                     check=False)
            if resumed.returncode != 0 or "settled" not in resumed.stdout:
                result.errors.append(f"resume failed (exit {resumed.returncode}): "
                                     f"{resumed.stderr[-2000:]}")
        except subprocess.TimeoutExpired:
            result.errors.append(f"resume did not settle within {RESUME_TIMEOUT:.0f} s")
        _count(result, server, front, data, on_disk)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _count(result: Round, server: Sandbox, front: MediaFront, data: Path,
           on_disk: dict[str, int]) -> None:
    creates = _creates(server)
    truth = {job["id"]: job for job in server.jobs("link_to_videos")}
    tags: list[str] = []
    for create in creates:
        match = _TAG.search(str((create.body or {}).get("name", "")))
        if match is None:
            result.errors.append(f"a create without a name tag: {create.body!r:.200}")
            continue
        tags.append(match.group(1))
    counts = Counter(tags)
    result.creates = len(creates)
    result.duplicate_creates = sum(n - 1 for n in counts.values() if n > 1)
    ledger_file = data / "jobs.sqlite3"
    records = []
    if ledger_file.exists():
        with Ledger(ledger_file) as ledger:
            records = ledger.page(limit=10_000, include_hidden=True)
    by_tag = {r.name_tag: r for r in records if r.name_tag}
    for create in creates:
        match = _TAG.search(str((create.body or {}).get("name", "")))
        if create.job_id is None or match is None:
            continue
        record = by_tag.get(match.group(1))
        if record is None or record.server_id != create.job_id:
            result.lost_jobs += 1  # created and billed, but the app does not know it
    expected_files: set[Path] = set()
    for record in records:
        if record.state is JobState.SUBMITTING:
            result.lost_jobs += 1  # never settled
            continue
        if record.server_id is None:
            if record.name_tag not in counts:
                result.not_sent += 1  # killed before its create left: correctly never sent
            continue
        if not record.state.is_terminal:
            result.lost_jobs += 1  # created, but never followed to its end
            continue
        server_job = truth.get(record.server_id)
        if server_job is None or record.raw_status != server_job["status"]:
            result.wrong_states += 1
        if record.state is JobState.DONE:
            result.done += 1
        if record.state is JobState.DONE and record.result_urls:
            wanted = front.content(urlsplit(record.result_urls[0]).path)
            saved = Path(record.download_path) if record.download_path else None
            if record.download_state is not DownloadState.DONE or saved is None \
                    or not saved.is_file() or saved.read_bytes() != wanted:
                result.files_bad += 1
            if saved is not None:
                expected_files.update({saved, saved.with_name(saved.name + ".json")})
    out = data / "out"
    if out.exists():
        result.stray_files = sum(1 for p in out.iterdir() if p not in expected_files)
    transfers = front.snapshot()
    result.bytes_sent = sum(t.sent for t in transfers)
    result.bytes_redownloaded = served_twice(transfers)
    by_path: dict[str, list[Transfer]] = {}
    for t in transfers:
        if t.epoch == 1:
            by_path.setdefault(t.path, []).append(t)
    result.bytes_redownloaded_beyond_resume = sum(
        below(after, on_disk.get(path, 0)) for path, after in by_path.items())


def run(rounds: int, seed: int, *, keep: bool = False,
        progress: Any = None) -> dict[str, Any]:
    """``rounds`` rounds; the summary as a JSON-ready dict."""
    master = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="creatify-crash-rounds-"))
    started = time.monotonic()
    results: list[Round] = []
    kept: list[str] = []
    try:
        for index in range(rounds):
            phase = master.choice(PHASES)
            folder = work / f"round-{index:03d}"
            result = run_round(index, phase, master.getrandbits(32), folder)
            results.append(result)
            if result.clean and not keep:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                kept.append(str(folder))
            if progress is not None:
                progress(result)
    finally:
        if not kept:
            shutil.rmtree(work, ignore_errors=True)
    redownloads = [r.bytes_redownloaded for r in results]
    return {
        "suite": "crash",
        "seed": seed,
        "rounds": len(results),
        "phases": dict(Counter(r.phase for r in results)),
        "jobs_per_round": JOBS,
        "result_bytes": MEDIA_SIZE,
        "creates": sum(r.creates for r in results),
        "jobs_done": sum(r.done for r in results),
        "killed_before_sending": sum(r.not_sent for r in results),
        "killed_with_answer_in_doubt": sum(r.in_doubt for r in results),
        "lost_jobs": sum(r.lost_jobs for r in results),
        "duplicate_creates": sum(r.duplicate_creates for r in results),
        "wrong_states": sum(r.wrong_states for r in results),
        "files_bad": sum(r.files_bad for r in results),
        "stray_files": sum(r.stray_files for r in results),
        "bytes_downloaded": sum(r.bytes_sent for r in results),
        "bytes_redownloaded": sum(redownloads),
        "bytes_redownloaded_max_per_kill": max(redownloads, default=0),
        "bytes_redownloaded_beyond_resume": sum(r.bytes_redownloaded_beyond_resume
                                                for r in results),
        "round_errors": sum(len(r.errors) for r in results),
        "errors": [f"round {r.index} ({r.phase}, {r.kill_point}): {e}"
                   for r in results for e in r.errors][:20],
        "kept": kept,
        "seconds": round(time.monotonic() - started, 1),
    }


MUST_BE_ZERO = ("lost_jobs", "duplicate_creates", "wrong_states", "files_bad", "stray_files",
                "bytes_redownloaded_beyond_resume", "round_errors")
