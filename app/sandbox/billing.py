"""Billing: the sandbox's own reading of the billing page — prices and billed lengths.

It deliberately does not import ``app.pricing``: the sandbox is an independent check of the
estimator. Money is :class:`~decimal.Decimal`; it goes out as a JSON int when whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.jobs import Job, Length

if TYPE_CHECKING:
    from app.sandbox.account import Account

WORDS_PER_MINUTE = 150
PRODUCT_VIDEO_LENGTH = Decimal(8)


# --------------------------------------------------------------------------------------------
# Counting: words, seconds of speech, billed blocks


def _words(*texts: str) -> int:
    return sum(len(t.split()) for t in texts)


def _speech_seconds(words: int) -> Decimal:
    """Seconds of speech at 150 words per minute, rounded up, at least 1."""
    return Decimal(max(1, -(-words * 60 // WORDS_PER_MINUTE)))


def billed_blocks(length: Decimal, size: int | Decimal) -> int:
    """How many started ``size``-second blocks ``length`` seconds bill (at least one)."""
    return max(1, math.ceil(length / Decimal(size)))


# --------------------------------------------------------------------------------------------
# Prices


AURORA_MODEL_RATES = {"aurora_v1": Decimal(1), "aurora_v1_fast": Decimal("0.5")}
AURORA_V2_RATES = {"480p": Decimal("0.4"), "720p": Decimal("0.7"), "1080p": Decimal("1.4"),
                   "2k": Decimal("2.8")}
VIDEO_MODEL_RATES = {**AURORA_MODEL_RATES, "aurora_v2": Decimal("0.7")}
"""``model_version`` values a video job bills per started second (URL to Video's
``aurora_v2`` is 0.7 credit/s)."""
BOREAL_RATE = Decimal(10)
"""``model_version`` ``boreal`` on URL to Video: 10 credits per started 30 s."""
REGEN_IMAGE_PRICE = Decimal(2)
"""The docs give no price for ``regen_image``: the sandbox charges it as a new image (2)."""
REGEN_VIDEO_PRICE = Decimal(1)
"""``regen_video``: "Regenerating a video this endpoint costs 1 credit"."""


def length_of(job: Job) -> Decimal:
    assert job.length is not None
    return job.length


def _model_version(job: Job) -> str:
    return job.body.get("model_version") or ""


def video_price(job: Job) -> Decimal:
    """5 per started 30 s; per started second for a per-second ``model_version`` (Aurora
    models), 10 per started 30 s for ``boreal``."""
    model = _model_version(job)
    rate = VIDEO_MODEL_RATES.get(model)
    if rate is not None:
        return rate * billed_blocks(length_of(job), 1)
    if model == "boreal":
        return BOREAL_RATE * billed_blocks(length_of(job), 30)
    return 5 * Decimal(billed_blocks(length_of(job), 30))


def preview_price(job: Job) -> Decimal:
    """A preview costs 1 per started 30 s, whatever the model (the billing page's split)."""
    return Decimal(billed_blocks(length_of(job), 30))


def render_price(job: Job) -> Decimal:
    """The render: the rest of the one-step price (4 per 30 s) — or, for any other
    ``model_version`` than ``standard`` (Aurora models, ``boreal``), the full price (the
    billing page gives no split for them; our estimator assumes the same, so that it never
    under-estimates)."""
    full = job.behaviour.price(job)
    if _model_version(job) not in ("", "standard"):
        return full
    return full - preview_price(job)


def aurora_price(job: Job) -> Decimal:
    model = job.body.get("model_version") or "aurora_v1"
    if model == "aurora_v2":
        rate = AURORA_V2_RATES[job.body.get("resolution") or "720p"]
    else:
        rate = AURORA_MODEL_RATES[model]
    return rate * billed_blocks(length_of(job), 1)


def tts_price(job: Job) -> Decimal:
    return Decimal(billed_blocks(length_of(job), 30))


def ads_clone_price(job: Job) -> Decimal:
    return 12 * Decimal(billed_blocks(length_of(job), 5))


def asset_price(job: Job) -> Decimal:
    """The model's price per output × outputs, plus its reference surcharge (``job.length``
    is the reference videos' length: see :func:`asset_reference_length`)."""
    return ASSET_MODELS[job.body["model_name"]].price(job.body["input_params"], length_of(job))


def inspiration_price(job: Job) -> Decimal:
    """An AI Ad Template job costs its inspiration's ``credit_cost``."""
    return Decimal(INSPIRATIONS[job.body["inspiration_id"]].credit_cost)


IMAGE_AD_PRICE = Decimal(2)
"""Image Ads: "each request consumes 2 credits"."""


def _text_tokens(job: Job) -> int:
    prompt = [m["content"] for m in job.body["messages"]]
    prompt.append(job.body.get("system_instruction") or "")
    return math.ceil(Decimal(_words(*prompt, job.answer)) * Decimal("1.3"))


def text_price(job: Job) -> Decimal:
    """1 credit per started 1,000 tokens (tokens ≈ 1.3 × words of prompt and answer)."""
    return Decimal(billed_blocks(Decimal(_text_tokens(job)), 1000))


def flat(credits: int) -> Callable[[Job], Decimal]:
    return lambda job: Decimal(credits)


def product_video_price() -> Decimal:
    return 10 * Decimal(billed_blocks(PRODUCT_VIDEO_LENGTH, 30))


# --------------------------------------------------------------------------------------------
# Billed lengths (seconds)


def link_video_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    return Decimal(body.get("video_length") or 30)


def lipsync_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    if body.get("text"):
        return _speech_seconds(_words(body["text"]))
    return account.media_length(body["audio"])


def lipsync_v2_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    words = 0
    audio = Decimal(0)
    for scene in body["video_inputs"]:
        voice = scene.get("voice") or {}
        if voice.get("type") == "audio":
            audio += account.media_length(voice["audio_url"])
        else:
            words += _words(voice.get("input_text") or "")
    speech = _speech_seconds(words) if words or not audio else Decimal(0)
    return audio + speech


def asset_reference_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    """An Asset Generator task's billed seconds: the length of its reference videos (0 for
    most models), which a reference surcharge reads."""
    model = ASSET_MODELS[body["model_name"]]
    return model.reference_seconds(body["input_params"], account.media_length)


def script_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    return _speech_seconds(_words(body["script"]))


def media_field_length(name: str) -> Length:
    return lambda account, body: account.media_length(body[name])


def template_length(account: Account, body: Mapping[str, Any]) -> Decimal:
    lengths = [account.media_length(url)
               for var in body["variables"].values() if isinstance(var, dict)
               if var.get("type") in ("audio", "video")
               if isinstance(url := (var.get("properties") or {}).get("url"), str)]
    return max(lengths, default=Decimal(30))
