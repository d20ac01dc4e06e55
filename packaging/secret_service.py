"""A real Secret Service for checks: GNOME Keyring, unlocked, on a private D-Bus session bus.

    with private_secret_service(folder) as env:
        subprocess.run([...], env=env)   # the app's keyring code talks to a real GNOME Keyring

:func:`private_secret_service` starts ``dbus-daemon --session`` and ``gnome-keyring-daemon
--unlock --foreground --components=secrets`` (a throwaway password on its stdin, its files in
``folder``), waits until the daemon owns ``org.freedesktop.secrets`` on that bus, yields the
environment a child needs to reach it (``DBUS_SESSION_BUS_ADDRESS``, a HOME and XDG folders
inside ``folder``), and stops both daemons on the way out. The user's own bus and keyring are
never touched. ``dbus-daemon``, ``dbus-send`` and ``gnome-keyring-daemon`` come from
packaging/dev-setup.sh (apt: dbus, gnome-keyring); without them :class:`SecretServiceMissing`
says so (a check that needs them fails, it is never skipped).

Used by tests/system/test_secret_service.py (the source tree) and packaging/check_bundle.py
(the frozen bundle); ``python packaging/secret_service.py COMMAND…`` runs one command inside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

TOOLS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon")
READY_TIMEOUT = 20.0
PASSWORD = b"creatify-throwaway-login-keyring\n"


class SecretServiceMissing(RuntimeError):
    """The programs a private Secret Service needs are not installed, or it did not start."""


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _owned(env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
         "string:org.freedesktop.secrets"],
        env=env, capture_output=True, text=True, timeout=10, check=False)
    return done.returncode == 0 and "boolean true" in done.stdout


@contextlib.contextmanager
def private_secret_service(folder: Path) -> Iterator[dict[str, str]]:
    """Run an unlocked GNOME Keyring on a private session bus; yield a child's environment."""
    absent = missing_tools()
    if absent:
        raise SecretServiceMissing(
            f"{', '.join(absent)} not found: install the apt packages dbus and gnome-keyring "
            "(bash packaging/dev-setup.sh does).")
    home = folder / "home"
    runtime = folder / "runtime"
    for path in (home / ".config", home / ".local" / "share", home / ".cache", runtime):
        path.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": str(runtime),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_CACHE_HOME": str(home / ".cache")}
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    keyring: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        if not address:
            raise SecretServiceMissing(f"dbus-daemon gave no address (exit {bus.poll()})")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        log = folder / "gnome-keyring.log"
        with log.open("wb") as log_file:
            keyring = subprocess.Popen(
                ["gnome-keyring-daemon", "--unlock", "--foreground", "--components=secrets"],
                env=env, stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT)
        assert keyring.stdin is not None
        keyring.stdin.write(PASSWORD)
        keyring.stdin.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while not _owned(env):
            if keyring.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace")[-2000:]
                raise SecretServiceMissing(
                    f"gnome-keyring-daemon did not start a Secret Service (exit "
                    f"{keyring.poll()}): {said}")
            time.sleep(0.05)
        yield env
    finally:
        if keyring is not None:
            _stop(keyring)
        _stop(bus)
        if bus.stdout is not None:
            bus.stdout.close()


def main(argv: list[str]) -> int:
    import tempfile

    if not argv:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="creatify-secret-service-") as folder, \
            private_secret_service(Path(folder)) as env:
        return subprocess.run(argv, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
