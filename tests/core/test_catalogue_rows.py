"""What a catalogue entry shows in a picker and how it is searched (``app.catalogue_rows``)."""

from __future__ import annotations

from typing import Any

from app.catalogue_rows import (
    Row,
    accent_rows,
    category_names,
    matches,
    merge_tracks,
    music_rows,
    music_rows_keeping,
    persona_rows,
    search_words,
    template_rows,
    tracks_listed,
)


def test_persona_rows_describe_active_personas_by_name():
    rows = persona_rows([
        {"id": "z", "creator_name": "Zoe", "gender": "f", "age_range": "adult",
         "style": "selfie_video", "preview_image_16_9": "https://cdn.example/z.png"},
        {"id": "a", "creator_name": " Adam ", "gender": "m"},
        {"id": "nb", "creator_name": "Sam", "gender": "nb", "is_active": True},
        {"id": "off", "creator_name": "Gone", "is_active": "false"},
        {"id": "off2", "creator_name": "Gone too", "is_active": 0},
        {"creator_name": "No id"}, "junk", None,
    ])
    assert [(r.label, r.value) for r in rows] == [
        ("Adam — male", "a"), ("Sam — non-binary", "nb"),
        ("Zoe — female, adult, selfie video", "z")]
    assert rows[2].thumbnail == "https://cdn.example/z.png"
    assert rows[0].thumbnail is None
    assert rows[2].search == rows[2].label.casefold()


def test_persona_rows_name_an_unnamed_persona_and_prefer_the_square_preview():
    rows = persona_rows([{"id": 7, "preview_image_9_16": "t", "preview_image_1_1": "s"}])
    assert rows == [Row("Unnamed avatar", "7", "unnamed avatar", "s")]


def test_accent_rows_list_every_accent_grouped_by_voice():
    rows = accent_rows([
        {"name": "Nora", "gender": "female", "accents": [
            {"id": "n1", "accent_name": "British", "preview_url": "https://cdn.example/n1.mp3"},
            {"id": "n2"}, {"accent_name": "no id"}, "junk"]},
        {"name": "Ben", "accents": [{"id": "b1", "accent_name": "American"}]},
        {"name": "Empty", "accents": None}, "junk",
    ])
    assert [(r.label, r.value, r.sample) for r in rows] == [
        ("Ben — American", "b1", None),
        ("Nora (female) — British", "n1", "https://cdn.example/n1.mp3"),
        ("Nora (female) — default", "n2", None)]


def test_music_rows_show_name_mood_and_rounded_length_and_send_the_url():
    rows = music_rows([
        {"url": "https://cdn.example/1.mp3", "name": "Sun", "mood": "calm", "duration": 61.6},
        {"url": "https://cdn.example/2.mp3", "duration": "nan"},
        {"url": "https://cdn.example/3.mp3", "name": "Odd", "duration": "long"},
        {"name": "no url"}, 3,
    ])
    assert [(r.label, r.value, r.sample) for r in rows] == [
        ("Sun — calm (62 s)", "https://cdn.example/1.mp3", "https://cdn.example/1.mp3"),
        ("Untitled track", "https://cdn.example/2.mp3", "https://cdn.example/2.mp3"),
        ("Odd", "https://cdn.example/3.mp3", "https://cdn.example/3.mp3")]


def test_music_rows_keeping_keeps_a_chosen_track_a_new_search_dropped():
    seen: dict[str, str] = {}
    first = [{"url": "u1", "name": "One"}, {"url": "u2", "name": "Two"}]
    assert [r.value for r in music_rows_keeping(first, seen, None)] == ["u1", "u2"]
    assert seen == {"u1": "One", "u2": "Two"}
    rows = music_rows_keeping([{"url": "u3", "name": "Three"}], seen, "u2")
    assert [(r.label, r.value, r.sample) for r in rows] == [("Two", "u2", "u2"),
                                                            ("Three", "u3", "u3")]
    # a value never listed (pasted) is not added; a listed one is not repeated
    assert [r.value for r in music_rows_keeping(first, seen, "https://mine")] == ["u1", "u2"]
    assert [r.value for r in music_rows_keeping(first, seen, "u1")] == ["u1", "u2"]


def test_merge_tracks_replaces_on_a_first_page_and_appends_new_ones_after():
    shown = [{"url": "a"}, {"url": "b"}]
    page: list[Any] = [{"url": "b"}, {"url": "c"}, "junk"]
    assert merge_tracks(shown, page, first=True) == [{"url": "b"}, {"url": "c"}]
    assert merge_tracks(shown, page, first=False) == [{"url": "a"}, {"url": "b"},
                                                      {"url": "c"}]
    assert shown == [{"url": "a"}, {"url": "b"}]


def test_category_names_are_trimmed_unique_and_in_order():
    assert category_names([{"name": " Pop "}, {"name": "Jazz"}, {"name": "Pop"},
                           {"name": ""}, {"name": None}, {}, "junk"]) == ["Pop", "Jazz"]


def test_tracks_listed_counts_with_and_without_a_total():
    assert tracks_listed(1, None) == "1 track listed"
    assert tracks_listed(20, 1234) == "20 of 1,234 tracks listed"
    assert tracks_listed(30, 20) == "30 of 30 tracks listed"  # never fewer than shown


def test_template_rows_read_the_documented_list_shape():
    rows = template_rows([
        {"template_id": "b", "name": "Zeta", "aspect_ratio": "16x9",
         "preview": "https://cdn.example/z.mp4"},
        {"id": "a", "name": "Alpha", "aspect_ratio": "9x16",
         "preview": "https://cdn.example/a.png"},
        {"template_id": "c", "thumbnail": "ftp://x/c.png", "cover_image": "https://x/c.jpg",
         "preview": "javascript:alert(1)"},
        {"name": "no id"}, "junk",
    ])
    assert [(r.label, r.value, r.detail) for r in rows] == [
        ("Alpha (9x16)", "a", "9x16"), ("Untitled template", "c", ""),
        ("Zeta (16x9)", "b", "16x9")]
    assert rows[0].thumbnail == "https://cdn.example/a.png"  # an image preview: a thumbnail
    assert rows[1].thumbnail == "https://x/c.jpg" and rows[1].link is None  # http(s) only
    assert rows[2].thumbnail is None and rows[2].link == "https://cdn.example/z.mp4"
    assert rows[0].search == "alpha 9x16 a"


def test_a_row_matches_every_search_word_casefolded():
    row = Row("Nora (female) — British", "n1", "nora (female) — british")
    assert search_words("  BRIT  nora ") == ["brit", "nora"]
    assert matches(row, search_words("BRIT nora"))
    assert not matches(row, search_words("brit male nora x"))
    assert matches(row, [])
