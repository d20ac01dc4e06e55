"""Save a job's result to the output folder.

Names (``_names``): :func:`render_name` turns the naming template into a safe stem,
:func:`target_in` gives a path inside the output folder that is not taken yet
(``name (2).mp4`` ...).

Transfers (``_transfer``):

- :func:`fetch_resumable` streams into ``<target>.part``; after any interruption (network loss,
  a crash, the app closed) the next call continues with ``Range: bytes=<size of .part>-``. The
  size is checked against ``Content-Length`` / the ``Content-Range`` total, the ``.part`` is
  fsynced and renamed atomically. An expired or refused result URL raises
  :class:`ExpiredURLError`: fetch the job again for a fresh URL and call again (the ``.part``
  is kept).

:func:`fetch_results` (``_results``) saves every result of a job (an Image Ad's several
images, an asset task's outputs) under distinct names (``<stem>_1.ext`` …), each with its
sidecar, resuming a set cut short into the same names.

Two routes, the same rules: a :class:`FileFetcher` (``_wire``) does the whole transfer in a
worker thread with ``urllib.request``, up to 1 MiB a read (as fast as
``curl``); an ``httpx.AsyncClient`` (``_stream``) reads on the event loop and hands the bytes to
a writer thread. No write, fsync or rename runs on the loop's thread either way.

:func:`write_sidecar` (``_sidecar``) writes ``<file>.json`` beside a result (inputs, job id,
credits ...; never a secret). :class:`DownloadQueue` (``_queue``) limits how many transfers run
at once. Every name is imported from here; the transfers' (and with them httpx) when
first used (PEP 562), so reading the naming template loads no HTTP stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.downloads._errors import DownloadError, ExpiredURLError
from app.downloads._names import (
    DEFAULT_TEMPLATE,
    MAX_NAME,
    TEMPLATE_FIELDS,
    current_template,
    generator_title,
    part_path,
    render_name,
    safe_filename,
    suffix_for,
    target_in,
    unique_path,
)
from app.lazy import lazy_names

if TYPE_CHECKING:
    from app.downloads._queue import DownloadQueue
    from app.downloads._results import (
        MAX_RESULTS,
        Refresh,
        SavedResults,
        fetch_results,
        result_targets,
    )
    from app.downloads._sidecar import sidecar_path, write_sidecar
    from app.downloads._transfer import Client, DownloadResult, fetch_resumable
    from app.downloads._wire import FileFetcher

_LAZY = {"DownloadQueue": "_queue", "MAX_RESULTS": "_results", "Refresh": "_results",
         "SavedResults": "_results", "fetch_results": "_results",
         "result_targets": "_results", "sidecar_path": "_sidecar",
         "write_sidecar": "_sidecar", "Client": "_transfer", "DownloadResult": "_transfer",
         "fetch_resumable": "_transfer", "FileFetcher": "_wire"}


__getattr__ = lazy_names(globals(), 'app.downloads', _LAZY)


__all__ = [
    "DEFAULT_TEMPLATE",
    "MAX_NAME",
    "MAX_RESULTS",
    "TEMPLATE_FIELDS",
    "Client",
    "DownloadError",
    "DownloadQueue",
    "DownloadResult",
    "ExpiredURLError",
    "FileFetcher",
    "Refresh",
    "SavedResults",
    "current_template",
    "fetch_results",
    "fetch_resumable",
    "generator_title",
    "part_path",
    "render_name",
    "result_targets",
    "safe_filename",
    "sidecar_path",
    "suffix_for",
    "target_in",
    "unique_path",
    "write_sidecar",
]
