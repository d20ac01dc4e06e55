"""Batches of product URLs: what was dropped or imported, checked row by row, priced, then run.

Qt-free. The window turns a drop (``text/uri-list``, plain text, ``.txt``/``.csv`` files) into
:class:`BatchRow` s with :func:`rows_from_text` / :func:`rows_from_table`; the batch sheet
shows them, prices them with :func:`plan_batch` and runs them with :class:`BatchRun`.

The package: :mod:`._rows` (:class:`BatchRow`, :class:`RowState`, the targets and their shared
settings), :mod:`._urls` (URL checks, duplicates, URLs in text), :mod:`._table` (files, CSV
tables and column mapping), :mod:`._plan` (:func:`plan_batch`, the dry run) and :mod:`._run`
(:class:`BatchRun`).
"""

from app.batch._plan import BatchPlan, format_duration, plan_batch, row_seconds, row_values
from app.batch._rows import BATCH_FIELDS, MAX_ROWS, TARGETS, BatchError, BatchRow, RowState
from app.batch._run import BatchRun, Submit, Wait
from app.batch._table import (
    MAX_FILE_BYTES,
    Table,
    convert_cell,
    decode,
    guess_mapping,
    load_file,
    read_table,
    rows_from_table,
)
from app.batch._urls import rows_from_text, rows_from_urls, same_page_key, url_problem, urls_in_text

__all__ = [
    "BATCH_FIELDS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "TARGETS",
    "BatchError",
    "BatchPlan",
    "BatchRow",
    "BatchRun",
    "RowState",
    "Submit",
    "Table",
    "Wait",
    "convert_cell",
    "decode",
    "format_duration",
    "guess_mapping",
    "load_file",
    "plan_batch",
    "read_table",
    "row_seconds",
    "row_values",
    "rows_from_table",
    "rows_from_text",
    "rows_from_urls",
    "same_page_key",
    "url_problem",
    "urls_in_text",
]
