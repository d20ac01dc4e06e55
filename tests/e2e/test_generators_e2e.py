"""Every generator, end to end: the real client against the simulator over loopback HTTP.

For each spec (and each of its flows): submit → poll → terminal state → the result downloads
and is the right kind of file, and the simulator charged exactly what our estimator said.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import assets
from app.api.client import CreatifyClient
from app.api.snapshot import JobSnapshot, JobStatus
from app.downloads import fetch_results
from app.generators import SPECS, Flow, ResultKind, spec
from app.generators.submit import render, render_style, submit
from app.pricing import Bound, estimate, set_catalogue_prices, total_credits
from app.sandbox import DocsQuirks, Sandbox
from tests.e2e.conftest import file_kind, wait_preview, wait_terminal
from tests.samples import Inputs, valid_values

pytestmark = pytest.mark.e2e

# Lengths the user would type for MEDIA-priced generators (the hinted media lengths below).
ENTERED_SECONDS = {"aurora": 12, "aurora_fast": 12, "ai_editing": 31, "ad_clone": 31,
                   "custom_template": 30, "product_video": 8}
EXPECTED_KIND = {ResultKind.VIDEO: "video", ResultKind.AUDIO: "audio",
                 ResultKind.IMAGE: "image", ResultKind.LINK: "image"}


PLAIN = DocsQuirks(preview_pending=False, scripts_as_string=False, musics_paged=False,
                   asset_credits_string=False, ads_clone_ignores_ids=False)


@pytest.fixture(scope="module", params=[DocsQuirks(), PLAIN], ids=["docs-quirks", "plain"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The whole matrix runs twice: with every awkward reading of the docs (the default, as
    Creatify documents it) and with the plainer reading the docs also allow."""
    with Sandbox(speed=2000, seed=7, balance=100_000, quirks=request.param) as server:
        yield server


@pytest.fixture
async def catalogues(client: CreatifyClient) -> AsyncIterator[list[dict[str, Any]]]:
    """The simulator's catalogues installed as the session installs them: the asset models'
    schemas (the specs check and build from them) and the AI Ad Templates (their schemas, and
    their ``credit_cost`` as the prices of rule ``ai_ad_template``). Yields the templates."""
    templates = await client.inspirations()
    assets.install("asset_schemas", await client.asset_schemas(), None)
    assets.install("inspirations", templates, None)
    set_catalogue_prices("ai_ad_template",
                         {t["id"]: Decimal(t["credit_cost"]) for t in templates},
                         as_of=date.today(), source="GET /api/inspirations/ (simulator)")
    yield templates
    assets.uninstall()
    set_catalogue_prices("ai_ad_template", {}, as_of=date.today(), source="cleared")


@pytest.fixture
async def inputs(sandbox: Sandbox, client: CreatifyClient) -> Inputs:
    """Real ids from the simulator: a Link, an avatar, a voice, a finished product image."""
    media = f"{sandbox.base_url}/media/samples"
    link = await client.create_link("https://shop.example.com/products/mug")
    personas = await client.personas()
    voices = await client.voices()
    product = await client.gen_image({"product_url": f"{media}/sample.png"})
    product = await wait_terminal(client, product)
    assert product.status is JobStatus.IMAGE_DONE
    templates = await client.custom_templates()
    inspirations = await client.inspirations()
    spin = next(t for t in inspirations if t["input_params_schema"]["required"]
                == ["Product Image"])  # a template whose only required input is the photo
    return Inputs(link_id=link.id, persona_id=personas[0]["id"],
                  accent_id=voices[0]["accents"][0]["id"], product_job=product.id,
                  template_id=str(templates[0]["template_id"]), inspiration_id=spin["id"],
                  image_url=f"{media}/sample.png",
                  audio_url=f"{media}/sample.mp3?duration=12",
                  video_url=f"{media}/sample.mp4?duration=31")


CASES = [pytest.param(s.key, flow, {}, id=f"{s.key}-{flow.value}")
         for s in SPECS for flow in s.flows]


