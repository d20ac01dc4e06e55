"""The simulator's catalogues: the Asset Generator models (schemas, validation, charges),
the AI Ad Templates (inspirations and their jobs) and Image Ads — through the pure world.

Charges are checked against the price file read here, directly from the JSON (not through
``app.sandbox.asset_prices``): a table row, a flat price, the Boreal per-second expansion the
file spells out, the documented Boreal reference surcharges.
"""

from __future__ import annotations

import json
import struct
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.sandbox import media
from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.wire import Request, Response
from app.sandbox.world import World

AUTH = {"x-api-id": "sandbox", "x-api-key": "sandbox"}
BASE = "http://sandbox.test"
IMAGE = "https://cdn.example.com/face.png"
PRICE_FILE = Path(__file__).resolve().parents[2] / "resources" / "asset-models.json"
DOCS = {m["model_name"]: m for m in json.loads(PRICE_FILE.read_text())["models"]}
GENERATION_TYPES = {"text_to_video", "image_to_video", "video_to_video", "text_to_image",
                    "image_to_image"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(clock: Clock) -> World:
    w = World(clock=clock, wall_clock=lambda: 1_800_000_000.0, seed=3, balance=1_000_000)
    w.base_url = BASE
    return w


def call(world: World, method: str, target: str, body: Any = None) -> Response:
    raw = b"" if body is None else json.dumps(body).encode()
    return world.handle(Request(method, target, AUTH, raw))


def ok(response: Response, status: int = 200) -> Any:
    assert response.status == status, response.body
    return response.body


def finish(world: World, clock: Clock, resource: str, job_id: str) -> dict[str, Any]:
    clock.now += 1000
    return dict(ok(call(world, "GET", f"/api/{resource}/{job_id}/")))


def charged(world: World, clock: Clock, model: str, params: dict[str, Any]) -> Decimal:
    """What a finished task of ``model`` with ``params`` took from the balance."""
    before = world.balance
    job = ok(call(world, "POST", "/api/asset_generator/",
                  {"model_name": model, "input_params": params}), 201)
    done = finish(world, clock, "asset_generator", job["id"])
    assert done["status"] == "done"
    assert Decimal(done["credits_used"]) == before - world.balance
    return before - world.balance


def base_params(model: str) -> dict[str, Any]:
    """The required inputs of ``model`` (prompt, image URLs)."""
    schema = ASSET_MODELS[model].input_schema()
    out: dict[str, Any] = {}
    for name in schema["required"]:
        prop = schema["properties"][name]
        if prop["type"] == "array":
            out[name] = [IMAGE] * prop.get("minItems", 1)
        else:
            out[name] = IMAGE if "pattern" in prop else "a kite over the sea"
    return out


def schema_value(model: str, name: str, label: str) -> Any:
    """The value of input ``name`` that means the price table's ``label`` (the schema may
    spell it otherwise: ``768p`` for ``768P``; an integer for ``"6"``)."""
    prop = ASSET_MODELS[model].properties[name]
    if prop["type"] == "integer":
        return int(label)
    [value] = [v for v in prop["enum"] if v.lower() == label.lower()]
    return value


# ---- the catalogue -----------------------------------------------------------------------


def test_the_catalogue_is_real_and_covers_every_generation_type(world: World) -> None:
    served = ok(call(world, "GET", "/api/asset_generator/schemas/"))
    assert len(served) >= 25
    assert {s["generation_type"] for s in served} == GENERATION_TYPES
    unpriced = {s["model_name"] for s in served} - set(DOCS)
    legacy = json.loads(PRICE_FILE.read_text())["legacy_listing_superseded"]["models"]
    assert unpriced <= {m["model_name"] for m in legacy}  # real names, priced nowhere now
    assert len(unpriced) == 1
    for entry in served:
        if entry["model_name"] in DOCS:
            assert entry["generation_type"] == DOCS[entry["model_name"]]["generation_type"]
    kinds = {DOCS[n]["price"]["kind"] for n in ASSET_MODELS if n in DOCS}
    assert kinds == {"table", "flat", "per_second", "varies", "unknown"}


def test_schemas_are_valid_json_schema_with_the_awkward_parts(world: World) -> None:
    served = ok(call(world, "GET", "/api/asset_generator/schemas/"))
    seen: set[str] = set()
    for entry in served:
        schema = entry["input_params_schema"]
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"].startswith("https://json-schema.org/")
        assert set(schema["required"]) <= set(schema["properties"])
        for name, prop in schema["properties"].items():
            assert prop.get("description"), (entry["model_name"], name)
            if "default" in prop:
                assert not list(Draft202012Validator(prop).iter_errors(prop["default"]))
            if name == "duration" and prop["type"] == "string":
                seen.add("string duration")
                assert all(v.isdigit() for v in prop["enum"])
            if name == "duration" and prop["type"] == "integer":
                seen.add("integer duration")
            if name in ("num_images", "num_outputs"):
                assert prop["type"] == "integer" and prop["minimum"] == 1 and prop["maximum"]
                seen.add(name)
            if prop["type"] == "boolean":
                seen.add("boolean")
            if prop["type"] == "array":
                assert prop["items"]["format"] == "uri"
                seen.add("url array")
            if prop["type"] == "object":
                seen.add("nested object")
            model = entry["model_name"]
            table = DOCS.get(model, {}).get("price", {})
            if name == "resolution" and table.get("kind") in ("table", "per_second"):
                labels = ({r["resolution"] for r in table["rows"]}
                          if table["kind"] == "table" else set(table["rate"]))
                if not set(prop["enum"]) <= labels:
                    seen.add("resolution spelled unlike its price label")
    assert seen == {"string duration", "integer duration", "num_images", "num_outputs",
                    "boolean", "url array", "nested object",
                    "resolution spelled unlike its price label"}


def test_schemas_filtered_by_model_name(world: World) -> None:
    found = ok(call(world, "GET", "/api/asset_generator/schemas/"
                                  "?model_name=gpt-image-2,nope,boreal-h3/text-to-video"))
    assert [s["model_name"] for s in found] == ["gpt-image-2", "boreal-h3/text-to-video"]


# ---- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "params", "problem"), [
    ("boreal-h3/image-to-video", {"prompt": "x", "image_url": IMAGE, "resolution": "768P"},
     "resolution: '768P' is not one of ['768p', '1088p', '2k']"),
    ("grok-imagine-video/text-to-video", {"prompt": "x", "duration": "6"},
     "duration: '6' is not of type 'integer'"),
    ("grok-imagine-video/text-to-video", {"prompt": "x", "duration": 16},
     "duration: 16 is greater than the maximum of 15"),
    ("flux-pro/kontext/max/multi", {"prompt": "x", "image_urls": [IMAGE]},
     f"image_urls: ['{IMAGE}'] is too short"),
    ("flux-2-pro/edit", {"prompt": "x", "image_urls": ["file:///etc/passwd"]},
     "image_urls.0: 'file:///etc/passwd' does not match '^https?://'"),
    ("recraft/v3/text-to-image", {"prompt": "x", "image_size": {"width": 100, "height": 512}},
     "image_size.width: 100 is less than the minimum of 256"),
    ("recraft/v3/text-to-image", {"prompt": "x", "image_size": {"width": 512}},
     "image_size.height: This field is required."),
    ("veo3.1", {"prompt": "x", "generate_audio": "yes"},
     "generate_audio: 'yes' is not of type 'boolean'"),
    ("boreal-h3/image-to-video", {"prompt": "x"}, "image_url: This field is required."),
])
def test_input_params_are_checked_against_the_schema(world: World, model: str,
                                                     params: dict[str, Any],
                                                     problem: str) -> None:
    before = world.balance
    response = call(world, "POST", "/api/asset_generator/",
                    {"model_name": model, "input_params": params})
    assert (response.status, response.body) == (400, {"input_params": [problem]})
    assert world.balance == before and world.jobs("asset_generator") == []


