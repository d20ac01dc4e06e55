"""The cost estimator against the billing page: every rule at its increment edges."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pricing import (
    PLANS,
    Estimate,
    Plan,
    PriceEntry,
    PriceRequest,
    PriceTable,
    PricingError,
    enterprise_plan,
    estimate,
    load_price_table,
    plan_by_key,
    price_table,
    register_prices,
    total_credits,
    unregister_prices,
)

D = Decimal
TODAY = datetime.date(2026, 11, 25)
STANDARD_30S = ("url_to_video", "avatar", "custom_template", "ai_shorts", "ai_editing")
AURORA_SWITCHABLE = ("url_to_video", "avatar", "custom_template")
ALL_RULES = (*STANDARD_30S, "aurora", "aurora_fast", "text_to_speech", "ai_scripts", "links",
             "image_ad", "product_image", "product_video", "ad_clone", "asset_generator",
             "text_generator", "product_image_regen", "product_video_regen")
# seconds at the edges of a 30 s block, and the blocks billed for them
EDGES_30 = [(0.5, 1), (1, 1), (29.99, 1), (30, 1), (30.01, 2), (60, 2), (60.01, 3)]


def credits(rule: str, seconds: Any = None, **kw: Any) -> Decimal | None:
    return estimate(PriceRequest(rule, seconds=seconds, **kw), today=TODAY).credits


# --- time rules -------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "blocks"), EDGES_30)
@pytest.mark.parametrize(("rule", "rate"), [*((r, 5) for r in STANDARD_30S),
                                            ("text_to_speech", 1), ("product_video", 10)])
def test_30_second_rules_round_up_to_started_blocks(rule: str, rate: int, seconds: float,
                                                    blocks: int) -> None:
    result = estimate(PriceRequest(rule, seconds=seconds), today=TODAY)
    assert result.blocks == blocks
    assert result.credits == blocks * rate
    assert result.known_after_run is False


@pytest.mark.parametrize(("seconds", "blocks"), EDGES_30)
@pytest.mark.parametrize("rule", STANDARD_30S)
def test_preview_plus_render_equals_create(rule: str, seconds: float, blocks: int) -> None:
    preview = credits(rule, seconds, phase="preview")
    render = credits(rule, seconds, phase="render")
    assert preview == blocks * 1
    assert render == blocks * 4
    assert preview + render == credits(rule, seconds)


@pytest.mark.parametrize("model", [None, "standard"])
def test_standard_model_uses_the_standard_entry(model: str | None) -> None:
    result = estimate(PriceRequest("avatar", seconds=31, model=model), today=TODAY)
    assert result.entry.model is None
    assert result.credits == 10


def test_a_three_second_video_is_one_whole_block() -> None:
    assert credits("url_to_video", 3) == 5
    assert credits("text_to_speech", 3) == 1


@pytest.mark.parametrize(("seconds", "expected"), [(0.5, 12), (1, 12), (5, 12), (5.01, 24),
                                                   (7, 24), (10, 24), (10.01, 36), (60, 144)])
def test_ad_clone_bills_started_5_second_blocks(seconds: float, expected: int) -> None:
    assert credits("ad_clone", seconds) == expected


@pytest.mark.parametrize(("seconds", "expected"), [(0.5, 1), (1, 1), (1.2, 2), (29.99, 30),
                                                   (30, 30), (30.01, 31), (60, 60),
                                                   (60.01, 61)])
def test_aurora_bills_started_seconds(seconds: float, expected: int) -> None:
    assert credits("aurora", seconds) == expected
    assert credits("aurora", seconds, model="aurora_v1") == expected


@pytest.mark.parametrize(("seconds", "expected"), [(0.5, "0.5"), (1, "0.5"), (1.2, "1"),
                                                   (3, "1.5"), (7, "3.5"), (12.5, "6.5"),
                                                   (30.01, "15.5"), (60, "30")])
def test_aurora_fast_is_half_a_credit_per_started_second(seconds: float, expected: str) -> None:
    assert credits("aurora_fast", seconds) == D(expected)
    assert credits("aurora_fast", seconds, model="aurora_v1_fast") == D(expected)
    assert credits("aurora", seconds, model="aurora_v1_fast") == D(expected)


@pytest.mark.parametrize(("variant", "rate"), [("480p", "0.4"), ("720p", "0.7"),
                                               ("1080p", "1.4"), ("2k", "2.8")])
@pytest.mark.parametrize(("seconds", "blocks"), [(1, 1), (1.2, 2), (10, 10)])
def test_aurora_v2_per_second_by_resolution(variant: str, rate: str, seconds: float,
                                            blocks: int) -> None:
    got = credits("aurora", seconds, model="aurora_v2", variant=variant)
    assert got == blocks * D(rate)


@pytest.mark.parametrize("rule", AURORA_SWITCHABLE)
@pytest.mark.parametrize(("model", "rate"), [("aurora_v1", "1"), ("aurora_v1_fast", "0.5")])
def test_model_version_switches_to_per_second(rule: str, model: str, rate: str) -> None:
    assert credits(rule, 31, model=model) == 31 * D(rate)
    assert credits(rule, 31, model=model, phase="render") == 31 * D(rate)
    assert credits(rule, 3, model=model) == 3 * D(rate)
    # the page gives no Aurora split: the preview stays at the standard 1 per 30 s
    preview = estimate(PriceRequest(rule, "preview", 31, model=model), today=TODAY)
    assert preview.credits == 2
    assert "assumption" in preview.entry.note.lower()


@pytest.mark.parametrize(("seconds", "blocks"), [(1, 1), (1.2, 2), (31, 31), (60.5, 61)])
def test_url_to_video_aurora_v2_is_0_7_per_started_second(seconds: float, blocks: int) -> None:
    assert credits("url_to_video", seconds, model="aurora_v2") == blocks * D("0.7")
    assert credits("url_to_video", seconds, model="aurora_v2", phase="render") == \
        blocks * D("0.7")
    preview = estimate(PriceRequest("url_to_video", "preview", seconds, model="aurora_v2"),
                       today=TODAY)
    assert preview.credits == math.ceil(seconds / 30)
    assert "assumption" in preview.entry.note.lower()


@pytest.mark.parametrize(("seconds", "blocks"), EDGES_30)
def test_url_to_video_boreal_is_10_per_started_30_s(seconds: float, blocks: int) -> None:
    assert credits("url_to_video", seconds, model="boreal") == blocks * 10
    assert credits("url_to_video", seconds, model="boreal", phase="render") == blocks * 10
    assert credits("url_to_video", seconds, model="boreal", phase="preview") == blocks
    note = estimate(PriceRequest("url_to_video", "render", seconds, model="boreal"),
                    today=TODAY).entry.note
    assert "assumption" in note.lower()


@pytest.mark.parametrize("rule", ["avatar", "custom_template"])
@pytest.mark.parametrize("model", ["aurora_v2", "boreal"])
def test_aurora_v2_and_boreal_only_on_url_to_video(rule: str, model: str) -> None:
    with pytest.raises(PricingError, match=f"No price known for {rule} model '{model}'"):
        credits(rule, 30, model=model)


def test_product_regeneration_prices() -> None:
    video = estimate(PriceRequest("product_video_regen"), today=TODAY)
    assert video.credits == 1 and video.breakdown == "1 request × 1 = 1 credit"
    image = estimate(PriceRequest("product_image_regen"), today=TODAY)
    assert image.credits == 2
    assert "estimate" in image.entry.note.lower()  # undocumented: said so in the note


@pytest.mark.parametrize("rule", ["ai_shorts", "ai_editing"])
def test_aurora_model_is_not_offered_for_shorts_and_editing(rule: str) -> None:
    with pytest.raises(PricingError, match="standard"):
        credits(rule, 30, model="aurora_v1")


# --- counted rules ----------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "rate"), [("ai_scripts", 1), ("links", 1),
                                            ("product_image", 2)])
@pytest.mark.parametrize("count", [1, 2, 3, 10000])
def test_counted_rules(rule: str, rate: int, count: int) -> None:
    result = estimate(PriceRequest(rule, count=count), today=TODAY)
    assert result.credits == rate * count
    assert result.blocks == count


KLING_O3 = "kling-video/o3/pro/text-to-video"
ASSETS = [("veo3.1/fast", "4s", "6"), ("veo3.1/fast", "6s", "9"), ("veo3.1/fast", "8s", "12"),
          *((KLING_O3, f"{s}s", r) for s, r in [
              (3, "4.5"), (4, "6"), (5, "7"), (6, "8.5"), (7, "10"), (8, "11.5"), (9, "13"),
              (10, "14"), (11, "15.5"), (12, "17"), (13, "18.5"), (14, "20"), (15, "21")]),
          ("nano-banana", None, "0.5"),
          ("nano-banana-pro", "1K", "1.5"), ("nano-banana-pro", "2K", "1.5"),
          ("nano-banana-pro", "4K", "3"),
          ("flux-pro/kontext/text-to-image", None, "0.5")]
"""Every cell of the docs' price tables (the shared reference asset-models.json) for the five
models we offer."""


@pytest.mark.parametrize(("model", "variant", "rate"), ASSETS)
@pytest.mark.parametrize("count", [1, 3])
def test_asset_generator_every_model_and_option(model: str, variant: str | None, rate: str,
                                                count: int) -> None:
    got = credits("asset_generator", model=model, variant=variant, count=count)
    assert got == D(rate) * count


def test_asset_table_is_complete() -> None:
    """The asset price file's entries (rule asset_generator) are the table's only ones:
    prices.json no longer lists any, so the two can never disagree."""
    assert not any(e.rule == "asset_generator" for e in load_price_table().entries)
    offered = {m for m, _v, _r in ASSETS}
    rows = {(e.model, e.variant, e.rate) for e in price_table().entries
            if e.rule == "asset_generator" and e.model in offered}
    assert rows == {(m, v, D(r)) for m, v, r in ASSETS}
    assert all(e.as_of == datetime.date(2026, 12, 6) for e in price_table().entries
               if e.rule == "asset_generator")


@pytest.mark.parametrize("model", ["flux-pro/kontext/text-to-image", "nano-banana"])
def test_asset_single_option_is_the_default(model: str) -> None:
    assert credits("asset_generator", model=model) == D("0.5")
    assert credits("asset_generator", model=model, count=4) == 2


def test_asset_seconds_are_ignored_for_counted_units() -> None:
    assert credits("asset_generator", 99, model="veo3.1/fast", variant="8s") == 12


@pytest.mark.parametrize(("model", "variant", "known"), [
    ("kling-v1.6-pro", "5s",
     "No price known for asset_generator model 'kling-v1.6-pro'.*veo3.1/fast"),
    (None, "5s", "needs a model.*veo3.1/fast"),
    ("veo3.1/fast", "5s", "4s, 6s, 8s"),
    ("veo3.1/fast", None, "4s, 6s, 8s"),
    ("nano-banana-pro", "8K", "1K, 2K, 4K"),
])
def test_asset_unknown_model_or_option_lists_known(model: str | None, variant: str | None,
                                                   known: str) -> None:
    with pytest.raises(PricingError, match=known):
        credits("asset_generator", model=model, variant=variant)


def test_text_generator_is_known_after_the_run() -> None:
    result = estimate(PriceRequest("text_generator"), plan=PLANS[0], today=TODAY)
    assert result.credits is None
    assert result.blocks is None
    assert result.dollars is None
    assert result.known_after_run is True
    assert result.entry.unit == "token"
    assert result.breakdown == "Charged by tokens — the real figure is known after the run"


# --- breakdown strings ------------------------------------------------------------------


@pytest.mark.parametrize(("request_", "text"), [
    (PriceRequest("url_to_video", seconds=31), "31 s → 2 × 30 s blocks × 5 = 10 credits"),
    (PriceRequest("url_to_video", seconds=D("30.010")),
     "30.01 s → 2 × 30 s blocks × 5 = 10 credits"),
    (PriceRequest("url_to_video", seconds=3), "3 s → 1 × 30 s block × 5 = 5 credits"),
    (PriceRequest("aurora_fast", seconds=12.5), "12.5 s → 13 × 1 s × 0.5 = 6.5 credits"),
    (PriceRequest("aurora", seconds=1, model="aurora_v2", variant="480p"),
     "1 s → 1 × 1 s × 0.4 = 0.4 credits"),
    (PriceRequest("aurora", seconds=1), "1 s → 1 × 1 s × 1 = 1 credit"),
    (PriceRequest("ad_clone", seconds=7), "7 s → 2 × 5 s blocks × 12 = 24 credits"),
    (PriceRequest("url_to_video", "preview", 31),
     "Preview: 31 s → 2 × 30 s blocks × 1 = 2 credits"),
    (PriceRequest("avatar", "render", 31), "Render: 31 s → 2 × 30 s blocks × 4 = 8 credits"),
    (PriceRequest("url_to_video", "preview", 31, count=3),
     "Preview: 3 × 31 s → 6 × 30 s blocks × 1 = 6 credits"),
    (PriceRequest("links", count=3), "3 links × 1 = 3 credits"),
    (PriceRequest("ai_scripts"), "1 request × 1 = 1 credit"),
    (PriceRequest("product_image", count=2), "2 images × 2 = 4 credits"),
    (PriceRequest("asset_generator", count=2, model="veo3.1/fast", variant="6s"),
     "veo3.1/fast 6s: 2 outputs × 9 = 18 credits"),
    (PriceRequest("asset_generator", model="nano-banana"),
     "nano-banana: 1 output × 0.5 = 0.5 credits"),
    (PriceRequest("asset_generator", count=3, model="nano-banana-pro", variant="4K"),
     "nano-banana-pro 4K: 3 outputs × 3 = 9 credits"),
])
def test_breakdown_text(request_: PriceRequest, text: str) -> None:
    assert estimate(request_, today=TODAY).breakdown == text


def test_count_multiplies_time_rules() -> None:
    result = estimate(PriceRequest("url_to_video", "preview", 31, count=3), today=TODAY)
    assert result.blocks == 6
    assert result.credits == 6


# --- plans and dollars ------------------------------------------------------------------


def test_plans() -> None:
    assert [p.key for p in PLANS] == ["api_starter", "api_pro"]
    starter, pro = plan_by_key("api_starter"), plan_by_key("api_pro")
    assert starter.monthly_credits == 500
    assert starter.monthly_price == 99
    assert pro.monthly_credits == 2000
    assert pro.monthly_price == 299
    assert starter.price_per_credit == D("0.198")
    assert pro.price_per_credit == D("0.1495")
    assert isinstance(pro.price_per_credit, Decimal)
    with pytest.raises(PricingError, match="api_starter, api_pro"):
        plan_by_key("api_enterprise")


@pytest.mark.parametrize(("plan", "dollars"), [
    (plan_by_key("api_starter"), "1.98"),
    (plan_by_key("api_pro"), "1.50"),  # 1.495 rounds half up
    (enterprise_plan("0.12"), "1.20"),
    (enterprise_plan(D("0.12")), "1.20"),
    (enterprise_plan(" $0.12 "), "1.20"),
])
def test_dollars_for_ten_credits(plan: Plan, dollars: str) -> None:
    result = estimate(PriceRequest("url_to_video", seconds=31), plan=plan, today=TODAY)
    assert result.credits == 10
    assert result.plan == plan
    assert result.dollars == D(dollars)
    assert str(result.dollars) == dollars


def test_dollars_round_half_up_not_half_even() -> None:
    result = estimate(PriceRequest("url_to_video", seconds=180), plan=PLANS[1], today=TODAY)
    assert result.credits == 30
    assert result.dollars == D("4.49")  # 30 × 0.1495 = 4.485


def test_no_plan_no_dollars() -> None:
    assert estimate(PriceRequest("links"), today=TODAY).dollars is None


def test_fractional_credits_dollars() -> None:
    result = estimate(PriceRequest("aurora_fast", seconds=3), plan=PLANS[0], today=TODAY)
    assert result.dollars == D("0.30")  # 1.5 × 0.198 = 0.297


def test_enterprise_plan_fields() -> None:
    plan = enterprise_plan("0.12")
    assert plan.monthly_credits is None
    assert plan.monthly_price is None
    assert plan.price_per_credit == D("0.12")


@pytest.mark.parametrize("rate", ["0", "-0.1", "abc", "", "NaN", "Infinity", "11",
                                  D("0"), D("NaN"), 0.12, 1, True, None])
def test_enterprise_plan_rejects_bad_rates(rate: Any) -> None:
    with pytest.raises(PricingError):
        enterprise_plan(rate)


def test_total_credits() -> None:
    a = estimate(PriceRequest("url_to_video", seconds=31), today=TODAY)
    b = estimate(PriceRequest("aurora_fast", seconds=3), today=TODAY)
    tokens = estimate(PriceRequest("text_generator"), today=TODAY)
    assert total_credits([a, b]) == D("11.5")
    assert total_credits(iter([a, b])) == D("11.5")
    assert total_credits([]) == 0
    assert total_credits([a, tokens, b]) is None


# --- staleness --------------------------------------------------------------------------


def test_table_staleness_boundary() -> None:
    table = load_price_table()
    assert table.is_stale(table.as_of + datetime.timedelta(days=90)) is False
    assert table.is_stale(table.as_of + datetime.timedelta(days=91)) is True
    assert table.is_stale(table.as_of + datetime.timedelta(days=91), max_age_days=91) is False


def test_estimate_staleness_follows_its_entry() -> None:
    request = PriceRequest("links")
    entry = load_price_table().find("links", "create", None, None)
    fresh = estimate(request, today=entry.as_of + datetime.timedelta(days=90))
    stale = estimate(request, today=entry.as_of + datetime.timedelta(days=91))
    assert (fresh.stale, stale.stale) == (False, True)
    assert fresh.as_of == entry.as_of


def test_estimate_defaults_today_to_the_real_date() -> None:
    result = estimate(PriceRequest("links"))
    assert result.stale == ((datetime.date.today() - result.as_of).days > 90)


# --- invalid input ----------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "match"), [
    (None, "give the seconds"), (0, "more than 0"), (0.0, "more than 0"),
    (D(0), "more than 0"), (-1, "more than 0"), (-0.5, "more than 0"),
    (math.nan, "finite"), (math.inf, "finite"), (-math.inf, "finite"),
    (D("NaN"), "finite"), (D("Infinity"), "finite"), (D("sNaN"), "finite"),
    (14400.01, "4-hour"), (10**9, "4-hour"), (True, "number"), (False, "number"),
    ("30", "number"), ([30], "number"),
])
def test_bad_seconds(seconds: Any, match: str) -> None:
    with pytest.raises(PricingError, match=match):
        credits("url_to_video", seconds)


def test_four_hours_is_the_limit() -> None:
    assert credits("aurora", 14400) == 14400


@pytest.mark.parametrize("count", [0, -1, 10001, True, False, 1.0, "2", None])
def test_bad_count(count: Any) -> None:
    with pytest.raises(PricingError, match="count"):
        estimate(PriceRequest("links", count=count), today=TODAY)


def test_bad_seconds_are_refused_even_for_counted_rules() -> None:
    with pytest.raises(PricingError):
        estimate(PriceRequest("links", seconds=True), today=TODAY)


@pytest.mark.parametrize(("request_", "match"), [
    (PriceRequest("nope", seconds=30), "Unknown billing rule 'nope'.*url_to_video"),
    (PriceRequest("url_to_video", "draft", 30), "Unknown phase 'draft'"),
    (PriceRequest("text_to_speech", "preview", 30), "Known phases: create"),
    (PriceRequest("url_to_video", seconds=30, model="aurora_v9"), "aurora_v9.*aurora_v1_fast"),
    (PriceRequest("aurora", seconds=30, model="standard"), "'standard'.*aurora_v2"),
    (PriceRequest("aurora", seconds=30, model="aurora_v2"), "needs an option.*480p"),
    (PriceRequest("aurora", seconds=30, model="aurora_v2", variant="4k"), "'4k'.*2k"),
    (PriceRequest("aurora", seconds=30, variant="720p"), "takes no option"),
    (PriceRequest("aurora_fast", seconds=30, model="aurora_v1"), "aurora_v1_fast"),
    (PriceRequest("links", model="gpt"), "Known models: standard"),
    (PriceRequest(42, seconds=30), "rule"),  # type: ignore[arg-type]
    (PriceRequest("aurora", seconds=3, model=2), "model"),  # type: ignore[arg-type]
])
def test_unknown_names(request_: PriceRequest, match: str) -> None:
    with pytest.raises(PricingError, match=match):
        estimate(request_, today=TODAY)


def test_pricing_error_is_a_value_error() -> None:
    assert issubclass(PricingError, ValueError)


# --- the bundled table ------------------------------------------------------------------


def test_bundled_table_loads_and_has_every_rule() -> None:
    table = load_price_table()
    assert isinstance(table, PriceTable)
    assert {e.rule for e in table.entries} == set(ALL_RULES) - {"asset_generator"}
    assert {e.rule for e in price_table().entries} == set(ALL_RULES)
    assert table.as_of == min(e.as_of for e in table.entries)
    for entry in table.entries:
        assert isinstance(entry, PriceEntry)
        assert entry.source.startswith("https://docs.creatify.ai/")
        assert (entry.rate is None) == (entry.unit == "token")
        assert entry.increment > 0
        if entry.unit != "second":
            assert entry.increment == 1
    aurora = [e for e in table.entries if e.model and e.model.startswith("aurora")
              and e.increment == 1 and e.model != "aurora_v2"]
    assert aurora
    assert {e.as_of for e in aurora} == {datetime.date(2026, 11, 25)}
    december = [e for e in table.entries if e.model in ("aurora_v2", "boreal")
                and e.rule == "url_to_video"]
    assert len(december) == 6
    assert {e.as_of for e in december} == {datetime.date(2026, 12, 6)}


def test_bundled_table_is_cached() -> None:
    assert load_price_table() is load_price_table()
    default = Path(__file__).resolve().parents[2] / "resources" / "prices.json"
    assert load_price_table(default) == load_price_table()


def test_frozen_values() -> None:
    request = PriceRequest("links")
    result = estimate(request, today=TODAY)
    assert isinstance(result, Estimate)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.count = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.credits = D(0)  # type: ignore[misc]


def _table_file(tmp_path: Path, **changes: Any) -> Path:
    entry: dict[str, Any] = {"rule": "links", "phase": "create", "model": None, "variant": None,
             "unit": "link", "rate": 1, "as_of": "2026-11-01",
             "source": "https://docs.creatify.ai/api-reference/billing", "note": ""}
    entry.update(changes)
    entry = {k: v for k, v in entry.items() if v is not ...}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"as_of": "2026-11-01", "source": "x", "entries": [entry]}))
    return path


def test_custom_table(tmp_path: Path) -> None:
    table = load_price_table(str(_table_file(tmp_path, rate=1.5)))
    assert table.entries[0].rate == D("1.5")
    result = estimate(PriceRequest("links", count=3), table=table, today=TODAY)
    assert result.credits == D("4.5")


@pytest.mark.parametrize(("changes", "match"), [
    ({"unit": "minute"}, "unknown unit 'minute'"),
    ({"rate": ...}, "missing a numeric rate"),
    ({"rate": None}, "missing a numeric rate"),
    ({"rate": 0}, "positive rate"),
    ({"rate": "abc"}, "non-numeric rate"),
    ({"rate": True}, "rate"),
    ({"unit": "second"}, "increment"),
    ({"unit": "second", "increment": -30}, "increment"),
    ({"increment": 30}, "cannot have an increment"),
    ({"unit": "token"}, "cannot have a rate"),
    ({"as_of": "2026-13-01"}, "bad as_of date"),
    ({"as_of": ...}, "bad as_of date"),
    ({"phase": "draft"}, "unknown phase"),
    ({"source": ""}, "source"),
    ({"rule": None}, "rule"),
    ({"model": 3}, "model"),
])
def test_bad_entries_are_refused_by_name(tmp_path: Path, changes: dict[str, Any],
                                         match: str) -> None:
    with pytest.raises(PricingError, match=match) as info:
        load_price_table(_table_file(tmp_path, **changes))
    assert "entry #0" in str(info.value)


@pytest.mark.parametrize(("text", "match"), [
    ("{", "not valid JSON"),
    ("[]", "'entries' list"),
    ('{"as_of": "2026-11-01", "source": "x", "entries": [1]}', "not an object"),
    ('{"as_of": "soon", "source": "x", "entries": []}', "bad as_of"),
    ('{"as_of": "2026-11-01", "source": "x", "entries": [], "default_models": {"a": "b"}}',
     "default_models"),
])
def test_bad_tables_are_refused(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text)
    with pytest.raises(PricingError, match=match):
        load_price_table(path)


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    path = _table_file(tmp_path)
    raw = json.loads(path.read_text())
    raw["entries"] *= 2
    path.write_text(json.dumps(raw))
    with pytest.raises(PricingError, match="twice"):
        load_price_table(path)


def test_missing_table_file(tmp_path: Path) -> None:
    with pytest.raises(PricingError, match="Cannot read"):
        load_price_table(tmp_path / "absent.json")


# --- added entries ------------------------------------------------------------------------

QUICK = PriceEntry(rule="quick_ad", phase="create", model=None, variant=None, unit="second",
                   increment=D(15), rate=D(3), as_of=datetime.date(2026, 6, 1),
                   source="tests/core/test_pricing.py", note="made up")


def test_with_entries_is_a_new_checked_table() -> None:
    bundled = load_price_table()
    table = bundled.with_entries(QUICK)
    assert table is not bundled and table.entries == (*bundled.entries, QUICK)
    assert bundled.entries[-1] != QUICK and load_price_table() is bundled  # left as it was
    assert table.as_of == min(bundled.as_of, QUICK.as_of) and table.source == bundled.source
    result = estimate(PriceRequest("quick_ad", seconds=31), table, today=TODAY)
    assert result.credits == 9 and result.breakdown == "31 s → 3 × 15 s blocks × 3 = 9 credits"
    with pytest.raises(PricingError, match="Unknown billing rule 'quick_ad'"):
        estimate(PriceRequest("quick_ad", seconds=31), bundled, today=TODAY)


def test_with_entries_adds_default_models() -> None:
    models = [dataclasses.replace(QUICK, model=m) for m in ("fast", "slow")]
    table = load_price_table().with_entries(*models, default_models={"quick_ad": "slow"})
    assert table.find("quick_ad").model == "slow"
    assert dict(table.default_models)["aurora"] == dict(load_price_table().default_models)[
        "aurora"]
    with pytest.raises(PricingError, match="default_models"):
        load_price_table().with_entries(QUICK, default_models={"quick_ad": "fast"})


@pytest.mark.parametrize(("changes", "match"), [
    ({"unit": "minute"}, "unknown unit 'minute'"),
    ({"rate": ...}, "missing a numeric rate"),
    ({"rate": 0}, "positive rate"),
    ({"rate": "abc"}, "non-numeric rate"),
    ({"rate": True}, "rate"),
    ({"unit": "second"}, "increment"),
    ({"unit": "second", "increment": -30}, "increment"),
    ({"increment": 30}, "cannot have an increment"),
    ({"unit": "token"}, "cannot have a rate"),
    ({"as_of": "2026-13-01"}, "bad as_of date"),
    ({"as_of": ...}, "bad as_of date"),
    ({"phase": "draft"}, "unknown phase"),
    ({"source": ""}, "source"),
    ({"rule": None}, "rule"),
    ({"model": 3}, "model"),
])
def test_added_entries_are_refused_as_the_file_s_are(tmp_path: Path, changes: dict[str, Any],
                                                     match: str) -> None:
    with pytest.raises(PricingError, match=match) as from_file:
        load_price_table(_table_file(tmp_path, **changes))
    fields: dict[str, Any] = {
        "rule": "links", "phase": "create", "model": None, "variant": None, "unit": "link",
        "increment": None if changes.get("unit") == "second" else D(1), "rate": D(1),
        "as_of": datetime.date(2026, 11, 1), "source": "https://docs.creatify.ai/", "note": ""}
    fields.update({k: None if v is ... else v for k, v in changes.items()})
    empty = PriceTable(as_of=TODAY, source="x", entries=())
    with pytest.raises(PricingError) as added:
        empty.with_entries(PriceEntry(**fields))
    assert str(added.value) == str(from_file.value)  # entry #0 in both
    with pytest.raises(PricingError, match=f"entry #{len(load_price_table().entries)} "):
        load_price_table().with_entries(PriceEntry(**fields))


def test_added_entries_cannot_repeat_a_priced_one() -> None:
    links = load_price_table().find("links")
    with pytest.raises(PricingError, match="lists links/create/None/None twice"):
        load_price_table().with_entries(dataclasses.replace(links, rate=D(2)))
    with pytest.raises(PricingError, match="quick_ad/create/None/None twice"):
        load_price_table().with_entries(QUICK, QUICK)
    with pytest.raises(PricingError, match="entry #"):
        load_price_table().with_entries({"rule": "quick_ad"})  # type: ignore[arg-type]


def test_registered_prices_are_what_estimates_read_by_default() -> None:
    bundled = load_price_table()
    base = price_table()
    assert price_table() is base  # composed once, not per estimate
    assert {e.rule for e in base.entries} == {e.rule for e in bundled.entries} | {
        "asset_generator"}
    table = register_prices(QUICK)
    try:
        assert price_table() is table and load_price_table() is bundled
        assert credits("quick_ad", 16) == 6 and credits("links", count=2) == 2
        with pytest.raises(PricingError, match="twice"):
            register_prices(QUICK)
        assert price_table() is table  # the refused call added nothing
        with pytest.raises(ValueError, match="bundled"):
            unregister_prices("links")
    finally:
        unregister_prices("quick_ad")
    assert price_table() == base
    with pytest.raises(PricingError, match="Unknown billing rule"):
        credits("quick_ad", 16)
    unregister_prices("quick_ad")  # nothing left to remove: no error


# --- property ---------------------------------------------------------------------------

TIME_ENTRIES = [e for e in load_price_table().entries if e.unit == "second"]
SECONDS = st.decimals(min_value=D("0.001"), max_value=D(14400), places=3)


@settings(max_examples=300, deadline=None)
@given(entry=st.sampled_from(TIME_ENTRIES), a=SECONDS, b=SECONDS)
def test_credits_are_rate_times_started_increments_and_monotone(entry: PriceEntry, a: Decimal,
                                                                b: Decimal) -> None:
    low, high = sorted((a, b))
    request = PriceRequest(entry.rule, entry.phase, model=entry.model, variant=entry.variant)
    got = [estimate(dataclasses.replace(request, seconds=s), today=TODAY) for s in (low, high)]
    assert all(g.entry == entry for g in got)
    assert got[0].credits is not None
    assert got[1].credits is not None
    assert got[0].credits <= got[1].credits
    for seconds, result in zip((low, high), got, strict=True):
        blocks = math.ceil(Fraction(seconds) / Fraction(entry.increment))
        assert result.blocks == blocks
        assert entry.rate is not None
        assert result.credits == entry.rate * blocks


def test_an_integer_too_long_to_print_still_gets_a_message() -> None:
    huge = 10**5000  # str() of it raises ValueError in Python 3.12
    with pytest.raises(PricingError, match="too long to show"):
        estimate(PriceRequest("links", count=huge), today=TODAY)
    with pytest.raises(PricingError, match="too long to show"):
        estimate(PriceRequest("aurora", seconds=3, model=huge), today=TODAY)  # type: ignore[arg-type]
