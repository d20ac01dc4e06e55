"""The client reads every answer the contract documents, and both readings where the docs disagree.

Two parts:

* **Documented answers.** The contract (``resources/creatify-openapi.json``) carries no
  response-level ``example``/``examples``: its examples sit on the properties. So for every
  operation the client calls, the answer is built from the operation's success schema — each
  property's own ``example`` where the docs give one, else its enum's first value, its default,
  or a value of its type and format — in three variants: *documented* (every property),
  *required* (only the required ones) and *nulls* (every nullable property ``null``), one case
  per ``oneOf`` branch. Each built answer is first checked against the contract
  (``CONTRACT.response_problems``: it is a documented answer), then served to the client
  through ``httpx.MockTransport`` and must give a result, never an exception. The request the
  client sent must be an operation of the contract with only documented query parameters.
* **Contradictions.** ``creatify-openapi-notes.md`` lists where the docs contradict themselves
  (or our earlier reading): each case here serves one reading and checks what the client makes
  of it; the ids say which contradiction and which reading.

The case ids count what is covered: ``documented-NN-…`` and ``contradiction-NN-…``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.api import resources as R
from app.api.client import CreatifyClient, Link, MusicPage, StreamEvent
from app.api.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    CreatifyError,
    MalformedResponseError,
    NotFoundError,
    ValidationError,
)
from app.api.snapshot import JobSnapshot, JobStatus, snapshot_from
from tests.contract.contract import CONTRACT

BASE = "https://api.creatify.ai"
JOB_ID = "3f2b9c1e-7a4d-4e8b-9c1a-2b3c4d5e6f70"
UUID = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
T0 = "2026-12-01T10:00:00Z"
CDN = "https://cdn.creatify.test"
DOC = CONTRACT.document
Call = Callable[[CreatifyClient], Awaitable[Any]]


async def _no_sleep(_: float) -> None:
    return None


# ---------------------------------------------------------------------------- answers from schemas

def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        node: Any = DOC
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        schema = node
    return schema


def _merged(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``allOf`` folded into one schema (properties and required lists joined)."""
    schema = dict(_resolve(schema))
    for part in schema.pop("allOf", ()):
        part = _merged(part)
        props = {**part.get("properties", {}), **schema.get("properties", {})}
        required = [*part.get("required", []), *schema.get("required", [])]
        schema = {**part, **schema}
        if props:
            schema["properties"] = props
        if required:
            schema["required"] = required
    return schema


