"""Benchmarks of issue 7: ``python tests/benchmarks/run.py NAME [--short]``.

NAME is one of ``startup``, ``sandbox``, ``polling``, ``gui_stall``, ``download``, ``ledger``,
``estimator``, ``library``, or ``all`` (each in a fresh interpreter, one after the other). Each
prints one JSON object (one line) of named figures, compared against a baseline measured in the
same invocation: machines here are noisy, so the figures are medians and ratios. ``--short`` runs
reduced sizes quickly (for CI: it shows the benchmarks still run, not how fast the app is).
What each one measures, and the latest full-size figures, are in ``docs/PERFORMANCE.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.base import child_env  # noqa: E402  (the repository root is on the path now)
from tests.benchmarks.bench_download import download  # noqa: E402
from tests.benchmarks.bench_estimator import estimator  # noqa: E402
from tests.benchmarks.bench_ledger import ledger  # noqa: E402
from tests.benchmarks.bench_library import library  # noqa: E402
from tests.benchmarks.bench_polling import polling  # noqa: E402
from tests.benchmarks.bench_sandbox import sandbox  # noqa: E402
from tests.benchmarks.bench_stall import gui_stall  # noqa: E402
from tests.benchmarks.bench_startup import startup  # noqa: E402

# ---- the command ----------------------------------------------------------------------------

BENCHMARKS: dict[str, Callable[..., dict[str, Any]]] = {
    "polling": polling, "gui_stall": gui_stall, "startup": startup, "download": download,
    "ledger": ledger, "estimator": estimator, "sandbox": sandbox, "library": library}

SHORT: dict[str, dict[str, Any]] = {
    "polling": {"jobs": 50, "speed": 200.0},
    "gui_stall": {"jobs": 60, "idle_s": 2.0, "follow_s": 3.0},
    "startup": {"runs": 2},
    "download": {"size": 64 << 20, "runs": 2},
    "ledger": {"jobs": 10_000, "runs": 1},
    "estimator": {"changes": 30},
    "sandbox": {"seconds": 0.3, "rounds": 1},
    "library": {"jobs": 200, "runs": 1, "idle_s": 1.0},
}
"""``--short`` sizes: the whole ``all --short`` in about a minute and a half."""


def _run_all(short: bool) -> int:
    started = time.monotonic()
    failed = []
    for name in BENCHMARKS:  # each in a fresh interpreter: no benchmark inherits another's heap
        command = [sys.executable, str(Path(__file__).resolve()), name]
        if short:
            command.append("--short")
        if subprocess.run(command, cwd=ROOT, env=child_env(), check=False).returncode:
            failed.append(name)
    print(f"all{' --short' if short else ''}: {len(BENCHMARKS)} benchmarks in "
          f"{time.monotonic() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}"
                                                    if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--short", action="store_true",
                        help="reduced sizes, fast (CI): proves they run, not the figures")
    args = parser.parse_args(argv)
    if args.name == "all":
        return _run_all(args.short)
    started = time.monotonic()
    figures = BENCHMARKS[args.name](**(SHORT[args.name] if args.short else {}))
    figures["size"] = "short" if args.short else "full"
    figures["benchmark_wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
