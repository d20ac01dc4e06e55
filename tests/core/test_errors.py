"""Every DRF error shape Creatify answers with, mapped to the one typed error it means."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from app.api.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    ConnectionFailedError,
    CreatifyError,
    InsufficientCreditsError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TimeoutFailedError,
    ValidationError,
    error_from_response,
    extract_messages,
    parse_retry_after,
)


def err(status: int, body: Any, headers: dict[str, str] | None = None) -> CreatifyError:
    text = body if isinstance(body, str) else json.dumps(body)
    return error_from_response(status, text, headers)


# --- extract_messages -----------------------------------------------------------------


def test_list_of_strings_gives_messages_only() -> None:
    messages, fields = extract_messages(["Link must have at least one image or one video."])
    assert messages == ("Link must have at least one image or one video.",)
    assert fields == {}


def test_field_map_gives_prefixed_lines_and_the_map() -> None:
    messages, fields = extract_messages({"link": ["Invalid link ID"],
                                         "video_length": ["Must be 15, 30, 45 or 60.", "Bad."]})
    assert messages == ("link: Invalid link ID", "video_length: Must be 15, 30, 45 or 60.",
                        "video_length: Bad.")
    assert fields == {"link": ("Invalid link ID",),
                      "video_length": ("Must be 15, 30, 45 or 60.", "Bad.")}


@pytest.mark.parametrize("key", ["error", "detail", "message"])
def test_single_text_key_gives_its_text_without_prefix(key: str) -> None:
    assert extract_messages({key: "Model gemini-9 not found"}) == (
        ("Model gemini-9 not found",), {})


def test_non_field_errors_are_plain_messages_mixed_with_fields() -> None:
    messages, fields = extract_messages({"non_field_errors": ["Too many ids."],
                                         "ids": ["Not a UUID."]})
    assert messages == ("Too many ids.", "ids: Not a UUID.")
    assert fields == {"ids": ("Not a UUID.",)}


def test_nested_lists_and_maps_are_flattened() -> None:
    body = {"video_inputs": [{"voice": {"input_text": ["Too long."]}},
                             {"character": ["Unknown avatar.", ["deeper"]]}]}
    messages, fields = extract_messages(body)
    assert messages == ("video_inputs: Too long.", "video_inputs: Unknown avatar.",
                        "video_inputs: deeper")
    assert fields == {"video_inputs": ("Too long.", "Unknown avatar.", "deeper")}
    assert extract_messages([["a", ["b"]], {"x": "c"}]) == (("a", "b", "c"), {})


def test_non_string_leaves_are_stringified_and_none_dropped() -> None:
    assert extract_messages([1, None, 2.5, True]) == (("1", "2.5", "True"), {})


@pytest.mark.parametrize("body", [None, "", "   ", [], {}, 42, 3.5, [None, "  "]])
def test_empty_bodies_give_no_messages(body: Any) -> None:
    assert extract_messages(body) == ((), {})


def test_whitespace_is_collapsed() -> None:
    assert extract_messages(["  Failed   to\nscrape\turl  "]) == (("Failed to scrape url",), {})


def test_each_message_is_clipped() -> None:
    messages, fields = extract_messages({"script": ["x" * 10_000]})
    assert len(messages) == 1
    assert len(messages[0]) <= 500
    assert messages[0].endswith("…")
    assert len(fields["script"][0]) <= 500
    (single,), _ = extract_messages({"detail": "y" * 10_000})
    assert len(single) == 500
    assert single == "y" * 499 + "…"


# --- error_from_response: the status → type mapping ------------------------------------


def test_400_list_is_validation_error() -> None:
    e = err(400, ["Link must have at least one image or one video."])
    assert type(e) is ValidationError
    assert e.status_code == 400
    assert e.message == "Link must have at least one image or one video."
    assert e.messages == ("Link must have at least one image or one video.",)
    assert e.field_errors == {}
    assert not e.retryable


def test_400_field_map_is_validation_error_with_field_errors() -> None:
    e = err(400, {"link": ["Invalid link ID"]})
    assert isinstance(e, ValidationError)
    assert e.field_errors == {"link": ("Invalid link ID",)}
    assert e.messages == ("link: Invalid link ID",)
    assert "link: Invalid link ID" in e.message


def test_400_several_messages_are_joined() -> None:
    e = err(400, ["Failed to scrape url: timeout", "AI model not found"])
    assert isinstance(e, ValidationError)
    assert e.message == "Failed to scrape url: timeout; AI model not found"
    assert e.messages == ("Failed to scrape url: timeout", "AI model not found")


def test_text_generator_error_shape() -> None:
    e = err(400, {"error": "Unsupported model_name: gemini-0"})
    assert isinstance(e, ValidationError)
    assert e.message == "Unsupported model_name: gemini-0"
    assert e.field_errors == {}


@pytest.mark.parametrize("status", [401, 403])
def test_detail_401_403_is_authentication_error(status: int) -> None:
    e = err(status, {"detail": "Authentication credentials were not provided."})
    assert type(e) is AuthenticationError
    assert e.status_code == status
    assert e.message == "Authentication credentials were not provided."
    assert not e.retryable


@pytest.mark.parametrize("status", [401, 403])
def test_auth_error_without_body_has_a_default_message(status: int) -> None:
    e = error_from_response(status, "")
    assert type(e) is AuthenticationError
    assert "credential" in e.message.lower()


def test_404_is_not_found() -> None:
    e = err(404, {"detail": "No Link matches the given query."})
    assert type(e) is NotFoundError
    assert e.status_code == 404
    assert e.message == "No Link matches the given query."
    assert not e.retryable


@pytest.mark.parametrize("status", [400, 402, 403])
@pytest.mark.parametrize("body", [
    ["Insufficient credits"],
    {"detail": "You do not have enough credits to perform this action."},
    {"error": "Not enough CREDIT remaining"},
    {"credits": ["Your workspace has 3 credits, 5 are needed."]},
])
def test_credits_text_is_insufficient_credits(status: int, body: Any) -> None:
    e = err(status, body)
    assert type(e) is InsufficientCreditsError
    assert e.status_code == status
    assert "credit" in e.message.lower()
    assert not e.retryable


def test_402_without_credit_text_is_not_credits_error() -> None:
    e = err(402, {"detail": "Payment required"})
    assert not isinstance(e, InsufficientCreditsError)
    assert isinstance(e, ValidationError)
    assert e.status_code == 402


@pytest.mark.parametrize("status", [401, 404, 429, 500])
def test_credit_text_on_other_statuses_keeps_the_status_meaning(status: int) -> None:
    assert not isinstance(err(status, {"detail": "credits"}), InsufficientCreditsError)


def test_429_with_retry_after_seconds() -> None:
    e = err(429, {"detail": "Request was throttled."}, {"Retry-After": "7"})
    assert type(e) is RateLimitedError
    assert e.retry_after == 7.0
    assert e.status_code == 429
    assert e.retryable
    assert e.message == "Request was throttled."


def test_429_retry_after_header_lookup_is_case_insensitive_for_plain_dicts() -> None:
    e = err(429, "", {"retry-after": "3"})
    assert isinstance(e, RateLimitedError)
    assert e.retry_after == 3.0
    assert "rate" in e.message.lower()


def test_429_with_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    e = err(429, "", {"Retry-After": format_datetime(when, usegmt=True)})
    assert isinstance(e, RateLimitedError)
    assert e.retry_after is not None
    assert 115 <= e.retry_after <= 120


def test_429_without_retry_after() -> None:
    e = err(429, "")
    assert isinstance(e, RateLimitedError)
    assert e.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_5xx_is_server_error(status: int) -> None:
    e = error_from_response(status, "")
    assert type(e) is ServerError
    assert e.status_code == status
    assert e.retryable
    assert f"HTTP {status}" in e.message


def test_5xx_keeps_the_body_text_and_retry_after() -> None:
    e = err(503, {"detail": "Service temporarily unavailable."}, {"Retry-After": "30"})
    assert isinstance(e, ServerError)
    assert e.retry_after == 30.0
    assert e.message.endswith(": Service temporarily unavailable.")


@pytest.mark.parametrize("status", [405, 409, 413, 422])
def test_other_4xx_are_validation_errors(status: int) -> None:
    e = error_from_response(status, "")
    assert type(e) is ValidationError
    assert e.status_code == status
    assert f"HTTP {status}" in e.message


# --- bodies that are not JSON -----------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"""


