"""The platform module's branches for Linux, macOS and Windows, all run here.

The platform is faked by passing ``platform=``; the launchers are real programs — shell
scripts named ``xdg-open``, ``open``, ``explorer``, ``notify-send`` and ``osascript`` put on a
PATH of their own — started by the module as it starts the real ones, each writing down the
arguments it was given.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.kwallet
import keyring.backends.libsecret
import keyring.backends.macOS
import keyring.backends.SecretService
import keyring.backends.Windows
import pytest
from keyring.backend import KeyringBackend

from app.credentials import is_secure_backend
from app.paths import APP_NAME, app_paths
from app.platform import (
    LINUX,
    MACOS,
    WINDOWS,
    LauncherMissing,
    LaunchError,
    PathMissing,
    family,
    notify,
    open_path,
    reveal_path,
    secure_keyring_classes,
    user_folders,
)

PLATFORMS = (LINUX, MACOS, WINDOWS)
LAUNCHERS = ("xdg-open", "open", "explorer", "notify-send", "osascript")


RECORDER = """
import json, os, stat, sys
from pathlib import Path

def is_null(fd):
    try:
        st = os.fstat(fd)
    except OSError:
        return False
    if os.name == "nt":
        return stat.S_ISCHR(st.st_mode)
    return os.path.samestat(st, os.stat(os.devnull))

out = Path(sys.argv[1])
tmp = out.with_suffix(".tmp")
tmp.write_text(json.dumps({"args": sys.argv[2:], "null": [is_null(fd) for fd in (0, 1, 2)]}))
os.replace(tmp, out)  # the record appears whole
"""


def put_launcher(bin_dir: Path, name: str, records: Path) -> None:
    """A program called ``name`` that writes down its arguments and where its standard
    streams lead (a shell script; a .cmd file on Windows)."""
    recorder = bin_dir / "recorder.py"
    if not recorder.exists():
        recorder.write_text(RECORDER)
    if os.name == "nt":
        (bin_dir / f"{name}.cmd").write_text(
            f'@"{sys.executable}" "{recorder}" "{records / name}" %*\r\n')
    else:
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{recorder}" "{records / name}" '
                          '"$@"\n')
        script.chmod(0o755)


@pytest.fixture
def launchers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only recording launchers; returns the folder their records go to."""
    bin_dir = tmp_path / "bin"
    records = tmp_path / "records"
    bin_dir.mkdir()
    records.mkdir()
    for name in LAUNCHERS:
        put_launcher(bin_dir, name, records)
    monkeypatch.setenv("PATH", str(bin_dir))
    return records


def record(records: Path, program: str, timeout: float = 20.0) -> dict[str, list[Any]]:
    """What ``program`` recorded when it ran (waits for it)."""
    deadline = time.monotonic() + timeout
    target = records / program
    while not target.exists():
        assert time.monotonic() < deadline, f"{program} was not started"
        time.sleep(0.02)
    result: dict[str, list[Any]] = json.loads(target.read_text())
    return result


def recorded(records: Path, program: str) -> list[str]:
    """The arguments ``program`` was started with."""
    return [str(arg) for arg in record(records, program)["args"]]


@pytest.fixture
def video(tmp_path: Path) -> Path:
    folder = tmp_path / "My Videos"
    folder.mkdir()
    path = folder / "ad one.mp4"
    path.write_bytes(b"\0" * 16)
    return path


def test_family_folds_sys_platform_values() -> None:
    assert [family(p) for p in ("linux", "darwin", "win32", "cygwin", "freebsd14")] == \
        [LINUX, MACOS, WINDOWS, WINDOWS, LINUX]


# -- open and reveal ----------------------------------------------------------------------

