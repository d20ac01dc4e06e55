"""The catalogue cache (app.assets): the disk cache's round trip and its damaged files, the
installed catalogue the specs read (schema_for, inspirations), and the picker's grouping,
labels and search over the docs' models with the real bundled asset price file (the
simulator's catalogue is grouped in tests/e2e/test_session.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app import assets
from app.assets import (
    STALE_AFTER,
    AssetCatalogue,
    SchemaCache,
    family_from_name,
    type_label,
)
from app.pricing.assets import AssetPrices, load_asset_prices

T0 = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
RESOURCES = Path(__file__).parents[2] / "resources"


def price_file_models() -> list[dict[str, Any]]:
    """The vendored asset price file's models (the docs' names, families, types)."""
    body = json.loads((RESOURCES / "asset-models.json").read_text(encoding="utf-8"))
    models: list[dict[str, Any]] = body["models"]
    return models


def prices() -> AssetPrices:
    """The real bundled asset price file, as the window hands it to the picker."""
    return load_asset_prices()


@pytest.fixture(autouse=True)
def clean_install() -> Iterator[None]:
    assets.uninstall()
    yield
    assets.uninstall()


SCHEMAS = [
    {"model_name": "veo3.1/fast", "generation_type": "text_to_video",
     "input_params_schema": {"type": "object", "required": ["prompt"],
                             "properties": {"prompt": {"type": "string"},
                                            "duration": {"type": "string",
                                                         "enum": ["4", "6", "8"]}}}},
    {"model_name": "nano-banana", "generation_type": "text_to_image",
     "input_params_schema": {"type": "object",
                             "properties": {"prompt": {"type": "string"},
                                            "num_images": {"type": "integer", "minimum": 1,
                                                           "maximum": 4}}}},
]


# ---------------------------------------------------------------------------- the disk cache

def test_cache_round_trip_keeps_items_and_date(tmp_path: Path) -> None:
    cache = SchemaCache(tmp_path / "cache" / "live")
    assert cache.load("asset_schemas") is None
    saved = cache.save("asset_schemas", SCHEMAS, T0)
    again = SchemaCache(tmp_path / "cache" / "live").load("asset_schemas")
    assert again == saved
    assert again is not None and again.items == SCHEMAS and again.fetched_at == T0
    assert cache.load("inspirations") is None  # each catalogue its own file
    assert [p.name for p in cache.folder.iterdir()] == ["asset_schemas.json"]  # no temp left


def test_cache_save_replaces_the_old_copy(tmp_path: Path) -> None:
    cache = SchemaCache(tmp_path)
    cache.save("inspirations", [{"id": "a"}], T0)
    cache.save("inspirations", [{"id": "b"}], T0 + timedelta(hours=1))
    loaded = cache.load("inspirations")
    assert loaded is not None and loaded.items == [{"id": "b"}]
    assert loaded.fetched_at == T0 + timedelta(hours=1)


def test_stale_after_twelve_hours_or_a_future_date(tmp_path: Path) -> None:
    cached = SchemaCache(tmp_path).save("asset_schemas", SCHEMAS, T0)
    assert timedelta(hours=12) == STALE_AFTER
    assert not cached.stale(T0 + timedelta(hours=11, minutes=59))
    assert cached.stale(T0 + timedelta(hours=12))
    assert cached.stale(T0 - timedelta(minutes=5))  # the clock went back: read it again


@pytest.mark.parametrize("text", [
    "{not json",
    "[]",
    json.dumps({"format": 1, "kind": "inspirations", "fetched_at": T0.isoformat(),
                "items": []}),  # another catalogue's file
    json.dumps({"format": 99, "kind": "asset_schemas", "fetched_at": T0.isoformat(),
                "items": []}),
    json.dumps({"format": 1, "kind": "asset_schemas", "items": []}),
    json.dumps({"format": 1, "kind": "asset_schemas", "fetched_at": "2026-12-06T09:30:00",
                "items": []}),  # no time zone
    json.dumps({"format": 1, "kind": "asset_schemas", "fetched_at": T0.isoformat(),
                "items": [1, 2]}),
])
def test_damaged_cache_is_ignored_with_a_log_line(tmp_path: Path, text: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    cache = SchemaCache(tmp_path)
    cache.path("asset_schemas").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.assets"):
        assert cache.load("asset_schemas") is None
    assert "damaged" in caplog.text and "asset_schemas.json" in caplog.text
    cache.save("asset_schemas", SCHEMAS, T0)  # the next fetch writes a good one over it
    assert cache.load("asset_schemas") is not None


def test_undecodable_cache_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = SchemaCache(tmp_path)
    cache.path("inspirations").write_bytes(b"\xff\xfe\x00garbage")
    with caplog.at_level(logging.WARNING, logger="app.assets"):
        assert cache.load("inspirations") is None
    assert "fetched again" in caplog.text


def test_unknown_kind_and_naive_date_refused(tmp_path: Path) -> None:
    cache = SchemaCache(tmp_path)
    with pytest.raises(ValueError, match="personas"):
        cache.load("personas")
    with pytest.raises(ValueError, match="time zone"):
        cache.save("asset_schemas", SCHEMAS, datetime(2026, 12, 6))


# ---------------------------------------------------------------------------- installed

def test_schema_for_reads_the_installed_catalogue() -> None:
    assert assets.schema_for("veo3.1/fast") is None  # nothing installed yet
    assets.install("asset_schemas", SCHEMAS, T0)
    schema = assets.schema_for("veo3.1/fast")
    assert schema == SCHEMAS[0]["input_params_schema"]
    assert schema is not None
    schema["properties"]["duration"]["enum"].append("99")  # a copy: the catalogue unchanged
    assert assets.schema_for("veo3.1/fast") == SCHEMAS[0]["input_params_schema"]
    assert assets.schema_for("no-such-model") is None
    assert assets.installed("asset_schemas") == SCHEMAS
    assert assets.installed_date("asset_schemas") == T0
    assets.install("asset_schemas", SCHEMAS[1:], T0 + timedelta(days=1))
    assert assets.schema_for("veo3.1/fast") is None  # replaced whole
    assert assets.schema_for("nano-banana") == SCHEMAS[1]["input_params_schema"]


def test_inspirations_by_id() -> None:
    items: list[dict[str, Any]] = [{"id": "7d0c…", "name": "Unboxing", "credit_cost": 12,
              "input_params_schema": {"properties": {"product_url": {"type": "string"}},
                                      "required": ["product_url"]}},
             {"id": "no-schema", "name": "Broken", "credit_cost": "3"}]
    assets.install("inspirations", items, T0)
    found = assets.inspiration(" 7d0c… ")
    assert found is not None and found["name"] == "Unboxing"
    assert assets.inspiration_schema("7d0c…") == items[0]["input_params_schema"]
    assert assets.inspiration_schema("no-schema") is None
    assert assets.inspiration("missing") is None
    with pytest.raises(ValueError):
        assets.install("voices", [], T0)


# ---------------------------------------------------------------------------- grouping

@pytest.mark.parametrize(("name", "family"), [
    ("kling-video/o3/pro/text-to-video", "Kling"),
    ("veo3.1/fast", "Veo"),
    ("veo3.1-lite/image-to-video", "Veo"),
    ("bytedance/seedance-2.0/fast/text-to-video", "Seedance"),
    ("bytedance/seedream/v5/pro/edit", "Seedream"),
    ("nano-banana-2.1/edit", "Nano Banana"),
    ("gpt-image-2.5-flare", "GPT"),
    ("flux-pro/kontext/max/multi", "Flux"),
    ("wan2.7-image/pro/text-to-image", "Wan"),
    ("minimax/h3-max/text-to-video", "MiniMax"),
    ("grok-imagine-video/text-to-video", "Grok Video"),
    ("boreal-h3/reference-to-video", "Creatify"),
    ("hailuo-02/standard", "Hailuo"),
    ("some-new-model", "Some New Model"),
    ("", "Other"),
])
def test_family_from_the_name_prefix(name: str, family: str) -> None:
    assert family_from_name(name) == family


def test_name_prefix_agrees_with_the_price_file_families() -> None:
    """Where the docs name the family, the prefix rule finds the same one (so a model the
    price file does not list yet lands in the family the docs would give it)."""
    wrong = {m["model_name"]: (m["family"], family_from_name(m["model_name"]))
             for m in price_file_models()
             if not m["family"].startswith("(")
             and family_from_name(m["model_name"]) != m["family"]}
    assert wrong == {}


def test_type_labels() -> None:
    assert type_label("text_to_video") == "Text → video"
    assert type_label("image_to_video") == "Image → video"
    assert type_label("video_to_video") == "Video → video"
    assert type_label("text_to_image") == "Text → image"
    assert type_label("image_to_image") == "Image edit"
    assert type_label("text_to_audio") == "Audio"
    assert type_label("speech_to_video") == "Speech → video"
    assert type_label("upscale") == "Upscale"


def catalogue_from_price_file(facts: AssetPrices | None) -> AssetCatalogue:
    entries: list[Any] = [{"model_name": m["model_name"], "generation_type": m["generation_type"],
                "input_params_schema": {"type": "object", "properties": {}}}
               for m in price_file_models()]
    entries.append({"model_name": "hailuo-02/text-to-video", "generation_type": "text_to_video",
                    "input_params_schema": {"type": "object", "properties": {}}})
    entries.append({"model_name": "veo3.1/fast", "generation_type": "text_to_video"})  # repeat
    entries.append({"generation_type": "text_to_video"})  # no name: skipped
    entries.append("not an object")
    return AssetCatalogue.from_entries(entries, facts)


def test_grouping_by_family_uses_the_price_file() -> None:
    catalogue = catalogue_from_price_file(prices())
    docs = {m["model_name"]: m for m in price_file_models()}
    assert len(catalogue) == len(price_file_models()) + 1
    groups = dict(catalogue.groups())
    assert list(dict(catalogue.groups())) == sorted(groups, key=str.lower)
    veo = catalogue.model("veo3.1/fast")
    assert veo is not None
    assert veo.family == "Veo" and veo.title == docs["veo3.1/fast"]["title"]
    assert veo.type_label == "Text → video"
    assert veo.from_credits == Decimal(str(docs["veo3.1/fast"]["from_credits"]))
    assert veo in groups["Veo"]
    unknown = catalogue.model("hailuo-02/text-to-video")
    assert unknown is not None and unknown.family == "Hailuo" and unknown.from_credits is None
    assert unknown.title == "hailuo-02/text-to-video"
    for family, models in groups.items():
        assert all(m.family == family for m in models)
        kinds = [list(assets.TYPE_LABELS).index(m.generation_type) for m in models]
        assert kinds == sorted(kinds)  # text→video before image→video … inside a family


def test_grouping_by_type_covers_every_generation_type() -> None:
    catalogue = catalogue_from_price_file(prices())
    by_type = catalogue.groups(by="type")
    labels = [label for label, _ in by_type]
    assert labels == ["Text → video", "Image → video", "Video → video", "Text → image",
                      "Image edit"]
    assert sum(len(models) for _, models in by_type) == len(catalogue)
    for label, models in by_type:
        assert {m.type_label for m in models} == {label}


def test_without_a_price_file_families_come_from_names() -> None:
    catalogue = catalogue_from_price_file(None)
    kling = catalogue.model("kling-video/v3/pro/text-to-video")
    assert kling is not None and kling.family == "Kling" and kling.from_credits is None
    seedance = catalogue.model("bytedance/seedance-2.5/text-to-video")
    assert seedance is not None and seedance.family == "Seedance"


def test_generation_type_from_the_price_file_when_the_catalogue_omits_it() -> None:
    catalogue = AssetCatalogue.from_entries([{"model_name": "nano-banana"}], prices())
    model = catalogue.model("nano-banana")
    assert model is not None and model.type_label == "Text → image" and model.schema is None


def test_search_all_words_any_field_case_insensitive() -> None:
    catalogue = catalogue_from_price_file(prices())
    names = {m.name for m in catalogue.search("KLING text")}
    assert names and all(n.startswith("kling-video/") and "text-to-video" in n for n in names)
    assert {m.name for m in catalogue.search("veo image → video")} == {
        m["model_name"] for m in price_file_models()
        if m["family"] == "Veo" and m["generation_type"] == "image_to_video"}
    edits = catalogue.search("image edit flux")
    assert {m.name for m in edits} == {"flux-2-pro/edit", "flux-pro/kontext/max/multi"}
    assert catalogue.search("seedance 2.0 fast")[0].name == \
        "bytedance/seedance-2.0/fast/text-to-video"
    assert catalogue.search("no such thing") == []
    assert len(catalogue.search("  ")) == len(catalogue)
    found = catalogue.filtered("nano banana")
    assert [family for family, _ in found.groups()] == ["Nano Banana"]