def _string(name: str, schema: Mapping[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return UUID
    if fmt == "date-time":
        return T0
    if fmt == "date":
        return T0[:10]
    lowered = name.lower()
    if fmt == "uri" or lowered.endswith(("url", "output", "preview", "assets", "thumbnail")):
        return f"{CDN}/{name or 'file'}.mp4"
    return f"{name or 'text'} value"


def build(schema: Mapping[str, Any], mode: str, name: str = "", branch: int = 0,
          depth: int = 0) -> Any:
    """A value the schema allows. ``mode``: documented | required | nulls."""
    schema = _merged(schema)
    if depth > 8:
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = schema[key]
            return build(options[branch % len(options)], mode, name, 0, depth + 1)
    if mode == "nulls" and schema.get("nullable") and depth > 0:
        return None
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return copy.deepcopy(schema["default"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props: Mapping[str, Any] = schema.get("properties", {})
        wanted = set(schema.get("required", [])) if mode == "required" else set(props)
        built = {key: build(sub, mode, key, 0, depth + 1)
                 for key, sub in props.items() if key in wanted}
        statuses = schema.get("x-statuses")
        status_schema = _merged(props.get("status", {}))
        if "status" in built and statuses and not status_schema.get("enum") \
                and "example" not in status_schema:
            built["status"] = statuses[-1]  # a value the docs name (the last: often terminal)
        return built
    if kind == "array":
        items = schema.get("items", {})
        count = max(int(schema.get("minItems", 0)), 0 if mode == "required" else 1)
        return [build(items, mode, name, 0, depth + 1) for _ in range(max(count, 1))]
    if kind == "string":
        return _string(name, schema)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 0.5))
    if kind == "boolean":
        return True
    return _string(name, schema)  # untyped ("any"): a string is one of its values


def success(method: str, template: str) -> tuple[int, Mapping[str, Any]]:
    responses = CONTRACT.operation(method, template)["responses"]
    code = min(c for c in responses if c.startswith("2"))
    response = _resolve(responses[code])
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return int(code), schema


def branches(schema: Mapping[str, Any]) -> int:
    schema = _merged(schema)
    return len(schema.get("oneOf") or schema.get("anyOf") or [None])


# ---------------------------------------------------------------------------- what the client calls

def _job_operations() -> Iterator[tuple[str, str, Call, str]]:
    """(METHOD, template, call, resource key) for the generic job calls the contract documents."""
    for key, res in sorted(R.JOB_RESOURCES.items()):
        body = {"name": "x"}
        generic: list[tuple[str, str, Call]] = [
            ("POST", res.path, lambda c, k=key, b=body: c.create(k, b)),
            ("POST", res.action_path("preview"), lambda c, k=key, b=body: c.preview(k, b)),
            ("POST", f"{res.path}{{id}}/render/", lambda c, k=key: c.render(k, JOB_ID)),
            ("GET", f"{res.path}{{id}}/", lambda c, k=key: c.get_job(k, JOB_ID)),
            ("GET", res.path, lambda c, k=key: c.list_jobs(k)),
        ]
        if res.supports_ids:
            generic.append(("GET", res.path, lambda c, k=key: c.list_jobs(k, [JOB_ID, UUID])))
        for method, template, call in generic:
            if (method, template) in CONTRACT.operations():
                yield method, template, call, key


L2V, PTV, CTJ = R.LINK_TO_VIDEOS.key, R.PRODUCT_TO_VIDEOS.key, R.CUSTOM_TEMPLATE_JOBS.key
FIELDS = {"title": "Mug", "description": "A mug", "image_urls": ["a", "b", "c"]}
TG = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}

# Every other operation the client calls: (METHOD, template, call, what it returns).
OTHER_OPERATIONS: list[tuple[str, str, Call, str]] = [
    ("POST", "/api/links/", lambda c: c.create_link("https://shop.example.com/mug"),
     "link-object"),
    ("GET", "/api/links/", lambda c: c.list_links(), "link-list"),
    ("GET", "/api/links/{id}/", lambda c: c.get_link(JOB_ID), "link-object"),
    ("PUT", "/api/links/{id}/", lambda c: c.update_link(JOB_ID, {"title": "New"}),
     "link-object"),
    ("POST", "/api/links/link_with_params/", lambda c: c.create_link_with_params(FIELDS),
     "link-object"),
    ("POST", "/api/link_to_videos/preview_list_async/",
     lambda c: c.preview_list_async({"link": UUID, "visual_styles": ["A"]}), L2V),
    ("POST", "/api/link_to_videos/{id}/render_single_preview/",
     lambda c: c.render_single_preview(JOB_ID, UUID), L2V),
    ("POST", "/api/product_to_videos/gen_image/",
     lambda c: c.gen_image({"product_url": "https://x/mug.png"}), PTV),
    ("POST", "/api/product_to_videos/{id}/gen_video/",
     lambda c: c.gen_video(JOB_ID, {"motion_style": "display"}), PTV),
    ("POST", "/api/product_to_videos/{id}/regen_image/",
     lambda c: c.regen(JOB_ID, "image", {"image_prompt": "brighter"}), PTV),
    ("POST", "/api/product_to_videos/{id}/regen_video/", lambda c: c.regen(JOB_ID, "video"), PTV),
    ("POST", "/api/custom_template_jobs/preview_async/",
     lambda c: c.preview_async({"template_id": UUID, "variables": {}}), CTJ),
    ("POST", "/sse/text_generator/", lambda c: c.text_generate(TG), "text_generator"),
    ("POST", "/sse/text_generator/", lambda c: c.text_generate(TG, sync=True), "text_generator"),
    ("GET", "/api/personas/", lambda c: c.personas(), "catalogue"),
    ("GET", "/api/personas_v2/", lambda c: c.personas_v2(gender="f", style="presenter"),
     "catalogue"),
    ("GET", "/api/voices/", lambda c: c.voices(), "catalogue"),
    ("GET", "/api/musics/", lambda c: c.music_page(page=2, page_size=10, search="pop"),
     "music-page"),
    ("GET", "/api/musics/", lambda c: c.musics(), "catalogue"),
    ("GET", "/api/music_categories/", lambda c: c.music_categories(), "catalogue"),
    ("GET", "/api/custom_templates/", lambda c: c.custom_templates(), "catalogue"),
    ("GET", "/api/custom_templates/{template_id}/", lambda c: c.custom_template(UUID),
     "template"),
    ("GET", "/api/asset_generator/schemas/",
     lambda c: c.asset_schemas(["veo3.1/fast", "nano-banana"]), "catalogue"),
    ("GET", "/api/remaining_credits/", lambda c: c.remaining_credits(), "credits"),
    ("GET", "/api/inspirations/", lambda c: c.inspirations(), "catalogue"),
    ("GET", "/api/inspirations/{id}/", lambda c: c.inspiration(UUID), "inspiration"),
]
# Read only through another call (the Text Generator's 404 fallback; the stream is text).
INDIRECT = {("GET", "/api/text_generator/{id}/"), ("POST", "/sse/text_generator/stream/")}

OPERATIONS = [*_job_operations(), *OTHER_OPERATIONS]


def _cases() -> Iterator[Any]:
    number = 0
    for method, template, call, kind in OPERATIONS:
        code, schema = success(method, template)
        for branch in range(branches(schema)):
            for mode in ("documented", "required", "nulls"):
                number += 1
                suffix = f"-branch{branch}" if branches(schema) > 1 else ""
                yield pytest.param(method, template, call, kind, code, schema, mode, branch,
                                   id=f"documented-{number:03d}-{method}-{template}-{mode}{suffix}")


def check_result(kind: str, result: Any, answer: Any) -> None:
    """What the client made of ``answer`` is the right kind of thing and kept its content."""
    if kind in R.ALL_RESOURCES:
        items = result if isinstance(result, list) else [result]
        sent = answer if isinstance(answer, list) else [answer]
        sent = [body for body in sent if "id" in body]  # a list skips items it cannot follow
        assert len(items) == len(sent)
        for snap, body in zip(items, sent, strict=True):
            assert isinstance(snap, JobSnapshot)
            assert snap.id == str(body["id"])
            if isinstance(body.get("status"), str):
                assert snap.status is not JobStatus.UNKNOWN, body["status"]
            res = R.ALL_RESOURCES[kind]
            filled = [f for f in res.result_fields
                      if isinstance(body.get(f), str) and body[f].startswith("https://")]
            if filled:
                assert snap.result_urls, filled
            if isinstance(body.get("response_text"), str):
                assert snap.response_text == body["response_text"]
            for script in body.get("generated_scripts") or ():
                if isinstance(script, dict) and isinstance(script.get("paragraphs"), str):
                    assert script["paragraphs"] in (snap.response_text or "")
            if isinstance(body.get("preview"), str) or body.get("previews"):
                assert snap.preview_ready
    elif kind in ("link-object", "link-list"):
        links = result if isinstance(result, list) else [result]
        assert links and all(isinstance(link, Link) and link.id for link in links)
    elif kind == "catalogue":
        assert isinstance(result, list)
        assert all(isinstance(item, dict) for item in result)
    elif kind == "music-page":
        assert isinstance(result, MusicPage)
    elif kind == "template":
        assert isinstance(result, dict) and isinstance(result["variables"], dict)
    elif kind == "credits":
        assert isinstance(result, Decimal)
    elif kind == "inspiration":
        assert result["id"] == answer["id"] and isinstance(result["input_params_schema"], dict)
    else:  # pragma: no cover - a new kind must be checked here
        raise AssertionError(kind)


@pytest.mark.parametrize(("method", "template", "call", "kind", "code", "schema", "mode",
                          "branch"), list(_cases()))
async def test_documented_answer_is_read(method: str, template: str, call: Call, kind: str,
                                         code: int, schema: Mapping[str, Any], mode: str,
                                         branch: int) -> None:
    answer = build(schema, mode, branch=branch)
    seen: list[httpx.Request] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(code, json=answer, request=request)

    async with CreatifyClient("id", "key-for-tolerance-tests", base_url=BASE, sleep=_no_sleep,
                              transport=httpx.MockTransport(serve)) as client:
        if _lacks_id(kind, answer):
            # The schema leaves ``id`` optional; an object without one cannot be followed:
            # a typed error (ambiguous for a paid POST), never anything else.
            with pytest.raises((MalformedResponseError, AmbiguousCreateError)):
                await call(client)
            result = None
        else:
            result = await call(client)
    assert seen
    for request in seen:
        # the request is the documented operation, with documented query parameters only
        assert CONTRACT.operation_of(request.method, request.url.path) == (method, template)
        assert [p for p in CONTRACT.request_problems(request) if "query parameter" in p] == []
        # and what we served is an answer the contract documents
        response = httpx.Response(code, json=answer, request=request)
        assert CONTRACT.response_problems(request, response) == []
    if result is not None:
        check_result(kind, result, answer)


def _lacks_id(kind: str, answer: Any) -> bool:
    if kind not in R.ALL_RESOURCES and kind != "link-object":
        return False
    objects = answer if isinstance(answer, list) and kind != "link-object" else [answer]
    # a list skips its malformed items; a single object without an id is refused
    return not isinstance(answer, list) and any(
        isinstance(o, dict) and "id" not in o for o in objects)


def test_every_operation_the_client_calls_is_documented_and_covered() -> None:
    covered = {(m, t) for m, t, _, _ in OPERATIONS} | INDIRECT
    assert covered <= CONTRACT.operations(), covered - CONTRACT.operations()
    # every documented read of a job resource the client knows is exercised above
    for res in R.JOB_RESOURCES.values():
        for op in (("GET", res.path), ("GET", f"{res.path}{{id}}/")):
            if op in CONTRACT.operations():
                assert op in covered, op
    # the count the ids show: operations × variants × oneOf branches
    assert len(list(_cases())) >= 3 * len(OPERATIONS)


# ---------------------------------------------------------------------------- contradictions

async def serve_once(call: Call, *answers: httpx.Response) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    script = list(answers)

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = script[min(len(seen), len(script)) - 1]
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)

    async with CreatifyClient("id", "key-for-tolerance-tests", base_url=BASE, sleep=_no_sleep,
                              transport=httpx.MockTransport(serve)) as client:
        return await call(client), seen


