"""The gallery image cache: files keyed by a hash of the URL, bounded in size, the least
recently used dropped first."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.galleries import ImageCache
from app.galleries.image_cache import url_key

URL = "https://cdn.example.com/personas/olivia_1_1.png?token=secret"


def test_bytes_come_back_under_a_hashed_name(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images")
    assert cache.get(URL) is None
    assert cache.put(URL, b"\x89PNG one")
    assert cache.get(URL) == b"\x89PNG one"
    [stored] = [p for p in (tmp_path / "images").rglob("*") if p.is_file()]
    assert stored.name.startswith(url_key(URL)) and "example" not in str(stored)
    assert "secret" not in str(stored)
    assert ImageCache(tmp_path / "images").get(URL) == b"\x89PNG one"  # a new process
    assert cache.put(URL, b"two")
    assert cache.get(URL) == b"two" and cache.size() == 3


def test_the_folder_stays_under_its_bound_dropping_the_least_recently_used(
        tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", max_bytes=10_000)
    urls = [f"https://cdn.example.com/{i}.png" for i in range(12)]
    for i, url in enumerate(urls[:9]):
        assert cache.put(url, bytes([i]) * 1000)
        os.utime(cache.path(url), (time.time() - 100 + i, time.time() - 100 + i))
    assert cache.size() == 9000
    assert cache.get(urls[0]) is not None  # the oldest, used again: now the newest
    for url in urls[9:]:
        assert cache.put(url, b"x" * 1000)
    assert cache.size() <= 10_000
    assert cache.get(urls[0]) is not None
    assert cache.get(urls[1]) is None and cache.get(urls[2]) is None  # least recently used
    assert all(cache.get(url) is not None for url in urls[9:])
    assert cache.size() == sum(p.stat().st_size for p in (tmp_path / "images").rglob("*.img"))


def test_too_large_or_empty_images_are_not_kept(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", max_bytes=1000)
    assert not cache.put(URL, b"")
    assert not cache.put(URL, b"x" * 1001)
    assert cache.get(URL) is None and cache.size() == 0


def test_a_folder_that_cannot_be_written_only_means_no_caching(tmp_path: Path) -> None:
    blocker = tmp_path / "images"
    blocker.write_text("a file where the folder should be")
    cache = ImageCache(blocker)
    assert not cache.put(URL, b"data")
    assert cache.get(URL) is None and cache.size() == 0


def test_trim_and_clear(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", max_bytes=100_000)
    for i in range(5):
        cache.put(f"https://x.example/{i}", b"y" * 100)
    assert cache.trim(250) == 3 and cache.size() == 200
    cache.clear()
    assert cache.size() == 0 and not list((tmp_path / "images").rglob("*.img"))