def _model_cases() -> list[Any]:
    """Every model or variant a spec offers, in each of its flows: ``model_version`` values
    (standard, the Aurora models, Aurora 2.0, Boreal), Aurora 2.0's resolutions and every
    Asset Generator model."""
    out = []
    for gen in SPECS:
        if gen.model_field is None:
            continue
        model = gen.field(gen.model_field)
        for choice in model.choices:
            if choice.value == model.default:
                continue  # the default is the plain case above
            for flow in gen.flows:
                changes: dict[str, Any] = {gen.model_field: choice.value}
                if gen.key == "asset_generator":
                    changes["input_params"] = {"prompt": "A mug on a table"}
                out.append(pytest.param(gen.key, flow, changes,
                                        id=f"{gen.key}-{flow.value}-{choice.value}"))
    asset = spec("asset_generator")
    out += [pytest.param("asset_generator", Flow.CREATE,
                         {"model_name": m.value, "input_params": {"prompt": "A mug on a table"}},
                         id=f"asset-{m.value}")
            for m in asset.field("model_name").choices
            if m.value != asset.field("model_name").default]
    aurora = spec("aurora")
    out += [pytest.param("aurora", Flow.CREATE,
                         {"model_version": "aurora_v2", "resolution": r.value},
                         id=f"aurora-v2-{r.value}")
            for r in aurora.field("resolution").choices]
    return out


MODEL_CASES = _model_cases()


async def template_variables(client: CreatifyClient, inputs: Inputs) -> dict[str, Any]:
    """A value for each required variable of the template, read from its detail as the
    window's variables editor reads it."""
    detail = await client.custom_template(inputs.template_id)
    sample = {"text": "Hello", "image": inputs.image_url, "video": inputs.video_url,
              "audio": inputs.audio_url, "avatar": inputs.persona_id,
              "voiceover": inputs.accent_id}
    return {name: {"type": v["type"], "value": sample[v["type"]]}
            for name, v in detail["variables"].items() if v.get("required")}


def asset_kind(snap: JobSnapshot) -> str:
    """What an asset job made, as it says: the asset's ``type``, or the template's
    ``gen_type`` (``…_to_video``: a video)."""
    if snap.resource == "asset_generator":
        return str(snap.raw["assets"][0]["type"])
    template = assets.inspiration(str(snap.raw["inspiration_id"]))
    assert template is not None
    return "video" if str(template["gen_type"]).endswith("video") else "image"


async def saved_results(snap: JobSnapshot, folder: Path) -> list[str]:
    """Every result of ``snap`` downloaded as the app saves them: the kind of each file."""
    async with httpx.AsyncClient(timeout=10) as web:
        saved = await fetch_results(web, snap.result_urls, folder, f"{snap.resource}-result",
                                    info={"job": {"server_id": snap.id}})
    names = [f.path.name for f in saved.files]
    assert len(set(names)) == len(names) == len(snap.result_urls), names
    return [file_kind(f.path.read_bytes()[:16]) for f in saved.files]


@pytest.mark.parametrize(("key", "flow", "changes"), CASES + MODEL_CASES)
async def test_generator_end_to_end(key: str, flow: Flow, changes: dict[str, Any],
                                    sandbox: Sandbox, client: CreatifyClient,
                                    inputs: Inputs, catalogues: list[dict[str, Any]],
                                    tmp_path: Path) -> None:
    gen = spec(key)
    values: dict[str, Any] = {**gen.defaults(), **valid_values(key, inputs), **changes}
    if key == "custom_template":
        values["variables"] = await template_variables(client, inputs)
    seconds = ENTERED_SECONDS.get(key) or gen.derive_seconds(values)
    expected = total_credits(estimate(r) for r in gen.price_requests(values, seconds, flow))
    balance_before = sandbox.balance

    snap = await submit(client, gen, values, flow=flow, name_tag="e2e-tag")
    assert snap.id and snap.resource == gen.resource.key
    if flow is Flow.PREVIEW_RENDER:
        snap = await wait_preview(client, snap)
        # The docs: the job goes back to ``pending`` with its preview; the plain reading: done.
        assert snap.preview_ready
        assert snap.status is (JobStatus.PENDING if sandbox.quirks.preview_pending
                               else JobStatus.DONE)
        assert snap.preview_url and not snap.result_urls
        async with httpx.AsyncClient() as web:
            page = await web.get(snap.preview_url)
        assert page.status_code == 200 and "html" in page.headers["content-type"]
        snap = await render(client, gen, snap.id)
    if flow is Flow.COMPARE_STYLES:
        snap = await wait_preview(client, snap)
        assert snap.preview_ready and not snap.result_urls
        assert [p.visual_style for p in snap.previews] == list(values["visual_styles"])
        async with httpx.AsyncClient() as web:
            for preview in snap.previews:
                assert preview.preview_url  # the docs' ``url``: a preview player page
                assert preview.duration == values["video_length"]
                page = await web.get(preview.preview_url)
                assert page.status_code == 200 and "html" in page.headers["content-type"]
        chosen = snap.previews[-1]
        snap = await render_style(client, gen, snap.id, chosen.media_job)
        assert snap.raw.get("visual_style") == chosen.visual_style
    snap = await wait_terminal(client, snap)
    assert snap.status.is_success, (snap.raw_status, snap.failed_reason)

    if gen.result_kind is ResultKind.TEXT:
        assert snap.response_text and len(snap.response_text) > 10
    else:
        assert snap.result_url, snap.raw
        async with httpx.AsyncClient() as web:
            response = await web.get(snap.result_url)
        assert response.status_code == 200
        kind = file_kind(response.content)
        wanted = asset_kind(snap) if gen.result_kind is ResultKind.ASSET \
            else EXPECTED_KIND[gen.result_kind]
        assert kind == wanted, snap.raw
        # Every result is saved, each under its own name (Image Ads make several; Product
        # Video's video comes with its still image).
        kinds = await saved_results(snap, tmp_path)
        assert kinds[0] == wanted and "unknown" not in kinds, kinds
        if key != "product_video":
            assert set(kinds) == {wanted}, kinds
        if key == "image_ad":
            assert len(snap.result_urls) > 1

    charged = balance_before - sandbox.balance
    if expected is None:  # Text Generator: known only after the run
        assert snap.credits_used is not None and snap.credits_used > 0
        assert charged == snap.credits_used
    else:
        assert charged == expected, f"estimated {expected}, simulator charged {charged}"
        if gen.resource.has_credits_used and key != "links":
            assert snap.credits_used == expected

    if gen.resource.has_name:
        listed = await client.list_jobs(gen.resource.key, [snap.id])
        assert [j.id for j in listed] == [snap.id]
        assert listed[0].name and listed[0].name.endswith("[e2e-tag]")


