"""Generator specs: one per billing row, validation, request bodies, billed length, pricing."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import assets
from app.api.client import CreatifyClient
from app.generators import (
    BY_KEY,
    SPECS,
    VALIDATORS,
    DurationKind,
    Field,
    FieldKind,
    Flow,
    GeneratorSpec,
    SpecError,
    billed_by_tokens,
    default_page_target,
    refunds_on_failure,
    register,
    script_seconds,
    spec,
    unregister,
    url_problem,
)
from app.generators.quote import quote
from app.generators.spec import Choice
from app.generators.submit import submit
from app.pricing import (
    PricingError,
    estimate,
    price_table,
    set_catalogue_prices,
)
from tests.samples import SCRIPT_31S, Inputs, valid_values

BILLING_ROWS = {
    "URL to Video", "AI Avatar", "Aurora", "Aurora Fast", "Custom Template Video",
    "Asset Generator", "Text Generator", "Text to Speech", "AI Scripts", "Links", "AI Shorts",
    "AI Editing", "Product Video (image)", "Product Video (video)", "Ad Clone",
    "AI Ad Template", "Image Ad",
}


def form(key: str, **changes: Any) -> dict[str, Any]:
    return {**spec(key).defaults(), **valid_values(key), **changes}


def test_every_billing_row_has_a_spec_and_keys_are_unique() -> None:
    assert {s.billing_row for s in SPECS} == BILLING_ROWS
    assert len(BY_KEY) == len(SPECS) == 18
    assert {s.key for s in SPECS if s.billing_row == "AI Avatar"} == {"avatar_v1", "avatar_v2"}
    assert {s.key for s in SPECS if s.deprecated} == {"ai_shorts", "ai_editing"}


@pytest.mark.parametrize("generator", SPECS, ids=lambda s: s.key)
def test_sample_values_validate_and_build(generator: GeneratorSpec) -> None:
    values = form(generator.key)
    assert generator.validate(values) == {}
    body = generator.build_body(values)
    assert isinstance(body, dict) and body
    if generator.build is not None:
        return  # custom bodies are checked one by one in test_bodies_match_the_contract
    for f in generator.fields:
        if f.wire == "" or f.kind.value in ("scenes", "variables"):
            continue
        if f.name in values and values[f.name] not in (None, "", [], {}):
            assert f.wire_name in body, f.name


@pytest.mark.parametrize("generator", SPECS, ids=lambda s: s.key)
def test_required_fields_are_enforced(generator: GeneratorSpec) -> None:
    for f in generator.fields:
        if not f.required:
            continue
        flow = f.flows[0] if f.flows else Flow.CREATE
        values = form(generator.key)
        values[f.name] = None
        errors = generator.validate(values, flow)
        assert f.name in errors, f.name
        with pytest.raises(SpecError) as info:
            generator.build_body(values, flow)
        assert f.name in info.value.errors


@pytest.fixture
def template_prices() -> Any:
    """The AI Ad Template gallery and its prices, as the session installs them when it loads
    the templates (the sample's template costs 12 credits); cleared after."""
    assets.install("inspirations", [{"id": Inputs().inspiration_id, "name": "Spin",
                                     "input_params_schema": {}, "credit_cost": 12}], None)
    table = set_catalogue_prices("ai_ad_template", {Inputs().inspiration_id: Decimal(12)},
                                 as_of=date(2026, 12, 6), source="test catalogue")
    yield table
    assets.uninstall()
    set_catalogue_prices("ai_ad_template", {}, as_of=date(2026, 12, 6), source="test")


@pytest.mark.parametrize("generator", SPECS, ids=lambda s: s.key)
def test_every_spec_prices_its_sample_with_the_bundled_table(generator: GeneratorSpec,
                                                             template_prices: Any) -> None:
    table = price_table()
    values = form(generator.key)
    seconds = generator.derive_seconds(values)
    for flow in generator.flows:
        for request in generator.price_requests(values, seconds, flow):
            result = estimate(request, table)
            if generator.key == "text_generator":
                assert result.credits is None and result.known_after_run
            else:
                assert result.credits is not None and result.credits > 0


@pytest.mark.parametrize("bad", ["ftp://x.com/a", "file:///etc/passwd", "javascript:alert(1)",
                                 "example.com/no-scheme", "https://", "http://a b.com/",
                                 "https://x.com/" + "a" * 2100])
def test_urls_must_be_public_http(bad: str) -> None:
    assert url_problem(bad)
    values = form("aurora", image=bad)
    assert "image" in spec("aurora").validate(values)


def test_url_accepts_http_and_https() -> None:
    assert url_problem("https://shop.example.com/p?id=1") is None
    assert url_problem("http://shop.example.com/") is None


def test_script_length_limits() -> None:
    assert "script" in spec("text_to_speech").validate(form("text_to_speech", script="a" * 8001))
    assert spec("text_to_speech").validate(form("text_to_speech", script="a " * 4000)) == {}
    scene = {**valid_values("avatar_v2")["scenes"][0], "input_text": "x" * 2001}
    errors = spec("avatar_v2").validate(form("avatar_v2", scenes=[scene]))
    assert "2,001" in errors["scenes"]


def test_numbers_choices_and_types() -> None:
    aurora = spec("aurora")
    assert "prompt_guidance_scale" in aurora.validate(form("aurora", prompt_guidance_scale=11))
    assert "prompt_guidance_scale" in aurora.validate(form("aurora", prompt_guidance_scale=True))
    assert "prompt_guidance_scale" in aurora.validate(
        form("aurora", prompt_guidance_scale=float("nan")))
    u2v = spec("url_to_video")
    assert "video_length" in u2v.validate(form("url_to_video", video_length=20))
    assert "aspect_ratio" in u2v.validate(form("url_to_video", aspect_ratio="4:3"))
    assert "link" in u2v.validate(form("url_to_video", link="not-a-uuid"))
    # open choice lists accept other values (Creatify adds styles over time)
    assert u2v.validate(form("url_to_video", visual_style="BrandNewTemplate")) == {}
    scripts = spec("ai_scripts")
    six = ["BenefitsV2", "DIY", "DiscoveryWriter", "ProblemSolutionV2", "CallToActionV2", "HowToV2"]
    assert "script_styles" in scripts.validate(form("ai_scripts", script_styles=six))


def test_cross_field_rules() -> None:
    avatar = spec("avatar_v1")
    assert "text" in avatar.validate(form("avatar_v1", text=""))
    both = form("avatar_v1", audio="https://cdn.example.com/a.mp3")
    assert "audio" in avatar.validate(both)
    only_audio = form("avatar_v1", text=None, audio="https://cdn.example.com/a.mp3")
    assert avatar.validate(only_audio) == {}
    scripts = spec("ai_scripts")
    assert "url" in scripts.validate({"video_length": 30})
    assert scripts.validate({"title": "Mug", "description": "A big mug"}) == {}
    template = spec("custom_template")
    assert "variables" in template.validate(form("custom_template", variables={}))
    bad_var = {"bg": {"type": "image", "value": "javascript:x"}}
    assert "bg" in template.validate(form("custom_template", variables=bad_var))["variables"]
    asset = spec("asset_generator")
    wrong = form("asset_generator", input_params={"prompt": "x", "duration": "7"})
    assert "must be one of 4, 6, 8" in asset.validate(wrong)["input_params"]
    no_prompt = form("asset_generator", input_params={"duration": "6"})
    assert "prompt" in asset.validate(no_prompt)["input_params"]
    many = form("asset_generator", model_name="nano-banana",
                input_params={"prompt": "x", "num_images": 5})
    assert "from 1 to 4" in asset.validate(many)["input_params"]
    res = form("asset_generator", model_name="nano-banana-pro",
               input_params={"prompt": "x", "resolution": "8K"})
    assert "1K, 2K, 4K" in asset.validate(res)["input_params"]
    # a model the server lists but we cannot price: allowed, its price is "not known"
    other = form("asset_generator", model_name="seedance/v2/pro", input_params={"prompt": "x"})
    assert asset.validate(other) == {}


def test_bodies_match_the_contract() -> None:
    i = Inputs()
    v2 = spec("avatar_v2").build_body(form("avatar_v2", name="Promo",
                                           background_music_url="https://m.example.com/a.mp3",
                                           background_music_volume=0.3))
    scene = v2["video_inputs"][0]
    assert scene["character"] == {"type": "avatar", "avatar_id": i.persona_id,
                                  "avatar_style": "normal"}
    assert scene["voice"] == {"type": "text", "input_text": SCRIPT_31S, "voice_id": i.accent_id}
    assert scene["background"] == {"type": "image", "url": i.image_url}
    assert v2["background_music"] == {"url": "https://m.example.com/a.mp3", "volume": 0.3}
    assert v2["aspect_ratio"] == "9x16" and "scenes" not in v2

    template = spec("custom_template").build_body(form("custom_template"))
    assert template["variables"] == {
        "headline": {"type": "text", "properties": {"content": "Hello"}},
        "product_image": {"type": "image", "properties": {"url": i.image_url}}}

    fast = spec("aurora_fast").build_body(form("aurora_fast"))
    assert fast["model_version"] == "aurora_v1_fast"
    aurora = spec("aurora").build_body(form("aurora"))
    assert aurora["model_version"] == "aurora_v1" and "resolution" not in aurora
    v2a = spec("aurora").build_body(form("aurora", model_version="aurora_v2",
                                         resolution="1080p"))
    assert v2a["resolution"] == "1080p"

    text = spec("text_generator").build_body(form("text_generator", temperature=0.2,
                                                  system_instruction=" Be brief "))
    assert text == {"model_name": "gemini-2.5-flash",
                    "messages": [{"role": "user", "content": "Write a tagline for a mug."}],
                    "system_instruction": "Be brief", "config": {"temperature": 0.2}}

    product = spec("product_video").build_body(form("product_video"))
    assert "source_job" not in product and product["motion_style"] == "display"

    u2v = spec("url_to_video").build_body(form("url_to_video", override_script="  Hi  "))
    assert u2v["override_script"] == "Hi" and u2v["link"] == i.link_id
    assert u2v["no_caption"] is False and u2v["model_version"] == "standard"
    assert u2v["no_background_music"] is False and "no_music" not in u2v
    assert "caption_setting" not in u2v  # nothing set, nothing sent
    assert not any(k.startswith("caption_") and k != "caption_style" for k in u2v)

    captions = spec("url_to_video").build_body(form(
        "url_to_video", caption_font_size=64, caption_offset_y=0.4, caption_text_color="#FFF",
        caption_hidden=True, no_emotion=True, no_cta=True, no_stock_broll=True,
        no_background_music=True, caption_style="neo", model_version="boreal"))
    assert captions["caption_setting"] == {"font_size": 64, "offset": {"y": 0.4},
                                           "text_color": "#FFF", "hidden": True}
    assert captions["no_emotion"] is captions["no_cta"] is captions["no_stock_broll"] is True
    assert captions["caption_style"] == "neo" and captions["model_version"] == "boreal"

    v1 = spec("avatar_v1").build_body(form("avatar_v1", no_music=True))
    assert v1["no_music"] is True  # AI Avatar v1 really does call it no_music

    asset = spec("asset_generator").build_body(form(
        "asset_generator", input_params={"prompt": " A mug ", "duration": 6}))
    assert asset == {"model_name": "veo3.1/fast",
                     "input_params": {"prompt": "A mug", "duration": "6"}}
    default = spec("asset_generator").build_body(form(
        "asset_generator", model_name="kling-video/o3/pro/text-to-video",
        input_params={"prompt": "x"}))
    assert default["input_params"] == {"prompt": "x", "duration": "5"}
    banana = spec("asset_generator").build_body(form(
        "asset_generator", model_name="nano-banana-pro",
        input_params={"prompt": "x", "num_images": 2}))
    assert banana["input_params"] == {"prompt": "x", "num_images": 2, "resolution": "1K"}

    regen_image = spec("product_image").build_body(
        {"source_job": i.product_job, "image_prompt": " brighter "}, Flow.REGENERATE)
    assert regen_image == {"image_prompt": "brighter"}
    regen_video = spec("product_video").build_body(form("product_video"), Flow.REGENERATE)
    assert regen_video == {"motion_style": "display"}


def test_script_seconds_at_words_per_minute() -> None:
    assert script_seconds("") == 0
    assert script_seconds("one") == 1
    assert script_seconds(SCRIPT_31S) == 31  # 77 words at 150 wpm = 30.8 s
    assert script_seconds(" ".join(["w"] * 75)) == 30
    assert script_seconds(" ".join(["w"] * 75), wpm=100) == 45
    with pytest.raises(ValueError):
        script_seconds("a", wpm=0)


def test_derive_seconds_per_duration_source() -> None:
    assert spec("url_to_video").derive_seconds(form("url_to_video", video_length=45)) == 45
    assert spec("text_to_speech").derive_seconds(form("text_to_speech")) == 31
    two = [valid_values("avatar_v2")["scenes"][0]] * 2
    assert spec("avatar_v2").derive_seconds(form("avatar_v2", scenes=two)) == 62
    assert spec("avatar_v1").derive_seconds(form("avatar_v1", text=None)) is None
    assert spec("ad_clone").derive_seconds(form("ad_clone")) == 30  # entered by the user
    assert spec("ad_clone").duration.kind is DurationKind.MEDIA
    assert spec("aurora").duration.maximum == 300  # aurora_v1 / _fast: 5 minutes of audio
    assert spec("links").derive_seconds(form("links")) is None


def test_price_requests_follow_the_form() -> None:
    table = price_table()

    def credits(key: str, values: dict[str, Any], seconds: float | None,
                flow: Flow = Flow.CREATE) -> Decimal:
        total = Decimal(0)
        for request in spec(key).price_requests(values, seconds, flow):
            value = estimate(request, table).credits
            assert value is not None
            total += value
        return total

    assert credits("url_to_video", form("url_to_video"), 31) == 10
    assert credits("url_to_video", form("url_to_video"), 31, Flow.PREVIEW_RENDER) == 10
    assert credits("url_to_video", form("url_to_video", model_version="aurora_v1"), 31) == 31
    assert credits("avatar_v1", form("avatar_v1", model_version="aurora_v1_fast"), 31) == \
        Decimal("15.5")
    assert credits("aurora", form("aurora"), 12.2) == 13
    assert credits("aurora", form("aurora", model_version="aurora_v2", resolution="2k"), 10) \
        == 28
    assert credits("aurora_fast", form("aurora_fast"), 12.2) == Decimal("6.5")
    assert credits("ad_clone", form("ad_clone"), 5.01) == 24
    assert credits("asset_generator", form("asset_generator"), None) == 9  # veo3.1/fast 6 s
    veo = form("asset_generator", model_name="veo3.1/fast", input_params={"prompt": "x"})
    assert credits("asset_generator", veo, None) == 12  # the default "8" is sent and priced
    kling = form("asset_generator", model_name="kling-video/o3/pro/text-to-video",
                 input_params={"prompt": "x", "duration": 11})
    assert credits("asset_generator", kling, None) == Decimal("15.5")
    banana = form("asset_generator", model_name="nano-banana",
                  input_params={"prompt": "x", "num_images": 3})
    assert credits("asset_generator", banana, None) == Decimal("1.5")
    pro = form("asset_generator", model_name="nano-banana-pro",
               input_params={"prompt": "x", "resolution": "4K", "num_images": 2})
    assert credits("asset_generator", pro, None) == 6
    pro_default = form("asset_generator", model_name="nano-banana-pro",
                       input_params={"prompt": "x"})
    assert credits("asset_generator", pro_default, None) == Decimal("1.5")
    flux = form("asset_generator", model_name="flux-pro/kontext/text-to-image",
                input_params={"prompt": "x", "num_images": 4})
    assert credits("asset_generator", flux, None) == 2
    assert credits("url_to_video", form("url_to_video", model_version="aurora_v2"), 31) == \
        Decimal("21.7")
    assert credits("url_to_video", form("url_to_video", model_version="boreal"), 31) == 20
    assert credits("product_video", form("product_video"), None, Flow.REGENERATE) == 1
    assert credits("product_image", {"source_job": Inputs().product_job}, None,
                   Flow.REGENERATE) == 2
    assert credits("product_image", form("product_image"), None) == 2
    assert credits("product_video", form("product_video"), 15) == 10
    assert credits("links", form("links"), None) == 1
    assert credits("ai_scripts", form("ai_scripts"), None) == 1
    assert credits("text_to_speech", form("text_to_speech"), 31) == 2


def test_regeneration_only_on_product_video() -> None:
    assert {s.key for s in SPECS if Flow.REGENERATE in s.flows} == {"product_image",
                                                                     "product_video"}
    image = spec("product_image")
    errors = image.validate({}, Flow.REGENERATE)
    assert set(errors) == {"source_job"}  # product_url belongs to the first image only
    assert "product_url" in image.validate({}, Flow.CREATE)


def test_fields_follow_the_docs() -> None:
    u2v = spec("url_to_video")
    models = [c.value for c in u2v.field("model_version").choices]
    assert models == ["standard", "aurora_v1", "aurora_v1_fast", "aurora_v2", "boreal"]
    for key in ("avatar_v1", "avatar_v2", "custom_template"):
        assert [c.value for c in spec(key).field("model_version").choices] == models[:3]
    styles = {c.value for c in u2v.field("visual_style").choices}
    assert {"SimpleAvatarOverlayTemplate", "EnhancedVanillaTemplate"} <= styles
    assert "VanillaTemplate" not in styles and "SimpleAvatarOverlay" not in styles
    editing = spec("ai_editing").field("editing_style")
    assert [c.value for c in editing.choices] == ["film", "geometric_gradient", "glitch",
                                                  "glitter_gradient", "paper"]
    assert "editing_style" in spec("ai_editing").validate(form("ai_editing",
                                                               editing_style="commercial"))
    assert spec("custom_template").field("template_id").kind.value == "template"
    assert "template_id" in spec("custom_template").validate(form("custom_template",
                                                                  template_id="abc"))
    assert spec("asset_generator").field("model_name").default == "veo3.1/fast"
    names = {f.name for f in u2v.fields}
    assert "no_music" not in names
    assert {"no_background_music", "no_emotion", "no_cta", "no_stock_broll"} <= names
    for key, field, limit in [("links", "url", 1000), ("product_image", "product_url", 200),
                              ("ai_editing", "video_url", 255),
                              ("url_to_video", "background_music_url", 255)]:
        long = "https://cdn.example.com/" + "a" * limit
        assert "too long" in spec(key).validate(form(key, **{field: long}))[field]
    assert "text" in spec("avatar_v1").validate(form("avatar_v1", text="a" * 3601))


def test_preview_flow_only_where_creatify_offers_it() -> None:
    with_preview = {s.key for s in SPECS if Flow.PREVIEW_RENDER in s.flows}
    assert with_preview == {"url_to_video", "avatar_v1", "avatar_v2", "custom_template",
                            "ai_shorts", "ai_editing"}


def test_name_fields_exist_where_the_resource_tags_names() -> None:
    for s in SPECS:
        if s.resource.has_name and s.key not in ("aurora_fast",):
            assert any(f.name == "name" for f in s.fields), s.key


@given(st.dictionaries(st.sampled_from(["script", "accent", "junk"]),
                       st.one_of(st.none(), st.text(max_size=50), st.integers(), st.booleans(),
                                 st.floats(), st.lists(st.text(max_size=5), max_size=3))))
def test_validation_never_crashes(values: dict[str, Any]) -> None:
    for key in ("text_to_speech", "avatar_v2", "custom_template", "asset_generator"):
        generator = spec(key)
        errors = generator.validate(values)
        assert all(isinstance(m, str) and m for m in errors.values())
        if not errors:
            generator.build_body(values)


async def test_regenerate_sends_regen_on_the_source_job() -> None:
    """Flow.REGENERATE maps to ``regen_image`` / ``regen_video`` on the chosen job (a new job
    comes back); nothing of the first image's form is sent."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "3f2a0000-0000-4000-8000-000000000001",
                                         "status": "initializing"})

    i = Inputs()
    async with CreatifyClient("id", "key", transport=httpx.MockTransport(answer)) as client:
        image = await submit(client, spec("product_image"),
                             {**form("product_image"), "image_prompt": "On a beach"},
                             flow=Flow.REGENERATE)
        video = await submit(client, spec("product_video"), form("product_video"),
                             flow=Flow.REGENERATE)
        with pytest.raises(SpecError):
            await submit(client, spec("ad_clone"), form("ad_clone"), flow=Flow.REGENERATE)
    assert image.id == video.id == "3f2a0000-0000-4000-8000-000000000001"
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", f"/api/product_to_videos/{i.product_job}/regen_image/"),
        ("POST", f"/api/product_to_videos/{i.product_job}/regen_video/")]
    assert seen[0].content == b'{"image_prompt":"On a beach"}'
    assert seen[1].content == b'{"motion_style":"display"}'


@pytest.mark.parametrize("odd", [10**5000, float("inf"), float("nan"), [6], True, None, "7"],
                         ids=["huge", "inf", "nan", "list", "bool", "none", "text"])
def test_odd_asset_inputs_get_messages_not_crashes(odd: Any) -> None:
    asset = spec("asset_generator")
    for model, param in (("veo3.1/fast", "duration"), ("nano-banana", "num_images")):
        values = {"model_name": model, "input_params": {"prompt": "x", param: odd}}
        errors = asset.validate(values)
        q = quote(asset, values, None)
        if odd is None:  # left empty: the default is sent and priced
            assert errors == {} and q.credits is not None
        else:
            assert errors.get("input_params")
            assert q.credits is None or q.credits > 0


# ------------------------------------------------------------------ the spec as the one source

def test_every_field_kind_has_its_validator() -> None:
    assert set(VALIDATORS) == set(FieldKind)
    uuid = Field("id", "Id", FieldKind.UUID, max_length=40)
    assert uuid.validate("x" * 41) == "Too long: 41 characters (at most 40)."
    assert uuid.validate(7) == "Expected text."
    assert uuid.validate("nope") == "Expected an id like 3f2a…-…-…-…-… (a UUID)."
    number = Field("n", "N", FieldKind.INT, minimum=1, maximum=3)
    assert [number.validate(v) for v in (True, Decimal("NaN"), 1e400, 1.5, 0, 4, 2)] == [
        "Expected a number.", "Expected a finite number.", "Expected a finite number.",
        "Expected a whole number.", "At least 1.", "At most 3.", None]
    pick = Field("c", "C", FieldKind.CHOICE, choices=(Choice("a", "A"),))
    assert pick.validate(["a"]) == pick.validate("b") == "Choose one of: A."
    assert Field("b", "B", FieldKind.BOOL).validate("yes") == "Expected yes or no."
    assert Field("s", "S", FieldKind.SCENES, max_items=1).validate([{}, {}]) == \
        "At most 1 scenes."
    assert Field("v", "V", FieldKind.VARIABLES).validate([1]) == "Expected a set of values."
    assert Field("u", "U", FieldKind.MUSIC, max_length=5).validate("https://x.example") == \
        "URL is too long (17 characters; Creatify takes at most 5 here)."
    assert Field("r", "R", required=True).validate("  ") == "This field is required."


def test_billing_flags_live_in_the_specs() -> None:
    assert {s.key for s in SPECS if s.refunded_on_failure} == {"aurora", "aurora_fast"}
    assert {s.key for s in SPECS if s.billed_by_tokens} == {"text_generator"}
    assert billed_by_tokens("text_generator") and not billed_by_tokens("gone_generator")
    assert refunds_on_failure("aurora", {}) and refunds_on_failure("avatar_v1", {
        "model_version": "aurora_v1"})
    assert not refunds_on_failure("avatar_v1", {"model_version": "standard"})
    assert not refunds_on_failure("text_to_speech", {"model_version": "aurora_v1"})
    # A generator this version no longer knows: judged by the models the specs refund.
    assert refunds_on_failure("gone_generator", {"model_version": "aurora_v2"})
    assert not refunds_on_failure("gone_generator", {"model_version": "boreal"})


def test_token_billing_agrees_with_the_price_table(template_prices: Any) -> None:
    table = price_table()
    for gen in SPECS:
        rows = [e for e in table.entries if e.rule == gen.price_rule]
        assert rows, gen.key
        assert gen.billed_by_tokens == all(e.rate is None for e in rows), gen.key


def test_product_pages_links_styles_and_sources_are_named_by_the_spec() -> None:
    assert default_page_target() == "url_to_video"
    assert {s.key for s in SPECS if s.makes_link} == {"url_to_video", "ad_clone"}
    u2v = spec("url_to_video")
    assert u2v.link_maker is spec("links") and u2v.link_field == "link"
    page = u2v.with_page({}, "https://shop.example.com/p")
    assert u2v.link_values(page) == {"url": "https://shop.example.com/p"}
    assert u2v.with_link(page, "L")["link"] == "L"
    assert u2v.style_count(u2v.with_styles({}, ["A", "B", "C"])) == 3
    assert spec("avatar_v1").style_count({"visual_styles": ["A", "B"]}) == 0
    assert spec("product_video").source_job({"source_job": " j1 "}) == "j1"
    with pytest.raises(SpecError):
        spec("links").link_values({"url": "https://x.example"})
    with pytest.raises(SpecError):
        spec("text_generator").source_job({})
    assert u2v.values_from_request({"link": "L", "caption_setting": {}, "video_length": 15}) \
        == {"link": "L", "video_length": 15}


def test_the_spec_says_what_a_job_asked_for() -> None:
    assert spec("url_to_video").describe({"product_url": " https://shop.example.com/p ",
                                          "link": "L"}) == "https://shop.example.com/p"
    assert spec("url_to_video").describe({"link": "L"}) == "L"
    assert spec("text_to_speech").describe({"script": "word " * 30}) == \
        ("word " * 12)[:59] + "…"
    scenes = [{"input_text": "Hello   there"}, {"input_text": "Bye"}]
    assert spec("avatar_v2").describe({"scenes": scenes}) == "Hello there"
    assert spec("avatar_v2").describe({"scenes": [{"input_text": " "}]}) == "AI Avatar v2"
    assert spec("asset_generator").describe({"model_name": "veo3.1/fast"}) == \
        "Veo 3.1 Fast · Text to video"
    assert spec("asset_generator").describe({
        "model_name": "nano-banana", "input_params": {"prompt": " A red   mug on a desk "}}) \
        == "Nano Banana · Text to image · A red mug on a desk"
    assert spec("asset_generator").describe({"model_name": "made-up/model",
                                             "input_params": {"prompt": "x"}}) == \
        "made-up/model · x"
    assert spec("image_ad").describe({"image": "https://cdn.example.com/mug.png"}) == \
        "https://cdn.example.com/mug.png"


def test_register_adds_a_generator_and_unregister_removes_it() -> None:
    made_up = dataclasses.replace(spec("text_to_speech"), key="made_up", title="Made up")
    assert register(made_up) is made_up and spec("made_up") is made_up
    try:
        with pytest.raises(ValueError, match="already registered"):
            register(made_up)
        with pytest.raises(ValueError, match="built-in"):
            unregister("links")
    finally:
        unregister("made_up")
    assert "made_up" not in BY_KEY and len(BY_KEY) == len(SPECS)


# --- the live catalogue: asset models and AI Ad Templates read from the installed schemas ---

INSPIRATION = "0d9c8b7a-6f5e-4d3c-8b1a-0f9e8d7c6b5a"
SEEDANCE = "bytedance/seedance-2.0/fast/text-to-video"
SEEDANCE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["prompt"],
    "properties": {
        "prompt": {"type": "string", "title": "Prompt", "maxLength": 50},
        "duration": {"type": "string", "enum": ["5", "10"], "default": "5",
                     "title": "Duration"},
        "resolution": {"type": "string", "enum": ["480p", "720p"], "default": "720p"},
        "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1,
                        "title": "Outputs"},
        "generate_audio": {"type": "boolean", "default": True},
        "seed": {"type": "integer"},
        "cfg_scale": {"type": "number", "minimum": 0, "maximum": 1},
        "reference_image_urls": {"type": "array", "maxItems": 2, "title": "References",
                                 "items": {"type": "string", "format": "uri"}},
        "camera": {"type": "object", "title": "Camera", "required": ["movement"],
                   "properties": {"movement": {"type": "string", "enum": ["pan", "zoom"]},
                                  "speed": {"type": "number", "minimum": 0}}},
    },
}
TEMPLATE_SCHEMA: dict[str, Any] = {
    "schema_uri": "https://json-schema.org/draft/2020-12/schema",
    "required": ["Product Image", "Product Name"],
    "properties": {"Product Image": {"type": "string", "format": "uri"},
                   "Product Name": {"type": "string", "maxLength": 30},
                   "Scenes": {"type": "integer", "minimum": 1, "maximum": 3}},
}


@pytest.fixture
def catalogue() -> Any:
    """The catalogues as the session installs them (schemas and templates), removed after."""
    assets.install("asset_schemas", [
        {"model_name": SEEDANCE, "generation_type": "text_to_video",
         "input_params_schema": SEEDANCE_SCHEMA},
        {"model_name": "veo3.1/fast", "generation_type": "text_to_video",
         "input_params_schema": {"type": "object", "required": ["prompt"], "properties": {
             "prompt": {"type": "string"},
             "duration": {"type": "string", "enum": ["4", "6", "8"], "default": "8"}}}}],
        None)
    assets.install("inspirations", [
        {"id": INSPIRATION, "name": "Unboxing reel", "gen_type": "image_to_video",
         "input_params_schema": TEMPLATE_SCHEMA, "credit_cost": 12, "categories": [],
         "labels": []}], None)
    yield
    assets.uninstall()


def asset_form(params: dict[str, Any], model: str = SEEDANCE) -> dict[str, Any]:
    return {"model_name": model, "input_params": params}


def test_an_asset_model_is_checked_against_its_published_schema(catalogue: Any) -> None:
    asset = spec("asset_generator")
    ok = asset_form({"prompt": "A mug", "duration": 10, "num_outputs": "2",
                     "generate_audio": False, "reference_image_urls": ["https://x.example/a.png"],
                     "camera": {"movement": "zoom", "speed": 0.5}})
    assert asset.validate(ok) == {}

    def problem(params: dict[str, Any]) -> str:
        return asset.validate(asset_form({"prompt": "A mug", **params}))["input_params"]

    assert problem({"prompt": ""}) == "Write a prompt."
    assert problem({"prompt": "x" * 51}).startswith("Prompt is too long")
    assert problem({"duration": "7"}) == "Duration must be one of 5, 10."
    assert problem({"resolution": "1080p"}) == "Resolution must be one of 480p, 720p."
    assert problem({"num_outputs": 5}) == "Outputs must be from 1 to 4."
    assert problem({"num_outputs": 1.5}) == "Outputs: expected a whole number."
    assert problem({"seed": 10**40}) == "Seed is far too large."
    assert problem({"cfg_scale": 2}) == "Cfg scale must be from 0 to 1."
    assert problem({"cfg_scale": float("nan")}) == "Cfg scale: expected a number."
    assert problem({"camera": {"movement": "pan", "speed": -1}}) == \
        "Camera: Speed must be at least 0."
    assert problem({"generate_audio": "maybe"}) == "Generate audio: expected yes or no."
    assert problem({"reference_image_urls": ["https://a.example/1.png"] * 3}) == \
        "References: at most 2."
    assert problem({"reference_image_urls": ["javascript:alert(1)"]}).startswith(
        "References, row 1:")
    assert problem({"camera": {"speed": 1}}) == "Camera: Movement is required."
    assert problem({"camera": {"movement": "tilt"}}) == \
        "Camera: Movement must be one of pan, zoom."
    assert problem({"camera": "zoom"}) == "Camera: expected a set of values."


def test_every_keyword_of_a_published_schema_is_honoured() -> None:
    """The check is jsonschema's: keywords beyond the usual ones (a pattern, unique items,
    one of two shapes, a closed object) are applied too; a schema that cannot be read
    checks nothing (Creatify's answer will say what is wrong)."""
    schema = {"type": "object", "required": ["prompt"], "additionalProperties": False,
              "properties": {
                  "prompt": {"type": "string"},
                  "seed_text": {"type": "string", "pattern": "^[0-9]+$", "title": "Seed"},
                  "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
                  "size": {"oneOf": [{"type": "string", "enum": ["auto"]},
                                     {"type": "integer", "minimum": 256}]}}}
    assets.install("asset_schemas", [{"model_name": "made/up", "input_params_schema": schema}],
                   None)
    try:
        asset = spec("asset_generator")

        def problem(**params: Any) -> str | None:
            return asset.validate(asset_form({"prompt": "x", **params}, "made/up")).get(
                "input_params")

        assert problem(seed_text="12a") == "Seed is not written the way this input expects."
        assert problem(tags=["a", "a"]) == "Tags: each one only once."
        assert problem(size=100) is not None and problem(size="auto") is None
        assert problem(size=512) is None
        assert problem() is None
        for broken in ({**schema, "properties": {"prompt": {"type": "no-such-type"}}},
                       {**schema, "properties": {"prompt": {"$ref": "#/$defs/missing"}}}):
            assets.install("asset_schemas", [{"model_name": "made/up",
                                              "input_params_schema": broken}], None)
            assert problem() is None
    finally:
        assets.uninstall()


def test_an_asset_body_is_sent_in_the_published_schemas_types(catalogue: Any) -> None:
    body = spec("asset_generator").build_body(asset_form({
        "prompt": " A mug ", "duration": 10, "num_outputs": "3", "generate_audio": "false",
        "cfg_scale": "0.5", "reference_image_urls": " https://x.example/a.png ",
        "camera": {"movement": "pan", "speed": "2"}, "old_input": "from another model",
        "seed": None}))
    assert body == {"model_name": SEEDANCE, "input_params": {
        "prompt": "A mug", "duration": "10", "resolution": "720p", "num_outputs": 3,
        "generate_audio": False, "cfg_scale": 0.5,
        "reference_image_urls": ["https://x.example/a.png"],
        "camera": {"movement": "pan", "speed": 2}}}
    # The published schema replaces the stand-in: its default, not the stand-in's, is sent.
    veo = spec("asset_generator").build_body(asset_form({"prompt": "x"}, "veo3.1/fast"))
    assert veo["input_params"] == {"prompt": "x", "duration": "8"}


def test_asset_price_requests_follow_the_published_schema(catalogue: Any) -> None:
    asset = spec("asset_generator")
    requests = asset.price_requests(asset_form({"prompt": "x", "num_outputs": 3}), None)
    assert [r.rule for r in requests][:1] == ["asset_generator"]
    assert requests[0].count == 3 and requests[0].key
    with pytest.raises(PricingError, match="Duration must be one of"):
        asset.price_requests(asset_form({"prompt": "x", "duration": "7"}), None)
    # The same inputs written another way are the same price key.
    again = asset.price_requests(asset_form({"prompt": "y", "num_outputs": "3",
                                             "duration": 5}), None)
    assert again[0].key == requests[0].key


def test_an_unknown_model_without_a_catalogue_needs_some_input() -> None:
    asset = spec("asset_generator")
    assert asset.validate(asset_form({"prompt": " "}, "made-up/model")) == {
        "input_params": "Fill in the model's inputs."}
    body = asset.build_body(asset_form({"prompt": " x ", "steps": 4}, "made-up/model"))
    assert body["input_params"] == {"prompt": "x", "steps": 4}
    # Unknown still gets the app's own rules: nothing that cannot go on the wire is sent.
    for bad, said in (({"nested": {"type": math.inf}}, "Nested: Type: expected a number."),
                      ({"steps": 1e20}, "Steps is far too large."),
                      ({"image_url": "not a link"}, "Image url: ")):
        problem = asset.validate(asset_form(bad, "made-up/model"))["input_params"]
        assert problem.startswith(said), problem
        with pytest.raises(SpecError):
            asset.build_body(asset_form(bad, "made-up/model"))
    template = spec("ai_ad_template")
    assert template.validate({"inspiration_id": "0b6f1d2e-1111-4222-8333-944445555666",
                              "input_params": {"Scenes": math.nan}}) == {
        "input_params": "Scenes: expected a number."}


def test_ai_ad_template_follows_the_chosen_templates_schema(catalogue: Any) -> None:
    template = spec("ai_ad_template")
    assert template.field("inspiration_id").kind is FieldKind.INSPIRATION
    good = {"inspiration_id": f" {INSPIRATION} ", "input_params": {
        "Product Image": "https://cdn.example.com/mug.png", "Product Name": " Big mug ",
        "Scenes": "2", "Stale": "from another template"}}
    assert template.validate(good) == {}
    assert template.build_body(good) == {"inspiration_id": INSPIRATION, "input_params": {
        "Product Image": "https://cdn.example.com/mug.png", "Product Name": "Big mug",
        "Scenes": 2}}
    missing = {**good, "input_params": {"Product Image": "https://cdn.example.com/mug.png"}}
    assert template.validate(missing) == {"input_params": "Product name is required."}
    bad_url = {**good, "input_params": {**good["input_params"], "Product Image": "mug.png"}}
    assert template.validate(bad_url)["input_params"].startswith("Product image: Not a web address")
    assert "inspiration_id" in template.validate({**good, "inspiration_id": "not-an-id"})
    assert template.describe(good) == "Unboxing reel · Big mug"
    [request] = template.price_requests(good, None)
    assert (request.rule, request.model) == ("ai_ad_template", INSPIRATION)


def test_ai_ad_template_price_says_why_it_is_not_shown(catalogue: Any) -> None:
    template = spec("ai_ad_template")
    for chosen, why in ((" ", "Choose a template"),
                        ("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5", "not in Creatify's gallery")):
        with pytest.raises(PricingError, match=why):
            template.price_requests({"inspiration_id": chosen}, None)
        assert why in (quote(template, {"inspiration_id": chosen, "input_params": {}},
                             None).error or "")
    assets.uninstall()
    with pytest.raises(PricingError, match="once Creatify's template gallery has loaded"):
        template.price_requests({"inspiration_id": INSPIRATION}, None)


def test_ai_ad_template_before_its_catalogue_is_known() -> None:
    template = spec("ai_ad_template")
    form_values = {"inspiration_id": INSPIRATION, "input_params": {"Headline": " Hi "}}
    assert template.validate(form_values) == {}
    assert template.build_body(form_values)["input_params"] == {"Headline": "Hi"}
    assert template.validate({**form_values, "input_params": {"Headline": " "}}) == {
        "input_params": "Fill in the template's inputs."}
    assert template.describe(form_values) == "AI Ad Template · Hi"


def test_image_ad_sends_one_image() -> None:
    image_ad = spec("image_ad")
    assert image_ad.build_body({"image": " https://cdn.example.com/mug.png "}) == {
        "image": "https://cdn.example.com/mug.png"}
    assert "image" in image_ad.validate({"image": "file:///etc/passwd"})
    assert image_ad.validate({"image": "https://cdn.example.com/mug.GIF?v=2"}) == {
        "image": "Image Ads take a png, jpg or webp image, not a .gif file."}
    for fine in ("https://cdn.example.com/mug.JPEG", "https://cdn.example.com/img/12345",
                 "https://cdn.example.com/a.webp#top"):
        assert image_ad.validate({"image": fine}) == {}
    [request] = image_ad.price_requests({"image": "https://cdn.example.com/mug.png"}, None)
    assert (request.rule, request.count) == ("image_ad", 1)
    assert image_ad.resource.key == "iab_images" and image_ad.billing_row == "Image Ad"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["5", "10", "720p", "https://x.example/a.png",
                                              "zoom", "true", " 3 "]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["movement", "speed", "x"]), inner, max_size=3),
    max_leaves=8)


