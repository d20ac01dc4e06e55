"""Several processes opening one new ledger file at the same moment (the window and a
script's commands started together): each opens it, none is told "database is locked",
the file is migrated once and stays whole."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.jobs.ledger import SCHEMA_VERSION

OPENER = """
import sys, time
from app.jobs.ledger import Ledger
start = float(sys.argv[2])
while time.time() < start:
    pass
with Ledger(sys.argv[1]) as ledger:
    ledger.record_balance(__import__("decimal").Decimal(1))
"""

ROOT = Path(__file__).resolve().parents[2]


def test_processes_opening_a_new_ledger_together_all_succeed(tmp_path: Path) -> None:
    for round_ in range(3):
        path = tmp_path / f"jobs-{round_}.sqlite3"
        start = time.time() + 1.5  # every process imported and spinning by then
        children = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(start)],
                                     cwd=ROOT, stderr=subprocess.PIPE, text=True)
                    for _ in range(6)]
        errors = []
        for child in children:
            _out, err = child.communicate(timeout=60)
            errors.append((child.returncode, err))
        assert all(code == 0 for code, _ in errors), [e for c, e in errors if c]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("SELECT count(*) FROM balance_readings").fetchone()[0] == 6
