"""A Custom Template's variables as the app reads them (``app.template_variables``)."""

from __future__ import annotations

from app.template_variables import (
    duplicate_names,
    required_variables,
    template_uuid,
    template_variables,
    variable_entries,
)

UUID = "3f2a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b"


def test_template_variables_read_every_shape_the_detail_may_take():
    detail = {"variables": {
        "headline": {"type": "text", "properties": {"content": "Hi"}},
        "hero": {"type": "image", "default": "https://x.test/a.png", "value": ""},
        "cta": {"type": "text", "value": "Buy", "default": "Shop"},
        "only": {"type": "odd", "properties": {"whatever": 7, "nested": {"a": 1}}},
        "listy": {"type": "text", "value": ["a"]},
        "voice": "voiceover", "blank": "  ", "": {"type": "text"}, "  ": "text"}}
    assert template_variables(detail) == [
        ("headline", "text", "Hi"), ("hero", "image", "https://x.test/a.png"),
        ("cta", "text", "Buy"), ("only", "odd", "7"), ("listy", "text", ""),
        ("voice", "voiceover", ""), ("blank", "text", "")]
    listed = {"variables": [{"name": "a", "type": "audio"}, {"name": "a", "type": "text"},
                            {"type": "text"}, "junk", {"name": " b ", "type": ""}]}
    assert template_variables(listed) == [("a", "audio", ""), ("b", "text", "")]
    assert template_variables({"variables": None}) == []
    assert template_variables({}) == []


def test_required_variables_are_the_ones_marked_true():
    assert required_variables({"variables": {
        "a": {"required": True}, "b": {"required": "false"}, "c": {}, "d": "text",
        "e": {"required": " Yes "}, "f": {"required": 1}}}) == {"a", "e"}
    assert required_variables({"variables": [{"name": " g ", "required": "true"},
                                             {"name": "", "required": True}, 3]}) == {"g"}
    assert required_variables({"variables": "junk"}) == set()


def test_template_uuid_takes_only_a_well_formed_id():
    assert template_uuid(f"  {UUID} ") == UUID
    assert template_uuid("not-an-id") is None
    assert template_uuid(None) is None
    assert template_uuid("") is None


def test_variable_entries_read_a_saved_value_back():
    assert variable_entries({
        "headline": {"type": "text", "value": "Hi"},
        "hero": {"type": "image", "properties": {"url": "https://x.test/a.png"}},
        "bare": 5,
        "empty": {"value": None},
    }) == [("headline", "text", "Hi"), ("hero", "image", "https://x.test/a.png"),
           ("bare", "text", "5"), ("empty", "text", "")]
    assert variable_entries(None) == []


def test_duplicate_names_are_listed_once_sorted():
    assert duplicate_names(["b", "a", "b", "c", "a", "b"]) == ["a", "b"]
    assert duplicate_names(iter(["x"])) == []
