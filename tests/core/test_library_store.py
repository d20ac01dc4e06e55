"""The library's Qt-free core: which jobs it lists, finding them by words, the creator's names
and tags kept in ``library.json`` (and read back as a new start would), the poster cache on
disk, and a request body as readable settings."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.api.snapshot import StylePreview
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.library import (
    LibraryStore,
    PosterCache,
    clean_tags,
    file_identity,
    library_items,
    matches,
    parse_tags,
    readable_settings,
    search_words,
    url_identity,
)
from app.library.store import MAX_TAGS

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def job(key: str, state: JobState = JobState.DONE, **changes: object) -> JobRecord:
    record = JobRecord(
        key=key, generator="url_to_video", resource="link_to_videos", flow="create",
        title=f"Blue mug {key}", request={"link": "L1", "video_length": 30,
                                          "visual_style": "AvatarBubbleTemplate"},
        name_tag=None, estimate=Decimal(5), balance_before=None, state=state,
        raw_status=str(state), server_id="s", progress=1.0,
        result_urls=("https://cdn.example/out.mp4",), preview_url=None,
        thumbnails=("https://cdn.example/thumb.png",), response_text=None,
        credits_used=Decimal(5), duration=31.5, failed_reason=None, created_at=T0,
        submitted_at=T0, updated_at=T0, finished_at=T0, last_polled_at=None,
        download_state=DownloadState.DONE, download_path="/out/Blue mug - URL to Video.mp4",
        download_bytes=10, download_error=None, hidden=False, watching=True)
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- items

def test_only_finished_jobs_with_a_result_are_listed() -> None:
    done = job("a")
    records = [done, job("b", JobState.FAILED), job("c", JobState.RUNNING),
               job("d", result_urls=()),  # a text answer, a Link: nothing to look at
               job("e", hidden=True), job("f", JobState.IMAGE_DONE, generator="product_image")]
    items = library_items(records)
    assert [item.key for item in items] == ["a", "f"]
    first = items[0]
    assert (first.url, first.path, first.thumbnail_url, first.duration, first.kind) == (
        done.result_urls[0], done.download_path, done.thumbnails[0], 31.5, "video")


def test_each_style_preview_is_an_item_of_its_own() -> None:
    previews = (StylePreview("m1", "AvatarBubbleTemplate", preview_url="https://x/1.mp4",
                             thumbnail_url="https://x/1.png", duration=30.0),
                StylePreview("m2", "FullScreenTemplate", preview_url="https://x/2.mp4"),
                StylePreview("m3", "EnhancedVanillaTemplate"))  # no preview yet: left out
    compared = job("cmp", JobState.PREVIEW_READY, result_urls=(), previews=previews,
                   download_path=None)
    items = library_items([compared])
    assert [(i.key, i.style, i.url, i.thumbnail_url) for i in items] == [
        ("cmp#m1", "AvatarBubbleTemplate", "https://x/1.mp4", "https://x/1.png"),
        ("cmp#m2", "FullScreenTemplate", "https://x/2.mp4", None)]
    assert all(i.job_key == "cmp" and i.path is None for i in items)
    ready = job("pre", JobState.PREVIEW_READY, result_urls=(), preview_url="https://x/p.mp4")
    assert [i.url for i in library_items([ready])] == ["https://x/p.mp4"]


def test_kinds_come_from_the_file_or_the_url() -> None:
    sound = library_items([job("s", result_urls=("https://x/out.wav?sig=1",),
                               download_path=None)])[0]
    image = library_items([job("i", download_path="/out/photo.PNG")])[0]
    assert (sound.kind, image.kind) == ("audio", "image")


def test_every_search_word_must_be_found_somewhere() -> None:
    item = library_items([job("a")])[0]
    assert matches(item, [])
    assert matches(item, search_words("BLUE mug"))
    assert not matches(item, search_words("blue teapot"))
    assert matches(item, search_words("summer"), tags=("Summer sale",))
    assert matches(item, search_words("hero"), name="Hero shot")
    assert matches(item, search_words("url video"), generator_title="URL to Video")
    assert matches(item, search_words("mp4"))  # the saved file's name


# ---------------------------------------------------------------------------- names and tags

def test_names_and_tags_survive_a_new_start(tmp_path: Path) -> None:
    store = LibraryStore.in_folder(tmp_path / "data")
    assert not store.save()  # nothing to write
    assert store.rename("a", "  Hero   shot ")
    assert store.set_tags("a", ["summer", " Summer ", "", "mugs"])
    assert not store.rename("a", "Hero shot")  # unchanged
    assert store.dirty and store.save() and not store.dirty
    again = LibraryStore.in_folder(tmp_path / "data")
    assert (again.name("a"), again.tags("a")) == ("Hero shot", ("summer", "mugs"))
    assert again.all_tags() == ["mugs", "summer"]
    # Taking the name and tags away forgets the item.
    again.rename("a", "")
    again.set_tags("a", [])
    again.save()
    assert json.loads((tmp_path / "data" / "library.json").read_text())["items"] == {}


def test_a_damaged_file_is_kept_aside_and_the_library_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_text("{not json", encoding="utf-8")
    store = LibraryStore(path)
    assert len(store) == 0
    assert (tmp_path / "library.json.unreadable").read_text() == "{not json"
    store.rename("k", "kept")
    store.save()
    assert LibraryStore(path).name("k") == "kept"


def test_saves_from_several_threads_write_the_latest_state(tmp_path: Path) -> None:
    store = LibraryStore(tmp_path / "library.json")
    threads = []
    for number in range(20):
        store.rename(f"k{number}", f"name {number}")
        threads.append(threading.Thread(target=store.save))
        threads[-1].start()
    for thread in threads:
        thread.join()
    store.save()
    again = LibraryStore(tmp_path / "library.json")
    assert [again.name(f"k{n}") for n in range(20)] == [f"name {n}" for n in range(20)]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_tags_typed_as_text() -> None:
    assert parse_tags(" summer , mugs,, Mugs ,blue   sky") == ("summer", "mugs", "blue sky")
    assert len(clean_tags(f"t{n}" for n in range(50))) == MAX_TAGS


# ---------------------------------------------------------------------------- posters

def test_posters_are_kept_by_where_they_came_from(tmp_path: Path) -> None:
    cache = PosterCache.in_cache(tmp_path / "cache")
    url = url_identity("https://cdn.example/thumb.png")
    assert cache.read(url) is None
    cache.write(url, b"png bytes")
    assert PosterCache.in_cache(tmp_path / "cache").read(url) == b"png bytes"

    video = tmp_path / "out.mp4"
    assert file_identity(str(video)) is None
    video.write_bytes(b"one")
    first = file_identity(str(video))
    assert first is not None
    cache.write(first, b"frame")
    stat = video.stat()
    video.write_bytes(b"a new download")
    os.utime(video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    second = file_identity(str(video))
    assert second is not None and second != first and cache.read(second) is None


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    cache = PosterCache(tmp_path)
    now = datetime.now(UTC).timestamp()
    for number in range(5):
        path = cache.write(f"url:{number}", b"x")
        os.utime(path, (now + number, now + number))
    assert cache.prune(keep=2) == 3
    assert [cache.read(f"url:{n}") is not None for n in range(5)] == [False] * 3 + [True] * 2


# ---------------------------------------------------------------------------- settings

def test_settings_read_with_the_forms_labels() -> None:
    lines = readable_settings("url_to_video", {
        "link": "L1", "video_length": 30, "visual_style": "AvatarBubbleTemplate",
        "no_background_music": True, "made_up_field": [1, 2]})
    assert ("Visual style", "Avatar bubble") in lines  # a choice's label, not the wire value
    assert lines[-1] == ("Made up field", "1, 2")  # not a field of the form: its wire name
    labels = [label for label, _value in lines]
    assert "video_length" not in labels and "visual_style" not in labels
    assert readable_settings("retired", {"a_b": None, "flag": False}) == [
        ("A b", "—"), ("Flag", "No")]

