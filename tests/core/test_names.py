"""Readable file names for saved results: what was asked, the generator's title, the day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.downloads import (
    DEFAULT_TEMPLATE,
    TEMPLATE_FIELDS,
    DownloadError,
    current_template,
    generator_title,
    part_path,
    render_name,
    result_targets,
    target_in,
)
from app.settings import Settings, SettingsStore, validate

CREATED = datetime(2026, 12, 6, 15, 30, 7, tzinfo=UTC)
JOB = "3f2b9c1e-0000-4000-8000-000000000000"
OLD_DEFAULT = "{generator}_{title}_{date}_{short_id}"


def name(template: str = DEFAULT_TEMPLATE, generator: str = "text_to_speech",
         title: str = "Meet the blue mug") -> str:
    return render_name(template, generator=generator, title=title, created=CREATED, job_id=JOB)


def test_the_default_name_reads_title_generator_and_day() -> None:
    assert name() == "Meet the blue mug - Text to Speech - 2026-12-06"
    assert name(generator="url_to_video", title="https://www.shop.example.com/products/mug") \
        == "shop.example.com products mug - URL to Video - 2026-12-06"


def test_a_long_script_is_cut_at_a_word_and_keeps_its_words() -> None:
    script = ("Meet the blue mug: double-walled, dishwasher safe and big enough for a "
              "Monday. ") * 3
    stem = name(title=script)
    title = stem.removesuffix(" - Text to Speech - 2026-12-06")
    assert title == "Meet the blue mug double-walled dishwasher safe and big"
    assert "_" not in stem and len(title) <= 60
    # What was asked, as the Jobs panel recorded it (already cut, mid-word, with "…").
    assert name(title="Meet the blue mug: double-walled, dishwasher safe and big e…") \
        == "Meet the blue mug double-walled dishwasher safe and big - Text to Speech - 2026-12-06"
    assert name(title="A mug…") == "A - Text to Speech - 2026-12-06"
    assert name(title="Mug…") == "Mug - Text to Speech - 2026-12-06"


def test_the_old_default_gives_the_new_names_and_custom_templates_keep_working() -> None:
    assert current_template(OLD_DEFAULT) == DEFAULT_TEMPLATE
    assert name(OLD_DEFAULT) == name()
    assert current_template("{generator}-{title}") == "{generator}-{title}"
    assert name("{generator}_{short_id}") == "text_to_speech_3f2b9c1e"
    assert name("{date} {generator_title}") == "2026-12-06 Text to Speech"
    assert "generator_title" in TEMPLATE_FIELDS and "generator" in TEMPLATE_FIELDS
    assert generator_title("link_to_videos") == "Link to videos"  # a key no spec has
    with pytest.raises(DownloadError, match=r"\{generator_title\}"):
        name("{nope}")


def test_settings_that_hold_the_old_default_get_the_new_one(tmp_path: Path) -> None:
    assert Settings().name_template == DEFAULT_TEMPLATE
    assert "name_template" not in validate(Settings())
    store = SettingsStore(tmp_path / "settings.json")
    store.path.write_text(json.dumps({"name_template": OLD_DEFAULT, "theme": "dark"}))
    loaded = store.load()
    assert loaded.name_template == DEFAULT_TEMPLATE and loaded.theme == "dark"
    assert not store.problems
    store.path.write_text(json.dumps({"name_template": "{title}_{short_id}"}))
    assert store.load().name_template == "{title}_{short_id}"


def test_the_same_name_twice_the_same_day_is_numbered_not_overwritten(tmp_path: Path) -> None:
    first = target_in(tmp_path, name() + ".mp3")
    first.write_bytes(b"x")
    second = target_in(tmp_path, name() + ".mp3")
    assert second.name == "Meet the blue mug - Text to Speech - 2026-12-06 (2).mp3"


def test_two_downloads_choosing_a_name_at_once_never_share_a_file(tmp_path: Path) -> None:
    # Without a short id in the default name, two jobs asked the same thing the same day
    # have one name; the first to choose claims it (its empty .part), the second is numbered.
    urls = ["https://cdn.example.com/a.mp4"]
    first = result_targets(tmp_path / "out", "Blue mug - URL to Video - 2026-12-06", urls,
                           reserve=True)
    second = result_targets(tmp_path / "out", "Blue mug - URL to Video - 2026-12-06", urls,
                            reserve=True)
    assert [p.name for p in first] == ["Blue mug - URL to Video - 2026-12-06.mp4"]
    assert [p.name for p in second] == ["Blue mug - URL to Video - 2026-12-06 (2).mp4"]
    assert part_path(first[0]).exists() and part_path(second[0]).exists()
    # A set of several results whose one name is claimed (a .part there) moves whole to the
    # next number.
    many = ["https://cdn.example.com/1.png", "https://cdn.example.com/2.png"]
    (tmp_path / "out" / "Banner_2.png.part").write_bytes(b"")
    claimed = result_targets(tmp_path / "out", "Banner", many, reserve=True)
    assert [p.name for p in claimed] == ["Banner (2)_1.png", "Banner (2)_2.png"]
    assert not (tmp_path / "out" / "Banner_1.png.part").exists()
    # The same job again (its first path recorded) gets its own names back.
    again = result_targets(tmp_path / "out", "Banner", many, claimed[0], reserve=True)
    assert again == claimed
