"""``snapshot_from``: every job resource's wire quirks normalised into one JobSnapshot."""

from __future__ import annotations

import logging
import math
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.errors import MalformedResponseError
from app.api.resources import JOB_RESOURCES, Resource
from app.api.snapshot import JobSnapshot, JobStatus, normalize_progress, snapshot_from

JOB_ID = "3f2b9c1e-7a4d-4e8b-9c1a-2b3c4d5e6f70"
T0 = "2026-05-01T10:00:00Z"
T1 = "2026-05-01T10:02:31.123456Z"
CDN = "https://cdn.creatify.ai/out"


def snap(key: str, body: Any) -> JobSnapshot:
    return snapshot_from(JOB_RESOURCES[key], body)


# Realistic bodies, one per resource, as the API documents them (finished jobs).
REALISTIC: dict[str, dict[str, Any]] = {
    "link_to_videos": {
        "id": JOB_ID, "name": "Mug ad", "link": "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c",
        "target_platform": "tiktok", "aspect_ratio": "9x16", "video_length": 30,
        "status": "done", "progress": "100", "failed_reason": None,
        "video_output": f"{CDN}/l2v.mp4", "video_thumbnail": f"{CDN}/l2v.jpg",
        "preview": "https://app.creatify.ai/preview/abc", "duration": 31, "credits_used": 10,
        "outputs": [{"progress": 1.0, "video_output": f"{CDN}/l2v.mp4"}],
        "created_at": T0, "updated_at": T1,
    },
    "lipsyncs": {
        "id": JOB_ID, "name": "Avatar v1", "creator": "9d1e3b42", "status": "done",
        "progress": "1.0", "output": f"{CDN}/lip.mp4", "video_thumbnail": f"{CDN}/lip.jpg",
        "duration": 12, "credits_used": 5, "failed_reason": "", "created_at": T0,
        "updated_at": T1,
    },
    "lipsyncs_v2": {
        "id": JOB_ID, "name": "Avatar v2", "status": "done", "progress": "100",
        "output": f"{CDN}/lip2.mp4", "video_output": f"{CDN}/lip2.mp4",
        "video_thumbnail": f"{CDN}/lip2.jpg", "duration": 20, "credits_used": 5,
        "video_inputs": [{"character": {"type": "avatar"}}], "created_at": T0, "updated_at": T1,
    },
    "aurora": {
        "id": JOB_ID, "name": "Aurora", "image": "https://x/face.png", "audio": "https://x/a.mp3",
        "status": "done", "progress": 1.0, "video_output": f"{CDN}/aurora.mp4",
        "video_thumbnail": f"{CDN}/aurora.jpg", "duration": 12, "credits_used": 12,
        "model_version": "aurora_v1", "created_at": T0, "updated_at": T1,
    },
    "custom_template_jobs": {
        "id": JOB_ID, "name": "Template", "template_id": "7e8f9a0b", "variables": {},
        "status": "done", "progress": 1, "video_output": f"{CDN}/tpl.mp4",
        "video_thumbnail": f"{CDN}/tpl.jpg", "duration": 15, "credits_used": 5,
        "created_at": T0, "updated_at": T1,
    },
    "asset_generator": {
        "id": JOB_ID, "model_name": "kling-v1.6-pro", "input_params": {"prompt": "mug"},
        "status": "done",
        "assets": [{"id": "a1", "type": "video", "url": f"{CDN}/asset1.mp4",
                    "thumbnail_url": f"{CDN}/asset1.jpg", "name": "asset 1"}],
        "credits_used": 12, "created_at": T0, "updated_at": T1,
    },
    "text_generator": {
        "id": JOB_ID, "model_name": "gemini-2.5-flash", "status": "done",
        "response_text": "Sip happy: the mug that keeps up.", "credits_used": 0.25,
        "created_at": T0, "updated_at": T1,
    },
    "text_to_speech": {
        "id": JOB_ID, "script": "Hello there", "accent": "1a2b3c4d", "status": "done",
        "output": f"{CDN}/tts.mp3", "duration": 31, "credits_used": 2, "created_at": T0,
        "updated_at": T1,
    },
    "ai_scripts": {
        "id": JOB_ID, "status": "done", "video_length": 30, "credits_used": 1,
        "generated_scripts": [{"paragraphs": ["Meet the mug."], "script_name": "s1",
                               "script_style": "DIY", "title": "Mug"}],
        "created_at": T0, "updated_at": T1,
    },
    "ai_shorts": {
        "id": JOB_ID, "script": "A short", "aspect_ratio": "9x16", "style": "Cinematic",
        "status": "done", "progress": 1.0, "video_output": f"{CDN}/shorts.mp4",
        "video_thumbnail": f"{CDN}/shorts.jpg", "duration": 30, "credits_used": 5,
        "created_at": T0, "updated_at": T1,
    },
    "ai_editing": {
        "id": JOB_ID, "video_url": "https://x/raw.mp4", "editing_style": "film",
        "status": "done", "progress": 1.0, "video_output": f"{CDN}/edit.mp4",
        "duration": 45, "credits_used": 10, "created_at": T0, "updated_at": T1,
    },
    "product_to_videos": {
        "id": JOB_ID, "product_url": "https://x/mug.png", "type": "product_anyshot",
        "status": "video_generated", "generated_photo_url": f"{CDN}/photo.png",
        "generated_video_url": f"{CDN}/product.mp4", "created_at": T0, "updated_at": T1,
    },
    "ads_clone": {
        "id": JOB_ID, "link": "5b7c2a0e", "video_url": "https://x/ref.mp4", "status": "done",
        "progress": 1.0, "video_output": f"{CDN}/clone.mp4", "duration": 31,
        "credits_used": 84, "created_at": T0, "updated_at": T1,
    },
    "inspiration_jobs": {
        "id": JOB_ID, "inspiration_id": "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a",
        "gen_type": "image_to_video", "status": "done", "failed_reason": "",
        "input_params": '{"Product Image": "https://x/mug.png"}',
        "output": f'["{CDN}/insp1.mp4", {{"url": "{CDN}/insp2.png"}}]',
        "created_at": T0, "updated_at": T1, "webhook_url": None,
    },
    "iab_images": {
        "id": JOB_ID, "image": "https://x/mug.png", "status": "done", "failed_reason": None,
        "output": [{"name": "300x250", "size": "300x250", "url": f"{CDN}/iab1.png",
                    "type": "image/png"},
                   {"name": "728x90", "size": "728x90", "url": f"{CDN}/iab2.png",
                    "type": "image/png"}],
        "created_at": T0, "updated_at": T1, "webhook_url": None,
    },
}

