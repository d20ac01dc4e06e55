"""Saving results: real loopback HTTP from the simulator into the output folder."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.downloads import DownloadError, download, safe_filename
from app.sandbox import Sandbox

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "etc_passwd"), ("a/b\\c", "a_b_c"), ("..", "download"),
    (".hidden", "hidden"), ("ok name.mp4", "ok name.mp4"), ("x" * 300, "x" * 120),
    ("clip\x00.mp4", "clip_.mp4"), ("", "download")])
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert "/" not in safe_filename(name) and "\\" not in safe_filename(name)


async def test_download_streams_into_the_folder(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        url = f"{sandbox.base_url}/media/job1/output.mp4"
        async with httpx.AsyncClient() as http:
            first = await download(http, url, tmp_path, "../../evil")
            second = await download(http, url, tmp_path, "../../evil")
            with pytest.raises(DownloadError, match=r"HTTP 404"):
                await download(http, f"{sandbox.base_url}/media/x", tmp_path, "missing")
    assert first.parent == tmp_path and first.name == "evil.mp4"
    assert second.name == "evil (2).mp4"
    assert first.read_bytes()[4:8] == b"ftyp"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y"])
async def test_download_refuses_other_schemes(tmp_path: Path, url: str) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(DownloadError, match="Refusing"):
            await download(http, url, tmp_path, "x")
    assert list(tmp_path.iterdir()) == []