def ok(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def job(key: str, **fields: Any) -> JobSnapshot:
    return snapshot_from(R.JOB_RESOURCES[key], {"id": JOB_ID, **fields})


TRACK = {"id": "m1", "name": "Sunny", "url": f"{CDN}/m1.mp3"}


@pytest.mark.parametrize(("answer", "tracks", "count"), [
    pytest.param({"count": 1, "results": [TRACK], "page": 1, "page_size": 10}, 1, 1,
                 id="contradiction-01-musics-object"),
    pytest.param([TRACK], 1, None, id="contradiction-01-musics-plain-array"),
    pytest.param([{"count": 1, "results": [TRACK], "page": 1, "page_size": 10}], 1, 1,
                 id="contradiction-01-musics-array-of-pages"),
])
async def test_musics_object_or_array(answer: Any, tracks: int, count: int | None) -> None:
    page, _ = await serve_once(lambda c: c.music_page(), ok(answer))
    assert [t["id"] for t in page.items] == ["m1"] * tracks
    assert page.count == count


@pytest.mark.parametrize(("key", "raw", "expected"), [
    pytest.param("link_to_videos", "45", 0.45, id="contradiction-02-progress-string-percent"),
    pytest.param("lipsyncs", "0.5", 0.5, id="contradiction-02-progress-string-fraction"),
    pytest.param("lipsyncs_v2", 0.5, 0.5, id="contradiction-02-progress-number-older-copy"),
    pytest.param("aurora", 0.25, 0.25, id="contradiction-02-progress-number-fraction"),
    pytest.param("ai_shorts", 80, 0.8, id="contradiction-02-progress-number-percent"),
    pytest.param("custom_template_jobs", "30%", 0.3, id="contradiction-02-progress-string-sign"),
])
def test_progress_string_or_number(key: str, raw: Any, expected: float) -> None:
    assert job(key, status="running", progress=raw).progress == pytest.approx(expected)


def _status_cases() -> Iterator[Any]:
    schemas = DOC["components"]["schemas"]
    for key, name in [("link_to_videos", "LinkToVideo"), ("lipsyncs", "Lipsync"),
                      ("lipsyncs_v2", "LipsyncV2"), ("aurora", "AuroraFlow"),
                      ("custom_template_jobs", "CustomTemplateJob"),
                      ("asset_generator", "AssetGeneratorJob"),
                      ("text_generator", "TextGenResponse"), ("text_to_speech", "TextToSpeech"),
                      ("ai_scripts", "AIScript"), ("ai_shorts", "AIShorts"),
                      ("ai_editing", "AIEditing"), ("product_to_videos", "ProductToVideo"),
                      ("ads_clone", "APIAdsCloneFlow")]:
        values = set(schemas[name]["x-statuses"])
        values |= set(schemas[name].get("properties", {}).get("status", {}).get("enum") or ())
        for value in sorted(values):
            yield pytest.param(key, value, id=f"contradiction-03-status-{key}-{value}")
    # an older lipsync copy had "rejected"; the spec's AI Shorts preview copy lacks it
    yield pytest.param("lipsyncs_v2", "rejected", id="contradiction-03-status-lipsyncs_v2-older")


@pytest.mark.parametrize(("key", "value"), list(_status_cases()))
def test_every_documented_status_is_understood(key: str, value: str) -> None:
    assert job(key, status=value).status is not JobStatus.UNKNOWN


def test_statuses_listed_in_resources_are_the_documented_ones() -> None:
    schemas = DOC["components"]["schemas"]
    assert set(R.ASSET_GENERATOR.statuses) == set(schemas["AssetGeneratorJob"]["x-statuses"])
    assert set(R.PRODUCT_TO_VIDEOS.statuses) == set(schemas["ProductToVideo"]["x-statuses"])
    assert set(R.TEXT_GENERATOR.statuses) == set(schemas["TextGenResponse"]["x-statuses"])


ASSET = {"id": "a1", "type": "video", "url": f"{CDN}/a1.mp4",
         "thumbnail_url": f"{CDN}/a1.jpg", "name": "asset 1"}


@pytest.mark.parametrize(("assets", "urls"), [
    pytest.param([ASSET], (f"{CDN}/a1.mp4",), id="contradiction-04-assets-list"),
    pytest.param(f"{CDN}/a1.mp4", (f"{CDN}/a1.mp4",), id="contradiction-04-assets-string-url"),
    pytest.param(json.dumps([ASSET]), (f"{CDN}/a1.mp4",),
                 id="contradiction-04-assets-string-json"),
    pytest.param("", (), id="contradiction-04-assets-string-empty"),
])
def test_assets_string_or_list(assets: Any, urls: tuple[str, ...]) -> None:
    assert job("asset_generator", status="done", assets=assets).result_urls == urls


@pytest.mark.parametrize("credits", [
    pytest.param("12.5", id="contradiction-05-asset-credits-string"),
    pytest.param(12.5, id="contradiction-05-asset-credits-number"),
])
def test_asset_credits_used_string_or_number(credits: Any) -> None:
    assert job("asset_generator", credits_used=credits).credits_used == Decimal("12.5")


NEW_PREVIEW = {"media_job": UUID, "visual_style": "FullScreenTemplate", "aspect_ratio": "9x16",
               "url": f"{CDN}/p.html", "editor_url": f"{CDN}/edit", "duration": 30}
OLD_PREVIEW = {"media_job": UUID, "visual_style": "FullScreenTemplate",
               "preview_url": f"{CDN}/p.html", "thumbnail_url": f"{CDN}/p.jpg"}
OLDEST_PREVIEW = {"media_job": UUID, "visual_style": "FullScreenTemplate", "url": f"{CDN}/p.html"}


@pytest.mark.parametrize("item", [
    pytest.param(NEW_PREVIEW, id="contradiction-06-previews-new-keys"),
    pytest.param(OLD_PREVIEW, id="contradiction-06-previews-old-preview_url"),
    pytest.param(OLDEST_PREVIEW, id="contradiction-06-previews-older-copy-three-keys"),
])
def test_previews_old_or_new_keys(item: dict[str, Any]) -> None:
    snap = job("link_to_videos", status="pending", previews=[item])
    (preview,) = snap.previews
    assert preview.preview_url == f"{CDN}/p.html"
    assert preview.media_job == UUID
    assert snap.preview_ready


@pytest.mark.parametrize("status", [
    pytest.param("pending", id="contradiction-07-preview-ready-while-pending"),
    pytest.param("done", id="contradiction-07-preview-ready-when-done"),
    pytest.param("running", id="contradiction-07-preview-ready-while-running"),
])
def test_preview_is_the_signal_whatever_the_status(status: str) -> None:
    assert job("link_to_videos", status=status, preview=f"{CDN}/preview").preview_ready
    assert not job("link_to_videos", status=status).preview_ready


NESTED_LINK = {"id": UUID, "url": "https://shop.example.com/mug", "credits_used": 1,
               "link": {"id": "nested", "url": "https://shop.example.com/mug", "title": "Mug",
                        "description": "A mug", "image_urls": ["https://i/1.png"],
                        "video_urls": [], "reviews": None, "logo_url": None}}
FLAT_LINK = {"id": UUID, "title": "Mug", "description": "A mug",
             "image_urls": ["https://i/1.png"], "video_urls": [], "reviews": None,
             "logo_url": None}


@pytest.mark.parametrize("answer", [
    pytest.param(NESTED_LINK, id="contradiction-08-link_with_params-nested-Link"),
    pytest.param(FLAT_LINK, id="contradiction-08-link_with_params-flat"),
])
@pytest.mark.parametrize("status", [200, 201])
async def test_link_with_params_flat_or_nested(answer: dict[str, Any], status: int) -> None:
    link, seen = await serve_once(lambda c: c.create_link_with_params(FIELDS), ok(answer, status))
    assert (link.id, link.title, link.image_urls) == (UUID, "Mug", ("https://i/1.png",))
    assert seen[0].url.path == "/api/links/link_with_params/"


@pytest.mark.parametrize("paragraphs", [
    pytest.param("Meet the mug.\nGet yours.", id="contradiction-09-paragraphs-string"),
    pytest.param(["Meet the mug.", "Get yours."], id="contradiction-09-paragraphs-list"),
])
def test_ai_scripts_paragraphs_string_or_list(paragraphs: Any) -> None:
    snap = job("ai_scripts", status="done", generated_scripts=[
        {"paragraphs": paragraphs, "script_name": "s1", "script_style": "DIY", "title": "Mug"}])
    assert snap.response_text == "Mug\nMeet the mug.\nGet yours."


@pytest.mark.parametrize(("key", "field"), [
    pytest.param("text_to_speech", "output", id="contradiction-10-tts-output"),
    pytest.param("text_to_speech", "video_output", id="contradiction-10-tts-video_output"),
    pytest.param("custom_template_jobs", "video_output",
                 id="contradiction-11-template-video_output"),
    pytest.param("custom_template_jobs", "output", id="contradiction-11-template-render-output"),
])
def test_result_field_either_name(key: str, field: str) -> None:
    assert job(key, status="done", **{field: f"{CDN}/r.mp3"}).result_urls == (f"{CDN}/r.mp3",)


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("9x16", "9x16", id="contradiction-12-aspect-9x16"),
    pytest.param("9:16", "9x16", id="contradiction-12-aspect-9:16"),
    pytest.param("16:9", "16x9", id="contradiction-12-aspect-16:9"),
])
def test_aspect_ratio_either_spelling(raw: str, expected: str) -> None:
    (preview,) = job("link_to_videos", previews=[{**NEW_PREVIEW, "aspect_ratio": raw}]).previews
    assert preview.aspect_ratio == expected