def test_defaults_are_filled_and_sent_back(world: World) -> None:
    job = ok(call(world, "POST", "/api/asset_generator/",
                  {"model_name": "boreal-h3/text-to-video", "input_params": {"prompt": "x"}}),
             201)
    assert job["input_params"] == {"prompt": "x", "duration": "10", "resolution": "768p",
                                   "aspect_ratio": "16:9", "enhance_prompt": False}
    assert job["duration"] == 10 and job["output_nums"] == 1
    assert job["gen_type"] == "text_to_video"


# ---- charges -------------------------------------------------------------------------------

TABLE_ROWS = [(name, row) for name, model in DOCS.items() if name in ASSET_MODELS
              if model["price"]["kind"] == "table" for row in model["price"]["rows"]]


def _offered(model: str, row: dict[str, str]) -> bool:
    """Whether the simulator offers every value of ``row`` (a partial table's cut rows are
    not offered)."""
    for name in DOCS[model]["price"]["by"]:
        prop = ASSET_MODELS[model].properties[name]
        if prop["type"] == "integer":
            continue
        if not any(v.lower() == row[name].lower() for v in prop["enum"]):
            return False
    return True


def test_partial_tables_offer_only_rows_priced_at_every_resolution() -> None:
    for model in ("kling-video/v4/text-to-video", "wan3.0/reference-to-video"):
        offered = [row for m, row in TABLE_ROWS if m == model and _offered(m, row)]
        cut = [row for m, row in TABLE_ROWS if m == model and not _offered(m, row)]
        assert len(cut) == 1 and len(offered) % 3 in (0, 1)
        durations = ASSET_MODELS[model].properties["duration"]["enum"]
        assert cut[0]["duration"] not in durations


