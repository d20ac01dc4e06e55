"""Every request the generators send follows Creatify's documented API, field by field.

Each generator × each of its flows × every choice the form offers (every model, aspect ratio,
style, asset model and priced option, every switch turned on), plus hypothesis-generated valid
forms, is sent through the real client (``app.generators.submit``, the path the job manager
takes) into a recording transport, and every request is checked against the OpenAPI contract:
method and path, query and JSON body — a body field the operation does not define is a failure,
because Creatify silently ignores it and the creator's setting would do nothing.

The answers come from a stub that returns a minimal job (or Link, or stream) for anything: this
file checks what we *send*; the answers are checked elsewhere against the simulator.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import string
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app import assets
from app.api.client import CreatifyClient
from app.generators import BY_KEY, SPECS, Action, FieldKind, Flow, GeneratorSpec
from app.generators.catalogue import ASSET_MODELS, CAPTION_SETTING_FIELDS, MAX_SCENES
from app.generators.spec import Field
from app.generators.submit import render, render_style, request_body, submit
from tests.contract.contract import CONTRACT, RecordingTransport
from tests.samples import Inputs, valid_values

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
MEDIA_JOB = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"
MODEL_FIELDS = {"model_version", "model_name", "aspect_ratio", "resolution"}
"""Fields whose every choice is sent in every flow (the others in the field's first flow)."""

_URI = {"type": "string", "format": "uri"}
CATALOGUE: list[dict[str, Any]] = [
    {"model_name": "bytedance/seedance-2.0/fast/text-to-video", "generation_type": "text_to_video",
     "input_params_schema": {"type": "object", "required": ["prompt"], "properties": {
         "prompt": {"type": "string", "maxLength": 2000},
         "duration": {"type": "string", "enum": ["5", "10"], "default": "5"},
         "resolution": {"type": "string", "enum": ["480p", "720p", "1080p"],
                        "default": "720p"},
         "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
         "generate_audio": {"type": "boolean", "default": True},
         "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647},
         "cfg_scale": {"type": "number", "minimum": 0, "maximum": 1},
         "camera_control": {"type": "object", "required": ["movement"], "properties": {
             "movement": {"type": "string", "enum": ["pan", "zoom", "orbit"]},
             "strength": {"type": "number", "minimum": 0, "maximum": 10}}}}}},
    {"model_name": "boreal-h3/image-to-video", "generation_type": "image_to_video",
     "input_params_schema": {"type": "object", "required": ["prompt", "image_url"],
                             "properties": {
         "prompt": {"type": "string"}, "image_url": _URI,
         "duration": {"type": "integer", "enum": [5, 8, 10], "default": 5},
         "resolution": {"type": "string", "enum": ["768p", "1088p", "2k"],
                        "default": "768p"}}}},
    {"model_name": "minimax/h3/reference-to-video", "generation_type": "video_to_video",
     "input_params_schema": {"type": "object", "required": ["prompt"], "properties": {
         "prompt": {"type": "string"},
         "reference_image_urls": {"type": "array", "items": _URI, "maxItems": 3},
         "reference_video_urls": {"type": "array", "items": _URI, "maxItems": 1}}}},
    {"model_name": "nano-banana-2", "generation_type": "text_to_image",
     "input_params_schema": {"type": "object", "required": ["prompt"], "properties": {
         "prompt": {"type": "string"},
         "resolution": {"type": "string", "enum": ["1K", "2K", "4K"], "default": "1K"},
         "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
         "aspect_ratio": {"type": "string", "enum": ["1:1", "16:9", "9:16"]}}}},
    {"model_name": "gpt-image-1.5/edit", "generation_type": "image_to_image",
     "input_params_schema": {"type": "object", "required": ["prompt", "image_urls"],
                             "properties": {
         "prompt": {"type": "string"},
         "image_urls": {"type": "array", "items": _URI, "minItems": 1, "maxItems": 4},
         "quality": {"type": "string", "enum": ["low", "medium", "high"],
                     "default": "medium"}}}},
]
"""A published catalogue as ``GET /api/asset_generator/schemas/`` gives it, one model per
generation type, with every JSON Schema form the catalogue uses (string enums of numbers,
integer enums, resolutions spelled unlike the price labels, counts, booleans, numbers, arrays
of image URLs, a nested object, defaults, ``required``)."""
TEMPLATES: list[dict[str, Any]] = [
    {"id": "0d9c8b7a-6f5e-4d3c-8b1a-0f9e8d7c6b5a", "name": "Unboxing", "gen_type": "video",
     "credit_cost": 12, "categories": [], "labels": [],
     "input_params_schema": {"required": ["Product Image"], "properties": {
         "Product Image": _URI, "Product Name": {"type": "string", "maxLength": 40}}}},
    {"id": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", "name": "Banner", "gen_type": "image",
     "credit_cost": 3, "categories": [], "labels": [],
     "input_params_schema": {"required": ["Logo", "Headline"], "properties": {
         "Logo": _URI, "Headline": {"type": "string"},
         "Variants": {"type": "integer", "minimum": 1, "maximum": 3, "default": 1}}}},
]
SCHEMAS = {e["model_name"]: e["input_params_schema"] for e in CATALOGUE}
TEMPLATE_SCHEMAS = {t["id"]: t["input_params_schema"] for t in TEMPLATES}


@pytest.fixture(autouse=True, scope="module")
def installed_catalogue() -> Any:
    """The catalogues installed as the session installs them (the five stand-in models are
    not in it: they are sent from their stand-in schemas)."""
    assets.install("asset_schemas", CATALOGUE, None)
    assets.install("inspirations", TEMPLATES, None)
    yield
    assets.uninstall()

EXPECTED_OPERATIONS = {
    ("POST", "/api/links/"),
    ("POST", "/api/link_to_videos/"), ("POST", "/api/link_to_videos/preview/"),
    ("POST", "/api/link_to_videos/preview_list_async/"),
    ("POST", "/api/link_to_videos/{id}/render/"),
    ("POST", "/api/link_to_videos/{id}/render_single_preview/"),
    ("POST", "/api/lipsyncs/"), ("POST", "/api/lipsyncs/preview/"),
    ("POST", "/api/lipsyncs/{id}/render/"),
    ("POST", "/api/lipsyncs_v2/"), ("POST", "/api/lipsyncs_v2/preview/"),
    ("POST", "/api/lipsyncs_v2/{id}/render/"),
    ("POST", "/api/aurora/"),
    ("POST", "/api/custom_template_jobs/"), ("POST", "/api/custom_template_jobs/{id}/render/"),
    ("POST", "/api/asset_generator/"),
    ("POST", "/sse/text_generator/"), ("POST", "/sse/text_generator/stream/"),
    ("POST", "/api/text_to_speech/"),
    ("POST", "/api/ai_scripts/"),
    ("POST", "/api/ai_shorts/"), ("POST", "/api/ai_shorts/preview/"),
    ("POST", "/api/ai_shorts/{id}/render/"),
    ("POST", "/api/ai_editing/"), ("POST", "/api/ai_editing/preview/"),
    ("POST", "/api/ai_editing/{id}/render/"),
    ("POST", "/api/product_to_videos/gen_image/"),
    ("POST", "/api/product_to_videos/{id}/gen_video/"),
    ("POST", "/api/product_to_videos/{id}/regen_image/"),
    ("POST", "/api/product_to_videos/{id}/regen_video/"),
    ("POST", "/api/ads_clone/"),
    ("POST", "/api/inspiration_jobs/"),
    ("POST", "/api/iab_images/"),
}
"""The paid operations the generators use (a custom template's preview may take either of its
two documented preview operations, so neither is listed; they are checked when sent)."""


# ---------------------------------------------------------------------------- the stub server

def _answer(request: httpx.Request) -> httpx.Response:
    """A minimal valid answer to any request: a fresh job, a Link, or a finished stream."""
    new_id = str(uuid.uuid4())
    path = request.url.path
    if path.endswith("/stream/"):
        chunks = [{"candidates": [{"content": {"parts": [{"text": "Hello"}]}}]},
                  {"candidates": [{"content": {"parts": [{"text": " there"}]}}],
                   "creatify": {"id": new_id, "status": "done", "credits_used": 1}}]
        text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
        return httpx.Response(200, text=text, headers={"Content-Type": "text/event-stream"})
    if path.startswith("/api/links/"):
        link = {"id": new_id, "url": "https://shop.example.com/p", "credits_used": 1,
                "link": {"id": str(uuid.uuid4()), "url": "https://shop.example.com/p",
                         "title": "Mug", "description": "A mug", "image_urls": [],
                         "video_urls": [], "reviews": None, "logo_url": None}}
        return httpx.Response(201 if request.method == "POST" else 200, json=link)
    job = {"id": new_id, "status": "pending", "progress": 0, "credits_used": 0}
    return httpx.Response(201 if request.method == "POST" else 200, json=job)


# ---------------------------------------------------------------------------- sending

@dataclass
class Tally:
    """What was checked: requests, per operation, and every problem found."""

    requests: int = 0
    operations: Counter[tuple[str, str]] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def check(self, label: str, exchanges: list[tuple[httpx.Request, httpx.Response]]) -> None:
        for request, _ in exchanges:
            self.requests += 1
            operation = CONTRACT.operation_of(request.method, request.url.path)
            if operation is not None:
                self.operations[operation] += 1
            self.problems.extend(f"{label}: {p}" for p in CONTRACT.request_problems(request))
            self.problems.extend(f"{label}: {p}" for p in _input_problems(request))


def _input_problems(request: httpx.Request) -> list[str]:
    """A sent ``input_params`` checked by jsonschema against the schema the catalogue
    publishes for its model or template: every value in the schema's types."""
    if request.method != "POST" or not request.content:
        return []
    body = json.loads(request.content)
    schema = SCHEMAS.get(body.get("model_name")) if request.url.path == "/api/asset_generator/" \
        else TEMPLATE_SCHEMAS.get(body.get("inspiration_id"))
    if schema is None:
        return []
    validator = jsonschema.Draft202012Validator(schema,
                                                format_checker=jsonschema.FormatChecker())
    return [f"input_params: {e.message}" for e in validator.iter_errors(body["input_params"])]


async def send(spec: GeneratorSpec, values: Mapping[str, Any],
               flow: Flow) -> list[tuple[httpx.Request, httpx.Response]]:
    """Send ``values`` as the app does: the Link first when a product page is given, the paid
    request, the second step of a two-step flow, the stream for the Text Generator, a poll."""
    transport = RecordingTransport(httpx.MockTransport(_answer))
    async with CreatifyClient("id", "key", transport=transport) as client:
        if spec.needs_link(values):
            link = await submit(client, BY_KEY["links"], {"url": values["product_url"]})
            values = {**values, "link": link.id}
        job = await submit(client, spec, values, flow=flow, name_tag="k1")
        if flow is Flow.PREVIEW_RENDER:
            await render(client, spec, job.id)
        elif flow is Flow.COMPARE_STYLES:
            await render_style(client, spec, job.id, MEDIA_JOB)
        if spec.action is Action.TEXT_GENERATE:
            async for _ in client.text_generate_stream(request_body(spec, values)):
                pass
        if spec.action is not Action.CREATE_LINK:
            await client.get_job(spec.resource.key, job.id)
    return transport.exchanges


def base_form(spec: GeneratorSpec) -> dict[str, Any]:
    return {**spec.defaults(), **valid_values(spec.key)}


# ---------------------------------------------------------------------------- the matrix

@dataclass(frozen=True)
class Case:
    spec: GeneratorSpec
    flow: Flow
    label: str
    changes: Mapping[str, Any]

    @property
    def values(self) -> dict[str, Any]:
        return {**base_form(self.spec), **self.changes}


def _field_variants(spec: GeneratorSpec, f: Field, flow: Flow) -> list[tuple[str, Any]]:
    """(label, value) for every choice of ``f`` worth sending on its own."""
    if f.kind is FieldKind.CHOICE:
        return [(f"{f.name}={c.value}", c.value) for c in f.choices]
    if f.kind is FieldKind.MULTI_CHOICE:
        values = [c.value for c in f.choices]
        low = max(f.min_items or 1, 1)
        groups = [values[i:i + low] for i in range(0, len(values), low)]
        groups = [g if len(g) == low else values[-low:] for g in groups]
        if f.max_items:
            groups.append(values[: f.max_items])
        return [(f"{f.name}={'+'.join(map(str, g))}", g) for g in groups]
    if f.kind is FieldKind.BOOL:
        return [(f"{f.name}=yes", True)]
    return []


def matrix() -> list[Case]:
    """Every generator × flow; every choice value, switch and asset model option."""
    cases: list[Case] = []
    for spec in SPECS:
        for flow in spec.flows:
            cases.append(Case(spec, flow, f"{spec.key}/{flow.value}", {}))
            for f in spec.fields:
                if not f.applies_to(flow) or f.name in CAPTION_SETTING_FIELDS:
                    continue
                first_flow = next(fl for fl in spec.flows if f.applies_to(fl))
                if f.name not in MODEL_FIELDS and flow is not first_flow:
                    continue
                for label, value in _field_variants(spec, f, flow):
                    cases.append(Case(spec, flow, f"{spec.key}/{flow.value}/{label}",
                                      {f.name: value}))
            if any(f.name in CAPTION_SETTING_FIELDS for f in spec.fields):
                captions = {"caption_font_family": "Montserrat", "caption_font_size": 64,
                            "caption_text_color": "#FFFFFF", "caption_highlight_color": "#FFD700",
                            "caption_background_color": "#000000", "caption_offset_x": -0.1,
                            "caption_offset_y": 0.4, "caption_hidden": True,
                            "caption_style": "normal-black"}
                cases.append(Case(spec, flow, f"{spec.key}/{flow.value}/captions", captions))
            if spec.key == "url_to_video":
                cases.append(Case(spec, flow, f"url_to_video/{flow.value}/from-product-page",
                                  {"link": None,
                                   "product_url": "https://shop.example.com/products/mug"}))
                cases.append(Case(spec, flow, f"url_to_video/{flow.value}/everything", {
                    "name": "Spring promo", "target_platform": "TikTok",
                    "target_audience": "Students", "script_style": "DIY",
                    "override_script": "Buy the mug.", "background_music_url":
                    "https://cdn.example.com/m.mp3", "background_music_volume": 0.3,
                    "voiceover_volume": 0.8, "no_caption": True, "no_background_music": True,
                    "no_emotion": True, "no_cta": True, "no_stock_broll": True}))
    aurora = BY_KEY["aurora"]
    for model, resolution in itertools.product(("aurora_v1", "aurora_v2"),
                                               ("480p", "720p", "1080p", "2k")):
        cases.append(Case(aurora, Flow.CREATE, f"aurora/{model}/{resolution}",
                          {"model_version": model, "resolution": resolution,
                           "text_prompt": "Smile", "prompt_guidance_scale": 2.5,
                           "name": "Face"}))
    asset = BY_KEY["asset_generator"]
    for name, model in ASSET_MODELS.items():
        properties = model["schema"]["properties"]
        options: list[dict[str, Any]] = [{}]
        for param, prop in properties.items():
            if "enum" in prop:
                options = [{**o, param: v} for o in options for v in prop["enum"]]
        if "num_images" in properties:
            options = [*options, {"num_images": 4}]
        for option in options:
            cases.append(Case(asset, Flow.CREATE, f"asset/{name}/{option}", {
                "model_name": name, "input_params": {"prompt": "A mug on a desk", **option}}))
    for entry in CATALOGUE:
        name = entry["model_name"]
        schema = entry["input_params_schema"]
        base = _required_inputs(schema)
        for label, change in _input_variants(schema):
            cases.append(Case(asset, Flow.CREATE, f"asset/{name}/{label}", {
                "model_name": name, "input_params": {**base, **change}}))
    template = BY_KEY["ai_ad_template"]
    for item in TEMPLATES:
        schema = item["input_params_schema"]
        base = _required_inputs(schema)
        for label, change in _input_variants(schema):
            cases.append(Case(template, Flow.CREATE, f"ai_ad_template/{item['name']}/{label}", {
                "inspiration_id": item["id"], "input_params": {**base, **change}}))
    return cases


def _sample_input(prop: Mapping[str, Any]) -> Any:
    """A valid value of one property, as a form may hold it."""
    if "enum" in prop:
        return prop["enum"][-1]
    kind = prop.get("type")
    if kind == "array":
        return ["https://cdn.example.com/in/1.png"] * max(1, prop.get("minItems", 1))
    if kind == "object":
        return {k: _sample_input(v) for k, v in prop["properties"].items()
                if k in prop.get("required", ())}
    if kind in ("integer", "number"):
        return prop.get("maximum", 1)
    if kind == "boolean":
        return True
    return "https://cdn.example.com/in/mug.png" if prop.get("format") == "uri" else "A mug"


def _required_inputs(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _sample_input(v) for k, v in schema["properties"].items()
            if k in schema.get("required", ())}


def _input_variants(schema: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, inputs) for every enum option (also written as a form holds numbers: 10 for
    "10", "8" for 8), both switch positions, the largest count and list, every property
    filled at once, and nothing optional."""
    variants: list[tuple[str, dict[str, Any]]] = [("required-only", {})]
    for name, prop in schema["properties"].items():
        for option in prop.get("enum", ()):
            variants.append((f"{name}={option}", {name: option}))
            if isinstance(option, str) and option.isdigit():
                variants.append((f"{name}={option}-as-number", {name: int(option)}))
            elif isinstance(option, int):
                variants.append((f"{name}={option}-as-text", {name: str(option)}))
        if prop.get("type") == "boolean":
            variants += [(f"{name}=yes", {name: True}), (f"{name}=no", {name: False})]
        if prop.get("type") == "array":
            most = prop.get("maxItems", 2)
            urls = [f"https://cdn.example.com/in/{i}.png" for i in range(most)]
            variants.append((f"{name}x{most}", {name: urls}))
    every = {k: _sample_input(v) for k, v in schema["properties"].items()}
    variants.append(("everything", every))
    return variants


CASES = matrix()


def test_the_matrix_covers_every_generator_flow_model_and_variant() -> None:
    """Not vacuous: every spec/flow, every model value and every asset model is in it."""
    assert {(c.spec.key, c.flow) for c in CASES} == {(s.key, fl) for s in SPECS for fl in s.flows}
    labels = {c.label for c in CASES}
    for model in ("standard", "aurora_v1", "aurora_v1_fast", "aurora_v2", "boreal"):
        for flow in BY_KEY["url_to_video"].flows:
            assert f"url_to_video/{flow.value}/model_version={model}" in labels
    for ratio in ("16x9", "9x16", "1x1"):
        assert any(label.endswith(f"aspect_ratio={ratio}") for label in labels)
    assert {c.changes["model_name"] for c in CASES if "model_name" in c.changes
            and c.spec.key == "asset_generator"} == set(ASSET_MODELS) | set(SCHEMAS)
    assert {c.changes["inspiration_id"] for c in CASES
            if c.spec.key == "ai_ad_template" and c.changes} == set(TEMPLATE_SCHEMAS)
    kinds = {e["generation_type"] for e in CATALOGUE}
    assert kinds == {"text_to_video", "image_to_video", "video_to_video", "text_to_image",
                     "image_to_image"}
    assert len(CASES) >= 250


def test_every_request_of_the_matrix_follows_the_contract() -> None:
    tally = Tally()

    async def run_all() -> None:
        for case in CASES:
            values = case.values
            errors = case.spec.validate(values, case.flow)
            assert errors == {}, (case.label, errors)  # the case itself must be a valid form
            tally.check(case.label, await send(case.spec, values, case.flow))

    asyncio.run(run_all())
    assert tally.problems == [], "\n".join(tally.problems[:40])
    # Not vacuous: every case sent at least its paid request, and every operation the
    # generators use was exercised.
    assert tally.requests >= 2 * len(CASES)
    covered = set(tally.operations)
    missing = EXPECTED_OPERATIONS - covered
    assert not missing, sorted(missing)
    # A template preview goes through the asynchronous operation the docs recommend.
    assert ("POST", "/api/custom_template_jobs/preview_async/") in covered
    assert ("POST", "/api/custom_template_jobs/preview/") not in covered
    assert len(covered) >= len(EXPECTED_OPERATIONS) + 10  # the polls (GET …/{id}/) too
    print(f"\ncontract: {tally.requests} requests validated over {len(covered)} operations "
          f"from {len(CASES)} cases")


# ---------------------------------------------------------------------------- hypothesis

_SAFE_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,!?'-éü€",
                     min_size=1, max_size=60).filter(lambda t: t.strip() != "")
_URLS = st.builds(lambda path: f"https://cdn.example.com/{path}",
                  st.text(alphabet=string.ascii_letters + string.digits + "-_/.", max_size=40))
_IDS = st.uuids().map(str)


def _scenes() -> st.SearchStrategy[list[dict[str, Any]]]:
    scene = st.fixed_dictionaries(
        {"avatar_id": _IDS, "voice_id": _IDS, "input_text": _SAFE_TEXT},
        optional={"background_url": _URLS, "avatar_style": st.sampled_from(["normal", "circle"]),
                  "background_type": st.sampled_from(["image", "video"])})
    return st.lists(scene, min_size=1, max_size=min(3, MAX_SCENES))


def _variables() -> st.SearchStrategy[dict[str, Any]]:
    text = st.fixed_dictionaries({"type": st.just("text"), "value": _SAFE_TEXT})
    media = st.fixed_dictionaries({"type": st.sampled_from(["image", "video", "audio"]),
                                   "value": _URLS})
    ident = st.fixed_dictionaries({"type": st.sampled_from(["avatar", "voiceover"]),
                                   "value": _IDS})
    names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)
    return st.dictionaries(names, st.one_of(text, media, ident), min_size=1, max_size=4)


def _strategy(f: Field) -> st.SearchStrategy[Any] | None:
    """Valid values for one field (None: keep the sample's value)."""
    kind = f.kind
    if kind is FieldKind.CHOICE:
        known = st.sampled_from([c.value for c in f.choices])
        return st.one_of(known, _SAFE_TEXT) if f.open_choices else known
    if kind is FieldKind.MULTI_CHOICE:
        values = [c.value for c in f.choices]
        return st.lists(st.sampled_from(values), unique=True, min_size=f.min_items or 0,
                        max_size=min(f.max_items or len(values), len(values)))
    if kind is FieldKind.BOOL:
        return st.booleans()
    if kind is FieldKind.INT:
        return st.integers(int(f.minimum if f.minimum is not None else 0),
                           int(f.maximum if f.maximum is not None else 10**6))
    if kind is FieldKind.FLOAT:
        return st.floats(f.minimum if f.minimum is not None else 0.0,
                         f.maximum if f.maximum is not None else 100.0, allow_nan=False)
    if kind in (FieldKind.TEXT, FieldKind.MULTILINE):
        # short text, or text exactly at the form's limit (the contract's limits are looser)
        longest = [st.just("é" * f.max_length)] if f.max_length else []
        return st.one_of(_SAFE_TEXT, *longest)
    if kind in (FieldKind.URL, FieldKind.MUSIC):
        prefix = "https://cdn.example.com/"
        longest = [st.just(prefix + "a" * (f.max_length - len(prefix)))] if f.max_length else []
        return st.one_of(_URLS, *longest)
    if kind in (FieldKind.UUID, FieldKind.PERSONA, FieldKind.ACCENT, FieldKind.TEMPLATE,
                FieldKind.INSPIRATION):
        return _IDS
    if kind is FieldKind.SCENES:
        return _scenes()
    if kind is FieldKind.VARIABLES:
        return _variables()
    return None


def _value_strategy(name: str, prop: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Valid values of one schema property, in the forms a form may hold them."""
    if "enum" in prop:
        options = list(prop["enum"])
        written = [int(o) for o in options if isinstance(o, str) and o.isdigit()] \
            + [str(o) for o in options if isinstance(o, int) and not isinstance(o, bool)]
        return st.sampled_from(options + written)
    kind = prop.get("type")
    if kind == "integer":
        low, high = prop.get("minimum", 0), prop.get("maximum", 10**6)
        return st.integers(low, high) | st.integers(low, high).map(str)
    if kind == "number":
        return st.floats(prop.get("minimum", 0.0), prop.get("maximum", 100.0),
                         allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_URLS, min_size=prop.get("minItems", 0),
                        max_size=prop.get("maxItems", 3))
    if kind == "object":
        return st.fixed_dictionaries(
            {k: _value_strategy(k, v) for k, v in prop["properties"].items()
             if k in prop.get("required", ())},
            optional={k: _value_strategy(k, v) for k, v in prop["properties"].items()
                      if k not in prop.get("required", ())})
    if prop.get("format") == "uri":
        return _URLS
    longest = prop.get("maxLength")
    return _SAFE_TEXT if longest is None else _SAFE_TEXT.map(lambda t: t[:longest])


def _inputs(schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = schema["properties"]
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {k: _value_strategy(k, v) for k, v in props.items() if k in required},
        optional={k: _value_strategy(k, v) for k, v in props.items() if k not in required})


@st.composite
def _asset_form(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(ASSET_MODELS) + sorted(SCHEMAS)))
    schema = SCHEMAS.get(name) or ASSET_MODELS[name]["schema"]
    return {"model_name": name, "input_params": draw(_inputs(schema))}


@st.composite
def _template_form(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.sampled_from(sorted(TEMPLATE_SCHEMAS)))
    return {"inspiration_id": chosen, "input_params": draw(_inputs(TEMPLATE_SCHEMAS[chosen]))}


def forms(spec: GeneratorSpec, flow: Flow) -> st.SearchStrategy[dict[str, Any]]:
    """The sample form with any subset of fields replaced by other valid values."""
    if spec.key == "asset_generator":
        return _asset_form()
    if spec.key == "ai_ad_template":
        return _template_form()
    optional = {f.name: s for f in spec.fields
                if f.applies_to(flow) and (s := _strategy(f)) is not None}
    return st.fixed_dictionaries({}, optional=optional).map(
        lambda changes: {**base_form(spec), **changes})


SPEC_FLOWS = [(s, fl) for s in SPECS for fl in s.flows]


@pytest.mark.parametrize(("spec", "flow"), SPEC_FLOWS,
                         ids=[f"{s.key}-{fl.value}" for s, fl in SPEC_FLOWS])
def test_generated_valid_forms_follow_the_contract(spec: GeneratorSpec, flow: Flow) -> None:
    tally = Tally()
    sent = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(values=forms(spec, flow))
    def check(values: dict[str, Any]) -> None:
        nonlocal sent
        assume(spec.validate(values, flow) == {})
        tally.check(f"{spec.key}/{flow.value} {values!r:.300}",
                    asyncio.run(send(spec, values, flow)))
        sent += 1

    check()
    assert tally.problems == [], "\n".join(tally.problems[:20])
    assert sent >= max(1, EXAMPLES // 3), f"only {sent} valid forms were generated"
    assert tally.requests >= sent


def test_requests_with_problems_are_caught() -> None:
    """The check can fail: a body with the old field name and one with an unknown model value
    are refused by the same check the tests above apply."""
    spec = BY_KEY["url_to_video"]
    body = request_body(spec, base_form(spec))
    for bad in ({**body, "no_music": True}, {**body, "model_version": "aurora_v9"},
                {**body, "caption_setting": {"colour": "red"}}):
        request = httpx.Request("POST", "https://api.creatify.ai/api/link_to_videos/", json=bad,
                                headers={"X-API-ID": "id", "X-API-KEY": "key"})
        assert CONTRACT.request_problems(request), bad
    assert Inputs().template_id  # the sample ids are UUIDs the contract accepts
    # A model's inputs in the wrong types (a number where its schema says "5"), or a
    # template's without its required image, are refused by the schema check.
    seedance = CATALOGUE[0]["model_name"]
    for path, body in (
            ("/api/asset_generator/", {"model_name": seedance,
                                       "input_params": {"prompt": "x", "duration": 5}}),
            ("/api/asset_generator/", {"model_name": seedance,
                                       "input_params": {"prompt": "x", "num_outputs": "2"}}),
            ("/api/inspiration_jobs/", {"inspiration_id": TEMPLATES[0]["id"],
                                        "input_params": {"Product Name": "Mug"}})):
        request = httpx.Request("POST", f"https://api.creatify.ai{path}", json=body,
                                headers={"X-API-ID": "id", "X-API-KEY": "key"})
        assert _input_problems(request), body
