"""Server answers the contract does not promise: any JSON, huge strings, odd statuses, odd
progress, result URLs of any scheme. The parsers give a normalised view or a
``MalformedResponseError`` / typed ``CreatifyError`` with a message, never another exception.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.client import link_from
from app.api.errors import (
    CreatifyError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    error_from_response,
    extract_messages,
    parse_retry_after,
)
from app.api.resources import JOB_RESOURCES, Resource
from app.api.snapshot import JobSnapshot, JobStatus, snapshot_from
from tests.reliability.hostile.strategies import (
    hostile,
    hostile_urls,
    json_values,
    odd_numbers,
    odd_statuses,
    odd_text,
)

# A failing example's repr can be huge (the inputs are): report the failure, not that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

RESOURCES = list(JOB_RESOURCES.values())
FIELDS = ("id", "status", "progress", "output", "video_output", "generated_video_url",
          "generated_photo_url", "assets", "response_text", "generated_scripts", "preview",
          "credits_used", "duration", "failed_reason", "name", "created_at", "updated_at",
          "video_thumbnail", "thumbnail_url", "previews")

job_like = st.fixed_dictionaries(
    {"id": st.one_of(st.uuids().map(str), json_values)},
    optional={
        "status": odd_statuses,
        "progress": st.one_of(odd_numbers, odd_text, json_values,
                              st.sampled_from(["45", "0.5", "100%", "1e3", "-5", "nan", "inf"])),
        "output": st.one_of(hostile_urls, json_values),
        "video_output": st.one_of(hostile_urls, json_values),
        "generated_video_url": hostile_urls,
        "generated_photo_url": hostile_urls,
        "assets": st.one_of(st.lists(st.fixed_dictionaries(
            {}, optional={"url": st.one_of(hostile_urls, json_values),
                          "thumbnail_url": hostile_urls})), json_values, hostile_urls),
        "response_text": st.one_of(odd_text, json_values),
        "generated_scripts": json_values,
        "preview": st.one_of(hostile_urls, json_values),
        "credits_used": st.one_of(odd_numbers, odd_text, json_values),
        "duration": st.one_of(odd_numbers, odd_text, json_values),
        "failed_reason": st.one_of(odd_text, json_values),
        "name": st.one_of(odd_text, json_values),
        "created_at": st.one_of(odd_text, st.datetimes().map(lambda d: d.isoformat()),
                                st.sampled_from(["9999-12-31T23:59:59Z", "0000-01-01",
                                                 "2026-13-45T99:99:99Z", "2026-11-25T10:00:00Z"])),
        "updated_at": odd_text,
        "video_thumbnail": hostile_urls,
        "previews": json_values,
    })


def _check_snapshot(resource: Resource, body: Any) -> None:
    try:
        snap = snapshot_from(resource, body)
    except MalformedResponseError as exc:
        assert exc.message
        return
    assert isinstance(snap, JobSnapshot)
    assert isinstance(snap.status, JobStatus) and isinstance(snap.raw_status, str)
    assert isinstance(snap.id, str) and snap.id
    if snap.status is JobStatus.UNKNOWN:
        assert not snap.is_terminal  # a status we do not know never ends a job
    assert snap.progress is None or 0.0 <= snap.progress <= 1.0
    assert all(isinstance(u, str) and u.strip() for u in snap.result_urls)
    assert snap.credits_used is None or (isinstance(snap.credits_used, Decimal)
                                         and snap.credits_used.is_finite())
    assert snap.duration is None or (math.isfinite(snap.duration) and snap.duration >= 0)
    assert snap.failed_reason is None or isinstance(snap.failed_reason, str)


@hostile
@given(resource=st.sampled_from(RESOURCES), body=json_values)
def test_any_json_as_a_job_is_a_snapshot_or_malformed(resource: Resource, body: Any) -> None:
    _check_snapshot(resource, body)


@hostile
@given(resource=st.sampled_from(RESOURCES), body=job_like)
def test_a_job_with_hostile_fields_is_a_snapshot_or_malformed(resource: Resource,
                                                              body: dict[str, Any]) -> None:
    _check_snapshot(resource, body)
    # What the client would read from the wire: the same object through JSON.
    try:
        wire = json.loads(json.dumps(body))
    except (ValueError, TypeError):
        return
    _check_snapshot(resource, wire)


error_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v)),
    odd_text,
    st.sampled_from(["<html><body><h1>502 Bad Gateway</h1></body></html>", "{", "[", '{"detail":',
                     '{"error": null}', '{"detail": {"a": [1, {"b": [null]}]}}',
                     "[" * 100_000, '{"a":' * 50_000, "\x00\x01\x02", "Infinity", "NaN",
                     '{"detail": "Insufficient credits"}', "1" * 5000]),
    json_values.map(lambda v: json.dumps(v)[: max(1, len(json.dumps(v)) // 2)]),
)
statuses = st.one_of(st.integers(100, 599), st.sampled_from([0, -1, 600, 999, 2**31]),
                     st.sampled_from([400, 401, 402, 403, 404, 409, 413, 422, 429, 500, 502,
                                      503, 504]))
retry_after = st.one_of(st.none(), odd_text,
                        st.sampled_from(["5", "-5", "1e9", "nan", "inf", "0", "3.5",
                                         "Wed, 21 Oct 2015 07:28:00 GMT",
                                         "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 00 Jan 0000"]))


@hostile
@given(status=statuses, text=error_bodies, after=retry_after)
def test_any_error_answer_is_a_typed_error_with_a_message(status: int, text: str,
                                                          after: str | None) -> None:
    headers = {} if after is None else {"retry-after": after}
    error = error_from_response(status, text, headers)
    assert isinstance(error, CreatifyError)
    assert isinstance(error.message, str) and error.message.strip()
    assert len(error.message) <= 2100, len(error.message)
    if isinstance(error, RateLimitedError | ServerError) and error.retry_after is not None:
        assert 0 <= error.retry_after <= 3600


@hostile
@given(body=json_values)
def test_messages_are_extracted_from_any_error_shape(body: Any) -> None:
    messages, fields = extract_messages(body)
    assert all(isinstance(m, str) and m.strip() and len(m) <= 500 for m in messages)
    assert all(isinstance(k, str) for k in fields)


@hostile
@given(value=retry_after)
def test_retry_after_is_a_bounded_wait_or_none(value: str | None) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or 0 <= seconds <= 3600


@hostile
@given(body=st.one_of(json_values, st.fixed_dictionaries(
    {"id": st.one_of(st.uuids().map(str), json_values)},
    optional={"url": json_values, "link": st.one_of(json_values, st.fixed_dictionaries(
        {}, optional={k: json_values for k in ("title", "image_urls", "video_urls", "logo_url",
                                               "url", "description")}))})))
def test_a_link_answer_is_a_link_or_malformed(body: Any) -> None:
    try:
        link = link_from(body)
    except MalformedResponseError:
        return
    assert isinstance(link.id, str)
    assert all(isinstance(u, str) for u in link.image_urls + link.video_urls)


def test_a_huge_duration_is_not_infinite() -> None:
    """A finite duration too large for a float ("1E310") became inf, and the result's
    sidecar was then refused (fixed in 261cce5)."""
    snap = snapshot_from(JOB_RESOURCES["link_to_videos"],
                         {"id": "x", "status": "done", "duration": "1E310"})
    assert snap.duration is None or math.isfinite(snap.duration)
