"""Dropped data and CSV files, hostile: the batch reader answers with rows (each refused one
with a reason) or with a clear :class:`BatchError` — never another exception — and nothing
it accepts as sendable is anything but a public http(s) page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.batch import (
    BatchError,
    guess_mapping,
    load_file,
    plan_batch,
    read_table,
    rows_from_table,
    rows_from_text,
    url_problem,
)
from tests.reliability.hostile.strategies import hostile, hostile_urls, odd_text

SHARED = {"video_length": 30, "aspect_ratio": "16x9", "language": "en",
          "visual_style": "AvatarBubbleTemplate"}
urlish = st.one_of(hostile_urls, odd_text.filter(lambda t: isinstance(t, str)),
                   st.sampled_from(["https://shop.example.com/p", "www.example.com/x",
                                    "javascript:alert(document.cookie)", "file:///etc/passwd",
                                    "http://127.0.0.1/", "https://a.example.com/" + "é" * 3000,
                                    "https://[::ffff:10.0.0.1]/", "http://0x7f000001/",
                                    "http://user:pass@shop.example.com/", "https://a.b/%00"]))


def check_rows(rows: list) -> None:  # type: ignore[type-arg]
    for row in rows:
        if row.sendable:
            assert url_problem(row.url) is None
            assert row.url.lower().startswith(("http://", "https://"))
        else:
            assert row.problem or row.duplicate_of is not None
            if row.problem:
                assert row.problem.endswith((".", ")")) and len(row.problem) < 300


@hostile
@given(st.lists(urlish, max_size=30), st.sampled_from(["\n", "\r\n", " ", ", ", "\t"]))
def test_dropped_text_becomes_rows_or_a_clear_error(items: list[str], sep: str) -> None:
    try:
        rows = rows_from_text(sep.join(items))
    except BatchError as exc:
        assert str(exc)
        return
    check_rows(rows)
    plan = plan_batch("url_to_video", SHARED, rows)
    assert plan.sendable == sum(r.sendable for r in rows)


@hostile
@given(st.lists(st.lists(st.one_of(urlish, st.text(max_size=20)), min_size=1, max_size=6),
                max_size=25),
       st.sampled_from([",", ";", "\t", "|"]))
def test_csv_files_become_rows_or_a_clear_error(cells: list[list[str]], delimiter: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(cells)
    try:
        table = read_table(out.getvalue())
        mapping = guess_mapping(table)
        rows = rows_from_table(table, mapping) if "url" in mapping.values() else []
    except BatchError as exc:
        assert str(exc)
        return
    check_rows(rows)


@hostile
@given(st.binary(max_size=4096), st.sampled_from(["list.txt", "shop.csv", "x.tsv"]))
def test_any_bytes_in_a_dropped_file_are_read_or_refused_clearly(data: bytes,
                                                                  name: str) -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            rows, _table = load_file(path)
        except BatchError as exc:
            assert name in str(exc) or str(exc)
            return
        check_rows(rows)
        assert sorted(p.name for p in Path(folder).iterdir()) == [name]  # nothing written
