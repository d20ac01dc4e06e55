"""The priced form the estimator panel and the confirmation show."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from app.generators import Flow, spec
from app.generators.quote import format_credits, quote
from app.pricing import Bound, LearnedCharge, plan_by_key
from tests.samples import valid_values

STARTER = plan_by_key("api_starter")
TODAY = datetime.date(2026, 11, 25)


def test_quote_credits_dollars_balance() -> None:
    u2v = spec("url_to_video")
    q = quote(u2v, valid_values("url_to_video"), 31, plan=STARTER, balance=Decimal(100),
              today=TODAY)
    assert q.credits == 10 and q.dollars == Decimal("1.98")
    assert q.lines == ("31 s → 2 × 30 s blocks × 5 = 10 credits",)
    assert q.balance_after == 90 and not q.over_balance and q.warnings == ()


def test_preview_flow_lists_both_steps() -> None:
    q = quote(spec("url_to_video"), valid_values("url_to_video"), 60, flow=Flow.PREVIEW_RENDER,
              plan=STARTER, today=TODAY)
    assert q.credits == 10 and len(q.lines) == 2
    assert q.lines[0].startswith("Preview: ") and q.lines[1].startswith("Render: ")


def test_warnings_over_balance_deprecated_and_stale() -> None:
    shorts = spec("ai_shorts")
    q = quote(shorts, valid_values("ai_shorts"), 61, plan=STARTER, balance=Decimal(12),
              today=TODAY + datetime.timedelta(days=91))
    assert q.credits == 15 and q.balance_after == -3 and q.over_balance
    assert q.warnings[0] == "This needs 15 credits but only 12 credits remain."
    assert any("deprecated" in w for w in q.warnings)
    assert any("over 90 days" in w for w in q.warnings)


def test_missing_length_and_token_pricing() -> None:
    q = quote(spec("aurora"), valid_values("aurora"), None, plan=STARTER)
    assert q.credits is None and q.error == "Enter the audio length to see the price."
    text = quote(spec("text_generator"), valid_values("text_generator"), None, plan=STARTER,
                 balance=Decimal(5))
    assert text.known_after_run and text.credits is None and text.error is None
    assert "tokens" in text.lines[0]


def test_pricing_errors_become_messages() -> None:
    q = quote(spec("ad_clone"), valid_values("ad_clone"), 100_000)
    assert q.credits is None
    assert q.error == "100000 s is longer than the 4-hour (14400 s) limit of the estimator."


def test_aurora_audio_limit_follows_the_model() -> None:
    aurora, fast = spec("aurora"), spec("aurora_fast")
    v1 = valid_values("aurora")
    v2 = {**v1, "model_version": "aurora_v2", "resolution": "720p"}
    v2k = {**v2, "resolution": "2k"}
    assert quote(aurora, v1, 300).credits == 300  # aurora_v1: up to 5 minutes
    assert quote(fast, valid_values("aurora_fast"), 300).credits == 150
    assert quote(aurora, v2, 59.7).credits == Decimal("42")  # 60 started seconds × 0.7
    assert quote(aurora, v2k, 14.375).credits == Decimal("42")  # 15 × 2.8
    for gen, values, seconds, limit in [(aurora, v1, 301, "300"), (fast, v1, 300.5, "300"),
                                        (aurora, v2, 60, "59.7"), (aurora, v2k, 15, "14.375")]:
        q = quote(gen, values, seconds)
        assert q.credits is None and q.error is not None, (values, seconds)
        assert f"at most {limit} s" in q.error
    assert aurora.max_seconds(v1) == 300 and aurora.max_seconds(v2) == 59.7
    assert aurora.max_seconds(v2k) == 14.375 and fast.max_seconds({}) == 300
    assert spec("url_to_video").max_seconds({}) == spec("url_to_video").duration.maximum


def test_regeneration_is_a_flat_price_without_a_length() -> None:
    video = spec("product_video")
    q = quote(video, valid_values("product_video"), None, flow=Flow.REGENERATE)
    assert q.error is None and q.credits == 1
    assert q.lines == ("1 request × 1 = 1 credit",)
    image = spec("product_image")
    q = quote(image, {"source_job": "2c3d4e5f-6a7b-4c9d-8e1f-2a3b4c5d6e7f"}, None,
              flow=Flow.REGENERATE)
    assert q.error is None and q.credits == 2
    # a new video still needs its length
    assert quote(video, valid_values("product_video"), None).error is not None


def test_format_credits() -> None:
    assert format_credits(Decimal(1)) == "1 credit"
    assert format_credits(Decimal("6.5")) == "6.5 credits"
    assert format_credits(Decimal(2000)) == "2,000 credits"
    assert format_credits(Decimal("10.0")) == "10 credits"


def test_compare_styles_prices_a_preview_per_style_plus_one_render_and_shows_the_saving() -> None:
    gen = spec("url_to_video")
    values = {**gen.defaults(), "link": "0fd630f1-f29d-4da9-953f-48f1a09f76b5",
              "visual_styles": ["AvatarBubbleTemplate", "FullScreenTemplate",
                                "DynamicProductTemplate"], "video_length": 30}
    q = quote(gen, values, 30, flow=Flow.COMPARE_STYLES)
    assert q.credits == Decimal(3 * 1 + 4)
    assert q.saving == Decimal(3 * 5 - 7)
    assert q.lines[-1] == ("Making all 3 styles in one step would cost 15 credits: comparing "
                           "first saves 8 credits.")
    assert gen.validate({**values, "visual_styles": ["FullScreenTemplate"]},
                        Flow.COMPARE_STYLES) == {"visual_styles": "Choose at least 2."}
    assert "visual_styles" not in gen.validate({**values, "visual_styles": []}, Flow.CREATE)
    # From a product URL: one Link (1 credit) serves every style, whichever way.
    from_page = {**values, "link": None, "product_url": "https://shop.example.com/p/1"}
    q = quote(gen, from_page, 30, flow=Flow.COMPARE_STYLES)
    assert (q.credits, q.saving) == (Decimal(1 + 3 + 4), Decimal(1 + 15 - 8))


# --- bounds and learned prices (the Asset Generator) ----------------------------------------

DEC_6 = datetime.date(2026, 12, 6)


def asset(model: str, **params: object) -> dict[str, object]:
    return {"model_name": model, "input_params": {"prompt": "a lighthouse at dusk", **params}}


def remembered(charges: dict[str, LearnedCharge]) -> Callable[[str], LearnedCharge | None]:
    """The learned-price lookup as the session gives it: the latest charge per key."""
    return charges.get


def key_of(model: str, **params: object) -> str:
    [first, *_] = spec("asset_generator").price_requests(asset(model, **params), None)
    assert first.key is not None
    return first.key


def test_a_table_model_is_exact() -> None:
    q = quote(spec("asset_generator"), asset("veo3.1/fast", duration="6"), None, today=DEC_6)
    assert (q.credits, q.at_least, q.bound, q.from_learned) == (9, False, Bound.EXACT, False)
    assert q.lines == ("veo3.1/fast 6s: 1 output × 9 = 9 credits",)


def test_a_from_n_model_is_at_least_and_says_so() -> None:
    q = quote(spec("asset_generator"), asset("veo3.1", duration="8"), None, plan=STARTER,
              balance=Decimal(10), today=DEC_6)
    assert (q.credits, q.at_least, q.bound, q.known_after_run) == (16, True, Bound.AT_LEAST,
                                                                   False)
    assert q.lines == ("veo3.1: 1 output × at least 16 = at least 16 credits",)
    assert q.warnings[0] == "This needs at least 16 credits but only 10 credits remain."
    assert any("Only the lowest price" in w for w in q.warnings)
    assert q.dollars == (Decimal(16) * STARTER.price_per_credit).quantize(Decimal("0.01"))


def test_an_unknown_price_has_no_figure_never_zero() -> None:
    q = quote(spec("asset_generator"), asset("gemini-omni-flash/reference-to-video"), None,
              balance=Decimal(5), today=DEC_6)
    assert (q.credits, q.known_after_run, q.bound, q.balance_after) == \
        (None, True, Bound.UNKNOWN, None)
    assert q.lines == ("gemini-omni-flash/reference-to-video: price unknown — known after "
                       "the run",)


def test_the_last_real_charge_prices_what_no_table_covers() -> None:
    model = "gemini-omni-flash/reference-to-video"
    charge = LearnedCharge(Decimal("7.5"), DEC_6, "job-1")
    q = quote(spec("asset_generator"), asset(model), None, balance=Decimal(20), today=DEC_6,
              learned=remembered({key_of(model): charge}))
    assert (q.credits, q.from_learned, q.learned, q.at_least) == (Decimal("7.5"), True,
                                                                  charge, False)
    assert q.lines[-1] == "7.5 credits — what your last run of this cost (6 Dec 2026)"
    assert q.balance_after == Decimal("12.5")
    other = quote(spec("asset_generator"), asset(model, resolution="1080p"), None,
                  today=DEC_6, learned=remembered({key_of(model): charge}))
    assert other.credits is None and not other.from_learned  # other inputs, other key


def test_a_learned_charge_replaces_a_minimum() -> None:
    charge = LearnedCharge(Decimal(24), datetime.date(2026, 12, 1), "job-2")
    q = quote(spec("asset_generator"), asset("veo3.1", duration="8"), None, today=DEC_6,
              learned=remembered({key_of("veo3.1", duration="8"): charge}))
    assert (q.credits, q.at_least, q.from_learned) == (24, False, True)
    assert "24 credits — what your last run of this cost (1 Dec 2026)" in q.lines


def test_an_exact_price_that_disagrees_with_the_last_charge_is_flagged() -> None:
    key = key_of("veo3.1/fast", duration="6")
    lower = LearnedCharge(Decimal(8), DEC_6, "job-3")
    q = quote(spec("asset_generator"), asset("veo3.1/fast", duration="6"), None, today=DEC_6,
              learned=remembered({key: lower}))
    assert (q.credits, q.from_learned, q.learned) == (9, False, lower)  # the table stands
    assert q.warnings == ("The price table says 9 credits, but your last run of this (6 Dec "
                          "2026) was charged 8 credits: Creatify's price may have changed.",)
    same = LearnedCharge(Decimal(9), DEC_6, "job-4")
    agreed = quote(spec("asset_generator"), asset("veo3.1/fast", duration="6"), None,
                   today=DEC_6, learned=remembered({key: same}))
    assert agreed.warnings == () and agreed.credits == 9


def test_an_unknown_part_leaves_the_known_part_as_a_minimum() -> None:
    params = {"duration": "5", "resolution": "768p", "reference_image_urls": ["https://x/a"]}
    q = quote(spec("asset_generator"), asset("minimax/h3/reference-to-video", **params), None,
              today=DEC_6)
    assert (q.credits, q.at_least, q.known_after_run) == (4, True, False)
    assert any("unknown until the run" in w for w in q.warnings)


def test_image_ad_costs_two_credits_a_request() -> None:
    q = quote(spec("image_ad"), valid_values("image_ad"), None, today=DEC_6)
    assert (q.credits, q.bound) == (2, Bound.EXACT)
    assert q.estimates[0].entry.source == \
        "https://docs.creatify.ai/api-reference/iab-images/post-iab-images"


def test_how_sure_a_price_is_for_the_guard_tokens_are_not_an_unknown_price() -> None:
    """One reading for the window and the command line (app.generators.quote_words): tokens
    are priced after the run by a documented rule, not unknown; a model the docs give no price
    is unknown; a "from N" model is at least N."""
    from app.generators.quote_words import budget_bound, guard_text, unknown_price

    tokens = quote(spec("text_generator"), valid_values("text_generator"), None)
    assert tokens.known_after_run and not unknown_price(tokens)
    assert budget_bound(tokens) is None and guard_text(tokens, None) == ""
    prompt = {"prompt": "a lighthouse at dusk"}
    unpriced = quote(spec("asset_generator"), {
        "model_name": "veo3.1/fast/first-last-frame-to-video",
        "input_params": {**prompt, "first_frame_url": "https://x.test/a.png",
                         "last_frame_url": "https://x.test/b.png"}}, None)
    assert unknown_price(unpriced) and budget_bound(unpriced) is Bound.UNKNOWN
    assert "refuse" in guard_text(unpriced, None)
    assert guard_text(unpriced, Decimal(20)).endswith("per-job ceiling, 20 credits.")
    least = quote(spec("asset_generator"), {"model_name": "veo3.1",
                                            "input_params": {**prompt, "duration": "8"}}, None)
    assert budget_bound(least) is Bound.AT_LEAST and least.credits == 16
    assert guard_text(least, Decimal(40)).endswith("per-job ceiling, 40 credits.")
    assert budget_bound(quote(spec("text_to_speech"), valid_values("text_to_speech"), 30)) \
        is None
