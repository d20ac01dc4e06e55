"""Everything that differs between Linux, macOS and Windows, behind one small module.

Opening a file or folder, showing a file in the file manager, which keyring backends count as
secure, where the per-user folders are, and how a desktop notification is sent when Qt has no
tray to send it through. Every function takes an optional ``platform`` (a ``sys.platform``
value, default the running one), so the tests run the Linux, macOS and Windows branch of each
on any machine.

The launchers are the platforms' own programs (``xdg-open``, ``open``, ``explorer``,
``notify-send``, ``osascript``), run without a shell and without waiting for them: a viewer the
launcher starts may stay open for hours. A launcher that is not installed is reported with a
:class:`LauncherMissing` whose message tells the user what to install — never silence.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

LINUX = "linux"
MACOS = "darwin"
WINDOWS = "win32"
NOTIFY_APP_NAME = "Creatify Studio"

log = logging.getLogger(__name__)


def family(platform: str | None = None) -> str:
    """``"darwin"``, ``"win32"`` or ``"linux"`` for a ``sys.platform`` value.

    Every other Unix (the BSDs, ``linux2`` of old) is ``"linux"``: their desktops use the same
    freedesktop tools (``xdg-open``, the Secret Service, ``notify-send``).
    """
    name = sys.platform if platform is None else platform
    if name == MACOS:
        return MACOS
    if name.startswith(("win", "cygwin", "msys")):
        return WINDOWS
    return LINUX


# -- errors the window shows --------------------------------------------------------------


class LaunchError(Exception):
    """A file could not be opened or shown; ``str(exc)`` is the sentence for the user."""


class LauncherMissing(LaunchError):
    """The platform's launcher program is not installed; the message says what to install."""

    def __init__(self, program: str, what: str, hint: str) -> None:
        self.program = program
        super().__init__(f"Could not {what}: the program `{program}` was not found. {hint}")


class PathMissing(LaunchError):
    """The file or folder is not there any more (moved or deleted outside the app)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is not there any more: it was moved or deleted. "
                         "“Download again” saves a new copy when the result is still online.")


_INSTALL_HINTS: Mapping[str, str] = {
    "xdg-open": "Install xdg-utils (Debian/Ubuntu: `sudo apt install xdg-utils`; Fedora: "
                "`sudo dnf install xdg-utils`).",
    "notify-send": "Install libnotify (Debian/Ubuntu: `sudo apt install libnotify-bin`; "
                   "Fedora: `sudo dnf install libnotify`) for desktop notifications.",
    "open": "It is part of macOS: check that /usr/bin is on PATH.",
    "osascript": "It is part of macOS: check that /usr/bin is on PATH.",
    "explorer": "It is part of Windows: check that C:\\Windows is on PATH.",
}

Which = Callable[[str], str | None]
"""How a program is looked up on PATH (``shutil.which``)."""


def _native(path: Path, platform: str) -> str:
    """The path as the platform's launcher wants it (backslashes for Explorer)."""
    return str(PureWindowsPath(path)) if platform == WINDOWS else str(path)


# -- open and reveal ----------------------------------------------------------------------


def open_command(path: str | os.PathLike[str], platform: str | None = None) -> list[str]:
    """The command that opens ``path`` (a file with its default app, a folder in the file
    manager): ``xdg-open PATH``, ``open PATH`` or ``explorer PATH``."""
    fam = family(platform)
    program = {LINUX: "xdg-open", MACOS: "open", WINDOWS: "explorer"}[fam]
    return [program, _native(Path(path), fam)]


def reveal_command(path: str | os.PathLike[str], platform: str | None = None) -> list[str]:
    """The command that shows ``path`` selected in the file manager: ``open -R PATH`` on
    macOS, ``explorer /select, PATH`` on Windows. Linux has no common "select this file"
    command, so its folder is opened with ``xdg-open``."""
    fam = family(platform)
    target = Path(path)
    if fam == MACOS:
        return ["open", "-R", str(target)]
    if fam == WINDOWS:
        # Explorer reads "/select," and the path as two words; one quoted word fails.
        return ["explorer", "/select,", _native(target, fam)]
    return ["xdg-open", str(target.parent)]


def launch(command: list[str], what: str, *,
           which: Which = shutil.which) -> subprocess.Popen[bytes]:
    """Start ``command`` detached from our standard streams and do not wait for it.

    ``what`` completes "Could not …" in the error. Raises :class:`LauncherMissing` when the
    program is not on PATH, :class:`LaunchError` when it cannot be started. The standard
    streams go to ``os.devnull``: a windowed Windows build has none to hand down.
    """
    program = which(command[0])
    if program is None:
        raise LauncherMissing(command[0], what, _INSTALL_HINTS.get(command[0], ""))
    try:
        process = subprocess.Popen([program, *command[1:]], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   close_fds=True, start_new_session=os.name == "posix")
    except OSError as exc:
        raise LaunchError(f"Could not {what}: `{command[0]}` did not start "
                          f"({exc.strerror or type(exc).__name__}).") from exc
    threading.Thread(target=_reap, args=(process, command[0]), daemon=True,
                     name=f"reap {command[0]}").start()
    return process