def test_any_inputs_get_a_message_or_a_body_in_the_schemas_types() -> None:
    """Whatever a form holds: a sentence, or a body the published schema accepts (checked by
    jsonschema, a validator independent of ours). Not vacuous: some forms do build."""
    built: list[dict[str, Any]] = []
    asset = spec("asset_generator")

    @given(st.dictionaries(st.sampled_from([*sorted(SEEDANCE_SCHEMA["properties"]), "extra"]),
                           json_values, max_size=8)
           .map(lambda params: {"prompt": "A mug", **params} if len(params) % 2 else params))
    def check(params: dict[str, Any]) -> None:
        values = asset_form(params)
        errors = asset.validate(values)
        assert all(isinstance(m, str) and m for m in errors.values())
        if not errors:
            sent = asset.build_body(values)["input_params"]
            jsonschema.validate(sent, SEEDANCE_SCHEMA,
                                format_checker=jsonschema.FormatChecker())
            assert "extra" not in sent
            built.append(sent)

    assets.install("asset_schemas", [{"model_name": SEEDANCE,
                                      "input_params_schema": SEEDANCE_SCHEMA}], None)
    try:
        check()
    finally:
        assets.uninstall()
    assert len(built) >= 5


def test_hostile_inputs_of_the_new_generators_get_short_messages() -> None:
    """Found by the hostile form suite: a bracket-broken address for an Image Ad is refused
    with a sentence (not a crash), and an input name of any length is echoed cut."""
    image_ad = spec("image_ad")
    problems = image_ad.validate({"image": "http://[::1"})
    assert set(problems) == {"image"} and len(problems["image"]) < 300
    asset = spec("asset_generator")
    huge = "x" * 50_000
    problems = asset.validate({"model_name": "veo3.1/fast",
                               "input_params": {huge: 10**18, "prompt": "a mug"}})
    assert problems and all(len(m) <= 1000 for m in problems.values()), \
        {k: len(m) for k, m in problems.items()}
