"""Creatify's documented API as a machine check: requests and answers against the OpenAPI file.

``resources/creatify-openapi.json`` is the contract (assembled from the OpenAPI fragments of
Creatify's docs pages; see ``resources/creatify-openapi.md``). This module checks real
``httpx`` requests and responses against it with openapi-core (a maintained validator), made
stricter in one way only: a request body field that the operation does not define is a
problem, because Creatify's server silently ignores unknown fields — a setting the creator
chose would do nothing. A query parameter the operation does not define is a problem too.

Nothing here loosens the document: where it lacks something the docs show, the vendored copy
is extended with its source (``x-source``) and a note, and the change is listed in
``resources/creatify-openapi.md``.

Usage::

    from tests.contract.contract import CONTRACT, RecordingTransport

    transport = RecordingTransport(httpx.AsyncHTTPTransport())
    client = CreatifyClient("id", "key", base_url=..., transport=transport)
    ...
    for request, response in transport.exchanges:
        assert CONTRACT.request_problems(request) == []
        assert CONTRACT.response_problems(request, response) == []
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).resolve().parents[2] / "resources" / "creatify-openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
_TEMPLATE = re.compile(r"\{[^/}]+\}")


def load_document(path: Path = SPEC_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


# ---------------------------------------------------------------------------- strict bodies

def _resolve(document: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _strict(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A request-body schema with every reference inlined, one-element ``allOf`` collapsed
    and ``additionalProperties: false`` on every object that lists its properties."""
    if depth > 40:
        raise ValueError("request schema nests too deeply (a reference cycle?)")
    if isinstance(schema, list):
        return [_strict(document, item, depth + 1) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    if "$ref" in schema:
        target = _strict(document, _resolve(document, schema["$ref"]), depth + 1)
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return {**target, **_strict(document, extra, depth + 1)} if extra else target
    out = {key: _strict(document, value, depth + 1) for key, value in schema.items()}
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        rest = {k: v for k, v in out.items() if k != "allOf"}
        out = {**all_of[0], **rest}
    if isinstance(out.get("properties"), Mapping) and "additionalProperties" not in out \
            and not any(k in out for k in ("allOf", "oneOf", "anyOf")):
        out["additionalProperties"] = False
    return out


def strict_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with strict request bodies (responses untouched)."""
    strict = copy.deepcopy(dict(document))
    for item in strict["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for media in operation["requestBody"].get("content", {}).values():
                if "schema" in media:
                    media["schema"] = _strict(document, media["schema"])
    return strict


# ---------------------------------------------------------------------------- openapi-core glue

@dataclass
class _CoreRequest:
    """An ``httpx.Request`` as openapi-core's request protocol."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None


@dataclass
class _CoreResponse:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


def _core_request(request: httpx.Request) -> _CoreRequest:
    url = request.url
    query = ImmutableMultiDict(parse_qsl(url.query.decode("ascii"), keep_blank_values=True))
    headers = Headers([(k, v) for k, v in request.headers.items()])
    body = request.content if request.content else None
    content_type = request.headers.get("content-type", "")
    if body is not None and not content_type:
        content_type = "application/json"
    return _CoreRequest(
        host_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
        path=url.path,
        method=request.method.lower(),
        parameters=RequestParameters(query=query, header=headers),
        # A multipart body is read by its boundary: keep the parameters there.
        content_type=(content_type if content_type.lower().startswith("multipart/")
                      else content_type.split(";")[0].strip().lower()),
        body=body,
    )


def _core_response(response: httpx.Response) -> _CoreResponse:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return _CoreResponse(status_code=response.status_code, content_type=content_type,
                         headers=Headers(list(response.headers.items())),
                         data=response.content if response.content else None)


def _messages(error: BaseException) -> Iterator[str]:
    """openapi-core's error as readable lines: one per schema error found under it."""
    node: BaseException | None = error
    while node is not None:
        inner = getattr(node, "schema_errors", None) or ()
        if inner:
            for item in inner:
                where = "/".join(str(p) for p in getattr(item, "absolute_path", ()) or ())
                text = getattr(item, "message", None) or str(item)
                yield f"{type(error).__name__} at {where or '(top)'}: {text}"
            return
        node = node.__cause__
    yield f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------------------- the contract

@dataclass
class Contract:
    """The OpenAPI document and checks against it."""

    document: dict[str, Any] = field(default_factory=load_document)

    @cached_property
    def _strict(self) -> OpenAPI:
        return OpenAPI.from_dict(strict_document(self.document))

    @cached_property
    def _plain(self) -> OpenAPI:
        return OpenAPI.from_dict(self.document)

    @cached_property
    def _templates(self) -> list[tuple[re.Pattern[str], str, int]]:
        out = []
        for template in self.document["paths"]:
            pattern = re.compile("^" + _TEMPLATE.sub(r"[^/]+", re.escape(template)
                                                     .replace(r"\{", "{").replace(r"\}", "}"))
                                 + "$")
            out.append((pattern, template, len(_TEMPLATE.findall(template))))
        # A concrete segment wins over a parameter (``/api/personas/paginated/`` over ``{id}``).
        out.sort(key=lambda item: item[2])
        return out

    def operations(self) -> set[tuple[str, str]]:
        """Every (METHOD, path template) the document defines."""
        return {(method.upper(), template)
                for template, item in self.document["paths"].items()
                for method in METHODS if method in item}

    def operation(self, method: str, template: str) -> dict[str, Any]:
        operation: dict[str, Any] = self.document["paths"][template][method.lower()]
        return operation

    def operation_of(self, method: str, path: str) -> tuple[str, str] | None:
        """(METHOD, template) of the operation a concrete request path belongs to."""
        method = method.upper()
        for pattern, template, _ in self._templates:
            if pattern.match(path) and method.lower() in self.document["paths"][template]:
                return method, template
        return None

    def path_known(self, path: str) -> bool:
        return any(pattern.match(path) for pattern, _, _ in self._templates)

    def request_problems(self, request: httpx.Request) -> list[str]:
        """Why ``request`` does not follow the contract (empty when it does)."""
        found = self.operation_of(request.method, request.url.path)
        if found is None:
            return [f"{request.method} {request.url.path}: no such operation in the contract"]
        method, template = found
        where = f"{method} {template}"
        problems: list[str] = []
        defined = {p["name"] for p in self._parameters(method, template) if p["in"] == "query"}
        for name, _ in parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True):
            if name not in defined:
                problems.append(f"{where}: query parameter {name!r} is not defined")
        try:
            self._strict.validate_request(_core_request(request))
        except Exception as error:  # openapi-core raises one error naming the problem
            problems.extend(f"{where}: {line}" for line in _messages(error))
        return problems

    def response_problems(self, request: httpx.Request, response: httpx.Response) -> list[str]:
        """Why ``response`` (to ``request``) does not follow the contract."""
        found = self.operation_of(request.method, request.url.path)
        if found is None:
            return [f"{request.method} {request.url.path}: no such operation in the contract"]
        method, template = found
        where = f"{method} {template} -> {response.status_code}"
        declared = self.operation(method, template).get("responses", {})
        if str(response.status_code) not in declared and "default" not in declared:
            return [f"{where}: status {response.status_code} is not documented "
                    f"(documented: {', '.join(sorted(declared))})"]
        try:
            self._plain.validate_response(_core_request(request), _core_response(response))
        except Exception as error:
            return [f"{where}: {line}" for line in _messages(error)]
        return []

    def _parameters(self, method: str, template: str) -> list[dict[str, Any]]:
        item = self.document["paths"][template]
        params = [*item.get("parameters", []), *self.operation(method, template)
                  .get("parameters", [])]
        return [_resolve(self.document, p["$ref"]) if "$ref" in p else p for p in params]


CONTRACT = Contract()


# ---------------------------------------------------------------------------- recording

class RecordingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and keeps every (request, response) with the response body read."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        recorded = httpx.Response(response.status_code, headers=response.headers,
                                  content=content, request=request)
        self.exchanges.append((request, recorded))
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request, extensions=response.extensions)

    @property
    def requests(self) -> list[httpx.Request]:
        return [request for request, _ in self.exchanges]

    async def aclose(self) -> None:
        await self.inner.aclose()


__all__ = ["CONTRACT", "SPEC_PATH", "Contract", "RecordingTransport", "load_document",
           "strict_document"]
