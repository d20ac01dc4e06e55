"""Batches of product URLs: what was dropped or imported, checked row by row, priced, then run.

Qt-free. The window turns a drop (``text/uri-list``, plain text, ``.txt``/``.csv`` files) into
:class:`BatchRow` s with :func:`rows_from_text` / :func:`rows_from_table`; the batch sheet
shows them, prices them with :func:`plan_batch` and runs them with :class:`BatchRun`.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import ipaddress
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.generators import BY_KEY, SPECS, GeneratorSpec, SpecError
from app.generators.quote import Quote, quote
from app.generators.spec import MAX_URL_LENGTH, DurationKind, FieldKind
from app.jobs.budget import BudgetError
from app.jobs.ledger import JobRecord, JobState
from app.pricing import Plan

MAX_ROWS = 10_000
MAX_FILE_BYTES = 8 << 20
TARGETS = tuple(s.key for s in SPECS if s.url_field)
"""The tabs a batch of URLs can go to (anything dropped elsewhere goes to URL to Video)."""

BATCH_FIELDS: dict[str, tuple[str, ...]] = {key: BY_KEY[key].batch_fields for key in TARGETS}
"""Settings shared by the rows of a batch (and overridable per row), by target."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,30}):")
_CANDIDATE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{0,30}:\S+|www\.\S+)")
_TRAILING = ".,;:!?)]}>\"'"
_REASONS = {
    "file": "file: links point at a file on this computer; Creatify can only read public web "
            "pages (http or https).",
    "javascript": "javascript: links run a script; they are not web pages and are refused.",
    "data": "data: links carry their content inline; Creatify needs a public web page.",
    "vbscript": "vbscript: links run a script; they are not web pages and are refused.",
}


class BatchError(ValueError):
    """A file or a drop that cannot be read as a batch; the message is for the user."""


class RowState(StrEnum):
    READY = "ready"
    REFUSED = "refused"      # the URL is not acceptable (reason given)
    DUPLICATE = "duplicate"  # the same page appears earlier (skipped unless kept)
    SENDING = "sending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"        # the job (or its Link) failed, or was not sent
    SKIPPED = "skipped"      # refused by the budget guard


@dataclass(slots=True)
class BatchRow:
    """One URL of a batch, with where it came from, why it is refused, and its overrides."""

    url: str
    where: str = ""  # "line 3", "row 4", "item 2"
    problem: str | None = None
    duplicate_of: int | None = None  # the index of the first row with the same page
    overrides: dict[str, Any] = field(default_factory=dict)
    state: RowState = RowState.READY
    message: str = ""  # the outcome, or why the row was not sent
    job_key: str | None = None
    link_id: str | None = None  # the Link made for this row (reused when it is sent again)

    @property
    def sendable(self) -> bool:
        return self.problem is None and self.duplicate_of is None


# ---------------------------------------------------------------------------- URLs

def url_problem(url: str) -> str | None:
    """Why ``url`` cannot go in a batch (a sentence for the user), or ``None``."""
    if not url:
        return "Empty."
    if len(url) > MAX_URL_LENGTH:
        return f"Too long: {len(url):,} characters (at most {MAX_URL_LENGTH:,})."
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "Contains spaces or control characters."
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in _REASONS:
        return _REASONS[scheme]
    if scheme not in ("http", "https"):
        return (f"Only http and https pages can be used (this is {scheme}:)." if scheme
                else "Not a web address (it should start with https://).")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "Not a valid web address."
    local = "This page is on your own computer or network; Creatify cannot reach it."
    if not host:
        return "No site name in this address."
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved \
                or ip.is_unspecified or ip.is_multicast:
            return local
        return None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return local
    if "." not in host.strip("."):
        return "No site name in this address (like shop.example.com)."
    return None