def test_html_body_is_not_shown() -> None:
    e = error_from_response(502, HTML)
    assert type(e) is ServerError
    assert "<" not in e.message
    assert "nginx" not in e.message
    assert e.message == "Creatify had a server error (HTTP 502)."


def test_html_400_gets_the_default_message() -> None:
    e = error_from_response(400, "<html><body>Bad Request (400)</body></html>")
    assert type(e) is ValidationError
    assert e.message == "Creatify refused the request (HTTP 400)."
    assert e.messages == (e.message,)


def test_short_plain_text_body_is_the_message() -> None:
    e = error_from_response(400, "Bad request: missing script")
    assert isinstance(e, ValidationError)
    assert e.message == "Bad request: missing script"


def test_plain_text_mentioning_credits() -> None:
    e = error_from_response(402, "Out of credits")
    assert isinstance(e, InsufficientCreditsError)


@pytest.mark.parametrize("text", ["\x00\x01\x02garbage", "{not json", "[1, 2", "null", "true"])
def test_garbage_bodies_never_raise(text: str) -> None:
    e = error_from_response(400, text)
    assert isinstance(e, ValidationError)
    assert e.message
    assert len(e.message) <= 600


def test_enormous_plain_text_is_dropped() -> None:
    e = error_from_response(500, "x" * 100_000)
    assert isinstance(e, ServerError)
    assert len(e.message) < 100


