"""The app's one web-address check: form fields and batch rows agree on everything but
whether a host on this machine or network is allowed."""

from __future__ import annotations

import pytest

from app.batch import url_problem as batch_problem
from app.generators import url_problem as form_problem
from app.urls import LOCAL, url_problem


@pytest.mark.parametrize(("url", "expected"), [
    ("", "Empty."),
    ("https://shop.example.com/" + "a" * 2100, "Too long: 2,125 characters (at most 2,048)."),
    ("https://shop.example.com/a b", "Contains spaces or control characters."),
    ("https://shop.example.com/a\x01", "Contains spaces or control characters."),
    ("javascript:alert(1)", "javascript: links run a script"),
    ("file:///etc/passwd", "file: links point at a file"),
    ("ftp://shop.example.com/x", "Only http and https pages can be used (this is ftp:)."),
    ("shop.example.com/x", "Not a web address (it should start with https://)."),
    ("https://shop.example.com:99999/", "Not a valid web address."),
    ("https:///path", "No site name in this address."),
    ("https://shop.example.com/p", None),
])
def test_both_callers_agree_on_the_shape_of_an_address(url: str, expected: str | None) -> None:
    for problem in (url_problem(url), batch_problem(url), form_problem(url)):
        if expected is None:
            assert problem is None
        else:
            assert problem is not None and problem.startswith(expected)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/media/a.png", "https://localhost/x",
                                 "https://10.0.0.2/x", "https://printer.local/x",
                                 "https://[::1]/x"])
def test_only_a_page_creatify_must_reach_refuses_this_machine(url: str) -> None:
    assert url_problem(url) == LOCAL
    assert batch_problem(url) == LOCAL
    assert form_problem(url) is None  # the offline sandbox serves its media on loopback
    assert url_problem(url, public=False) is None


def test_a_form_value_is_trimmed_first() -> None:
    assert form_problem("  https://shop.example.com/p  ") is None
    assert url_problem("https://intranet/p") == \
        "No site name in this address (like shop.example.com)."