OPEN = {LINUX: "xdg-open", MACOS: "open", WINDOWS: "explorer"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_open_starts_the_platform_launcher_with_the_file(platform: str, launchers: Path,
                                                         video: Path) -> None:
    process = open_path(video, platform=platform)
    assert process.wait(20) == 0
    expected = str(video).replace("/", "\\") if platform == WINDOWS else str(video)
    assert recorded(launchers, OPEN[platform]) == [expected]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_open_a_folder(platform: str, launchers: Path, video: Path) -> None:
    open_path(video.parent, platform=platform).wait(20)
    assert recorded(launchers, OPEN[platform])[-1].endswith("My Videos")


@pytest.mark.parametrize(("platform", "program", "arguments"), [
    (LINUX, "xdg-open", lambda v: [str(v.parent)]),
    (MACOS, "open", lambda v: ["-R", str(v)]),
    (WINDOWS, "explorer", lambda v: ["/select,", str(v).replace("/", "\\")]),
])
def test_reveal_selects_the_file_where_the_platform_can(platform: str, program: str,
                                                        arguments: object, launchers: Path,
                                                        video: Path) -> None:
    assert callable(arguments)
    assert reveal_path(video, platform=platform).wait(20) == 0
    assert recorded(launchers, program) == arguments(video)


@pytest.mark.parametrize(("platform", "program", "hint"), [
    (LINUX, "xdg-open", "xdg-utils"), (MACOS, "open", "part of macOS"),
    (WINDOWS, "explorer", "part of Windows")])
def test_a_missing_launcher_says_what_to_install(platform: str, program: str, hint: str,
                                                 tmp_path: Path, video: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for action in (open_path, reveal_path):
        with pytest.raises(LauncherMissing) as caught:
            action(video, platform=platform)
        assert caught.value.program == program
        assert f"`{program}` was not found" in str(caught.value)
        assert hint in str(caught.value)
        assert "ad one.mp4" in str(caught.value)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_file_that_is_gone_is_reported_not_launched(platform: str, launchers: Path,
                                                      video: Path) -> None:
    video.unlink()
    for action in (open_path, reveal_path):
        with pytest.raises(PathMissing, match="moved or deleted"):
            action(video, platform=platform)
    with pytest.raises(LaunchError, match="no saved file"):
        open_path(None, platform=platform)
    assert list(launchers.iterdir()) == []


def test_a_launcher_that_cannot_start_is_a_launch_error(tmp_path: Path, video: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    # Not a program: a script for a missing interpreter (an .exe of text on Windows).
    program = broken / ("xdg-open.exe" if os.name == "nt" else "xdg-open")
    program.write_text("#!/nonexistent/interpreter\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(broken))
    with pytest.raises(LaunchError, match="did not start") as caught:
        open_path(video, platform=LINUX)
    assert not isinstance(caught.value, LauncherMissing)


def test_the_launcher_gets_no_standard_streams_of_ours(launchers: Path, video: Path) -> None:
    # A windowed Windows build has no streams to hand down: the launcher gets os.devnull.
    open_path(video, platform=LINUX).wait(20)
    assert record(launchers, "xdg-open")["null"] == [True, True, True]


# -- notifications ------------------------------------------------------------------------


def test_linux_notifies_with_notify_send(launchers: Path) -> None:
    assert notify("Creatify Studio", "-ad one is ready.", platform=LINUX)
    assert recorded(launchers, "notify-send") == [
        "--app-name=Creatify Studio", "--", "Creatify Studio", "-ad one is ready."]


def test_macos_notifies_with_osascript_texts_as_arguments(launchers: Path) -> None:
    # Quotes that would end an AppleScript string (no cmd.exe metacharacters: the recording
    # launcher is a .cmd file on Windows).
    text = 'ad "one" is ready" with title "do shell script'
    assert notify("Creatify Studio", text, platform=MACOS)
    args = recorded(launchers, "osascript")
    assert args[-2:] == ["Creatify Studio", text]
    script = args[:-2]
    assert script[0::2] == ["-e"] * 3
    assert text not in " ".join(script)
    assert "display notification (item 2 of argv) with title (item 1 of argv)" in script


def test_windows_notifies_through_the_tray_only(launchers: Path) -> None:
    assert notify("Creatify Studio", "ad one is ready.", platform=WINDOWS) is False
    time.sleep(0.2)
    assert list(launchers.iterdir()) == []


@pytest.mark.parametrize(("platform", "program", "hint"), [
    (LINUX, "notify-send", "libnotify"), (MACOS, "osascript", "part of macOS")])
def test_a_missing_notifier_says_what_to_install(platform: str, program: str, hint: str,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LauncherMissing, match=hint) as caught:
        notify("Creatify Studio", "ad one is ready.", platform=platform)
    assert caught.value.program == program


# -- keyring backends ---------------------------------------------------------------------


def real(cls: type[KeyringBackend]) -> KeyringBackend:
    """An instance of the real backend class, without its platform check in ``__init__``
    (only the class decides whether a backend is accepted)."""
    return object.__new__(cls)


BACKENDS: dict[str, type[KeyringBackend]] = {
    "SecretService": keyring.backends.SecretService.Keyring,
    "libsecret": keyring.backends.libsecret.Keyring,
    "KWallet": keyring.backends.kwallet.DBusKeyring,
    "macOS": keyring.backends.macOS.Keyring,
    "Windows": keyring.backends.Windows.WinVaultKeyring,
    "fail": keyring.backends.fail.Keyring,
}
ACCEPTED = {LINUX: {"SecretService", "libsecret", "KWallet"}, MACOS: {"macOS"},
            WINDOWS: {"Windows"}}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_accepts_only_its_own_secure_keyrings(platform: str) -> None:
    accepted = {name for name, cls in BACKENDS.items()
                if is_secure_backend(real(cls), platform=platform)}
    assert accepted == ACCEPTED[platform]
    assert len(secure_keyring_classes(platform)) == len(ACCEPTED[platform]) + (
        platform == LINUX)  # KWallet 4 and 5 are two classes


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_chainer_is_accepted_only_of_the_platforms_backends(
        platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    own = [real(BACKENDS[name]) for name in sorted(ACCEPTED[platform])]
    other = real(BACKENDS["macOS" if platform != MACOS else "Windows"])
    chainer = keyring.backends.chainer.ChainerBackend
    monkeypatch.setattr(chainer, "backends", own)
    assert is_secure_backend(chainer(), platform=platform)
    monkeypatch.setattr(chainer, "backends", [*own, other])
    assert not is_secure_backend(chainer(), platform=platform)


# -- folders ------------------------------------------------------------------------------


def test_linux_folders_are_xdg(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folders = user_folders(APP_NAME, platform=LINUX)
    assert folders.config == home / ".config" / APP_NAME
    assert folders.data == home / ".local" / "share" / APP_NAME
    assert folders.cache == home / ".cache" / APP_NAME
    assert folders.log.is_relative_to(home / ".local" / "state" / APP_NAME)
    assert folders.videos == home / "Videos"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
    assert user_folders(APP_NAME, platform=LINUX).config == home / "cfg" / APP_NAME


def test_macos_folders_are_under_library(home: Path) -> None:
    folders = user_folders(APP_NAME, platform=MACOS)
    support = home / "Library" / "Application Support" / APP_NAME
    assert folders.config == support or folders.config == home / "Library" / "Preferences" \
        / APP_NAME
    assert folders.data == support
    assert folders.cache == home / "Library" / "Caches" / APP_NAME
    assert folders.log == home / "Library" / "Logs" / APP_NAME
    assert folders.videos == home / "Movies"


def test_windows_folders_are_under_local_app_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # platformdirs' documented overrides stand in for the Windows shell's known folders.
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", r"C:\Users\ann\AppData\Local")
    monkeypatch.setenv("WIN_PD_OVERRIDE_MYVIDEO", r"C:\Users\ann\Videos")
    folders = user_folders(APP_NAME, platform=WINDOWS)
    for folder in (folders.config, folders.data, folders.cache, folders.log):
        assert str(folder).startswith(rf"C:\Users\ann\AppData\Local{os.sep}{APP_NAME}")
    assert folders.cache != folders.data and folders.log != folders.data
    assert str(folders.videos) == r"C:\Users\ann\Videos"


def test_the_app_uses_this_platforms_folders(home: Path) -> None:
    paths = app_paths()
    folders = user_folders(APP_NAME)
    assert (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir) == (
        folders.config, folders.data, folders.cache, folders.log)
    assert paths.default_output_dir == folders.videos / "Creatify Studio"