EXPECTED_RESULT: dict[str, tuple[str, ...]] = {
    "link_to_videos": (f"{CDN}/l2v.mp4",),
    "lipsyncs": (f"{CDN}/lip.mp4",),
    "lipsyncs_v2": (f"{CDN}/lip2.mp4",),
    "aurora": (f"{CDN}/aurora.mp4",),
    "custom_template_jobs": (f"{CDN}/tpl.mp4",),
    "asset_generator": (f"{CDN}/asset1.mp4",),
    "text_generator": (),
    "text_to_speech": (f"{CDN}/tts.mp3",),
    "ai_scripts": (),
    "ai_shorts": (f"{CDN}/shorts.mp4",),
    "ai_editing": (f"{CDN}/edit.mp4",),
    "product_to_videos": (f"{CDN}/product.mp4", f"{CDN}/photo.png"),
    "ads_clone": (f"{CDN}/clone.mp4",),
    "inspiration_jobs": (f"{CDN}/insp1.mp4", f"{CDN}/insp2.png"),
    "iab_images": (f"{CDN}/iab1.png", f"{CDN}/iab2.png"),
}


def test_every_job_resource_has_a_realistic_body() -> None:
    assert set(REALISTIC) == set(JOB_RESOURCES)
    assert set(EXPECTED_RESULT) == set(JOB_RESOURCES)


@pytest.mark.parametrize("key", sorted(JOB_RESOURCES))
def test_realistic_finished_body(key: str) -> None:
    body = REALISTIC[key]
    s = snap(key, body)
    assert s.resource == key
    assert s.id == JOB_ID
    assert s.status is JobStatus.DONE
    assert s.raw_status == body["status"]
    assert s.is_terminal
    assert s.status.is_success
    assert s.progress == 1.0
    assert s.result_urls == EXPECTED_RESULT[key]
    assert s.result_url == (EXPECTED_RESULT[key][0] if EXPECTED_RESULT[key] else None)
    assert s.created_at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert s.updated_at == datetime(2026, 5, 1, 10, 2, 31, 123456, tzinfo=UTC)
    assert s.failed_reason is None
    if "credits_used" in body:
        assert s.credits_used == Decimal(str(body["credits_used"]))
    else:
        assert s.credits_used is None
    if "duration" in body:
        assert s.duration == float(body["duration"])
    else:
        assert s.duration is None
    assert s.name == body.get("name")
    assert dict(s.raw) == body