async def test_remaining_credits_follow_the_charges(sandbox: Sandbox,
                                                    client: CreatifyClient) -> None:
    before = await client.remaining_credits()
    assert before == sandbox.balance
    await client.create_link("https://shop.example.com/products/lamp")
    assert await client.remaining_credits() == before - Decimal(1)


@pytest.mark.parametrize("styles", [2, 3, 6])
async def test_comparing_styles_costs_a_preview_each_and_one_render(
        styles: int, sandbox: Sandbox, client: CreatifyClient, inputs: Inputs) -> None:
    """n previews at 1 per 30 s plus one render at 4 per 30 s — checked against the
    simulator's charge, with the saving against making every style in one step."""
    gen = spec("url_to_video")
    chosen_styles = [c.value for c in gen.field("visual_styles").choices][:styles]
    values = {**gen.defaults(), **valid_values("url_to_video", inputs),
              "visual_styles": chosen_styles, "video_length": 45}
    expected = total_credits(estimate(r) for r in gen.price_requests(
        values, 45, Flow.COMPARE_STYLES))
    assert expected == styles * 2 + 8  # 45 s: 2 blocks; previews 1 each, the render 4 each
    before = sandbox.balance
    snap = await wait_preview(client, await submit(client, gen, values,
                                                   flow=Flow.COMPARE_STYLES))
    assert before - sandbox.balance == styles * 2
    snap = await wait_terminal(client, await render_style(client, gen, snap.id,
                                                          snap.previews[0].media_job))
    assert snap.status is JobStatus.DONE and snap.result_url
    assert before - sandbox.balance == expected


# -------------------------------------------- the live catalogue: asset models and templates

GENERATION_TYPES = ("text_to_video", "image_to_video", "video_to_video", "text_to_image",
                    "image_to_image")


def sample_value(name: str, prop: Mapping[str, Any], media: str) -> Any:
    """A valid value for one schema property, as a creator would fill it in."""
    video = "video" in name.lower()
    address = f"{media}/sample.mp4?duration=5" if video else f"{media}/sample.png"
    if "enum" in prop:
        return prop.get("default", prop["enum"][0])
    kind = prop.get("type")
    if kind == "boolean":
        return prop.get("default", True)
    if kind in ("integer", "number"):
        return prop.get("default", prop.get("minimum", 1))
    if kind == "array":
        return [address] * max(1, int(prop.get("minItems", 1)))
    if kind == "object":
        return filled(prop, media)
    if prop.get("format") == "uri" or name.endswith("_url") or "image" in name.lower():
        return address
    return "A mug on a desk"


