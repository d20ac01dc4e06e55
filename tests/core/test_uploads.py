"""Uploads to a real S3-compatible server (moto's server mode) on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from app.sandbox.media import IMAGE, MP3, VIDEO, WAV
from app.uploads import (
    StorageConfig,
    StorageKeys,
    UnsupportedFile,
    Uploader,
    UploadError,
)
from tests.core.s3_server import ADMIN_KEY_ID, ADMIN_SECRET, S3Server, s3_server

__all__ = ["s3_server"]

KEYS = StorageKeys(ADMIN_KEY_ID, ADMIN_SECRET)


def config(server: S3Server, bucket: str, **extra: object) -> StorageConfig:
    return StorageConfig(bucket=bucket, endpoint_url=server.endpoint, path_style=True,
                         **extra)  # type: ignore[arg-type]


def copy_sample(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    target = tmp_path / (name or src.name)
    shutil.copyfile(src, target)
    return target


def versions(server: S3Server, bucket: str, key: str) -> int:
    answer = server.client().list_object_versions(Bucket=bucket,  # type: ignore[attr-defined]
                                                  Prefix=key)
    return len(answer.get("Versions", []))


async def test_upload_presigned_url_serves_the_same_bytes(s3_server: S3Server,
                                                          tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    local = copy_sample(IMAGE.path, tmp_path, "my photo.png")
    uploader = Uploader(config(s3_server, bucket), KEYS, tmp_path / "uploads.json")
    done = await uploader.upload(local)
    digest = hashlib.sha256(local.read_bytes()).hexdigest()
    assert done.key == f"creatify-uploads/{digest}.png"
    assert not done.reused and done.expires_at is not None
    assert "X-Amz-Signature=" in done.url and "X-Amz-Expires=604800" in done.url
    async with httpx.AsyncClient() as http:
        answer = await http.get(done.url)
    assert answer.status_code == 200
    assert answer.content == local.read_bytes()
    assert answer.headers["content-type"] == "image/png"


async def test_same_content_is_not_uploaded_again(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket(versioned=True)
    first = copy_sample(WAV.path, tmp_path, "take1.wav")
    second = copy_sample(WAV.path, tmp_path, "same audio, other name.wav")
    uploader = Uploader(config(s3_server, bucket), KEYS, tmp_path / "uploads.json")
    a = await uploader.upload(first)
    b = await uploader.upload(second)
    c = await Uploader(config(s3_server, bucket), KEYS).upload(first)  # a fresh app run
    assert (a.reused, b.reused, c.reused) == (False, True, True)
    assert a.key == b.key == c.key and a.key.endswith(".wav")
    # A versioned bucket keeps one version per PUT: a second PUT would leave two.
    assert versions(s3_server, bucket, a.key) == 1


async def test_hash_index_remembers_and_notices_changes(s3_server: S3Server,
                                                        tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    local = copy_sample(MP3.path, tmp_path)
    index = tmp_path / "data" / "uploads.json"
    uploader = Uploader(config(s3_server, bucket), KEYS, index)
    first = await uploader.upload(local)
    entry = json.loads(index.read_text())["files"][str(local.resolve())]
    assert entry["sha256"] == first.sha256 and entry["size"] == local.stat().st_size
    # The remembered hash is used while size and mtime match (proved by a planted value) …
    planted = "0" * 64
    entry["sha256"] = planted
    index.write_text(json.dumps({"version": 1, "files": {str(local.resolve()): entry}}))
    again = await Uploader(config(s3_server, bucket), KEYS, index).upload(local)
    assert again.sha256 == planted
    # … and a changed file is hashed again.
    with local.open("ab") as fh:
        fh.write(b"\0" * 10)
    changed = await Uploader(config(s3_server, bucket), KEYS, index).upload(local)
    assert changed.sha256 == hashlib.sha256(local.read_bytes()).hexdigest()
    assert not changed.reused


async def test_public_url_mode(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    policy = {"Version": "2012-10-17", "Statement": [{  # anyone may read: a public bucket
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    s3_server.client().put_bucket_policy(  # type: ignore[attr-defined]
        Bucket=bucket, Policy=json.dumps(policy))
    local = copy_sample(VIDEO.path, tmp_path, "clip.MOV.mp4")
    cfg = config(s3_server, bucket, url_mode="public", prefix="/media/in/",
                 public_base_url=f"{s3_server.endpoint}/{bucket}/")
    done = await Uploader(cfg, KEYS).upload(local)
    assert done.url == f"{s3_server.endpoint}/{bucket}/media/in/{done.sha256}.mp4"
    assert done.expires_at is None
    async with httpx.AsyncClient() as http:  # no signature: the bucket's policy
        answer = await http.get(done.url)
    assert answer.content == local.read_bytes()
    assert answer.headers["content-type"] == "video/mp4"


async def test_progress_reaches_100_percent_on_the_loop_thread(s3_server: S3Server,
                                                               tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    local = tmp_path / "big.wav"
    shutil.copyfile(WAV.path, local)
    with local.open("ab") as fh:  # a WAV with a long tail: 12 MiB, several parts
        fh.write(os.urandom(12 * 1024 * 1024))
    size = local.stat().st_size
    loop_thread = asyncio.get_running_loop()
    seen: list[tuple[int, int]] = []

    def progress(sent: int, total: int) -> None:
        assert asyncio.get_running_loop() is loop_thread
        seen.append((sent, total))

    uploader = Uploader(config(s3_server, bucket), KEYS, multipart_threshold=5 * 1024 * 1024,
                        part_size=5 * 1024 * 1024)
    done = await uploader.upload(local, progress)
    await asyncio.sleep(0)  # the last call_soon_threadsafe callback
    assert seen[-1] == (size, size)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    # Multipart: S3 gives an object uploaded in N parts the ETag "<md5 of md5s>-N".
    head = s3_server.client().head_object(Bucket=bucket, Key=done.key)  # type: ignore[attr-defined]
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ContentLength"] == size
    # Below the threshold: one PUT, a plain MD5 ETag.
    small = copy_sample(WAV.path, tmp_path)
    small_done = await uploader.upload(small)
    small_head = s3_server.client().head_object(  # type: ignore[attr-defined]
        Bucket=bucket, Key=small_done.key)
    assert small_head["ETag"].strip('"') == hashlib.md5(small.read_bytes()).hexdigest()


async def test_reused_upload_reports_100_percent(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    local = copy_sample(IMAGE.path, tmp_path)
    uploader = Uploader(config(s3_server, bucket), KEYS)
    await uploader.upload(local)
    seen: list[tuple[int, int]] = []
    done = await uploader.upload(local, lambda s, t: seen.append((s, t)))
    await asyncio.sleep(0)
    assert done.reused and seen == [(done.size, done.size)]


async def test_non_media_and_wrong_kind_refused_before_any_request(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"  # the name says image; the bytes say otherwise
    text.write_text("not an image at all\n")
    # An unreachable endpoint: the refusal must come before any network use.
    cfg = StorageConfig(bucket="some-bucket", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(UnsupportedFile) as refused:
        await Uploader(cfg, KEYS).upload(text)
    assert "notes.png" in refused.value.message and "not a media file" in refused.value.message
    pdf = tmp_path / "deck.mp4"
    pdf.write_bytes(b"%PDF-1.4\n" + b"\0" * 64)
    with pytest.raises(UnsupportedFile, match="is a PDF file"):
        await Uploader(cfg, KEYS).upload(pdf)
    video = copy_sample(VIDEO.path, tmp_path)
    with pytest.raises(UnsupportedFile, match="is a video; this field takes an image"):
        await Uploader(cfg, KEYS).upload(video, kinds=("image",))


async def test_missing_bucket_is_named(s3_server: S3Server, tmp_path: Path) -> None:
    cfg = config(s3_server, "no-such-bucket-here")
    with pytest.raises(UploadError) as failed:
        await Uploader(cfg, KEYS).check()
    assert failed.value.reason == "no_bucket"
    assert "'no-such-bucket-here' does not exist" in failed.value.message
    local = copy_sample(IMAGE.path, tmp_path)
    with pytest.raises(UploadError) as failed_upload:
        await Uploader(cfg, KEYS).upload(local)
    assert failed_upload.value.reason == "no_bucket"


async def test_unreachable_endpoint(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = StorageConfig(bucket="bucket", endpoint_url=f"http://127.0.0.1:{port}",
                        path_style=True)
    with pytest.raises(UploadError) as failed:
        await Uploader(cfg, KEYS).check()
    assert failed.value.reason == "unreachable"
    assert f"http://127.0.0.1:{port} could not be reached" in failed.value.message


async def test_check_passes_and_leaves_nothing(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    await Uploader(config(s3_server, bucket), KEYS).check()
    listing = s3_server.client().list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    assert listing.get("KeyCount", 0) == 0


@pytest.fixture
def iam_keys(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[str, dict[str, StorageKeys]]:
    """Real access checks: a bucket, an IAM user with S3 rights ("allowed") and one with none
    ("denied"); then the server checks every request's keys and signature (moto's
    INITIAL_NO_AUTH_ACTION_COUNT, read on each request, set back after the test)."""
    from moto import settings

    iam = s3_server.client(service="iam")
    made: dict[str, StorageKeys] = {}
    bucket = s3_server.new_bucket()
    s3_rights = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    for who in ("allowed", "denied"):
        name = f"{who}-{os.urandom(4).hex()}"
        iam.create_user(UserName=name)  # type: ignore[attr-defined]
        if who == "allowed":
            iam.put_user_policy(  # type: ignore[attr-defined]
                UserName=name, PolicyName="s3", PolicyDocument=s3_rights)
        key = iam.create_access_key(UserName=name)["AccessKey"]  # type: ignore[attr-defined]
        made[who] = StorageKeys(key["AccessKeyId"], key["SecretAccessKey"])
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    return bucket, made


async def test_keys_and_permissions_in_plain_words(
        s3_server: S3Server, iam_keys: tuple[str, dict[str, StorageKeys]]) -> None:
    bucket, keys = iam_keys
    cfg = config(s3_server, bucket)
    await Uploader(cfg, keys["allowed"]).check()

    unknown = StorageKeys("AKIAUNKNOWNUNKNOWN00", "x" * 40)
    with pytest.raises(UploadError) as bad_id:
        await Uploader(cfg, unknown).check()
    assert bad_id.value.reason == "bad_keys"
    assert "did not recognise the access key ID" in bad_id.value.message

    wrong_secret = StorageKeys(keys["allowed"].access_key_id, "y" * 40)
    with pytest.raises(UploadError) as bad_secret:
        await Uploader(cfg, wrong_secret).check()
    assert bad_secret.value.reason == "bad_keys"
    assert "refused the secret access key" in bad_secret.value.message

    with pytest.raises(UploadError) as denied:
        await Uploader(cfg, keys["denied"]).check()
    assert denied.value.reason == "no_permission"
    assert f"may not write to and read from the bucket '{bucket}'" in denied.value.message


async def test_no_default_checksum_headers_for_s3_compatible_servers(s3_server: S3Server,
                                                                    tmp_path: Path) -> None:
    # botocore ≥ 1.36 sends x-amz-checksum-crc32 with every upload, which several
    # S3-compatible servers refuse; the server keeps what it was sent, so ask it.
    bucket = s3_server.new_bucket()
    small = copy_sample(IMAGE.path, tmp_path)
    big = tmp_path / "big.wav"
    shutil.copyfile(WAV.path, big)
    with big.open("ab") as fh:
        fh.write(os.urandom(6 * 1024 * 1024))
    uploader = Uploader(config(s3_server, bucket), KEYS, multipart_threshold=5 * 1024 * 1024,
                        part_size=5 * 1024 * 1024)
    for local in (small, big):
        done = await uploader.upload(local)
        head = s3_server.client().head_object(  # type: ignore[attr-defined]
            Bucket=bucket, Key=done.key, ChecksumMode="ENABLED")
        assert not [name for name in head if name.startswith("Checksum")], head
