"""Request-body validation: one small check per field kind (DRF's messages) and the
cross-field checks run after the fields passed (``schema_check`` holds the JSON Schema check of
``input_params``).

A refused body raises :class:`~app.sandbox.wire.ApiError` (400) with DRF's shapes: a field
map, or a list of general messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.sandbox.catalogue import TEMPLATES, VARIABLE_PROPERTY
from app.sandbox.wire import REQUIRED, field_errors, general_error

if TYPE_CHECKING:
    from app.sandbox.account import Account

AURORA_MAX_AUDIO = {"aurora_v1": Decimal(300), "aurora_v1_fast": Decimal(300),
                    "aurora_v2": Decimal("59.7")}
"""Seconds of audio an Aurora job accepts per ``model_version`` (5 minutes for v1)."""
AURORA_V2_MAX_AUDIO_2K = Decimal("14.375")


# --------------------------------------------------------------------------------------------
# Request-body validation: one small check per field kind, DRF's messages


class Invalid(Exception):
    """A field value was refused; ``args[0]`` is the message."""


Check = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class F:
    """One accepted body field: its check (returns the normalised value) and if required."""

    name: str
    check: Check
    required: bool = False


def text(max_length: int | None = None) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise Invalid("Not a valid string.")
        if max_length is not None and len(value) > max_length:
            raise Invalid(f"Ensure this field has no more than {max_length} characters.")
        return value
    return check


def url(max_length: int | None = None) -> Check:
    as_text = text(max_length)

    def check(value: Any) -> Any:
        text = as_text(value)
        parts = urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid("Enter a valid URL.")
        return text
    return check


def number(low: float | None = None, high: float | None = None) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("A valid number is required.")
        if low is not None and value < low:
            raise Invalid(f"Ensure this value is greater than or equal to {low}.")
        if high is not None and value > high:
            raise Invalid(f"Ensure this value is less than or equal to {high}.")
        return value
    return check


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def image_file(value: Any) -> Any:
    """An image URL whose file is png, jpg, jpeg or webp (Image Ads' ``image``)."""
    address = url()(value)
    if not urlsplit(address.strip()).path.lower().endswith(IMAGE_SUFFIXES):
        raise Invalid("Unsupported image format: use a png, jpg, jpeg or webp image.")
    return address


def boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise Invalid("Must be a valid boolean.")
    return value


def json_object(value: Any) -> Any:
    if not isinstance(value, dict):
        raise Invalid(f'Expected a dictionary of items but got type "{type(value).__name__}".')
    return value


def choice(*choices: str | int) -> Check:
    by_text = {str(c): c for c in choices}

    def check(value: Any) -> Any:
        if isinstance(value, bool) or str(value) not in by_text:
            raise Invalid(f'"{value}" is not a valid choice.')
        return by_text[str(value)]
    return check


ASPECT_RATIOS = ("16x9", "1x1", "9x16")
_aspect_choice = choice(*ASPECT_RATIOS)


def aspect(value: Any) -> Any:
    """``9x16``; the older ``9:16`` spelling is accepted and normalised."""
    return _aspect_choice(value.replace(":", "x") if isinstance(value, str) else value)


def list_of(item: Check, *, min_items: int = 0, max_items: int | None = None) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise Invalid(f'Expected a list of items but got type "{type(value).__name__}".')
        if len(value) < min_items:
            raise Invalid("This list may not be empty." if min_items == 1
                          else f"Ensure this field has at least {min_items} elements.")
        if max_items is not None and len(value) > max_items:
            raise Invalid(f"Ensure this field has no more than {max_items} elements.")
        out = []
        for index, element in enumerate(value, 1):
            try:
                out.append(item(element))
            except Invalid as exc:
                raise Invalid(f"Item {index}: {exc.args[0]}") from None
        return out
    return check


def anything(value: Any) -> Any:
    return value


def validate_fields(specs: Sequence[F], body: Mapping[str, Any],
                    defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The accepted fields of ``body``, normalised (unknown fields dropped, defaults filled);
    :class:`ApiError` with a field map listing every refused field."""
    defaults = defaults or {}
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in specs:
        if spec.name not in body:
            if spec.required:
                errors[spec.name] = [REQUIRED]
            elif spec.name in defaults:
                out[spec.name] = defaults[spec.name]
            continue
        value = body[spec.name]
        if value is None:
            if spec.required:
                errors[spec.name] = ["This field may not be null."]
            else:
                out[spec.name] = None
            continue
        if spec.required and isinstance(value, str) and not value.strip():
            errors[spec.name] = ["This field may not be blank."]
            continue
        try:
            out[spec.name] = spec.check(value)
        except Invalid as exc:
            errors[spec.name] = [str(exc.args[0])]
    if errors:
        raise field_errors(errors)
    return out


# --------------------------------------------------------------------------------------------
# Cross-field checks (after the fields passed). They may normalise ``body`` in place.

BodyCheck = Callable[["Account", dict[str, Any]], None]


def check_link(account: Account, body: dict[str, Any]) -> None:
    if not account.has_link(body["link"]):
        raise field_errors({"link": ["Invalid link ID"]})


def check_lipsync(account: Account, body: dict[str, Any]) -> None:
    if not body.get("text") and not body.get("audio"):
        raise general_error("Either text or audio must be provided.")


def check_scenes(account: Account, body: dict[str, Any]) -> None:
    problems: list[str] = []
    for index, scene in enumerate(body["video_inputs"], 1):
        character = scene.get("character")
        if not isinstance(character, dict) or not isinstance(character.get("avatar_id"), str):
            problems.append(f"Scene {index}: character.avatar_id: {REQUIRED}")
        voice = scene.get("voice")
        if not isinstance(voice, dict):
            problems.append(f"Scene {index}: voice: {REQUIRED}")
        elif voice.get("type", "text") == "audio":
            try:
                url()(voice.get("audio_url"))
            except Invalid as exc:
                problems.append(f"Scene {index}: voice.audio_url: {exc.args[0]}")
        else:
            text = voice.get("input_text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"Scene {index}: voice.input_text: {REQUIRED}")
            elif len(text) > 2000:
                problems.append(f"Scene {index}: voice.input_text: Ensure this field has no "
                                "more than 2000 characters.")
        background = scene.get("background")
        if isinstance(background, dict) and background.get("url") is not None:
            try:
                url()(background["url"])
            except Invalid as exc:
                problems.append(f"Scene {index}: background.url: {exc.args[0]}")
    if problems:
        raise field_errors({"video_inputs": problems})


def check_aurora(account: Account, body: dict[str, Any]) -> None:
    model = body.get("model_version") or "aurora_v1"
    limit = AURORA_MAX_AUDIO[model]
    if model == "aurora_v2" and body.get("resolution") == "2k":
        limit = AURORA_V2_MAX_AUDIO_2K
    if account.media_length(body["audio"]) > limit:
        raise field_errors({"audio": [f"Audio must be at most {limit} seconds for {model}."]})


def _variable_problem(name: str, value: object, spec: Mapping[str, Any] | None) -> str | None:
    """What is wrong with one given template variable, or None."""
    if spec is None:
        return f"{name}: not a variable of this template."
    if not isinstance(value, dict):
        return f'{name}: expected {{"type", "properties"}}.'
    if value.get("type", spec["type"]) != spec["type"]:
        return f'{name}: type must be "{spec["type"]}".'
    props = value.get("properties")
    key = VARIABLE_PROPERTY[spec["type"]]
    if not isinstance(props, dict) or not isinstance(props.get(key), str) \
            or not props[key].strip():
        return f"{name}: properties.{key} is required."
    if key == "url":
        try:
            url()(props[key])
        except Invalid as exc:
            return f"{name}: properties.url: {exc.args[0]}"
    elif "max_length" in spec and len(props[key]) > spec["max_length"]:
        return f"{name}: Ensure this field has no more than {spec['max_length']} characters."
    return None


def check_template(account: Account, body: dict[str, Any]) -> None:
    """``variables`` checked against the template's (``GET /api/custom_templates/{id}/``):
    unknown template or variable, wrong type, a required one missing, a text too long."""
    template = TEMPLATES.get(body["template_id"])
    if template is None:
        raise field_errors({"template_id": [f'Invalid template "{body["template_id"]}".']})
    given = body["variables"]
    problems = [problem for name, value in given.items()
                if (problem := _variable_problem(name, value, template.variables.get(name)))]
    problems += [f"{name}: {REQUIRED}" for name, spec in template.variables.items()
                 if spec.get("required") and name not in given]
    if problems:
        raise field_errors({"variables": problems})


def check_scrape(url: str) -> None:
    if "fail-scrape" in url:
        raise general_error(f"Failed to scrape url: {url}")


def check_ai_script(account: Account, body: dict[str, Any]) -> None:
    if body.get("url"):
        check_scrape(body["url"])
    elif not (body.get("title") and body.get("description")):
        raise general_error("Either url, or title and description, must be provided.")


def check_link_media(link: Mapping[str, Any]) -> None:
    if not link.get("video_urls") and len(link.get("image_urls") or []) < 3:
        raise general_error("Link must have at least one image or one video.",
                            "Without videos, a link needs at least 3 image_urls.")
