"""Every field of every generator form, filled with hostile values: the spec answers with a
request body or with clear messages, never with another exception.

What the form does on each edit is what is checked (``ui/generator/tab.py``): the billed length
(``derive_seconds``, where only ``ValueError`` is expected), the field messages
(``validate``), the price (``quote``), and on Generate the body (``build_body``: a body, or
``SpecError`` with messages).
"""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.generators import SPECS, FieldKind, GeneratorSpec, SpecError, spec
from app.generators.quote import quote
from app.generators.spec import Flow
from app.generators.submit import request_body
from tests.reliability.hostile.strategies import (
    hostile,
    hostile_urls,
    json_values,
    odd_numbers,
    odd_text,
)
from tests.samples import valid_values

# A failing example's repr can be huge (the inputs are): report the failure, not that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

MAX_MESSAGE = 1000
"""A message longer than this is not a clear message (it repeats a huge input back)."""


def _for_kind(kind: FieldKind) -> st.SearchStrategy[Any]:
    """Hostile values a field of ``kind`` may receive (typed, dropped, pasted, retried)."""
    if kind in (FieldKind.URL, FieldKind.MUSIC):
        return st.one_of(hostile_urls, json_values)
    if kind in (FieldKind.INT, FieldKind.FLOAT):
        return st.one_of(odd_numbers, st.decimals(allow_nan=True, allow_infinity=True),
                         json_values)
    if kind is FieldKind.SCENES:
        scene = st.dictionaries(st.sampled_from(["avatar_id", "voice_id", "input_text",
                                                 "background_url", "caption_style", "x"]),
                                st.one_of(odd_text, hostile_urls, json_values), max_size=6)
        return st.one_of(st.lists(scene, max_size=25), json_values)
    if kind in (FieldKind.VARIABLES, FieldKind.SCHEMA_FORM):
        variable = st.dictionaries(st.sampled_from(["type", "value", "content", "url"]),
                                   st.one_of(odd_text, hostile_urls, json_values), max_size=4)
        return st.one_of(st.dictionaries(odd_text, st.one_of(variable, json_values),
                                         max_size=5), json_values)
    return st.one_of(odd_text, json_values)


def form_values(spec: GeneratorSpec) -> st.SearchStrategy[dict[str, Any]]:
    """A valid form with any subset of its fields replaced by hostile values (a fully valid
    start reaches the deeper code: the body builders run only once validation passes)."""
    start = {**spec.defaults(), **valid_values(spec.key)}
    fields = {f.name: st.one_of(st.just(copy.deepcopy(start.get(f.name))), _for_kind(f.kind))
              for f in spec.fields}
    extra = st.dictionaries(odd_text, json_values, max_size=3)
    return st.tuples(st.fixed_dictionaries(fields), extra).map(
        lambda pair: {**pair[1], **{k: v for k, v in pair[0].items() if v is not None}})


def _clear(message: object) -> None:
    assert isinstance(message, str) and message.strip(), repr(message)
    assert len(message) <= MAX_MESSAGE, \
        f"a {len(message):,}-character message: {message[:60]!r}…{message[-60:]!r}"
    assert "Traceback" not in message


def _check_form(spec: GeneratorSpec, values: dict[str, Any]) -> None:
    try:
        seconds = spec.derive_seconds(values)
    except ValueError:  # the tab treats this as "length not known"
        seconds = None
    assert seconds is None or (isinstance(seconds, int | float) and not math.isnan(seconds)), \
        seconds
    errors = spec.validate(values)
    assert isinstance(errors, dict)
    for field, message in errors.items():
        assert isinstance(field, str)
        _clear(message)
    for flow in spec.flows:
        q = quote(spec, values, seconds, flow=flow, balance=Decimal(500))
        if q.error is not None:
            _clear(q.error)
    try:
        body = spec.build_body(values)
    except SpecError as exc:
        assert exc.errors, "SpecError without a message"
        for message in exc.errors.values():
            _clear(message)
        return
    assert not errors, "a body was built from values that do not validate"
    assert isinstance(body, dict)
    json.dumps(body, allow_nan=False, default=str)  # it can go on the wire


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_every_field_of_every_form_answers_with_a_body_or_a_message(spec: GeneratorSpec
                                                                    ) -> None:
    @hostile
    @given(values=form_values(spec))
    def check(values: dict[str, Any]) -> None:
        _check_form(spec, values)

    check()