@pytest.mark.parametrize(("answers", "paths"), [
    pytest.param([ok({"id": JOB_ID, "status": "done", "response_text": "hi"})],
                 [f"/sse/text_generator/{JOB_ID}/"], id="contradiction-13-text-generator-sse"),
    pytest.param([httpx.Response(404, json={"detail": "Not found."}),
                  ok({"id": JOB_ID, "status": "done", "response_text": "hi"})],
                 [f"/sse/text_generator/{JOB_ID}/", f"/api/text_generator/{JOB_ID}/"],
                 id="contradiction-13-text-generator-api-fallback"),
])
async def test_text_generator_sse_or_api_path(answers: list[httpx.Response],
                                              paths: list[str]) -> None:
    snap, seen = await serve_once(lambda c: c.get_job("text_generator", JOB_ID), *answers)
    assert [r.url.path for r in seen] == paths
    assert all(CONTRACT.operation_of("GET", p) for p in paths)
    assert snap.response_text == "hi"


GEMINI = ('data: {"candidates": [{"content": {"parts": [{"text": "Hel"}]}}]}\n\n'
          'data: {"candidates": [{"content": {"parts": [{"text": "lo"}]}}], "creatify": '
          '{"id": "tg-1", "status": "done", "credits_used": 0.5}}\n\n')
