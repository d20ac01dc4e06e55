"""The log file opens after the first paint (``setup_logging(file_later=True)``): what start-up
logs before it is held and written to it first, in order, with secrets masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logsafe import register_secret
from app.paths import app_paths
from ui.main import setup_logging


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_records_before_the_file_opens_are_written_first(tmp_path: Path,
                                                         root_handlers: None) -> None:
    paths = app_paths(tmp_path / "data").ensure()
    secret = "sk-live-held-0123456789abcdef"
    register_secret(secret)
    open_log = setup_logging(paths, file_later=True)
    log = logging.getLogger("ui.test")
    log.info("starting %s", "early")
    log.warning("a key %s in an early warning", secret)
    assert not paths.log_file.exists() or paths.log_file.read_text(encoding="utf-8") == ""
    open_log()
    open_log()  # once only: nothing written twice
    log.info("after the paint")
    text = paths.log_file.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "ui.test" in line]
    assert len(lines) == 3 and secret not in text
    assert [line.split("ui.test: ")[1] for line in lines] == [
        "starting early", "a key *** in an early warning", "after the paint"]


def test_the_file_opens_at_once_by_default(tmp_path: Path, root_handlers: None) -> None:
    paths = app_paths(tmp_path / "data").ensure()
    setup_logging(paths)
    logging.getLogger("ui.test").info("written at once")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "written at once" in paths.log_file.read_text(encoding="utf-8")
