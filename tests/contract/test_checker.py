"""The contract checker itself: it passes what the docs allow and fails what they do not.

Every other contract test leans on these checks, so each kind of problem is shown failing.
"""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from openapi_spec_validator import validate

from tests.contract.contract import CONTRACT, SPEC_PATH, load_document, strict_document

BASE = "https://api.creatify.ai"
AUTH = {"X-API-ID": "id", "X-API-KEY": "key"}
LINK = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def request(method: str, path: str, body: object = None, **params: str) -> httpx.Request:
    return httpx.Request(method, BASE + path, json=body, params=params or None, headers=AUTH)


def test_the_vendored_document_is_valid_openapi_and_recorded() -> None:
    document = load_document()
    validate(document)  # openapi-spec-validator: raises on an invalid document
    assert document["openapi"] == "3.0.3"
    assert len(CONTRACT.operations()) == 95
    # The provenance note names the file's exact content: an edit must be recorded there.
    note = SPEC_PATH.with_suffix(".md").read_text(encoding="utf-8")
    digest = hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest()
    assert re.search(rf"sha256 `{digest}`", note), "update resources/creatify-openapi.md"


def test_a_valid_request_passes() -> None:
    assert CONTRACT.request_problems(request("POST", "/api/links/", {"url": "https://a.b/p"})) == []
    assert CONTRACT.request_problems(
        request("GET", "/api/link_to_videos/", ids=f"{LINK},{LINK}")) == []


@pytest.mark.parametrize(("req", "expected"), [
    (request("POST", "/api/links/", {"url": "https://a.b/p", "colour": "red"}), "'colour'"),
    (request("POST", "/api/link_to_videos/", {"link": LINK, "no_music": True}), "'no_music'"),
    (request("POST", "/api/link_to_videos/", {"link": LINK, "caption_setting": {"x": 1}}),
     "caption_setting"),
    (request("POST", "/api/link_to_videos/", {"name": "no link"}), "'link' is a required"),
    (request("POST", "/api/link_to_videos/", {"link": LINK, "aspect_ratio": "4x3"}), "4x3"),
    (request("GET", "/api/ads_clone/", ids=LINK), "query parameter 'ids'"),
    (request("GET", "/api/nothing_here/"), "no such operation"),
    (request("DELETE", "/api/links/"), "no such operation"),
    (httpx.Request("GET", BASE + "/api/links/"), "Security"),
], ids=["unknown-field", "renamed-field", "nested-unknown", "missing-required", "enum",
        "unknown-query", "unknown-path", "unknown-method", "no-credentials"])
def test_each_kind_of_bad_request_is_found(req: httpx.Request, expected: str) -> None:
    problems = CONTRACT.request_problems(req)
    assert problems and any(expected in p for p in problems), problems


def test_answers_are_checked_against_their_status_schema() -> None:
    req = request("GET", "/api/remaining_credits/")
    assert CONTRACT.response_problems(req, httpx.Response(200, json={"remaining_credits": 5})) \
        == []
    assert CONTRACT.response_problems(req, httpx.Response(200, json={"remaining_credits": "x"}))
    assert "not documented" in CONTRACT.response_problems(req, httpx.Response(418, json={}))[0]


def test_strictness_touches_request_bodies_only() -> None:
    document = load_document()
    strict = strict_document(document)
    assert strict["components"] == document["components"]
    body = strict["paths"]["/api/links/"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["additionalProperties"] is False


def test_concrete_paths_win_over_templates() -> None:
    assert CONTRACT.operation_of("GET", "/api/personas/paginated/") == \
        ("GET", "/api/personas/paginated/")
    assert CONTRACT.operation_of("GET", f"/api/personas/{LINK}/") == ("GET", "/api/personas/{id}/")
    assert CONTRACT.operation_of("POST", "/api/links/link_with_params/") == \
        ("POST", "/api/links/link_with_params/")