@pytest.mark.parametrize("key", sorted(JOB_RESOURCES))
def test_every_documented_status_is_known(key: str) -> None:
    res = JOB_RESOURCES[key]
    for raw in res.statuses:
        s = snapshot_from(res, {"id": JOB_ID, "status": raw})
        assert s.status is not JobStatus.UNKNOWN, (key, raw)
        assert s.raw_status == raw
        assert s.is_terminal == (raw in {"done", "failed", "rejected", "image_generated",
                                          "video_generated"}), (key, raw)


@pytest.mark.parametrize(("raw", "status", "terminal"), [
    ("pending", JobStatus.PENDING, False),
    ("initializing", JobStatus.PENDING, False),
    ("in_queue", JobStatus.QUEUED, False),
    ("running", JobStatus.RUNNING, False),
    ("generating", JobStatus.RUNNING, False),
    ("image_generating", JobStatus.RUNNING, False),
    ("image_generated", JobStatus.IMAGE_DONE, True),
    ("video_generating", JobStatus.RUNNING, False),
    ("video_generated", JobStatus.DONE, True),
    ("done", JobStatus.DONE, True),
    ("DONE", JobStatus.DONE, True),
    (" running ", JobStatus.RUNNING, False),
    ("failed", JobStatus.FAILED, True),
    ("rejected", JobStatus.REJECTED, True),
])
def test_status_mapping(raw: str, status: JobStatus, terminal: bool) -> None:
    s = snap("product_to_videos", {"id": JOB_ID, "status": raw})
    assert s.status is status
    assert s.is_terminal is terminal


def test_product_to_videos_image_step() -> None:
    s = snap("product_to_videos", {
        "id": JOB_ID, "status": "image_generated", "generated_photo_url": f"{CDN}/photo.png",
        "generated_video_url": None})
    assert s.status is JobStatus.IMAGE_DONE
    assert s.is_terminal
    assert s.status.is_success
    assert s.result_urls == (f"{CDN}/photo.png",)
    assert s.thumbnails == (f"{CDN}/photo.png",)
    assert s.credits_used is None
    assert s.duration is None


def test_product_to_videos_video_step_is_done() -> None:
    s = snap("product_to_videos", REALISTIC["product_to_videos"])
    assert s.status is JobStatus.DONE
    assert s.result_url == f"{CDN}/product.mp4"
    assert s.thumbnails == (f"{CDN}/photo.png",)


def test_unknown_status_is_unknown_non_terminal_and_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    raw = f"upscaling_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="app.api.snapshot")
    first = snap("aurora", {"id": JOB_ID, "status": raw, "progress": 0.5})
    for _ in range(5):
        again = snap("aurora", {"id": JOB_ID, "status": raw, "progress": 0.6})
    assert first.status is JobStatus.UNKNOWN
    assert not first.is_terminal
    assert not first.status.is_success
    assert first.raw_status == raw
    assert first.progress == 0.5
    assert again.status is JobStatus.UNKNOWN
    hits = [r for r in caplog.records if raw in r.getMessage()]
    assert len(hits) == 1
    assert hits[0].levelno == logging.WARNING
    assert "aurora" in hits[0].getMessage()


def test_unknown_status_is_logged_again_for_another_resource(
        caplog: pytest.LogCaptureFixture) -> None:
    raw = f"mystery_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="app.api.snapshot")
    snap("aurora", {"id": JOB_ID, "status": raw})
    snap("ads_clone", {"id": JOB_ID, "status": raw})
    snap("ads_clone", {"id": JOB_ID, "status": raw})
    assert len([r for r in caplog.records if raw in r.getMessage()]) == 2


@pytest.mark.parametrize("raw", [None, "", 3, True, ["done"], {"v": "done"}])
def test_missing_or_non_string_status_is_unknown(raw: Any) -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "status": raw})
    assert s.status is JobStatus.UNKNOWN
    assert s.raw_status == ""
    assert not s.is_terminal


def test_no_status_key_at_all() -> None:
    s = snap("link_to_videos", {"id": JOB_ID})
    assert s.status is JobStatus.UNKNOWN
    assert s.progress is None
    assert s.result_urls == ()
    assert s.credits_used is None


