"""Files in a batch: decoding a dropped ``.txt`` or ``.csv``, reading CSV tables, mapping their
columns to the target's settings and turning them into rows."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.batch._rows import MAX_ROWS, BatchError, BatchRow, RowState
from app.batch._urls import looks_like_url, rows_from_text, rows_from_urls, tidy
from app.generators import BY_KEY, GeneratorSpec, default_page_target
from app.generators.spec import FieldKind

MAX_FILE_BYTES = 8 << 20


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
    first_has_url = any(looks_like_url(tidy(c)) for c in cells[0])
    later_has_url = any(looks_like_url(tidy(c)) for row in cells[1:50] for c in row)
    if not first_has_url and (later_has_url or len(cells) == 1):
        return Table(cells[0], tuple(cells[1:]))
    return Table(None, tuple(cells))


URL_ALIASES = ("url", "link", "product url", "product_url", "product page", "page",
               "product link", "address", "href")
"""Headers of the column holding the product pages (a setting's headers are its field's
name and ``aliases``, from the spec)."""


def _column_names(target: str) -> dict[str, tuple[str, ...]]:
    """Field → the headers that name it: the URL column, then the target's batch settings."""
    gen = BY_KEY.get(target)
    names: dict[str, tuple[str, ...]] = {"url": URL_ALIASES}
    if gen is not None:
        names.update({name: (name, *gen.field(name).aliases) for name in gen.batch_fields})
    return names


def guess_mapping(table: Table, target: str | None = None) -> dict[int, str]:
    """Column index → field: the URL column (the one with the most URLs), and other columns
    whose header names a setting of ``target`` (the default page target when None)."""
    names = _column_names(target or default_page_target())
    mapping: dict[int, str] = {}
    counts = [sum(looks_like_url(tidy(row[i])) for row in table.rows[:500] if i < len(row))
              for i in range(table.width)]
    if table.header:
        for index, title in enumerate(table.header):
            name = title.strip().lower()
            for field_name, aliases in names.items():
                if name in aliases and field_name not in mapping.values():
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
                    target: str | None = None) -> list[BatchRow]:
    """Rows from a CSV table: the URL from the ``url`` column, the other mapped columns as
    per-row overrides (converted to the field's type; a bad value refuses the row)."""
    url_columns = [i for i, name in mapping.items() if name == "url"]
    if not url_columns:
        raise BatchError("Choose which column holds the URLs.")
    url_column = url_columns[0]
    gen = BY_KEY[target or default_page_target()]
    items: list[tuple[str, str]] = []
    overrides: list[dict[str, Any]] = []
    problems: list[str | None] = []
    first = 2 if table.header else 1
    for number, cells in enumerate(table.rows, first):
        cell = cells[url_column] if url_column < len(cells) else ""
        items.append((tidy(cell), f"row {number}"))
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


def load_file(path: Path, target: str | None = None) -> tuple[list[BatchRow], Table | None]:
    """Rows from a dropped ``.txt`` or ``.csv`` file (the table too, for CSV mapping); for
    ``target``, the default page target when None."""
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