@pytest.mark.parametrize(("model", "row"), [(m, r) for m, r in TABLE_ROWS if _offered(m, r)],
                         ids=[f"{m}-{'-'.join(r[k] for k in DOCS[m]['price']['by'])}"
                              for m, r in TABLE_ROWS if _offered(m, r)])
def test_every_offered_table_row_is_charged_exactly(world: World, clock: Clock, model: str,
                                                   row: dict[str, Any]) -> None:
    params = base_params(model)
    for name in DOCS[model]["price"]["by"]:
        params[name] = schema_value(model, name, row[name])
    count = ASSET_MODELS[model].count_input
    outputs = 3 if count else 1
    if count:
        params[count] = outputs
    assert charged(world, clock, model, params) == Decimal(str(row["credits"])) * outputs


@pytest.mark.parametrize("model", [n for n, m in DOCS.items() if n in ASSET_MODELS
                                   if m["price"]["kind"] == "flat"])
def test_flat_prices_times_outputs(world: World, clock: Clock, model: str) -> None:
    flat = Decimal(str(DOCS[model]["price"]["credits"]))
    assert charged(world, clock, model, base_params(model)) == flat
    count = ASSET_MODELS[model].count_input
    if count:
        top = ASSET_MODELS[model].properties[count]["maximum"]
        assert charged(world, clock, model, {**base_params(model), count: top}) == flat * top


def test_the_per_second_rule_matches_the_files_expansion(world: World, clock: Clock) -> None:
    model = "boreal-h3/text-to-video"
    rows = DOCS[model]["price"]["expected_table_if_rule_holds"]
    for row in rows:
        params = {"prompt": "x", "duration": schema_value(model, "duration", row["duration"]),
                  "resolution": schema_value(model, "resolution", row["resolution"])}
        assert charged(world, clock, model, params) == Decimal(str(row["credits"]))
    assert len(rows) == 33


@pytest.mark.parametrize(("images", "video_seconds", "resolution", "extra"), [
    (5, None, "768p", Decimal(0)),              # five reference images are included
    (6, None, "768p", Decimal("0.5")),          # 0.2, rounded up to half a credit
    (9, None, "2k", Decimal(1)),                # 4 × 0.2 = 0.8 → 1
    (0, 10, "768p", Decimal(4)),                # 10 s × 0.4
    (0, 20, "1088p", Decimal(9)),               # capped at 15 s × 0.6
    (7, 3, "2k", Decimal("2.5")),               # 1.8 + 0.4 = 2.2 → 2.5
])
def test_boreal_reference_surcharges(world: World, clock: Clock, images: int,
                                     video_seconds: int | None, resolution: str,
                                     extra: Decimal) -> None:
    model = "boreal-h3/reference-to-video"
    params: dict[str, Any] = {"prompt": "x", "duration": "5", "resolution": resolution,
                              "reference_image_urls": [IMAGE] * images}
    if video_seconds is not None:
        params["reference_video_urls"] = [f"https://cdn.example.com/r.mp4?duration="
                                          f"{video_seconds}"]
    [base] = [Decimal(str(r["credits"])) for r in DOCS[model]["price"]["rows"]
              if r["duration"] == "5" and r["resolution"].lower() == resolution]
    assert charged(world, clock, model, params) == base + extra


