"""A job's request back into its generator's form: for every generator and flow, the form
values sent come back (form → request body → form), what cannot come back is named, and a
text result goes into a script field."""

from __future__ import annotations

from typing import Any

import pytest

from app.generators import SPECS, Flow, GeneratorSpec, spec
from app.generators.reuse import (
    SCRIPT_TARGETS,
    ReuseError,
    form_values,
    gives_script,
    reuse,
    script_of,
)
from app.generators.spec import is_empty
from app.generators.submit import request_body
from tests.samples import Inputs, valid_values

TAG = "a1b2c3d4"

RICHER: dict[str, dict[str, Any]] = {
    # Fields whose build step nests, renames or adds: set so the round trip covers them.
    "url_to_video": {"name": "Blue mug", "target_audience": "students",
                     "caption_font_size": 40, "caption_text_color": "#FFFFFF",
                     "caption_offset_x": 0.1, "caption_offset_y": -0.2, "caption_hidden": True,
                     "no_cta": True, "background_music_volume": 0.5,
                     "override_script": "Meet the mug."},
    "avatar_v2": {"name": "Two scenes",
                  "scenes": [{"avatar_id": Inputs().persona_id, "avatar_style": "normal",
                              "voice_id": Inputs().accent_id, "input_text": "First scene.",
                              "background_url": Inputs().image_url,
                              "background_type": "image"},
                             {"avatar_id": Inputs().persona_id, "avatar_style": "circle",
                              "voice_id": Inputs().accent_id, "input_text": "Second."}],
                  "background_music_url": "https://cdn.example.com/song.mp3",
                  "background_music_volume": 0.3},
    "text_generator": {"system_instruction": "Be brief.", "temperature": 0.4,
                       "max_output_tokens": 300},
    "aurora": {"model_version": "aurora_v2", "resolution": "1080p", "text_prompt": "smile"},
    "avatar_v1": {"no_music": True, "caption_style": "neo", "model_version": "aurora_v1"},
}


def form(gen: GeneratorSpec) -> dict[str, Any]:
    return {**gen.defaults(), **valid_values(gen.key), **RICHER.get(gen.key, {})}


CASES = [pytest.param(g, f, id=f"{g.key}-{f.value}") for g in SPECS for f in g.flows]


def sent_fields(gen: GeneratorSpec, flow: Flow, values: dict[str, Any]) -> list[str]:
    """The fields whose value goes into the body in ``flow`` (the rest is never sent)."""
    return [f.name for f in gen.fields if f.applies_to(flow) and not is_empty(values.get(f.name))
            and (f.wire != "" or (gen.key in ("url_to_video", "avatar_v2", "custom_template")
                 and f.name not in ("product_url",)))
            and not (gen.key == "aurora" and f.name == "resolution"
                     and values.get("model_version") != "aurora_v2")]


@pytest.mark.parametrize(("gen", "flow"), CASES)
def test_every_generator_round_trips_the_fields_it_sends(gen: GeneratorSpec,
                                                         flow: Flow) -> None:
    values = form(gen)
    body = request_body(gen, values, TAG, flow)
    back = form_values(gen, body, name_tag=TAG, flow=flow.value)
    assert back.flow is flow and back.generator == gen.key
    for name in sent_fields(gen, flow, values):
        if name == gen.styles_field and flow is not Flow.COMPARE_STYLES:
            continue
        assert name in back.values, f"{name} did not come back"
        expected = values[name]
        expected = list(expected) if isinstance(expected, tuple) else expected
        expected = expected.strip() if isinstance(expected, str) else expected
        assert back.values[name] == expected, name
    # Filled again, the form sends the very same body.
    refilled = {**gen.defaults(), **back.values}
    for f in gen.fields:  # what could not come back is entered again, as the form says
        if f.name not in back.values and f.wire == "" and f.name in values:
            refilled[f.name] = values[f.name]
    assert request_body(gen, refilled, TAG, flow) == body


@pytest.mark.parametrize("gen", SPECS, ids=lambda g: g.key)
def test_what_cannot_come_back_is_named_not_guessed(gen: GeneratorSpec) -> None:
    values = form(gen)
    back = form_values(gen, request_body(gen, values), flow="create")
    never_sent = [f.label for f in gen.fields if f.wire == "" and f.applies_to(Flow.CREATE)
                  and f.name not in back.values and f.name != gen.styles_field]
    for label in never_sent:
        assert label in back.lost
    if gen.duration.kind.value == "media":
        assert any(gen.duration.label in item for item in back.lost)
    for name in back.values:
        assert name in {f.name for f in gen.fields}, f"{name} is not a field of {gen.key}"


def test_product_video_names_its_source_job_as_lost() -> None:
    gen = spec("product_video")
    back = form_values(gen, request_body(gen, form(gen)))
    assert "source_job" not in back.values and "Product job" in back.lost


def test_the_name_tag_comes_off_and_a_long_name_stays_as_sent() -> None:
    gen = spec("aurora")
    body = request_body(gen, {**form(gen), "name": "Spring launch"}, TAG)
    assert body["name"] == f"Spring launch [{TAG}]"
    assert reuse("aurora", body, name_tag=TAG).values["name"] == "Spring launch"


def test_a_render_or_an_unknown_generator_is_refused_in_words() -> None:
    with pytest.raises(ReuseError, match="preview"):
        reuse("url_to_video", {"render_of": "abc"})
    with pytest.raises(ReuseError, match="not known"):
        reuse("no_such_generator", {})


def test_an_unknown_flow_falls_back_to_create() -> None:
    gen = spec("links")
    assert form_values(gen, {"url": "https://x.example.com/"}, flow="nonsense").flow \
        is Flow.CREATE


def test_a_text_result_fills_each_script_target() -> None:
    assert gives_script("ai_scripts") and gives_script("text_generator")
    assert not gives_script("url_to_video") and not gives_script("nothing")
    for target, field in SCRIPT_TARGETS:
        values = script_of("  Meet the mug.\n\nIt keeps coffee hot. ", target)
        assert values == {field: "Meet the mug.\n\nIt keeps coffee hot."}
        assert spec(target).field(field).kind.value == "multiline"
    with pytest.raises(ValueError, match="no text"):
        script_of("  ", "url_to_video")
    with pytest.raises(ValueError, match="takes no script"):
        script_of("text", "links")