# --- progress --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("45", 0.45), ("0.45", 0.45), (0.45, 0.45), (45, 0.45), ("45%", 0.45), (" 45 % ", 0.45),
    ("100", 1.0), (100, 1.0), (1, 1.0), (1.0, 1.0), (0, 0.0), ("0", 0.0), (0.0, 0.0),
    (99.5, 0.995), (-5, 0.0), ("-0.3", 0.0), (250, 1.0),
    ("garbage", None), ("", None), ("  ", None), ("%", None), (None, None),
    (math.nan, None), ("nan", None), (math.inf, None), ("-inf", None), (True, None),
    (False, None), ([45], None), ({"p": 45}, None),
])
def test_progress_forms(raw: Any, expected: float | None) -> None:
    for key in ("link_to_videos", "aurora", "lipsyncs"):
        s = snap(key, {"id": JOB_ID, "status": "running", "progress": raw})
        if expected is None:
            assert s.progress is None, (key, raw)
        else:
            assert s.progress == pytest.approx(expected), (key, raw)
    assert normalize_progress(raw) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("status", ["failed", "rejected", "pending", "in_queue"])
def test_progress_is_kept_as_sent_when_not_done(status: str) -> None:
    assert snap("aurora", {"id": JOB_ID, "status": status, "progress": "45"}).progress == 0.45


@pytest.mark.parametrize("raw", [None, "0", "garbage", 0.3])
def test_done_forces_progress_to_one(raw: Any) -> None:
    assert snap("link_to_videos", {"id": JOB_ID, "status": "done", "progress": raw}).progress \
        == 1.0


def test_huge_integer_progress_does_not_escape_as_overflow() -> None:
    """``json.loads`` turns ``"progress": 1000…0`` (400 digits) into an int that does not
    fit a float; the snapshot must still be built (or MalformedResponseError), never
    OverflowError — an OverflowError out of a paid create would bypass AmbiguousCreateError."""
    body = {"id": JOB_ID, "status": "running", "progress": 10 ** 400}
    try:
        s = snap("aurora", body)
    except MalformedResponseError:
        return
    assert s.progress is None or 0.0 <= s.progress <= 1.0


# --- result URLs -----------------------------------------------------------------------


def test_output_field_on_lipsyncs_and_tts() -> None:
    for key in ("lipsyncs", "lipsyncs_v2", "text_to_speech"):
        s = snap(key, {"id": JOB_ID, "status": "done", "output": f"{CDN}/o.mp4"})
        assert s.result_urls == (f"{CDN}/o.mp4",), key


def test_video_output_accepted_where_tts_webhooks_use_it() -> None:
    s = snap("text_to_speech", {"id": JOB_ID, "status": "done",
                                "video_output": f"{CDN}/tts.mp3"})
    assert s.result_urls == (f"{CDN}/tts.mp3",)


def test_output_and_video_output_both_kept_in_order_and_deduplicated() -> None:
    s = snap("lipsyncs", {"id": JOB_ID, "output": f"{CDN}/a.mp4",
                          "video_output": f"{CDN}/b.mp4"})
    assert s.result_urls == (f"{CDN}/a.mp4", f"{CDN}/b.mp4")
    same = snap("lipsyncs", {"id": JOB_ID, "output": f"{CDN}/a.mp4",
                             "video_output": f"{CDN}/a.mp4"})
    assert same.result_urls == (f"{CDN}/a.mp4",)


@pytest.mark.parametrize("value", [None, "", "   ", 12, ["https://x"], {"url": "https://x"}])
def test_blank_or_non_string_urls_are_ignored(value: Any) -> None:
    s = snap("aurora", {"id": JOB_ID, "status": "running", "video_output": value})
    assert s.result_urls == ()
    assert s.result_url is None


def test_video_output_only_counts_where_it_is_the_result_field() -> None:
    s = snap("aurora", {"id": JOB_ID, "output": f"{CDN}/x.mp4",
                        "generated_video_url": f"{CDN}/y.mp4"})
    assert s.result_urls == ()