def test_enormous_json_message_is_clipped() -> None:
    e = err(400, ["A" * 1_000_000])
    assert isinstance(e, ValidationError)
    assert len(e.message) <= 500
    assert all(len(m) <= 500 for m in e.messages)


def test_enormous_field_map_clips_every_message() -> None:
    e = err(400, {f"field{i}": ["z" * 5_000] for i in range(5)})
    assert isinstance(e, ValidationError)
    assert len(e.messages) == 5
    assert all(len(m) <= 500 for m in e.messages)
    assert all(len(v[0]) <= 500 for v in e.field_errors.values())


def test_deeply_nested_json_body_gives_a_typed_error() -> None:
    """A hostile or broken body must still map to a CreatifyError, not a RecursionError."""
    text = "[" * 100_000 + "]" * 100_000
    e = error_from_response(500, text)
    assert isinstance(e, ServerError)


def test_moderately_nested_body_is_flattened() -> None:
    body: Any = "deep message"
    for _ in range(50):
        body = [body]
    e = err(400, body)
    assert e.message == "deep message"


# --- parse_retry_after ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("soon", None), ("nan", None), ("NaN", None),
    ("0", 0.0), ("5", 5.0), (" 12 ", 12.0), ("1.5", 1.5), ("-3", 0.0),
    ("999999", 3600.0), ("inf", 3600.0),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_future() -> None:
    when = datetime.now(UTC) + timedelta(seconds=60)
    seconds = parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None
    assert 55 <= seconds <= 60


def test_parse_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_parse_retry_after_http_date_without_zone_is_utc() -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    text = when.strftime("%a, %d %b %Y %H:%M:%S -0000")
    seconds = parse_retry_after(text)
    assert seconds is not None
    assert 85 <= seconds <= 90


# --- the error classes themselves -------------------------------------------------------


def test_retryable_flags() -> None:
    assert RateLimitedError("x").retryable
    assert ServerError("x").retryable
    assert ConnectionFailedError("x").retryable
    assert TimeoutFailedError("x").retryable
    assert MalformedResponseError("x").retryable
    assert not AmbiguousCreateError("x").retryable
    assert not ValidationError("x").retryable
    assert not AuthenticationError("x").retryable
    assert not NotFoundError("x").retryable
    assert not InsufficientCreditsError("x").retryable


def test_ambiguous_create_keeps_its_cause() -> None:
    cause = ServerError("boom", status_code=502)
    e = AmbiguousCreateError("lost", cause=cause, status_code=502)
    assert e.cause is cause
    assert e.status_code == 502
    assert str(e) == "lost"
    assert e.messages == ("lost",)


def test_enormous_list_of_messages_gives_a_bounded_summary() -> None:
    """``message`` is "fit to show a user": 20,000 clipped messages must not join into 8 MB."""
    e = err(400, ["m" * 400] * 20_000)
    assert isinstance(e, ValidationError)
    assert all(len(m) <= 500 for m in e.messages)
    assert len(e.message) <= 5_000
