"""The favourites store: JSON in the data folder, written atomically, read back after a
restart, tolerant of a damaged file."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from app.galleries import FAVOURITES_FILE, Favourites


def test_favourites_survive_a_new_store_on_the_same_folder(tmp_path: Path) -> None:
    store = Favourites.in_folder(tmp_path)
    assert store.ids("personas") == frozenset()
    assert store.toggle("personas", "p1") is True
    assert store.set("voices", "a1", True) is True
    assert store.set("voices", "a1", True) is False  # already one
    store.save()
    again = Favourites.in_folder(tmp_path)
    assert again.ids("personas") == {"p1"} and again.ids("voices") == {"a1"}
    assert again.toggle("personas", "p1") is False
    again.save()
    assert Favourites.in_folder(tmp_path).ids("personas") == frozenset()
    saved = json.loads((tmp_path / FAVOURITES_FILE).read_text(encoding="utf-8"))
    assert saved == {"version": 1, "personas": [], "voices": ["a1"]}


def test_the_file_is_replaced_whole_and_private(tmp_path: Path) -> None:
    store = Favourites.in_folder(tmp_path)
    store.set("personas", "p1", True)
    store.save()
    before = (tmp_path / FAVOURITES_FILE).stat().st_ino
    store.set("personas", "p2", True)
    store.save()
    after = tmp_path / FAVOURITES_FILE
    assert after.stat().st_ino != before  # a new file renamed over the old one
    if os.name == "posix":
        assert after.stat().st_mode & 0o077 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = Favourites.in_folder(tmp_path)
    store.set("personas", "p1", True)
    store.save()

    def broken(*_args: object) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", broken)
    store.set("personas", "p2", True)
    with pytest.raises(OSError, match="disk full"):
        store.save()
    monkeypatch.undo()
    assert Favourites.in_folder(tmp_path).ids("personas") == {"p1"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("content", ["", "{", "[1, 2]", '{"personas": "p1", "voices": [1, ""]}',
                                     b"\xff\xfe".decode("latin-1")])
def test_a_damaged_file_reads_as_no_favourites(tmp_path: Path, content: str) -> None:
    (tmp_path / FAVOURITES_FILE).write_text(content, encoding="utf-8")
    store = Favourites.in_folder(tmp_path)
    assert store.ids("personas") == frozenset() and store.ids("voices") == frozenset()
    store.set("voices", "a1", True)
    store.save()
    assert Favourites.in_folder(tmp_path).ids("voices") == {"a1"}


def test_unknown_kinds_and_empty_ids_are_refused(tmp_path: Path) -> None:
    store = Favourites.in_folder(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        store.ids("music")
    with pytest.raises(ValueError, match="id"):
        store.set("voices", "", True)


def test_saves_from_several_threads_end_with_the_latest_state(tmp_path: Path) -> None:
    store = Favourites.in_folder(tmp_path)
    threads = []
    for i in range(20):
        store.set("personas", f"p{i}", True)
        threads.append(threading.Thread(target=store.save))
        threads[-1].start()
    for thread in threads:
        thread.join()
    store.save()
    assert Favourites.in_folder(tmp_path).ids("personas") == {f"p{i}" for i in range(20)}


def test_a_change_never_waits_for_a_save_in_progress(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import app.galleries.favourites as module
    from app.atomic import write_text_atomically as real

    store = Favourites.in_folder(tmp_path)
    writing, release = threading.Event(), threading.Event()

    def slow(target: Path, text: str) -> None:
        writing.set()
        assert release.wait(5)
        real(target, text)
    monkeypatch.setattr(module, "write_text_atomically", slow)
    store.set("personas", "p1", True)
    saver = threading.Thread(target=store.save)
    saver.start()
    assert writing.wait(5)
    started = time.monotonic()
    store.set("personas", "p2", True)  # while the disk write is held up
    assert time.monotonic() - started < 0.5
    release.set()
    saver.join()
    assert Favourites.in_folder(tmp_path).ids("personas") == {"p1"}  # the state it started on
    store.save()
    assert Favourites.in_folder(tmp_path).ids("personas") == {"p1", "p2"}