def test_asset_generator_assets_array() -> None:
    s = snap("asset_generator", {"id": JOB_ID, "status": "done", "assets": [
        {"id": "1", "type": "image", "url": f"{CDN}/1.png", "thumbnail_url": f"{CDN}/1t.png"},
        {"id": "2", "type": "image", "url": f"{CDN}/2.png"},
        {"id": "3", "type": "image", "url": ""},
        {"id": "4", "type": "image"},
        "not-a-dict",
        None,
        {"id": "5", "url": f"{CDN}/1.png"},
    ]})
    assert s.result_urls == (f"{CDN}/1.png", f"{CDN}/2.png")
    assert s.thumbnails == (f"{CDN}/1t.png",)


def test_asset_generator_documented_string_form() -> None:
    s = snap("asset_generator", {"id": JOB_ID, "status": "done", "assets": f"{CDN}/one.png"})
    assert s.result_urls == (f"{CDN}/one.png",)
    blank = snap("asset_generator", {"id": JOB_ID, "status": "done", "assets": "  "})
    assert blank.result_urls == ()


@pytest.mark.parametrize("assets", [None, {}, {"url": f"{CDN}/x"}, 5, []])
def test_asset_generator_other_assets_forms(assets: Any) -> None:
    assert snap("asset_generator", {"id": JOB_ID, "assets": assets}).result_urls == ()


def test_text_generator_response_text() -> None:
    s = snap("text_generator", REALISTIC["text_generator"])
    assert s.response_text == "Sip happy: the mug that keeps up."
    assert s.result_urls == ()
    assert s.credits_used == Decimal("0.25")
    running = snap("text_generator", {"id": JOB_ID, "status": "running",
                                      "response_text": None})
    assert running.response_text is None
    assert snap("text_generator", {"id": JOB_ID, "response_text": 42}).response_text is None


def test_product_to_videos_photo_only_before_video() -> None:
    s = snap("product_to_videos", {"id": JOB_ID, "status": "video_generating",
                                   "generated_photo_url": f"{CDN}/p.png",
                                   "generated_video_url": ""})
    assert s.status is JobStatus.RUNNING
    assert s.result_urls == (f"{CDN}/p.png",)


# --- credits, duration, reason, thumbnails, timestamps, name, preview --------------------


@pytest.mark.parametrize(("raw", "expected"), [
    (5, Decimal(5)), (0, Decimal(0)), (2.5, Decimal("2.5")), ("12", Decimal(12)),
    ("0.75", Decimal("0.75")), ("abc", None), ("", None), (None, None), (True, None),
    (math.nan, None), (math.inf, None), ("NaN", None), ([1], None), ({"n": 1}, None),
])
def test_credits_used(raw: Any, expected: Decimal | None) -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "credits_used": raw})
    assert s.credits_used == expected
    if expected is not None:
        assert isinstance(s.credits_used, Decimal)


def test_credits_used_zero_is_zero_not_none() -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "status": "running", "credits_used": 0})
    assert s.credits_used is not None
    assert s.credits_used == 0


def test_credits_used_absent_is_none() -> None:
    assert snap("link_to_videos", {"id": JOB_ID, "status": "running"}).credits_used is None


@pytest.mark.parametrize(("raw", "expected"), [
    (30, 30.0), (0, 0.0), (12.5, 12.5), ("31", 31.0), ("31.5", 31.5), (-1, None),
    (None, None), ("x", None), (True, None), (math.nan, None), ([30], None),
])
def test_duration(raw: Any, expected: float | None) -> None:
    s = snap("text_to_speech", {"id": JOB_ID, "duration": raw})
    assert s.duration == expected
    if expected is not None:
        assert isinstance(s.duration, float)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Face not detected in image", "Face not detected in image"), ("", None), (None, None),
    (500, "500"),
])
def test_failed_reason(raw: Any, expected: str | None) -> None:
    s = snap("aurora", {"id": JOB_ID, "status": "failed", "failed_reason": raw})
    assert s.status is JobStatus.FAILED
    assert s.failed_reason == expected


def test_thumbnails_from_every_field_deduplicated() -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "video_thumbnail": f"{CDN}/a.jpg",
                                "thumbnail_url": f"{CDN}/b.jpg", "thumbnail": f"{CDN}/a.jpg"})
    assert s.thumbnails == (f"{CDN}/a.jpg", f"{CDN}/b.jpg")
    assert snap("link_to_videos", {"id": JOB_ID, "video_thumbnail": None}).thumbnails == ()


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, 0, tzinfo=UTC)),
    ("2026-05-01T10:00:00.5Z", datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
    ("2026-05-01T10:00:00+00:00", datetime(2026, 5, 1, 10, 0, tzinfo=UTC)),
    ("2026-05-01T12:00:00+02:00", datetime(2026, 5, 1, 10, 0, tzinfo=UTC)),
    ("yesterday", None), ("", None), (None, None), (1714557600, None),
])
def test_timestamps(raw: Any, expected: datetime | None) -> None:
    s = snap("aurora", {"id": JOB_ID, "created_at": raw, "updated_at": raw})
    assert s.created_at == expected
    assert s.updated_at == expected
    if expected is not None:
        assert s.created_at is not None
        assert s.created_at.utcoffset() is not None


