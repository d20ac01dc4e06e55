"""The password store round trip, one step per process: save, load, remove.

``--keyring-self-test`` (hidden, on the desktop program, source tree or frozen bundle) runs
:func:`round_trip`: it starts the program again for each step (``--keyring-self-test-step
save|load|delete|gone``), so "load" really is a new process reading what an earlier one saved,
as after a restart. A probe pair under its own service name is used — a creator's real
entries are never touched.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from app.credentials._store import (
    Credentials,
    CredentialStore,
    KeyringUnavailable,
    backend_description,
)

PROBE_SERVICE = "Creatify Studio self-test"
PROBE = ("creatify-self-test-id", "creatify-self-test-key-5f0c2a9e")
STEPS = ("save", "load", "delete", "gone")
STEP_TIMEOUT = 60.0


def run_step(step: str, store: CredentialStore | None = None) -> dict[str, Any]:
    """One step in this process: ``{"step", "ok", "backend", "detail"}``; never raises for a
    keyring failure (it is the detail)."""
    store = store or CredentialStore(PROBE_SERVICE)
    probe = Credentials(*PROBE)
    backend, secure = backend_description()
    result: dict[str, Any] = {"step": step, "backend": backend, "secure": secure}
    try:
        if step == "save":
            store.save(probe)
            ok, detail = True, "saved"
        elif step == "load":
            loaded = store.load()
            ok = loaded == probe
            detail = "read back the pair saved by another process" if ok else (
                "nothing stored" if loaded is None else "a different pair came back")
        elif step == "delete":
            store.delete()
            ok, detail = True, "removed"
        elif step == "gone":
            loaded = store.load()
            ok, detail = loaded is None, "nothing left" if loaded is None else "still stored"
        else:
            ok, detail = False, f"unknown step {step!r}"
    except KeyringUnavailable as exc:
        ok, detail = False, str(exc)
    result.update(ok=ok, detail=detail)
    return result


def round_trip(command: Sequence[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run each step as ``command + ["--keyring-self-test-step", step]`` (a new process each
    time) and gather their reports; stops at the first failed step, always removing the probe
    at the end. ``ok`` is true when every step passed."""
    steps: list[dict[str, Any]] = []
    for step in STEPS:
        steps.append(_child(command, step, env))
        if not steps[-1]["ok"]:
            if step in ("save", "load"):
                _child(command, "delete", env)  # leave nothing behind
            break
    return {"ok": len(steps) == len(STEPS) and all(s["ok"] for s in steps), "steps": steps}


def _child(command: Sequence[str], step: str, env: Mapping[str, str] | None) -> dict[str, Any]:
    try:
        done = subprocess.run([*command, "--keyring-self-test-step", step], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=STEP_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"step": step, "ok": False, "detail": f"could not run: {exc}"}
    lines = done.stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        return {"step": step, "ok": False,
                "detail": f"no report (exit {done.returncode}): {done.stderr[-2000:]}"}
    report["ok"] = bool(report.get("ok")) and done.returncode == 0
    return report

