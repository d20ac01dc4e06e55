"""Which form fields take a local file, the storage settings as a StorageConfig, and links
Creatify cannot fetch (no server, no Qt)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.generators import BY_KEY, SPECS, Field, FieldKind
from app.settings import Settings, SettingsError, SettingsStore, validate
from app.uploads import MAX_PRESIGN_SECONDS, media_kinds, storage_config, unreachable_link


def kinds_of(key: str) -> dict[str, tuple[str, ...]]:
    return {f.name: media_kinds(f) for f in BY_KEY[key].fields if f.kind is FieldKind.URL}


def test_media_fields_of_the_built_in_generators() -> None:
    assert kinds_of("aurora") == {"image": ("image",), "audio": ("audio",)}
    assert kinds_of("avatar_v1") == {"audio": ("audio",),
                                     "background_asset_image_url": ("image",)}
    assert kinds_of("ad_clone") == {"product_url": (), "video_url": ("video",)}
    assert kinds_of("product_image") == {"product_url": ("image",),
                                         "product_showcase_url": ("image",)}
    assert kinds_of("image_ad") == {"image": ("image",)}
    # Pages are never files.
    for key in ("url_to_video", "links", "ai_scripts"):
        assert all(k == () for k in kinds_of(key).values()), key
    # Every media-length generator's length field takes its kind of file.
    for spec in SPECS:
        field = spec.duration.field
        if spec.duration.kind.value == "media" and field is not None:
            assert media_kinds(spec.field(field)) in (("audio",), ("video",)), spec.key


def test_media_kind_from_help_when_name_and_label_say_nothing() -> None:
    clip = Field("source", "Source URL", FieldKind.URL, help="A link to an mp4 of the ad.")
    assert media_kinds(clip) == ("video",)
    assert media_kinds(Field("source", "Source URL", FieldKind.URL)) == ()
    assert media_kinds(Field("image", "Image", FieldKind.TEXT)) == ()


def test_storage_config_from_the_settings() -> None:
    assert storage_config(Settings()) is None  # no bucket: uploads are off
    config = storage_config(replace(Settings(), storage_bucket="my-files",
                                    storage_endpoint="http://localhost:9000/",
                                    storage_path_style=True, storage_folder="/clips/"))
    assert config is not None
    assert (config.bucket, config.endpoint_url, config.prefix, config.path_style,
            config.presign_seconds, config.url_mode) == (
        "my-files", "http://localhost:9000", "clips", True, MAX_PRESIGN_SECONDS, "presigned")
    with pytest.raises(ValueError, match="Public address"):
        storage_config(replace(Settings(), storage_bucket="my-files", storage_links="public"))
    with pytest.raises(ValueError, match="Bucket: 'My Files' is not a valid bucket name"):
        storage_config(replace(Settings(), storage_bucket="My Files"))


def test_storage_settings_are_checked_and_kept(tmp_path: Path) -> None:
    bad = replace(Settings(), storage_links="ftp", storage_link_seconds=60,
                  storage_endpoint="s3.example.com")
    assert set(validate(bad)) == {"storage_links", "storage_link_seconds", "storage_endpoint"}
    store = SettingsStore(tmp_path / "settings.json")
    with pytest.raises(SettingsError):
        store.save(bad)
    good = replace(Settings(), storage_bucket="my-files", storage_region="auto",
                   storage_endpoint="https://acc.r2.cloudflarestorage.com",
                   storage_link_seconds=3600)
    store.save(good)
    assert store.load() == good and store.problems == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000/b/k.png?X-Amz-Signature=1", "http://localhost:9000/b/k.png",
    "https://192.168.1.20/b/k.wav", "http://minio.local/b/k.mp4", "http://[::1]/k.png"])
def test_links_creatify_cannot_fetch(url: str) -> None:
    problem = unreachable_link(url)
    assert problem is not None and "on your own computer or network" in problem


@pytest.mark.parametrize("url", [
    "https://my-files.s3.us-east-1.amazonaws.com/k.png?X-Amz-Signature=1",
    "https://pub-1.r2.dev/k.wav", "not a link", "file:///tmp/k.png"])
def test_links_that_are_public_or_no_links_at_all(url: str) -> None:
    assert unreachable_link(url) is None