@hostile
@given(spec=st.sampled_from(SPECS), values=st.one_of(
    st.dictionaries(odd_text, json_values, max_size=8),
    st.dictionaries(st.sampled_from(["link", "script", "text", "url", "video_length", "scenes",
                                     "variables", "input_params", "model_name", "audio",
                                     "image", "prompt", "accent", "creator", "source_job"]),
                    json_values, max_size=8)))
def test_a_form_of_random_keys_never_crashes(spec: GeneratorSpec,
                                             values: dict[str, Any]) -> None:
    _check_form(spec, values)


@hostile
@given(spec=st.sampled_from(SPECS), values=form_values(SPECS[0]),
       flow=st.sampled_from(list(Flow)))
def test_a_form_for_the_wrong_generator_or_flow_gets_a_message(
        spec: GeneratorSpec, values: dict[str, Any], flow: Flow) -> None:
    """Dropped or retried values meant for another generator (the queue's "retry into the
    form" of an old job, a CSV row in the wrong tab)."""
    _check_form(spec, values)
    try:
        request_body(spec, values, "tag12345", flow)
    except SpecError as exc:
        for message in exc.errors.values():
            _clear(message)


# ---- what the properties above found (fixed in b873f53), kept as plain regressions --------


@pytest.mark.parametrize(("key", "values"), [
    ("url_to_video", {"aspect_ratio": ["9x16"]}),
    ("ai_scripts", {"script_styles": [["DIY"]]}),
    ("custom_template", {"variables": {"headline": {"type": ["text"], "value": "Hi"}}}),
], ids=["choice", "multi_choice", "template_variable_type"])
def test_an_unhashable_choice_gets_a_message(key: str, values: dict[str, Any]) -> None:
    """Field.validate tested `value in {c.value ...}` (and _template_check a variable's
    `type` in a dict): a list or dict raised TypeError instead of giving a message."""
    gen = spec(key)
    form = {**gen.defaults(), **valid_values(key), **values}
    errors = gen.validate(form)
    assert errors and all(isinstance(m, str) and m for m in errors.values())


def test_a_signaling_nan_gets_a_message() -> None:
    """Field.validate called float() on Decimal('sNaN'), which raises ValueError."""
    gen = spec("text_generator")
    form = {**valid_values("text_generator"), "temperature": Decimal("sNaN")}
    assert "temperature" in gen.validate(form)


@pytest.mark.parametrize("case", ["quote_model", "template_variable", "multi_choice",
                                  "quote_model_not_text"])
def test_messages_do_not_repeat_a_huge_input_back(case: str) -> None:
    """The estimate's 'has no price for model ...' and 'The model must be a name, not ...',
    'Variable ...' and 'Unknown choice: ...' repeated a 100,000-character input back whole
    (fixed in b873f53 and 261cce5)."""
    huge = "x" * 100_000
    if case.startswith("quote_model"):
        gen = spec("aurora")
        model = [huge] if case == "quote_model_not_text" else huge
        values = {**gen.defaults(), **valid_values("aurora"), "model_version": model}
        messages = [quote(gen, values, 30.0).error or ""]
    elif case == "template_variable":
        gen = spec("custom_template")
        values = {**valid_values("custom_template"), "variables": {huge: {"type": "x"}}}
        messages = list(gen.validate(values).values())
    else:
        gen = spec("ai_scripts")
        values = {**valid_values("ai_scripts"), "script_styles": [huge]}
        messages = list(gen.validate(values).values())
    assert messages and all(len(m) <= MAX_MESSAGE for m in messages), \
        [len(m) for m in messages]