def _reap(process: subprocess.Popen[bytes], program: str) -> None:
    """Wait for a launcher off the GUI thread, so it leaves no zombie; log a failure (Explorer
    answers 1 even when it did what it was asked, so its code says nothing)."""
    code = process.wait()
    if code != 0 and program != "explorer":
        log.warning("%s exited with code %s", program, code)


def _existing(path: str | os.PathLike[str] | None) -> Path:
    if path is None or not os.fspath(path):
        raise LaunchError("There is no saved file for this job yet.")
    target = Path(path)
    if not target.exists():
        raise PathMissing(target)
    return target


def open_path(path: str | os.PathLike[str] | None, *, platform: str | None = None,
              which: Which = shutil.which) -> subprocess.Popen[bytes]:
    """Open a file with its default app, or a folder in the file manager.

    Raises :class:`PathMissing` for a path that is gone, :class:`LauncherMissing` when the
    platform's launcher is not installed, :class:`LaunchError` for any other failure to start.
    """
    target = _existing(path)
    return launch(open_command(target, platform), f"open {target.name}", which=which)


def reveal_path(path: str | os.PathLike[str] | None, *, platform: str | None = None,
                which: Which = shutil.which) -> subprocess.Popen[bytes]:
    """Show a file in the file manager (selected where the platform can); raises like
    :func:`open_path`."""
    target = _existing(path)
    return launch(reveal_command(target, platform), f"show {target.name} in its folder",
                  which=which)


# -- notifications ------------------------------------------------------------------------


def notify_command(title: str, message: str, platform: str | None = None) -> list[str] | None:
    """The command that shows a desktop notification when Qt has no tray icon to show it.

    ``notify-send`` (freedesktop notifications) on Linux; ``osascript``'s ``display
    notification`` on macOS, the texts passed as arguments (never spliced into the script);
    None on Windows, whose taskbar always has the tray Qt notifies through.
    """
    fam = family(platform)
    if fam == LINUX:
        return ["notify-send", f"--app-name={NOTIFY_APP_NAME}", "--", title, message]
    if fam == MACOS:
        return ["osascript", "-e", "on run argv",
                "-e", "display notification (item 2 of argv) with title (item 1 of argv)",
                "-e", "end run", title, message]
    return None


def notify(title: str, message: str, *, platform: str | None = None,
           which: Which = shutil.which) -> bool:
    """Show a desktop notification without Qt's tray; False where the platform has no such
    command (Windows). Raises :class:`LauncherMissing` when the command is not installed."""
    command = notify_command(title, message, platform)
    if command is None:
        return False
    launch(command, "show a desktop notification", which=which)
    return True


# -- keyring --------------------------------------------------------------------------------

_SECRET_SERVICE = frozenset({
    ("keyring.backends.SecretService", "Keyring"),
    ("keyring.backends.libsecret", "Keyring"),
    ("keyring.backends.kwallet", "DBusKeyring"),
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"),
})
SECURE_KEYRINGS: Mapping[str, frozenset[tuple[str, str]]] = {
    LINUX: _SECRET_SERVICE,
    MACOS: frozenset({("keyring.backends.macOS", "Keyring")}),
    WINDOWS: frozenset({("keyring.backends.Windows", "WinVaultKeyring")}),
}
"""Per platform, the (module, class) of the keyring backends that keep secrets in the
system's protected store. A backend of another platform is refused: it cannot be the real one
there (the Secret Service on Windows would be some user-installed bridge)."""


def secure_keyring_classes(platform: str | None = None) -> frozenset[tuple[str, str]]:
    """The (module, class name) pairs of the keyring backends accepted on ``platform``."""
    return SECURE_KEYRINGS[family(platform)]


# -- per-user folders ---------------------------------------------------------------------

_DIRS: Mapping[str, tuple[str, str]] = {LINUX: ("platformdirs.unix", "Unix"),
                                         MACOS: ("platformdirs.macos", "MacOS"),
                                         WINDOWS: ("platformdirs.windows", "Windows")}
"""platformdirs' class per platform, imported when asked for (only the one in use, at start)."""


@dataclass(frozen=True)
class UserFolders:
    """The per-user folders of an app, as the platform lays them out (platformdirs)."""

    config: Path
    data: Path
    cache: Path
    log: Path
    videos: Path


def user_folders(app_name: str, platform: str | None = None) -> UserFolders:
    """platformdirs' per-user folders for ``app_name`` on ``platform``: XDG folders on Linux,
    ``~/Library/…`` and ``~/Movies`` on macOS, ``%LOCALAPPDATA%`` and the Videos known folder
    on Windows. Nothing is created."""
    module, name = _DIRS[family(platform)]
    dirs = getattr(importlib.import_module(module), name)(app_name, appauthor=False)
    return UserFolders(config=Path(dirs.user_config_dir), data=Path(dirs.user_data_dir),
                       cache=Path(dirs.user_cache_dir), log=Path(dirs.user_log_dir),
                       videos=Path(dirs.user_videos_dir))


__all__ = [
    "LINUX",
    "MACOS",
    "SECURE_KEYRINGS",
    "WINDOWS",
    "LaunchError",
    "LauncherMissing",
    "PathMissing",
    "UserFolders",
    "family",
    "launch",
    "notify",
    "notify_command",
    "open_command",
    "open_path",
    "reveal_command",
    "reveal_path",
    "secure_keyring_classes",
    "user_folders",
]
