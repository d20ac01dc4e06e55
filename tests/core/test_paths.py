"""Where the app keeps its files: the --data-dir layout and the platform defaults."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import platformdirs
import pytest

from app.paths import APP_NAME, AppPaths, app_paths


def test_data_dir_layout(tmp_path: Path) -> None:
    paths = app_paths(tmp_path / "portable")
    root = (tmp_path / "portable").resolve()
    assert paths == AppPaths(root / "config", root / "data", root / "cache", root / "logs",
                             root=root)
    assert paths.settings_file == root / "config" / "settings.json"
    assert paths.ledger_file == root / "data" / "jobs.sqlite3"
    assert paths.log_file == root / "logs" / "creatify-studio.log"
    assert paths.default_output_dir == root / "output"


def test_data_dir_as_text_with_tilde_is_made_absolute(home: Path) -> None:
    paths = app_paths("~/portable")
    assert paths.root == (home / "portable").resolve()
    assert paths.config_dir.is_absolute()


def test_relative_data_dir_is_made_absolute(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    paths = app_paths("rel")
    assert paths.root == (tmp_path / "rel").resolve()


def test_empty_data_dir_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        app_paths("  ")


def test_nothing_is_created_until_ensure(tmp_path: Path) -> None:
    app_paths(tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_ensure_creates_the_four_dirs_and_returns_self(tmp_path: Path) -> None:
    paths = app_paths(tmp_path / "d")
    assert paths.ensure() is paths
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert directory.is_dir()
        if os.name == "posix":
            assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0
    assert not paths.default_output_dir.exists()  # created by the download code, not here
    assert paths.ensure() is paths  # idempotent


def test_ensure_keeps_existing_dirs_and_their_files(tmp_path: Path) -> None:
    paths = app_paths(tmp_path / "d").ensure()
    paths.settings_file.write_text("{}", encoding="utf-8")
    paths.ensure()
    assert paths.settings_file.read_text(encoding="utf-8") == "{}"


def test_platform_defaults_follow_platformdirs(home: Path) -> None:
    paths = app_paths()
    assert paths.root is None
    assert paths.config_dir == platformdirs.user_config_path(APP_NAME, appauthor=False)
    assert paths.data_dir == platformdirs.user_data_path(APP_NAME, appauthor=False)
    assert paths.cache_dir == platformdirs.user_cache_path(APP_NAME, appauthor=False)
    assert paths.log_dir == platformdirs.user_log_path(APP_NAME, appauthor=False)
    assert paths.settings_file == paths.config_dir / "settings.json"
    assert paths.default_output_dir == platformdirs.user_videos_path() / "Creatify Studio"
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert directory.is_relative_to(home)
        assert not directory.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout is Linux's")
def test_linux_defaults_under_home(home: Path) -> None:
    paths = app_paths()
    assert paths.config_dir == home / ".config" / APP_NAME
    assert paths.data_dir == home / ".local" / "share" / APP_NAME
    assert paths.cache_dir == home / ".cache" / APP_NAME
    assert paths.log_dir.is_relative_to(home / ".local" / "state" / APP_NAME)
    assert paths.default_output_dir == home / "Videos" / "Creatify Studio"


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout is Linux's")
def test_linux_defaults_honour_xdg_vars(home: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    paths = app_paths()
    assert paths.config_dir == tmp_path / "cfg" / APP_NAME
    assert paths.data_dir == tmp_path / "share" / APP_NAME
    assert paths.cache_dir == tmp_path / "cache" / APP_NAME
    assert paths.log_dir.is_relative_to(tmp_path / "state" / APP_NAME)
