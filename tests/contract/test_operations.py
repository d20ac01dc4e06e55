"""The simulator serves exactly the documented operations of the resources the app uses.

Listed from the contract (``resources/creatify-openapi.json``), not by hand: an operation the
contract defines for one of those resources must be served (answered over HTTP with something
other than "no such route" — a 404 ``Not found.`` or a 405), and a route the simulator serves
must be in the contract (except its own ``/_sandbox/*`` control and ``/media/*`` files).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from app.sandbox import Sandbox
from tests.contract.contract import CONTRACT

pytestmark = pytest.mark.e2e

AUTH = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}
APP_RESOURCES = frozenset({
    "links", "link_to_videos", "lipsyncs", "lipsyncs_v2", "personas", "personas_v2", "voices",
    "musics", "music_categories", "aurora", "custom_templates", "custom_template_jobs",
    "asset_generator", "text_generator", "text_to_speech", "ai_scripts", "ai_shorts",
    "ai_editing", "product_to_videos", "ads_clone", "remaining_credits", "iab_images",
    "inspirations", "inspiration_jobs"})
"""The resources the app uses; the contract's other resource (dyoa: design your own
avatar) is not simulated."""
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
_PARAM = re.compile(r"\{[^/}]+\}")


def _resource(template: str) -> str:
    return template.strip("/").split("/")[1]  # /api/<resource>/... or /sse/<resource>/...


def _normal(template: str) -> str:
    return _PARAM.sub("{id}", template)


SPEC_OPERATIONS = sorted((method, template) for method, template in CONTRACT.operations()
                         if _resource(template) in APP_RESOURCES)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(speed=1000, seed=11) as running:
        yield running


def test_the_list_comes_from_the_contract() -> None:
    assert len(CONTRACT.operations()) == 95
    # 95 less dyoa (4)
    assert len(SPEC_OPERATIONS) == 91
    print(f"documented operations of the app's resources: {len(SPEC_OPERATIONS)}")


@pytest.mark.parametrize(("method", "template"), SPEC_OPERATIONS,
                         ids=[f"{m} {t}" for m, t in SPEC_OPERATIONS])
def test_every_documented_operation_is_served(sandbox: Sandbox, method: str,
                                              template: str) -> None:
    path = _PARAM.sub(UNKNOWN_ID, template)
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=10) as client:
        # An empty JSON object: enough to reach the route (its validation may refuse it).
        response = client.request(method, path, json={} if method in ("POST", "PUT") else None)
    assert response.status_code != 405, f"{method} {template}: method not served"
    if response.status_code == 404:
        # Only "this id does not exist" is fine; "Not found." means there is no such route.
        assert response.json() != {"detail": "Not found."}, f"{method} {template}: missing"
        assert "{" in template, f"{method} {template}: 404 without an id"


def test_no_invented_route(sandbox: Sandbox) -> None:
    served = {(m, t) for m, t in sandbox.served_operations()
              if not t.startswith(("/_sandbox/", "/media/"))}
    documented = {(m, _normal(t)) for m, t in SPEC_OPERATIONS}
    invented = sorted(served - documented)
    missing = sorted(documented - served)
    assert invented == [], f"served but not in the contract: {invented}"
    assert missing == [], f"in the contract but not served: {missing}"
    assert len(served) == len(SPEC_OPERATIONS)


def test_an_undocumented_route_is_not_found(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=10) as client:
        for path in ("/api/text_generator/", "/api/dyoa/", "/api/inspiration_jobs/x/y/",
                     "/sse/text_generator/x/y/"):
            response = client.get(path)
            assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
        assert client.post("/api/product_to_videos/", json={}).status_code == 405
