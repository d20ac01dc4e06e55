"""The uploads package without a server: settings, keys in the keyring, what a local file is
and how long it plays (real files: the simulator's samples and WAVs written here)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path
from typing import Any

import pytest

from app.sandbox.media import IMAGE, MP3, VIDEO, WAV
from app.uploads import (
    MAX_PRESIGN_SECONDS,
    MediaLengthError,
    StorageConfig,
    StorageKeys,
    StorageKeyStore,
    UnsupportedFile,
    detect_media,
    media_seconds,
)
from tests.samples import MemoryKeyring


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return path


# -- media length ----------------------------------------------------------------------------

def test_length_of_a_wav_written_here(tmp_path: Path) -> None:
    assert media_seconds(write_wav(tmp_path / "voice.wav", 12.5)) == pytest.approx(12.5)


@pytest.mark.parametrize("sample", [VIDEO, WAV, MP3], ids=lambda s: s.name)
def test_length_of_the_samples_matches_ffprobe(sample: object, tmp_path: Path) -> None:
    # The samples' durations were measured with ffprobe (app/sandbox/media.py); the MP4's
    # sound track alone is 3.128 s long (priming samples its edit list skips).
    assert media_seconds(sample.path) == pytest.approx(float(sample.duration),  # type: ignore[attr-defined]
                                                       abs=0.001)


def test_length_unreadable_is_said_never_guessed(tmp_path: Path) -> None:
    with pytest.raises(MediaLengthError, match=r"length of “sample.png” could not be read"):
        media_seconds(IMAGE.path)
    broken = tmp_path / "cut.mp4"
    broken.write_bytes(VIDEO.path.read_bytes()[:40])
    with pytest.raises(MediaLengthError, match=r"cut\.mp4"):
        media_seconds(broken)
    with pytest.raises(MediaLengthError, match="could not be read"):
        media_seconds(tmp_path / "missing.wav")


# -- what the file is ------------------------------------------------------------------------

def test_kind_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "photo.jpg"
    shutil.copyfile(MP3.path, disguised)
    found = detect_media(disguised)
    assert (found.kind, found.content_type, found.extension) == ("audio", "audio/mpeg", ".mp3")
    assert detect_media(write_wav(tmp_path / "a.wav", 1)).content_type == "audio/wav"
    assert detect_media(VIDEO.path).kind == "video"
    assert detect_media(IMAGE.path, ("image",)).content_type == "image/png"


def test_refusals_say_what_the_file_is(tmp_path: Path) -> None:
    gif = tmp_path / "anim.gif"
    gif.write_bytes(b"GIF89a" + b"\0" * 32)
    with pytest.raises(UnsupportedFile, match="is a GIF file; Creatify takes an image"):
        detect_media(gif)
    with pytest.raises(UnsupportedFile, match="is an audio file; this field takes a video"):
        detect_media(WAV.path, ("video",))
    with pytest.raises(UnsupportedFile, match="could not be read"):
        detect_media(tmp_path / "gone.png")


# -- settings --------------------------------------------------------------------------------

def test_config_round_trip_and_defaults() -> None:
    cfg = StorageConfig(bucket=" my-bucket ", endpoint_url="http://localhost:9000/",
                        prefix="/uploads/", path_style=True)
    assert cfg.endpoint_url == "http://localhost:9000" and cfg.prefix == "uploads"
    assert cfg.presign_seconds == MAX_PRESIGN_SECONDS == 7 * 24 * 3600
    assert StorageConfig.from_dict(cfg.to_dict() | {"future_field": 1}) == cfg
    assert cfg.object_key("ab" * 32, ".png") == f"uploads/{'ab' * 32}.png"
    assert StorageConfig(bucket="b12", prefix="").object_key("f", ".mp3") == "f.mp3"


@pytest.mark.parametrize(("fields", "says"), [
    ({"bucket": ""}, "Bucket: enter the name"),
    ({"bucket": "My_Bucket"}, "not a valid bucket name"),
    ({"bucket": "ok-bucket", "endpoint_url": "s3.example.com"}, "Endpoint: 's3.example.com' is "
                                                                 "not a web address"),
    ({"bucket": "ok-bucket", "endpoint_url": "https://k:s@s3.example.com"}, "user name"),
    ({"bucket": "ok-bucket", "region": "EU West"}, "Region: 'EU West'"),
    ({"bucket": "ok-bucket", "prefix": "a/../b"}, "Folder in the bucket"),
    ({"bucket": "ok-bucket", "url_mode": "public"}, "Public address: with public links"),
    ({"bucket": "ok-bucket", "url_mode": "signed"}, "Link type"),
    ({"bucket": "ok-bucket", "presign_seconds": 8 * 24 * 3600}, "between 15 minutes and 7 days"),
    ({"bucket": "ok-bucket", "presign_seconds": 60}, "between 15 minutes and 7 days"),
])
def test_config_messages(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        StorageConfig(**fields)  # type: ignore[arg-type]


def test_config_from_damaged_settings() -> None:
    with pytest.raises(ValueError, match="'path_style' must be true or false"):
        StorageConfig.from_dict({"bucket": "ok-bucket", "path_style": "yes"})
    with pytest.raises(ValueError, match="Bucket"):
        StorageConfig.from_dict({})


# -- keys ------------------------------------------------------------------------------------

def test_keys_in_the_keyring_under_their_own_service() -> None:
    memory = MemoryKeyring()
    store = StorageKeyStore(backend=memory, trust_backend=True)
    assert store.load() is None
    keys = StorageKeys(" AKIAEXAMPLE0001 ", "secret/Example+Key0123456789")
    store.save(keys)
    assert store.load() == StorageKeys("AKIAEXAMPLE0001", "secret/Example+Key0123456789")
    assert memory.get_password("Creatify Studio storage", "secret-access-key") == \
        "secret/Example+Key0123456789"
    assert memory.get_password("Creatify Studio", "X-API-KEY") is None  # not the API pair
    assert "secret/Example" not in repr(keys)
    store.delete()
    assert store.load() is None
    with pytest.raises(ValueError, match="Secret access key: it contains spaces"):
        StorageKeys("AKIA", "two words")


def test_import_loads_neither_boto3_nor_keyring() -> None:
    code = ("import sys, app.uploads; "
            "print(sorted(m for m in ('boto3', 'botocore', 'keyring', 'mutagen', 'filetype') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("code", "status", "reason"), [
    ("RequestTimeTooSkewed", 403, "clock_skew"),
    ("AuthorizationHeaderMalformed", 400, "config"),
    ("403", 403, "no_permission"),
    ("SlowDown", 503, "other"),
])
def test_more_refusals_in_plain_words(code: str, status: int, reason: str) -> None:
    from botocore.exceptions import ClientError

    from app.uploads._s3 import plain_error

    answer: Any = {"Error": {"Code": code, "Message": "m"},
                   "ResponseMetadata": {"HTTPStatusCode": status}}
    error = ClientError(answer, "PutObject")
    plain = plain_error(error, StorageConfig(bucket="ok-bucket", region="eu-west-3"))
    assert plain.reason == reason
    if reason == "clock_skew":
        assert "clock" in plain.message
    if reason == "config":
        assert "'eu-west-3' is not the bucket's region" in plain.message


async def test_inspect_a_dropped_file_off_the_loop(tmp_path: Path) -> None:
    from app.uploads import inspect_local

    audio = await inspect_local(write_wav(tmp_path / "v.wav", 4.0), ("audio",))
    assert (audio.media.kind, audio.seconds, audio.length_error) == ("audio", 4.0, None)
    image = await inspect_local(IMAGE.path)
    assert image.seconds is None and image.length_error is None and image.size > 0
    webm = tmp_path / "clip.webm"  # a real WebM header: mutagen cannot time it
    webm.write_bytes(bytes.fromhex("1a45dfa3") + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01"
                     b"\x42\x82\x84webm" + b"\0" * 64)
    video = await inspect_local(webm)
    assert video.media.kind == "video" and video.seconds is None
    assert video.length_error is not None and "clip.webm" in video.length_error
    with pytest.raises(UnsupportedFile):
        await inspect_local(IMAGE.path, ("audio",))


class _SecretRefused(MemoryKeyring):
    """A keyring that stores the key id but fails on the secret."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username == "secret-access-key":
            raise RuntimeError("D-Bus said no")
        super().set_password(service, username, password)