OLD_SHAPE = ('data: {"delta": "Hel"}\n\ndata: {"delta": "lo"}\n\n'
             'data: {"done": true, "id": "tg-1", "credits_used": 0.5, "response_text": "Hello"}'
             '\n\ndata: [DONE]\n\n')


@pytest.mark.parametrize("raw", [
    pytest.param(GEMINI, id="contradiction-14-stream-gemini-chunks-creatify"),
    pytest.param(OLD_SHAPE, id="contradiction-14-stream-old-delta-done"),
])
async def test_stream_gemini_or_old_shape(raw: str) -> None:
    async def run(c: CreatifyClient) -> list[StreamEvent]:
        return [e async for e in c.text_generate_stream(TG)]
    events, seen = await serve_once(run, httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=raw.encode()))
    assert "".join(e.delta for e in events) == "Hello"
    final = next(e for e in events if e.done and e.job_id)
    assert (final.job_id, final.credits_used) == ("tg-1", Decimal("0.5"))
    assert CONTRACT.operation_of("POST", seen[0].url.path) == \
        ("POST", "/sse/text_generator/stream/")


@pytest.mark.parametrize("key", [
    pytest.param("ads_clone", id="contradiction-15-ads-clone-list-has-no-ids"),
    pytest.param("text_generator", id="contradiction-15-text-generator-list-has-no-ids"),
    pytest.param("iab_images", id="contradiction-15-iab-images-list-has-no-ids"),
])
async def test_lists_without_ids_are_read_one_by_one(key: str) -> None:
    res = R.JOB_RESOURCES[key]
    assert not res.supports_ids
    with pytest.raises(ValueError):
        await serve_once(lambda c: c.list_jobs(key, [JOB_ID]), ok([]))
    # the whole list (which answers every job whatever the query) is still read
    snaps, seen = await serve_once(lambda c: c.list_jobs(key),
                                   ok([{"id": JOB_ID, "status": "running"},
                                       {"id": UUID, "status": "done"}]))
    assert [s.id for s in snaps] == [JOB_ID, UUID]
    assert CONTRACT.request_problems(seen[0]) == []


