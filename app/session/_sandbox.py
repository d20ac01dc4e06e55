"""The session's offline sandbox: where it keeps its account, its ledger and its results.

The simulator (``app.sandbox``) is persistent here: its account lives in
``<data>/sandbox/state.json`` and the sandbox ledger ``<data>/sandbox-jobs.sqlite3`` is kept
beside it, so the two always describe the same jobs. The ledger goes only when the account
does (a fresh simulator knows none of its jobs). Results go to ``<output>/Sandbox/`` so the
test patterns never mix with paid work.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SANDBOX_FOLDER", "SANDBOX_LEDGER", "SandboxElsewhere", "forget_sandbox_ledger",
           "sandbox_state_path"]

SANDBOX_FOLDER = "Sandbox"
"""Sandbox results are saved in this folder of the output folder, apart from paid work."""
SANDBOX_LEDGER = "sandbox-jobs.sqlite3"


class SandboxElsewhere(RuntimeError):
    """Another process serves this data folder's sandbox (``app.sandbox.SandboxBusy``, said
    without importing the simulator); ``base_url`` is where ("" when it has not said yet)."""

    def __init__(self, state_path: Path, base_url: str) -> None:
        where = f" at {base_url}" if base_url else ""
        super().__init__(f"another process serves the sandbox state {state_path}{where}")
        self.state_path = state_path
        self.base_url = base_url


def sandbox_state_path(data_dir: Path) -> Path:
    """Where the simulator keeps its account between runs."""
    return data_dir / "sandbox" / "state.json"


def forget_sandbox_ledger(data_dir: Path) -> None:
    """Remove the sandbox ledger (and its WAL, shared-memory and journal files) — never the
    lock files beside it, which another process may hold (removing a held lock file would
    let two processes follow the same jobs)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (data_dir / (SANDBOX_LEDGER + suffix)).unlink(missing_ok=True)
