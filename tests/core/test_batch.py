"""Batches of URLs: reading drops and files, checking rows, the dry run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app.batch import (
    MAX_ROWS,
    BatchError,
    RowState,
    guess_mapping,
    load_file,
    plan_batch,
    read_table,
    rows_from_table,
    rows_from_text,
    same_page_key,
    url_problem,
    urls_in_text,
)
from app.pricing import plan_by_key


def test_a_uri_list_with_comments_and_crlf() -> None:
    text = ("# copied from the browser\r\nhttps://shop.example.com/p/1\r\n"
            "https://shop.example.com/p/2\r\n")
    assert [u for u, _ in urls_in_text(text)] == ["https://shop.example.com/p/1",
                                                  "https://shop.example.com/p/2"]


def test_urls_are_found_in_prose_and_trailing_punctuation_is_dropped() -> None:
    text = ("Our best sellers: https://shop.example.com/mug, https://shop.example.com/lamp.\n"
            "And (https://shop.example.com/Mug_(blue)) plus www.example.org/bag; note: 12:30")
    assert [u for u, _ in urls_in_text(text)] == [
        "https://shop.example.com/mug", "https://shop.example.com/lamp",
        "https://shop.example.com/Mug_(blue)", "https://www.example.org/bag"]
    assert [w for _, w in urls_in_text(text)] == ["line 1", "line 1", "line 2", "line 2"]


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///home/me/products.html", "file: links point at a file on this computer"),
    ("javascript:alert(1)", "javascript: links run a script"),
    ("data:text/html,<b>hi</b>", "data: links carry their content inline"),
    ("ftp://files.example.com/x", "Only http and https pages can be used (this is ftp:)"),
    ("http://localhost:8000/p", "on your own computer or network"),
    ("http://192.168.1.20/p", "on your own computer or network"),
    ("http://[::1]/p", "on your own computer or network"),
    ("https://intranet/p", "No site name"),
    ("https://shop.example.com/" + "a" * 2100, "Too long: 2,125 characters (at most 2,048)"),
    ("https://shop.example.com:99999/", "Not a valid web address"),
])
def test_unacceptable_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    problem = url_problem(url)
    assert problem is not None and reason in problem


def test_good_urls_pass() -> None:
    for url in ("https://shop.example.com/products/mug?variant=2#reviews",
                "http://8.8.8.8/p", "HTTPS://SHOP.EXAMPLE.COM/x"):
        assert url_problem(url) is None, url


def test_duplicates_are_flagged_against_the_first_and_not_sendable() -> None:
    rows = rows_from_text("https://Shop.example.com/mug/\nhttps://shop.example.com/mug#top\n"
                          "https://shop.example.com:443/mug\nhttps://shop.example.com/lamp\n"
                          "javascript:alert(1)\n")
    assert [r.state for r in rows] == [RowState.READY, RowState.DUPLICATE, RowState.DUPLICATE,
                                       RowState.READY, RowState.REFUSED]
    assert [r.duplicate_of for r in rows] == [None, 0, 0, None, None]
    assert [r.sendable for r in rows] == [True, False, False, True, False]
    assert same_page_key("https://A.com:443/x/") == same_page_key("https://a.com/x")


def test_a_csv_with_a_header_maps_its_columns_and_converts_overrides() -> None:
    table = read_table("Product page;Length;Aspect;Title\n"
                       "https://shop.example.com/mug;45;9x16;Mug\n"
                       "https://shop.example.com/lamp;;;Lamp\n"
                       "https://shop.example.com/bag;forty;1x1;Bag\n")
    assert table.header == ("Product page", "Length", "Aspect", "Title")
    mapping = guess_mapping(table)
    assert mapping == {0: "url", 1: "video_length", 2: "aspect_ratio", 3: "name"}
    rows = rows_from_table(table, mapping)
    assert rows[0].overrides == {"video_length": 45, "aspect_ratio": "9x16", "name": "Mug"}
    assert rows[1].overrides == {"name": "Lamp"} and rows[1].sendable
    assert rows[2].state is RowState.REFUSED
    assert rows[2].problem == "Length: 'forty' is not a number of seconds."
    assert [r.where for r in rows] == ["row 2", "row 3", "row 4"]


def test_a_csv_without_a_header_finds_the_url_column() -> None:
    table = read_table("Mug,https://shop.example.com/mug\nLamp,https://shop.example.com/lamp\n")
    assert table.header is None
    assert guess_mapping(table) == {1: "url"}
    rows = rows_from_table(table, {1: "url", 0: "name"})
    assert [r.overrides["name"] for r in rows] == ["Mug", "Lamp"]
    with pytest.raises(BatchError, match="Choose which column holds the URLs"):
        rows_from_table(table, {0: "name"})


def test_files_are_read_whatever_their_encoding_and_binary_is_refused(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_bytes("\ufeffhttps://shop.example.com/café\n".encode())
    rows, table = load_file(tmp_path / "list.txt")
    assert table is None and [r.url for r in rows] == ["https://shop.example.com/café"]
    (tmp_path / "w.csv").write_bytes("url,name\nhttps://shop.example.com/a,Caf\xe9\n"
                                     .encode("cp1252"))
    rows, table = load_file(tmp_path / "w.csv")
    assert rows[0].overrides == {"name": "Café"}
    (tmp_path / "u16.txt").write_bytes("https://shop.example.com/x\n".encode("utf-16"))
    assert [r.url for r in load_file(tmp_path / "u16.txt")[0]] == ["https://shop.example.com/x"]
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(BatchError, match=r"image\.csv is not a text file"):
        load_file(tmp_path / "image.csv")
    with pytest.raises(BatchError, match=r"Cannot read missing\.txt"):
        load_file(tmp_path / "missing.txt")
    (tmp_path / "empty.csv").write_text("\n\n")
    with pytest.raises(BatchError, match="empty"):
        load_file(tmp_path / "empty.csv")


def test_too_many_urls_are_refused_with_a_message() -> None:
    text = "\n".join(f"https://shop.example.com/p/{i}" for i in range(MAX_ROWS + 1))
    with pytest.raises(BatchError, match="More than 10,000 URLs"):
        rows_from_text(text)


def test_the_dry_run_prices_each_row_with_its_link_and_the_wall_time() -> None:
    rows = rows_from_table(read_table("url,length\nhttps://a.example.com/1,30\n"
                                      "https://a.example.com/2,60\nhttps://a.example.com/2,15\n"
                                      "file:///x,30\n"), {0: "url", 1: "video_length"})
    shared = {"video_length": 30, "aspect_ratio": "16x9", "language": "en",
              "visual_style": "AvatarBubbleTemplate"}
    plan = plan_batch("url_to_video", shared, rows, concurrency=1,
                      plan=plan_by_key("api_starter"))
    assert (plan.rows, plan.sendable, plan.refused, plan.duplicates) == (4, 2, 1, 1)
    assert plan.credits == Decimal((1 + 5) + (1 + 10))
    assert plan.dollars == Decimal("3.37")  # 17 × $99/500
    assert [q.credits if q else None for q in plan.per_row] == [6, 11, None, None]
    assert plan.expected_seconds == 2 * 600
    links = plan_batch("links", {}, rows)
    assert links.credits == 2 and links.expected_seconds == 60


def test_ad_clone_rows_need_the_reference_length() -> None:
    rows = rows_from_text("https://a.example.com/1\n")
    shared = {"video_url": "https://cdn.example.com/ref.mp4", "aspect_ratio": "9x16"}
    assert plan_batch("ad_clone", shared, rows).errors == (
        "line 1: Enter the reference video length to see the price.",)
    priced = plan_batch("ad_clone", shared, rows, media_seconds=31)
    assert priced.credits == 1 + 7 * 12