@pytest.mark.parametrize("status", [
    pytest.param(200, id="contradiction-16-link_with_params-200"),
    pytest.param(201, id="contradiction-16-link-create-201"),
])
async def test_link_create_status_and_credits(status: int) -> None:
    link, _ = await serve_once(lambda c: c.create_link("https://shop.example.com/mug"),
                               ok(NESTED_LINK, status))
    assert link.id == UUID  # the top-level id, never the nested one
    assert link.credits_used == Decimal(1)


@pytest.mark.parametrize("body", [
    pytest.param({"id": JOB_ID, "status": "video_generated",
                  "generated_video_url": f"{CDN}/v.mp4"},
                 id="contradiction-17-product-video-no-credits-no-duration"),
])
def test_product_video_without_credits(body: dict[str, Any]) -> None:
    snap = snapshot_from(R.PRODUCT_TO_VIDEOS, body)
    assert snap.credits_used is None and snap.duration is None
    assert snap.result_urls == (f"{CDN}/v.mp4",)


@pytest.mark.parametrize("answer", [
    pytest.param([{"template_id": UUID, "name": "Promo", "preview": f"{CDN}/t.mp4",
                   "aspect_ratio": "9x16", "created_at": T0}],
                 id="contradiction-18-custom-templates-array"),
    pytest.param({"count": 1, "results": [{"template_id": UUID, "name": "Promo"}]},
                 id="contradiction-18-custom-templates-paged"),
])
async def test_custom_templates_array_or_page(answer: Any) -> None:
    templates, _ = await serve_once(lambda c: c.custom_templates(), ok(answer))
    assert [t["template_id"] for t in templates] == [UUID]