def filled(schema: Mapping[str, Any], media: str) -> dict[str, Any]:
    """The required inputs of ``schema``, each with a sample value."""
    return {name: sample_value(name, prop, media)
            for name, prop in schema["properties"].items()
            if name in schema.get("required", ())}


@pytest.mark.parametrize("generation_type", GENERATION_TYPES)
async def test_asset_models_of_each_generation_type(generation_type: str, sandbox: Sandbox,
                                                    client: CreatifyClient,
                                                    catalogues: list[dict[str, Any]],
                                                    tmp_path: Path) -> None:
    """Every model the catalogue lists for this generation type: its form filled from its
    published schema (two outputs where it takes a count), estimated, sent, finished, every
    output saved; a table price is charged exactly (× outputs), a "from N" at least N, and
    the job reports what it charged."""
    gen = spec("asset_generator")
    media = f"{sandbox.base_url}/media/samples"
    entries = [e for e in await client.asset_schemas()
               if e["generation_type"] == generation_type]
    assert entries, f"the simulator serves no {generation_type} model"
    exact = 0
    runs = []
    for entry in entries:
        name, schema = entry["model_name"], entry["input_params_schema"]
        params = filled(schema, media)
        outputs = 1
        for count in ("num_images", "num_outputs"):
            if count in schema["properties"] and schema["properties"][count].get(
                    "maximum", 2) >= 2:
                params[count], outputs = 2, 2
        runs.append((name, params, outputs))
        references = {k: [f"{media}/sample.mp4?duration=6"] if "video" in k
                      else [f"{media}/sample.png"] * min(3, int(p.get("maxItems", 3)))
                      for k, p in schema["properties"].items() if k.startswith("reference_")
                      and p.get("type") == "array"}
        if references:  # billable reference inputs: the surcharge is estimated too
            runs.append((name, {**params, **references}, outputs))
    for name, params, outputs in runs:
        values = {"model_name": name, "input_params": params}
        assert gen.validate(values) == {}, (name, gen.validate(values))
        estimates = [estimate(r) for r in gen.price_requests(values, None)]
        expected = total_credits(estimates)
        before = sandbox.balance
        snap = await wait_terminal(client, await submit(client, gen, values))
        assert snap.status.is_success, (name, snap.raw_status, snap.failed_reason)
        charged = before - sandbox.balance
        bounds = {e.bound for e in estimates}
        if bounds == {Bound.EXACT}:
            assert charged == expected, f"{name} {params}: estimated {expected}, " \
                                        f"charged {charged}"
            exact += 1
        elif Bound.UNKNOWN in bounds or expected is None:
            assert charged > 0, name
        else:  # "from N": the minimum the docs publish
            assert expected is not None and charged >= expected, (name, expected, charged)
        assert snap.credits_used == charged, name
        kind = "video" if generation_type.endswith("video") else "image"
        folder = tmp_path / f"{name.replace('/', '_')}-{len(params)}"
        assert await saved_results(snap, folder) == [kind] * outputs, name
    assert exact, f"no {generation_type} model with a price table"


async def test_every_ai_ad_template_runs_and_charges_its_credit_cost(
        sandbox: Sandbox, client: CreatifyClient, catalogues: list[dict[str, Any]],
        tmp_path: Path) -> None:
    """Each template of the gallery: its required inputs filled from its schema, priced at
    its ``credit_cost``, sent, finished (the free-string status and the output's JSON text
    read), every output saved, exactly its credit cost charged."""
    gen = spec("ai_ad_template")
    media = f"{sandbox.base_url}/media/samples"
    assert len(catalogues) >= 3
    for template in catalogues:
        values = {"inspiration_id": template["id"],
                  "input_params": filled(template["input_params_schema"], media)}
        assert gen.validate(values) == {}, (template["name"], gen.validate(values))
        expected = total_credits(estimate(r) for r in gen.price_requests(values, None))
        assert expected == template["credit_cost"]
        before = sandbox.balance
        snap = await wait_terminal(client, await submit(client, gen, values))
        assert snap.status is JobStatus.DONE, (template["name"], snap.raw)
        assert before - sandbox.balance == expected, template["name"]
        assert snap.credits_used is None  # the docs' job has no credits_used
        kinds = await saved_results(snap, tmp_path / template["id"])
        assert kinds and set(kinds) == {asset_kind(snap)}, (template["name"], kinds)
    bad = {"inspiration_id": catalogues[0]["id"], "input_params": {"Nothing": "x"}}
    assert gen.validate(bad)  # a template's required inputs are asked for before sending
