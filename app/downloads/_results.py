"""Every result of one job: an Image Ad's several images, an asset task's several outputs.

Each result is saved under its own name (``<stem>.ext`` for a single result; ``<stem>_1.ext``,
``<stem>_2.ext`` … in the order the job lists them), resumably (:func:`fetch_resumable`), with
a sidecar naming the whole set and the result's place in it. The names follow from the first
one, which the ledger records: a set interrupted halfway resumes into the same names and
``.part`` files instead of starting a second set, and a file a sidecar already marks as this
job's result is not fetched again.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.downloads._errors import DownloadError, ExpiredURLError
from app.downloads._names import part_path, suffix_for, target_in
from app.downloads._part import in_thread
from app.downloads._sidecar import sidecar_path, write_sidecar
from app.downloads._transfer import Client, DownloadResult, fetch_resumable

log = logging.getLogger(__name__)

MAX_RESULTS = 100
"""A job listing more results than this is cut to its first ones (no documented job has as
many); a sentence in the sidecar would not help a creator with ten thousand files."""

Refresh = Callable[[], Awaitable[Sequence[str]]]
"""Reads the job again and gives its result URLs afresh (result links expire)."""


@dataclass(frozen=True)
class SavedResults:
    """What :func:`fetch_results` saved: every file in the job's order."""

    files: tuple[DownloadResult, ...]
    urls: tuple[str, ...]

    @property
    def first(self) -> Path:
        return self.files[0].path

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


def _numbered(base: str, index: int, count: int, url: str) -> str:
    suffix = suffix_for(url, None)
    return f"{base}{suffix}" if count == 1 else f"{base}_{index}{suffix}"


def _taken(folder: Path, name: str) -> bool:
    path = folder / name
    return path.exists() or path.is_symlink() or part_path(path).exists()


def _reserved(targets: Sequence[Path]) -> bool:
    """Claim ``targets`` by creating their empty ``.part`` files, each only if it does not
    exist (``O_EXCL``): two downloads of results with the same name — started together, in
    this process or another — never write into one file. False (nothing claimed) when one is
    already there."""
    made: list[Path] = []
    for target in targets:
        part = part_path(target)
        try:
            os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            for path in made:
                path.unlink(missing_ok=True)
            return False
        made.append(part)
    return True


def result_targets(folder: Path, stem: str, urls: Sequence[str],
                   first: Path | None = None, *, reserve: bool = False) -> list[Path]:
    """Where each result goes. ``first``: the path recorded for the first result on an
    earlier try (in ``folder``): the same names again. Otherwise a base name none of whose
    files (nor their ``.part``) exist yet: ``stem``, else ``stem (2)`` … With ``reserve`` the
    names are claimed at once (their empty ``.part`` files made), so a second download
    choosing a name at the same moment takes the next number; record the first path before
    anything else can fail, so a restart finds them again."""
    count = len(urls)
    if count == 0:
        return []
    if first is not None and first.parent == folder:
        base = first.stem
        if count > 1 and base.endswith("_1"):
            base = base[:-2]
        return [folder / _numbered(base, i, count, u) for i, u in enumerate(urls, 1)]
    if reserve:
        folder.mkdir(parents=True, exist_ok=True)
    base, number = stem, 2
    while True:
        names = [_numbered(base, i, count, u) for i, u in enumerate(urls, 1)]
        if not any(_taken(folder, name) for name in names):
            targets = [folder / name for name in names]
            for target in targets:  # each stays inside the folder (no name leads out of it)
                target_in(folder, target.name)
            if not reserve or _reserved(targets):
                return targets
        base, number = f"{stem} ({number})", number + 1


def _prepare(folder: Path, stem: str, urls: Sequence[str], first: Path | None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return result_targets(folder, stem, urls, first)


def _saved_before(target: Path, job: Mapping[str, Any], index: int) -> DownloadResult | None:
    """``target`` as this job's ``index``-th result, already whole (its sidecar says so)."""
    try:
        recorded = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
        size = target.stat().st_size
    except (OSError, ValueError):
        return None
    result = recorded.get("result") if isinstance(recorded, dict) else None
    if not isinstance(result, dict) or recorded.get("job") != dict(job) \
            or result.get("index") != index:
        return None
    return DownloadResult(path=target, bytes=size, resumed_from=size, content_type=None)


def _reclaim(target: Path) -> None:
    """A resumed set's file that is whole on disk but has no sidecar — an earlier run renamed
    its ``.part`` and stopped before describing it — goes back to being its ``.part``: the
    resumed fetch then asks only for what lies beyond it (a whole file: a 416, no body) instead
    of fetching it all again beside it. Its name was claimed for this job (``reserve``), so no
    other file can be there."""
    part = part_path(target)
    try:
        if target.is_file() and not target.is_symlink() and not part.exists():
            os.replace(target, part)
    except OSError:  # a name the file system refuses and the like: the fetch says so
        return


def _sidecar(media: Path, info: Mapping[str, Any], url: str, index: int,
             names: Sequence[str]) -> None:
    try:
        write_sidecar(media, {**info, "source_url": url,
                              "result": {"index": index, "of": len(names), "files": list(names)}})
    except DownloadError as exc:  # the file is saved; only its description is missing
        log.warning("no sidecar for %s: %s", media.name, exc)


async def fetch_results(http: Client, urls: Sequence[str], folder: Path, stem: str,
                        *, first: Path | None = None, info: Mapping[str, Any] | None = None,
                        refresh: Refresh | None = None,
                        progress: Callable[[int, int | None], None] | None = None,
                        ) -> SavedResults:
    """Save every one of a job's results into ``folder`` (see :func:`result_targets`).

    ``info``: the sidecar's content (inputs, ids, credits …; its ``job`` entry identifies the
    job), written beside each file with ``result: {index, of, files}`` and ``source_url``.
    ``refresh``: asked once, when a link has expired, for the job's result URLs afresh.
    ``progress(done, total)``: bytes of the whole set so far (total unknown until the end).
    Raises :class:`DownloadError` (the files saved so far stay, and are skipped next time).
    """
    urls = tuple(urls[:MAX_RESULTS])
    if not urls:
        raise DownloadError("The job lists no result to download.")
    targets = _prepare(folder, stem, urls, first)
    job = dict((info or {}).get("job") or {})
    saved: list[DownloadResult] = []
    done_before = 0

    def report(done: int, _total: int | None) -> None:
        if progress is not None:
            progress(done_before + done, None)

    names = [t.name for t in targets]
    for index, target in enumerate(targets, 1):
        earlier = _saved_before(target, job, index) if job else None
        if earlier is None and first is not None:
            await in_thread(functools.partial(_reclaim, target), name="download reclaim")
        if earlier is None:
            try:
                earlier = await fetch_resumable(http, urls[index - 1], target, progress=report)
            except ExpiredURLError:
                fresh = tuple(await refresh()) if refresh is not None else ()
                if len(fresh) != len(urls):
                    raise
                urls = fresh
                refresh = None  # once per set: a link that expires again is an error
                earlier = await fetch_resumable(http, urls[index - 1], target, progress=report)
            if info is not None:  # at once: a set cut short later skips this file next time
                _sidecar(earlier.path, info, urls[index - 1], index, names)
        saved.append(earlier)
        done_before += earlier.bytes
    if progress is not None:
        progress(done_before, done_before)
    return SavedResults(tuple(saved), urls)


__all__ = ["MAX_RESULTS", "Refresh", "SavedResults", "fetch_results", "result_targets"]