@pytest.mark.parametrize("credits", [
    pytest.param(3, id="contradiction-19-text-generator-credits-number"),
    pytest.param("3", id="contradiction-19-text-generator-credits-string"),
])
def test_text_generator_credits(credits: Any) -> None:
    assert job("text_generator", status="done", credits_used=credits).credits_used == 3


@pytest.mark.parametrize(("output", "urls"), [
    pytest.param(json.dumps([f"{CDN}/o1.mp4", f"{CDN}/o2.mp4"]), (f"{CDN}/o1.mp4", f"{CDN}/o2.mp4"),
                 id="contradiction-20-inspiration-output-json-text-of-urls"),
    pytest.param(json.dumps([{"url": f"{CDN}/o1.png"}]), (f"{CDN}/o1.png",),
                 id="contradiction-20-inspiration-output-json-text-of-objects"),
    pytest.param([f"{CDN}/o1.png"], (f"{CDN}/o1.png",),
                 id="contradiction-20-inspiration-output-list-as-described"),
    pytest.param("", (), id="contradiction-20-inspiration-output-empty-string"),
    pytest.param("[]", (), id="contradiction-20-inspiration-output-empty-json-list"),
])
def test_inspiration_output_string_or_list(output: Any, urls: tuple[str, ...]) -> None:
    snap = job("inspiration_jobs", status="done", output=output, failed_reason="",
               input_params=json.dumps({"Product Image": f"{CDN}/p.png"}))
    assert snap.result_urls == urls


@pytest.mark.parametrize("status", [
    pytest.param("failed", id="contradiction-21-inspiration-failed-status-and-reason"),
    pytest.param("done", id="contradiction-21-inspiration-free-status-reason-decides"),
    pytest.param("error", id="contradiction-21-inspiration-undocumented-status-with-reason"),
])
def test_inspiration_failed_reason_means_failed(status: str) -> None:
    snap = job("inspiration_jobs", status=status, output="", failed_reason="No face found.")
    assert snap.status is JobStatus.FAILED