def same_page_key(url: str) -> str:
    """What makes two URLs the same page for duplicate detection: scheme and host in lower
    case, no default port, no fragment, no trailing slash."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = host if port in (None, {"http": 80, "https": 443}.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _tidy(token: str) -> str:
    token = token.strip().strip("<>")
    while token and token[-1] in _TRAILING:
        # Keep a closing bracket that belongs to the URL ("…/Mug_(blue)").
        if token[-1] == ")" and token.count("(") >= token.count(")"):
            break
        token = token[:-1]
    if token.lower().startswith("www."):
        token = "https://" + token
    return token


def urls_in_text(text: str) -> list[tuple[str, str]]:
    """Every URL-looking token in free text, with its line: ``[(url, "line N"), …]``.
    Lines of a ``text/uri-list`` starting with ``#`` are comments."""
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for token in _CANDIDATE.findall(stripped):
            url = _tidy(token)
            if url and _looks_like_url(url):
                found.append((url, f"line {number}"))
                if len(found) > MAX_ROWS:
                    raise BatchError(f"More than {MAX_ROWS:,} URLs: split the list into "
                                     f"smaller batches.")
    return found


def _looks_like_url(token: str) -> bool:
    match = _SCHEME.match(token)
    if not match:
        return False
    scheme = match.group(1).lower()
    rest = token[match.end():]
    # "Note:" or "12:30" in prose is not a URL; "javascript:alert(1)" is (and is refused).
    return bool(rest) and (rest.startswith("//") or scheme in _REASONS or scheme in (
        "mailto", "ftp", "about", "chrome", "tel"))


def rows_from_urls(items: Iterable[tuple[str, str]],
                   overrides: Sequence[Mapping[str, Any]] | None = None) -> list[BatchRow]:
    """Check each URL and flag repeats of the same page (the first one is kept)."""
    rows: list[BatchRow] = []
    first_seen: dict[str, int] = {}
    for index, (url, where) in enumerate(items):
        row = BatchRow(url=url, where=where,
                       overrides=dict(overrides[index]) if overrides else {})
        row.problem = url_problem(url)
        if row.problem is None:
            key = same_page_key(url)
            if key in first_seen:
                row.duplicate_of = first_seen[key]
                row.state = RowState.DUPLICATE
            else:
                first_seen[key] = index
        else:
            row.state = RowState.REFUSED
        rows.append(row)
    return rows


def rows_from_text(text: str) -> list[BatchRow]:
    """Rows from dropped or pasted text (a ``text/uri-list`` or prose with URLs in it)."""
    return rows_from_urls(urls_in_text(text))


# ---------------------------------------------------------------------------- files