@pytest.mark.parametrize("model", [n for n, m in DOCS.items() if n in ASSET_MODELS
                                   if m["price"]["kind"] == "varies"])
def test_from_n_models_cost_at_least_n_and_more_for_more(world: World, clock: Clock,
                                                         model: str) -> None:
    minimum = Decimal(str(DOCS[model]["price"]["min_credits"]))
    props = ASSET_MODELS[model].properties
    lowest = {**base_params(model), **{n: p["enum"][0] for n, p in props.items()
                                       if n in ("duration", "resolution", "quality")}}
    assert charged(world, clock, model, lowest) == minimum
    highest = {**lowest, **{n: p["enum"][-1] for n, p in props.items()
                            if n in ("duration", "resolution", "quality")}}
    if highest != lowest:
        assert charged(world, clock, model, highest) > minimum


def test_unpriced_models_still_charge_something(world: World, clock: Clock) -> None:
    for model in ASSET_MODELS:
        if DOCS.get(model, {"price": {"kind": "unknown"}})["price"]["kind"] == "unknown":
            assert charged(world, clock, model, base_params(model)) > 0


def test_one_asset_per_output(world: World, clock: Clock) -> None:
    job = ok(call(world, "POST", "/api/asset_generator/", {
        "model_name": "veo3.1", "input_params": {"prompt": "x", "num_outputs": 2}}), 201)
    done = finish(world, clock, "asset_generator", job["id"])
    assert [a["type"] for a in done["assets"]] == ["video", "video"]
    assert len({a["url"] for a in done["assets"]}) == 2 and done["output_nums"] == 2
    job = ok(call(world, "POST", "/api/asset_generator/", {
        "model_name": "gpt-image-2", "input_params": {"prompt": "x", "num_images": 4}}), 201)
    done = finish(world, clock, "asset_generator", job["id"])
    assert [a["type"] for a in done["assets"]] == ["image"] * 4
    assert all(a["url"].endswith(".png") and a["thumbnail_url"] for a in done["assets"])


# ---- AI Ad Templates -------------------------------------------------------------------------


def test_inspirations_list_and_detail(world: World) -> None:
    listed = ok(call(world, "GET", "/api/inspirations/"))
    assert 6 <= len(listed) <= 10
    costs = [i["credit_cost"] for i in listed]
    assert all(isinstance(c, int) and c > 0 for c in costs) and len(set(costs)) == len(costs)
    for item in listed:
        schema = item["input_params_schema"]
        assert set(schema) == {"schema_uri", "required", "properties"}
        assert set(schema["required"]) <= set(schema["properties"])
        Draft202012Validator.check_schema({"type": "object", **{
            k: v for k, v in schema.items() if k != "schema_uri"}})
        assert item["preview_image"].startswith(f"{BASE}/media/")
        assert item["preview_video"].endswith(".mp4")
        assert item["categories"] and all(c["name"] for c in item["categories"])
        assert ok(call(world, "GET", f"/api/inspirations/{item['id']}/")) == item
    names = {n for i in listed for n in i["input_params_schema"]["properties"]}
    assert "Product Image" in names
    kinds = {p.get("format") or p["type"] for i in listed
             for p in i["input_params_schema"]["properties"].values()}
    assert kinds == {"uri", "string", "number"}
    assert any("enum" in p for i in listed for p in i["input_params_schema"]["properties"].values())
    assert call(world, "GET", "/api/inspirations/nope/").status == 404


def _template(name: str) -> str:
    return next(i.id for i in INSPIRATIONS.values() if i.name == name)