# ---------------------------------------------------------------------------- what the client sends

def _request_schema(method: str, template: str) -> Mapping[str, Any] | None:
    body = CONTRACT.operation(method, template).get("requestBody")
    if not body:
        return None
    return _resolve(body).get("content", {}).get("application/json", {}).get("schema")


def _request_cases() -> Iterator[Any]:
    """Each generic job call with a body built from the operation's own request schema (the
    client must send it as given), and every other call as the app makes it."""
    number = 0
    for key, res in sorted(R.JOB_RESOURCES.items()):
        for method, template, call in [
            ("POST", res.path, lambda c, k, b: c.create(k, b)),
            ("POST", res.action_path("preview"), lambda c, k, b: c.preview(k, b)),
            ("POST", f"{res.path}{{id}}/render/", lambda c, k, b: c.render(k, JOB_ID)),
            ("GET", f"{res.path}{{id}}/", lambda c, k, b: c.get_job(k, JOB_ID)),
            ("GET", res.path, lambda c, k, b: c.list_jobs(k)),
            ("GET", res.path, lambda c, k, b: c.list_jobs(k, [JOB_ID, UUID])
             if R.JOB_RESOURCES[k].supports_ids else c.list_jobs(k)),
        ]:
            if (method, template) not in CONTRACT.operations():
                continue
            schema = _request_schema(method, template)
            body = build(schema, "required") if schema is not None else None
            if method == "POST" and template.endswith("/render/"):
                body = None  # the client's render sends no body
            number += 1
            yield pytest.param(
                lambda c, call=call, k=key, b=body: call(c, k, b), method, template,
                id=f"request-{number:03d}-{method}-{template}")
    for method, template, call, _ in OTHER_OPERATIONS:
        number += 1
        yield pytest.param(call, method, template, id=f"request-{number:03d}-{method}-{template}")


@pytest.mark.parametrize(("call", "method", "template"), list(_request_cases()))
async def test_the_request_the_client_sends_follows_the_contract(call: Call, method: str,
                                                                 template: str) -> None:
    seen: list[httpx.Request] = []
    code, schema = success(method, template)
    answer = build(schema, "documented")

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(code, json=answer)

    async with CreatifyClient("id", "key-for-tolerance-tests", base_url=BASE, sleep=_no_sleep,
                              transport=httpx.MockTransport(serve)) as client:
        await call(client)
    assert seen
    for request in seen:
        assert CONTRACT.operation_of(request.method, request.url.path) == (method, template)
        assert CONTRACT.request_problems(request) == []


# ---------------------------------------------------------------------------- documented errors

ERRORS = {400: ValidationError, 401: AuthenticationError, 404: NotFoundError}


def _error_cases() -> Iterator[Any]:
    number = 0
    for method, template, call, _ in OPERATIONS:
        responses = CONTRACT.operation(method, template)["responses"]
        for code in sorted(c for c in responses if c[0] == "4"):
            response = _resolve(responses[code])
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            for branch in range(branches(schema)):
                number += 1
                yield pytest.param(call, method, template, int(code), schema, branch,
                                   id=f"error-{number:03d}-{method}-{template}-{code}-b{branch}")


@pytest.mark.parametrize(("call", "method", "template", "code", "schema", "branch"),
                         list(_error_cases()))
async def test_documented_error_answer_is_a_typed_error(call: Call, method: str, template: str,
                                                        code: int, schema: Mapping[str, Any],
                                                        branch: int) -> None:
    answer = build(schema, "documented", branch=branch)
    seen: list[httpx.Request] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(code, json=answer)

    async with CreatifyClient("id", "key-for-tolerance-tests", base_url=BASE, sleep=_no_sleep,
                              transport=httpx.MockTransport(serve)) as client:
        with pytest.raises(CreatifyError) as info:
            await call(client)
    error = info.value
    assert isinstance(error, ERRORS[code]), type(error)
    assert not isinstance(error, AmbiguousCreateError)  # a 4xx answer: nothing was made
    assert error.message
    if method != "GET" or code != 404 or "text_generator" not in template:
        assert len(seen) == 1  # a 4xx is not retried (the Text Generator's 404 falls back)
    for request in seen:
        response = httpx.Response(code, json=answer, request=request)
        assert CONTRACT.response_problems(request, response) == []