def test_name_and_preview() -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "name": "Spring ad",
                                "preview": "https://app.creatify.ai/p/1"})
    assert s.name == "Spring ad"
    assert s.preview_url == "https://app.creatify.ai/p/1"
    odd = snap("link_to_videos", {"id": JOB_ID, "name": 7, "preview": ""})
    assert odd.name is None
    assert odd.preview_url is None


def test_unknown_extra_fields_are_ignored_but_kept_raw() -> None:
    body = {**REALISTIC["aurora"], "brand_new_field": {"nested": [1, 2]}, "x": None}
    s = snap("aurora", body)
    assert s == snap("aurora", REALISTIC["aurora"])
    assert s.raw["brand_new_field"] == {"nested": [1, 2]}


def test_integer_id_is_accepted_as_text() -> None:
    assert snap("aurora", {"id": 12345, "status": "done"}).id == "12345"
    assert snap("aurora", {"id": 0}).id == "0"


def test_snapshot_does_not_alias_the_body() -> None:
    body = {"id": JOB_ID, "status": "running"}
    s = snap("aurora", body)
    body["status"] = "done"
    assert s.raw["status"] == "running"


# --- malformed bodies -------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    [], [REALISTIC["aurora"]], "done", "", None, 42, 4.2, True,
    {}, {"status": "done"}, {"id": None}, {"id": True}, {"id": False}, {"id": ""},
    {"id": ["x"]}, {"id": {"v": "x"}}, {"id": 1.5},
])
@pytest.mark.parametrize("key", sorted(JOB_RESOURCES))
def test_malformed_bodies_raise_malformed_response_error(key: str, body: Any) -> None:
    with pytest.raises(MalformedResponseError) as info:
        snap(key, body)
    assert key in info.value.message
    assert info.value.retryable


# --- property: anything JSON-like in, only MalformedResponseError out --------------------

REAL_KEYS = ("id", "status", "progress", "output", "video_output", "generated_photo_url",
             "generated_video_url", "assets", "response_text", "generated_scripts",
             "credits_used", "duration", "failed_reason", "video_thumbnail", "thumbnail_url",
             "thumbnail", "preview", "name", "created_at", "updated_at")

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=20)
           | st.sampled_from(["done", "running", "image_generated", "45", "45%", "0.45",
                              "nan", "inf", "2026-05-01T10:00:00Z", "https://x/y.mp4", ""]))
json_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(REAL_KEYS), children, max_size=4),
    max_leaves=12,
)
job_like = st.dictionaries(st.sampled_from(REAL_KEYS), json_like, max_size=len(REAL_KEYS))
with_id = st.builds(lambda d, i: {**d, "id": i}, job_like,
                    st.uuids().map(str) | st.integers() | json_like)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(JOB_RESOURCES)), body=json_like | job_like | with_id)
def test_any_json_like_body_gives_a_snapshot_or_malformed(key: str, body: Any) -> None:
    res: Resource = JOB_RESOURCES[key]
    try:
        s = snapshot_from(res, body)
    except MalformedResponseError:
        return
    assert isinstance(s, JobSnapshot)
    assert s.progress is None or 0.0 <= s.progress <= 1.0
    assert isinstance(s.status, JobStatus)
    assert all(isinstance(u, str) and u.strip() for u in s.result_urls)
    assert all(isinstance(u, str) and u.strip() for u in s.thumbnails)
    assert s.credits_used is None or s.credits_used.is_finite()
    assert s.duration is None or s.duration >= 0
    if s.status is JobStatus.DONE:
        assert s.progress == 1.0


# --- the docs' December 2026 shapes: preview signal, previews[] items, scripts, credits --------

