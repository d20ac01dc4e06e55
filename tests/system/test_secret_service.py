"""The credentials round trip against a real Secret Service — GNOME Keyring on a private
D-Bus session bus, started by the fixture — with each step in its own process, as after a
restart: save, read back (by the app, and by a different Secret Service client), remove.

Everywhere else the keyring is an in-memory stand-in; this is where the app's keyring code,
keyring's SecretService backend, SecretStorage, jeepney and a real daemon meet. The frozen
bundle runs the same round trip in packaging/check_bundle.py.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.system.secret_service import ROOT, secret_service  # noqa: F401 - the fixture

API_ID = "ws_secret_service_check"
API_KEY = "sk-live-real-keyring-0123456789abcdef"


def python(env: dict[str, str], code: str) -> str:
    """Run ``code`` in a fresh interpreter under ``env``; its stdout (it must succeed)."""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


STORE = "from app.credentials import CredentialStore, Credentials; store = CredentialStore(); "


def stored_by_secret_service(env: dict[str, str]) -> dict[str, str]:
    """What the Secret Service itself holds for the app's entries, read with SecretStorage
    (not through keyring): username → secret."""
    found: dict[str, str] = json.loads(python(env, """
import json, secretstorage
from app.credentials import SERVICE
bus = secretstorage.dbus_init()
found = {}
for item in secretstorage.search_items(bus, {"service": SERVICE}):
    item.unlock()
    found[item.get_attributes()["username"]] = item.get_secret().decode()
print(json.dumps(found))
"""))
    return found


def test_the_key_pair_survives_a_restart_in_gnome_keyring(
        secret_service: dict[str, str]) -> None:  # noqa: F811
    env = secret_service
    said = python(env, STORE + f"""
store.save(Credentials({API_ID!r}, {API_KEY!r}))
print(store.is_secure(), store.store_name())
""")
    assert said == "True GNOME Keyring"
    assert stored_by_secret_service(env) == {"X-API-ID": API_ID, "X-API-KEY": API_KEY}
    # A new process (a restart) reads the pair back.
    assert python(env, STORE + "c = store.load(); print(c.api_id, c.api_key)") \
        == f"{API_ID} {API_KEY}"
    python(env, STORE + "store.delete()")
    assert python(env, STORE + "print(store.load())") == "None"
    assert stored_by_secret_service(env) == {}


def test_the_programs_keyring_self_test_passes_from_the_source_tree(
        secret_service: dict[str, str]) -> None:  # noqa: F811
    done = subprocess.run([sys.executable, "-m", "ui.main", "--keyring-self-test"],
                          env=secret_service, cwd=ROOT, capture_output=True, text=True,
                          timeout=240, check=False)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and report["ok"] is True, (report, done.stderr[-3000:])
    assert [step["step"] for step in report["steps"]] == ["save", "load", "delete", "gone"]
    assert {step["backend"] for step in report["steps"]} == {"SecretService Keyring"}
    assert stored_by_secret_service(secret_service) == {}  # the probe is gone too


def test_the_keyring_self_test_fails_without_a_secret_service(tmp_path: Path) -> None:
    """No session bus at all: the self-test says so and exits non-zero (so the bundle check
    cannot pass on a machine where saving would not work)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "ui.main", "--keyring-self-test"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 1 and report["ok"] is False
    assert report["steps"][0]["step"] == "save" and not report["steps"][0]["ok"]
    assert "No system keyring" in report["steps"][0]["detail"]


def load_check_bundle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_packaging_check_bundle",
                                                  ROOT / "packaging" / "check_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bundle_check_runs_the_round_trip_and_fails_a_broken_one(tmp_path: Path) -> None:
    """packaging/check_bundle.py's keyring step, given a stand-in for the frozen executable
    (this source tree): it starts its own GNOME Keyring and passes; a program whose round trip
    fails, or that never reports, fails the check."""
    check_bundle = load_check_bundle()
    program = tmp_path / "creatify-studio"
    program.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m ui.main "$@"\n')
    program.chmod(0o755)
    assert check_bundle.keyring_round_trip(program) == []
    broken = tmp_path / "broken"
    failing = {"ok": False, "steps": [{"step": "save", "ok": False, "backend": "fail Keyring",
                                       "detail": "No system keyring was found."}]}
    broken.write_text(f"#!/bin/sh\necho '{json.dumps(failing)}'\nexit 1\n")
    broken.chmod(0o755)
    problems = check_bundle.keyring_round_trip(broken)
    assert problems and "No system keyring" in " ".join(problems)
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    assert "no report" in " ".join(check_bundle.keyring_round_trip(silent))
    elsewhere = {"ok": True, "steps": [{"step": s, "ok": True, "backend": "fail Keyring"}
                                       for s in ("save", "load", "delete", "gone")]}
    assert check_bundle.check_keyring(elsewhere)  # passing, but not in the Secret Service
