"""Presets and drafts on disk: kept across a restart, written atomically, a damaged file moved
aside with a sentence (never a crash, never silently emptied), drafts written a moment after
the last change in a timer thread."""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from pathlib import Path

import pytest

from app.presets import (
    DRAFTS_FILE,
    PRESETS_FILE,
    SCHEMA_VERSION,
    DraftStore,
    PresetStore,
    StoreError,
    clean_name,
)

VALUES = {"link": "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c", "video_length": 45,
          "visual_styles": ("AvatarBubbleTemplate", "FullScreenTemplate"),
          "no_cta": True, "background_music_volume": 0.25, "name": None,
          "variables": {"headline": {"type": "text", "value": "Hello"}}}


def test_a_preset_survives_a_restart_with_its_values(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    assert store.names("url_to_video") == [] and store.problem is None
    store.put("url_to_video", "  Long   portrait ", VALUES, seconds=None)
    store.put("url_to_video", "a short one", {"video_length": 15})
    store.put("aurora", "Studio", {"image": "https://x.example.com/a.png"}, seconds=12.5)
    store.persist()
    again = PresetStore(tmp_path)
    assert again.names("url_to_video") == ["a short one", "Long portrait"]
    preset = again.get("url_to_video", "Long portrait")
    assert preset is not None
    assert preset.values == {**VALUES, "visual_styles": ["AvatarBubbleTemplate",
                                                         "FullScreenTemplate"]}
    assert preset.saved_at.endswith("+00:00")
    aurora = again.get("aurora", "Studio")
    assert aurora is not None and aurora.seconds == 12.5
    saved = json.loads((tmp_path / PRESETS_FILE).read_text())
    assert saved["schema"] == SCHEMA_VERSION


def test_saving_under_a_name_replaces_and_delete_removes(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.put("links", "Mug", {"url": "https://a.example.com/"})
    store.put("links", "Mug", {"url": "https://b.example.com/"})
    assert store.names("links") == ["Mug"]
    preset = store.get("links", "Mug")
    assert preset is not None and preset.values["url"] == "https://b.example.com/"
    assert store.remove("links", "Mug") and not store.remove("links", "Mug")
    store.persist()
    assert PresetStore(tmp_path).names("links") == []


def test_names_are_checked() -> None:
    assert clean_name(" a\t b ") == "a b"
    with pytest.raises(ValueError, match="name"):
        clean_name("   ")
    with pytest.raises(ValueError, match="at most"):
        clean_name("x" * 81)


def test_a_value_a_file_cannot_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        PresetStore(tmp_path).put("links", "Bad", {"url": object()})
    with pytest.raises(TypeError):
        PresetStore(tmp_path).put("links", "Bad", {"n": float("nan")})


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"schema": 1}',
                                     b'{"schema": "1", "presets": {}}', b"\xff\xfe\x00"])
def test_a_damaged_file_is_moved_aside_with_a_sentence(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / PRESETS_FILE
    path.write_bytes(content)
    store = PresetStore(tmp_path)
    assert store.problem is not None and "moved to presets.json.damaged-" in store.problem
    [aside] = list(tmp_path.glob("presets.json.damaged-*"))
    assert aside.read_bytes() == content  # kept as it was, for the creator to look at
    assert not path.exists()
    store.put("links", "Fresh", {"url": "https://a.example.com/"})
    store.persist()
    assert PresetStore(tmp_path).names("links") == ["Fresh"]
    assert aside.read_bytes() == content


def test_a_newer_file_is_kept_read_only(tmp_path: Path) -> None:
    path = tmp_path / PRESETS_FILE
    newer = json.dumps({"schema": SCHEMA_VERSION + 1, "presets": {"links": {}}})
    path.write_text(newer)
    store = PresetStore(tmp_path)
    assert store.read_only and store.problem is not None and "newer version" in store.problem
    with pytest.raises(StoreError):
        store.put("links", "x", {})
    with pytest.raises(StoreError):
        store.persist()
    assert path.read_text() == newer


def disk_full(*_args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = PresetStore(tmp_path)
    store.put("links", "One", {"url": "https://a.example.com/"})
    store.persist()
    before = (tmp_path / PRESETS_FILE).read_text()
    store.put("links", "Two", {"url": "https://b.example.com/"})
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", disk_full)  # the disk is full
        with pytest.raises(OSError):
            store.persist()
    assert (tmp_path / PRESETS_FILE).read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == [PRESETS_FILE]  # no temporary file left


def test_drafts_are_written_after_the_last_change_off_the_callers_thread(
        tmp_path: Path) -> None:
    writers: list[str] = []
    drafts = DraftStore(tmp_path, delay=0.15)
    original = drafts.flush

    def flush() -> None:
        writers.append(threading.current_thread().name)
        original()
    drafts.flush = flush  # type: ignore[method-assign]
    for n in range(5):  # a burst of edits: one write
        drafts.put("text_to_speech", {"script": "word " * n, "accent": None})
        time.sleep(0.02)
    assert drafts.pending and not (tmp_path / DRAFTS_FILE).exists()
    deadline = time.monotonic() + 5
    while drafts.pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not drafts.pending and drafts.writes == 1
    assert writers == ["draft writer"] and threading.current_thread().name != "draft writer"
    assert DraftStore(tmp_path).get("text_to_speech") == {"script": "word " * 4, "accent": None}


def test_close_writes_what_is_pending_and_clear_forgets(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path, delay=60)
    drafts.put("links", {"url": "https://a.example.com/"})
    drafts.put("aurora", {"image": "https://a.example.com/a.png"})
    drafts.close()
    again = DraftStore(tmp_path, delay=60)
    assert again.get("links") == {"url": "https://a.example.com/"}
    again.clear("links")
    again.put("aurora", {"image": "https://a.example.com/a.png"})  # unchanged: nothing to do
    again.close()
    third = DraftStore(tmp_path)
    assert third.get("links") is None and third.get("aurora") is not None


def test_a_damaged_drafts_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / DRAFTS_FILE).write_text('{"schema": 1, "drafts": []}')
    drafts = DraftStore(tmp_path)
    assert drafts.problem is not None and "drafts.json.damaged-" in drafts.problem
    assert drafts.get("links") is None


def test_a_draft_write_that_fails_is_reported_and_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []
    folder = tmp_path / "data"
    folder.mkdir()
    drafts = DraftStore(folder, delay=60, on_error=errors.append)
    drafts.put("links", {"url": "https://a.example.com/"})
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", disk_full)
        drafts.flush()
    assert errors and "could not be saved" in errors[0] and drafts.pending
    drafts.close()
    assert DraftStore(folder).get("links") == {"url": "https://a.example.com/"}
