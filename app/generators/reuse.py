"""A job's request turned back into its generator's form ("Use these settings again").

A job's ledger record keeps the **body sent**, not the form: fields are under their wire
names, and some specs build nested objects (URL to Video's ``caption_setting``, avatar v2's
``video_inputs`` and ``background_music``, Custom Template's ``variables``, the Text
Generator's ``messages`` and ``config``). :func:`form_values` undoes what each spec's build
step does; what a body cannot give back (a field never sent, or derived) is named in
:attr:`Reuse.lost`, never guessed. :func:`script_of` and :data:`SCRIPT_TARGETS` carry a text
result into another generator's script field ("Use this script").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.generators._links import CAPTION_SETTING_FIELDS
from app.generators.catalogue import BY_KEY
from app.generators.spec import DurationKind, Flow, GeneratorSpec, ResultKind

SCRIPT_TARGETS: tuple[tuple[str, str], ...] = (
    ("url_to_video", "override_script"),
    ("avatar_v1", "text"),
    ("text_to_speech", "script"),
)
"""Where "Use this script" sends a text result: (generator, its script field)."""


@dataclass(frozen=True, slots=True)
class Reuse:
    """The form values a job's request gives back, its flow, and what it cannot give back
    (field labels, and the entered length where the generator has one)."""

    generator: str
    values: dict[str, Any]
    flow: Flow
    lost: tuple[str, ...] = ()


class ReuseError(ValueError):
    """The job's settings cannot fill a form (a render step, an unknown generator)."""


def _unbuild_url_to_video(request: Mapping[str, Any], values: dict[str, Any]) -> None:
    setting = request.get("caption_setting")
    if not isinstance(setting, Mapping):
        return
    for name, path in CAPTION_SETTING_FIELDS.items():
        node: Any = setting
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            values[name] = node


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _unbuild_avatar_v2(request: Mapping[str, Any], values: dict[str, Any]) -> None:
    scenes = []
    for item in request.get("video_inputs") or ():
        if not isinstance(item, Mapping):
            continue
        character = _mapping(item.get("character"))
        voice = _mapping(item.get("voice"))
        scene: dict[str, Any] = {"avatar_id": character.get("avatar_id"),
                                 "avatar_style": character.get("avatar_style") or "normal",
                                 "input_text": voice.get("input_text", ""),
                                 "voice_id": voice.get("voice_id")}
        background = item.get("background")
        if isinstance(background, Mapping) and background.get("url"):
            scene["background_url"] = background["url"]
            scene["background_type"] = background.get("type") or "image"
        scenes.append(scene)
    values["scenes"] = scenes
    music = request.get("background_music")
    if isinstance(music, Mapping):
        if music.get("url"):
            values["background_music_url"] = music["url"]
        if music.get("volume") is not None:
            values["background_music_volume"] = music["volume"]


def _unbuild_text(request: Mapping[str, Any], values: dict[str, Any]) -> None:
    messages = request.get("messages")
    if isinstance(messages, list):
        texts = [m.get("content") for m in messages
                 if isinstance(m, Mapping) and m.get("role") == "user"
                 and isinstance(m.get("content"), str)]
        if texts:
            values["prompt"] = texts[-1]
    config = request.get("config")
    if isinstance(config, Mapping):
        values.update({k: config[k] for k in ("temperature", "max_output_tokens")
                       if k in config})


def _unbuild_template(request: Mapping[str, Any], values: dict[str, Any]) -> None:
    variables = request.get("variables")
    if not isinstance(variables, Mapping):
        return
    form: dict[str, Any] = {}
    for name, spec in variables.items():
        if not isinstance(spec, Mapping):
            continue
        props = spec.get("properties")
        value = next(iter(props.values()), None) if isinstance(props, Mapping) else None
        form[str(name)] = {"type": spec.get("type"), "value": value}
    values["variables"] = form


_UNBUILD: dict[str, Callable[[Mapping[str, Any], dict[str, Any]], None]] = {
    "url_to_video": _unbuild_url_to_video,
    "avatar_v2": _unbuild_avatar_v2,
    "text_generator": _unbuild_text,
    "custom_template": _unbuild_template,
}
"""The specs whose build step nests or renames fields: how to undo it."""


def _lost(spec: GeneratorSpec, values: Mapping[str, Any], flow: Flow) -> tuple[str, ...]:
    """What the body cannot give back: fields never sent as such that it left empty, and
    the length entered beside the form."""
    lost = []
    for f in spec.fields:
        if f.wire == "" and f.applies_to(flow) and f.name not in values \
                and not (f.name == spec.styles_field and flow is not Flow.COMPARE_STYLES):
            lost.append(f.label)
    if spec.duration.kind is DurationKind.MEDIA:
        lost.append(f"{spec.duration.label} (enter it again)")
    return tuple(lost)


def form_values(spec: GeneratorSpec, request: Mapping[str, Any], *,
                name_tag: str | None = None, flow: str | Flow = Flow.CREATE) -> Reuse:
    """The form values of ``spec`` that ``request`` (a body the app sent) holds.

    The app's tag on the job's ``name`` (`` [tag]``) is taken off; a compare-styles body's
    list of styles fills the styles field. :class:`ReuseError` for a render step (its body
    names the preview only)."""
    if "render_of" in request:
        raise ReuseError("A render has no settings of its own: use the preview's job.")
    try:
        chosen = Flow(flow)
    except ValueError:
        chosen = Flow.CREATE
    if chosen not in spec.flows:
        chosen = Flow.CREATE
    values = spec.values_from_request(request)
    for name, value in list(values.items()):
        if isinstance(value, tuple):
            values[name] = list(value)
    unbuild = _UNBUILD.get(spec.key)
    if unbuild is not None:
        unbuild(request, values)
    if spec.styles_field and isinstance(request.get(spec.styles_field), list):
        values[spec.styles_field] = list(request[spec.styles_field])
    if name_tag and isinstance(values.get("name"), str):
        values["name"] = values["name"].removesuffix(f" [{name_tag}]")
    return Reuse(spec.key, values, chosen, _lost(spec, values, chosen))


def reuse(generator: str, request: Mapping[str, Any], *, name_tag: str | None = None,
          flow: str = Flow.CREATE) -> Reuse:
    """:func:`form_values` for a job of ``generator`` (:class:`ReuseError` when that
    generator is not known any more)."""
    spec = BY_KEY.get(generator)
    if spec is None:
        raise ReuseError(f"The generator {generator!r} is not known any more.")
    return form_values(spec, request, name_tag=name_tag, flow=flow)


def gives_script(generator: str) -> bool:
    """True for a generator whose result is a text a script field can take (AI Scripts, the
    Text Generator)."""
    spec = BY_KEY.get(generator)
    return spec is not None and spec.result_kind is ResultKind.TEXT


def script_of(text: str | None, target: str) -> dict[str, Any]:
    """The form values that put ``text`` in ``target``'s script field (a text over the
    field's limit is kept whole: the form says it is too long). ``ValueError`` for a
    generator that takes no script, or an empty text."""
    fields = dict(SCRIPT_TARGETS)
    if target not in fields:
        raise ValueError(f"{target!r} takes no script")
    if text is None or not text.strip():
        raise ValueError("The job has no text to use.")
    return {BY_KEY[target].field(fields[target]).name: text.strip()}


__all__ = ["SCRIPT_TARGETS", "Reuse", "ReuseError", "form_values", "gives_script", "reuse",
           "script_of"]
