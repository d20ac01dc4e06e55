"""What every benchmark module shares: the repository root on the path, the child processes'
environment, the time stamp of a result."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def today() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def child_env() -> dict[str, str]:
    """The environment of child processes: this tree's code first (not whatever the
    interpreter's editable install points at), no bytecode written."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}
