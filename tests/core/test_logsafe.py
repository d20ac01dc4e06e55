"""The one secret finder and the log redaction it shares its list with."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from app import logsafe
from app.downloads import DownloadError, write_sidecar
from app.logsafe import find_secret, redact, register_secret

KEY = "sk-live-0123456789abcdef"


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    before = set(logsafe._secrets)
    register_secret(KEY)
    yield
    logsafe._secrets.clear()
    logsafe._secrets.update(before)


def test_short_strings_are_not_secrets() -> None:
    register_secret("sandbox")
    assert redact("the sandbox key") == "the sandbox key"


@pytest.mark.parametrize(("value", "where"), [
    (f"Bearer {KEY}", "the text"),
    ({"headers": {"X-API-KEY": KEY}}, "headers.X-API-KEY"),
    ({"a": [1, "x", {"b": f"..{KEY}.."}]}, "a[2].b"),
    ({"request": {KEY: "value"}}, "request (a key)"),
    ({KEY: 1}, "a key"),
    ((("x", KEY),), "[0][1]"),
], ids=["text", "nested-value", "in-a-list", "nested-key", "top-key", "tuples"])
def test_the_place_of_a_secret_is_named(value: object, where: str) -> None:
    assert find_secret(value) == where
    assert KEY not in where


@pytest.mark.parametrize("value", ["plain", {"a": ["b", 1, None]}, [], {}, 12, None])
def test_nothing_found_in_clean_values(value: object) -> None:
    assert find_secret(value) is None


def test_a_sidecar_with_a_secret_anywhere_is_refused(tmp_path: Path) -> None:
    media = tmp_path / "video.mp4"
    with pytest.raises(DownloadError, match=r"inputs\.prompt contains a secret"):
        write_sidecar(media, {"inputs": {"prompt": f"use {KEY}"}})
    # a path object is written as its text: a secret in it is found too
    with pytest.raises(DownloadError, match="saved_in contains a secret"):
        write_sidecar(media, {"saved_in": PurePosixPath(f"/tmp/{KEY}")})
    assert not list(tmp_path.iterdir())


def test_log_lines_are_masked() -> None:
    logger = logging.getLogger("test.logsafe")
    handler = logging.Handler()
    handler.addFilter(logsafe.RedactingFilter())
    record = logger.makeRecord("t", logging.INFO, __file__, 1, "key=%s", (KEY,), None)
    handler.filter(record)
    assert KEY not in record.getMessage() and "***" in record.getMessage()