def test_half_saved_keys_are_removed_and_an_insecure_keyring_refused() -> None:
    from keyring.backends import null

    from app.credentials import KeyringUnavailable

    failing = _SecretRefused()
    store = StorageKeyStore(backend=failing, trust_backend=True)
    with pytest.raises(KeyringUnavailable, match="failed to save the storage keys"):
        store.save(StorageKeys("AKIAEXAMPLE0001", "secret0123456789abcdef"))
    assert failing.entries == {}
    with pytest.raises(KeyringUnavailable):
        StorageKeyStore(backend=null.Keyring()).save(  # type: ignore[no-untyped-call]
            StorageKeys("AKIAEXAMPLE0001", "secret0123456789abcdef"))


def test_aws_links_name_the_bucket_region() -> None:
    from app.uploads._s3 import make_client

    keys = StorageKeys("AKIAEXAMPLE0001", "secret0123456789abcdef")
    for region in ("eu-west-3", "ap-southeast-2"):
        client = make_client(StorageConfig(bucket="my-bucket", region=region), keys)
        url = client.generate_presigned_url("get_object",  # signing only: no network
                                            Params={"Bucket": "my-bucket", "Key": "k.png"})
        assert url.startswith(f"https://my-bucket.s3.{region}.amazonaws.com/k.png?")
    minio = make_client(StorageConfig(bucket="my-bucket", endpoint_url="http://10.0.0.5:9000",
                                      path_style=True), keys)
    url = minio.generate_presigned_url("get_object", Params={"Bucket": "my-bucket", "Key": "k"})
    assert url.startswith("http://10.0.0.5:9000/my-bucket/k?")
