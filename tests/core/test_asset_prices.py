"""The asset price file: the vendored reference copy unchanged, and every shape of price it
holds priced as the docs say (parametrised over the file's own models)."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.pricing import Bound, PricingError, estimate, price_table
from app.pricing.assets import UNLISTED, asset_price_requests, load_asset_prices, price_key

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def _recorded_hashes() -> dict[str, str]:
    """The sha256 of each vendored file as ``resources/asset-prices.md`` records it."""
    text = (RESOURCES / "asset-prices.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*resources/(\S+)\s*\|\s*([0-9a-f]{64})\s*\|$", text, re.MULTILINE)
    return dict(rows)


def test_asset_prices_md_records_both_files() -> None:
    assert set(_recorded_hashes()) == {"asset-models.json", "asset-models-notes.md"}


@pytest.mark.parametrize("name", ["asset-models.json", "asset-models-notes.md"])
def test_vendored_file_matches_recorded_hash(name: str) -> None:
    digest = hashlib.sha256((RESOURCES / name).read_bytes()).hexdigest()
    assert digest == _recorded_hashes()[name]


# --- every model of the file, by shape ---------------------------------------------------

D = Decimal
TODAY = datetime.date(2026, 12, 6)
RAW: dict[str, Any] = json.loads((RESOURCES / "asset-models.json").read_text("utf-8"),
                                 parse_float=Decimal)
MODELS = {m["model_name"]: m for m in RAW["models"]}
TABLES = [n for n, m in MODELS.items() if m["price"]["kind"] == "table"]
BY_KIND = {kind: [n for n, m in MODELS.items() if m["price"]["kind"] == kind]
           for kind in ("table", "flat", "per_second", "varies", "unknown")}


def priced(model: str, params: dict[str, Any], schema: dict[str, Any] | None = None
           ) -> tuple[Decimal | None, Bound, list[str]]:
    """Total credits (None if any part is unknown), the loosest bound, the breakdowns."""
    estimates = [estimate(r, today=TODAY) for r in asset_price_requests(model, params, schema)]
    bounds = {e.bound for e in estimates}
    bound = Bound.UNKNOWN if Bound.UNKNOWN in bounds else \
        Bound.AT_LEAST if Bound.AT_LEAST in bounds else Bound.EXACT
    total = None if bound is Bound.UNKNOWN else sum((e.credits or D(0) for e in estimates),
                                                    D(0))
    return total, bound, [e.breakdown for e in estimates]


def lowest(model: dict[str, Any]) -> Decimal:
    price = model["price"]
    if price["kind"] == "table":
        return min(D(r["credits"]) for r in price["rows"])
    if price["kind"] == "per_second":
        return min(D(r["credits"]) for r in price["expected_table_if_rule_holds"])
    if price["kind"] == "flat":
        return D(price["credits"])
    return D(price["min_credits"])


def test_every_shape_of_the_file_is_covered() -> None:
    assert all(BY_KIND.values()), BY_KIND
    assert {m["price"]["kind"] for m in MODELS.values()} == set(BY_KIND)
    shapes = {tuple(MODELS[n]["price"]["by"]) for n in TABLES}
    assert shapes == {("duration",), ("resolution",), ("duration", "resolution"),
                      ("quality", "resolution")}
    assert load_asset_prices().models.keys() == MODELS.keys()


@pytest.mark.parametrize("name", [n for n, m in MODELS.items()
                                  if m["from_credits"] is not None])
def test_each_model_s_lowest_price_is_its_from_price(name: str) -> None:
    assert lowest(MODELS[name]) == D(MODELS[name]["from_credits"])
    info = load_asset_prices().info(name)
    assert info is not None and info.from_credits == D(MODELS[name]["from_credits"])


def _spellings(dim: str, label: str) -> list[Any]:
    """How a schema might send a table label: as the table writes it, in other case, and
    for durations as a number, "5s" and "5.0"."""
    if dim == "duration":
        return [label, int(label), f"{label}s", f"{label}.0"]
    return [label, label.lower(), label.upper()]


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("outputs", [1, 3])
def test_every_table_row_is_priced_exactly_times_outputs(name: str, outputs: int) -> None:
    price = MODELS[name]["price"]
    for n, row in enumerate(price["rows"]):
        spelling = n % 3  # every spelling, spread over the rows
        params: dict[str, Any] = {"prompt": "a red bicycle", "num_images": outputs}
        for dim in price["by"]:
            options = _spellings(dim, row[dim])
            params[dim] = options[spelling % len(options)]
        total, bound, lines = priced(name, params)
        assert (total, bound) == (D(row["credits"]) * outputs, Bound.EXACT), (row, lines)


@pytest.mark.parametrize("name", BY_KIND["per_second"])
def test_a_per_second_rule_expands_over_its_duration_range(name: str) -> None:
    price = MODELS[name]["price"]
    low, high = price["duration_range"]
    expected = price["expected_table_if_rule_holds"]
    assert len(expected) == (high - low + 1) * len(price["rate"])
    for row in expected:
        params = {"duration": int(row["duration"]), "resolution": row["resolution"].lower()}
        assert priced(name, params)[:2] == (D(row["credits"]), Bound.EXACT)
    with pytest.raises(PricingError, match=f"{low} s"):
        priced(name, {"duration": high + 1, "resolution": "768p"})


@pytest.mark.parametrize("name", BY_KIND["flat"])
def test_flat_prices_ignore_options_and_multiply_by_outputs(name: str) -> None:
    flat = D(MODELS[name]["price"]["credits"])
    assert priced(name, {"prompt": "x"})[:2] == (flat, Bound.EXACT)
    assert priced(name, {"prompt": "x", "num_images": 4, "resolution": "9K"})[:2] == \
        (flat * 4, Bound.EXACT)


@pytest.mark.parametrize("name", BY_KIND["varies"])
def test_from_n_models_cost_at_least_n_per_output(name: str) -> None:
    minimum = D(MODELS[name]["price"]["min_credits"])
    total, bound, lines = priced(name, {"prompt": "x", "num_outputs": 2, "duration": "8"})
    assert (total, bound) == (minimum * 2, Bound.AT_LEAST)
    assert "at least" in lines[0]


@pytest.mark.parametrize("name", BY_KIND["unknown"])
def test_models_without_a_price_are_unknown_never_zero(name: str) -> None:
    result = [estimate(r, today=TODAY) for r in asset_price_requests(name, {"prompt": "x"})]
    assert [(e.credits, e.bound, e.known_after_run) for e in result] == \
        [(None, Bound.UNKNOWN, True)]
    assert result[0].breakdown == f"{name}: price unknown — known after the run"


def test_a_model_missing_from_the_file_is_unknown_and_says_so() -> None:
    [result] = [estimate(r, today=TODAY)
                for r in asset_price_requests("sora-9/text-to-video", {"prompt": "x"})]
    assert (result.credits, result.bound, result.entry.model) == (None, Bound.UNKNOWN,
                                                                  UNLISTED)
    assert "sora-9/text-to-video is not in the price file of 6 Dec 2026" in result.breakdown


# --- partial tables -------------------------------------------------------------------------

KLING4 = "kling-video/v4/text-to-video"
WAN3 = "wan3.0/reference-to-video"


@pytest.mark.parametrize(("model", "params", "bound"), [
    (KLING4, {"duration": "18", "resolution": "1080p"}, Bound.EXACT),  # a known row
    (KLING4, {"duration": "19", "resolution": "720p"}, Bound.EXACT),  # the last row
    (KLING4, {"duration": "19", "resolution": "1080p"}, Bound.AT_LEAST),  # a cut cell
    (KLING4, {"duration": 25, "resolution": "4K"}, Bound.AT_LEAST),  # past the rows
    (KLING4, {"duration": "30s", "resolution": "720P"}, Bound.AT_LEAST),
    (WAN3, {"duration": "23", "resolution": "480p"}, Bound.EXACT),  # the 23 s row
    (WAN3, {"duration": "23", "resolution": "1080p"}, Bound.AT_LEAST),
    (WAN3, {"duration": "1", "resolution": "720p"}, Bound.UNKNOWN),  # below the rows
])
def test_partial_tables_known_rows_exact_cut_rows_at_least(model: str, params: dict[str, Any],
                                                           bound: Bound) -> None:
    seconds = int(str(params["duration"]).removesuffix("s"))
    column = {int(r["duration"]): D(r["credits"]) for r in MODELS[model]["price"]["rows"]
              if r["resolution"].lower() == params["resolution"].lower()}
    total, got, lines = priced(model, params)
    assert got is bound, lines
    if bound is Bound.EXACT:
        assert total == column[seconds]
    elif bound is Bound.AT_LEAST:
        assert seconds not in column
        # the floor is the largest known cell below it in that column
        assert total == column[max(s for s in column if s < seconds)]
        assert "at least" in lines[0]
    else:
        assert total is None and all(s > seconds for s in column)


# --- labels ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "params", "match"), [
    ("veo3.1/fast", {"duration": "5"}, r"no price for duration '5'\. Known values: 4 s, 6 s, "
                                       r"8 s\."),
    ("nano-banana-pro", {"resolution": "8K"}, "Known values: 1K, 2K, 4K"),
    ("gpt-image-2", {"quality": "ultra", "resolution": "1K"}, "low, medium, high"),
    ("veo3.1/fast", {"duration": True}, "Known values"),
    ("veo3.1/fast", {"prompt": "x"}, "Choose the duration of veo3.1/fast"),
    ("veo3.1/fast", {"duration": "4", "num_images": 0}, "from 1 to 100"),
    ("veo3.1/fast", {"duration": "4", "num_images": "many"}, "whole number"),
    ("", {"duration": "4"}, "Choose a model"),
])
def test_a_value_without_a_cell_is_refused_with_the_known_values(
        model: str, params: dict[str, Any], match: str) -> None:
    with pytest.raises(PricingError, match=match):
        asset_price_requests(model, params, None)


def test_schema_defaults_choose_the_cell_and_the_count() -> None:
    schema = {"type": "object", "properties": {
        "prompt": {"type": "string"},
        "duration": {"type": "string", "enum": ["4", "6", "8"], "default": "8"},
        "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 2}}}
    assert priced("veo3.1/fast", {"prompt": "x"}, schema)[:2] == (D(24), Bound.EXACT)
    assert priced("veo3.1/fast", {"prompt": "x", "duration": 4}, schema)[:2] == \
        (D(12), Bound.EXACT)


def test_a_differently_named_input_drives_its_axis() -> None:
    assert priced("nano-banana-pro", {"output_resolution": "4k"})[:2] == (D(3), Bound.EXACT)


# --- Boreal-H3 reference surcharges ---------------------------------------------------------

BOREAL_REF = "boreal-h3/reference-to-video"


@pytest.mark.parametrize(("extra", "surcharge", "bound"), [
    ({}, "0", Bound.EXACT),
    ({"reference_image_urls": ["https://x/a.png"] * 5}, "0", Bound.EXACT),  # 5 are free
    ({"reference_image_urls": ["https://x/a.png"] * 6}, "0.5", Bound.EXACT),  # 0.2 → 0.5
    ({"reference_image_urls": ["https://x/a.png"] * 9}, "1", Bound.EXACT),  # 0.8 → 1
    ({"reference_video_urls": ["https://x/v.mp4"], "reference_video_seconds": [10]},
     "6", Bound.EXACT),  # 10 s × 0.6 (1088p)
    ({"reference_video_urls": ["https://x/v.mp4"] * 2, "reference_video_seconds": [9, 9]},
     "9", Bound.EXACT),  # 18 s capped at 15 × 0.6
    ({"reference_video_urls": [{"url": "https://x/v.mp4", "duration": 3}],
      "reference_image_urls": ["https://x/a.png"] * 7}, "2.5", Bound.EXACT),  # 0.4 + 1.8
    ({"reference_video_urls": ["https://x/v.mp4"]}, "0.5", Bound.AT_LEAST),  # length unknown
    ({"reference_video_urls": ["https://x/v.mp4"] * 2, "reference_video_seconds": [4],
      "reference_image_urls": ["https://x/a.png"] * 8}, "3", Bound.AT_LEAST),  # 0.6 + 2.4
    ({"reference_video_urls": ["https://x/v.mp4"] * 2, "reference_video_seconds": [20]},
     "9", Bound.EXACT),  # past the 15 s cap, the other length no longer matters
])
def test_boreal_reference_surcharge(extra: dict[str, Any], surcharge: str,
                                    bound: Bound) -> None:
    params = {"prompt": "x", "duration": "5", "resolution": "1088p", **extra}
    total, got, lines = priced(BOREAL_REF, params)
    assert (total, got) == (D(6) + D(surcharge), bound), lines
    if surcharge != "0":
        assert "rounded up to the next 0.5" in lines[-1]


def test_boreal_reference_video_rate_follows_the_resolution() -> None:
    params = {"duration": 5, "resolution": "768p", "reference_video_urls": ["https://x/v"],
              "reference_video_seconds": 10}
    assert priced(BOREAL_REF, params)[:2] == (D(2) + D(4), Bound.EXACT)  # 10 s × 0.4


def test_reference_inputs_without_documented_amounts_make_the_price_open() -> None:
    params = {"duration": "5", "resolution": "768p", "reference_image_urls": ["https://x/a"]}
    total, bound, lines = priced("minimax/h3/reference-to-video", params)
    assert (total, bound) == (None, Bound.UNKNOWN)
    assert "reference inputs: price unknown" in lines[-1]
    del params["reference_image_urls"]
    assert priced("minimax/h3/reference-to-video", params)[:2] == (D(4), Bound.EXACT)


# --- the superseded listing -----------------------------------------------------------------

def test_the_superseded_listing_is_kept_but_never_prices() -> None:
    legacy = RAW["legacy_listing_superseded"]["models"]
    prices = load_asset_prices()
    assert set(prices.superseded) == {m["model_name"] for m in legacy}
    assert priced("nano-banana", {})[:2] == (D("0.5"), Bound.EXACT)  # legacy said 4
    assert priced("veo3.1/fast", {"duration": "8"})[:2] == (D(12), Bound.EXACT)  # legacy 32
    assert priced("veo3.1", {"duration": "4"})[:2] == (D(16), Bound.AT_LEAST)  # legacy 32
    only_legacy = "kling-video/v1.6/pro/text-to-video"
    assert only_legacy in prices.superseded and prices.info(only_legacy) is None
    assert priced(only_legacy, {"duration": "5"})[:2] == (None, Bound.UNKNOWN)  # legacy 12
    legacy_rates = {D(v) for m in legacy for v in m["old_price"].values()
                    if not isinstance(v, str)}
    table = price_table()
    for name in prices.superseded:
        rows = [e for e in table.entries if e.model == name]
        assert all(e.rate not in legacy_rates or e.rate == lowest(MODELS[name])
                   for e in rows if e.bound is not Bound.EXACT)


def test_asset_entries_are_dated_and_sourced_from_the_file() -> None:
    rows = [e for e in price_table().entries if e.rule == "asset_generator"]
    assert {e.as_of for e in rows} == {datetime.date.fromisoformat(RAW["checked"])}
    by_model = {e.model: e.source for e in rows if e.model in MODELS}
    assert by_model == {n: m["source"] for n, m in MODELS.items()}


def test_info_for_the_picker() -> None:
    info = load_asset_prices().info("veo3.1/fast")
    assert info is not None
    assert (info.name, info.family, info.generation_type, info.from_credits, info.verified) \
        == ("veo3.1/fast", "Veo", "text_to_video", D(6), True)
    assert info.title == MODELS["veo3.1/fast"]["title"]
    assert info.source.startswith("https://docs.creatify.ai/")
    assert load_asset_prices().info("no/such-model") is None


# --- price keys -----------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {
    "prompt": {"type": "string"},
    "image_url": {"type": "string", "format": "uri"},
    "duration": {"type": "string", "enum": ["5", "10"], "default": "5"},
    "resolution": {"type": "string", "enum": ["768p", "1088p"]},
    "generate_audio": {"type": "boolean", "default": False},
    "cfg_scale": {"type": "number"},
    "reference_image_urls": {"type": "array", "items": {"type": "string"}},
    "camera": {"type": "object", "properties": {"motion": {"type": "string",
                                                           "enum": ["pan", "zoom"]},
                                                "note": {"type": "string"}}}}}


def test_price_key_keeps_price_driving_inputs_only() -> None:
    params = {"prompt": "a cat", "image_url": "https://x/c.png", "resolution": "768p",
              "cfg_scale": 0.50, "reference_image_urls": ["https://x/1", "https://x/2"],
              "camera": {"motion": "pan", "note": "slowly please"}}
    assert price_key("m/x", params, SCHEMA) == (
        "m/x?camera.motion=pan&cfg_scale=0.5&duration=5&generate_audio=false"
        "&reference_image_urls=#2&resolution=768p")


def test_price_key_is_the_same_for_the_same_choices_spelled_differently() -> None:
    a = price_key("m/x", {"prompt": "one", "duration": "5", "cfg_scale": 1}, SCHEMA)
    b = price_key("m/x", {"prompt": "two", "duration": 5, "cfg_scale": 1.0}, SCHEMA)
    c = price_key("m/x", {"prompt": "two", "cfg_scale": "1"}, SCHEMA)  # default duration
    assert a == b == c
    assert a != price_key("m/x", {"duration": "10", "cfg_scale": 1}, SCHEMA)
    assert a != price_key("m/y", {"duration": "5", "cfg_scale": 1}, SCHEMA)


def test_price_key_without_a_schema_leaves_out_prose_and_urls() -> None:
    params = {"prompt": "a dog on a skateboard", "image_url": "https://x/d.png",
              "duration": "8", "num_images": 2, "enhance": True}
    assert price_key("veo3.1/fast", params, None) == \
        "veo3.1/fast?duration=8&enhance=true&num_images=2"
    assert price_key("nano-banana", {"prompt": "dog"}, None) == "nano-banana?prompt=dog"


def test_every_request_carries_the_key() -> None:
    params = {"duration": "5", "resolution": "1088p", "reference_image_urls": ["u"] * 7}
    requests = asset_price_requests(BOREAL_REF, params, None)
    assert len(requests) == 2
    assert {r.key for r in requests} == {price_key(BOREAL_REF, params, None)}


def test_a_reference_video_length_never_stands_in_for_the_duration() -> None:
    params = {"resolution": "768p", "reference_video_urls": ["https://x/v"],
              "reference_video_durations": [5]}
    with pytest.raises(PricingError, match="Choose the duration"):
        asset_price_requests(BOREAL_REF, params, None)
