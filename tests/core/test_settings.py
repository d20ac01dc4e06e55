"""Settings: one declaration, a repairing load, an atomic save that never holds a secret."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from decimal import Decimal
from pathlib import Path

import pytest

from app.logsafe import register_secret
from app.paths import app_paths
from app.pricing import PricingError
from app.settings import (
    LABELS,
    Settings,
    SettingsError,
    SettingsStore,
    price_plan,
    resolve_output_dir,
    validate,
)

SECRET = "sk-live-settings-test-9f8e7d6c5b4a"


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config" / "settings.json")


def changed() -> Settings:
    return Settings(plan="enterprise", enterprise_rate="$0.12", words_per_minute=180,
                    output_dir=str(Path.cwd().anchor + "videos"), theme="dark",
                    auto_download=False, window_geometry="AdnQywADAAAAAAA=",
                    window_state="AAAA/wAAAAD9", last_tab="ai_avatar", notify_done=False,
                    notify_failed=True, notify_drained=True,
                    api_base_url="http://127.0.0.1:8765")


def bad_copies(store: SettingsStore) -> list[Path]:
    return sorted(store.path.parent.glob("settings.json.bad-*"))


# -- declaration and validation --------------------------------------------------------------


def test_defaults() -> None:
    s = Settings()
    assert (s.plan, s.enterprise_rate, s.words_per_minute, s.output_dir, s.theme) == (
        "api_starter", "", 150, "", "system")
    assert (s.auto_download, s.notify_done, s.notify_failed, s.notify_drained) == (
        True, True, True, False)
    assert s.window_geometry == s.window_state == s.last_tab == s.api_base_url == ""
    assert validate(s) == {}
    assert set(LABELS) == {f.name for f in dataclasses.fields(Settings)}


def test_validate_accepts_a_full_valid_set() -> None:
    assert validate(changed()) == {}


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"words_per_minute": 0}, "words_per_minute", "between 60 and 300"),
    ({"words_per_minute": 301}, "words_per_minute", "between 60 and 300"),
    ({"theme": "pink"}, "theme", "pink"),
    ({"plan": "gold"}, "plan", "gold"),
    ({"plan": "enterprise"}, "enterprise_rate", "price per credit"),
    ({"plan": "enterprise", "enterprise_rate": "cheap"}, "enterprise_rate", "not a number"),
    ({"plan": "enterprise", "enterprise_rate": "0"}, "enterprise_rate", "more than $0"),
    ({"output_dir": "relative/videos"}, "output_dir", "full path"),
    ({"api_base_url": "http://example.com"}, "api_base_url", "https"),
    ({"api_base_url": "not a url"}, "api_base_url", "Not a valid API address"),
])
def test_validate_messages(change: dict[str, object], field: str, words: str) -> None:
    errors = validate(dataclasses.replace(Settings(), **change))
    assert list(errors) == [field]
    assert words in errors[field]


def test_validate_wrong_types() -> None:
    errors = validate(dataclasses.replace(Settings(), words_per_minute=True,  # type: ignore[arg-type]
                                          auto_download=1, theme=3))  # type: ignore[arg-type]
    assert set(errors) == {"words_per_minute", "auto_download", "theme"}
    assert "whole number" in errors["words_per_minute"]
    assert "true or false" in errors["auto_download"]


def test_enterprise_rate_is_not_checked_for_other_plans() -> None:
    assert validate(Settings(plan="api_pro", enterprise_rate="junk")) == {}


def test_price_plan_for_the_three_plans() -> None:
    assert price_plan(Settings()).price_per_credit == Decimal(99) / Decimal(500)
    assert price_plan(Settings(plan="api_pro")).price_per_credit == Decimal(299) / Decimal(2000)
    plan = price_plan(Settings(plan="enterprise", enterprise_rate=" $0.12 "))
    assert plan.price_per_credit == Decimal("0.12")
    assert plan.monthly_credits is None


@pytest.mark.parametrize("rate", ["", "   ", "abc", "-1", "11"])
def test_price_plan_bad_enterprise_rate(rate: str) -> None:
    with pytest.raises(PricingError):
        price_plan(Settings(plan="enterprise", enterprise_rate=rate))


def test_resolve_output_dir(tmp_path: Path) -> None:
    paths = app_paths(tmp_path)
    assert resolve_output_dir(Settings(), paths) == paths.default_output_dir
    chosen = str(tmp_path / "mine")
    assert resolve_output_dir(Settings(output_dir=chosen), paths) == Path(chosen)


# -- load -----------------------------------------------------------------------------------


def test_missing_file_gives_defaults(store: SettingsStore) -> None:
    assert store.load() == Settings()
    assert store.problems == []
    assert not store.path.parent.exists()  # loading never creates anything


def test_round_trip(store: SettingsStore) -> None:
    store.save(changed())
    assert store.path.is_file()
    again = SettingsStore(store.path)
    assert again.load() == changed()
    assert again.problems == []
    assert bad_copies(store) == []


def test_saved_file_is_plain_json_with_every_field(store: SettingsStore) -> None:
    store.save(Settings(theme="light"))
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["theme"] == "light"
    assert set(data) == set(LABELS)
    if os.name == "posix":
        assert store.path.stat().st_mode & 0o077 == 0


def test_unknown_keys_are_ignored(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"theme": "dark", "from_the_future": [1, 2]}),
                          encoding="utf-8")
    assert store.load() == Settings(theme="dark")
    assert store.problems == []
    assert bad_copies(store) == []


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]",
                                     b"", b"null"])
def test_corrupt_file_gives_defaults_and_is_kept_aside(
        store: SettingsStore, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="app.settings"):
        assert store.load() == Settings()
    copies = bad_copies(store)
    assert len(copies) == 1
    assert copies[0].read_bytes() == content
    assert len(store.problems) == 1
    assert "default" in store.problems[0]
    assert str(copies[0]) in store.problems[0]
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert store.path.read_bytes() == content  # the original is untouched until a save


def test_wrong_type_resets_only_that_field(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    original = json.dumps({"theme": "dark", "words_per_minute": "fast", "auto_download": False,
                           "notify_done": 1, "last_tab": "url_to_video"}).encode()
    store.path.write_bytes(original)
    loaded = store.load()
    assert loaded == Settings(theme="dark", auto_download=False, last_tab="url_to_video")
    assert len(store.problems) == 1
    assert LABELS["words_per_minute"] in store.problems[0]
    assert LABELS["notify_done"] in store.problems[0]
    assert LABELS["theme"] not in store.problems[0]
    [copy] = bad_copies(store)
    assert copy.read_bytes() == original


def test_out_of_range_value_is_reset(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"words_per_minute": 5000, "theme": "pink",
                                      "plan": "api_pro"}), encoding="utf-8")
    assert store.load() == Settings(plan="api_pro")
    assert len(bad_copies(store)) == 1


def test_enterprise_without_a_usable_rate_falls_back_to_the_default_plan(
        store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"plan": "enterprise", "enterprise_rate": "lots"}),
                          encoding="utf-8")
    loaded = store.load()
    assert loaded == Settings()
    assert validate(loaded) == {}
    assert store.problems


def test_loaded_settings_can_always_be_saved_again(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"words_per_minute": -3, "api_base_url": "ftp://x",
                                      "output_dir": "relative"}), encoding="utf-8")
    store.save(store.load())
    assert SettingsStore(store.path).load() == Settings()


def test_two_bad_loads_keep_two_copies(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"first")
    store.load()
    store.path.write_bytes(b"second")
    store.load()
    assert sorted(p.read_bytes() for p in bad_copies(store)) == [b"first", b"second"]


def test_problems_are_reset_on_each_load(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"{")
    store.load()
    assert store.problems
    store.save(Settings())
    store.load()
    assert store.problems == []


def test_unreadable_file_gives_defaults_and_is_moved_aside(
        store: SettingsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"theme": "dark"}', encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == store.path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert store.load() == Settings()
    assert len(store.problems) == 1
    assert "could not be read" in store.problems[0]
    monkeypatch.undo()
    [moved] = bad_copies(store)
    assert moved.read_text(encoding="utf-8") == '{"theme": "dark"}'
    assert not store.path.exists()
    store.save(Settings())  # a later save does not touch the moved file
    assert moved.read_text(encoding="utf-8") == '{"theme": "dark"}'


def test_a_directory_in_place_of_the_file_gives_defaults(store: SettingsStore) -> None:
    store.path.mkdir(parents=True)
    (store.path / "inside.txt").write_text("kept", encoding="utf-8")
    assert store.load() == Settings()
    assert len(store.problems) == 1
    [moved] = bad_copies(store)
    assert (moved / "inside.txt").read_text(encoding="utf-8") == "kept"
    store.save(Settings(theme="dark"))
    assert SettingsStore(store.path).load() == Settings(theme="dark")


# -- save -----------------------------------------------------------------------------------


def test_save_refuses_invalid_settings_and_writes_nothing(store: SettingsStore) -> None:
    with pytest.raises(SettingsError, match="between 60 and 300"):
        store.save(Settings(words_per_minute=0))
    assert not store.path.exists()
    assert issubclass(SettingsError, ValueError)


def test_save_leaves_no_temp_file(store: SettingsStore) -> None:
    store.save(Settings())
    store.save(changed())
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]


def test_failed_replace_keeps_the_original(store: SettingsStore,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Settings(theme="light"))
    before = store.path.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        store.save(changed())
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]
    assert SettingsStore(store.path).load() == Settings(theme="light")


def test_failed_write_keeps_the_original(store: SettingsStore,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Settings(theme="light"))
    before = store.path.read_bytes()

    def refuse(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(OSError):
        store.save(changed())
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)
                                   if isinstance(f.default, str)])
def test_save_refuses_a_registered_secret_in_any_field(store: SettingsStore, field: str) -> None:
    register_secret(SECRET)
    value = "https://127.0.0.1/" + SECRET if field == "api_base_url" else SECRET
    settings = dataclasses.replace(Settings(), **{field: value})
    with pytest.raises(SettingsError, match="keyring") as info:
        store.save(settings)
    assert SECRET not in str(info.value)
    assert not store.path.exists()


def test_secret_inside_a_longer_value_is_refused(store: SettingsStore) -> None:
    register_secret(SECRET)
    with pytest.raises(SettingsError):
        store.save(Settings(last_tab=f"tab-{SECRET}-x"))


def test_validate_messages_never_echo_a_secret() -> None:
    register_secret(SECRET)
    errors = validate(Settings(theme=SECRET, plan=SECRET, api_base_url=f"http://{SECRET}.example"))
    assert set(errors) == {"theme", "plan", "api_base_url"}
    assert not any(SECRET in message for message in errors.values())


def test_name_template_is_validated() -> None:
    assert "name_template" not in validate(Settings(name_template="{date}_{title}"))
    bad = validate(Settings(name_template="{generator}_{nope}"))
    assert "Unknown placeholder {nope}" in bad["name_template"]