@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file: its header (``None`` when the first row is data) and rows of cells."""

    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]

    @property
    def width(self) -> int:
        return max([len(self.header or ())] + [len(r) for r in self.rows[:1000]], default=0)

    def column_title(self, index: int) -> str:
        if self.header and index < len(self.header) and self.header[index].strip():
            return self.header[index].strip()
        return f"Column {index + 1}"


def decode(data: bytes, name: str = "the file") -> str:
    """Text from a file's bytes: UTF-8 (with or without BOM, or UTF-16 with BOM), else
    Windows-1252. Binary data is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BatchError(f"{name} is not readable text (broken UTF-16).") from None
    if b"\x00" in data[:8192]:
        raise BatchError(f"{name} is not a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_table(text: str) -> Table:
    """Parse CSV text (comma, semicolon, tab or pipe separated; the header is recognised when
    its first row holds no URL while later rows do)."""
    if not text.strip():
        raise BatchError("The file is empty.")
    sample = text[:64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        cells = [tuple(cell.strip() for cell in row)
                 for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise BatchError(f"Not a readable CSV file: {exc}.") from None
    cells = [row for row in cells if any(row)]
    if len(cells) > MAX_ROWS + 1:
        raise BatchError(f"More than {MAX_ROWS:,} rows: split the file into smaller batches.")
    if not cells:
        raise BatchError("The file has no rows.")
    first_has_url = any(_looks_like_url(_tidy(c)) for c in cells[0])
    later_has_url = any(_looks_like_url(_tidy(c)) for row in cells[1:50] for c in row)
    if not first_has_url and (later_has_url or len(cells) == 1):
        return Table(cells[0], tuple(cells[1:]))
    return Table(None, tuple(cells))


_ALIASES = {
    "url": ("url", "link", "product url", "product_url", "product page", "page", "product link",
            "address", "href"),
    "video_length": ("video_length", "length", "duration", "seconds", "video length"),
    "aspect_ratio": ("aspect_ratio", "aspect", "aspect ratio", "ratio", "format"),
    "visual_style": ("visual_style", "style", "visual style", "template"),
    "script_style": ("script_style", "script style"),
    "override_avatar": ("override_avatar", "avatar", "persona", "creator"),
    "override_voice": ("override_voice", "voice", "accent"),
    "language": ("language", "lang"),
    "name": ("name", "title", "product", "product name"),
    "video_url": ("video_url", "reference", "reference ad", "reference video", "ad url"),
}


def guess_mapping(table: Table, target: str = "url_to_video") -> dict[int, str]:
    """Column index → field: the URL column (the one with the most URLs), and other columns
    whose header names a setting of ``target``."""
    allowed = {"url", *BATCH_FIELDS.get(target, ())}
    mapping: dict[int, str] = {}
    counts = [sum(_looks_like_url(_tidy(row[i])) for row in table.rows[:500] if i < len(row))
              for i in range(table.width)]
    if table.header:
        for index, title in enumerate(table.header):
            name = title.strip().lower()
            for field_name, aliases in _ALIASES.items():
                if name in aliases and field_name in allowed \
                        and field_name not in mapping.values():
                    mapping[index] = field_name
                    break
    url_columns = [i for i, f in mapping.items() if f == "url"]
    if not url_columns or not counts[url_columns[0]]:
        for index in url_columns:
            del mapping[index]
        if counts and max(counts) > 0:
            best = counts.index(max(counts))
            mapping.pop(best, None)
            mapping[best] = "url"
    return dict(sorted(mapping.items()))


def rows_from_table(table: Table, mapping: Mapping[int, str],
                    target: str = "url_to_video") -> list[BatchRow]:
    """Rows from a CSV table: the URL from the ``url`` column, the other mapped columns as
    per-row overrides (converted to the field's type; a bad value refuses the row)."""
    url_columns = [i for i, name in mapping.items() if name == "url"]
    if not url_columns:
        raise BatchError("Choose which column holds the URLs.")
    url_column = url_columns[0]
    gen = BY_KEY[target]
    items: list[tuple[str, str]] = []
    overrides: list[dict[str, Any]] = []
    problems: list[str | None] = []
    first = 2 if table.header else 1
    for number, cells in enumerate(table.rows, first):
        cell = cells[url_column] if url_column < len(cells) else ""
        items.append((_tidy(cell), f"row {number}"))
        values: dict[str, Any] = {}
        problem = None
        for index, name in mapping.items():
            if name == "url" or index >= len(cells) or not cells[index].strip():
                continue
            try:
                values[name] = convert_cell(gen, name, cells[index].strip())
            except ValueError as exc:
                problem = f"{table.column_title(index)}: {exc}"
        overrides.append(values)
        problems.append(problem)
    rows = rows_from_urls(items, overrides)
    for row, problem in zip(rows, problems, strict=True):
        if problem and row.problem is None:
            row.problem, row.state = problem, RowState.REFUSED
    return rows


def convert_cell(gen: GeneratorSpec, name: str, text: str) -> Any:
    f = gen.field(name)
    value: Any = text
    if f.kind is FieldKind.CHOICE and f.choices and isinstance(f.choices[0].value, int):
        try:
            value = int(float(text.lower().removesuffix("s").strip()))
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a number of seconds.") from None
    message = f.validate(value)
    if message:
        raise ValueError(message)
    return value


def load_file(path: Path, target: str = "url_to_video") -> tuple[list[BatchRow], Table | None]:
    """Rows from a dropped ``.txt`` or ``.csv`` file (the table too, for CSV mapping)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BatchError(f"{path.name} is {size / 1048576:.1f} MB; batches are read from "
                             f"files of at most {MAX_FILE_BYTES >> 20} MB.")
        data = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"Cannot read {path.name}: {exc.strerror or exc}.") from None
    text = decode(data, path.name)
    if path.suffix.lower() in (".csv", ".tsv"):
        table = read_table(text)
        return rows_from_table(table, guess_mapping(table, target), target), table
    return rows_from_text(text), None


# ---------------------------------------------------------------------------- pricing

@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The dry run: what the sendable rows would cost and take."""

    rows: int
    sendable: int
    refused: int
    duplicates: int
    credits: Decimal | None
    dollars: Decimal | None
    per_row: tuple[Quote | None, ...]  # None for rows that will not be sent
    expected_seconds: float  # wall time with the concurrency limit
    errors: tuple[str, ...]  # rows that cannot be priced (with their row)


def row_values(target: str, shared: Mapping[str, Any], row: BatchRow) -> dict[str, Any]:
    """The form values of one row: the shared settings, the row's overrides, its URL."""
    return BY_KEY[target].with_page({**shared, **row.overrides}, row.url, row.link_id)


def row_seconds(gen: GeneratorSpec, values: Mapping[str, Any],
                media_seconds: float | None) -> float | None:
    if gen.duration.kind is DurationKind.MEDIA:
        return media_seconds
    return gen.derive_seconds(values)


def plan_batch(target: str, shared: Mapping[str, Any], rows: Sequence[BatchRow], *,
               concurrency: int = 3, plan: Plan | None = None,
               media_seconds: float | None = None) -> BatchPlan:
    """Price every sendable row (a Link for each, then its job) and the wall time."""
    gen = BY_KEY[target]
    quotes: list[Quote | None] = []
    errors: list[str] = []
    total = Decimal(0)
    cache: dict[tuple[Any, ...], Quote] = {}
    for row in rows:
        if not row.sendable:
            quotes.append(None)
            continue
        values = row_values(target, shared, row)
        key = tuple(sorted((k, repr(v)) for k, v in row.overrides.items()))
        q = cache.get(key)
        if q is None:
            q = quote(gen, values, row_seconds(gen, values, media_seconds), plan=plan)
            cache[key] = q
        quotes.append(q)
        if q.credits is None:
            errors.append(f"{row.where}: {q.error or 'cannot be priced'}")
        else:
            total += q.credits
    sendable = sum(1 for r in rows if r.sendable)
    rounds = math.ceil(sendable / max(1, concurrency)) if sendable else 0
    return BatchPlan(
        rows=len(rows), sendable=sendable,
        refused=sum(1 for r in rows if r.problem is not None),
        duplicates=sum(1 for r in rows if r.problem is None and r.duplicate_of is not None),
        credits=None if errors else total,
        dollars=(total * plan.price_per_credit).quantize(Decimal("0.01"))
        if plan and not errors else None,
        per_row=tuple(quotes), expected_seconds=rounds * gen.expected_seconds,
        errors=tuple(errors))


def format_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60:02d} min"


# ---------------------------------------------------------------------------- running

Submit = Callable[[GeneratorSpec, dict[str, Any], Decimal | None], Awaitable[JobRecord]]
"""``await submit(spec, values, estimate)`` → the job record (or raises)."""
Wait = Callable[[str], Awaitable[JobRecord]]
"""``await wait(job_key)`` → the job's record once it ended (or its create was lost)."""


class BatchRun:
    """Sends the sendable rows, at most ``concurrency`` jobs running at once.

    The user confirmed the whole batch; each row is still checked by the budget guard before
    its paid calls (a refused row is marked ``skipped`` and the batch goes on). A failure of
    one row never stops the others. :meth:`requeue_failed` runs the failed rows again (a new
    confirmation is the caller's job)."""

    def __init__(self, target: str, shared: Mapping[str, Any], rows: list[BatchRow], *,
                 submit: Submit, wait: Wait, concurrency: int = 3,
                 on_row: Callable[[int, BatchRow], None] | None = None,
                 media_seconds: float | None = None, plan: Plan | None = None) -> None:
        self.target = target
        self.gen = BY_KEY[target]
        self.shared = dict(shared)
        self.rows = rows
        self.concurrency = max(1, concurrency)
        self._submit = submit
        self._wait = wait
        self._on_row = on_row or (lambda _i, _row: None)
        self.media_seconds = media_seconds
        self.plan = plan
        self.cancelled = False

    def _set(self, index: int, state: RowState, message: str = "",
             job_key: str | None = None) -> None:
        row = self.rows[index]
        row.state, row.message = state, message
        if job_key is not None:
            row.job_key = job_key
        self._on_row(index, row)

    async def run(self, indexes: Sequence[int] | None = None) -> dict[RowState, int]:
        """Send the rows (all sendable ones by default); returns how many ended in each
        state."""
        chosen = [i for i in (indexes if indexes is not None else range(len(self.rows)))
                  if self.rows[i].sendable]
        slots = asyncio.Semaphore(self.concurrency)

        async def one(index: int) -> None:
            async with slots:
                if self.cancelled:
                    self._set(index, RowState.READY, "Not sent: the batch was stopped.")
                    return
                await self._one(index)
        await asyncio.gather(*(one(i) for i in chosen))
        counts: dict[RowState, int] = {}
        for i in chosen:
            counts[self.rows[i].state] = counts.get(self.rows[i].state, 0) + 1
        return counts

    async def _one(self, index: int) -> None:
        row = self.rows[index]
        values = row_values(self.target, self.shared, row)
        q = quote(self.gen, values, row_seconds(self.gen, values, self.media_seconds),
                  plan=self.plan)
        self._set(index, RowState.SENDING, "Sending…")
        try:
            record = await self._submit(self.gen, values, q.credits)
        except BudgetError as exc:
            self._set(index, RowState.SKIPPED, exc.message)
            return
        except SpecError as exc:
            self._set(index, RowState.FAILED, f"Not sent: {exc}")
            return
        except Exception as exc:  # a Creatify or ledger error: this row only
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self._set(index, RowState.FAILED, f"Not sent: {message}")
            return
        link = record.request.get("link")
        if isinstance(link, str) and link:
            row.link_id = link
        self._set(index, RowState.RUNNING, "Running…", record.key)
        final = await self._wait(record.key)
        if final.state in (JobState.DONE, JobState.IMAGE_DONE):
            self._set(index, RowState.DONE, "Done.")
        elif final.state is JobState.PREVIEW_READY:  # a preview step: render it from the list
            self._set(index, RowState.DONE, "Preview ready: render it from the Jobs panel.")
        elif final.state is JobState.UNKNOWN:
            self._set(index, RowState.RUNNING, "Creatify's answer was lost; it is being looked "
                                               "up (it will not be sent again).")
        else:
            reason = final.failed_reason or final.raw_status or final.state.value
            self._set(index, RowState.FAILED, f"Ended {final.state.value}: {reason}")

    def failed_indexes(self) -> list[int]:
        return [i for i, r in enumerate(self.rows)
                if r.state in (RowState.FAILED, RowState.SKIPPED) and r.sendable]

    async def requeue_failed(self) -> dict[RowState, int]:
        """Run the failed (and budget-skipped) rows again, as new jobs (a Link already made
        for a row is reused)."""
        indexes = self.failed_indexes()
        for i in indexes:
            self.rows[i] = replace(self.rows[i], state=RowState.READY, message="",
                                   job_key=None)
        return await self.run(indexes)


__all__ = [
    "BATCH_FIELDS",
    "MAX_ROWS",
    "TARGETS",
    "BatchError",
    "BatchPlan",
    "BatchRow",
    "BatchRun",
    "RowState",
    "Table",
    "convert_cell",
    "decode",
    "format_duration",
    "guess_mapping",
    "load_file",
    "plan_batch",
    "read_table",
    "row_values",
    "rows_from_table",
    "rows_from_text",
    "rows_from_urls",
    "same_page_key",
    "url_problem",
    "urls_in_text",
]
