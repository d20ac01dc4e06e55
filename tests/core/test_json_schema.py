"""Reading a model's JSON Schema for the Asset Generator's form (``app.json_schema``)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.generators.catalogue import ASSET_MODELS
from app.json_schema import (
    MAX_DECIMALS,
    SHORT_HELP,
    SPIN_LIMIT,
    Editor,
    accepts_text,
    as_float,
    as_int,
    bounds,
    choice_label,
    coerce,
    list_problem,
    ordered_properties,
    parse_json,
    published_schema,
    read_property,
    schema_type,
    short_help,
    spin_range,
    stand_in_schema,
    string_list,
    title,
)


@pytest.mark.parametrize(("schema", "kind"), [
    ({"type": "integer"}, "integer"),
    ({"type": ["null", "number"]}, "number"),
    ({"type": ["null"]}, "string"),
    ({"anyOf": [{"type": "null"}, {"type": "boolean"}]}, "boolean"),
    ({"oneOf": [{"type": ["null", "integer"]}]}, "integer"),
    ({"enum": [True, False]}, "boolean"),
    ({"enum": [5, 10]}, "integer"),
    ({"enum": [0.5]}, "number"),
    ({"enum": ["a"]}, "string"),
    ({}, "string"),
])
def test_schema_type(schema: dict[str, Any], kind: str):
    assert schema_type(schema) == kind


def test_properties_are_ordered_explicitly_then_required_then_as_listed():
    schema = {"required": ["prompt", "seed"], "properties": {
        "aspect": {}, "seed": {}, "late": {"x-order": 2}, "prompt": {}, "first": {"order": 1},
        "junk": 3}}
    assert [k for k, _ in ordered_properties(schema)] == [
        "first", "late", "prompt", "seed", "aspect"]
    assert ordered_properties({"properties": []}) == []


def test_titles_and_conversions():
    assert title("num_images", {}) == "Num images"
    assert title("x", {"title": "Shown"}) == "Shown"
    assert [as_int(v) for v in (3, 4.0, " 5 ", 4.5, True, "x", None, math.inf)] == [
        3, 4, 5, None, None, None, None, None]
    assert [as_float(v) for v in ("1.5", 2, True, "nan", None)] == [1.5, 2.0, None, None, None]
    assert coerce("integer", "6") == 6 and coerce("number", "0.5") == 0.5
    assert coerce("boolean", True) is True and coerce("boolean", "true") is None
    assert coerce("string", 6) == "6" and coerce("string", [1]) is None
    assert coerce("string", None) is None
    assert coerce("array", [1]) == [1]


def test_bounds_move_an_integers_exclusive_bounds_in_by_one():
    assert bounds({"minimum": 1, "maximum": "4"}, "integer") == (1.0, 4.0)
    assert bounds({"exclusiveMinimum": 0, "exclusiveMaximum": 10}, "integer") == (1.0, 9.0)
    assert bounds({"exclusiveMinimum": 0, "exclusiveMaximum": 1}, "number") == (0.0, 1.0)
    assert bounds({"minimum": True}, "number") == (None, None)


@pytest.mark.parametrize(("key", "schema", "required", "editor"), [
    ("duration", {"type": "string", "enum": ["5", "10"]}, True, Editor.CHOICE),
    ("loop", {"type": "boolean"}, False, Editor.CHECK),
    ("n", {"type": "integer", "minimum": 1, "maximum": 4}, False, Editor.SPIN),
    ("n", {"type": "integer", "default": 2}, False, Editor.SPIN),
    ("seed", {"type": "integer", "minimum": 0}, False, Editor.NUMBER_TEXT),
    ("scale", {"type": "number"}, True, Editor.NUMBER_TEXT),
    ("negative_prompt", {"type": "string"}, False, Editor.TEXT_AREA),
    ("story", {"type": "string", "format": "textarea"}, False, Editor.TEXT_AREA),
    ("story", {"type": "string", "maxLength": 501}, False, Editor.TEXT_AREA),
    ("image_url", {"type": "string", "format": "uri", "maxLength": 500}, False, Editor.LINE),
    ("tags", {"type": "array"}, False, Editor.STRING_LIST),
    ("seeds", {"type": "array", "items": {"type": "integer"}}, False, Editor.JSON),
    ("extra", {"type": "object"}, False, Editor.JSON),
])
def test_which_editor_a_property_gets(key: str, schema: dict[str, Any], required: bool,
                                      editor: Editor):
    assert read_property(key, schema, required).editor is editor


def test_read_property_defaults_choices_and_limits():
    prop = read_property("duration", {"type": "string", "enum": [5, "10"], "default": 5},
                         False)
    assert prop.default == "5" and not prop.optional and prop.choices == (5, "10")
    assert prop.matches_choice("10", 10) and prop.matches_choice(5, "5")
    assert not prop.matches_choice(None, None) and not prop.matches_choice("10", "5")
    optional = read_property("loop", {"type": "boolean", "description": "Loop it"}, False)
    assert optional.optional and optional.default is None
    assert optional.description == "Loop it" and optional.title == "Loop"
    assert not read_property("loop", {"type": "boolean"}, True).optional
    url = read_property("image_url", {"type": "string", "format": "url", "maxLength": "80"},
                        False)
    assert url.is_url and url.max_length == 80 and url.description is None
    number = read_property("n", {"type": "integer", "exclusiveMinimum": 0, "maximum": 4},
                           True)
    assert (number.low, number.high) == (1.0, 4.0)


def test_spin_range_of_a_required_integer_starts_at_its_default():
    limits = spin_range(read_property("n", {"type": "integer", "minimum": 1, "maximum": 4,
                                            "default": 2}, False))
    assert limits.integer and (limits.lo, limits.hi, limits.bottom) == (1, 4, 1)
    assert limits.unset is None and limits.start == 2
    assert limits.read(3.0) == 3 and isinstance(limits.read(3.0), int)
    assert limits.accept("integer", "4") == 4
    assert limits.accept("integer", 5) is None and limits.accept("integer", "x") is None


def test_spin_range_of_an_optional_number_has_a_not_set_value_below_its_range():
    limits = spin_range(read_property("cfg", {"type": "number", "minimum": 0, "maximum": 1},
                                      False))
    assert not limits.integer and limits.step == 0.1 and limits.decimals == 2
    assert limits.unset == pytest.approx(-0.01) and limits.bottom == limits.unset
    assert limits.start == limits.unset
    assert limits.read(limits.unset) is None and limits.read(0.5) == 0.5
    fine = spin_range(read_property("x", {"type": "number", "multipleOf": 0.001,
                                          "minimum": 0, "maximum": 100}, True))
    assert (fine.step, fine.decimals, fine.unset, fine.start) == (0.001, 3, None, 0)
    wide = spin_range(read_property("x", {"type": "number", "default": 3.5}, False))
    assert (wide.lo, wide.hi, wide.step, wide.start) == (-SPIN_LIMIT, SPIN_LIMIT, 1.0, 3.5)
    tiny = spin_range(read_property("x", {"type": "number", "multipleOf": 5e-324,
                                          "default": 0}, True))
    assert tiny.decimals == MAX_DECIMALS
    below = spin_range(read_property("x", {"type": "integer", "maximum": -5}, True))
    assert below.start == 0  # max(lo, 0): the spin box clamps it into its range


def test_text_and_json_helpers():
    assert all(accepts_text(v) for v in (None, "a", 1, 1.5, True))
    assert not accepts_text([1]) and not accepts_text({"a": 1})
    assert parse_json(" [1, 2] ") == [1, 2]
    assert parse_json("not json") == "not json"
    assert parse_json("   ") is None


def test_stand_in_schema_for_known_unknown_and_missing_models():
    assert stand_in_schema(None)["properties"].keys() == {"prompt"}
    video = stand_in_schema({"output": "video", "durations": ["6", "8"]})
    assert video["properties"]["duration"] == {"type": "string", "enum": ["6", "8"],
                                               "default": "6", "title": "Duration (seconds)"}
    assert stand_in_schema({"output": "video", "durations": [5, 10]})[
        "properties"]["duration"]["type"] == "integer"
    image = stand_in_schema({"output": "image"})
    assert image["properties"]["num_images"]["maximum"] == 4
    assert image["required"] == ["prompt"]
    known = {"output": "image", "schema": {"type": "object", "properties": {"a": {}}}}
    copied = stand_in_schema(known)
    assert copied == known["schema"] and copied is not known["schema"]
    for model in ASSET_MODELS.values():  # every model the app offers has a usable form
        assert "prompt" in stand_in_schema(model)["properties"]


def test_published_schema_is_the_models_entry_with_properties():
    good = {"properties": {"prompt": {}}}
    entries = [{"model_name": "m", "input_params_schema": {"type": "object"}},
               "junk", {"model_name": "m", "input_params_schema": good},
               {"model_name": "other", "input_params_schema": {"properties": {}}}]
    assert published_schema(entries, "m") is good
    assert published_schema(entries, "missing") is None
    assert published_schema([], None) is None


# ---------------------------------------------------------------------------- catalogue shapes

IMAGE_URLS = {"type": "array", "items": {"type": "string", "format": "uri"}, "maxItems": 3,
              "description": "Reference images. Up to three, each a public link."}


def test_lists_of_strings_and_objects_with_properties_get_their_own_editors():
    urls = read_property("image_urls", IMAGE_URLS, False)
    assert urls.editor is Editor.STRING_LIST and urls.is_url and urls.optional
    assert (urls.min_items, urls.max_items) == (None, 3)
    untyped = read_property("reference_image_urls", {"type": "array"}, True)
    assert untyped.editor is Editor.STRING_LIST and untyped.is_url  # named as addresses
    tags = read_property("tags", {"type": "array", "items": {"type": "string"},
                                  "default": ["a"]}, False)
    assert tags.editor is Editor.STRING_LIST and not tags.is_url and tags.default == ["a"]
    assert not tags.optional
    numbers = read_property("seeds", {"type": "array", "items": {"type": "integer"}}, False)
    assert numbers.editor is Editor.JSON  # not a list of strings: JSON by hand
    picks = read_property("styles", {"type": "array", "items": {"enum": ["a", "b"]}}, False)
    assert picks.editor is Editor.JSON
    camera = read_property("camera", {"type": "object", "properties": {
        "zoom": {"type": "number"}}}, False)
    assert camera.editor is Editor.GROUP and camera.optional
    assert read_property("extra", {"type": "object"}, False).editor is Editor.JSON


def test_a_lists_problems_name_the_row_and_the_limits():
    urls = read_property("image_urls", {**IMAGE_URLS, "minItems": 2}, True)

    def check(url: str) -> str | None:
        return None if url.startswith("https://") else "Not a web address."

    assert list_problem(urls, ["https://a.example/x.png", "ftp://b"], check) == (
        "Row 2: Not a web address.")
    assert list_problem(urls, ["https://a.example/x.png"], check) == (
        "Image urls: at least 2 needed.")
    assert list_problem(urls, ["https://e.example/"] * 4, check) == "Image urls: at most 3."
    assert list_problem(urls, ["https://e.example/"] * 2, check) is None
    assert list_problem(urls, [], check) is None  # empty: "required" is the form's to say
    tags = read_property("tags", {"type": "array"}, False)
    assert list_problem(tags, ["not a url"], check) is None  # not addresses: not checked


def test_string_list_reads_what_a_list_editor_can_show():
    assert string_list(None) == []
    assert string_list(" https://a.example ") == ["https://a.example"]
    assert string_list(["x", " ", " y "]) == ["x", "y"]
    assert string_list("") == []
    assert string_list([1, 2]) is None and string_list({"a": 1}) is None


@pytest.mark.parametrize(("key", "option", "label"), [
    ("duration", "5", "5 s"),
    ("duration", 10, "10 s"),
    ("video_duration", "7.5", "7.5 s"),
    ("duration", "auto", "auto"),
    ("resolution", "768p", "768p"),
    ("num_images", 2, "2"),
    ("duration", None, ""),
    ("duration", True, "True"),
])
def test_choice_labels_show_durations_in_seconds(key: str, option: Any, label: str):
    assert choice_label(key, option) == label


def test_short_help_is_the_descriptions_first_sentence_within_its_length():
    assert short_help(None) is None and short_help("") is None
    assert short_help("Lower is faster.  Higher is sharper.") == "Lower is faster."
    long = "word " * 40
    cut = short_help(long)
    assert cut is not None and len(cut) <= SHORT_HELP and cut.endswith("…")
    prop = read_property("image_urls", IMAGE_URLS, False)
    assert prop.short_help == "Reference images."


def test_published_schema_reads_templates_by_their_id_too():
    entries = [{"id": 42, "input_params_schema": {"properties": {"text": {}}}},
               {"id": "7", "input_params_schema": {"type": "object"}}]
    assert published_schema(entries, "42", key="id") == {"properties": {"text": {}}}
    assert published_schema(entries, "7", key="id") is None  # no properties
    assert published_schema(entries, None, key="id") is None
