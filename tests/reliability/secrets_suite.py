"""The secrets suite: a full session of the real app with a real-looking key, then every file
it left searched for the key.

A simulator (in this process) accepts the key; ``secrets_session.py`` (a child process, the
real window offscreen) runs the session with its ``--data-dir``, HOME and XDG folders inside
one session folder; its console output is saved there too. Then every file under that folder
— settings, the ledger (and its WAL), logs, downloaded results and sidecars, Qt's and
fontconfig's caches, the console — is searched for the key: as is, in UTF-16, base64
(standard and URL-safe, at each alignment), URL-encoded, hex, and every 16-character piece of
it. The search is first tried on planted files, so a search that finds nothing has shown it
would have found something.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from app.sandbox import Sandbox

SESSION = Path(__file__).with_name("secrets_session.py")
API_ID = "ws_5f3c9a7e21d84b06"
WINDOW = 16
"""Length of the pieces of the key searched on their own (a truncated leak)."""


def make_key() -> str:
    """A key that looks like a live Creatify key: a prefix and 40 random characters."""
    alphabet = string.ascii_letters + string.digits
    return "sk-live-" + "".join(secrets.choice(alphabet) for _ in range(40))


def forms(key: str) -> dict[str, list[bytes]]:
    """Byte patterns that would betray ``key``, by encoding."""
    raw = key.encode()
    out: dict[str, list[bytes]] = {
        "raw": [raw],
        "utf16": [key.encode("utf-16-le"), key.encode("utf-16-be")],
        "url": sorted({quote(key, safe="").encode(), quote_plus(key).encode()} - {raw}),
        "hex": [raw.hex().encode(), raw.hex().upper().encode()],
        "base64": [],
        "piece": [raw[i:i + WINDOW] for i in range(len(raw) - WINDOW + 1)],
    }
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):
            text = encode(b"\0" * offset + raw).rstrip(b"=")
            # Drop the characters that mix in the neighbouring bytes at either end.
            out["base64"].append(text[4 if offset else 0: -4])
    return out


def scan(folder: Path, key: str) -> dict[str, Any]:
    """Search every file under ``folder``; hits per form and the files that hold them."""
    patterns = forms(key)
    files = 0
    size = 0
    hits: dict[str, int] = {name: 0 for name in patterns}
    where: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        files += 1
        size += len(data)
        for name, needles in patterns.items():
            found = sum(data.count(n) for n in needles if n)
            if found:
                hits[name] += found
                where.append(f"{path.relative_to(folder)} ({name})")
    return {"files_searched": files, "bytes_searched": size, "hits": sum(hits.values()),
            "hits_by_form": hits, "hit_files": where[:20]}


def self_test(work: Path, key: str) -> list[str]:
    """Plant the key in each form in a folder of its own; the forms the search missed."""
    planted = work / "planted"
    planted.mkdir()
    raw = key.encode()
    samples = {
        "raw": b"prefix " + raw + b" suffix",
        "utf16": ("x" + key).encode("utf-16-le"),
        "base64": b"Authorization: Basic " + base64.b64encode(b"user:" + raw),
        "url": b"https://x.example/?k=" + quote("k=" + key + "&").encode(),
        "hex": b"0x" + raw.hex().encode(),
        "piece": b"...." + raw[9:9 + WINDOW + 2] + b"....",
    }
    missed = []
    for name, data in samples.items():
        folder = planted / name
        folder.mkdir()
        (folder / "file.bin").write_bytes(data)
        if scan(folder, key)["hits"] == 0:
            missed.append(name)
    shutil.rmtree(planted)
    return missed


def run(*, keep: bool = False, timeout: float = 300.0) -> dict[str, Any]:
    started = time.monotonic()
    key = make_key()
    work = Path(tempfile.mkdtemp(prefix="creatify-secrets-"))
    root = work / "session"
    home = root / "home"
    console = root / "console"
    for folder in (home, console):
        folder.mkdir(parents=True)
    missed = self_test(work, key)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY") and not k.startswith(("XDG_", "CREATIFY_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_STATE_HOME=str(home / ".local/state"), XDG_RUNTIME_DIR=str(home / "run"),
               QT_QPA_PLATFORM="offscreen", RELIABILITY_SESSION_KEY=key)
    (home / "run").mkdir(mode=0o700)
    session: dict[str, Any] = {}
    failure = ""
    with Sandbox(api_id=API_ID, api_key=key, speed=200, balance=10**6) as server:
        try:
            done = subprocess.run([sys.executable, str(SESSION), server.base_url, str(root)],
                                  env=env, capture_output=True, timeout=timeout, check=False)
            (console / "stdout.txt").write_bytes(done.stdout)
            (console / "stderr.txt").write_bytes(done.stderr)
            lines = done.stdout.decode(errors="replace").strip().splitlines()
            if done.returncode != 0 or not lines:
                failure = (f"the session failed (exit {done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-1500:]}")
            else:
                session = json.loads(lines[-1])
        except subprocess.TimeoutExpired as exc:
            failure = f"the session did not finish within {timeout:.0f} s"
            (console / "stdout.txt").write_bytes(exc.stdout or b"")
            (console / "stderr.txt").write_bytes(exc.stderr or b"")
        creates = len(server.create_log)
    found = scan(root, key)
    log = root / "logs" / "creatify-studio.log"
    log_text = log.read_text(errors="replace") if log.exists() else ""
    masked = log_text.count("***")
    # A session that did too little proves nothing: it must have saved the key, run jobs to
    # saved files, shown errors, and had the filter mask the key it was made to log.
    incomplete = [what for what, ok in (
        ("key saved in the keyring", session.get("saved_in_keyring")),
        ("at least 5 jobs", session.get("jobs", 0) >= 5),
        ("at least 3 files saved", session.get("downloads", 0) >= 3),
        ("errors shown", session.get("messages_shown", 0) >= 5),
        ("the key masked in the log", masked >= 2)) if not ok] if not failure else []
    result = {
        "suite": "secrets",
        **found,
        "messages_with_key": session.get("messages_with_key", 0),
        "scanner_missed": len(missed),
        "scanner_missed_forms": missed,
        "session_failures": 1 if failure else 0,
        "session_error": failure[:1500],
        "session_incomplete": len(incomplete),
        "session_missing": incomplete,
        "session": {**session, "paid_requests_seen_by_simulator": creates,
                    "log_bytes": len(log_text.encode()),
                    "masked_in_log": masked},
        "seconds": round(time.monotonic() - started, 1),
    }
    if keep or found["hits"] or failure or incomplete:
        result["kept"] = str(work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return result


MUST_BE_ZERO = ("hits", "messages_with_key", "scanner_missed", "session_failures",
                "session_incomplete")
