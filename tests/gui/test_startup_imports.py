"""The first paint stays light (issue 14): the real entry point is started in a child process
(``tests/benchmarks/startup_probe.py``), which records ``sys.modules`` at the main window's
first paint and says when the window became ready for input.

What the first paint shows — the title, the menus, the welcome page, the status bar — needs
none of the HTTP stack, the schema checks, the password store, the simulator or the service:
those load just after it (``MainWindow.attach``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "benchmarks" / "startup_probe.py"

NOT_AT_FIRST_PAINT = ("jsonschema", "keyring", "app.sandbox", "app.session", "ui.service",
                      "ui.generator.tab", "ui.jobs.panel", "ui.batch.sheet", "app.api._client",
                      "PySide6.QtMultimedia", "PySide6.QtCharts", "httpx", "app.jobs.ledger",
                      "filelock", "app.generators", "qasync", "app.pricing.engine",
                      "app.pricing._registry", "app.pricing.updates", "app.api.errors",
                      "app.credentials._selfcheck", "logging.handlers", "asyncio",
                      "ui.common.table_model", "ui.common.widgets")
"""Loaded after the first paint (or when first used), never before it: the frame is painted
before the event loop (qasync) starts and the log file opens, with the settings but not the
estimator."""

def start(tmp_path: Path) -> tuple[set[str], float, float | None]:
    """The modules loaded at the first paint, and the first paint's and readiness's times
    (None: never ready)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("CREATIFY_API_ID", "CREATIFY_API_KEY", "CREATIFY_API_BASE_URL")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    result = subprocess.run([sys.executable, str(PROBE), "app", str(tmp_path / "data"),
                             "--modules"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    lines = dict(line.partition(" ")[::2] for line in result.stdout.splitlines())
    assert result.returncode == 0 and {"first-paint", "modules"} <= lines.keys(), \
        result.stdout[-500:] + result.stderr[-2000:]
    ready = float(lines["ready"]) if "ready" in lines else None
    return set(lines["modules"].split(",")), float(lines["first-paint"]), ready


@pytest.fixture(scope="module", params=["first start", "saved settings"])
def first_paint(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], float, float | None]:
    """A first start, and a start with the settings a closed window saved (loading them
    checks every value: the file namer's template among them)."""
    folder = tmp_path_factory.mktemp("startup")
    if request.param == "saved settings":
        start(folder)
        assert any((folder / "data").rglob("settings.json")), "the window saved no settings"
    return start(folder)


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("name", NOT_AT_FIRST_PAINT)
def test_the_first_paint_does_not_load(first_paint: tuple[set[str], float, float | None],
                                       name: str) -> None:
    modules, _painted, _ready = first_paint
    assert not loaded(modules, name), f"{name} is imported before the window's first paint"


def test_the_window_gets_ready_after_its_first_paint(
        first_paint: tuple[set[str], float, float | None]) -> None:
    """The rest does load: the window says it is ready (service, sidebar, last page built)."""
    _modules, painted, ready = first_paint
    assert ready is not None, "the window never said it was ready"
    assert painted <= ready