DOCS_PREVIEW_ITEM = {
    "media_job": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "visual_style": "FullScreenTemplate",
    "aspect_ratio": "9x16", "url": "https://app.creatify.ai/preview?layout=a",
    "editor_url": "https://app.creatify.ai/editor/a", "duration": 31,
}


@pytest.mark.parametrize("status", ["pending", "running", "done", "in_queue"])
def test_preview_ready_follows_the_preview_field_whatever_the_status(status: str) -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "status": status,
                                "preview": "https://video.creatify.ai/preview?layout=x"})
    assert s.preview_ready
    assert s.status is not JobStatus.FAILED


@pytest.mark.parametrize("status", ["pending", "running", "done"])
def test_preview_ready_from_previews_list(status: str) -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "status": status, "previews": [DOCS_PREVIEW_ITEM]})
    assert s.preview_ready
    assert s.preview_url is None


@pytest.mark.parametrize("body", [
    {"status": "done"}, {"status": "pending", "preview": None},
    {"status": "pending", "preview": ""},
    {"status": "running", "previews": []}, {"status": "done", "previews": [{"url": "https://x"}]},
])
def test_not_preview_ready(body: dict[str, Any]) -> None:
    assert not snap("link_to_videos", {"id": JOB_ID, **body}).preview_ready


def test_docs_preview_item_is_read_whole() -> None:
    s = snap("link_to_videos", {"id": JOB_ID, "status": "pending", "previews": [DOCS_PREVIEW_ITEM]})
    (p,) = s.previews
    assert p.media_job == DOCS_PREVIEW_ITEM["media_job"]
    assert p.visual_style == "FullScreenTemplate"
    assert p.preview_url == "https://app.creatify.ai/preview?layout=a"
    assert p.editor_url == "https://app.creatify.ai/editor/a"
    assert p.aspect_ratio == "9x16"
    assert p.duration == 31.0
    assert p.thumbnail_url is None


def test_old_preview_item_keys_are_accepted() -> None:
    old = {"media_job": "m1", "visual_style": "Vanilla", "preview_url": "https://p/old",
           "thumbnail_url": "https://t/old", "status": "done", "duration": 12.5}
    (p,) = snap("link_to_videos", {"id": JOB_ID, "previews": [old]}).previews
    assert (p.preview_url, p.thumbnail_url, p.status, p.duration) == \
        ("https://p/old", "https://t/old", "done", 12.5)
    assert p.editor_url is None and p.aspect_ratio is None


def test_url_wins_over_preview_url_when_both_are_sent() -> None:
    both = {**DOCS_PREVIEW_ITEM, "preview_url": "https://p/old"}
    (p,) = snap("link_to_videos", {"id": JOB_ID, "previews": [both]}).previews
    assert p.preview_url == DOCS_PREVIEW_ITEM["url"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("9x16", "9x16"), ("9:16", "9x16"), ("16:9", "16x9"), (" 1X1 ", "1x1"), ("wide", None),
    ("", None), (None, None), (916, None), ("9x", None),
])
def test_preview_aspect_ratio_both_spellings(raw: Any, expected: str | None) -> None:
    item = {**DOCS_PREVIEW_ITEM, "aspect_ratio": raw}
    (p,) = snap("link_to_videos", {"id": JOB_ID, "previews": [item]}).previews
    assert p.aspect_ratio == expected


def test_style_preview_json_round_trip_keeps_the_new_fields() -> None:
    from app.api.snapshot import parse_previews
    (p,) = snap("link_to_videos", {"id": JOB_ID, "previews": [DOCS_PREVIEW_ITEM]}).previews
    assert parse_previews([p.to_json()]) == (p,)


SCRIPT = "Meet the mug.\nIt keeps coffee hot for six hours.\nGet yours today."


@pytest.mark.parametrize("paragraphs", [SCRIPT, SCRIPT.split("\n")], ids=["string", "list"])
def test_ai_scripts_paragraphs_string_or_list(paragraphs: Any) -> None:
    body = {"id": JOB_ID, "status": "done", "generated_scripts": [
        {"paragraphs": paragraphs, "script_name": "s1", "script_style": "DIY", "title": "Mug"},
        {"paragraphs": "Second script.", "script_name": "s2", "title": ""},
    ]}
    assert snap("ai_scripts", body).response_text == f"Mug\n{SCRIPT}\n\ns2\nSecond script."