def test_an_inspiration_job_runs_with_the_docs_string_types(world: World, clock: Clock) -> None:
    pack = _template("Flash Sale Pack")
    before = world.balance
    job = ok(call(world, "POST", "/api/inspiration_jobs/", {
        "inspiration_id": pack, "input_params": {"Product Image": IMAGE, "Discount": 30}}), 201)
    assert job["status"] == "pending" and job["output"] == "" and job["failed_reason"] == ""
    assert "credits_used" not in job and job["gen_type"] == "image_to_image"
    assert json.loads(job["input_params"]) == {"Product Image": IMAGE, "Discount": 30}
    clock.now += 30
    running = ok(call(world, "GET", f"/api/inspiration_jobs/{job['id']}/"))
    assert running["status"] == "running" and running["output"] == ""
    done = finish(world, clock, "inspiration_jobs", job["id"])
    assert done["status"] == "done"
    urls = json.loads(done["output"])
    assert len(urls) == 4 and all(u.startswith(f"{BASE}/media/{job['id']}/") for u in urls)
    assert before - world.balance == INSPIRATIONS[pack].credit_cost
    listed = ok(call(world, "GET", f"/api/inspiration_jobs/?ids={job['id']}"))
    assert [j["id"] for j in listed] == [job["id"]]
    world.set_quirks(inspiration_strings=False)
    plain = ok(call(world, "GET", f"/api/inspiration_jobs/{job['id']}/"))
    assert plain["output"] == urls and plain["input_params"]["Discount"] == 30


def test_a_failed_inspiration_job_says_why_and_costs_nothing(world: World,
                                                             clock: Clock) -> None:
    world.set_faults(fail_rate=1.0)
    before = world.balance
    job = ok(call(world, "POST", "/api/inspiration_jobs/", {
        "inspiration_id": _template("Holiday Greeting"),
        "input_params": json.dumps({"Brand Name": "Kite Co"})}), 201)
    done = finish(world, clock, "inspiration_jobs", job["id"])
    assert done["status"] == "failed" and done["failed_reason"] and done["output"] == ""
    assert world.balance == before


def test_an_inspiration_job_needs_enough_credits(clock: Clock) -> None:
    poor = World(clock=clock, balance=5)
    response = call(poor, "POST", "/api/inspiration_jobs/", {
        "inspiration_id": _template("UGC Testimonial"),
        "input_params": {"Product Image": IMAGE, "Script": "I love it."}})
    assert response.status == 400 and "credits" in json.dumps(response.body).lower()


# ---- Image Ads -------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_an_image_ad_returns_the_iab_banners(world: World, clock: Clock) -> None:
    before = world.balance
    job = ok(call(world, "POST", "/api/iab_images/", {"image": "https://cdn.example.com/p.webp"}),
             201)
    assert job["status"] == "pending" and job["output"] == [] and job["failed_reason"] is None
    done = finish(world, clock, "iab_images", job["id"])
    assert done["status"] == "done" and before - world.balance == 2
    sizes = [item["size"] for item in done["output"]]
    assert sizes == ["300x250", "728x90", "160x600", "320x50"]
    for item in done["output"]:
        filename = item["url"].rsplit("/", 1)[1]
        sample = media.sample_for(filename)
        assert sample is not None and sample.content_type == item["type"] == "image/png"
        width, height = _png_size(sample.read())
        assert f"{width}x{height}" == item["size"] and item["name"]
    other = ok(call(world, "POST", "/api/iab_images/", {"image": IMAGE}), 201)
    listed = ok(call(world, "GET", f"/api/iab_images/?ids={job['id']}"))
    assert {j["id"] for j in listed} == {job["id"], other["id"]}  # it documents no query


def test_a_failed_image_ad_costs_nothing(world: World, clock: Clock) -> None:
    world.set_faults(fail_rate=1.0)
    before = world.balance
    job = ok(call(world, "POST", "/api/iab_images/", {"image": IMAGE}), 201)
    done = finish(world, clock, "iab_images", job["id"])
    assert done["status"] == "failed" and done["failed_reason"] and done["output"] == []
    assert world.balance == before
