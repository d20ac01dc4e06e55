"""The sandbox's synthetic media (``/media/synthetic/<N>.bin``): N deterministic bytes made on
the fly, with Content-Length and ranges like the sample files (the download benchmark fetches
1 GiB of it; here, small sizes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.downloads import fetch_resumable, part_path
from app.sandbox import Sandbox, media

pytestmark = pytest.mark.e2e

SIZE = 3 * 1_048_573 + 12_345  # several pattern periods and a ragged end


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=5) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def expected(first: int, end: int) -> bytes:
    return b"".join(media.synthetic_chunks(first, end))


def test_whole_file_has_its_length_and_is_the_same_every_time(sandbox: Sandbox,
                                                             http: httpx.Client) -> None:
    url = media.synthetic_url(sandbox.base_url, SIZE)
    assert url == f"{sandbox.base_url}/media/synthetic/{SIZE}.bin"
    first = http.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/octet-stream"
    assert first.headers["content-length"] == str(SIZE)
    assert first.headers["accept-ranges"] == "bytes"
    assert len(first.content) == SIZE and first.content == expected(0, SIZE)
    again = http.get(url)
    assert hashlib.sha256(again.content).digest() == hashlib.sha256(first.content).digest()
    # Not a short repeating block: the pattern's period is a prime just under 1 MiB.
    assert first.content[:4096] != first.content[1 << 20:(1 << 20) + 4096]
    assert len(set(first.content[:65536])) > 200


def test_ranges_are_slices_of_the_whole(sandbox: Sandbox, http: httpx.Client) -> None:
    url = media.synthetic_url(sandbox.base_url, SIZE)
    whole = http.get(url).content
    for header, first, last in (("bytes=100-199", 100, 199),
                                ("bytes=1048570-1048580", 1048570, 1048580),
                                (f"bytes={SIZE - 5}-", SIZE - 5, SIZE - 1),
                                ("bytes=-10", SIZE - 10, SIZE - 1),
                                (f"bytes=0-{SIZE * 2}", 0, SIZE - 1)):
        part = http.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{SIZE}"
        assert part.headers["content-length"] == str(last + 1 - first)
        assert part.content == whole[first:last + 1]
    beyond = http.get(url, headers={"Range": f"bytes={SIZE}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{SIZE}"


def test_head_empty_files_and_what_is_not_one(sandbox: Sandbox, http: httpx.Client) -> None:
    huge = http.head(media.synthetic_url(sandbox.base_url, 1 << 30))
    assert huge.status_code == 200 and huge.content == b""
    assert huge.headers["content-length"] == str(1 << 30)
    empty = http.get(media.synthetic_url(sandbox.base_url, 0))
    assert empty.status_code == 200 and empty.content == b""
    base = sandbox.base_url
    sample = http.get(base + "/media/synthetic/12.png")  # other kinds: the sample files
    assert sample.content == media.IMAGE.read()
    for path in ("/media/synthetic/-1.bin",
                 "/media/synthetic/1e9.bin", "/media/synthetic/x.bin",
                 f"/media/synthetic/{media.SYNTHETIC_MAX + 1}.bin", "/media/other/12.bin"):
        assert http.get(base + path).status_code == 404, path
    refused = http.post(media.synthetic_url(base, 10))
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"


async def test_the_app_download_resumes_a_synthetic_file(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    url = media.synthetic_url(sandbox.base_url, SIZE)
    target = tmp_path / "big.bin"
    part_path(target).write_bytes(expected(0, 777_777))  # an earlier attempt's .part
    async with httpx.AsyncClient() as client:
        result = await fetch_resumable(client, url, target)
    assert (result.bytes, result.resumed_from) == (SIZE, 777_777)
    assert target.read_bytes() == expected(0, SIZE)


def test_chunks_never_exceed_256_kib_and_check_their_range() -> None:
    pieces = list(media.synthetic_chunks(5, 5 + (3 << 20)))
    assert max(len(p) for p in pieces) <= 1 << 18
    assert sum(len(p) for p in pieces) == 3 << 20
    assert list(media.synthetic_chunks(7, 7)) == []
    with pytest.raises(ValueError):
        list(media.synthetic_chunks(10, 5))