def test_ai_scripts_whole_string_is_not_split_into_characters() -> None:
    body = {"id": JOB_ID, "generated_scripts": [{"paragraphs": "One line.", "title": "T"}]}
    assert snap("ai_scripts", body).response_text == "T\nOne line."


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", Decimal(12)), ("0.5", Decimal("0.5")), (" 3 ", Decimal(3)), (12, Decimal(12)),
    ("twelve", None),
])
def test_asset_generator_credits_used_as_string(raw: Any, expected: Decimal | None) -> None:
    s = snap("asset_generator", {"id": JOB_ID, "status": "done", "credits_used": raw})
    assert s.credits_used == expected


# --- AI Ad Template (inspiration) jobs and Image Ads ------------------------------------------

@pytest.mark.parametrize(("raw", "status"), [
    ("done", JobStatus.DONE), ("failed", JobStatus.FAILED), ("pending", JobStatus.PENDING),
    ("processing", JobStatus.RUNNING), ("rendering_step_2", JobStatus.RUNNING),
    ("", JobStatus.RUNNING), (None, JobStatus.RUNNING),
])
def test_inspiration_status_is_a_free_string(raw: Any, status: JobStatus,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """The docs name only "done": a word we do not know means still running, quietly."""
    with caplog.at_level(logging.WARNING):
        s = snap("inspiration_jobs", {"id": JOB_ID, "status": raw, "failed_reason": ""})
    assert s.status is status
    assert not s.is_terminal or status in (JobStatus.DONE, JobStatus.FAILED)
    assert "unknown status" not in caplog.text


@pytest.mark.parametrize("raw", ["done", "processing", "", None])
def test_inspiration_failed_reason_means_failed_whatever_the_status(raw: Any) -> None:
    s = snap("inspiration_jobs", {"id": JOB_ID, "status": raw,
                                  "failed_reason": "The template could not use the image."})
    assert s.status is JobStatus.FAILED
    assert s.is_terminal
    assert s.failed_reason == "The template could not use the image."
    blank = snap("inspiration_jobs", {"id": JOB_ID, "status": "done", "failed_reason": "  "})
    assert blank.status is JobStatus.DONE


def test_a_failed_reason_does_not_fail_other_resources() -> None:
    """Only where the docs make it the failure signal (elsewhere it may be a copy-pasted
    description's leftovers)."""
    s = snap("lipsyncs", {"id": JOB_ID, "status": "running", "failed_reason": "odd"})
    assert s.status is JobStatus.RUNNING


@pytest.mark.parametrize(("output", "urls"), [
    ([f"{CDN}/a.mp4", f"{CDN}/b.png"], (f"{CDN}/a.mp4", f"{CDN}/b.png")),
    ([{"url": f"{CDN}/a.mp4", "type": "video"}, {"url": f"{CDN}/b.png"}],
     (f"{CDN}/a.mp4", f"{CDN}/b.png")),
    (f'["{CDN}/a.mp4"]', (f"{CDN}/a.mp4",)),
    (f'[{{"url": "{CDN}/a.mp4"}}, {{"url": "{CDN}/b.png"}}]', (f"{CDN}/a.mp4", f"{CDN}/b.png")),
    (f'{{"url": "{CDN}/a.mp4"}}', (f"{CDN}/a.mp4",)),
    (f"{CDN}/a.mp4", (f"{CDN}/a.mp4",)),
    ("List of generated assets.", ()),
    ("[not json", ()), ("", ()), (None, ()), ([], ()), ([5, None, {"url": ""}], ()),
    ('[[["https://x/deep.mp4"]]]', ()),
])
def test_inspiration_output_is_a_list_or_json_text(output: Any, urls: tuple[str, ...]) -> None:
    s = snap("inspiration_jobs", {"id": JOB_ID, "status": "done", "output": output})
    assert s.result_urls == urls


def test_image_ads_give_every_output_url_once() -> None:
    s = snap("iab_images", {"id": JOB_ID, "status": "done", "output": [
        {"name": "a", "url": f"{CDN}/1.png"}, {"name": "b", "url": f"{CDN}/2.png"},
        {"name": "again", "url": f"{CDN}/1.png"}, {"name": "none"}, "junk"]})
    assert s.result_urls == (f"{CDN}/1.png", f"{CDN}/2.png")
    assert s.credits_used is None
    failed = snap("iab_images", {"id": JOB_ID, "status": "failed", "output": [],
                                 "failed_reason": "Unreadable image"})
    assert failed.status is JobStatus.FAILED and failed.result_urls == ()
